/**
 * Three gateway processes, as `npm start` runs them, sharing one Freshdesk account (the emulator,
 * a small plan, 2-second windows) through the real Redis (`REDIS_URL`). The emulator's own window
 * history judges: under concurrent load spread across the replicas, zero 429s and no window over
 * the plan; bulk work on one replica may spend what nobody else wants, yet an interactive query on
 * another completes within one window; with Redis stopped mid-load every request is still answered
 * (data or a coded error) within its deadline and the combined rate stays within the plan, and once
 * Redis is back the replicas share the budget again.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RateWindow } from '../../src/emulator/index.ts';
import { type GraphQLResponse, postGraphQL } from '../helpers/gateway.ts';
import { getJson, type Replica, type ReplicaSet, startReplicas } from '../helpers/replicas.ts';

const WINDOW_MS = 2_000;
const DEADLINE_MS = 8_000;
const PLAN = { total: 40, ticketCreate: 16, ticketUpdate: 16, ticketsList: 10, contactsList: 10 };
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Every window within the plan, in total and per metered endpoint. */
function overPlan(windows: readonly RateWindow[]): string[] {
  const problems: string[] = [];
  const limits = { tickets_list: PLAN.ticketsList, contacts_list: PLAN.contactsList } as const;
  for (const [i, window] of windows.entries()) {
    if (window.credits > PLAN.total) {
      problems.push(`window ${i}: ${window.credits} credits > ${PLAN.total}`);
    }
    for (const [endpoint, limit] of Object.entries(limits)) {
      const used = window.endpoints[endpoint as keyof typeof limits] ?? 0;
      if (used > limit) {
        problems.push(`window ${i}: ${endpoint} ${used} > ${limit}`);
      }
    }
  }
  return problems;
}

/** Live tickets' ids (the emulator also seeds deleted and spam ones). */
let ids: number[] = [];

/** A request of the mix, n-th: a ticket by id (1 credit), a page of tickets, a page of contacts. */
function mixed(n: number): string {
  switch (n % 4) {
    case 1:
      return `{ tickets(first: 5) { nodes { id subject } } }`;
    case 3:
      return `{ contacts(first: 5) { nodes { id name } } }`;
    default:
      return `{ ticket(id: "${ids[n % ids.length]}") { id subject } }`;
  }
}

interface Answer {
  ms: number;
  /** `data`, or the first error's code. */
  outcome: string;
}

const outcomeOf = (result: GraphQLResponse<unknown>): string =>
  result.errors?.length
    ? String(result.errors[0]?.extensions?.code ?? 'NO_CODE')
    : result.data
      ? 'data'
      : 'EMPTY';

/**
 * `clients` concurrent clients, each sending the mix round-robin over the replicas (a load
 * balancer), until `stop()` says so or `count` requests are done.
 */
async function drive(
  replicas: readonly Replica[],
  options: {
    clients: number;
    count?: number;
    stop?: () => boolean;
    headers?: Record<string, string>;
  },
): Promise<Answer[]> {
  const answers: Answer[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: options.clients }, async () => {
      while (
        !(options.stop?.() ?? false) &&
        (options.count === undefined || next < options.count)
      ) {
        const n = next++;
        const replica = replicas[n % replicas.length] as Replica;
        const started = Date.now();
        try {
          const result = await postGraphQL(replica.url, mixed(n), undefined, options.headers);
          answers.push({ ms: Date.now() - started, outcome: outcomeOf(result) });
        } catch (error) {
          answers.push({ ms: Date.now() - started, outcome: `TRANSPORT ${String(error)}` });
        }
      }
    }),
  );
  return answers;
}

const quotaMode = async (replica: Replica): Promise<string | undefined> => {
  const ready = await getJson(replica, '/ready');
  return (ready.body.redis as { quota?: { mode: string } } | undefined)?.quota?.mode;
};

async function until(what: string, check: () => Promise<boolean>, timeoutMs = 15_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) {
      throw new Error(`timed out waiting for ${what}`);
    }
    await sleep(100);
  }
}

describe('three replicas sharing one small plan', () => {
  let set: ReplicaSet;

  beforeAll(async () => {
    set = await startReplicas({
      count: 3,
      emulator: { tickets: 300, plan: PLAN, windowMs: WINDOW_MS },
      env: {
        FRESHDESK_PLAN: `total=${PLAN.total},ticketCreate=${PLAN.ticketCreate},ticketUpdate=${PLAN.ticketUpdate},ticketsList=${PLAN.ticketsList},contactsList=${PLAN.contactsList}`,
        DESKGRAPH_QUOTA_WINDOW_MS: String(WINDOW_MS),
        DESKGRAPH_OPERATION_DEADLINE_MS: String(DEADLINE_MS),
        DESKGRAPH_RECONCILE_INTERVAL_MS: '0',
        // The load must reach Freshdesk: no read cache to answer the mix's repeated reads.
        DESKGRAPH_CACHE_MAX_MB: '0',
      },
    });
    ids = [...set.emulator.data.tickets.values()]
      .filter((t) => !t.deleted && !t.spam)
      .map((t) => t.id)
      .slice(0, 200);
  }, 60_000);
  afterAll(() => set?.close(), 60_000);

  it('under concurrent load spread across them: zero 429s, never over the plan in any window', async () => {
    set.emulator.resetStats();
    const answers = await drive(set.replicas, { clients: 12, count: 150 });
    expect(answers.filter((a) => a.outcome !== 'data')).toEqual([]);
    const stats = set.emulator.stats();
    // The plan was what held the load back: it took several windows.
    expect(stats.totalCredits).toBeGreaterThan(3 * PLAN.total);
    expect(stats.status['429'] ?? 0).toBe(0);
    expect(overPlan(stats.windows)).toEqual([]);
    expect(stats.windows.length).toBeGreaterThanOrEqual(4);
    expect(await Promise.all(set.replicas.map(quotaMode))).toEqual(['shared', 'shared', 'shared']);
  }, 60_000);

  it('bulk work on one replica spends more than its 65% when nobody else asks, and an interactive query on another still completes within one window', async () => {
    await sleep(WINDOW_MS);
    set.emulator.resetStats();
    const [a, b] = set.replicas as [Replica, Replica];
    let stop = false;
    const bulk = drive([a], {
      clients: 8,
      stop: () => stop,
      headers: { 'x-deskgraph-priority': 'bulk' },
    });
    await sleep(3 * WINDOW_MS);
    const alone = set.emulator.stats().windows;
    // Bulk alone: past the 65% it may spend while interactive or webhook work wants the rest.
    const busiest = Math.max(...alone.slice(0, -1).map((w) => w.credits));
    expect(busiest).toBeGreaterThan(Math.floor(0.65 * PLAN.total));
    expect(busiest).toBeLessThanOrEqual(PLAN.total);
    // Interactive queries on B, now and then, while bulk work goes on on A.
    const latencies: number[] = [];
    for (let i = 0; i < 5; i++) {
      const started = Date.now();
      const result = await postGraphQL(b.url, `{ ticket(id: "${ids[50 + i]}") { id subject } }`);
      latencies.push(Date.now() - started);
      expect(result.errors).toBeUndefined();
      await sleep(WINDOW_MS / 3);
    }
    stop = true;
    const done = await bulk;
    expect(done.filter((r) => r.outcome !== 'data' && r.outcome !== 'QUOTA_EXCEEDED')).toEqual([]);
    expect(Math.max(...latencies)).toBeLessThan(WINDOW_MS);
    const stats = set.emulator.stats();
    expect(stats.status['429'] ?? 0).toBe(0);
    expect(overPlan(stats.windows)).toEqual([]);
  }, 60_000);

  it('Redis stopped mid-load: every request answered within its deadline, the plan kept; shared again when Redis is back', async () => {
    await sleep(WINDOW_MS);
    set.emulator.resetStats();
    let stop = false;
    const load = drive(set.replicas, { clients: 12, stop: () => stop });
    await sleep(1.5 * WINDOW_MS);
    set.cutRedis('refuse');
    await until('every replica to run on its own share', async () =>
      (await Promise.all(set.replicas.map(quotaMode))).every((m) => m === 'local'),
    );
    await sleep(3 * WINDOW_MS);
    set.restoreRedis();
    await until('every replica to share again', async () =>
      (await Promise.all(set.replicas.map(quotaMode))).every((m) => m === 'shared'),
    );
    await sleep(2 * WINDOW_MS);
    stop = true;
    const answers = await load;

    // Every request answered: data, or a coded error (QUOTA_EXCEEDED when its share could not
    // serve it in time), within its deadline.
    expect(answers.length).toBeGreaterThan(50);
    const outcomes = new Set(answers.map((a) => a.outcome));
    expect([...outcomes].filter((o) => o !== 'data' && o !== 'QUOTA_EXCEEDED')).toEqual([]);
    expect(Math.max(...answers.map((a) => a.ms))).toBeLessThan(DEADLINE_MS + 2_000);
    expect(answers.filter((a) => a.outcome === 'data').length).toBeGreaterThan(answers.length / 2);
    // The combined rate stayed within the plan, before, during and after.
    const stats = set.emulator.stats();
    expect(stats.status['429'] ?? 0).toBe(0);
    expect(overPlan(stats.windows)).toEqual([]);
    for (const replica of set.replicas) {
      expect(replica.logs).toContainEqual(
        expect.objectContaining({
          level: 'warn',
          message: expect.stringContaining('this replica spends at most 1/3 of the plan'),
        }),
      );
      expect(replica.logs).toContainEqual(
        expect.objectContaining({ message: 'quota: shared through Redis again' }),
      );
    }

    // Sharing again: every replica sees the same budget, and a burst across them keeps to it.
    await sleep(WINDOW_MS);
    set.emulator.resetStats();
    const burst = await drive(set.replicas, { clients: 12, count: 90 });
    expect(burst.filter((a) => a.outcome !== 'data')).toEqual([]);
    const after = set.emulator.stats();
    expect(after.totalCredits).toBeGreaterThan(PLAN.total);
    expect(after.status['429'] ?? 0).toBe(0);
    expect(overPlan(after.windows)).toEqual([]);
    // One budget: once the burst has left the window, what one replica spends, the others see.
    const remaining = async (): Promise<(number | undefined)[]> =>
      Promise.all(
        set.replicas.map(async (r) => {
          const result = await postGraphQL<{ quota: { remaining: number } }>(
            r.url,
            '{ quota { remaining } }',
          );
          return result.data?.quota.remaining;
        }),
      );
    await sleep(1.5 * WINDOW_MS);
    expect(await remaining()).toEqual([PLAN.total, PLAN.total, PLAN.total]);
    const [a] = set.replicas as [Replica];
    for (let i = 0; i < 5; i++) {
      const result = await postGraphQL(a.url, `{ ticket(id: "${ids[i]}") { id } }`);
      expect(result.errors).toBeUndefined();
    }
    expect(await remaining()).toEqual([PLAN.total - 5, PLAN.total - 5, PLAN.total - 5]);
  }, 90_000);
});
