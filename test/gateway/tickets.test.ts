/**
 * Tickets over real sockets: every Ticket field against the emulator's data, and the loading plan
 * measured with the emulator's call counters (counters are reset before each case).
 */
import { describe, expect, it } from 'vitest';
import {
  SearchTicketsDocument,
  type SearchTicketsQuery,
  TicketEverythingDocument,
  TicketPageDocument,
  type TicketPageQuery,
  TicketsWithRequestersDocument,
} from '../gql/graphql.ts';
import {
  coldReads,
  type GraphQLResponse,
  type Stack,
  startStack,
  UNTHROTTLED,
  withStack,
} from '../helpers/gateway.ts';
import { firstTicketPage, visible } from '../helpers/tickets.ts';

let stack: Stack;
const calls = () => stack.emulator.stats();

// No request of this suite may send Freshdesk a field it does not accept (checked by withStack).
withStack(UNTHROTTLED, (started) => {
  stack = started;
});

describe('the loading plan', () => {
  it('lists 30 tickets with their requesters in exactly one call (include=requester)', async () => {
    const result = await stack.gql(TicketsWithRequestersDocument, { first: 30 });
    expect(result.errors).toBeUndefined();
    const nodes = result.data?.tickets.nodes ?? [];
    expect(nodes).toHaveLength(30);
    expect(calls().totalCalls).toBe(1);
    expect(calls().calls).toEqual({ 'GET /tickets': 1 });
    expect(calls().totalCredits).toBe(3); // 1 + 2 for the embed
    for (const node of nodes) {
      const ticket = stack.emulator.data.tickets.get(Number(node.id));
      const person =
        stack.emulator.data.contacts.get(ticket?.requester_id ?? 0) ??
        stack.emulator.data.agents.get(ticket?.requester_id ?? 0)?.contact;
      expect(node.requester).toEqual({ name: person?.name, email: person?.email });
      expect(node.subject).toBe(ticket?.subject);
    }
  });

  it('embeds nothing and fetches no requester when only the requester id is selected', async () => {
    const result = await stack.gql('{ tickets(first: 30) { nodes { id requester { id } } } }');
    expect(result.errors).toBeUndefined();
    expect(calls().calls).toEqual({ 'GET /tickets': 1 });
    expect(calls().totalCredits).toBe(1);
  });

  it('asks for descriptions in a list only when they are selected', async () => {
    const bare = await stack.gql('{ tickets(first: 5) { nodes { id subject } } }');
    expect(bare.errors).toBeUndefined();
    expect(calls().totalCredits).toBe(1);
    stack.emulator.resetStats();
    const result = await stack.gql<{
      tickets: { nodes: { id: string; description: string; descriptionText: string }[] };
    }>('{ tickets(first: 5) { nodes { id description descriptionText } } }');
    expect(result.errors).toBeUndefined();
    expect(calls().calls).toEqual({ 'GET /tickets': 1 });
    expect(calls().totalCredits).toBe(3);
    for (const node of result.data?.tickets.nodes ?? []) {
      const ticket = stack.emulator.data.tickets.get(Number(node.id));
      expect(node.description).toBe(ticket?.description);
      expect(node.descriptionText).toBe(ticket?.description_text);
    }
  });

  it('resolves responders and groups from cached whole lists: at most 3 calls cold, 1 with the page read again', async () => {
    // A stack of its own, so the agent and group caches start cold.
    const cold = await startStack(UNTHROTTLED);
    try {
      const query = '{ tickets(first: 30) { nodes { id responder { name } group { name } } } }';
      type Result = {
        tickets: {
          nodes: {
            id: string;
            responder: { name: string } | null;
            group: { name: string } | null;
          }[];
        };
      };
      const first = await cold.gql<Result>(query);
      expect(first.errors).toBeUndefined();
      const coldCalls = cold.emulator.stats();
      expect(coldCalls.totalCalls).toBeLessThanOrEqual(3);
      expect(coldCalls.calls['GET /tickets']).toBe(1);
      // The page read again (the read cache would answer it): only the page.
      coldReads(cold);
      const second = await cold.gql<Result>(query);
      expect(second.data).toEqual(first.data);
      expect(cold.emulator.stats().totalCalls).toBe(1);
      for (const node of first.data?.tickets.nodes ?? []) {
        const ticket = cold.emulator.data.tickets.get(Number(node.id));
        const agent = ticket?.responder_id
          ? cold.emulator.data.agents.get(ticket.responder_id)
          : undefined;
        const group = ticket?.group_id ? cold.emulator.data.groups.get(ticket.group_id) : undefined;
        expect(node.responder?.name ?? null).toBe(agent?.contact.name ?? null);
        expect(node.group?.name ?? null).toBe(group?.name ?? null);
      }
    } finally {
      await cold.close();
    }
  });

  const firstPage = (n: number) => firstTicketPage(stack.emulator.data, n);

  it('embeds nothing and fetches no company when only the company id is selected', async () => {
    const result = await stack.gql<{ tickets: { nodes: { company: { id: string } | null }[] } }>(
      '{ tickets(first: 30) { nodes { id company { id } } } }',
    );
    expect(result.errors).toBeUndefined();
    expect(calls().calls).toEqual({ 'GET /tickets': 1 });
    expect(calls().totalCredits).toBe(1);
    expect(result.data?.tickets.nodes.map((n) => n.company?.id ?? null)).toEqual(
      firstPage(30).map((t) => (t.company_id === null ? null : String(t.company_id))),
    );
  });

  it('never embeds the company for a one-ticket page', async () => {
    const ticket = firstPage(30).find((t) => t.company_id !== null);
    const result = await stack.gql<{ tickets: { nodes: { company: { name: string } | null }[] } }>(
      `{ tickets(first: 1, filter: { requesterId: "${ticket?.requester_id}" }) { nodes { company { name } } } }`,
    );
    expect(result.errors).toBeUndefined();
    expect(calls().calls['GET /tickets']).toBe(1);
    expect(calls().totalCredits).toBe(calls().totalCalls); // no include on the list
  });

  it('costs 1 + 50 calls for 50 tickets with their first 3 conversations', async () => {
    const result = await stack.gql<{
      tickets: {
        nodes: {
          id: string;
          conversations: { nodes: { id: string }[]; pageInfo: { hasNextPage: boolean } };
        }[];
      };
    }>(
      '{ tickets(first: 50) { nodes { id conversations(first: 3) { nodes { id } pageInfo { hasNextPage } } } } }',
    );
    expect(result.errors).toBeUndefined();
    expect(calls().calls).toEqual({ 'GET /tickets': 1, 'GET /tickets/:id/conversations': 50 });
    for (const node of result.data?.tickets.nodes ?? []) {
      const thread = stack.emulator.data.conversations.get(Number(node.id)) ?? [];
      expect(node.conversations.nodes.map((c) => c.id)).toEqual(
        thread.slice(0, 3).map((c) => String(c.id)),
      );
      expect(node.conversations.pageInfo.hasNextPage).toBe(thread.length > 3);
    }
  });

  it('never refetches a ticket the request already holds', async () => {
    const result = await stack.gql(
      '{ tickets(first: 10) { nodes { id conversations(first: 2) { nodes { ticket { id subject } } } } } }',
    );
    expect(result.errors).toBeUndefined();
    expect(calls().calls['GET /tickets/:id'] ?? 0).toBe(0);
    expect(calls().calls).toEqual({ 'GET /tickets': 1, 'GET /tickets/:id/conversations': 10 });
  });

  it("embeds a single ticket's first conversations and requester in the ticket call", async () => {
    const ticket = [...stack.emulator.data.tickets.values()].find(
      (t) => visible(t) && (stack.emulator.data.conversations.get(t.id)?.length ?? 0) > 4,
    );
    const id = String(ticket?.id);
    const embedded = await stack.gql(
      `{ ticket(id: "${id}") { id requester { name } conversations(first: 4) { nodes { id } pageInfo { hasNextPage } } } }`,
    );
    expect(embedded.errors).toBeUndefined();
    expect(calls().calls).toEqual({ 'GET /tickets/:id': 1 });
    expect(calls().totalCredits).toBe(3); // include=requester,conversations
    expect(embedded.data).toMatchObject({
      ticket: { conversations: { pageInfo: { hasNextPage: true } } },
    });
    stack.emulator.resetStats();
    const paged = await stack.gql(
      `{ ticket(id: "${id}") { id conversations(first: 20) { nodes { id } } } }`,
    );
    expect(paged.errors).toBeUndefined();
    expect(calls().calls).toEqual({ 'GET /tickets/:id': 1, 'GET /tickets/:id/conversations': 1 });
  });
});

describe('Ticket fields', () => {
  it('resolves every field with the emulator values: string ids, UTC times, Person authors', async () => {
    const { data } = stack.emulator;
    const ticket = [...data.tickets.values()].find((t) => {
      const thread = data.conversations.get(t.id) ?? [];
      return (
        visible(t) &&
        t.company_id !== null &&
        t.responder_id !== null &&
        t.group_id !== null &&
        data.contacts.has(t.requester_id) &&
        thread.length <= 20 &&
        thread.some((c) => data.agents.has(c.user_id)) &&
        thread.some((c) => data.contacts.has(c.user_id)) &&
        [...data.ratings.values()].some((r) => r.ticket_id === t.id)
      );
    });
    expect(ticket).toBeDefined();
    if (!ticket) {
      return;
    }
    const result = await stack.gql(TicketEverythingDocument, {
      id: String(ticket.id),
      conversations: 20,
    });
    expect(result.errors).toBeUndefined();
    const got = result.data?.ticket;
    const requester = data.contacts.get(ticket.requester_id);
    expect(got).toMatchObject({
      id: String(ticket.id),
      subject: ticket.subject,
      description: ticket.description,
      descriptionText: ticket.description_text,
      statusCode: ticket.status,
      tags: ticket.tags,
      customFields: ticket.custom_fields,
      type: ticket.type,
      createdAt: ticket.created_at,
      updatedAt: ticket.updated_at,
      dueBy: ticket.due_by,
      frDueBy: ticket.fr_due_by,
      requester: {
        id: String(ticket.requester_id),
        name: requester?.name,
        email: requester?.email,
      },
      responder: {
        id: String(ticket.responder_id),
        name: data.agents.get(ticket.responder_id ?? 0)?.contact.name,
      },
      group: { id: String(ticket.group_id), name: data.groups.get(ticket.group_id ?? 0)?.name },
      company: {
        id: String(ticket.company_id),
        name: data.companies.get(ticket.company_id ?? 0)?.name,
      },
    });
    // Ids beyond 2^32 come back exact, as strings.
    expect(Number(got?.requester?.id)).toBeGreaterThan(2 ** 32);
    expect(got?.createdAt).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
    const thread = data.conversations.get(ticket.id) ?? [];
    expect(got?.conversations.nodes).toHaveLength(thread.length);
    got?.conversations.nodes.forEach((node, i) => {
      const record = thread[i];
      expect(node).toMatchObject({
        id: String(record?.id),
        body: record?.body,
        bodyText: record?.body_text,
        incoming: record?.incoming,
        private: record?.private,
        fromEmail: record?.from_email,
        toEmails: record?.to_emails,
        createdAt: record?.created_at,
        updatedAt: record?.updated_at,
        ticket: { id: String(ticket.id) },
      });
      const isAgent = data.agents.has(record?.user_id ?? 0);
      expect(node.author?.__typename).toBe(isAgent ? 'Agent' : 'Contact');
      expect(node.author && 'id' in node.author ? node.author.id : undefined).toBe(
        String(record?.user_id),
      );
    });
    const ratings = [...data.ratings.values()].filter((r) => r.ticket_id === ticket.id);
    expect(got?.satisfactionRatings).toEqual(
      ratings.map((r) => ({
        id: String(r.id),
        feedback: r.feedback,
        ratings: r.ratings,
        createdAt: r.created_at,
        agent: r.agent_id === null ? null : { id: String(r.agent_id) },
        ticket: { id: String(ticket.id) },
      })),
    );
  });

  it('reports custom statuses as CUSTOM with their code and label', async () => {
    const ticket = [...stack.emulator.data.tickets.values()].find(
      (t) => visible(t) && t.status === 6,
    );
    const result = await stack.gql(
      `{ ticket(id: "${ticket?.id}") { status statusCode statusLabel } }`,
    );
    expect(result.data).toEqual({
      ticket: { status: 'CUSTOM', statusCode: 6, statusLabel: 'Waiting on Customer' },
    });
  });

  it('answers null + NOT_FOUND for a missing ticket and BAD_USER_INPUT for a non-numeric id', async () => {
    const missing = await stack.gql('{ ticket(id: "99999999") { id } }');
    expect(missing.data).toEqual({ ticket: null });
    expect(missing.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    const bad = await stack.gql('{ ticket(id: "abc") { id } }');
    expect(bad.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(calls().totalCalls).toBe(1);
  });
});

describe('connections', () => {
  it('pages `tickets` to its end: every visible ticket exactly once, older than 30 days included', async () => {
    const seen: string[] = [];
    let after: string | null = null;
    let pages = 0;
    do {
      const result: GraphQLResponse<TicketPageQuery> = await stack.gql(TicketPageDocument, {
        first: 37,
        after,
      });
      expect(result.errors).toBeUndefined();
      const connection = result.data?.tickets;
      seen.push(...(connection?.edges.map((e) => e.node.id) ?? []));
      after = connection?.pageInfo.hasNextPage ? (connection.pageInfo.endCursor ?? null) : null;
      pages += 1;
    } while (after !== null);
    const expected = [...stack.emulator.data.tickets.values()]
      .filter(visible)
      .map((t) => String(t.id));
    expect(seen).toHaveLength(expected.length);
    expect(new Set(seen)).toEqual(new Set(expected));
    const monthAgo = new Date(Date.now() - 31 * 86_400_000).toISOString();
    expect(
      [...stack.emulator.data.tickets.values()].filter((t) => visible(t) && t.created_at < monthAgo)
        .length,
    ).toBeGreaterThan(1000);
    // One call per window: a 37-ticket window always fits one page of 37.
    expect(calls().calls).toEqual({ 'GET /tickets': pages });
  });

  it('filters by requester and by updatedSince, and serves Contact.tickets', async () => {
    const ticket = [...stack.emulator.data.tickets.values()].find(visible);
    const requesterId = String(ticket?.requester_id);
    const expected = [...stack.emulator.data.tickets.values()]
      .filter((t) => visible(t) && t.requester_id === ticket?.requester_id)
      .map((t) => String(t.id))
      .sort();
    const byFilter = await stack.gql(TicketPageDocument, { first: 100, filter: { requesterId } });
    expect(byFilter.data?.tickets.edges.map((e) => e.node.id).sort()).toEqual(expected);
    const viaContact = await stack.gql<{ contact: { tickets: { nodes: { id: string }[] } } }>(
      `{ contact(id: "${requesterId}") { tickets(first: 100) { nodes { id } } } }`,
    );
    expect(viaContact.errors).toBeUndefined();
    expect(viaContact.data?.contact.tickets.nodes.map((n) => n.id).sort()).toEqual(expected);
    const since = '2026-01-01T00:00:00Z';
    const recent = await stack.gql(TicketPageDocument, {
      first: 100,
      filter: { updatedSince: since, orderBy: 'UPDATED_AT', orderDirection: 'ASC' },
    });
    const nodes = recent.data?.tickets.edges.map((e) => e.node) ?? [];
    expect(nodes.every((n) => n.updatedAt >= since)).toBe(true);
    expect(nodes.map((n) => n.updatedAt)).toEqual([...nodes.map((n) => n.updatedAt)].sort());
  });

  it('searches with totalCount, 30-result pages and a SEARCH_TRUNCATED warning past 300', async () => {
    const closed = [...stack.emulator.data.tickets.values()].filter(
      (t) => visible(t) && t.status === 5,
    );
    expect(closed.length).toBeGreaterThan(300);
    const first = await stack.gql(SearchTicketsDocument, { query: 'status:5', first: 30 });
    expect(first.errors).toBeUndefined();
    expect(first.data?.searchTickets.totalCount).toBe(closed.length);
    expect(first.data?.searchTickets.nodes.every((n) => n.statusCode === 5)).toBe(true);
    expect(calls().calls).toEqual({ 'GET /search/tickets': 1 });
    expect(first.extensions?.warnings).toEqual([
      expect.objectContaining({ code: 'SEARCH_TRUNCATED', path: ['searchTickets'] }),
    ]);
    const ids = new Set<string>();
    let after: string | null = null;
    do {
      const page: GraphQLResponse<SearchTicketsQuery> = await stack.gql(SearchTicketsDocument, {
        query: 'status:5',
        first: 100,
        after,
      });
      expect(page.errors).toBeUndefined();
      for (const node of page.data?.searchTickets.nodes ?? []) {
        ids.add(node.id);
      }
      const info = page.data?.searchTickets.pageInfo;
      after = info?.hasNextPage ? (info.endCursor ?? null) : null;
    } while (after !== null);
    expect(ids.size).toBe(300);
  });

  it('rejects a cursor from another list', async () => {
    const page = await stack.gql(TicketPageDocument, { first: 5 });
    const cursor = page.data?.tickets.pageInfo.endCursor;
    const other = await stack.gql(TicketPageDocument, {
      first: 5,
      after: cursor,
      filter: { orderBy: 'PRIORITY' },
    });
    expect(other.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  });
});
