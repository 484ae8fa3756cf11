/**
 * Quota shaping against the emulator over real sockets, with short windows: the gateway spends the
 * account's budget like a scheduler (no 429 storms, no window over the plan), keeps room for
 * interactive work while bulk work runs, learns an unknown plan with at most one 429 per window,
 * and refuses operations it cannot afford before any upstream call.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { RateWindow } from '../../src/emulator/index.ts';
import { type Stack, startStack } from '../helpers/gateway.ts';

const WINDOW_MS = 2000;

let stack: Stack | undefined;
afterEach(async () => {
  await stack?.close();
  stack = undefined;
});

const SUB_LIMITS = {
  ticket_create: 'ticketCreate',
  ticket_update: 'ticketUpdate',
  tickets_list: 'ticketsList',
  contacts_list: 'contactsList',
} as const;

/** Every window's credits within the plan, in total and per metered endpoint. */
function overPlan(windows: readonly RateWindow[]): string[] {
  const problems: string[] = [];
  for (const [i, window] of windows.entries()) {
    if (window.credits > window.plan.total) {
      problems.push(`window ${i}: ${window.credits} credits > ${window.plan.total}`);
    }
    for (const [endpoint, key] of Object.entries(SUB_LIMITS)) {
      const limit = window.plan[key];
      const used = window.endpoints[endpoint as keyof typeof SUB_LIMITS] ?? 0;
      if (limit !== undefined && used > limit) {
        problems.push(`window ${i}: ${endpoint} ${used} > ${limit}`);
      }
    }
  }
  return problems;
}

interface Cost {
  estimated: number;
  spent: number;
  calls: number;
  cacheHits: number;
  remaining: number | null;
}

const costOf = (result: { extensions?: Record<string, unknown> }): Cost => {
  const cost = result.extensions?.cost as Cost | undefined;
  if (!cost) {
    throw new Error('no extensions.cost in the response');
  }
  return cost;
};

const TICKETS_WITH_REQUESTER = /* GraphQL */ `
  query Page($first: Int) {
    tickets(first: $first) { nodes { id subject requester { id name email } } }
  }
`;

describe('quota shaping with the plan told', () => {
  it('serves 20 concurrent operations needing several windows with zero 429s', async () => {
    stack = await startStack({
      emulator: { tickets: 200, plan: 'growth', windowMs: WINDOW_MS },
      env: { FRESHDESK_PLAN: 'growth', DESKGRAPH_QUOTA_WINDOW_MS: String(WINDOW_MS) },
    });
    const { gql, emulator } = stack;
    // Each page embeds the requester: 3 credits on the tickets list (20 a window on growth).
    const results = await Promise.all(
      Array.from({ length: 20 }, () => gql(TICKETS_WITH_REQUESTER, { first: 5 })),
    );
    for (const result of results) {
      expect(result.errors).toBeUndefined();
      expect(result.data).toBeTruthy();
    }
    const stats = emulator.stats();
    const spent = results.reduce((sum, r) => sum + costOf(r).spent, 0);
    expect(spent).toBeGreaterThan(20); // more than one window of the tickets list
    expect(stats.status['429'] ?? 0).toBe(0);
    expect(overPlan(stats.windows)).toEqual([]);
    expect(stats.windows.length).toBeGreaterThan(1);
  });
});

describe('quota shaping with the plan unknown', () => {
  it('learns the plan with at most one 429 per window, then waits instead', async () => {
    stack = await startStack({
      emulator: { tickets: 200, plan: { total: 40, ticketsList: 12 }, windowMs: WINDOW_MS },
      env: { DESKGRAPH_QUOTA_WINDOW_MS: String(WINDOW_MS) },
    });
    const { gql, emulator } = stack;
    // Growth's sub-limit (20) is assumed for the tickets list until Freshdesk says otherwise.
    const results = await Promise.all(
      Array.from({ length: 10 }, () => gql(TICKETS_WITH_REQUESTER, { first: 5 })),
    );
    for (const result of results) {
      expect(result.errors).toBeUndefined();
    }
    const stats = emulator.stats();
    expect(stats.windows.map((w) => w.rejected).filter((n) => n > 1)).toEqual([]);
    // The first 429 holds the sub-limit at what the window held; climbing back (a step per window
    // of demand) may meet the real limit once more, and each further 429 doubles the wait.
    expect(stats.status['429'] ?? 0).toBeLessThanOrEqual(2);
    expect(overPlan(stats.windows)).toEqual([]);
    const quota = await gql('{ quota { plan planSource total budgets { name limit } } }');
    expect(quota.data).toMatchObject({ quota: { planSource: 'learned', total: 40 } });
  });

  it('learns a published plan from X-RateLimit-Total without any 429', async () => {
    stack = await startStack({
      emulator: { tickets: 200, plan: 'trial', windowMs: WINDOW_MS },
      env: { DESKGRAPH_QUOTA_WINDOW_MS: String(WINDOW_MS) },
    });
    const results = await Promise.all(
      Array.from({ length: 20 }, () => stack?.gql(TICKETS_WITH_REQUESTER, { first: 5 })),
    );
    for (const result of results) {
      expect(result?.errors).toBeUndefined();
    }
    const stats = stack.emulator.stats();
    expect(stats.totalCredits).toBeGreaterThan(50);
    expect(stats.status['429'] ?? 0).toBe(0);
    expect(overPlan(stats.windows)).toEqual([]);
  });
});

describe('priority classes', () => {
  it('serves an interactive query within one window while bulk work saturates the budget', async () => {
    stack = await startStack({
      emulator: { tickets: 200, plan: 'growth', windowMs: WINDOW_MS },
      env: { FRESHDESK_PLAN: 'growth', DESKGRAPH_QUOTA_WINDOW_MS: String(WINDOW_MS) },
    });
    const { gql, emulator } = stack;
    const bulk = Array.from({ length: 12 }, () =>
      gql(TICKETS_WITH_REQUESTER, { first: 5 }, { 'x-deskgraph-priority': 'bulk' }),
    );
    // Let the bulk work take what it may of the tickets-list budget and queue the rest.
    await new Promise((resolve) => setTimeout(resolve, 200));
    const status = await gql('{ quota { queueDepth { bulk interactive } } }');
    expect(status.data).toMatchObject({ quota: { queueDepth: { interactive: 0 } } });
    expect(
      (status.data as { quota: { queueDepth: { bulk: number } } }).quota.queueDepth.bulk,
    ).toBeGreaterThan(0);
    const started = Date.now();
    const interactive = await gql(TICKETS_WITH_REQUESTER, { first: 5 });
    const elapsed = Date.now() - started;
    expect(interactive.errors).toBeUndefined();
    expect(elapsed).toBeLessThan(WINDOW_MS);
    const done = await Promise.all(bulk);
    for (const result of done) {
      expect(result.errors).toBeUndefined();
    }
    const stats = emulator.stats();
    expect(stats.status['429'] ?? 0).toBe(0);
    expect(overPlan(stats.windows)).toEqual([]);
  });
});

describe('cost before execution', () => {
  it('refuses an operation estimated over the cap before any upstream call', async () => {
    stack = await startStack({
      emulator: { tickets: 200, windowMs: WINDOW_MS },
      env: { DESKGRAPH_MAX_OPERATION_CREDITS: '20' },
    });
    const { gql, emulator } = stack;
    const before = emulator.stats();
    const result = await gql(
      '{ tickets(first: 50) { nodes { id conversations(first: 3) { nodes { id body } } } } }',
    );
    expect(result.data ?? null).toBeNull();
    expect(result.errors?.[0]?.extensions).toMatchObject({
      code: 'QUOTA_EXCEEDED',
      estimate: 51,
      maxCredits: 20,
      retryable: false,
    });
    expect(costOf(result)).toMatchObject({ estimated: 51, spent: 0, calls: 0 });
    expect(emulator.stats().totalCalls).toBe(before.totalCalls);
  });

  it('refuses an operation that cannot be served before its deadline, with retryAfter', async () => {
    stack = await startStack({
      emulator: { tickets: 200, plan: 'trial' },
      env: {
        FRESHDESK_PLAN: 'trial',
        DESKGRAPH_MAX_OPERATION_CREDITS: '1000',
        DESKGRAPH_OPERATION_DEADLINE_MS: '2000',
      },
    });
    const { gql, emulator } = stack;
    // 51 credits: more than one minute's interactive share of trial's 50.
    const result = await gql(
      '{ tickets(first: 50) { nodes { id conversations(first: 3) { nodes { id } } } } }',
    );
    const extensions = result.errors?.[0]?.extensions;
    expect(extensions).toMatchObject({ code: 'QUOTA_EXCEEDED', estimate: 51, retryable: true });
    expect(extensions?.retryAfter).toBeGreaterThanOrEqual(1);
    expect(emulator.stats().totalCalls).toBe(0);
  });
});

describe('the quota query', () => {
  it('reports the figures the emulator holds, and spends nothing once the plan is known', async () => {
    stack = await startStack({
      emulator: { tickets: 200, plan: 'growth' },
      env: { FRESHDESK_PLAN: 'growth' },
    });
    const { gql, emulator } = stack;
    await gql(TICKETS_WITH_REQUESTER, { first: 5 });
    await gql('{ ticket(id: "1") { id subject } }');
    await gql('{ contacts(first: 10) { nodes { id name } } }');
    const calls = emulator.stats().totalCalls;
    const result = await gql(
      '{ quota { plan total remaining resetAt budgets { name limit remaining used } queueDepth { interactive explorer bulk webhook } } }',
    );
    expect(result.errors).toBeUndefined();
    const stats = emulator.stats();
    expect(stats.totalCalls).toBe(calls);
    const window = stats.windows.at(-1);
    if (!window) {
      throw new Error('no rate window');
    }
    const plan = emulator.plan();
    const budget = (limit: number | undefined, used: number) => ({
      limit,
      remaining: (limit ?? 0) - used,
      used,
    });
    expect(result.data).toMatchObject({
      quota: {
        plan: 'growth',
        total: plan.total,
        remaining: plan.total - window.credits,
        queueDepth: { interactive: 0, explorer: 0, bulk: 0, webhook: 0 },
        budgets: [
          { name: 'total', ...budget(plan.total, window.credits) },
          { name: 'ticket_create', ...budget(plan.ticketCreate, 0) },
          { name: 'ticket_update', ...budget(plan.ticketUpdate, 0) },
          { name: 'tickets_list', ...budget(plan.ticketsList, window.endpoints.tickets_list ?? 0) },
          {
            name: 'contacts_list',
            ...budget(plan.contactsList, window.endpoints.contacts_list ?? 0),
          },
        ],
      },
    });
    expect(costOf(result)).toMatchObject({
      estimated: 0,
      spent: 0,
      remaining: plan.total - window.credits,
    });
  });

  it('learns the plan with one call when nothing is known yet', async () => {
    stack = await startStack({ emulator: { tickets: 20, plan: 'pro' } });
    const result = await stack.gql('{ quota { plan planSource total remaining } }');
    const window = stack.emulator.stats().windows.at(-1);
    expect(result.data).toEqual({
      quota: {
        plan: 'pro',
        planSource: 'learned',
        total: 400,
        remaining: 400 - (window?.credits ?? 0),
      },
    });
    expect(stack.emulator.stats().totalCalls).toBe(1);
    expect(costOf(result)).toMatchObject({ estimated: 1, spent: 1 });
  });
});
