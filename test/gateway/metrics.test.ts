/**
 * `GET /metrics` as Prometheus scrapes it, over real loopback HTTP: the values that move after a
 * query (upstream calls and credits, exactly as Freshdesk counted them), a cache hit, a webhook
 * delivery, a subscription and refused operations; every family the issue names; no key in any
 * form anywhere in the scrape; and label sets that stay bounded (200 ticket ids, no new series).
 */
import { fileURLToPath } from 'node:url';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { secretForms } from '../../src/logger.ts';
import { credentialHash } from '../../src/upstream/request-key.ts';
import { postWebhook, SECRET, startFreshStack, subscribe } from '../freshness/helpers.ts';
import { costOf, type Stack, startStack } from '../helpers/gateway.ts';
import { type Scrape, scrape } from '../helpers/metrics.ts';
import { visibleIds } from '../helpers/tickets.ts';

let stack: Stack;
let live: string[] = [];

beforeAll(async () => {
  stack = await startFreshStack();
  live = visibleIds(stack.emulator.data);
});

afterAll(async () => {
  await stack.close();
});

const metrics = (): Promise<Scrape> => scrape(stack.gateway.origin);

const FAMILIES = [
  'deskgraph_upstream_calls_total',
  'deskgraph_upstream_duration_seconds_count',
  'deskgraph_upstream_credits_total',
  'deskgraph_quota_remaining_credits',
  'deskgraph_quota_limit_credits',
  'deskgraph_quota_queue_depth',
  'deskgraph_quota_wait_seconds_count',
  'deskgraph_cache_reads_total',
  'deskgraph_cache_entries',
  'deskgraph_webhook_deliveries_total',
  'deskgraph_sweep_runs_total',
  'deskgraph_sweep_findings_total',
  'deskgraph_subscriptions_open',
  'deskgraph_graphql_errors_total',
  'deskgraph_operation_duration_seconds_count',
  'deskgraph_operations_refused_total',
  'deskgraph_process_cpu_user_seconds_total',
  'deskgraph_process_resident_memory_bytes',
  'deskgraph_nodejs_heap_size_used_bytes',
];

describe('GET /metrics', () => {
  it('answers Prometheus text to a plain GET', async () => {
    const result = await metrics();
    expect(result.status).toBe(200);
    expect(result.contentType).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(result.text).toContain('# TYPE deskgraph_upstream_calls_total counter');
  });

  it('counts a query’s upstream calls and credits exactly as Freshdesk did, with its latency', async () => {
    const before = await metrics();
    stack.emulator.resetStats();
    const result = await stack.gql(
      `{ tickets(first: 30) { nodes { id requester { name } } } ticket(id: "${live[0]}") { subject } }`,
    );
    expect(result.errors).toBeUndefined();
    const cost = costOf(result);
    const freshdesk = stack.emulator.stats();
    expect(cost.calls).toBeGreaterThan(0);
    const after = await metrics();
    const moved = (name: string, labels?: Record<string, string>): number =>
      after.sum(name, labels) - before.sum(name, labels);
    expect(moved('deskgraph_upstream_calls_total')).toBe(freshdesk.totalCalls);
    expect(moved('deskgraph_upstream_calls_total')).toBe(cost.calls);
    expect(moved('deskgraph_upstream_credits_total')).toBe(freshdesk.totalCredits);
    expect(moved('deskgraph_upstream_credits_total')).toBe(cost.spent);
    expect(
      moved('deskgraph_upstream_calls_total', { endpoint: 'GET /tickets', status: '200' }),
    ).toBe(1);
    expect(
      moved('deskgraph_upstream_calls_total', { endpoint: 'GET /tickets/:id', status: '200' }),
    ).toBe(1);
    // The list's credits count on its sub-limit; the single ticket's only on the total.
    expect(moved('deskgraph_upstream_credits_total', { endpoint_class: 'tickets_list' })).toBe(
      freshdesk.totalCredits - 1,
    );
    expect(moved('deskgraph_upstream_credits_total', { endpoint_class: 'other' })).toBe(1);
    expect(moved('deskgraph_upstream_duration_seconds_count')).toBe(cost.calls);
    expect(moved('deskgraph_quota_wait_seconds_count', { priority: 'interactive' })).toBe(
      cost.calls,
    );
    expect(moved('deskgraph_operation_duration_seconds_count', { operation_type: 'query' })).toBe(
      1,
    );
    // The budget as the quota scheduler sees it, per budget.
    const limit = after.sum('deskgraph_quota_limit_credits', { budget: 'total' });
    expect(limit).toBeGreaterThan(0);
    const remaining = after.series('deskgraph_quota_remaining_credits');
    expect(remaining.map((s) => s.labels.budget).sort()).toEqual(
      ['contacts_list', 'ticket_create', 'ticket_update', 'tickets_list', 'total'].sort(),
    );
    expect(after.sum('deskgraph_quota_remaining_credits', { budget: 'total' })).toBeLessThanOrEqual(
      limit,
    );
    expect(after.series('deskgraph_quota_queue_depth').map((s) => s.labels.priority)).toEqual([
      'webhook',
      'interactive',
      'explorer',
      'bulk',
    ]);
  });

  it('counts a read the cache answered as a hit, and the one before as a miss', async () => {
    const query = `{ ticket(id: "${live[1]}") { subject } }`;
    const before = await metrics();
    const first = await stack.gql(query);
    const second = await stack.gql(query);
    expect(costOf(first).calls).toBe(1);
    expect(costOf(second).cacheHits).toBe(1);
    expect(costOf(second).calls).toBe(0);
    const after = await metrics();
    const hits = { kind: 'tickets', outcome: 'hit' };
    const misses = { kind: 'tickets', outcome: 'miss' };
    expect(after.sum('deskgraph_cache_reads_total', hits)).toBe(
      before.sum('deskgraph_cache_reads_total', hits) + 1,
    );
    expect(after.sum('deskgraph_cache_reads_total', misses)).toBe(
      before.sum('deskgraph_cache_reads_total', misses) + 1,
    );
    expect(after.sum('deskgraph_cache_entries')).toBeGreaterThan(0);
  });

  it('counts webhook deliveries by outcome, and the look-up they cost at webhook priority', async () => {
    const before = await metrics();
    expect((await postWebhook(stack, { ticket_id: live[2] })).status).toBe(202);
    expect((await postWebhook(stack, { ticket_id: live[2] }, { secret: 'wrong' })).status).toBe(
      401,
    );
    await stack.gateway.app.freshness.idle();
    const after = await metrics();
    const moved = (name: string, labels?: Record<string, string>): number =>
      after.sum(name, labels) - before.sum(name, labels);
    expect(moved('deskgraph_webhook_deliveries_total', { outcome: 'accepted' })).toBe(1);
    expect(moved('deskgraph_webhook_deliveries_total', { outcome: 'unauthorized' })).toBe(1);
    expect(moved('deskgraph_quota_wait_seconds_count', { priority: 'webhook' })).toBe(1);
    expect(after.text).not.toContain(SECRET);
  });

  it('counts refused operations by reason, and errors by code', async () => {
    const before = await metrics();
    // Over the per-operation credit cap (100): a page of 100 tickets with each one's thread.
    const overCap = await stack.gql(
      '{ tickets(first: 100) { nodes { conversations(first: 10) { nodes { id } } } } }',
    );
    expect(overCap.errors?.[0]?.extensions?.code).toBe('QUOTA_EXCEEDED');
    const aliases = Array.from({ length: 201 }, (_, i) => `a${i}: __typename`).join(' ');
    const overLimit = await stack.gql(`{ ${aliases} }`);
    expect(overLimit.errors?.[0]?.extensions?.code).toBe('OPERATION_LIMIT_EXCEEDED');
    const form = await request(stack.gateway.url, {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: JSON.stringify({ query: '{ __typename }' }),
    });
    expect(form.statusCode).toBe(403);
    await form.body.text();
    const rebound = await request(stack.gateway.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', host: 'evil.example' },
      body: JSON.stringify({ query: '{ __typename }' }),
    });
    expect(rebound.statusCode).toBe(403);
    await rebound.body.text();
    const missing = await stack.gql('{ ticket(id: "999999999") { subject } }');
    expect(missing.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');

    const after = await metrics();
    const moved = (name: string, labels?: Record<string, string>): number =>
      after.sum(name, labels) - before.sum(name, labels);
    const refused = 'deskgraph_operations_refused_total';
    expect(moved(refused, { reason: 'QUOTA_EXCEEDED' })).toBe(1);
    expect(moved(refused, { reason: 'OPERATION_LIMIT_EXCEEDED' })).toBe(1);
    expect(moved(refused, { reason: 'CSRF_HEADER_REQUIRED' })).toBe(1);
    expect(moved(refused, { reason: 'HOST_NOT_ALLOWED' })).toBe(1);
    // A ticket that does not exist is an answer, not a refusal.
    expect(moved(refused)).toBe(4);
    const errors = 'deskgraph_graphql_errors_total';
    expect(moved(errors, { code: 'QUOTA_EXCEEDED' })).toBe(1);
    expect(moved(errors, { code: 'OPERATION_LIMIT_EXCEEDED' })).toBe(1);
    expect(moved(errors, { code: 'NOT_FOUND' })).toBe(1);
  });

  it('shows the subscriptions open now', async () => {
    const before = (await metrics()).sum('deskgraph_subscriptions_open');
    const sse = await subscribe(stack.gateway.url, 'subscription { ticketEvents { ticketId } }');
    try {
      expect((await metrics()).sum('deskgraph_subscriptions_open')).toBe(before + 1);
    } finally {
      sse.close();
    }
    await vi.waitFor(
      async () => expect((await metrics()).sum('deskgraph_subscriptions_open')).toBe(before),
      { timeout: 5_000, interval: 50 },
    );
  });

  it('exposes every family the operators asked for', async () => {
    const result = await metrics();
    const names = new Set(result.samples.map((s) => s.name));
    expect(FAMILIES.filter((family) => !names.has(family))).toEqual([]);
  });

  it('never holds the API key, in any form, nor its hash', async () => {
    const key = stack.config.apiKey as string;
    await stack.gql(`{ ticket(id: "${live[3]}") { subject } }`);
    const { text } = await metrics();
    for (const form of [...secretForms(key), credentialHash(key)]) {
      expect(text).not.toContain(form);
    }
  });

  it('keeps label sets bounded: 200 different ticket ids make no new series', async () => {
    const ids = Array.from({ length: 200 }, (_, i) =>
      i < live.length ? (live[i] as string) : String(900_000 + i),
    );
    const keys = (result: Scrape): string[] =>
      result.samples
        .filter((s) => !/^deskgraph_(process|nodejs)_/.test(s.name))
        .map((s) => `${s.name}${JSON.stringify(s.labels)}`)
        .sort();
    // Warm: one existing and one missing ticket (their two statuses) first.
    for (const id of [ids[0], ids[199]]) {
      await stack.gql(`{ ticket(id: "${id}") { subject } }`);
    }
    const warm = await metrics();
    stack.emulator.resetStats();
    for (const id of ids) {
      await stack.gql(`{ ticket(id: "${id}") { subject } }`);
    }
    const after = await metrics();
    expect(keys(after)).toEqual(keys(warm));
    expect(after.sum('deskgraph_upstream_calls_total', { endpoint: 'GET /tickets/:id' })).toBe(
      warm.sum('deskgraph_upstream_calls_total', { endpoint: 'GET /tickets/:id' }) +
        stack.emulator.stats().totalCalls,
    );
    const endpoints = after.samples.filter((s) => s.labels.endpoint !== undefined);
    expect(endpoints.length).toBeGreaterThan(0);
    for (const sample of endpoints) {
      expect(sample.labels.endpoint).toMatch(/^(GET|POST|PUT|DELETE) [a-z_/:]+$/);
    }
  });

  it('is behind the Host check, as /ready is (DNS rebinding)', async () => {
    const result = await scrape(stack.gateway.origin, { host: 'evil.example' });
    expect(result.status).toBe(403);
  });
});

describe('with persisted operations only', () => {
  it('counts an unknown operation and a document sent as text as refused, by their codes', async () => {
    const manifest = fileURLToPath(
      new URL('../../operations/generated/persisted-documents.json', import.meta.url),
    );
    const persisted = await startStack({
      emulator: { tickets: 5 },
      env: { DESKGRAPH_PERSISTED_OPERATIONS: manifest },
    });
    try {
      const unknown = await request(persisted.gateway.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ documentId: `sha256:${'0'.repeat(64)}` }),
      });
      expect(unknown.statusCode).toBe(404);
      await unknown.body.text();
      const text = await persisted.gql('{ __typename }');
      expect(text.errors?.[0]?.extensions?.code).toBe('PERSISTED_QUERY_ONLY');
      const result = await scrape(persisted.gateway.origin);
      const refused = 'deskgraph_operations_refused_total';
      expect(result.sum(refused, { reason: 'PERSISTED_QUERY_NOT_FOUND' })).toBe(1);
      expect(result.sum(refused, { reason: 'PERSISTED_QUERY_ONLY' })).toBe(1);
    } finally {
      await persisted.close();
    }
  });
});

describe('DESKGRAPH_METRICS=false', () => {
  it('takes /metrics away (404)', async () => {
    const off = await startStack({
      emulator: { tickets: 5 },
      env: { DESKGRAPH_METRICS: 'false' },
    });
    try {
      expect((await scrape(off.gateway.origin)).status).toBe(404);
      expect((await off.gql('{ __typename }')).status).toBe(200);
    } finally {
      await off.close();
    }
  });
});
