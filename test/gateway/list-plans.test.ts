/**
 * Companies and contacts from whole-list scans, over real sockets, counted with the emulator's
 * counters: a small company list is read once (beside the ticket page) and serves every company for
 * a minute; an account with more companies than the scan cap is found out once and then gets
 * `include=company` or by-id loads; many contacts needed at once come from a scan of the contact
 * list, the rest (blocked, deleted, agents) by id; a contact list above the cap, or a contacts-list
 * sub-limit without room, means by-id loads.
 */
import { describe, expect, it } from 'vitest';
import { byNameThenId } from '../../src/emulator/handlers/shared.ts';
import type { TicketRecord } from '../../src/emulator/records.ts';
import { coldReads, type Stack, startStack, UNTHROTTLED, withStack } from '../helpers/gateway.ts';
import { firstTicketPage } from '../helpers/tickets.ts';

const firstPage = (stack: Stack, n: number): TicketRecord[] =>
  firstTicketPage(stack.emulator.data, n);

const companyName = (stack: Stack, t: TicketRecord): string | null =>
  t.company_id === null ? null : (stack.emulator.data.companies.get(t.company_id)?.name ?? null);

const distinctCompanies = (page: TicketRecord[]): Set<number> =>
  new Set(page.flatMap((t) => (t.company_id === null ? [] : [t.company_id])));

/** Ids on the first `pages` pages of `GET /contacts` (listed contacts, by name). */
const listedContactIds = (stack: Stack, pages: number): Set<number> =>
  new Set(
    [...stack.emulator.data.contacts.values()]
      .filter((c) => c._state !== 'deleted' && c._state !== 'blocked')
      .sort(byNameThenId)
      .slice(0, pages * 100)
      .map((c) => c.id),
  );

const withOut = (counts: Record<string, number>): Record<string, number> =>
  Object.fromEntries(Object.entries(counts).filter(([, n]) => n > 0));

describe('companies on a small account (40 companies: one list page)', () => {
  let stack: Stack;
  const calls = () => stack.emulator.stats();
  withStack(UNTHROTTLED, (started) => {
    stack = started;
  });

  it('embeds the company in ticket(id) while the company list is not cached', async () => {
    const ticket = firstPage(stack, 100).find((t) => t.company_id !== null);
    const result = await stack.gql<{ ticket: { company: { id: string; name: string } } }>(
      `{ ticket(id: "${ticket?.id}") { company { id name } } }`,
    );
    expect(result.errors).toBeUndefined();
    expect(result.data?.ticket.company.name).toBe(ticket ? companyName(stack, ticket) : undefined);
    expect(calls().calls).toEqual({ 'GET /tickets/:id': 1 });
    expect(calls().totalCredits).toBe(2); // include=company
  });

  it('reads nothing for companies when only their ids are selected', async () => {
    const result = await stack.gql('{ tickets(first: 30) { nodes { id company { id } } } }');
    expect(result.errors).toBeUndefined();
    expect(calls().calls).toEqual({ 'GET /tickets': 1 });
    expect(calls().totalCredits).toBe(1);
  });

  it('reads the company list once, beside the ticket page, then answers from it', async () => {
    const query = '{ tickets(first: 30) { nodes { id company { id name __typename } } } }';
    const page = firstPage(stack, 30);
    expect(distinctCompanies(page).size).toBeGreaterThan(3);
    const expected = page.map((t) => ({
      id: String(t.id),
      company:
        t.company_id === null
          ? null
          : { id: String(t.company_id), name: companyName(stack, t), __typename: 'Company' },
    }));
    const cold = await stack.gql<{ tickets: { nodes: unknown[] } }>(query);
    expect(cold.errors).toBeUndefined();
    expect(cold.data?.tickets.nodes).toEqual(expected);
    expect(calls().calls).toEqual({ 'GET /tickets': 1, 'GET /companies': 1 });
    expect(calls().totalCredits).toBe(2); // no include=company: the list costs 1
    stack.emulator.resetStats();
    // The same query again is answered by the read cache: nothing at all.
    const again = await stack.gql<{ tickets: { nodes: unknown[] } }>(query);
    expect(again.data?.tickets.nodes).toEqual(expected);
    expect(calls().calls).toEqual({});
    expect(again.extensions?.cost).toMatchObject({ estimated: 0, spent: 0 });
    // With the page read again, the companies still come from the list: one call.
    coldReads(stack);
    const warm = await stack.gql<{ tickets: { nodes: unknown[] } }>(query);
    expect(warm.data?.tickets.nodes).toEqual(expected);
    expect(calls().calls).toEqual({ 'GET /tickets': 1 });
    expect(calls().totalCredits).toBe(1);
    expect(warm.extensions?.cost).toMatchObject({ estimated: 1, spent: 1 });
  });

  it('answers every company field from the list', async () => {
    const result = await stack.gql<{
      tickets: { nodes: { company: Record<string, unknown> | null }[] };
    }>(
      '{ tickets(first: 30) { nodes { company { id name description domains customFields createdAt updatedAt } } } }',
    );
    expect(result.errors).toBeUndefined();
    expect(calls().calls).toEqual({ 'GET /tickets': 1 });
    expect(result.data?.tickets.nodes.map((n) => n.company)).toEqual(
      firstPage(stack, 30).map((t) => {
        const c =
          t.company_id === null ? undefined : stack.emulator.data.companies.get(t.company_id);
        return c === undefined
          ? null
          : {
              id: String(c.id),
              name: c.name,
              description: c.description,
              domains: c.domains,
              customFields: c.custom_fields,
              createdAt: c.created_at,
              updatedAt: c.updated_at,
            };
      }),
    );
  });

  it('combines with the requester and description embeds in one list call', async () => {
    const result = await stack.gql<{
      tickets: { nodes: { description: string; company: { name: string } | null }[] };
    }>('{ tickets(first: 30) { nodes { id description requester { name } company { name } } } }');
    expect(result.errors).toBeUndefined();
    expect(calls().calls).toEqual({ 'GET /tickets': 1 });
    expect(calls().totalCredits).toBe(5); // 1 + 2 x (description, requester)
    expect(result.data?.tickets.nodes.map((n) => n.company?.name ?? null)).toEqual(
      firstPage(stack, 30).map((t) => companyName(stack, t)),
    );
  });

  it('no longer embeds the company in ticket(id) once the list is cached', async () => {
    const ticket = firstPage(stack, 100).find((t) => t.company_id !== null);
    const result = await stack.gql<{ ticket: { company: { name: string } } }>(
      `{ ticket(id: "${ticket?.id}") { company { id name } } }`,
    );
    expect(result.data?.ticket.company.name).toBe(ticket ? companyName(stack, ticket) : undefined);
    expect(calls().calls).toEqual({ 'GET /tickets/:id': 1 });
    expect(calls().totalCredits).toBe(1);
  });

  it('serves search results and contacts their companies from the list', async () => {
    const search = await stack.gql<{
      searchTickets: { nodes: { id: string; company: { name: string } | null }[] };
    }>('{ searchTickets(query: "priority:3", first: 30) { nodes { id company { name } } } }');
    expect(search.errors).toBeUndefined();
    const nodes = search.data?.searchTickets.nodes ?? [];
    expect(nodes.some((n) => n.company !== null)).toBe(true);
    expect(nodes.map((n) => n.company?.name ?? null)).toEqual(
      nodes.map((n) => {
        const t = stack.emulator.data.tickets.get(Number(n.id));
        return t ? companyName(stack, t) : null;
      }),
    );
    const contacts = await stack.gql('{ contacts(first: 30) { nodes { id company { name } } } }');
    expect(contacts.errors).toBeUndefined();
    expect(calls().calls).toEqual({ 'GET /search/tickets': 1, 'GET /contacts': 1 });
  });

  it('asks by id for a company the cached list does not hold (created since, or unknown)', async () => {
    const template = [...stack.emulator.data.companies.values()][0];
    if (!template) {
      throw new Error('no company in the seed');
    }
    const id = 51_000_009_999;
    stack.emulator.data.companies.set(id, { ...template, id, name: 'Newco Ltd' });
    const result = await stack.gql<{ a: { name: string } | null; b: unknown }>(
      `{ a: company(id: "${id}") { name } b: company(id: "51000008888") { name } }`,
    );
    expect(result.data?.a).toEqual({ name: 'Newco Ltd' });
    expect(result.data?.b).toBeNull();
    expect(result.errors?.map((e) => e.extensions?.code)).toEqual(['NOT_FOUND']);
    expect(calls().calls).toEqual({ 'GET /companies/:id': 2 });
  });
});

describe('companies on a large account (350 companies: more than the 3-page scan)', () => {
  let stack: Stack;
  const calls = () => stack.emulator.stats();
  withStack(
    { ...UNTHROTTLED, emulator: { ...UNTHROTTLED.emulator, companies: 350, tickets: 600 } },
    (started) => {
      stack = started;
    },
  );

  it('tries the list once (3 pages), loads the rest by id, then embeds for good', async () => {
    const query = '{ tickets(first: 30) { nodes { company { name } } } }';
    const page = firstPage(stack, 30);
    const inFirstPages = new Set(
      [...stack.emulator.data.companies.values()]
        .sort(byNameThenId)
        .slice(0, 300)
        .map((c) => c.id),
    );
    const missed = [...distinctCompanies(page)].filter((id) => !inFirstPages.has(id));
    const cold = await stack.gql<{ tickets: { nodes: { company: { name: string } | null }[] } }>(
      query,
    );
    expect(cold.errors).toBeUndefined();
    expect(cold.data?.tickets.nodes.map((n) => n.company?.name ?? null)).toEqual(
      page.map((t) => companyName(stack, t)),
    );
    expect(calls().calls).toEqual(
      withOut({ 'GET /tickets': 1, 'GET /companies': 3, 'GET /companies/:id': missed.length }),
    );
    stack.emulator.resetStats();
    const warm = await stack.gql<{ tickets: { nodes: { company: { name: string } | null }[] } }>(
      query,
    );
    expect(warm.data?.tickets.nodes).toEqual(cold.data?.tickets.nodes);
    expect(calls().calls).toEqual({ 'GET /tickets': 1 });
    expect(calls().totalCredits).toBe(3); // include=company
    expect(warm.extensions?.cost).toMatchObject({ estimated: 3, spent: 3 });
  });

  it('loads full companies by id, each distinct one once', async () => {
    const page = firstPage(stack, 30);
    const result = await stack.gql<{
      tickets: { nodes: { company: { domains: string[] } | null }[] };
    }>('{ tickets(first: 30) { nodes { company { name domains } } } }');
    expect(result.errors).toBeUndefined();
    expect(calls().calls).toEqual({
      'GET /tickets': 1,
      'GET /companies/:id': distinctCompanies(page).size,
    });
    expect(result.data?.tickets.nodes.map((n) => n.company?.domains ?? null)).toEqual(
      page.map((t) =>
        t.company_id === null ? null : stack.emulator.data.companies.get(t.company_id)?.domains,
      ),
    );
  });

  it('embeds the company in ticket(id)', async () => {
    const ticket = firstPage(stack, 100).find((t) => t.company_id !== null);
    const result = await stack.gql<{ ticket: { company: { name: string } } }>(
      `{ ticket(id: "${ticket?.id}") { company { id name } } }`,
    );
    expect(result.data?.ticket.company.name).toBe(ticket ? companyName(stack, ticket) : undefined);
    expect(calls().calls).toEqual({ 'GET /tickets/:id': 1 });
    expect(calls().totalCredits).toBe(2);
  });
});

describe('contacts: a scan of the contact list when many are needed at once', () => {
  const query = '{ tickets(first: 30) { nodes { id requester { id tags } } } }';
  const requesters = (stack: Stack, n: number): Set<number> =>
    new Set(firstPage(stack, n).map((t) => t.requester_id));

  it('reads the 5 list pages instead of a call per requester; by id only what the list lacks', async () => {
    const stack = await startStack(UNTHROTTLED);
    try {
      const wanted = requesters(stack, 30);
      expect(wanted.size).toBeGreaterThan(20);
      const listed = listedContactIds(stack, 5);
      const missed = [...wanted].filter((id) => !listed.has(id));
      const result = await stack.gql<{
        tickets: { nodes: { id: string; requester: { id: string; tags: string[] } }[] };
      }>(query);
      expect(result.errors).toBeUndefined();
      for (const node of result.data?.tickets.nodes ?? []) {
        const ticket = stack.emulator.data.tickets.get(Number(node.id));
        expect(node.requester.id).toBe(String(ticket?.requester_id));
        const contact = stack.emulator.data.contacts.get(ticket?.requester_id ?? 0);
        if (contact) {
          expect(node.requester.tags).toEqual(contact.tags);
        }
      }
      expect(stack.emulator.stats().calls).toEqual(
        withOut({ 'GET /tickets': 1, 'GET /contacts': 5, 'GET /contacts/:id': missed.length }),
      );
      expect(missed.length).toBeLessThan(wanted.size / 3);

      // The size is known now: a few contacts load by id, many get the 5 pages again (each
      // read afresh: the read cache would answer them).
      coldReads(stack);
      const few = await stack.gql('{ tickets(first: 6) { nodes { id requester { id tags } } } }');
      expect(few.errors).toBeUndefined();
      expect(stack.emulator.stats().calls).toEqual({
        'GET /tickets': 1,
        'GET /contacts/:id': requesters(stack, 6).size,
      });
      coldReads(stack);
      const again = await stack.gql(query);
      expect(again.errors).toBeUndefined();
      expect(stack.emulator.stats().calls).toEqual(
        withOut({ 'GET /tickets': 1, 'GET /contacts': 5, 'GET /contacts/:id': missed.length }),
      );
    } finally {
      await stack.close();
    }
  });

  it('tries a contact list above 10 pages once, then loads by id', async () => {
    const stack = await startStack({
      ...UNTHROTTLED,
      emulator: { ...UNTHROTTLED.emulator, contacts: 1_200, tickets: 600 },
    });
    try {
      // 60 tickets: enough requesters (30+) for a scan of up to 10 pages.
      const wide = '{ tickets(first: 60) { nodes { id requester { id tags } } } }';
      const wanted = requesters(stack, 60);
      expect(wanted.size).toBeGreaterThanOrEqual(30);
      const listed = listedContactIds(stack, 10);
      const missed = [...wanted].filter((id) => !listed.has(id));
      const first = await stack.gql(wide);
      expect(first.errors).toBeUndefined();
      expect(stack.emulator.stats().calls).toEqual(
        withOut({ 'GET /tickets': 1, 'GET /contacts': 10, 'GET /contacts/:id': missed.length }),
      );
      coldReads(stack);
      const second = await stack.gql(wide);
      expect(second.data).toEqual(first.data);
      expect(stack.emulator.stats().calls).toEqual({
        'GET /tickets': 1,
        'GET /contacts/:id': wanted.size,
      });
    } finally {
      await stack.close();
    }
  });

  it('loads by id when the contacts-list sub-limit has no room for a scan now', async () => {
    const stack = await startStack({
      emulator: { plan: 'growth', windowMs: 60_000 },
      env: { FRESHDESK_PLAN: 'growth' },
    });
    try {
      // Growth allows 20 contact-list calls a minute: spend 17 of them.
      for (let i = 0; i < 17; i++) {
        coldReads(stack);
        const page = await stack.gql(`{ contacts(first: 1) { nodes { id } } }`);
        expect(page.errors).toBeUndefined();
      }
      stack.emulator.resetStats();
      const result = await stack.gql(query);
      expect(result.errors).toBeUndefined();
      expect(stack.emulator.stats().calls).toEqual({
        'GET /tickets': 1,
        'GET /contacts/:id': requesters(stack, 30).size,
      });
    } finally {
      await stack.close();
    }
  });
});
