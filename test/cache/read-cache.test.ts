/**
 * The read cache's rules, one by one, without a network: keys per credential, what a change
 * outdates (and what it leaves), reads under way when a change lands, freshness by evidence, what
 * the gateway's writes outdate, what may stand in for a failure, ages, and the settings.
 */
import { describe, expect, it } from 'vitest';
import { readMaxAges } from '../../src/cache/kinds.ts';
import { ReadCache, readCacheFor } from '../../src/cache/read-cache.ts';
import { ConfigError, loadConfig } from '../../src/config.ts';
import type { TicketChange } from '../../src/freshness/change-feed.ts';
import type { UpstreamResponse } from '../../src/upstream/freshdesk-client.ts';
import { credentialHash, type ReadRequest, requestKey } from '../../src/upstream/request-key.ts';
import { UpstreamError } from '../../src/upstream/upstream-error.ts';

const ACCOUNT = 'https://acme.freshdesk.com';
const ADMIN = credentialHash('admin-key');
const AGENT = credentialHash('agent-key');
const EPOCH = '1970-01-01T00:00:00Z';

const answer = (data: unknown, nextPage?: number): UpstreamResponse<unknown> => ({
  method: 'GET',
  path: '/',
  status: 200,
  data,
  nextPage,
  requestId: undefined,
  credits: 1,
  headers: {},
  size: JSON.stringify(data).length,
});

const ticket = (id: number, updatedAt: string, createdAt = '2026-01-01T00:00:00Z') => ({
  id,
  subject: `ticket ${id}`,
  created_at: createdAt,
  updated_at: updatedAt,
});

const byId = (id: number, include?: string): ReadRequest => ({
  path: `/api/v2/tickets/${id}`,
  query: include ? { include } : undefined,
});
/** The newest page of the unfiltered list, ordered by creation (what `tickets(first)` reads). */
const newestPage: ReadRequest = {
  path: '/api/v2/tickets',
  query: { page: 1, per_page: 3, updated_since: EPOCH, order_by: 'created_at', order_type: 'desc' },
};
const byUpdate: ReadRequest = {
  path: '/api/v2/tickets',
  query: { page: 1, per_page: 3, updated_since: EPOCH, order_by: 'updated_at', order_type: 'desc' },
};
const conversations = (id: number): ReadRequest => ({
  path: `/api/v2/tickets/${id}/conversations`,
  query: { page: 1, per_page: 10 },
});

const change = (
  ticketId: number,
  updatedAt: string | undefined,
  kind: TicketChange['kind'] = 'updated',
  createdAt?: string,
): TicketChange => ({
  account: ACCOUNT,
  ticketId: String(ticketId),
  updatedAt,
  source: 'sweep',
  kind,
  receivedAt: Date.now(),
  ...(createdAt
    ? { ticket: { createdAt, updatedAt } as unknown as NonNullable<TicketChange['ticket']> }
    : {}),
});

function setup(options: Partial<ConstructorParameters<typeof ReadCache>[0]> = {}) {
  const cache = new ReadCache({ maxBytes: 8 * 2 ** 20, account: ACCOUNT, ...options });
  const view = cache.forOperation();
  const store = (
    request: ReadRequest,
    data: unknown,
    credential = ADMIN,
    evidence?: string,
    nextPage?: number,
  ) => {
    const ticketId = /tickets\/(\d+)/.exec(request.path)?.[1] ?? '';
    view.store(
      requestKey(request, credential),
      request,
      answer(data, nextPage),
      evidence ? { ticketId, updatedAt: evidence } : undefined,
      view.begin(),
    );
  };
  const fresh = (request: ReadRequest, credential = ADMIN, evidence?: string): boolean => {
    const ticketId = /tickets\/(\d+)/.exec(request.path)?.[1] ?? '';
    return view.holds(
      requestKey(request, credential),
      request,
      evidence ? { ticketId, updatedAt: evidence } : undefined,
    );
  };
  return { cache, view, store, fresh };
}

describe('keys', () => {
  it('answers only the credential that received the answer', () => {
    const { store, fresh } = setup();
    store(byId(1), ticket(1, '2026-02-01T00:00:00Z'));
    expect(fresh(byId(1), ADMIN)).toBe(true);
    expect(fresh(byId(1), AGENT)).toBe(false);
    expect(fresh(byId(1, 'requester'), ADMIN)).toBe(false);
  });

  it('files whatever Freshdesk sent without failing (garbage is for the shape check to report)', () => {
    const { store, fresh } = setup();
    for (const data of [[null, 1, 'x', { id: null }], { results: [null] }, 'text', null]) {
      expect(() => store(newestPage, data)).not.toThrow();
      expect(() => store(byId(1), data)).not.toThrow();
    }
    expect(fresh(newestPage)).toBe(true);
  });

  it('keeps reads of no kind out (automation rules, the agent list)', () => {
    const { store, fresh } = setup();
    for (const path of ['/api/v2/automations/4/rules', '/api/v2/agents', '/api/v2/agents/me']) {
      store({ path }, []);
      expect(fresh({ path })).toBe(false);
    }
  });
});

describe('what a change outdates', () => {
  const t1 = '2026-02-01T00:00:00Z';
  const t2 = '2026-02-02T00:00:00Z';

  it('a ticket and the pages showing it, older than the change; not those already showing it', () => {
    const { cache, store, fresh } = setup();
    store(byId(1), ticket(1, t1));
    store(byId(2), ticket(2, t1));
    store(newestPage, [ticket(3, t1, '2026-01-03T00:00:00Z'), ticket(1, t1)]);
    cache.noteChange(change(1, t1));
    expect(fresh(byId(1))).toBe(true); // the change it already shows
    cache.noteChange(change(1, t2));
    expect(fresh(byId(1))).toBe(false);
    expect(fresh(newestPage)).toBe(false);
    expect(fresh(byId(2))).toBe(true);
  });

  it('leaves a page ordered by creation alone when a ticket outside its span is updated', () => {
    const { cache, store, fresh } = setup();
    // The first of several pages: tickets older than its last come after it.
    const rows = [
      ticket(9, t1, '2026-01-09T00:00:00Z'),
      ticket(8, t1, '2026-01-08T00:00:00Z'),
      ticket(7, t1, '2026-01-07T00:00:00Z'),
    ];
    store(newestPage, rows, ADMIN, undefined, 2);
    store(byUpdate, [ticket(9, t1), ticket(8, t1), ticket(7, t1)]);
    store(
      { path: '/api/v2/search/tickets', query: { query: '"priority:1"', page: 1 } },
      {
        total: 0,
        results: [],
      },
    );
    cache.noteChange(change(2, t2, 'updated', '2025-12-01T00:00:00Z'));
    expect(fresh(newestPage)).toBe(true);
    // Ordered by update: the ticket moves to the top. Search: it may match now.
    expect(fresh(byUpdate)).toBe(false);
    expect(
      fresh({ path: '/api/v2/search/tickets', query: { query: '"priority:1"', page: 1 } }),
    ).toBe(false);
    // A ticket created within the page's span (restored from the bin) belongs on it.
    cache.noteChange(change(4, t2, 'updated', '2026-01-08T12:00:00Z'));
    expect(fresh(newestPage)).toBe(false);
  });

  it('a ticket created, deleted or marked spam outdates every page', () => {
    for (const kind of ['created', 'deleted', 'spam'] as const) {
      const { cache, store, fresh } = setup();
      store(newestPage, [ticket(9, t1, '2026-01-09T00:00:00Z')]);
      cache.noteChange(change(50, kind === 'created' ? t2 : undefined, kind));
      expect(fresh(newestPage), kind).toBe(false);
    }
  });

  it('changes of another account are ignored', () => {
    const { cache, store, fresh } = setup();
    store(byId(1), ticket(1, t1));
    cache.noteChange({ ...change(1, t2), account: 'https://other.freshdesk.com' });
    expect(fresh(byId(1))).toBe(true);
  });

  it('an answer showing a newer version outdates older answers about the ticket', () => {
    const { store, fresh } = setup();
    store(byId(1), ticket(1, t1));
    store(conversations(1), [], ADMIN, t1);
    store(byId(1), ticket(1, t2), AGENT);
    expect(fresh(byId(1), ADMIN)).toBe(false);
    expect(fresh(conversations(1), ADMIN, t1)).toBe(false);
    expect(fresh(byId(1), AGENT)).toBe(true);
  });
});

describe('reads under way', () => {
  it('an answer to a read begun before a change to its ticket is not stored', () => {
    const { cache, view, fresh } = setup();
    const token = view.begin();
    cache.noteChange(change(1, '2026-02-02T00:00:00Z'));
    view.store(
      requestKey(byId(1), ADMIN),
      byId(1),
      answer(ticket(1, '2026-02-01T00:00:00Z')),
      undefined,
      token,
    );
    expect(fresh(byId(1))).toBe(false);
  });

  it('an answer older than a version already seen is not stored', () => {
    const { store, fresh } = setup();
    store(byId(1), ticket(1, '2026-02-02T00:00:00Z'), AGENT);
    store(byId(1), ticket(1, '2026-02-01T00:00:00Z'), ADMIN);
    expect(fresh(byId(1), ADMIN)).toBe(false);
  });
});

describe('freshness by evidence', () => {
  it("reuses a ticket's conversations only for the version they were read with", () => {
    const { store, fresh } = setup();
    store(conversations(1), [{ id: 5 }], ADMIN, '2026-02-01T00:00:00Z');
    expect(fresh(conversations(1), ADMIN, '2026-02-01T00:00:00Z')).toBe(true);
    expect(fresh(conversations(1), ADMIN, '2026-02-03T00:00:00Z')).toBe(false);
    // Outdated for good once a newer version was asked for.
    expect(fresh(conversations(1), ADMIN, '2026-02-01T00:00:00Z')).toBe(false);
  });
});

describe("the gateway's writes", () => {
  it('outdate, for every credential, what they may change', () => {
    const { cache, store, fresh } = setup();
    const contact: ReadRequest = { path: '/api/v2/contacts/7' };
    const withRequester: ReadRequest = {
      ...newestPage,
      query: { ...newestPage.query, include: 'requester' },
    };
    const article: ReadRequest = { path: '/api/v2/solutions/articles/3' };
    store(contact, { id: 7 }, AGENT);
    store(withRequester, [ticket(9, '2026-01-09T00:00:00Z')]);
    store(newestPage, [ticket(9, '2026-01-09T00:00:00Z')]);
    store(article, { id: 3 });
    store(byId(9), ticket(9, '2026-01-09T00:00:00Z'));
    cache.wrote('PUT', '/api/v2/contacts/7');
    expect(fresh(contact, AGENT)).toBe(false);
    expect(fresh(withRequester)).toBe(false);
    expect(fresh(newestPage)).toBe(true);
    cache.wrote('PUT', '/api/v2/solutions/articles/3');
    expect(fresh(article)).toBe(false);
    cache.wrote('POST', '/api/v2/tickets/9/notes');
    expect(fresh(byId(9))).toBe(false);
    expect(fresh(newestPage)).toBe(false);
  });
});

describe('what stands in for a failure', () => {
  const unavailable = new UpstreamError('503', {
    kind: 'http',
    status: 503,
    method: 'GET',
    path: '/',
    retryable: true,
  });
  const notFound = new UpstreamError('404', {
    kind: 'http',
    status: 404,
    method: 'GET',
    path: '/',
    retryable: true,
  });

  it('an answer past its age, for 5xx, 429, timeouts and quota; never for a 4xx', () => {
    let now = 0;
    const { view, store } = setup({ maxAges: { tickets: 1 }, now: () => now });
    store(byId(1), ticket(1, '2026-02-01T00:00:00Z'));
    now = 5_000;
    const key = requestKey(byId(1), ADMIN);
    expect(view.lookup(key, byId(1), undefined)).toBeUndefined();
    expect(view.fallback(key, byId(1), unavailable, undefined)?.ageMs).toBe(5_000);
    expect(view.fallback(key, byId(1), notFound, undefined)).toBeUndefined();
  });

  it('an answer known outdated only where no key may lose sight of the ticket (not passthrough)', () => {
    for (const keepOutdated of [true, false]) {
      const { cache, view, store } = setup({ keepOutdated });
      store(byId(1), ticket(1, '2026-02-01T00:00:00Z'));
      cache.noteChange(change(1, '2026-02-02T00:00:00Z'));
      const kept = view.fallback(requestKey(byId(1), ADMIN), byId(1), unavailable, undefined);
      expect(kept !== undefined).toBe(keepOutdated);
    }
  });
});

describe('statistics', () => {
  it('counts hits, misses, stores and outdated answers per kind, and tells observers', () => {
    const { cache, view, store } = setup();
    const events: string[] = [];
    const stop = cache.observe((event) => events.push(`${event.kind}:${event.outcome}`));
    const key = requestKey(byId(1), ADMIN);
    view.lookup(key, byId(1), undefined);
    store(byId(1), ticket(1, '2026-02-01T00:00:00Z'));
    view.lookup(key, byId(1), undefined);
    cache.noteChange(change(1, '2026-02-02T00:00:00Z'));
    stop();
    expect(events).toEqual([
      'tickets:misses',
      'tickets:stored',
      'tickets:hits',
      'tickets:outdated',
    ]);
    expect(cache.stats().kinds.tickets).toMatchObject({
      hits: 1,
      misses: 1,
      stored: 1,
      outdated: 1,
    });
    expect(cache.stats().entries).toBe(1);
  });
});

describe('settings', () => {
  const env = { FRESHDESK_BASE_URL: 'http://127.0.0.1:1', FRESHDESK_API_KEY: 'k' };

  it('reads the bound, the ages and the stale age, and refuses what it cannot read', () => {
    const config = loadConfig({
      ...env,
      DESKGRAPH_CACHE_MAX_MB: '8',
      DESKGRAPH_CACHE_MAX_AGES: 'tickets=30, search=0',
      DESKGRAPH_CACHE_STALE_MAX_AGE_S: '600',
    });
    expect(config.cacheMaxBytes).toBe(8 * 2 ** 20);
    expect(config.cacheMaxAges).toEqual({ tickets: 30, search: 0 });
    expect(config.cacheStaleMaxAgeMs).toBe(600_000);
    expect(loadConfig(env).cacheMaxBytes).toBe(64 * 2 ** 20);
    expect(() => loadConfig({ ...env, DESKGRAPH_CACHE_MAX_AGES: 'tickts=5' })).toThrow(ConfigError);
    expect(() => loadConfig({ ...env, DESKGRAPH_CACHE_MAX_MB: '-1' })).toThrow(ConfigError);
    expect(readMaxAges('ticket-lists=100000')).toMatchObject({ problems: [expect.any(String)] });
  });

  it('keeps ticket data 60 s at most when nothing reports changes, and is off at 0 MiB', () => {
    const unwatched = readCacheFor(
      loadConfig({ ...env, DESKGRAPH_RECONCILE_INTERVAL_MS: '0' }),
      ACCOUNT,
    );
    expect(unwatched.maxAgeMs('tickets')).toBe(60_000);
    const swept = readCacheFor(loadConfig(env), ACCOUNT);
    expect(swept.maxAgeMs('tickets')).toBe(600_000);
    expect(readCacheFor(loadConfig({ ...env, DESKGRAPH_CACHE_MAX_MB: '0' }), ACCOUNT).enabled).toBe(
      false,
    );
  });
});
