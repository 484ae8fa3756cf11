/**
 * Contacts and companies over real sockets: every field against the emulator's data, paging and
 * filters, the loading plan (a list primes the per-request contact loader; companies once each),
 * and the two mutations, including Freshdesk's 409 for a duplicate e-mail.
 */
import { describe, expect, it } from 'vitest';
import type { ContactRecord } from '../../src/emulator/records.ts';
import {
  ContactByIdDocument,
  type ContactFieldsFragment,
  ContactIdsPageDocument,
  ContactsPageDocument,
  CreateContactDocument,
  UpdateContactDocument,
} from '../gql/graphql.ts';
import { type Stack, withStack } from '../helpers/gateway.ts';

/** Freshdesk's contact list order: by name (case-insensitive), then id. */
const byNameThenId = (a: ContactRecord, b: ContactRecord) =>
  a.name.localeCompare(b.name, 'en', { sensitivity: 'base' }) || a.id - b.id;

function expectSameContact(stack: Stack, node: ContactFieldsFragment): void {
  const record = stack.emulator.data.contacts.get(Number(node.id));
  expect(record, node.id).toBeDefined();
  if (!record) {
    return;
  }
  expect(node.id).toBe(String(record.id));
  expect(node).toMatchObject({
    name: record.name,
    email: record.email,
    phone: record.phone,
    mobile: record.mobile,
    active: record.active,
    tags: record.tags,
    customFields: record.custom_fields,
    createdAt: record.created_at,
    updatedAt: record.updated_at,
  });
  if (record.company_id === null) {
    expect(node.company).toBeNull();
  } else {
    expect(node.company).toEqual({
      id: String(record.company_id),
      name: stack.emulator.data.companies.get(record.company_id)?.name,
    });
  }
}

describe('contacts', () => {
  let stack: Stack;
  const listed = () =>
    [...stack.emulator.data.contacts.values()]
      .filter((c) => c._state !== 'deleted' && c._state !== 'blocked')
      .sort(byNameThenId);

  withStack({ emulator: { tickets: 20, rateLimit: false } }, (started) => {
    stack = started;
  });

  it('resolves every Contact field of contact(id), ids above 2^32 as exact strings', async () => {
    const record = [...stack.emulator.data.contacts.values()].find(
      (c) => c.company_id !== null && c.tags.length > 0,
    );
    expect(record).toBeDefined();
    const result = await stack.gql(ContactByIdDocument, { id: String(record?.id) });
    expect(result.errors).toBeUndefined();
    const node = result.data?.contact;
    expect(node).toBeTruthy();
    if (node) {
      expect(Number(node.id)).toBeGreaterThan(2 ** 32);
      expectSameContact(stack, node);
    }
    // The company comes from the company list (40 companies: one page), read once and kept.
    expect(stack.emulator.stats().calls).toEqual({
      'GET /contacts/:id': 1,
      'GET /companies': 1,
    });
  });

  it('lists a page in one call, its companies from the cached company list, no contact again', async () => {
    const result = await stack.gql(ContactsPageDocument, { first: 30 });
    expect(result.errors).toBeUndefined();
    const nodes = result.data?.contacts.edges.map((e) => e.node) ?? [];
    expect(nodes.map((n) => n.id)).toEqual(
      listed()
        .slice(0, 30)
        .map((c) => String(c.id)),
    );
    for (const node of nodes) {
      expectSameContact(stack, node);
    }
    expect(nodes.some((n) => n.company !== null)).toBe(true);
    expect(stack.emulator.stats().calls).toEqual({ 'GET /contacts': 1 });
    expect(result.data?.contacts.pageInfo.hasNextPage).toBe(true);
  });

  it('pages to the end returning every listed contact exactly once, one call a page', async () => {
    const ids: string[] = [];
    let after: string | null | undefined;
    let pages = 0;
    do {
      const page = await stack.gql(ContactIdsPageDocument, { first: 100, after });
      expect(page.errors).toBeUndefined();
      ids.push(...(page.data?.contacts.nodes.map((n) => n.id) ?? []));
      pages += 1;
      after = page.data?.contacts.pageInfo.hasNextPage
        ? page.data.contacts.pageInfo.endCursor
        : null;
    } while (after);
    expect(ids).toEqual(listed().map((c) => String(c.id)));
    expect(stack.emulator.stats().calls).toEqual({ 'GET /contacts': pages });
  });

  it('keeps the order when the page size changes between pages', async () => {
    const first = await stack.gql(ContactIdsPageDocument, { first: 30 });
    const cursor = first.data?.contacts.pageInfo.endCursor;
    const second = await stack.gql(ContactIdsPageDocument, { first: 45, after: cursor });
    expect(second.data?.contacts.nodes.map((n) => n.id)).toEqual(
      listed()
        .slice(30, 75)
        .map((c) => String(c.id)),
    );
  });

  it('filters by email, company, state and updatedSince', async () => {
    const withCompany = listed().find((c) => c.company_id !== null && c.email !== null);
    const byEmail = await stack.gql(ContactIdsPageDocument, {
      filter: { email: withCompany?.email?.toUpperCase() },
    });
    expect(byEmail.data?.contacts.nodes.map((n) => n.id)).toEqual([String(withCompany?.id)]);

    const companyId = withCompany?.company_id ?? 0;
    const byCompany = await stack.gql(ContactIdsPageDocument, {
      first: 100,
      filter: { companyId: String(companyId) },
    });
    const expected = listed().filter(
      (c) =>
        c.company_id === companyId || c.other_companies.some((o) => o.company_id === companyId),
    );
    expect(byCompany.data?.contacts.nodes.map((n) => n.id)).toEqual(
      expected.map((c) => String(c.id)),
    );

    const blocked = await stack.gql(ContactIdsPageDocument, {
      first: 100,
      filter: { state: 'BLOCKED' },
    });
    expect(blocked.data?.contacts.nodes.length).toBeGreaterThan(0);
    expect(blocked.data?.contacts.nodes.map((n) => n.id).sort()).toEqual(
      [...stack.emulator.data.contacts.values()]
        .filter((c) => c._state === 'blocked')
        .map((c) => String(c.id))
        .sort(),
    );

    const times = listed()
      .map((c) => c.updated_at)
      .sort();
    const since = times[times.length - 5] as string;
    const recent = await stack.gql(ContactIdsPageDocument, {
      first: 100,
      filter: { updatedSince: since },
    });
    expect(recent.data?.contacts.nodes.map((n) => n.id).sort()).toEqual(
      listed()
        .filter((c) => c.updated_at >= since)
        .map((c) => String(c.id))
        .sort(),
    );
  });

  it('creates a contact and updates it, changing the emulator data', async () => {
    const company = [...stack.emulator.data.companies.values()][0];
    const customKey = Object.keys(
      [...stack.emulator.data.contacts.values()][0]?.custom_fields ?? {},
    )[0];
    const created = await stack.gql(CreateContactDocument, {
      input: {
        name: 'Ada Lovelace',
        email: 'ada@analytical.test',
        phone: '+44 20 7946 0000',
        companyId: String(company?.id),
        tags: ['vip', 'math'],
        ...(customKey ? { customFields: { [customKey]: 'engine' } } : {}),
      },
    });
    expect(created.errors).toBeUndefined();
    const node = created.data?.createContact;
    expect(node?.id).toMatch(/^\d+$/);
    const record = stack.emulator.data.contacts.get(Number(node?.id));
    expect(record).toMatchObject({
      name: 'Ada Lovelace',
      email: 'ada@analytical.test',
      phone: '+44 20 7946 0000',
      company_id: company?.id,
      tags: ['vip', 'math'],
    });
    if (customKey) {
      expect(record?.custom_fields[customKey]).toBe('engine');
    }
    if (node) {
      expectSameContact(stack, node);
    }
    expect(stack.emulator.stats().writes).toEqual({ 'POST /contacts': 1 });

    const updated = await stack.gql(UpdateContactDocument, {
      id: String(node?.id),
      input: { mobile: '+44 7700 900000', tags: ['vip'], companyId: null },
    });
    expect(updated.errors).toBeUndefined();
    expect(stack.emulator.data.contacts.get(Number(node?.id))).toMatchObject({
      name: 'Ada Lovelace',
      mobile: '+44 7700 900000',
      tags: ['vip'],
      company_id: null,
    });
    expect(updated.data?.updateContact).toMatchObject({
      mobile: '+44 7700 900000',
      tags: ['vip'],
      company: null,
    });
  });

  it('reports a duplicate e-mail as CONFLICT with the field errors', async () => {
    const taken = listed().find((c) => c.email !== null);
    const result = await stack.gql(CreateContactDocument, {
      input: { name: 'Copycat', email: taken?.email },
    });
    expect(result.data).toBeNull();
    const error = result.errors?.[0];
    expect(error?.path).toEqual(['createContact']);
    expect(error?.extensions?.code).toBe('CONFLICT');
    expect(error?.extensions?.fieldErrors).toEqual([
      { field: 'email', code: 'duplicate_value', message: 'It should be a unique value' },
    ]);
    expect(stack.emulator.stats().status).toEqual({ '409': 1 });
  });

  it('refuses invalid input before calling Freshdesk', async () => {
    const cases = [
      { name: 'Nobody' },
      { name: '  ', email: 'blank@name.test' },
      { name: 'Bad mail', email: 'not-an-email' },
      { name: 'Long tag', email: 'tag@x.test', tags: ['x'.repeat(33)] },
      { name: 'Bad company', email: 'co@x.test', companyId: 'acme' },
      { name: 'Bad fields', email: 'cf@x.test', customFields: ['a'] },
    ];
    for (const input of cases) {
      const result = await stack.gql(CreateContactDocument, { input });
      expect(result.errors?.[0]?.extensions?.code, JSON.stringify(input)).toBe('BAD_USER_INPUT');
      expect(result.errors?.[0]?.extensions?.fieldErrors).toHaveLength(1);
    }
    const empty = await stack.gql(UpdateContactDocument, {
      id: String(listed()[0]?.id),
      input: {},
    });
    expect(empty.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(stack.emulator.stats().totalCalls).toBe(0);
  });

  it('maps updating a blocked contact to METHOD_NOT_ALLOWED and an unknown one to NOT_FOUND', async () => {
    const blocked = [...stack.emulator.data.contacts.values()].find((c) => c._state === 'blocked');
    const result = await stack.gql(UpdateContactDocument, {
      id: String(blocked?.id),
      input: { name: 'Unblocked?' },
    });
    expect(result.errors?.[0]?.extensions?.code).toBe('METHOD_NOT_ALLOWED');
    const missing = await stack.gql(ContactByIdDocument, { id: '99999999999' });
    expect(missing.data?.contact).toBeNull();
    expect(missing.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
  });
});
