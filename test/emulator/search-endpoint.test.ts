/**
 * The search endpoints over a real socket (freshdesk-api.md section 4): fixed pages of 30, pages
 * 1..10 only while `total` tells the full count, no `per_page`, no `Link`, and ticket scope.
 */
import { describe, expect, it } from 'vitest';
import { api, withEmulator } from '../helpers/emulator.ts';

interface Invalid {
  description: string;
  errors: { field: string; message: string; code: string }[];
}

interface TicketHit {
  id: number;
  priority: number;
  group_id: number | null;
  responder_id: number | null;
  description: string;
  description_text: string;
  updated_at: string;
  spam: boolean;
  deleted?: true;
  attachments?: unknown;
}

interface ContactHit {
  id: number;
  active: boolean;
  deleted?: true;
}

interface Results<T> {
  total: number;
  results: T[];
}

// Every live ticket has one of the four priorities: a query that matches all of them.
const ALL_TICKETS = encodeURIComponent('"priority:1 OR priority:2 OR priority:3 OR priority:4"');

const emulator = withEmulator({ port: 0, tickets: 1200, rateLimit: false, log: () => {} });

const search = <T>(path: string, key?: string) =>
  api<T>(emulator.current, 'GET', path, key === undefined ? {} : { key });

describe('GET /search/tickets', () => {
  it('reports the full total but serves only 10 pages of 30, without Link', async () => {
    const first = await search<Results<TicketHit>>(`/search/tickets?query=${ALL_TICKETS}`);
    expect(first.status).toBe(200);
    expect(first.body.total).toBeGreaterThan(300);
    expect(first.body.results).toHaveLength(30);
    expect(first.headers.link).toBeUndefined();

    const ids = new Set<number>();
    for (let page = 1; page <= 10; page++) {
      const reply = await search<Results<TicketHit>>(
        `/search/tickets?query=${ALL_TICKETS}&page=${page}`,
      );
      expect(reply.status).toBe(200);
      expect(reply.body.total).toBe(first.body.total);
      expect(reply.body.results).toHaveLength(30);
      for (const hit of reply.body.results) {
        ids.add(hit.id);
      }
    }
    expect(ids.size).toBe(300);

    const eleventh = await search<Invalid>(`/search/tickets?query=${ALL_TICKETS}&page=11`);
    expect(eleventh.status).toBe(400);
    expect(eleventh.body).toEqual({
      description: 'Validation failed',
      errors: [
        {
          field: 'page',
          message: 'It should be a Positive Integer less than or equal to 10',
          code: 'invalid_value',
        },
      ],
    });
  });

  it('refuses per_page and any other parameter with invalid_field', async () => {
    const reply = await search<Invalid>(`/search/tickets?query=${ALL_TICKETS}&per_page=100`);
    expect(reply.status).toBe(400);
    expect(reply.body.errors).toEqual([
      { field: 'per_page', message: 'Unexpected/invalid field in request', code: 'invalid_field' },
    ]);
    const page0 = await search<Invalid>(`/search/tickets?query=${ALL_TICKETS}&page=0`);
    expect(page0.status).toBe(400);
    expect(page0.body.errors[0]!.field).toBe('page');
  });

  it('returns the list shape plus description, newest update first, never spam or deleted', async () => {
    const reply = await search<Results<TicketHit>>(
      `/search/tickets?query=${encodeURIComponent('"priority:4"')}`,
    );
    expect(reply.body.total).toBeGreaterThan(0);
    for (const hit of reply.body.results) {
      expect(hit.priority).toBe(4);
      expect(hit.description).toEqual(expect.any(String));
      expect(hit.description_text).toEqual(expect.any(String));
      expect(hit).not.toHaveProperty('attachments');
      expect(hit).not.toHaveProperty('_stats');
      expect(hit.spam).toBe(false);
      expect(hit.deleted).toBeUndefined();
    }
    const times = reply.body.results.map((hit) => hit.updated_at);
    expect(times).toEqual([...times].sort().reverse());
  });

  it("limits a group-scoped agent to its groups' tickets", async () => {
    const me = await search<{ id: number; group_ids: number[] }>(
      '/agents/me',
      emulator.current.apiKeys.restricted,
    );
    const all = await search<Results<TicketHit>>(`/search/tickets?query=${ALL_TICKETS}`);
    const scoped = await search<Results<TicketHit>>(
      `/search/tickets?query=${ALL_TICKETS}`,
      emulator.current.apiKeys.restricted,
    );
    expect(scoped.status).toBe(200);
    expect(scoped.body.total).toBeGreaterThan(0);
    expect(scoped.body.total).toBeLessThan(all.body.total);
    for (const hit of scoped.body.results) {
      const inGroup = hit.group_id !== null && me.body.group_ids.includes(hit.group_id);
      expect(inGroup || hit.responder_id === me.body.id).toBe(true);
    }
  });

  it("passes the query grammar's errors through on field query", async () => {
    const unquoted = await search<Invalid>('/search/tickets?query=priority:4');
    expect(unquoted.status).toBe(400);
    expect(unquoted.body.errors[0]!.field).toBe('query');
    const missing = await search<Invalid>('/search/tickets');
    expect(missing.status).toBe(400);
    expect(missing.body.errors[0]).toMatchObject({ field: 'query', code: 'missing_field' });
  });
});

describe('GET /search/contacts', () => {
  it('finds contacts, never deleted ones, 30 a page', async () => {
    const reply = await search<Results<ContactHit>>(
      `/search/contacts?query=${encodeURIComponent('"active:true OR active:false"')}`,
    );
    expect(reply.status).toBe(200);
    expect(reply.body.total).toBeGreaterThan(30);
    expect(reply.body.results).toHaveLength(30);
    expect(reply.headers.link).toBeUndefined();
    expect(reply.body.results.every((hit) => hit.deleted === undefined)).toBe(true);
    expect(reply.body.results[0]).not.toHaveProperty('_state');

    const deleted = await api<{ id: number }[]>(emulator.current, 'GET', '/contacts?state=deleted');
    const all = new Set<number>();
    const pages = Math.min(10, Math.ceil(reply.body.total / 30));
    for (let page = 1; page <= pages; page++) {
      const next = await search<Results<ContactHit>>(
        `/search/contacts?query=${encodeURIComponent('"active:true OR active:false"')}&page=${page}`,
      );
      for (const hit of next.body.results) {
        all.add(hit.id);
      }
    }
    expect(deleted.body.some((contact) => all.has(contact.id))).toBe(false);
  });

  it('refuses per_page like the ticket search', async () => {
    const reply = await search<Invalid>(
      `/search/contacts?query=${encodeURIComponent('"active:true"')}&per_page=5`,
    );
    expect(reply.status).toBe(400);
    expect(reply.body.errors[0]).toMatchObject({ field: 'per_page', code: 'invalid_field' });
  });
});
