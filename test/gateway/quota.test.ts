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
