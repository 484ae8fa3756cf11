/**
 * Issue 10, item 5: property-based fuzzing of the gateway over real sockets. Random documents
 * (deep, wide, fragment-heavy, token soup), random variables, random headers and bodies, and random
 * garbage from upstream: every answer is a well-formed GraphQL response (every error coded, none
 * `INTERNAL_SERVER_ERROR`) or a 4xx, within the deadline; never a crash, a hang or a 5xx of the
 * gateway's own.
 *
 * Fixed seed and a budget under a minute by default. A longer run:
 *   npm run fuzz     (1,000 runs per property; FUZZ_RUNS=N and FUZZ_SEED=S to change them;
 *                    a failure prints its seed and counterexample)
 */
import fc from 'fast-check';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import { createLogger } from '../../src/logger.ts';
import { schema } from '../../src/schema/index.ts';
import { type Gateway, startGateway } from '../../src/server.ts';
import {
  type FakeAnswer,
  type FakeFreshdesk,
  startFakeFreshdesk,
} from '../helpers/fake-freshdesk.ts';
import { type Stack, startStack, UNTHROTTLED } from '../helpers/gateway.ts';
import { randomDocument, type Shape } from './documents.ts';
import { nearMiss, RECORDS } from './records.ts';

const RUNS = Number(process.env.FUZZ_RUNS ?? 0) || undefined;
const SEED = Number(process.env.FUZZ_SEED ?? 20_261_205);
/** Runs per property: FUZZ_RUNS when set, else each property's CI budget. */
const runs = (ci: number): fc.Parameters<unknown> => ({
  numRuns: RUNS ?? ci,
  seed: SEED,
  endOnFailure: true,
});
/** The operation deadline the fuzzed gateways run with; every answer must come well within it. */
const DEADLINE_MS = 4_000;
const ANSWER_WITHIN_MS = DEADLINE_MS + 4_000;
/** Per property: the CI budget, or enough for a long run. */
const TIMEOUT_MS = Math.max(60_000, (RUNS ?? 0) * 1_000);

interface Outcome {
  status: number;
  text: string;
  ms: number;
  contentType: string;
}

async function send(
  url: string,
  init: { method?: string; headers?: Record<string, string>; body?: string | Uint8Array },
): Promise<Outcome> {
  const started = Date.now();
  const response = await request(url, {
    method: (init.method ?? 'POST') as 'POST',
    headers: init.headers,
    body: init.body,
    headersTimeout: ANSWER_WITHIN_MS * 2,
    bodyTimeout: ANSWER_WITHIN_MS * 2,
  });
  const text = await response.body.text();
  const type = response.headers['content-type'];
  return {
    status: response.statusCode,
    text,
    ms: Date.now() - started,
    contentType: Array.isArray(type) ? (type[0] ?? '') : (type ?? ''),
  };
}

const postJson = (url: string, body: unknown): Promise<Outcome> =>
  send(url, {
    headers: { 'content-type': 'application/json', accept: 'application/json' },
    body: JSON.stringify(body),
  });

/**
 * The rule every answer must keep: a GraphQL response whose every error is coded, never
 * `INTERNAL_SERVER_ERROR` (garbage from Freshdesk included: the models check what they read and
 * code a mismatch BAD_GATEWAY), or a 4xx; within the deadline.
 */
function expectWellFormed(
  outcome: Outcome,
  what: string,
  options: { graphql?: boolean } = {},
): void {
  const context = `${what}\n→ ${outcome.status} ${outcome.text.slice(0, 500)}`;
  expect(outcome.status, context).toBeLessThan(500);
  expect(outcome.ms, context).toBeLessThan(ANSWER_WITHIN_MS);
  if (!outcome.contentType.includes('json') || outcome.text === '') {
    return;
  }
  if (options.graphql === false) {
    JSON.parse(outcome.text);
    return;
  }
  const body = JSON.parse(outcome.text) as unknown;
  const results = Array.isArray(body) ? body : [body];
  for (const result of results as Record<string, unknown>[]) {
    expect('data' in result || 'errors' in result, context).toBe(true);
    for (const error of (result.errors ?? []) as {
      message?: unknown;
      extensions?: { code?: unknown };
    }[]) {
      expect(typeof error.message, context).toBe('string');
      expect(typeof error.extensions?.code, context).toBe('string');
      expect(error.extensions?.code, context).not.toBe('INTERNAL_SERVER_ERROR');
    }
  }
}

const SHAPES: Shape[] = ['deep', 'wide', 'fragments', 'mixed', 'soup'];

describe('against the emulator', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({
      ...UNTHROTTLED,
      env: { ...UNTHROTTLED.env, DESKGRAPH_OPERATION_DEADLINE_MS: String(DEADLINE_MS) },
    });
  });
  afterAll(async () => {
    await stack.close();
  });

  it(
    'answers random documents (deep, wide, fragment-heavy, token soup)',
    async () => {
      const seen = { runs: 0, executed: 0, refusedByLimits: 0 };
      await fc.assert(
        fc.asyncProperty(fc.integer(), fc.constantFrom(...SHAPES), async (seed, shape) => {
          const query = randomDocument(schema, seed, shape);
          const outcome = await postJson(stack.gateway.url, { query });
          expectWellFormed(outcome, query);
          seen.runs += 1;
          seen.executed += /"data":\{/.test(outcome.text) ? 1 : 0;
          seen.refusedByLimits += outcome.text.includes('OPERATION_LIMIT_EXCEEDED') ? 1 : 0;
        }),
        runs(150),
      );
      // Not a fuzz of the parser alone: a good share of the documents run against the emulator.
      expect(seen.executed).toBeGreaterThan(seen.runs / 5);
      expect(seen.refusedByLimits).toBeGreaterThan(0);
    },
    TIMEOUT_MS,
  );

  it(
    'answers random variables',
    async () => {
      const operations = [
        'query ($id: ID!) { ticket(id: $id) { id subject requester { name } } }',
        'query ($first: Int, $after: String, $filter: TicketFilter) { tickets(first: $first, after: $after, filter: $filter) { nodes { id } pageInfo { endCursor } } }',
        'query ($q: String!, $first: Int) { searchTickets(query: $q, first: $first) { totalCount nodes { id } } }',
        'query ($filter: ContactFilter) { contacts(filter: $filter) { nodes { id } } }',
        'mutation ($input: CreateTicketInput!) { createTicket(input: $input) { id } }',
        'mutation ($id: ID!, $input: NoteInput!) { addNote(ticketId: $id, input: $input) { id } }',
      ];
      const value = fc.oneof(
        fc.jsonValue({ maxDepth: 4 }),
        fc.constantFrom('1', '', '-1', 'x', 5, 1e308, null, '2026-01-01T00:00:00Z'),
        fc.record({ subject: fc.string(), description: fc.string(), email: fc.string() }),
      );
      await fc.assert(
        fc.asyncProperty(
          fc.constantFrom(...operations),
          fc.dictionary(
            fc.constantFrom('id', 'first', 'after', 'filter', 'q', 'input', 'extra'),
            value,
          ),
          fc.option(fc.string(), { nil: undefined }),
          async (query, variables, operationName) => {
            const outcome = await postJson(stack.gateway.url, { query, variables, operationName });
            expectWellFormed(outcome, `${query} ${JSON.stringify(variables)}`);
          },
        ),
        runs(120),
      );
    },
    TIMEOUT_MS,
  );

  it(
    'answers random headers, methods and bodies',
    async () => {
      const contentType = fc.oneof(
        fc.constantFrom(
          'application/json',
          'application/json; charset=utf-8',
          'application/graphql',
          'application/graphql-response+json',
          'application/x-www-form-urlencoded',
          'text/plain',
          'multipart/form-data; boundary=x',
          'application/xml',
          '',
        ),
        fc.string({ maxLength: 40 }),
      );
      const accept = fc.oneof(
        fc.constantFrom(
          'application/json',
          'application/graphql-response+json',
          'text/event-stream',
          'text/html',
          '*/*',
          'application/xml',
        ),
        fc.string({ maxLength: 40 }),
      );
      const body = fc.oneof(
        fc.json({ maxDepth: 4 }),
        fc.string({ maxLength: 400 }),
        fc.uint8Array({ maxLength: 400 }),
        fc
          .record({
            query: fc.constantFrom('{ __typename }', '{ ticket(id: "1") { id } }', '{'),
            variables: fc.jsonValue({ maxDepth: 2 }),
          })
          .map((v) => JSON.stringify(v)),
      );
      const token = fc.stringMatching(/^[\x21-\x7e]{0,60}$/);
      await fc.assert(
        fc.asyncProperty(
          fc.constantFrom('GET', 'POST', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'HEAD'),
          fc.constantFrom(
            '/graphql',
            '/graphql?query=%7B__typename%7D',
            `/graphql?query=${encodeURIComponent('{ ticket(id: "1") { id } }')}&variables=%7B`,
            '/graphql?query=mutation%7B__typename%7D',
            '/health',
            '/ready',
            '/nowhere',
            '/graphql/../health',
          ),
          contentType,
          accept,
          body,
          fc.record(
            {
              'x-request-id': token,
              'x-deskgraph-priority': token,
              'x-freshdesk-api-key': token,
              'x-graphql-yoga-csrf': token,
              origin: fc.constantFrom('https://evil.example', 'null', 'http://localhost'),
              referer: token,
            },
            { requiredKeys: [] },
          ),
          async (method, path, type, acceptHeader, payload, extra) => {
            const headers: Record<string, string> = { ...extra, accept: acceptHeader };
            if (type !== '') {
              headers['content-type'] = type;
            }
            const withBody = method !== 'GET' && method !== 'HEAD';
            const outcome = await send(`${stack.gateway.origin}${path}`, {
              method,
              headers,
              body: withBody ? payload : undefined,
            });
            expectWellFormed(outcome, `${method} ${path} ${JSON.stringify(headers)}`, {
              graphql: path.startsWith('/graphql') && !path.includes('..'),
            });
          },
        ),
        runs(150),
      );
    },
    TIMEOUT_MS,
  );
});

describe('against random garbage from upstream', () => {
  let fake: FakeFreshdesk;
  let gateway: Gateway;
  let answers: FakeAnswer[] = [];
  beforeAll(async () => {
    fake = await startFakeFreshdesk(
      (_request, index) => answers[index % answers.length] ?? { status: 200, body: '{}' },
    );
    const config = loadConfig({
      FRESHDESK_BASE_URL: fake.origin,
      FRESHDESK_API_KEY: 'fuzz-service-key-1234',
      FRESHDESK_PLAN: 'enterprise',
      PORT: '0',
      DESKGRAPH_OPERATION_DEADLINE_MS: String(DEADLINE_MS),
      DESKGRAPH_UPSTREAM_TIMEOUT_MS: '1500',
      DESKGRAPH_QUOTA_WINDOW_MS: '1000',
    });
    gateway = await startGateway({
      config,
      upstreamOrigin: fake.origin,
      logger: createLogger({ level: 'silent' }),
    });
  });
  afterAll(async () => {
    await gateway.close({ graceMs: 0 });
    await fake.close();
  });

  const ticketish = fc.record(
    {
      id: fc.oneof(fc.integer(), fc.string(), fc.constant(null)),
      subject: fc.oneof(fc.string(), fc.integer(), fc.constant(null)),
      status: fc.oneof(fc.integer({ min: -1, max: 9 }), fc.string()),
      priority: fc.oneof(fc.integer({ min: -1, max: 9 }), fc.constant(null)),
      source: fc.integer({ min: -1, max: 200 }),
      tags: fc.oneof(fc.array(fc.string()), fc.string(), fc.constant(null)),
      created_at: fc.oneof(fc.constant('2026-01-01T00:00:00Z'), fc.string(), fc.integer()),
      updated_at: fc.oneof(fc.constant('2026-01-01T00:00:00Z'), fc.string()),
      requester_id: fc.oneof(fc.integer(), fc.constant('12345678901234567890')),
      custom_fields: fc.oneof(fc.jsonValue({ maxDepth: 2 }), fc.constant(null)),
      name: fc.oneof(fc.string(), fc.constant(null)),
      email: fc.oneof(fc.string(), fc.constant(null)),
      body: fc.oneof(fc.string(), fc.constant(null)),
    },
    { requiredKeys: [] },
  );
  // Real records with one field wrong, alone, in lists (among good ones) and as search hits.
  const nearMisses = fc.oneof(
    nearMiss,
    fc
      .tuple(nearMiss, fc.nat(3))
      .map(([bad, at]) => [...Object.values(RECORDS).slice(0, at), bad, RECORDS.ticket]),
    fc.record({
      results: fc.array(nearMiss, { minLength: 1, maxLength: 3 }),
      total: fc.oneof(fc.nat(400), fc.jsonValue()),
    }),
  );
  const json = fc.oneof(
    ticketish,
    fc.array(ticketish, { maxLength: 5 }),
    fc.jsonValue({ maxDepth: 3 }),
    fc.record({ results: fc.array(ticketish, { maxLength: 3 }), total: fc.jsonValue() }),
    { weight: 3, arbitrary: nearMisses },
  );
  const answer: fc.Arbitrary<FakeAnswer> = fc.oneof(
    {
      weight: 6,
      arbitrary: fc.record({
        status: fc.constantFrom(
          200,
          200,
          200,
          201,
          204,
          301,
          400,
          401,
          403,
          404,
          405,
          406,
          409,
          415,
          418,
          429,
          500,
          502,
          503,
          504,
        ),
        headers: fc.record(
          {
            'content-type': fc.constantFrom(
              'application/json',
              'text/html',
              'application/json; charset=utf-8',
              'x/y',
            ),
            link: fc.oneof(
              fc.constant('<https://x.freshdesk.com/api/v2/tickets?page=2>; rel="next"'),
              fc.string(),
            ),
            'retry-after': fc.oneof(fc.constant('1'), fc.string({ maxLength: 10 })),
            'x-ratelimit-remaining': fc.oneof(fc.nat().map(String), fc.string({ maxLength: 8 })),
            'x-ratelimit-total': fc.oneof(fc.nat().map(String), fc.string({ maxLength: 8 })),
            'x-ratelimit-used-currentrequest': fc.oneof(
              fc.nat(5).map(String),
              fc.string({ maxLength: 8 }),
            ),
            'x-request-id': fc.string({ maxLength: 20 }),
          },
          { requiredKeys: [] },
        ),
        body: fc.oneof(
          json.map((v) => JSON.stringify(v)),
          json.map((v) => JSON.stringify(v).slice(0, 7)),
          fc.string({ maxLength: 200 }),
          fc.constant(''),
        ),
      }),
    },
    { weight: 1, arbitrary: fc.constant({ kind: 'reset' } as const) },
    {
      weight: 1,
      arbitrary: fc.string({ maxLength: 50 }).map((body) => ({
        kind: 'cut' as const,
        status: 200,
        body: `[${JSON.stringify(body)}, {"id": 1}]`,
      })),
    },
  );
  const QUERIES = [
    '{ ticket(id: "1") { id subject status priority source tags createdAt requester { name email } conversations { nodes { id body } } } }',
    '{ tickets(first: 3) { nodes { id subject status requester { id name } responder { name } group { name } company { name } } pageInfo { hasNextPage endCursor } } }',
    '{ agents(first: 3) { nodes { id name email groups { name } } } me { id name } groups { id name agents { id } } }',
    '{ contacts(first: 3) { nodes { id name email company { name } } } contact(id: "5") { id name } }',
    '{ searchTickets(query: "priority:4") { totalCount nodes { id } } ticketFields { id name choices } }',
    '{ solutionCategories { id name folders { id name articles(first: 2) { nodes { id title } } } } }',
    '{ quota { plan total remaining resetAt budgets { name limit remaining } } }',
    'mutation { createTicket(input: { subject: "s", description: "d", email: "a@b.co" }) { id status } }',
    'mutation { addNote(ticketId: "1", input: { body: "n" }) { id } }',
  ];

  it(
    'answers every query with data or coded errors, whatever Freshdesk sends',
    async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.constantFrom(...QUERIES),
          fc.array(answer, { minLength: 1, maxLength: 8 }),
          async (query, script) => {
            answers = script;
            fake.requests.length = 0;
            const outcome = await postJson(gateway.url, { query });
            expectWellFormed(
              outcome,
              `${query}\nupstream: ${JSON.stringify(script).slice(0, 800)}`,
            );
          },
        ),
        runs(80),
      );
    },
    TIMEOUT_MS,
  );
});
