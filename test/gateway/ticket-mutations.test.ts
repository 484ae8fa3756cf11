/**
 * Ticket writes over real sockets: each mutation changes the emulator's data as asked; invalid input
 * is refused before any call; nothing the gateway sends is refused as `invalid_field`.
 */
import { describe, expect, it } from 'vitest';
import {
  AddNoteDocument,
  CreateSatisfactionRatingDocument,
  CreateTicketDocument,
  ReplyToTicketDocument,
  UpdateTicketDocument,
} from '../gql/graphql.ts';
import { type Stack, withStack } from '../helpers/gateway.ts';

let stack: Stack;
const stats = () => stack.emulator.stats();
const openTicket = () => {
  const ticket = [...stack.emulator.data.tickets.values()].find(
    (t) => !t.spam && !t.deleted && t.status === 2,
  );
  if (!ticket) {
    throw new Error('no open ticket in the seed');
  }
  return ticket;
};
const fieldsOf = (error: { extensions?: Record<string, unknown> } | undefined) =>
  ((error?.extensions?.fieldErrors ?? []) as { field: string }[]).map((e) => e.field).sort();

withStack(
  {
    emulator: { rateLimit: false, plan: { total: 1_000_000 }, windowMs: 1_000 },
    env: { FRESHDESK_PLAN: 'enterprise', DESKGRAPH_QUOTA_WINDOW_MS: '1000' },
  },
  (started) => {
    stack = started;
  },
);

describe('createTicket', () => {
  it('creates a ticket with a new requester, enums, tags, type and dependent custom fields', async () => {
    const result = await stack.gql(CreateTicketDocument, {
      input: {
        subject: 'Engine stalls on cold start',
        description: '<p>It <b>stalls</b>.</p>',
        email: 'new.person@example.org',
        name: 'New Person',
        priority: 'HIGH',
        source: 'PHONE',
        type: 'Problem',
        tags: ['engine', 'cold'],
        customFields: {
          cf_product: 'Widget',
          cf_component: 'Engine',
          cf_version: 'v2',
          cf_vip: true,
        },
      },
    });
    expect(result.errors).toBeUndefined();
    const created = result.data?.createTicket;
    const stored = stack.emulator.data.tickets.get(Number(created?.id));
    expect(stored).toMatchObject({
      subject: 'Engine stalls on cold start',
      description: '<p>It <b>stalls</b>.</p>',
      priority: 3,
      source: 3,
      type: 'Problem',
      tags: ['engine', 'cold'],
      status: 2,
    });
    expect(stored?.custom_fields).toMatchObject({
      cf_product: 'Widget',
      cf_component: 'Engine',
      cf_version: 'v2',
      cf_vip: true,
    });
    expect(stack.emulator.data.contacts.get(stored?.requester_id ?? 0)?.email).toBe(
      'new.person@example.org',
    );
    expect(created).toMatchObject({ status: 'OPEN', priority: 'HIGH', source: 'PHONE' });
    expect(created?.requester?.email).toBe('new.person@example.org');
    expect(stats().writes).toEqual({ 'POST /tickets': 1 });
  });

  it('sets a custom status by code and reports it as CUSTOM with its label', async () => {
    const requester = openTicket().requester_id;
    const result = await stack.gql(CreateTicketDocument, {
      input: {
        subject: 'Waiting on the courier',
        description: 'Parcel lost',
        requesterId: String(requester),
        status: 'CUSTOM',
        statusCode: 7,
      },
    });
    expect(result.errors).toBeUndefined();
    expect(result.data?.createTicket).toMatchObject({
      status: 'CUSTOM',
      statusCode: 7,
      statusLabel: 'Waiting on Third Party',
    });
    expect(stack.emulator.data.tickets.get(Number(result.data?.createTicket.id))?.status).toBe(7);
  });

  it('refuses invalid input with every problem listed, before calling Freshdesk', async () => {
    stack.emulator.resetStats();
    const result = await stack.gql(CreateTicketDocument, {
      input: {
        subject: 'x',
        description: 'y',
        status: 'CUSTOM',
        tags: ['a'.repeat(40)],
        type: 'Nonsense',
        customFields: { cf_nope: 1, cf_product: 'Widget', cf_component: 'Battery' },
      },
    });
    expect(result.data).toBeNull();
    expect(result.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(fieldsOf(result.errors?.[0])).toEqual([
      'customFields.cf_component',
      'customFields.cf_nope',
      'requesterId',
      'statusCode',
      'tags',
      'type',
    ]);
    // Only the (cached) ticket fields may have been read; nothing was written.
    expect(stats().writes).toEqual({});
    expect(Object.keys(stats().calls).filter((k) => !k.startsWith('GET /ticket_fields'))).toEqual(
      [],
    );
  });

  it('refuses a custom status code the account does not have', async () => {
    const result = await stack.gql(CreateTicketDocument, {
      input: { subject: 's', description: 'd', email: 'a@b.example', statusCode: 42 },
    });
    expect(fieldsOf(result.errors?.[0])).toEqual(['statusCode']);
    expect(stats().writes).toEqual({});
  });
});

describe('updateTicket', () => {
  it('changes the fields given and nothing else', async () => {
    const ticket = openTicket();
    const group = [...stack.emulator.data.groups.values()][0];
    const before = { ...ticket };
    const result = await stack.gql(UpdateTicketDocument, {
      id: String(ticket.id),
      input: {
        subject: 'Renamed',
        priority: 'URGENT',
        status: 'PENDING',
        groupId: String(group?.id),
      },
    });
    expect(result.errors).toBeUndefined();
    expect(result.data?.updateTicket).toMatchObject({
      subject: 'Renamed',
      priority: 'URGENT',
      status: 'PENDING',
      statusCode: 3,
      group: { id: String(group?.id) },
    });
    const stored = stack.emulator.data.tickets.get(ticket.id);
    expect(stored).toMatchObject({
      subject: 'Renamed',
      priority: 4,
      status: 3,
      group_id: group?.id,
    });
    expect(stored?.description).toBe(before.description);
    expect(stored?.requester_id).toBe(before.requester_id);
    expect(stats().writes).toEqual({ 'PUT /tickets/:id': 1 });
  });

  it('checks a dependent field against the levels stored on the ticket', async () => {
    const ticket = [...stack.emulator.data.tickets.values()].find(
      (t) => !t.spam && !t.deleted && t.custom_fields.cf_product === 'Widget',
    );
    const id = String(ticket?.id);
    const bad = await stack.gql(UpdateTicketDocument, {
      id,
      input: { customFields: { cf_component: 'Battery' } },
    });
    expect(fieldsOf(bad.errors?.[0])).toEqual(['customFields.cf_component']);
    expect(stats().writes).toEqual({});
    const good = await stack.gql(UpdateTicketDocument, {
      id,
      input: { customFields: { cf_component: 'Gearbox', cf_version: '2024' } },
    });
    expect(good.errors).toBeUndefined();
    expect(stack.emulator.data.tickets.get(Number(id))?.custom_fields).toMatchObject({
      cf_product: 'Widget',
      cf_component: 'Gearbox',
      cf_version: '2024',
    });
  });

  it('refuses an empty change, and reports METHOD_NOT_ALLOWED for a deleted ticket', async () => {
    const ticket = openTicket();
    const empty = await stack.gql(UpdateTicketDocument, { id: String(ticket.id), input: {} });
    expect(empty.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    const deleted = [...stack.emulator.data.tickets.values()].find((t) => t.deleted);
    const refused = await stack.gql(UpdateTicketDocument, {
      id: String(deleted?.id),
      input: { priority: 'LOW' },
    });
    expect(refused.errors?.[0]?.extensions?.code).toBe('METHOD_NOT_ALLOWED');
  });
});

describe('replies, notes and ratings', () => {
  it('replyToTicket adds a public reply to the thread', async () => {
    const ticket = openTicket();
    const before = stack.emulator.data.conversations.get(ticket.id)?.length ?? 0;
    const result = await stack.gql(ReplyToTicketDocument, {
      ticketId: String(ticket.id),
      input: { body: '<p>On it.</p>', ccEmails: ['boss@example.org'] },
    });
    expect(result.errors).toBeUndefined();
    const thread = stack.emulator.data.conversations.get(ticket.id) ?? [];
    expect(thread).toHaveLength(before + 1);
    expect(thread.at(-1)).toMatchObject({
      body: '<p>On it.</p>',
      private: false,
      cc_emails: ['boss@example.org'],
    });
    expect(result.data?.replyToTicket).toMatchObject({
      id: String(thread.at(-1)?.id),
      private: false,
      incoming: false,
      ticket: { id: String(ticket.id) },
      author: { __typename: 'Agent' },
    });
  });

  it('addNote adds a private note by default and a public one when asked', async () => {
    const ticket = openTicket();
    const first = await stack.gql(AddNoteDocument, {
      ticketId: String(ticket.id),
      input: { body: 'internal' },
    });
    expect(first.data?.addNote).toMatchObject({ private: true, body: 'internal' });
    const second = await stack.gql(AddNoteDocument, {
      ticketId: String(ticket.id),
      input: { body: 'public', private: false, incoming: true },
    });
    expect(second.data?.addNote).toMatchObject({ private: false, incoming: true });
    const thread = stack.emulator.data.conversations.get(ticket.id) ?? [];
    expect(thread.slice(-2).map((c) => [c.body, c.private])).toEqual([
      ['internal', true],
      ['public', false],
    ]);
    const invalid = await stack.gql(AddNoteDocument, {
      ticketId: String(ticket.id),
      input: { body: '  ', notifyEmails: ['not-an-email'] },
    });
    expect(fieldsOf(invalid.errors?.[0])).toEqual(['body', 'notifyEmails']);
  });

  it('createSatisfactionRating stores the rating on the ticket', async () => {
    const ticket = openTicket();
    const result = await stack.gql(CreateSatisfactionRatingDocument, {
      ticketId: String(ticket.id),
      input: { ratings: { default_question: 103, question_2: -101 }, feedback: 'Great' },
    });
    expect(result.errors).toBeUndefined();
    const stored = stack.emulator.data.ratings.get(
      Number(result.data?.createSatisfactionRating.id),
    );
    expect(stored).toMatchObject({
      ticket_id: ticket.id,
      feedback: 'Great',
      ratings: { default_question: 103, question_2: -101 },
    });
    const invalid = await stack.gql(CreateSatisfactionRatingDocument, {
      ticketId: String(ticket.id),
      input: { ratings: { mood: 5 } },
    });
    expect(fieldsOf(invalid.errors?.[0])).toEqual(['ratings.default_question', 'ratings.mood']);
  });
});
