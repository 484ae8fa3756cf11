/** The shape checks of Freshdesk's answers (src/upstream/shape.ts) and the models' own checks. */
import { describe, expect, it } from 'vitest';
import { toGraphQLError } from '../../src/errors.ts';
import { checkAgent } from '../../src/upstream/agents.ts';
import { checkCompany } from '../../src/upstream/companies.ts';
import { checkContact } from '../../src/upstream/contacts.ts';
import { checkConversation } from '../../src/upstream/conversations.ts';
import { checkGroup } from '../../src/upstream/groups.ts';
import { checkSatisfactionRating } from '../../src/upstream/satisfaction-ratings.ts';
import * as shape from '../../src/upstream/shape.ts';
import { checkArticle, checkCategory, checkFolder } from '../../src/upstream/solutions.ts';
import { checkTicketField } from '../../src/upstream/ticket-fields.ts';
import { checkTicket, TICKET_PAGE } from '../../src/upstream/tickets.ts';
import { UpstreamError } from '../../src/upstream/upstream-error.ts';
import { RECORDS } from '../fuzz/records.ts';

const response = (data: unknown, method = 'GET') => ({
  method,
  path: '/api/v2/tickets?page=1&per_page=100',
  status: method === 'POST' ? 201 : 200,
  data,
  nextPage: undefined,
  requestId: 'req-1',
  credits: 1,
  headers: {},
});

describe('ids', () => {
  it.each([0, 1, 50_000_067_379, Number.MAX_SAFE_INTEGER])('accepts %d', (id) => {
    expect(shape.id(id, 'id')).toBeUndefined();
  });
  it.each([2 ** 53, -1, 1.5, '1', '12345678901234567890', null, undefined, Number.NaN])(
    'refuses %s',
    (id) => {
      expect(shape.id(id, 'id')).toMatchObject({
        path: 'id',
        expected: expect.stringMatching(/id/),
      });
    },
  );
  it('lets null and absent through where the id is optional', () => {
    expect(shape.optionalId(null, 'group_id')).toBeUndefined();
    expect(shape.optionalId(undefined, 'group_id')).toBeUndefined();
    expect(shape.optionalId('7', 'group_id')?.path).toBe('group_id');
  });
});

describe('times', () => {
  it.each([
    '2026-01-31T12:00:00Z',
    '2026-01-31T17:30:00+05:30',
    '2026-01-31T17:30:00+0530',
    '2026-01-31T12:00:00.123Z',
    '2026-01-31T12:00',
  ])('accepts %s', (time) => {
    expect(shape.isInstant(time)).toBe(true);
  });
  it.each([
    '2026-13-01T00:00:00Z',
    '2026-01-32T00:00:00Z',
    '2026-01-01T24:00:00Z',
    '2026-01-01T12:00:00+05',
    '2026-01-01',
    'yesterday',
    '',
    1_767_225_600_000,
    null,
  ])('refuses %s', (time) => {
    expect(shape.isInstant(time)).toBe(false);
  });
});

describe("the models' checks", () => {
  it.each([
    ['ticket', checkTicket],
    ['conversation', checkConversation],
    ['contact', checkContact],
    ['agent', checkAgent],
    ['group', checkGroup],
    ['company', checkCompany],
    ['category', checkCategory],
    ['folder', checkFolder],
    ['article', checkArticle],
    ['ticketField', checkTicketField],
    ['rating', checkSatisfactionRating],
  ] as const)(
    'pass a %s as Freshdesk writes it, with fields the gateway never heard of',
    (kind, check) => {
      expect(check(RECORDS[kind])).toBeUndefined();
      expect(check({ ...RECORDS[kind], some_new_field: { x: [1] } })).toBeUndefined();
    },
  );

  it('name the first mismatch by its path in the answer', () => {
    const good = RECORDS.ticket as Record<string, unknown>;
    const conversations = good.conversations as Record<string, unknown>[];
    const bad = { ...good, conversations: [{ ...conversations[0], ticket_id: 'one' }] };
    expect(TICKET_PAGE([good, bad])).toEqual(
      new shape.Mismatch('[1].conversations[0].ticket_id', expect.stringMatching(/^an id/)),
    );
    expect(TICKET_PAGE([good, { ...good, tags: ['a', 2] }])?.path).toBe('[1].tags[1]');
    expect(TICKET_PAGE({ ...good })).toEqual(new shape.Mismatch('', 'a list'));
    expect(checkTicket({ ...good, priority: 5 })?.path).toBe('priority');
    expect(checkTicket({ ...good, company: {} })).toBeUndefined();
    expect(checkTicket({ ...good, company: { name: 'Acme' } })?.path).toBe('company.id');
  });
});

describe('checked', () => {
  it('returns the body that fits', () => {
    const body = [RECORDS.ticket];
    expect(shape.checked(response(body), TICKET_PAGE)).toBe(body);
  });

  it('throws the upstream error of a malformed answer, retryable for a read', () => {
    let error: unknown;
    try {
      shape.checked(response({ tickets: [] }), TICKET_PAGE);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(UpstreamError);
    expect(error).toMatchObject({
      kind: 'malformed',
      method: 'GET',
      path: '/api/v2/tickets?page=1&per_page=100',
      status: 200,
      requestId: 'req-1',
      retryable: true,
    });
    const graphql = toGraphQLError(error as UpstreamError);
    expect(graphql.extensions).toEqual({
      code: 'BAD_GATEWAY',
      upstream: {
        status: 200,
        method: 'GET',
        path: '/api/v2/tickets?page=1&per_page=100',
        requestId: 'req-1',
      },
      retryable: true,
    });
    expect(graphql.message).toBe(
      "Freshdesk (or a proxy in front of it) gave an invalid answer. Freshdesk's answer does not have the expected shape: the body should be a list.",
    );
  });

  it('says a write that answered garbage may have been made, and is not to be repeated', () => {
    let error: unknown;
    try {
      shape.checked(response({ ...RECORDS.ticket, id: null }, 'POST'), checkTicket);
    } catch (caught) {
      error = caught;
    }
    const graphql = toGraphQLError(error as UpstreamError);
    expect(graphql.extensions).toMatchObject({ code: 'BAD_GATEWAY', retryable: false });
    expect(graphql.message).toContain('`id` should be an id');
    expect(graphql.message).toContain('The change may have been made');
  });
});
