/**
 * The per-operation credit cap cannot be bypassed through nesting the estimate used to ignore (a
 * conversation's ticket, an author's or requester's tickets): such an operation is estimated at
 * least at what it spends, and refused before any call at the default cap.
 */
import { describe, expect, it } from 'vitest';
import { startStack, UNTHROTTLED } from '../helpers/gateway.ts';

/** A conversation's ticket's requester's tickets with their conversations, for 30 tickets. */
const bypass = (ids: readonly number[]): string =>
  `{ ${ids
    .map(
      (id, i) =>
        `a${i}: ticket(id: "${id}") { conversations { nodes { ticket { requester { tickets { nodes { conversations { nodes { id } } } } } } } } }`,
    )
    .join(' ')} }`;

interface Cost {
  estimated: number;
  spent: number;
}

describe('the cap-bypass query', () => {
  it('is estimated at least at what it spends', { timeout: 120_000 }, async () => {
    const stack = await startStack({
      emulator: UNTHROTTLED.emulator,
      env: {
        FRESHDESK_PLAN: 'total=1000000',
        DESKGRAPH_QUOTA_WINDOW_MS: '1000',
        DESKGRAPH_MAX_OPERATION_CREDITS: '100000',
      },
    });
    try {
      const ids = [...stack.emulator.data.tickets.values()]
        .filter((t) => !t.spam && !t.deleted)
        .slice(0, 30)
        .map((t) => t.id);
      const result = await stack.gql(bypass(ids));
      expect(result.errors).toBeUndefined();
      const cost = result.extensions?.cost as Cost;
      expect(cost.spent).toBe(stack.emulator.stats().totalCredits);
      expect(cost.spent).toBeGreaterThan(100);
      expect(cost.estimated).toBeGreaterThanOrEqual(cost.spent);
    } finally {
      await stack.close();
    }
  });

  it('is refused before any call at the default cap', async () => {
    const stack = await startStack(UNTHROTTLED);
    try {
      const ids = [...stack.emulator.data.tickets.values()].slice(0, 30).map((t) => t.id);
      const result = await stack.gql(bypass(ids));
      expect(result.errors?.[0]?.extensions).toMatchObject({
        code: 'QUOTA_EXCEEDED',
        maxCredits: 100,
        retryable: false,
      });
      expect(result.data ?? null).toBeNull();
      expect(stack.emulator.stats().totalCalls).toBe(0);
    } finally {
      await stack.close();
    }
  });
});
