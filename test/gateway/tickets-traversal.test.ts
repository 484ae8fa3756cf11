/**
 * An `updatedAt`-ordered traversal of 31,000 tickets, past Freshdesk's 300-page wall, through
 * clusters of hundreds of tickets sharing one `updated_at`: every ticket exactly once.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { TicketPageDocument, type TicketPageQuery } from '../gql/graphql.ts';
import { type GraphQLResponse, type Stack, startStack } from '../helpers/gateway.ts';

let stack: Stack;

beforeAll(async () => {
  stack = await startStack({
    emulator: {
      tickets: 31_000,
      rateLimit: false,
      plan: { total: 1_000_000, ticketsList: 1_000_000 },
      windowMs: 1_000,
    },
    env: { FRESHDESK_PLAN: 'enterprise', DESKGRAPH_QUOTA_WINDOW_MS: '1000' },
  });
}, 60_000);
afterAll(async () => {
  expect(stack.emulator.stats().invalidFieldErrors).toBe(0);
  await stack.close();
});

it('returns each of 31,000 tickets exactly once, in updated_at order, past the 300-page wall', async () => {
  const visible = [...stack.emulator.data.tickets.values()].filter((t) => !t.spam && !t.deleted);
  const perInstant = new Map<string, number>();
  for (const ticket of visible) {
    perInstant.set(ticket.updated_at, (perInstant.get(ticket.updated_at) ?? 0) + 1);
  }
  // The data really has large same-instant clusters, and more tickets than 300 pages of 100.
  expect(Math.max(...perInstant.values())).toBeGreaterThanOrEqual(150);
  expect(visible.length).toBeGreaterThan(30_000);

  stack.emulator.resetStats();
  const seen: { id: string; updatedAt: string }[] = [];
  let after: string | null = null;
  let pages = 0;
  do {
    const result: GraphQLResponse<TicketPageQuery> = await stack.gql(TicketPageDocument, {
      first: 100,
      after,
      filter: { orderBy: 'UPDATED_AT', orderDirection: 'ASC' },
    });
    expect(result.errors).toBeUndefined();
    const connection = result.data?.tickets;
    seen.push(...(connection?.edges.map((e) => e.node) ?? []));
    after = connection?.pageInfo.hasNextPage ? (connection.pageInfo.endCursor ?? null) : null;
    pages += 1;
  } while (after !== null);

  const ids = seen.map((n) => n.id);
  expect(new Set(ids).size).toBe(ids.length);
  expect(new Set(ids)).toEqual(new Set(visible.map((t) => String(t.id))));
  const times = seen.map((n) => n.updatedAt);
  expect(times).toEqual([...times].sort());
  // One list call per page: the restart at the wall realigns windows on page boundaries.
  expect(stack.emulator.stats().calls).toEqual({ 'GET /tickets': pages });
  expect(pages).toBeLessThanOrEqual(Math.ceil(visible.length / 100) + 1);
}, 180_000);
