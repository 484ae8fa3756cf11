/** The cost estimator on documents alone: arguments, variables, fragments, directives, caches. */
import { parse } from 'graphql';
import { describe, expect, it } from 'vitest';
import { estimateOperation } from '../../src/quota/estimator.ts';

const estimate = (query: string, variables: Record<string, unknown> = {}, cached: string[] = []) =>
  estimateOperation(parse(query), undefined, variables, {
    cached: (list) => cached.includes(list),
  });

describe('estimateOperation', () => {
  it('charges a ticket list page +2 per embed, on the tickets-list budget', () => {
    const result = estimate(
      'query($n: Int) { tickets(first: $n) { nodes { description requester { name } } } }',
      { n: 40 },
    );
    expect(result).toEqual({ credits: 5, calls: 1, budgets: { total: 5, tickets_list: 5 } });
  });

  it('reads companies from the company list: one page while unknown, nothing while cached', () => {
    expect(estimate('{ tickets(first: 30) { nodes { company { name } } } }')).toEqual({
      credits: 2,
      calls: 2,
      budgets: { total: 2, tickets_list: 1 },
    });
    // The list counts once per operation, whatever asks for it (here: the ticket's company and the
    // requester's, the requesters from a contact-list scan of up to 10 pages).
    expect(
      estimate(
        '{ tickets(first: 30) { nodes { company { domains } requester { company { name } } } } }',
      ).credits,
    ).toBe(1 + 1 + 10);
    // Only the id: no read at all.
    expect(estimate('{ tickets(first: 30) { nodes { company { id } } } }').credits).toBe(1);
    const cached = ['companies'];
    expect(
      estimate('{ tickets(first: 30) { nodes { company { name domains } } } }', {}, cached).credits,
    ).toBe(1);
    // ticket(id) embeds the company (+1) unless the list is cached.
    expect(estimate('{ ticket(id: "1") { company { name } } }')).toMatchObject({
      credits: 2,
      calls: 1,
    });
    expect(estimate('{ ticket(id: "1") { company { name } } }', {}, cached).credits).toBe(1);
    // A learned size of two pages costs two.
    expect(
      estimateOperation(
        parse('{ company(id: "1") { name } }'),
        undefined,
        {},
        {
          listSize: (list) => (list === 'companies' ? { pages: 2, complete: true } : undefined),
        },
      ).credits,
    ).toBe(1);
    expect(
      estimateOperation(
        parse('{ tickets(first: 30) { nodes { company { domains } } } }'),
        undefined,
        {},
        { listSize: (list) => (list === 'companies' ? { pages: 2, complete: true } : undefined) },
      ).credits,
    ).toBe(3);
  });

  it('embeds the company (+2 a list page) or loads it by id on an account with too many', () => {
    const large = (query: string) =>
      estimateOperation(
        parse(query),
        undefined,
        {},
        {
          listSize: (list) => (list === 'companies' ? { pages: 3, complete: false } : undefined),
        },
      );
    expect(large('{ tickets(first: 30) { nodes { company { name } } } }')).toEqual({
      credits: 3,
      calls: 1,
      budgets: { total: 3, tickets_list: 3 },
    });
    expect(
      large('{ tickets(first: 30) { nodes { requester { name } company { id name } } } }').credits,
    ).toBe(5);
    expect(large('{ tickets(first: 30) { nodes { company { domains } } } }').credits).toBe(31);
    // A one-ticket page embeds nothing: one company call instead.
    expect(large('{ tickets(first: 1) { nodes { company { name } } } }')).toMatchObject({
      credits: 2,
      calls: 2,
    });
    // Search and writes embed nothing.
    expect(
      large('{ searchTickets(query: "priority:3") { nodes { company { name } } } }').credits,
    ).toBe(31);
    expect(
      large('mutation { updateTicket(id: "1", input: {priority: 2}) { company { name } } }')
        .credits,
    ).toBe(2);
  });

  it('counts a contact-list scan for many full contacts, by id for few or a full sub-limit', () => {
    const query = (n: number) => `{ tickets(first: ${n}) { nodes { requester { id tags } } } }`;
    const withSize = (n: number, size?: { pages: number; complete: boolean }, room?: number) =>
      estimateOperation(
        parse(query(n)),
        undefined,
        {},
        {
          listSize: (list) => (list === 'contacts' ? size : undefined),
          remaining: (budget) => (budget === 'contacts_list' ? room : undefined),
        },
      );
    // Unknown size: up to a third of the ids in pages, at most 10.
    expect(withSize(30).budgets).toEqual({ total: 11, tickets_list: 1, contacts_list: 10 });
    expect(withSize(12).credits).toBe(1 + 4);
    expect(withSize(2).credits).toBe(1 + 2);
    // Known to fit in 5 pages: 5, when 5 is at most a third of the ids.
    expect(withSize(30, { pages: 5, complete: true }).credits).toBe(1 + 5);
    expect(withSize(14, { pages: 5, complete: true }).credits).toBe(1 + 14);
    // Known to be larger than 10 pages, or no room on the sub-limit: by id.
    expect(withSize(60, { pages: 10, complete: false }).credits).toBe(1 + 60);
    expect(withSize(30, { pages: 5, complete: true }, 4).credits).toBe(1 + 30);
  });

  it('follows named and inline fragments, and honours @skip / @include', () => {
    const query = `query($deep: Boolean!) {
        tickets(first: 10) { edges { node { ...T } } }
      }
      fragment T on Ticket { id ... on Ticket { company @include(if: $deep) { name ...C } } requester @skip(if: true) { phone active } }
      fragment C on Company { domains }`;
    // Deep: the company list (one page while its size is unknown).
    expect(estimate(query, { deep: true }).credits).toBe(1 + 1);
    expect(estimate(query, { deep: false }).credits).toBe(1);
  });

  it('costs cached whole lists nothing and counts each list once', () => {
    const query =
      '{ tickets(first: 5) { nodes { responder { name groups { name } } group { name } } } groups { name } }';
    expect(estimate(query).credits).toBe(1 + 2);
    expect(estimate(query, {}, ['agents', 'groups']).credits).toBe(1);
  });

  it('embeds conversations on ticket(id) for first <= 10 and pages them otherwise', () => {
    expect(
      estimate('{ ticket(id: "1") { conversations(first: 10) { nodes { id } } } }').credits,
    ).toBe(2);
    expect(
      estimate('{ ticket(id: "1") { conversations(first: 11) { nodes { id } } } }').credits,
    ).toBe(2);
    expect(
      estimate('{ ticket(id: "1") { conversations(first: 5, after: "x") { nodes { id } } } }')
        .credits,
    ).toBe(3);
  });

  it('charges writes on their sub-limits and picks the named operation', () => {
    const doc = parse(
      'mutation A { createTicket(input: {subject: "s", description: "d"}) { id } } query B { contacts { nodes { id } } }',
    );
    expect(estimateOperation(doc, 'A', {}).budgets).toEqual({ total: 1, ticket_create: 1 });
    expect(estimateOperation(doc, 'B', {}).budgets).toEqual({ total: 1, contacts_list: 1 });
    expect(estimateOperation(doc, undefined, {}).credits).toBe(0);
  });

  it('costs nothing for introspection and the quota query once the plan is known', () => {
    expect(estimate('{ __schema { types { name } } }').credits).toBe(0);
    expect(
      estimateOperation(parse('{ quota { plan } }'), undefined, {}, { quotaKnown: true }).credits,
    ).toBe(0);
  });
});
