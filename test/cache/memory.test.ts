/**
 * The read cache stays within its configured bound (`DESKGRAPH_CACHE_MAX_MB`) however many distinct
 * reads it is offered: 100,000 distinct answers (tickets by id, ticket pages, conversations, as
 * Freshdesk sends them) through one cache bounded at 16 MiB, the heap measured after full garbage
 * collections before and after.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ReadCache, readCacheFor } from '../../src/cache/read-cache.ts';
import { loadConfig } from '../../src/config.ts';
import { startEmulator } from '../../src/emulator/index.ts';
import type { UpstreamResponse } from '../../src/upstream/freshdesk-client.ts';
import { credentialHash, type ReadRequest, requestKey } from '../../src/upstream/request-key.ts';

setFlagsFromString('--expose_gc');
const gc = runInNewContext('gc') as () => void;

const heapAfterGc = (): number => {
  for (let i = 0; i < 4; i++) {
    gc();
  }
  return process.memoryUsage().heapUsed;
};

const MAX_MB = 16;
const READS = 100_000;

/** Real answers from the emulator, to vary into distinct ones. */
const samples: { request: (i: number) => ReadRequest; text: string }[] = [];

beforeAll(async () => {
  const emulator = await startEmulator({ port: 0, rateLimit: false, tickets: 200 });
  try {
    const auth = `Basic ${Buffer.from(`${emulator.apiKeys.admin}:X`).toString('base64')}`;
    const get = async (path: string) =>
      (await fetch(`${emulator.origin}${path}`, { headers: { authorization: auth } })).text();
    const ticket = [...emulator.data.tickets.values()].find((t) => !t.deleted && !t.spam);
    const thread = [...emulator.data.conversations.entries()].find(([, c]) => c.length >= 3);
    samples.push(
      {
        request: (i) => ({ path: `/api/v2/tickets/${i}`, query: { include: 'requester' } }),
        text: await get(`/api/v2/tickets/${ticket?.id}?include=requester`),
      },
      {
        request: (i) => ({
          path: '/api/v2/tickets',
          query: { page: 1 + (i % 300), per_page: 10, updated_since: `2020-01-01T00:00:${i}Z` },
        }),
        text: await get('/api/v2/tickets?per_page=10&updated_since=1970-01-01T00:00:00Z'),
      },
      {
        request: (i) => ({
          path: `/api/v2/tickets/${i}/conversations`,
          query: { page: 1, per_page: 10 },
        }),
        text: await get(`/api/v2/tickets/${thread?.[0]}/conversations`),
      },
    );
  } finally {
    await emulator.close();
  }
});

describe('the read cache bound', () => {
  const keep: { cache?: ReadCache } = {};
  afterAll(() => {
    keep.cache = undefined;
  });

  it(`holds ${READS.toLocaleString('en')} distinct reads within ${MAX_MB} MiB of heap`, {
    timeout: 120_000,
  }, () => {
    const config = loadConfig({
      FRESHDESK_BASE_URL: 'http://127.0.0.1:1',
      FRESHDESK_API_KEY: 'k',
      DESKGRAPH_CACHE_MAX_MB: String(MAX_MB),
    });
    expect(config.cacheMaxBytes).toBe(MAX_MB * 1024 * 1024);
    const before = heapAfterGc();
    keep.cache = readCacheFor(config, 'http://127.0.0.1:1');
    const cache = keep.cache.forOperation();
    // Three credentials, so entries are spread as in passthrough mode.
    const credentials = ['a', 'b', 'c'].map(credentialHash);
    for (let i = 0; i < READS; i++) {
      const sample = samples[i % samples.length];
      if (sample === undefined) {
        throw new Error('no samples');
      }
      const request = sample.request(i);
      // A distinct answer: its own objects, as if parsed from its own body.
      const data = JSON.parse(sample.text.replaceAll('"id":', `"id":${i + 1}`)) as unknown;
      const response: UpstreamResponse<unknown> = {
        method: 'GET',
        path: request.path,
        status: 200,
        data,
        nextPage: undefined,
        requestId: undefined,
        credits: 1,
        headers: {},
        size: sample.text.length,
      };
      const key = requestKey(request, credentials[i % 3] as string);
      cache.store(key, request, response, undefined, cache.begin());
    }
    const stats = keep.cache.stats();
    const after = heapAfterGc();
    const grown = after - before;
    console.info(
      `read cache: ${stats.entries} entries, ${(stats.bytes / 2 ** 20).toFixed(1)} MiB counted, heap +${(grown / 2 ** 20).toFixed(1)} MiB`,
    );
    // It kept what fits (the newest), dropped the rest, and the heap grew by less than the bound.
    expect(stats.entries).toBeGreaterThan(1_000);
    expect(stats.entries).toBeLessThan(READS);
    expect(stats.bytes).toBeLessThanOrEqual(MAX_MB * 2 ** 20);
    expect(grown).toBeLessThanOrEqual(MAX_MB * 2 ** 20);
    // Every answer stored is either still there or was dropped for room (none lost track of).
    const total = (outcome: 'stored' | 'evicted') =>
      Object.values(stats.kinds).reduce((sum, kind) => sum + kind[outcome], 0);
    expect(total('stored')).toBeGreaterThan(READS * 0.99);
    expect(total('evicted') + stats.entries).toBe(total('stored'));
  });
});
