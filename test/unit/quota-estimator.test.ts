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

  it('embeds the company (+2 a list page, +1 on ticket(id)) when only id and name are selected', () => {
    expect(estimate('{ tickets(first: 30) { nodes { company { name } } } }')).toEqual({
      credits: 3,
      calls: 1,
      budgets: { total: 3, tickets_list: 3 },
    });
    expect(
      estimate('{ tickets(first: 30) { nodes { requester { name } company { id name } } } }')
        .credits,
    ).toBe(5);
    // Only the id: no embed and no call; other fields: one company call per ticket (upper bound).
    expect(estimate('{ tickets(first: 30) { nodes { company { id } } } }').credits).toBe(1);
    expect(estimate('{ tickets(first: 30) { nodes { company { domains } } } }').credits).toBe(31);
    // A one-ticket page embeds nothing: one company call instead.
    expect(estimate('{ tickets(first: 1) { nodes { company { name } } } }')).toMatchObject({
      credits: 2,
      calls: 2,
    });
    expect(estimate('{ ticket(id: "1") { company { name } } }')).toMatchObject({
      credits: 2,
      calls: 1,
    });
    // Search and writes embed nothing.
    expect(
      estimate('{ searchTickets(query: "priority:3") { nodes { company { name } } } }').credits,
    ).toBe(31);
    expect(
      estimate('mutation { updateTicket(id: "1", input: {priority: 2}) { company { name } } }')
        .credits,
    ).toBe(2);
  });

  it('follows named and inline fragments, and honours @skip / @include', () => {
    const query = `query($deep: Boolean!) {
        tickets(first: 10) { edges { node { ...T } } }
      }
      fragment T on Ticket { id ... on Ticket { company @include(if: $deep) { name ...C } } requester @skip(if: true) { phone active } }
      fragment C on Company { domains }`;
    expect(estimate(query, { deep: true }).credits).toBe(1 + 10);
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
