/**
 * The plan's cost estimate on documents alone: what each selection costs under the plan's rules,
 * what the credential already holds, and the estimate's own cost (linear in the document).
 */
import { parse } from 'graphql';
import { describe, expect, it } from 'vitest';
import {
  AGENTS,
  CATEGORIES,
  type CacheEntry,
  COMPANIES,
  foldersOf,
  GROUPS,
  sizeOf,
} from '../../src/plan/entries.ts';
import { estimateOperation } from '../../src/plan/estimate.ts';
import type { PlanState } from '../../src/plan/state.ts';
import { normalisedTarget } from '../../src/upstream/request-key.ts';

function state(
  held: [CacheEntry<unknown>, unknown][] = [],
  verified = true,
  reads: string[] = [],
): PlanState {
  const values = new Map(held.map(([entry, value]) => [entry.name, value]));
  return {
    peek: <T>(entry: CacheEntry<T>) => values.get(entry.name) as T | undefined,
    remaining: () => 100,
    verified,
    cachedRead: (request) => reads.includes(normalisedTarget(request)),
  };
}

const estimate = (
  query: string,
  held: [CacheEntry<unknown>, unknown][] = [],
  variables: Record<string, unknown> = {},
) => estimateOperation(parse(query), undefined, variables, state(held));

const directory = { all: [], byId: new Map(), forbidden: undefined };

describe('estimateOperation', () => {
  it('charges a ticket list page +2 per embed, on the tickets-list budget', () => {
    expect(
      estimate(
        'query($n: Int) { tickets(first: $n) { nodes { description requester { name } } } }',
        [],
        { n: 40 },
      ),
    ).toEqual({ credits: 5, calls: 1, budgets: { total: 5, tickets_list: 5 } });
  });

  it('counts search hits as carrying the description (no call per hit)', () => {
    expect(
      estimate('{ searchTickets(query: "priority:4", first: 30) { nodes { id description } } }')
        .credits,
    ).toBe(1);
  });

  it('counts the look past an embedded page of 10 conversations when hasNextPage is asked', () => {
    const query = (pageInfo: string) =>
      `{ ticket(id: "1") { conversations(first: 10) { nodes { id } ${pageInfo} } } }`;
    expect(estimate(query('')).credits).toBe(2);
    expect(estimate(query('pageInfo { hasNextPage }')).credits).toBe(3);
  });

  it("tells authors apart by the agent list: no call per contact author unless it's loaded", () => {
    const authors = (contact: string) =>
      `{ tickets(first: 5) { nodes { conversations(first: 10) { nodes { author { ... on Agent { name } ... on Contact { ${contact} } } } } } } }`;
    // The list, 5 conversation pages, the agent list, and the 50 possible contacts by id... or a
    // contact-list scan (10 pages while its size is unknown) and what it may miss.
    expect(estimate(authors('id'), [[AGENTS, directory]]).credits).toBe(1 + 5);
    expect(estimate(authors('id')).credits).toBe(1 + 5 + 1);
    expect(estimate(authors('name'), [[AGENTS, directory]]).credits).toBe(1 + 5 + 10 + 3);
    // With a key that may not list agents: its own agent, and every author asked for as a contact.
    const forbidden = { ...directory, forbidden: new Error('403') };
    expect(estimate(authors('id'), [[AGENTS, forbidden]]).credits).toBe(1 + 5 + 1 + 10 + 3);
  });

  it('follows back-references: a conversation is on the ticket it was listed under', () => {
    const nested =
      '{ ticket(id: "1") { conversations(first: 10) { nodes { ticket { id subject conversations(first: 10) { nodes { id } } } } } } }';
    // The ticket (conversations embedded) and nothing more: the nested read is the same one.
    expect(estimate(nested).credits).toBe(2);
    const deeper =
      '{ ticket(id: "1") { conversations(first: 5) { nodes { ticket { requester { tickets(first: 3) { nodes { conversations(first: 2) { nodes { id } } } } } } } } } }';
    // The ticket, its requester (full: tickets need only the id), one list page, 3 pages.
    expect(estimate(deeper).credits).toBe(2 + 1 + 3);
  });

  it('reads companies from the company list: one page while unknown, nothing while held', () => {
    expect(estimate('{ tickets(first: 30) { nodes { company { name } } } }').credits).toBe(2);
    expect(estimate('{ tickets(first: 30) { nodes { company { id } } } }').credits).toBe(1);
    expect(
      estimate('{ tickets(first: 30) { nodes { company { name domains } } } }', [
        [COMPANIES, { byId: new Map(), complete: true }],
      ]).credits,
    ).toBe(1);
    // Too many to list: embedded on lists (+2 a page), one call each for more than id and name.
    const large: [CacheEntry<unknown>, unknown][] = [
      [sizeOf('companies'), { pages: 3, complete: false }],
    ];
    expect(estimate('{ tickets(first: 30) { nodes { company { name } } } }', large).credits).toBe(
      3,
    );
    expect(
      estimate('{ tickets(first: 30) { nodes { company { domains } } } }', large).credits,
    ).toBe(31);
  });

  it('counts the knowledge-base tree from the held lists', () => {
    const tree =
      '{ solutionCategories { name folders { name articles(first: 5) { nodes { title } } } } }';
    const categories = [{ id: '1' }, { id: '2' }];
    const held: [CacheEntry<unknown>, unknown][] = [
      [CATEGORIES, categories],
      [foldersOf('1'), [{ id: 'a' }, { id: 'b' }, { id: 'c' }]],
      [foldersOf('2'), [{ id: 'd' }]],
    ];
    expect(estimate(tree, held).credits).toBe(4);
    expect(estimate(tree, held.slice(0, 2)).credits).toBe(1 + 3 + 5);
  });

  it('asks the plan state whether a read is already answered: then it costs nothing', () => {
    const query = '{ ticket(id: "7") { subject requester { name } } }';
    expect(estimate(query).credits).toBe(2);
    const answered = state([], true, ['/api/v2/tickets/7?include=requester']);
    expect(estimateOperation(parse(query), undefined, {}, answered).credits).toBe(0);
    const other = state([], true, ['/api/v2/tickets/7']);
    expect(estimateOperation(parse(query), undefined, {}, other).credits).toBe(2);
  });

  it('costs held whole lists nothing and counts each list once', () => {
    const query =
      '{ tickets(first: 5) { nodes { responder { name groups { name } } group { name } } } groups { name } }';
    expect(estimate(query).credits).toBe(1 + 2);
    expect(
      estimate(query, [
        [AGENTS, directory],
        [GROUPS, directory],
      ]).credits,
    ).toBe(1);
  });

  it('shares reads between aliases of one field, not between different windows', () => {
    const same = `{ ${Array.from({ length: 30 }, (_, i) => `a${i}: tickets(first: 5) { nodes { id } }`).join(' ')} }`;
    expect(estimate(same).credits).toBe(1);
    expect(
      estimate('{ a: tickets(first: 5) { nodes { id } } b: tickets(first: 6) { nodes { id } } }')
        .credits,
    ).toBe(2);
  });

  it('charges writes on their sub-limits and picks the named operation', () => {
    const doc = parse(
      'mutation A { createTicket(input: {subject: "s", description: "d", email: "a@b.co"}) { id } } query B { contacts { nodes { id } } }',
    );
    expect(
      estimateOperation(doc, 'A', {}, state([[sizeOf('contacts'), undefined]])).budgets,
    ).toEqual({ total: 2, ticket_create: 1 });
    expect(estimateOperation(doc, 'B', {}, state()).budgets).toEqual({
      total: 1,
      contacts_list: 1,
    });
    expect(estimateOperation(doc, undefined, {}, state()).credits).toBe(0);
  });

  it('costs nothing for introspection; the quota query only to check an unverified key', () => {
    expect(estimate('{ __schema { types { name } } }').credits).toBe(0);
    expect(estimate('{ quota { plan } }').credits).toBe(0);
    expect(
      estimateOperation(parse('{ quota { plan } }'), undefined, {}, state([], false)).credits,
    ).toBe(1);
  });

  it('is linear in the document: a fragment chain spread twice per level is expanded once', () => {
    const chain = (levels: number): string => {
      const fragments = Array.from(
        { length: levels },
        (_, i) => `fragment F${i} on Ticket { id ...F${i + 1} ...F${i + 1} }`,
      );
      fragments.push(`fragment F${levels} on Ticket { subject requester { name } }`);
      return `{ tickets(first: 5) { nodes { ...F0 } } } ${fragments.join(' ')}`;
    };
    // 2^64 expansions if fragments were expanded per spread: this only finishes if they are not.
    expect(estimate(chain(64)).credits).toBe(3);
    // Aliases with different windows at every level of a fragment chain multiply the distinct
    // positions (2^40): the walk stops at its bound and the operation is too complex to cost.
    const wide = Array.from(
      { length: 40 },
      (_, i) =>
        `fragment W${i} on Ticket { a: conversations(first: 1) { nodes { author { ... on Contact { tickets(first: 1) { nodes { ...W${i + 1} } } } } } } b: conversations(first: 2) { nodes { author { ... on Contact { tickets(first: 1) { nodes { ...W${i + 1} } } } } } } }`,
    );
    wide.push('fragment W40 on Ticket { id }');
    expect(estimate(`{ tickets(first: 2) { nodes { ...W0 } } } ${wide.join(' ')}`).credits).toBe(
      Number.POSITIVE_INFINITY,
    );
  });
});
