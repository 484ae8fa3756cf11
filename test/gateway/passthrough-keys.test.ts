/**
 * Passthrough mode and keys that do not work: Freshdesk counts refused requests against the
 * account, so the gateway stops sending them. Keys not yet seen to work may only spend a small
 * share of the budget, a key Freshdesk refused is refused locally without a call, and a valid key
 * meanwhile goes on as usual. The `quota` query answers only keys Freshdesk accepts.
 */
import { describe, expect, it } from 'vitest';
import { type Stack, withStack } from '../helpers/gateway.ts';

const TICKETS = '{ tickets(first: 5) { nodes { id } } }';
/** Enterprise: 700 credits a window; 5% of it for keys not yet seen to work. */
const SHARE = Math.floor(700 * 0.05);

describe('made-up passthrough keys', () => {
  let stack: Stack;
  withStack(
    {
      emulator: { plan: 'enterprise', tickets: 100 },
      env: { DESKGRAPH_AUTH: 'passthrough', FRESHDESK_PLAN: 'enterprise' },
    },
    (started) => {
      stack = started;
    },
  );
  const as = (key: string, query = TICKETS) =>
    stack.gql(query, undefined, { 'x-freshdesk-api-key': key });

  it('refuses a key Freshdesk refused without a call, also for the quota query', async () => {
    const key = 'made-up-key-once';
    const first = await as(key);
    expect(first.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    stack.emulator.resetStats();
    for (const query of [TICKETS, '{ quota { remaining } }', '{ me { id } }']) {
      const again = await as(key, query);
      expect(again.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
      expect(again.data ?? null).toBeNull();
    }
    expect(stack.emulator.stats().totalCalls).toBe(0);
  });

  it('answers the quota query only for a key Freshdesk accepts', async () => {
    const junk = await as('never-seen-key', '{ quota { plan remaining } }');
    expect(junk.errors?.[0]?.extensions).toMatchObject({ code: 'UNAUTHENTICATED' });
    expect(junk.data?.quota ?? null).toBeNull();
    const valid = await as(stack.emulator.apiKeys.agent, '{ quota { plan remaining } }');
    expect(valid.errors).toBeUndefined();
    expect(valid.data).toMatchObject({ quota: { plan: 'enterprise' } });
  });

  it("gives Freshdesk's code when a bad key's first load of `me` fails", async () => {
    const result = await as('another-made-up-key', '{ me { id } }');
    expect(result.errors?.[0]?.extensions).toMatchObject({
      code: 'UNAUTHENTICATED',
      upstream: { status: 401, path: '/api/v2/agents/me' },
    });
  });
  it('spend no more than the unverified share, and a valid key is not held up (last: it spends the share)', async () => {
    const valid = stack.emulator.apiKeys.admin;
    expect((await as(valid)).errors).toBeUndefined();
    stack.emulator.resetStats();
    const junk = Array.from({ length: 200 }, (_, i) => `made-up-key-${i}`);
    const flood = Promise.all(junk.map((key) => as(key)));
    const started = Date.now();
    const meanwhile = await as(valid);
    const waited = Date.now() - started;
    const answers = await flood;
    expect(meanwhile.errors).toBeUndefined();
    // Generous on a loaded machine: a call queued behind the flood would wait out its deadline.
    expect(waited).toBeLessThan(10_000);
    const stats = stack.emulator.stats();
    expect(stats.status['401'] ?? 0).toBeGreaterThan(0);
    expect(stats.status['401'] ?? 0).toBeLessThanOrEqual(SHARE);
    const codes = new Set(answers.map((answer) => answer.errors?.[0]?.extensions?.code));
    expect([...codes].sort()).toEqual(['QUOTA_EXCEEDED', 'UNAUTHENTICATED']);
  });
});
