/**
 * A ticket's conversations as a connection: embedded for the first ten, paged after that, and
 * complete when paged with any page size.
 */
import { expect, it } from 'vitest';
import type { EmulatorData } from '../../src/emulator/records.ts';
import { seedData } from '../../src/emulator/seed.ts';
import { type Stack, withStack } from '../helpers/gateway.ts';

let stack: Stack;
let ticketId = 0;

interface Page {
  ticket: {
    conversations: {
      nodes: { id: string }[];
      pageInfo: { hasNextPage: boolean; endCursor: string | null };
    };
  };
}
const query = (first: number, after: string | null) =>
  `{ ticket(id: "${ticketId}") { conversations(first: ${first}${after ? `, after: "${after}"` : ''}) { nodes { id } pageInfo { hasNextPage endCursor } } } }`;

/** Seeded data with one ticket whose thread is long (25 replies). */
function longThreadData(): EmulatorData {
  const data = seedData({ seed: 3, tickets: 50 });
  const ticket = [...data.tickets.values()].find(
    (t) => !t.spam && !t.deleted && (data.conversations.get(t.id)?.length ?? 0) > 0,
  );
  if (!ticket) {
    throw new Error('no ticket with a thread');
  }
  ticketId = ticket.id;
  const thread = data.conversations.get(ticket.id) ?? [];
  const template = thread[0];
  while (template && thread.length < 25) {
    thread.push({ ...template, id: data.nextId++ });
  }
  return data;
}

withStack(
  {
    emulator: { data: longThreadData(), rateLimit: false, plan: { total: 1_000_000 } },
    env: { FRESHDESK_PLAN: 'enterprise' },
  },
  (started) => {
    stack = started;
  },
);

const expectedIds = () =>
  (stack.emulator.data.conversations.get(ticketId) ?? []).map((c) => String(c.id));

it('serves the first 10 from the ticket call and looks one past them for hasNextPage', async () => {
  const result = await stack.gql<Page>(query(10, null));
  expect(result.errors).toBeUndefined();
  expect(result.data?.ticket.conversations.nodes.map((n) => n.id)).toEqual(
    expectedIds().slice(0, 10),
  );
  expect(result.data?.ticket.conversations.pageInfo.hasNextPage).toBe(true);
  expect(stack.emulator.stats().calls).toEqual({
    'GET /tickets/:id': 1,
    'GET /tickets/:id/conversations': 1,
  });
});

it.each([3, 7, 10, 25, 100])('pages the whole thread with first: %i, each once', async (first) => {
  const ids: string[] = [];
  let after: string | null = null;
  do {
    const result: Awaited<ReturnType<typeof stack.gql<Page>>> = await stack.gql<Page>(
      query(first, after),
    );
    expect(result.errors).toBeUndefined();
    const connection = result.data?.ticket.conversations;
    ids.push(...(connection?.nodes.map((n) => n.id) ?? []));
    after = connection?.pageInfo.hasNextPage ? (connection.pageInfo.endCursor ?? null) : null;
  } while (after !== null);
  expect(ids).toEqual(expectedIds());
});
