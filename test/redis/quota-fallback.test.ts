/**
 * A replica's quota store when Redis goes away and comes back (real Redis behind a TCP proxy that
 * a test cuts; one process, each "replica" a connection manager and a store of its own): no call
 * waits on Redis longer than the manager's timeout, each replica spends at most its share of the
 * plan meanwhile (and what was spent just before the cut still counts), says so in its log and
 * status, and rejoins (telling Redis what it spent alone) when Redis answers again.
 */
import { describe, expect, it } from 'vitest';
import type { Reservation, SpendRequest } from '../../src/quota/budget.ts';
import { type SharedQuotaOptions, SharedQuotaStore } from '../../src/quota/shared-store.ts';
import { cleanupsPerTest, type LogLine, quotaManager } from '../helpers/quota.ts';
import { startTcpProxy, type TcpProxy, testPrefix } from '../helpers/redis.ts';

const cleanups = cleanupsPerTest();

const WINDOW = 2_000;
const TIMEOUT = 250;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Replica {
  store: SharedQuotaStore;
  link: TcpProxy;
  lines: LogLine[];
  /** Every grant this replica made: when, and how many credits (settled at once as answered). */
  grants: { at: number; credits: number }[];
  /** Reserves `credits` and answers at once; the time the store took. */
  spend(credits: number, priority?: SpendRequest['priority']): Promise<{ ok: boolean; ms: number }>;
}

async function replicas(
  count: number,
  options: Partial<SharedQuotaOptions> & { total: number },
): Promise<Replica[]> {
  const prefix = testPrefix('quota-fallback');
  const out: Replica[] = [];
  for (let i = 0; i < count; i++) {
    const link = await startTcpProxy();
    cleanups.push(() => link.close());
    const redis = await quotaManager(cleanups, { prefix, url: link.url, timeoutMs: TIMEOUT });
    const store = new SharedQuotaStore({
      redis,
      account: 'fallback',
      plan: { name: 'custom', limits: { total: options.total } },
      windowMs: WINDOW,
      logger: {
        info: (message, fields) => redis.lines.push({ level: 'info', message, ...fields }),
        warn: (message, fields) => redis.lines.push({ level: 'warn', message, ...fields }),
      },
      heartbeatMs: 100,
      ...options,
    });
    cleanups.push(() => store.close());
    const grants: Replica['grants'] = [];
    out.push({
      store,
      link,
      lines: redis.lines,
      grants,
      async spend(credits, priority = 'interactive') {
        const started = performance.now();
        const r: Reservation = await store.reserve({ endpoint: undefined, credits, priority });
        const ms = performance.now() - started;
        if (r.ok) {
          grants.push({ at: Date.now(), credits });
          await store.settle(r.id, {
            status: 200,
            headers: { 'x-ratelimit-used-currentrequest': String(credits) },
          });
        }
        return { ok: r.ok, ms };
      },
    });
  }
  // Every replica has been seen by Redis, then each learns how many share the account.
  for (const round of [1, 2]) {
    for (const replica of out) {
      await replica.store.snapshot();
    }
    expect(round).toBeGreaterThan(0);
  }
  return out;
}

/** The most credits granted, all replicas together, within any interval one window long. */
function busiestWindow(all: Replica[]): number {
  const grants = all.flatMap((r) => r.grants).sort((a, b) => a.at - b.at);
  let best = 0;
  let sum = 0;
  let start = 0;
  for (const grant of grants) {
    sum += grant.credits;
    while ((grants[start] as { at: number }).at <= grant.at - WINDOW) {
      sum -= (grants[start] as { credits: number }).credits;
      start += 1;
    }
    best = Math.max(best, sum);
  }
  return best;
}

/** Spends 1 credit at a time on every replica, as fast as each grants, for `ms`. */
async function load(all: Replica[], ms: number): Promise<number[]> {
  const until = Date.now() + ms;
  const slowest: number[] = all.map(() => 0);
  await Promise.all(
    all.map(async (replica, i) => {
      while (Date.now() < until) {
        const { ok, ms: took } = await replica.spend(1);
        slowest[i] = Math.max(slowest[i] as number, took);
        if (!ok) {
          await sleep(20);
        }
      }
    }),
  );
  return slowest;
}

describe('a replica cut off from Redis', () => {
  it('goes on at once with 1/N of the plan, counting what was spent before the cut; together the replicas never pass the plan', async () => {
    const all = await replicas(3, { total: 60 });
    expect(all.map((r) => r.store.status().mode)).toEqual(['shared', 'shared', 'shared']);
    // Shared: together they spend the plan, not more.
    await load(all, WINDOW / 2);
    expect(busiestWindow(all)).toBe(60);
    // Then one replica alone spends all there is, just before the cut.
    await sleep(WINDOW);
    await load(all.slice(0, 1), WINDOW / 4);
    expect(all[0]?.grants.filter((g) => g.at > Date.now() - WINDOW)).toHaveLength(60);
    // The others hear of it from their next answer from Redis (a heartbeat at least, every 100 ms
    // here): it tells what the running sums grew by.
    await sleep(300);

    for (const replica of all) {
      replica.link.cut('blackhole');
    }
    const slowest = await load(all, 2 * WINDOW);
    // No call waited on Redis past the manager's timeout (with room for a loaded machine).
    expect(Math.max(...slowest)).toBeLessThan(TIMEOUT + 500);
    expect(all.map((r) => r.store.status())).toEqual(
      all.map(() => expect.objectContaining({ mode: 'local', replicas: 3, share: 1 / 3 })),
    );
    for (const replica of all) {
      expect(replica.lines).toContainEqual(
        expect.objectContaining({
          level: 'warn',
          message: expect.stringContaining('spends at most 1/3 of the plan'),
        }),
      );
    }
    // Each spent its share after the cut; what was spent before still counted.
    expect(busiestWindow(all)).toBeLessThanOrEqual(60);
    const alone = all.map((r) => r.grants.filter((g) => g.at > Date.now() - WINDOW));
    for (const grants of alone) {
      expect(grants.reduce((sum, g) => sum + g.credits, 0)).toBeLessThanOrEqual(20);
    }
  }, 30_000);

  it('rejoins when Redis is back: tells it what it spent alone, then shares again', async () => {
    // A long window: everything spent here still counts when A is back.
    const [a, b] = await replicas(2, { total: 40, windowMs: 30_000 });
    if (!a || !b) {
      return;
    }
    a.link.cut('refuse');
    // A alone: half the plan.
    let granted = 0;
    for (let i = 0; i < 30; i++) {
      if ((await a.spend(1)).ok) {
        granted += 1;
      }
    }
    expect(granted).toBe(20);
    expect(a.store.status().mode).toBe('local');
    // B, still connected, keeps A's part of the plan for it once A is missing (no heartbeat for 2 s).
    await sleep(2_200);
    let forB = 0;
    for (let i = 0; i < 30; i++) {
      if ((await b.spend(1)).ok) {
        forB += 1;
      }
    }
    expect(forB).toBe(20);

    a.link.restore();
    const deadline = Date.now() + 10_000;
    while (a.store.status().mode !== 'shared' && Date.now() < deadline) {
      await sleep(50);
    }
    expect(a.store.status()).toMatchObject({ mode: 'shared', share: null });
    expect(a.lines).toContainEqual(
      expect.objectContaining({ level: 'info', message: 'quota: shared through Redis again' }),
    );
    // Redis counts A's 20 credits and B's 20: the plan is spent, for both.
    const snapshot = await b.store.snapshot();
    expect(snapshot.budgets[0]).toMatchObject({ used: 40, remaining: 0 });
    expect((await a.spend(1)).ok).toBe(false);
    expect((await b.spend(1)).ok).toBe(false);
  }, 30_000);

  it('tells Redis, when it is back, how the calls it had granted ended', async () => {
    const [a] = await replicas(1, { total: 40, replicas: 1 });
    if (!a) {
      return;
    }
    const granted = await a.store.reserve({ endpoint: undefined, credits: 5, priority: 'bulk' });
    expect(granted.ok).toBe(true);
    a.link.cut('refuse');
    if (granted.ok) {
      // Answered while Redis is away: charged 7.
      await a.store.settle(granted.id, {
        status: 200,
        headers: { 'x-ratelimit-used-currentrequest': '7' },
      });
    }
    expect(a.store.status().mode).toBe('local');
    a.link.restore();
    const deadline = Date.now() + 10_000;
    while (a.store.status().mode !== 'shared' && Date.now() < deadline) {
      await sleep(50);
    }
    const total = (await a.store.snapshot()).budgets[0];
    // Counted as answered (7 credits), not left in flight (5) until it is forgotten.
    expect(total).toMatchObject({ used: 7 });
  }, 30_000);
});
