/**
 * An `updatedAt`-ordered traversal of 31,000 tickets, past Freshdesk's 300-page wall, through
 * clusters of hundreds of tickets sharing one `updated_at`: every ticket exactly once; and none
 * lost when a ticket of the cluster at the wall changes while the traversal crosses it.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { invalidateTicketOrder } from '../../src/emulator/handlers/tickets.ts';
import { TicketPageDocument, type TicketPageQuery } from '../gql/graphql.ts';
import { type GraphQLResponse, type Stack, startStack } from '../helpers/gateway.ts';

let stack: Stack;

const FILTER = { orderBy: 'UPDATED_AT', orderDirection: 'ASC' } as const;

/** Pages the traversal from `after` until `stop` says so (or the list ends); what it saw. */
async function traverse(
  after: string | null,
  stop: (seen: number) => boolean = () => false,
): Promise<{ seen: { id: string; updatedAt: string }[]; after: string | null; pages: number }> {
  const seen: { id: string; updatedAt: string }[] = [];
  let pages = 0;
  let cursor = after;
  do {
    const result: GraphQLResponse<TicketPageQuery> = await stack.gql(TicketPageDocument, {
      first: 100,
      after: cursor,
      filter: FILTER,
    });
    expect(result.errors).toBeUndefined();
    const connection = result.data?.tickets;
    seen.push(...(connection?.edges.map((e) => e.node) ?? []));
    cursor = connection?.pageInfo.hasNextPage ? (connection.pageInfo.endCursor ?? null) : null;
    pages += 1;
  } while (cursor !== null && !stop(seen.length));
  return { seen, after: cursor, pages };
}

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
  const { seen, pages } = await traverse(null);

  const ids = seen.map((n) => n.id);
  expect(new Set(ids).size).toBe(ids.length);
  expect(new Set(ids)).toEqual(new Set(visible.map((t) => String(t.id))));
  const times = seen.map((n) => n.updatedAt);
  expect(times).toEqual([...times].sort());
  // One list call per page: the restart at the wall realigns windows on page boundaries.
  expect(stack.emulator.stats().calls).toEqual({ 'GET /tickets': pages });
  expect(pages).toBeLessThanOrEqual(Math.ceil(visible.length / 100) + 1);
}, 180_000);

it('loses no ticket when one the traversal returned at the wall changes before it restarts there', async () => {
  const { data } = stack.emulator;
  const order = [...data.tickets.values()]
    .filter((t) => !t.spam && !t.deleted)
    .sort((a, b) =>
      a.updated_at < b.updated_at ? -1 : a.updated_at > b.updated_at ? 1 : a.id - b.id,
    );
  // One `updated_at` for the tickets around position 30,000 (the wall): a cluster across it.
  const instant = order[29_990]?.updated_at as string;
  for (const ticket of order.slice(29_990, 30_020)) {
    ticket.updated_at = instant;
  }
  invalidateTicketOrder(data);
  // Changed behind the gateway's back (no webhook, no sweep): forget the pages read before.
  stack.gateway.app.readCache.clear();
  const visible = new Set(order.map((t) => String(t.id)));

  // Up to the wall: 300 pages of 100, the last ones inside the cluster.
  const before = await traverse(null, (count) => count >= 30_000);
  expect(before.seen).toHaveLength(30_000);
  const atWall = before.seen.filter((n) => n.updatedAt === instant);
  expect(atWall.length).toBeGreaterThanOrEqual(10);
  // A ticket of the cluster the traversal already returned changes (it moves to the list's end).
  const moved = data.tickets.get(Number(atWall[0]?.id));
  if (moved === undefined) {
    throw new Error('no ticket to change');
  }
  moved.updated_at = '2099-01-01T00:00:00Z';
  invalidateTicketOrder(data);

  const rest = await traverse(before.after);
  const ids = [...before.seen, ...rest.seen].map((n) => n.id);
  const missing = [...visible].filter((id) => !ids.includes(id));
  expect(missing).toEqual([]);
  // Nothing twice but the ticket that changed (once per version).
  const twice = ids.filter((id, i) => ids.indexOf(id) !== i);
  expect(twice).toEqual([String(moved.id)]);
}, 180_000);
