/**
 * A 429 caused by someone else must not shrink a learned sub-limit for good: after the pause the
 * gateway holds the tickets-list budget at what the window held, then climbs back to the plan's
 * within a few windows of demand (short windows here: 1 s).
 */
import { expect, it } from 'vitest';
import { startStack } from '../helpers/gateway.ts';

const WINDOW_MS = 1000;
const LIST = '{ tickets(first: 5) { nodes { id } } }';
const QUOTA = '{ quota { planSource budgets { name limit } } }';

interface QuotaData {
  quota: { planSource: string; budgets: { name: string; limit: number | null }[] };
}

it('climbs a learned tickets-list sub-limit back after a foreign 429', {
  timeout: 60_000,
}, async () => {
  const stack = await startStack({
    emulator: { plan: 'growth', windowMs: WINDOW_MS, tickets: 100 },
    env: { DESKGRAPH_QUOTA_WINDOW_MS: String(WINDOW_MS) },
  });
  const limit = async (): Promise<number | null | undefined> => {
    const result = await stack.gql<QuotaData>(QUOTA);
    expect(result.data?.quota.planSource).toBe('learned');
    return result.data?.quota.budgets.find((budget) => budget.name === 'tickets_list')?.limit;
  };
  try {
    expect((await stack.gql(LIST)).errors).toBeUndefined();
    expect(await limit()).toBe(20);
    // Another integration empties the tickets-list sub-limit: Freshdesk answers 429.
    stack.emulator.setFaults({
      errors: { 'GET /tickets': { rate: 1, status: 429, retryAfterSeconds: 1 } },
    });
    const refused = await stack.gql(LIST);
    stack.emulator.setFaults({});
    stack.emulator.resetStats();
    expect(refused.errors?.[0]?.extensions?.code).toMatch(/RATE_LIMITED|QUOTA_EXCEEDED/);
    expect(await limit()).toBeLessThan(20);
    // Steady demand (4 clients, 1-credit pages) while the windows pass.
    const seen: (number | null | undefined)[] = [];
    const errors: unknown[] = [];
    const until = Date.now() + 15 * WINDOW_MS;
    const client = async () => {
      while (Date.now() < until && seen.at(-1) !== 20) {
        const result = await stack.gql(LIST);
        errors.push(...(result.errors ?? []));
      }
    };
    const watcher = async () => {
      while (Date.now() < until && seen.at(-1) !== 20) {
        await new Promise((resolve) => setTimeout(resolve, WINDOW_MS / 2));
        seen.push(await limit());
      }
    };
    await Promise.all([client(), client(), client(), client(), watcher()]);
    expect(seen.at(-1), JSON.stringify(seen)).toBe(20);
    expect(errors).toEqual([]);
    // Freshdesk itself refused nothing after the foreign 429.
    expect(stack.emulator.stats().status['429'] ?? 0).toBe(0);
  } finally {
    await stack.close();
  }
});
