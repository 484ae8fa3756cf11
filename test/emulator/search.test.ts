import { describe, expect, it } from 'vitest';
import { ApiError } from '../../src/emulator/http.ts';
import type { ContactRecord, TicketRecord } from '../../src/emulator/records.ts';
import { compileSearch, SEARCH_FORMAT_MESSAGE } from '../../src/emulator/search.ts';
import { seedData } from '../../src/emulator/seed.ts';

const NOW = Date.parse('2026-03-01T12:00:00Z');
const data = seedData({ now: NOW, tickets: 20 });
const base = data.tickets.get(1)!;
const baseContact = [...data.contacts.values()][0]!;
const AGENT = [...data.agents.keys()][3]!;
const GROUP = [...data.groups.keys()][1]!;

function ticket(id: number, overrides: Partial<TicketRecord> = {}): TicketRecord {
  return {
    ...base,
    id,
    status: 2,
    priority: 1,
    type: 'Question',
    tags: [],
    responder_id: null,
    group_id: null,
    spam: false,
    deleted: undefined,
    created_at: '2026-01-15T10:00:00Z',
    updated_at: '2026-01-20T10:00:00Z',
    due_by: '2026-01-18T10:00:00Z',
    fr_due_by: '2026-01-16T10:00:00Z',
    custom_fields: {
      cf_plan: null,
      cf_order_number: null,
      cf_refund_amount: null,
      cf_vip: false,
      cf_product: null,
      cf_component: null,
      cf_version: null,
    },
    ...overrides,
  } as TicketRecord;
}

const tickets: TicketRecord[] = [
  ticket(1, { status: 2, priority: 3, tags: ['billing'], responder_id: AGENT }),
  ticket(2, { status: 3, priority: 1, type: 'Problem', group_id: GROUP }),
  ticket(3, {
    status: 4,
    priority: 4,
    type: 'Refund',
    created_at: '2026-01-01T00:00:00Z',
    custom_fields: {
      ...ticket(0).custom_fields,
      cf_plan: 'Pro',
      cf_vip: true,
      cf_refund_amount: 12.5,
    },
  }),
  ticket(4, {
    status: 6,
    priority: 2,
    created_at: '2025-12-31T23:59:59Z',
    tags: ['billing', 'vip'],
    custom_fields: {
      ...ticket(0).custom_fields,
      cf_product: 'Widget',
      cf_component: 'Engine',
      cf_version: 'v2',
      cf_order_number: "ORD-1'2",
    },
  }),
  ticket(5, { status: 2, priority: 3, spam: true, tags: ['billing'] }),
  ticket(6, { status: 2, priority: 3, deleted: true, tags: ['billing'] }),
];

function ids(query: string): number[] {
  const match = compileSearch('tickets', query, data);
  return tickets.filter((t) => match(t, data)).map((t) => t.id);
}

function contact(id: number, overrides: Partial<ContactRecord>): ContactRecord {
  return { ...baseContact, id, deleted: undefined, ...overrides } as ContactRecord;
}

const contacts: ContactRecord[] = [
  contact(1, {
    email: 'Jane.Doe@Example.com',
    active: true,
    company_id: 51_000_001_001,
    language: 'en',
    tags: ['vip'],
    custom_fields: { loyalty_tier: 'gold', newsletter: true, seats: 10 },
  }),
  contact(2, {
    email: null,
    phone: '+1-555-1000',
    active: false,
    company_id: null,
    language: 'de',
    tags: [],
    custom_fields: { loyalty_tier: null, newsletter: false, seats: null },
  }),
  contact(3, { email: 'gone@example.com', deleted: true, _state: 'deleted' }),
  contact(4, {
    email: 'main@example.com',
    other_emails: ['alias@example.com'],
    custom_fields: { loyalty_tier: 'silver', newsletter: false, seats: 2 },
  }),
];

function contactIds(query: string): number[] {
  const match = compileSearch('contacts', query, data);
  return contacts.filter((c) => match(c, data)).map((c) => c.id);
}

/** The validation body's single error for `query`. */
function errorOf(kind: 'tickets' | 'contacts', query: string): { message: string; code: string } {
  try {
    compileSearch(kind, query, data);
  } catch (error) {
    expect(error).toBeInstanceOf(ApiError);
    const api = error as ApiError;
    expect(api.status).toBe(400);
    const body = api.body as {
      description: string;
      errors: { field: string; message: string; code: string }[];
    };
    expect(body.description).toBe('Validation failed');
    expect(body.errors).toHaveLength(1);
    expect(body.errors[0]!.field).toBe('query');
    return { message: body.errors[0]!.message, code: body.errors[0]!.code };
  }
  throw new Error(`expected ${query} to be refused`);
}

describe('quoting and length', () => {
  it.each(['priority:3', '"priority:3', 'priority:3"', '"', '""', "'priority:3'"])(
    'refuses %s with the format message',
    (query) => {
      expect(errorOf('tickets', query)).toEqual({
        message: SEARCH_FORMAT_MESSAGE,
        code: 'invalid_value',
      });
    },
  );

  it('uses Freshdesk’s exact format message', () => {
    expect(SEARCH_FORMAT_MESSAGE).toBe(
      'Given query is invalid, expected format "keyword:value OPERATOR keyword:\'string\' ..."',
    );
  });

  it('allows 512 characters inside the quotes and refuses 513', () => {
    const term = 'priority:1 OR ';
    let inner = term.repeat(Math.floor(500 / term.length));
    inner += 'priority:2';
    inner += ' '.repeat(512 - inner.length);
    expect(inner).toHaveLength(512);
    expect(ids(`"${inner}"`)).toEqual([2, 4]);
    expect(errorOf('tickets', `"${inner} "`)).toEqual({
      message: 'Has 513 characters, it can have maximum of 512 characters',
      code: 'invalid_value',
    });
  });
});

describe('grammar', () => {
  it('matches one term', () => {
    expect(ids('"priority:3"')).toEqual([1]);
    expect(ids('"status:2"')).toEqual([1]);
  });

  it('joins with AND and OR, AND binding tighter', () => {
    expect(ids('"priority:3 AND status:2"')).toEqual([1]);
    expect(ids('"priority:1 OR priority:4"')).toEqual([2, 3]);
    // status:4 OR (status:2 AND priority:1): ticket 1 is status 2 but priority 3.
    expect(ids('"status:4 OR status:2 AND priority:1"')).toEqual([3]);
    expect(ids('"status:2 AND priority:1 OR status:4"')).toEqual([3]);
  });

  it('groups with parentheses', () => {
    expect(ids('"(status:4 OR status:2) AND priority:3"')).toEqual([1]);
    expect(ids('"((status:4 OR status:2)) AND (priority:3 OR priority:4)"')).toEqual([1, 3]);
    expect(ids('"(status:2)"')).toEqual([1]);
  });

  it.each([
    '"priority:3 AND"',
    '"AND priority:3"',
    '"priority:3 status:2"',
    '"(priority:3"',
    '"priority:3)"',
    '"()"',
    '"priority:3 and status:2"',
    '"priority:3 && status:2"',
    '"priority:3AND status:2"',
    '"priority:"',
    '"priority 3"',
    '"type:\'Problem"',
    '"type:Problem"',
    '"priority:=3"',
  ])('refuses the malformed %s with the format message', (query) => {
    expect(errorOf('tickets', query).message).toBe(SEARCH_FORMAT_MESSAGE);
  });

  it('tolerates spaces around parentheses and terms', () => {
    expect(ids('"  ( priority:3 )  "')).toEqual([1]);
  });

  it('reads escaped quotes inside strings', () => {
    expect(ids("\"cf_order_number:'ORD-1\\'2'\"")).toEqual([4]);
  });
});

describe('ticket fields', () => {
  it('maps agent_id to responder_id and handles null', () => {
    expect(ids(`"agent_id:${AGENT}"`)).toEqual([1]);
    expect(ids('"agent_id:null"')).toEqual([2, 3, 4]);
    expect(ids(`"group_id:${GROUP}"`)).toEqual([2]);
  });

  it('matches tags and tag:null', () => {
    expect(ids('"tag:\'billing\'"')).toEqual([1, 4]);
    expect(ids('"tag:\'vip\'"')).toEqual([4]);
    expect(ids('"tag:null"')).toEqual([2, 3]);
  });

  it('matches type exactly and checks it against the choices', () => {
    expect(ids('"type:\'Problem\'"')).toEqual([2]);
    expect(errorOf('tickets', '"type:\'problem\'"').message).toBe(
      "type: It should be one of these values: 'Question,Incident,Problem,Feature Request,Refund'",
    );
  });

  it('checks status and priority against the choices', () => {
    expect(errorOf('tickets', '"status:9"').message).toBe(
      "status: It should be one of these values: '2,3,4,5,6,7'",
    );
    expect(errorOf('tickets', '"priority:5"').message).toBe(
      "priority: It should be one of these values: '1,2,3,4'",
    );
  });

  it('compares numbers with :> (>=) and :< (<=)', () => {
    expect(ids('"priority:>3"')).toEqual([1, 3]);
    expect(ids('"priority:<2"')).toEqual([2, 4]);
    expect(ids('"status:>4 OR status:<2"')).toEqual([1, 3, 4]);
  });

  it('treats dates as UTC days', () => {
    expect(ids('"created_at:\'2026-01-01\'"')).toEqual([3]);
    expect(ids('"created_at:\'2025-12-31\'"')).toEqual([4]);
    // :> is from the start of the day on, :< through the end of the day.
    expect(ids('"created_at:>\'2026-01-01\'"')).toEqual([1, 2, 3]);
    expect(ids('"created_at:<\'2025-12-31\'"')).toEqual([4]);
    expect(ids("\"created_at:>'2026-01-02' AND created_at:<'2026-01-15'\"")).toEqual([1, 2]);
    expect(ids('"due_by:<\'2026-01-17\'"')).toEqual([]);
    expect(ids('"fr_due_by:\'2026-01-16\'"')).toEqual([1, 2, 3, 4]);
    expect(ids('"updated_at:>\'2026-01-21\'"')).toEqual([]);
  });

  it('refuses bad dates', () => {
    for (const bad of ['2026-02-30', '2026-1-5', '01-01-2026', '2026-01-01T00:00:00Z']) {
      expect(errorOf('tickets', `"created_at:'${bad}'"`).message).toBe(
        `created_at: It should be a/an date in single quotes ('YYYY-MM-DD'), given '${bad}'`,
      );
    }
    expect(errorOf('tickets', '"created_at:20260101"').message).toBe(
      "created_at: It should be a/an date in single quotes ('YYYY-MM-DD')",
    );
  });

  it('matches custom fields by type', () => {
    expect(ids('"cf_plan:\'Pro\'"')).toEqual([3]);
    expect(ids('"cf_vip:true"')).toEqual([3]);
    expect(ids('"cf_vip:false"')).toEqual([1, 2, 4]);
    expect(ids('"cf_refund_amount:>10"')).toEqual([3]);
    expect(ids('"cf_refund_amount:12.5"')).toEqual([3]);
    expect(ids("\"cf_product:'Widget' AND cf_component:'Engine' AND cf_version:'v2'\"")).toEqual([
      4,
    ]);
    expect(ids('"cf_plan:null AND cf_product:null"')).toEqual([1, 2]);
    expect(errorOf('tickets', '"cf_plan:\'Platinum\'"').message).toBe(
      "cf_plan: It should be one of these values: 'Free,Starter,Pro,Enterprise'",
    );
    expect(errorOf('tickets', '"cf_component:\'Wheel\'"').message).toMatch(
      /^cf_component: It should be one of these values: '.*Engine.*'$/,
    );
  });

  it('refuses values of the wrong type', () => {
    expect(errorOf('tickets', '"priority:\'3\'"').message).toBe(
      'priority: It should be a/an Integer',
    );
    expect(errorOf('tickets', '"priority:1.5"').message).toBe(
      'priority: It should be a/an Integer',
    );
    expect(errorOf('tickets', '"type:3"').message).toBe(
      "type: It should be a/an String in single quotes ('...')",
    );
    expect(errorOf('tickets', '"cf_vip:\'true\'"').message).toBe(
      'cf_vip: It should be a/an Boolean (true or false)',
    );
    expect(errorOf('tickets', '"tag:true"').message).toBe(
      "tag: It should be a/an String in single quotes ('...')",
    );
  });

  it('refuses :> and :< on fields that are not numbers or dates', () => {
    expect(errorOf('tickets', '"type:>\'Problem\'"').message).toBe(
      "type: the operators ':>' and ':<' work only on number and date fields",
    );
    expect(errorOf('tickets', '"cf_vip:<true"').message).toBe(
      "cf_vip: the operators ':>' and ':<' work only on number and date fields",
    );
    expect(errorOf('tickets', '"priority:>null"').message).toBe(
      "priority: null cannot be used with ':>' or ':<'",
    );
  });

  it('refuses unknown and wrongly cased fields', () => {
    const error = errorOf('tickets', '"Priority:3"');
    expect(error.message).toMatch(
      /^'Priority' is not a valid field\. It should be one of these values: 'agent_id,group_id,priority,status,tag,type,due_by,fr_due_by,created_at,updated_at,cf_plan,/,
    );
    expect(error.code).toBe('invalid_value');
    expect(errorOf('tickets', '"responder_id:1"').message).toMatch(
      /^'responder_id' is not a valid field/,
    );
    expect(errorOf('tickets', '"email:\'a@b.c\'"').message).toMatch(
      /^'email' is not a valid field/,
    );
  });

  it('never matches spam or deleted tickets', () => {
    expect(ids('"priority:3"')).not.toContain(5);
    expect(ids('"priority:3"')).not.toContain(6);
  });

  it('works on the seeded data', () => {
    const big = seedData({ now: NOW });
    const match = compileSearch('tickets', '"status:2 AND cf_plan:\'Pro\'"', big);
    const found = [...big.tickets.values()].filter((t) => match(t, big));
    expect(found.length).toBeGreaterThan(0);
    for (const t of found) {
      expect(t.status).toBe(2);
      expect(t.custom_fields.cf_plan).toBe('Pro');
      expect(t.spam || t.deleted === true).toBe(false);
    }
  });
});

describe('contact fields', () => {
  it('compares emails case-insensitively, including other emails', () => {
    expect(contactIds('"email:\'jane.doe@example.com\'"')).toEqual([1]);
    expect(contactIds('"email:\'ALIAS@example.com\'"')).toEqual([4]);
    expect(contactIds('"email:null"')).toEqual([2]);
  });

  it('matches the other fields', () => {
    expect(contactIds('"active:false"')).toEqual([2]);
    expect(contactIds('"company_id:51000001001"')).toEqual([1]);
    expect(contactIds('"phone:\'+1-555-1000\'"')).toEqual([2]);
    expect(contactIds("\"language:'de' OR tag:'vip'\"")).toEqual([1, 2]);
    expect(contactIds('"company_id:null AND active:false"')).toEqual([2]);
  });

  it('matches contact custom fields, which have no cf_ prefix', () => {
    expect(contactIds('"loyalty_tier:\'gold\'"')).toEqual([1]);
    expect(contactIds('"newsletter:true"')).toEqual([1]);
    expect(contactIds('"seats:>5"')).toEqual([1]);
    expect(errorOf('contacts', '"cf_loyalty_tier:\'gold\'"').message).toMatch(
      /^'cf_loyalty_tier' is not a valid field/,
    );
  });

  it('never matches deleted contacts', () => {
    expect(contactIds('"email:\'gone@example.com\'"')).toEqual([]);
  });

  it('refuses ticket-only fields and wrong types', () => {
    expect(errorOf('contacts', '"priority:1"').message).toMatch(/^'priority' is not a valid field/);
    expect(errorOf('contacts', '"active:\'true\'"').message).toBe(
      'active: It should be a/an Boolean (true or false)',
    );
    expect(errorOf('contacts', '"email:>\'a\'"').message).toBe(
      "email: the operators ':>' and ':<' work only on number and date fields",
    );
  });
});
