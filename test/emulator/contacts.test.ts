/**
 * The emulator's contacts endpoints over a real socket: list filters and paging, show, create and
 * update with Freshdesk's exact error bodies (409 duplicate email, 405 blocked contact).
 */
import { describe, expect, it } from 'vitest';
import { type ApiCall, type ApiReply, api, withEmulator } from '../helpers/emulator.ts';

interface FieldErrorBody {
  field: string;
  additional_info?: Record<string, unknown>;
  message: string;
  code: string;
}

interface Invalid {
  description?: string;
  errors: FieldErrorBody[];
  code?: string;
  message?: string;
}

interface Contact {
  id: number;
  name: string;
  email: string | null;
  company_id: number | null;
  custom_fields: Record<string, unknown>;
  created_at: string;
  updated_at: string;
  deleted?: true;
}

// Rate limits have their own tests; here they would only make the suite flaky.
const emulator = withEmulator({ port: 0, tickets: 200, rateLimit: false, log: () => {} });

/** One API call as the admin unless `key` says otherwise. */
const call = <T = unknown>(method: string, path: string, options: ApiCall = {}) =>
  api<T>(emulator.current, method, path, options);

describe('GET /contacts', () => {
  it('lists contacts alphabetically by name, 30 a page, with a Link to the next page', async () => {
    const first = await call<Contact[]>('GET', '/contacts');
    expect(first.status).toBe(200);
    expect(first.body).toHaveLength(30);
    const names: string[] = first.body.map((c: { name: string }) => c.name);
    expect(names).toEqual(
      [...names].sort((a, b) => a.localeCompare(b, 'en', { sensitivity: 'base' })),
    );
    expect(first.headers.link).toBe(
      `<${emulator.current.origin}/api/v2/contacts?page=2>; rel="next"`,
    );
    // Emulator-only state never reaches the wire.
    expect(first.body[0]).not.toHaveProperty('_state');
    expect(first.body[0]).toMatchObject({ id: expect.any(Number), active: expect.any(Boolean) });
  });

  it('pages to the end with per_page, keeping other parameters in the Link', async () => {
    const seen = new Set<number>();
    let path: string | null = '/contacts?per_page=100&state=verified';
    let pages = 0;
    while (path !== null) {
      const page: ApiReply<Contact[]> = await call<Contact[]>('GET', path);
      expect(page.status).toBe(200);
      for (const contact of page.body) {
        seen.add(contact.id);
      }
      pages++;
      const link: string | undefined = page.headers.link;
      if (link === undefined) {
        path = null;
      } else {
        const url: URL = new URL(/<([^>]+)>/.exec(link)?.[1] ?? '');
        expect(url.searchParams.get('state')).toBe('verified');
        expect(url.searchParams.get('per_page')).toBe('100');
        path = `${url.pathname.replace('/api/v2', '')}${url.search}`;
      }
    }
    expect(pages).toBeGreaterThan(1);
    expect(seen.size).toBeGreaterThan(100);
  });

  it('leaves out blocked and deleted contacts unless state asks for them', async () => {
    const all = await call<Contact[]>('GET', '/contacts?per_page=100');
    expect(all.body.every((c: { deleted?: boolean }) => c.deleted === undefined)).toBe(true);
    const blocked = await call<Contact[]>('GET', '/contacts?state=blocked');
    expect(blocked.status).toBe(200);
    expect(blocked.body.length).toBeGreaterThan(0);
    const deleted = await call<Contact[]>('GET', '/contacts?state=deleted');
    expect(deleted.body.length).toBeGreaterThan(0);
    expect(deleted.body.every((c: { deleted?: boolean }) => c.deleted === true)).toBe(true);
    const bad = await call<Invalid>('GET', '/contacts?state=active');
    expect(bad.status).toBe(400);
    expect(bad.body.errors[0]).toMatchObject({ field: 'state', code: 'invalid_value' });
  });

  it('filters by email and company_id', async () => {
    const sample = (await call<Contact[]>('GET', '/contacts?state=verified')).body.filter(
      (c: { email: string | null; company_id: number | null }) => c.email && c.company_id,
    )[0]!;
    const byEmail = await call<Contact[]>(
      'GET',
      `/contacts?email=${encodeURIComponent((sample.email ?? '').toUpperCase())}`,
    );
    expect(byEmail.body.map((c: { id: number }) => c.id)).toEqual([sample.id]);
    const byCompany = await call<Contact[]>(
      'GET',
      `/contacts?company_id=${sample.company_id}&per_page=100`,
    );
    expect(byCompany.body.map((c: { id: number }) => c.id)).toContain(sample.id);
    expect(byCompany.body.every((c) => c.company_id === sample.company_id)).toBe(true);
  });

  it('refuses unknown query parameters with invalid_field', async () => {
    const reply = await call<Invalid>('GET', '/contacts?name=Bob');
    expect(reply.status).toBe(400);
    expect(reply.body).toEqual({
      description: 'Validation failed',
      errors: [
        { field: 'name', message: 'Unexpected/invalid field in request', code: 'invalid_field' },
      ],
    });
  });

  it('accepts both updated_since and the older _updated_since', async () => {
    const target = (await call<Contact[]>('GET', '/contacts?state=verified&per_page=1')).body[0]!;
    const before = new Date(Date.now() - 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
    const put = await call<Invalid>('PUT', `/contacts/${target.id}`, {
      body: { job_title: 'Buyer' },
    });
    expect(put.status).toBe(200);
    for (const name of ['updated_since', '_updated_since']) {
      const reply = await call<Contact[]>('GET', `/contacts?${name}=${before}&per_page=100`);
      expect(reply.status).toBe(200);
      expect(reply.body.map((c: { id: number }) => c.id)).toContain(target.id);
      expect(reply.body.every((c: { updated_at: string }) => c.updated_at >= before)).toBe(true);
    }
    const bad = await call<Invalid>('GET', '/contacts?_updated_since=yesterday');
    expect(bad.status).toBe(400);
    expect(bad.body.errors[0]?.field).toBe('_updated_since');
  });
});

describe('GET /contacts/:id', () => {
  it('shows a contact, and a deleted one with deleted: true', async () => {
    const listed = (await call<Contact[]>('GET', '/contacts')).body[0]!;
    const shown = await call<Contact>('GET', `/contacts/${listed.id}`);
    expect(shown.status).toBe(200);
    expect(shown.body).toEqual(listed);
    const gone = (await call<Contact[]>('GET', '/contacts?state=deleted')).body[0]!;
    const deleted = await call<Contact>('GET', `/contacts/${gone.id}`);
    expect(deleted.status).toBe(200);
    expect(deleted.body.deleted).toBe(true);
  });

  it('answers 404 with an empty body for an unknown id', async () => {
    const reply = await call<Contact>('GET', '/contacts/1');
    expect(reply.status).toBe(404);
    expect(reply.body).toBeUndefined();
  });
});

describe('POST /contacts', () => {
  it('creates a contact: 201, Location, Freshdesk shape', async () => {
    const companies = await call<{ id: number }[]>('GET', '/companies?per_page=1');
    const companyId = companies.body[0]!.id;
    const reply = await call<Contact>('POST', '/contacts', {
      body: {
        name: 'Grace Hopper',
        email: 'grace.hopper@navy.example',
        company_id: companyId,
        tags: ['vip'],
        custom_fields: { loyalty_tier: 'gold' },
      },
    });
    expect(reply.status).toBe(201);
    expect(reply.headers.location).toBe(
      `${emulator.current.origin}/api/v2/contacts/${reply.body.id}`,
    );
    expect(reply.body).toMatchObject({
      name: 'Grace Hopper',
      email: 'grace.hopper@navy.example',
      company_id: companyId,
      active: false,
      tags: ['vip'],
      avatar: null,
      other_emails: [],
    });
    expect(reply.body.custom_fields.loyalty_tier).toBe('gold');
    expect(reply.body.id).toBeGreaterThan(2 ** 32);
    const shown = await call<Contact>('GET', `/contacts/${reply.body.id}`);
    expect(shown.body).toEqual(reply.body);
  });

  it('answers a duplicate email with 409 and the existing user id', async () => {
    const existing = (await call<Contact[]>('GET', '/contacts?state=verified')).body.filter(
      (c: { email: string | null }) => c.email,
    )[0]!;
    const reply = await call<Invalid>('POST', '/contacts', {
      body: { name: 'Copy Cat', email: existing.email },
    });
    expect(reply.status).toBe(409);
    expect(reply.body).toEqual({
      description: 'Validation failed',
      errors: [
        {
          field: 'email',
          additional_info: { user_id: existing.id },
          message: 'It should be a unique value',
          code: 'duplicate_value',
        },
      ],
    });
  });

  it('requires a name and one way to reach the contact', async () => {
    const noName = await call<Invalid>('POST', '/contacts', {
      body: { email: 'noname@x.example' },
    });
    expect(noName.status).toBe(400);
    expect(noName.body.errors).toEqual([
      { field: 'name', message: 'Mandatory attribute missing', code: 'missing_field' },
    ]);
    const unreachable = await call<Invalid>('POST', '/contacts', { body: { name: 'Nobody' } });
    expect(unreachable.status).toBe(400);
    expect(unreachable.body.errors[0]).toMatchObject({ field: 'email', code: 'missing_field' });
  });

  it('refuses unknown fields, unknown custom fields, bad emails and unknown companies', async () => {
    const unknown = await call<Invalid>('POST', '/contacts', {
      body: { name: 'A', email: 'a@x.example', active: true },
    });
    expect(unknown.status).toBe(400);
    expect(unknown.body.errors).toEqual([
      { field: 'active', message: 'Unexpected/invalid field in request', code: 'invalid_field' },
    ]);
    const custom = await call<Invalid>('POST', '/contacts', {
      body: { name: 'A', email: 'a@x.example', custom_fields: { shoe_size: 9 } },
    });
    expect(custom.status).toBe(400);
    expect(custom.body.errors).toEqual([
      { field: 'shoe_size', message: 'Unexpected/invalid field in request', code: 'invalid_field' },
    ]);
    const email = await call<Invalid>('POST', '/contacts', {
      body: { name: 'A', email: 'not-an-email' },
    });
    expect(email.body.errors).toEqual([
      {
        field: 'email',
        message: "It should be in the 'valid email address' format",
        code: 'invalid_value',
      },
    ]);
    const company = await call<Invalid>('POST', '/contacts', {
      body: { name: 'A', email: 'a@x.example', company_id: 12345 },
    });
    expect(company.status).toBe(400);
    expect(company.body.errors[0]).toMatchObject({ field: 'company_id', code: 'invalid_value' });
  });
});

describe('PUT /contacts/:id', () => {
  it('updates the given fields and bumps updated_at', async () => {
    const contact = (await call<Contact[]>('GET', '/contacts?state=unverified')).body[0]!;
    const reply = await call<Contact>('PUT', `/contacts/${contact.id}`, {
      body: { name: 'Renamed Person', custom_fields: { seats: 12 } },
    });
    expect(reply.status).toBe(200);
    expect(reply.body).toMatchObject({
      id: contact.id,
      name: 'Renamed Person',
      email: contact.email,
    });
    expect(reply.body.custom_fields).toEqual({ ...contact.custom_fields, seats: 12 });
    expect(reply.body.updated_at > contact.updated_at).toBe(true);
    expect(reply.body.created_at).toBe(contact.created_at);
  });

  it('refuses an empty body (missing_params) and read-only fields (invalid_field)', async () => {
    const contact = (await call<Contact[]>('GET', '/contacts')).body[0]!;
    const empty = await call<Invalid>('PUT', `/contacts/${contact.id}`, { body: {} });
    expect(empty.status).toBe(400);
    expect(empty.body.code).toBe('missing_params');
    const readOnly = await call<Invalid>('PUT', `/contacts/${contact.id}`, {
      body: { id: 1, created_at: '2020-01-01T00:00:00Z' },
    });
    expect(readOnly.status).toBe(400);
    expect(
      readOnly.body.errors.map((e: { field: string; code: string }) => [e.field, e.code]),
    ).toEqual([
      ['id', 'invalid_field'],
      ['created_at', 'invalid_field'],
    ]);
  });

  it('answers 405 for blocked and deleted contacts', async () => {
    for (const state of ['blocked', 'deleted']) {
      const contact = (await call<Contact[]>('GET', `/contacts?state=${state}`)).body[0]!;
      const reply = await call<Invalid>('PUT', `/contacts/${contact.id}`, {
        body: { name: 'Nope' },
      });
      expect(reply.status).toBe(405);
      expect(reply.headers.allow).toBe('GET');
      expect(reply.body).toEqual({
        message: 'PUT method is not allowed. It should be one of these method(s): GET',
      });
    }
  });

  it('answers 409 when the new email belongs to someone else', async () => {
    const [a, b] = (await call<Contact[]>('GET', '/contacts?state=verified')).body.filter(
      (c) => c.email,
    ) as [Contact, Contact];
    const reply = await call<Invalid>('PUT', `/contacts/${a.id}`, { body: { email: b.email } });
    expect(reply.status).toBe(409);
    expect(reply.body.errors[0]).toEqual({
      field: 'email',
      additional_info: { user_id: b.id },
      message: 'It should be a unique value',
      code: 'duplicate_value',
    });
    // Keeping one's own address is not a duplicate.
    const same = await call<Invalid>('PUT', `/contacts/${a.id}`, { body: { email: a.email } });
    expect(same.status).toBe(200);
  });
});
