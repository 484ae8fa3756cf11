/**
 * What the BI export needs from the gateway, usable by any client: the `companies` and
 * `satisfactionRatings` lists (one call per page, estimated before they run), ids of related
 * records without loading them, and deleted or spam tickets changed since an instant.
 */
import { describe, expect, it } from 'vitest';
import type { GraphQLResponse, Stack } from '../helpers/gateway.ts';
import { UNTHROTTLED, withStack } from '../helpers/gateway.ts';

interface CompanyPage {
  companies: {
    nodes: { id: string; name: string; updatedAt: string }[];
    pageInfo: { hasNextPage: boolean; endCursor: string | null };
  };
}

interface Cost {
  estimated: number;
  spent: number;
  calls: number;
}

describe('lists and ids for exports', () => {
  let stack: Stack;
  withStack({ ...UNTHROTTLED, emulator: { ...UNTHROTTLED.emulator, tickets: 300 } }, (s) => {
    stack = s;
  });

  it('pages every company, one call per page, and filters by updatedSince', async () => {
    const all = [...stack.emulator.data.companies.values()];
    const seen: string[] = [];
    let after: string | null = null;
    do {
      const result: GraphQLResponse<CompanyPage> = await stack.gql<CompanyPage>(
        'query($after: String) { companies(first: 15, after: $after) { nodes { id name updatedAt } pageInfo { hasNextPage endCursor } } }',
        { after },
      );
      expect(result.errors).toBeUndefined();
      const cost = result.extensions?.cost as Cost;
      expect(cost.spent).toBe(1);
      expect(cost.estimated).toBeGreaterThanOrEqual(cost.spent);
      seen.push(...(result.data?.companies.nodes.map((n) => n.id) ?? []));
      const page: CompanyPage['companies']['pageInfo'] | undefined =
        result.data?.companies.pageInfo;
      after = page?.hasNextPage ? (page.endCursor ?? null) : null;
    } while (after !== null);
    expect(seen.sort()).toEqual(all.map((c) => String(c.id)).sort());
    expect(stack.emulator.stats().calls).toEqual({ 'GET /companies': Math.ceil(all.length / 15) });

    const times = all.map((c) => c.updated_at).sort();
    const since = times[Math.floor(times.length / 2)] as string;
    const recent = await stack.gql<{ companies: { nodes: { id: string }[] } }>(
      'query($since: DateTime) { companies(first: 100, filter: { updatedSince: $since }) { nodes { id } } }',
      { since },
    );
    expect(recent.data?.companies.nodes.map((n) => n.id).sort()).toEqual(
      all
        .filter((c) => c.updated_at >= since)
        .map((c) => String(c.id))
        .sort(),
    );
  });

  it('lists satisfaction ratings account-wide with their ticket and customer ids, no ticket calls', async () => {
    const ratings = [...stack.emulator.data.ratings.values()];
    expect(ratings.length).toBeGreaterThan(10);
    const since = [...ratings.map((r) => r.created_at)].sort()[Math.floor(ratings.length / 2)];
    const result = await stack.gql<{
      satisfactionRatings: {
        nodes: { id: string; ticketId: string; userId: string; createdAt: string }[];
        pageInfo: { hasNextPage: boolean };
      };
    }>(
      'query($since: DateTime) { satisfactionRatings(first: 100, filter: { createdSince: $since }) { nodes { id ticketId userId createdAt ratings } pageInfo { hasNextPage } } }',
      { since },
    );
    expect(result.errors).toBeUndefined();
    const expected = ratings.filter((r) => r.created_at >= (since as string));
    expect(result.data?.satisfactionRatings.nodes.map((n) => [n.id, n.ticketId, n.userId])).toEqual(
      expected
        .sort((a, b) => a.id - b.id)
        .map((r) => [String(r.id), String(r.ticket_id), String(r.user_id)]),
    );
    expect(stack.emulator.stats().calls).toEqual({ 'GET /surveys/satisfaction_ratings': 1 });
    const cost = result.extensions?.cost as Cost;
    expect(cost.estimated).toBe(1);
  });

  it('gives related ids without loading the related records', async () => {
    const result = await stack.gql<{
      tickets: {
        nodes: {
          id: string;
          requesterId: string;
          responderId: string | null;
          groupId: string | null;
          companyId: string | null;
          conversations: { nodes: { ticketId: string; userId: string | null }[] };
        }[];
      };
      contacts: { nodes: { id: string; companyId: string | null }[] };
    }>(
      '{ tickets(first: 20) { nodes { id requesterId responderId groupId companyId conversations(first: 100) { nodes { ticketId userId } } } } contacts(first: 20) { nodes { id companyId } } }',
    );
    expect(result.errors).toBeUndefined();
    const data = stack.emulator.data;
    for (const ticket of result.data?.tickets.nodes ?? []) {
      const record = data.tickets.get(Number(ticket.id));
      expect(ticket.requesterId).toBe(String(record?.requester_id));
      expect(ticket.responderId).toBe(
        record?.responder_id === null ? null : String(record?.responder_id),
      );
      expect(ticket.groupId).toBe(record?.group_id === null ? null : String(record?.group_id));
      expect(ticket.companyId).toBe(
        record?.company_id === null ? null : String(record?.company_id),
      );
      const conversations = data.conversations.get(Number(ticket.id)) ?? [];
      expect(ticket.conversations.nodes).toEqual(
        conversations.map((c) => ({ ticketId: ticket.id, userId: String(c.user_id) })),
      );
    }
    for (const contact of result.data?.contacts.nodes ?? []) {
      const record = data.contacts.get(Number(contact.id));
      expect(contact.companyId).toBe(
        record?.company_id === null ? null : String(record?.company_id),
      );
    }
    // One ticket page, one conversation call per ticket, one contact page: no agent, group,
    // company or contact loads.
    expect(stack.emulator.stats().calls).toEqual({
      'GET /tickets': 1,
      'GET /tickets/:id/conversations': 20,
      'GET /contacts': 1,
    });
  });

  it('reads the conversations of many tickets at one call each, without the tickets', async () => {
    const data = stack.emulator.data;
    const live = [...data.tickets.values()].filter((t) => !t.spam && !t.deleted).slice(0, 12);
    const deleted = [...data.tickets.values()].find((t) => t.deleted);
    const aliases = [...live, deleted]
      .map(
        (t, i) =>
          `c${i}: ticketConversations(ticketId: "${t?.id}", first: 100) { nodes { id ticketId } pageInfo { hasNextPage } }`,
      )
      .join(' ');
    const result = await stack.gql<
      Record<string, { nodes: { id: string; ticketId: string }[] } | null>
    >(`{ ${aliases} }`);
    live.forEach((ticket, i) => {
      expect(result.data?.[`c${i}`]?.nodes.map((n) => n.id)).toEqual(
        (data.conversations.get(ticket.id) ?? []).map((c) => String(c.id)),
      );
    });
    expect(result.data?.[`c${live.length}`]).toBeNull();
    expect(result.errors?.map((e) => [e.path, e.extensions?.code])).toEqual([
      [[`c${live.length}`], 'NOT_FOUND'],
    ]);
    expect(stack.emulator.stats().calls).toEqual({
      'GET /tickets/:id/conversations': live.length + 1,
    });
    const cost = result.extensions?.cost as Cost;
    expect(cost.estimated).toBe(live.length + 1);
    expect(cost.spent).toBe(live.length + 1);
  });

  it('lists deleted and spam tickets changed since an instant, oldest change first', async () => {
    const data = stack.emulator.data;
    for (const [predefined, pick] of [
      ['DELETED', (t: { deleted?: true }) => t.deleted === true],
      ['SPAM', (t: { spam: boolean; deleted?: true }) => t.spam && !t.deleted],
    ] as const) {
      const matching = [...data.tickets.values()].filter(pick);
      expect(matching.length).toBeGreaterThan(0);
      const since = matching.map((t) => t.updated_at).sort()[0] as string;
      const result = await stack.gql<{ tickets: { nodes: { id: string; updatedAt: string }[] } }>(
        `query($since: DateTime) { tickets(first: 100, filter: { predefined: ${predefined}, updatedSince: $since, orderBy: UPDATED_AT, orderDirection: ASC }) { nodes { id updatedAt } } }`,
        { since },
      );
      expect(result.errors).toBeUndefined();
      expect(result.data?.tickets.nodes.map((n) => n.id).sort()).toEqual(
        matching.map((t) => String(t.id)).sort(),
      );
    }
  });
});
