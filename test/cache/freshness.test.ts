/**
 * The read cache kept true, against the emulator over real sockets: a query repeated costs no call;
 * a change reported by a webhook, found by the sweep, or made by the gateway's own writes makes the
 * next run read again exactly what it changed; what belongs to a ticket (conversations, ratings)
 * is reused while the ticket's `updated_at` is unchanged.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { TicketRecord } from '../../src/emulator/records.ts';
import { postWebhook, startFreshStack } from '../freshness/helpers.ts';
import { coldReads, type Stack } from '../helpers/gateway.ts';
import { firstTicketPage } from '../helpers/tickets.ts';
import { changeQuietly, settled } from './helpers.ts';

interface PageData {
  tickets: {
    nodes: { id: string; subject: string; conversations: { nodes: { id: string }[] } }[];
  };
  one: { id: string; subject: string; priority: string };
}

/** A ticket page with each ticket's first conversations, and one ticket (not on it) by id. */
const pageAndOne = (id: number): string =>
  `{ tickets(first: 10) { nodes { id subject updatedAt conversations(first: 3) { nodes { id } } } } one: ticket(id: "${id}") { id subject priority } }`;

/**
 * Puts a conversation first in a ticket's thread in the emulator, where a page of its first
 * conversations shows it (no webhook).
 */
function addConversationQuietly(stack: Stack, ticket: TicketRecord): number {
  const thread = stack.emulator.data.conversations.get(ticket.id) ?? [];
  const template = [...stack.emulator.data.conversations.values()].flat()[0];
  if (template === undefined) {
    throw new Error('no conversation to copy');
  }
  const id = 90_000_000_000 + thread.length;
  const at = '2000-01-01T00:00:00Z';
  thread.unshift({ ...template, id, ticket_id: ticket.id, created_at: at, updated_at: at });
  stack.emulator.data.conversations.set(ticket.id, thread);
  return id;
}

describe('a query repeated, and changes reported by webhook', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startFreshStack({}, { tickets: 80 });
  });
  afterAll(() => stack.close());
  beforeEach(() => coldReads(stack));

  it('costs no call the second time; after a webhook for one of its tickets, the next run reads exactly that ticket again', async () => {
    const page = firstTicketPage(stack.emulator.data, 10);
    const other = firstTicketPage(stack.emulator.data, 40)[30] as TicketRecord;
    const query = pageAndOne(other.id);

    const cold = await stack.gql<PageData>(query);
    expect(cold.errors).toBeUndefined();
    expect(stack.emulator.stats().calls).toEqual({
      'GET /tickets': 1,
      'GET /tickets/:id/conversations': 10,
      'GET /tickets/:id': 1,
    });

    stack.emulator.resetStats();
    const warm = await stack.gql<PageData>(query);
    expect(warm.data).toEqual(cold.data);
    expect(stack.emulator.stats().totalCalls).toBe(0);
    expect(warm.extensions?.cost).toMatchObject({ estimated: 0, spent: 0, calls: 0 });
    const hits = (warm.extensions?.cost as { cacheHits?: number } | undefined)?.cacheHits;
    expect(hits).toBeGreaterThanOrEqual(12);

    // A ticket of the page changes in Freshdesk (a reply); its webhook arrives.
    const changed = page[3] as TicketRecord;
    changeQuietly(stack, changed, { subject: 'Changed in Freshdesk' });
    const reply = addConversationQuietly(stack, changed);
    expect((await postWebhook(stack, { ticket_id: String(changed.id) })).status).toBe(202);
    await settled(stack);
    stack.emulator.resetStats();
    const after = await stack.gql<PageData>(query);
    expect(after.errors).toBeUndefined();
    // The page that shows it, and its conversations (its `updated_at` moved): nothing else.
    expect(stack.emulator.stats().calls).toEqual({
      'GET /tickets': 1,
      'GET /tickets/:id/conversations': 1,
    });
    const node = after.data?.tickets.nodes.find((n) => n.id === String(changed.id));
    expect(node?.subject).toBe('Changed in Freshdesk');
    expect(node?.conversations.nodes.map((c) => c.id)).toContain(String(reply));
    expect(after.data?.one).toEqual(cold.data?.one);

    // Now the ticket read by id changes: only that read again (the page cannot have changed).
    changeQuietly(stack, other, { priority: 4 });
    expect((await postWebhook(stack, { ticket_id: String(other.id) })).status).toBe(202);
    await settled(stack);
    stack.emulator.resetStats();
    const last = await stack.gql<PageData>(query);
    expect(stack.emulator.stats().calls).toEqual({ 'GET /tickets/:id': 1 });
    expect(last.data?.one.priority).toBe('URGENT');
    expect(last.data?.tickets).toEqual(after.data?.tickets);

    // Counted per kind, for metrics.
    const kinds = stack.gateway.app.readCache.stats().kinds;
    expect(kinds.tickets.hits).toBeGreaterThan(0);
    expect(kinds['ticket-lists'].outdated).toBeGreaterThan(0);
    expect(kinds.conversations.misses).toBeGreaterThan(0);
  });

  it('twenty people asking at once for what nobody has read yet cost one call', async () => {
    const query = '{ tickets(first: 7) { nodes { id subject } } }';
    stack.emulator.setFaults({ latencyMs: 300 });
    try {
      const answers = await Promise.all(Array.from({ length: 20 }, () => stack.gql(query)));
      for (const answer of answers) {
        expect(answer.errors).toBeUndefined();
        expect(answer.data).toEqual(answers[0]?.data);
      }
      expect(stack.emulator.stats().calls).toEqual({ 'GET /tickets': 1 });
      const spent = answers.map(
        (a) => (a.extensions?.cost as { spent?: number } | undefined)?.spent,
      );
      expect(spent.filter((credits) => (credits ?? 0) > 0)).toEqual([1]);
    } finally {
      stack.emulator.setFaults({});
    }
  });

  it('a ticket created in Freshdesk shows on the next run of a list (the webhook for it outdates the lists it may enter)', async () => {
    const query = '{ tickets(first: 5) { nodes { id subject } } }';
    const before = await stack.gql<{ tickets: { nodes: { id: string }[] } }>(query);
    const { data } = stack.emulator;
    const newest = firstTicketPage(data, 1)[0] as TicketRecord;
    const id = Math.max(...data.tickets.keys()) + 1;
    const now = new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
    data.tickets.set(id, { ...newest, id, subject: 'Brand new', created_at: now, updated_at: now });
    changeQuietly(stack, data.tickets.get(id) as TicketRecord);
    expect((await postWebhook(stack, { ticket_id: String(id) })).status).toBe(202);
    await settled(stack);
    const after = await stack.gql<{ tickets: { nodes: { id: string }[] } }>(query);
    expect(after.data?.tickets.nodes[0]?.id).toBe(String(id));
    expect(after.data?.tickets.nodes.slice(1)).toEqual(before.data?.tickets.nodes.slice(0, 4));
  });
});

describe('a change only the sweep finds', () => {
  let stack: Stack;
  const INTERVAL_MS = 500;
  beforeAll(async () => {
    stack = await startFreshStack({ DESKGRAPH_RECONCILE_INTERVAL_MS: String(INTERVAL_MS) });
  });
  afterAll(() => stack.close());

  it('reaches the cache by the sweep: the next run reads the changed ticket again', async () => {
    const ticket = firstTicketPage(stack.emulator.data, 20)[12] as TicketRecord;
    const query = `{ ticket(id: "${ticket.id}") { id subject } }`;
    const cold = await stack.gql<{ ticket: { subject: string } }>(query);
    expect(cold.errors).toBeUndefined();
    const sweep = stack.gateway.app.freshness.sweep;
    expect(sweep).toBeDefined();

    // Changed with no webhook at all.
    changeQuietly(stack, ticket, { subject: 'Changed with no webhook' });
    const changedAt = Date.now();
    const runs = sweep?.status().runs ?? 0;
    let seen = cold.data?.ticket.subject;
    let runsWhenSeen = runs;
    // Each run of the sweep (every 500 ms) asks Freshdesk what changed; the next read after the
    // run that saw it has the new subject.
    while (seen !== 'Changed with no webhook' && Date.now() - changedAt < 20_000) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      runsWhenSeen = sweep?.status().runs ?? 0;
      const result = await stack.gql<{ ticket: { subject: string } }>(query);
      seen = result.data?.ticket.subject;
    }
    expect(seen).toBe('Changed with no webhook');
    // Within two sweep intervals: at most two runs began after the change.
    expect(runsWhenSeen - runs).toBeLessThanOrEqual(2);
    expect(stack.gateway.app.readCache.stats().kinds.tickets.outdated).toBeGreaterThanOrEqual(1);
  });
});

describe("the gateway's own writes, and freshness by evidence", () => {
  let stack: Stack;
  beforeAll(async () => {
    // Ticket pages live 1 s here; what belongs to a ticket is kept far longer, by evidence.
    stack = await startFreshStack({
      DESKGRAPH_CACHE_MAX_AGES: 'ticket-lists=1,conversations=3600,ratings=3600',
    });
  });
  afterAll(() => stack.close());
  beforeEach(() => coldReads(stack));

  it("reuses a ticket's conversations and ratings while its updated_at is unchanged, and reads them again once it moved", async () => {
    const query =
      '{ tickets(first: 8) { nodes { id updatedAt conversations(first: 2) { nodes { id } } satisfactionRatings { id } } } }';
    const cold = await stack.gql(query);
    expect(cold.errors).toBeUndefined();
    expect(stack.emulator.stats().calls).toMatchObject({
      'GET /tickets': 1,
      'GET /tickets/:id/conversations': 8,
      'GET /tickets/:id/satisfaction_ratings': 8,
    });
    // One of them changes with no webhook; the page expires (1 s) and is read again.
    const changed = firstTicketPage(stack.emulator.data, 8)[5] as TicketRecord;
    changeQuietly(stack, changed);
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    stack.emulator.resetStats();
    const again = await stack.gql(query);
    expect(again.errors).toBeUndefined();
    // The page shows the new updated_at: only that ticket's conversations and ratings again.
    expect(stack.emulator.stats().calls).toEqual({
      'GET /tickets': 1,
      'GET /tickets/:id/conversations': 1,
      'GET /tickets/:id/satisfaction_ratings': 1,
    });
  });

  it('updateTicket: the next read of that ticket, and of lists showing it, goes to Freshdesk', async () => {
    const ticket = firstTicketPage(stack.emulator.data, 5)[2] as TicketRecord;
    const query = `{ ticket(id: "${ticket.id}") { id priority } tickets(first: 5) { nodes { id priority } } }`;
    await stack.gql(query);
    stack.emulator.resetStats();
    expect((await stack.gql(query)).extensions?.cost).toMatchObject({ calls: 0 });
    const write = await stack.gql(
      `mutation { updateTicket(id: "${ticket.id}", input: { priority: URGENT }) { id priority } }`,
    );
    expect(write.errors).toBeUndefined();
    stack.emulator.resetStats();
    const after = await stack.gql<{
      ticket: { priority: string };
      tickets: { nodes: { id: string; priority: string }[] };
    }>(query);
    expect(after.data?.ticket.priority).toBe('URGENT');
    expect(after.data?.tickets.nodes.find((n) => n.id === String(ticket.id))?.priority).toBe(
      'URGENT',
    );
    expect(stack.emulator.stats().calls).toEqual({ 'GET /tickets/:id': 1, 'GET /tickets': 1 });
  });

  it('addNote and createSatisfactionRating: that ticket’s conversations and ratings are read again', async () => {
    const ticket = firstTicketPage(stack.emulator.data, 5)[1] as TicketRecord;
    const query = `{ ticket(id: "${ticket.id}") { conversations(first: 50) { nodes { id } } satisfactionRatings { id } } }`;
    const cold = await stack.gql<{
      ticket: { conversations: { nodes: unknown[] }; satisfactionRatings: unknown[] };
    }>(query);
    expect(cold.errors).toBeUndefined();
    const note = await stack.gql(
      `mutation { addNote(ticketId: "${ticket.id}", input: { body: "<p>seen</p>" }) { id } }`,
    );
    expect(note.errors).toBeUndefined();
    const rating = await stack.gql(
      `mutation { createSatisfactionRating(ticketId: "${ticket.id}", input: { ratings: { default_question: 103 } }) { id } }`,
    );
    expect(rating.errors).toBeUndefined();
    const after = await stack.gql<{
      ticket: { conversations: { nodes: unknown[] }; satisfactionRatings: unknown[] };
    }>(query);
    expect(after.data?.ticket.conversations.nodes).toHaveLength(
      (cold.data?.ticket.conversations.nodes.length ?? 0) + 1,
    );
    expect(after.data?.ticket.satisfactionRatings).toHaveLength(
      (cold.data?.ticket.satisfactionRatings.length ?? 0) + 1,
    );
  });

  it('updateContact: the contact, and tickets embedding it as requester, are read again', async () => {
    const ticket = firstTicketPage(stack.emulator.data, 5)[0] as TicketRecord;
    const query = `{ contact(id: "${ticket.requester_id}") { id name } tickets(first: 5) { nodes { requester { id name } } } }`;
    await stack.gql(query);
    const write = await stack.gql(
      `mutation { updateContact(id: "${ticket.requester_id}", input: { name: "Renamed Person" }) { id name } }`,
    );
    expect(write.errors).toBeUndefined();
    const after = await stack.gql<{
      contact: { name: string };
      tickets: { nodes: { requester: { id: string; name: string } }[] };
    }>(query);
    expect(after.data?.contact.name).toBe('Renamed Person');
    expect(
      after.data?.tickets.nodes.find((n) => n.requester.id === String(ticket.requester_id))
        ?.requester.name,
    ).toBe('Renamed Person');
  });
});
