/**
 * The whole public contract (contract.md section 4) in one query: every root query field and every
 * field of every contract type is selected at least once, over real sockets against the emulator.
 * The answer must carry no error, and a sample of values must equal the emulator's data.
 *
 * Not covered: `Subscription.ticketEvents` / `TicketEvent` (fed by webhooks, served over SSE: not a
 * query field) and the mutations (each has its own test file).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EmulatorData, TicketRecord } from '../../src/emulator/records.ts';
import { type Stack, startStack } from '../helpers/gateway.ts';

const AGENT = 'id name email available occasional createdAt groups { id name }';
const CONTACT_SCALARS =
  'id name email phone mobile active tags customFields createdAt updatedAt company { id name }';
const COMPANY = 'id name description domains customFields createdAt updatedAt';
const GROUP = 'id name description agents { id name }';
const PAGE_INFO = 'pageInfo { hasNextPage endCursor }';
const PERSON = '__typename ... on Agent { id name } ... on Contact { id name }';
const CONVERSATION = `id body bodyText incoming private fromEmail toEmails createdAt updatedAt
  ticket { id } author { ${PERSON} }`;
const RATING = 'id feedback ratings createdAt ticket { id } agent { id name }';
const TICKET_SCALARS = `id subject description descriptionText status statusCode statusLabel
  priority source type tags customFields createdAt updatedAt dueBy frDueBy`;
const ARTICLE = `id title description descriptionText status type tags hits thumbsUp thumbsDown
  createdAt updatedAt author { ${AGENT} } folder { id name description category { id name } }
  category { id name description }`;

const CONTRACT_QUERY = /* GraphQL */ `
  query ContractFields(
    $ticketId: ID!
    $customTicketId: ID!
    $contactId: ID!
    $agentId: ID!
    $companyId: ID!
    $articleId: ID!
  ) {
    ticket(id: $ticketId) {
      ${TICKET_SCALARS}
      requester { ${CONTACT_SCALARS} }
      responder { ${AGENT} }
      group { ${GROUP} }
      company { ${COMPANY} }
      conversations(first: 5) {
        edges { cursor node { ${CONVERSATION} } }
        nodes { id }
        ${PAGE_INFO}
      }
      satisfactionRatings { ${RATING} }
    }
    customTicket: ticket(id: $customTicketId) { id status statusCode statusLabel }
    tickets(first: 3, filter: { orderBy: UPDATED_AT, orderDirection: DESC }) {
      edges { cursor node { id subject } }
      nodes { id status priority requester { id name email } }
      ${PAGE_INFO}
    }
    searchTickets(query: "priority:4", first: 2) {
      totalCount
      nodes { id priority }
      ${PAGE_INFO}
    }
    contact(id: $contactId) {
      ${CONTACT_SCALARS}
      tickets(first: 2) { nodes { id } ${PAGE_INFO} }
    }
    contacts(first: 2) { edges { cursor node { id name } } nodes { id } ${PAGE_INFO} }
    agent(id: $agentId) { ${AGENT} }
    agents(first: 2) { edges { cursor node { id } } nodes { id name } ${PAGE_INFO} }
    me { ${AGENT} }
    company(id: $companyId) { ${COMPANY} }
    groups { ${GROUP} }
    article(id: $articleId) { ${ARTICLE} }
    solutionCategories {
      id name description
      folders {
        id name description category { id }
        articles(first: 2) { edges { cursor node { id } } nodes { id title } ${PAGE_INFO} }
      }
    }
    ticketFields { id name label type required choices }
    quota { plan total remaining resetAt budgets { name limit remaining used resetAt } }
  }
`;

const PRIORITIES: Record<number, string> = { 1: 'LOW', 2: 'MEDIUM', 3: 'HIGH', 4: 'URGENT' };
const STANDARD_STATUSES: Record<number, string> = {
  2: 'OPEN',
  3: 'PENDING',
  4: 'RESOLVED',
  5: 'CLOSED',
};

function statusLabel(data: EmulatorData, code: number): string {
  const field = data.ticketFields.find((f) => f.type === 'default_status');
  const choices = (field?.choices ?? {}) as Record<string, string[]>;
  return choices[String(code)]?.[0] ?? '';
}

/** A ticket with everything to show: responder, group, company, conversations and a rating. */
function richTicket(data: EmulatorData): TicketRecord {
  const rated = new Set([...data.ratings.values()].map((r) => r.ticket_id));
  const ticket = [...data.tickets.values()].find(
    (t) =>
      !t.spam &&
      !t.deleted &&
      t.status <= 5 &&
      t.responder_id !== null &&
      t.group_id !== null &&
      t.company_id !== null &&
      rated.has(t.id) &&
      (data.conversations.get(t.id)?.length ?? 0) > 0,
  );
  if (!ticket) {
    throw new Error('The seed has no ticket with responder, group, company, notes and a rating');
  }
  return ticket;
}

describe('the contract, every field at once', () => {
  let stack: Stack;

  beforeAll(async () => {
    stack = await startStack({
      emulator: { tickets: 300, rateLimit: false },
      // One query over the whole contract is far above the default per-operation credit cap.
      env: { DESKGRAPH_MAX_OPERATION_CREDITS: '100000' },
    });
  });

  afterAll(async () => {
    await stack.close();
  });

  it('resolves every contract field with no error and the emulator values', async () => {
    const { data } = stack.emulator;
    const ticket = richTicket(data);
    const customTicket = [...data.tickets.values()].find(
      (t) => t.status >= 6 && !t.spam && !t.deleted,
    );
    expect(customTicket).toBeDefined();
    const article = [...data.articles.values()].find((a) => a.description.includes('<img'));
    expect(article).toBeDefined();
    const requester = data.contacts.get(ticket.requester_id);
    const responder = data.agents.get(ticket.responder_id as number);
    const group = data.groups.get(ticket.group_id as number);
    const company = data.companies.get(ticket.company_id as number);
    const conversations = data.conversations.get(ticket.id) ?? [];
    const ratings = [...data.ratings.values()].filter((r) => r.ticket_id === ticket.id);

    const result = await stack.gql(CONTRACT_QUERY, {
      ticketId: String(ticket.id),
      customTicketId: String(customTicket?.id),
      contactId: String(requester?.id),
      agentId: String(responder?.id),
      companyId: String(company?.id),
      articleId: String(article?.id),
    });
    expect(result.errors).toBeUndefined();
    const answer = result.data as Record<string, unknown>;

    expect(answer.ticket).toMatchObject({
      id: String(ticket.id),
      subject: ticket.subject,
      description: ticket.description,
      descriptionText: ticket.description_text,
      status: STANDARD_STATUSES[ticket.status],
      statusCode: ticket.status,
      statusLabel: statusLabel(data, ticket.status),
      priority: PRIORITIES[ticket.priority],
      type: ticket.type,
      tags: ticket.tags,
      customFields: ticket.custom_fields,
      createdAt: ticket.created_at,
      updatedAt: ticket.updated_at,
      dueBy: ticket.due_by,
      frDueBy: ticket.fr_due_by,
      requester: {
        id: String(requester?.id),
        name: requester?.name,
        email: requester?.email,
        phone: requester?.phone,
        mobile: requester?.mobile,
        active: requester?.active,
        tags: requester?.tags,
        createdAt: requester?.created_at,
      },
      responder: {
        id: String(responder?.id),
        name: responder?.contact.name,
        email: responder?.contact.email,
        available: responder?.available,
        occasional: responder?.occasional,
        createdAt: responder?.created_at,
      },
      group: { id: String(group?.id), name: group?.name, description: group?.description },
      company: {
        id: String(company?.id),
        name: company?.name,
        description: company?.description,
        domains: company?.domains,
        customFields: company?.custom_fields,
        createdAt: company?.created_at,
        updatedAt: company?.updated_at,
      },
      conversations: {
        nodes: conversations.slice(0, 5).map((c) => ({ id: String(c.id) })),
        pageInfo: { hasNextPage: conversations.length > 5 },
      },
    });
    const ticketAnswer = answer.ticket as {
      conversations: { edges: { node: Record<string, unknown> }[] };
      satisfactionRatings: Record<string, unknown>[];
    };
    const firstConversation = conversations[0];
    expect(ticketAnswer.conversations.edges[0]?.node).toMatchObject({
      id: String(firstConversation?.id),
      body: firstConversation?.body,
      bodyText: firstConversation?.body_text,
      incoming: firstConversation?.incoming,
      private: firstConversation?.private,
      fromEmail: firstConversation?.from_email,
      toEmails: firstConversation?.to_emails,
      createdAt: firstConversation?.created_at,
      updatedAt: firstConversation?.updated_at,
      ticket: { id: String(ticket.id) },
      author: {
        __typename: data.agents.has(firstConversation?.user_id as number) ? 'Agent' : 'Contact',
        id: String(firstConversation?.user_id),
      },
    });
    expect(ticketAnswer.satisfactionRatings.map((r) => ({ id: r.id, ratings: r.ratings }))).toEqual(
      ratings.map((r) => ({ id: String(r.id), ratings: r.ratings })),
    );

    expect(answer.customTicket).toEqual({
      id: String(customTicket?.id),
      status: 'CUSTOM',
      statusCode: customTicket?.status,
      statusLabel: statusLabel(data, customTicket?.status as number),
    });

    expect(answer.agent).toMatchObject({
      id: String(responder?.id),
      name: responder?.contact.name,
      groups: expect.any(Array),
    });
    expect(answer.company).toMatchObject({ id: String(company?.id), name: company?.name });
    expect(answer.contact).toMatchObject({ id: String(requester?.id), name: requester?.name });
    expect((answer.groups as unknown[]).length).toBe(data.groups.size);
    expect((answer.ticketFields as { id: string }[]).map((f) => f.id)).toEqual(
      data.ticketFields.map((f) => String(f.id)),
    );
    expect(answer.article).toMatchObject({
      id: String(article?.id),
      title: article?.title,
      description: article?.description,
      hits: article?.hits,
      folder: { id: String(article?.folder_id) },
      category: { id: String(article?.category_id) },
      author: { id: String(article?.agent_id) },
    });
    expect((answer.solutionCategories as unknown[]).length).toBe(data.categories.size);
    const searched = answer.searchTickets as { totalCount: number; nodes: { priority: string }[] };
    expect(searched.totalCount).toBeGreaterThanOrEqual(searched.nodes.length);
    expect(searched.nodes.every((n) => n.priority === 'URGENT')).toBe(true);
    expect(answer.me).toMatchObject({ id: String(data.apiKeys.get(stack.emulator.apiKeys.admin)) });
    expect(answer.quota).toMatchObject({ budgets: expect.any(Array) });

    // Ids above 2^32 stay exact strings.
    expect(Number((answer.company as { id: string }).id)).toBeGreaterThan(2 ** 32);
    expect(stack.emulator.stats().invalidFieldErrors).toBe(0);
  });
});
