/**
 * FreshdeskClient against a scripted Freshdesk on a real socket: the retry policy (counted in
 * attempts, exactly), timeouts, the deadline, and what an UpstreamError carries.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { QuotaGate } from '../../src/quota/quota-gate.ts';
import {
  FreshdeskClient,
  type FreshdeskClientOptions,
  parseRetryAfter,
  quoteLargeIntegers,
  retryDelay,
  type SessionOptions,
} from '../../src/upstream/freshdesk-client.ts';
import { UpstreamError } from '../../src/upstream/upstream-error.ts';
import {
  type FakeAnswer,
  type FakeFreshdesk,
  freshdeskAnswer,
  startFakeFreshdesk,
} from '../helpers/fake-freshdesk.ts';

const KEY = 'unit-test-secret-key-123';
const OK: FakeAnswer = { status: 200, body: { id: 1, subject: 'hello' } };

let fake: FakeFreshdesk | undefined;
let client: FreshdeskClient | undefined;

afterEach(async () => {
  await client?.close();
  await fake?.close();
  client = undefined;
  fake = undefined;
});

async function setup(
  answers: FakeAnswer[] | ((index: number) => FakeAnswer),
  options: Partial<FreshdeskClientOptions> = {},
) {
  fake = await startFakeFreshdesk((_req, index) =>
    typeof answers === 'function' ? answers(index) : (answers[index] ?? OK),
  );
  client = new FreshdeskClient({
    origin: fake.origin,
    timeoutMs: 2_000,
    backoffBaseMs: 1,
    random: () => 0.5,
    ...options,
  });
  return { fake, client };
}

const session = (c: FreshdeskClient, options: Partial<SessionOptions> = {}) =>
  c.session({ apiKey: KEY, deadline: Date.now() + 5_000, ...options });

async function failure(promise: Promise<unknown>): Promise<UpstreamError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(UpstreamError);
    return error as UpstreamError;
  }
  throw new Error('expected the call to fail');
}

describe('reads', () => {
  it('sends Basic key:X, accept json, and parses the body', async () => {
    const { fake, client } = await setup([OK]);
    const res = await session(client).get('/api/v2/tickets/1', { include: undefined, page: 2 });
    expect(res.data).toEqual({ id: 1, subject: 'hello' });
    expect(fake.requests).toHaveLength(1);
    expect(fake.requests[0]?.url).toBe('/api/v2/tickets/1?page=2');
    expect(fake.requests[0]?.headers.authorization).toBe(
      `Basic ${Buffer.from(`${KEY}:X`).toString('base64')}`,
    );
    expect(fake.requests[0]?.headers.accept).toBe('application/json');
  });

  it.each([502, 503, 504])(
    'retries %i up to maxAttempts (3), then fails with it',
    async (status) => {
      const answer: FakeAnswer = { ...freshdeskAnswer(status), headers: {} }; // no Retry-After
      const { fake, client } = await setup(() => answer);
      const error = await failure(session(client).get('/api/v2/tickets/1'));
      expect(fake.requests).toHaveLength(3);
      expect(error).toMatchObject({ kind: 'http', status, attempts: 3, retryable: true });
    },
  );

  it('succeeds on the attempt after a 502 and a reset', async () => {
    const { fake, client } = await setup([freshdeskAnswer(502), { kind: 'reset' }, OK]);
    const res = await session(client).get('/api/v2/tickets/1');
    expect(res.status).toBe(200);
    expect(fake.requests).toHaveLength(3);
  });

  it.each([400, 401, 403, 404, 405, 406, 409, 415, 500])('does not retry %i', async (status) => {
    const { fake, client } = await setup(() => freshdeskAnswer(status));
    const error = await failure(session(client).get('/api/v2/tickets/1'));
    expect(fake.requests).toHaveLength(1);
    expect(error).toMatchObject({ kind: 'http', status, attempts: 1 });
  });

  it('honours Retry-After: waits when it fits the deadline', async () => {
    const { fake, client } = await setup([
      { status: 503, headers: { 'retry-after': '1' }, body: '' },
      OK,
    ]);
    const started = Date.now();
    await session(client).get('/api/v2/tickets/1');
    expect(fake.requests).toHaveLength(2);
    expect(Date.now() - started).toBeGreaterThanOrEqual(990);
  });

  it('honours Retry-After: fails at once, with retryAfter, when it would pass the deadline', async () => {
    const { fake, client } = await setup(() => freshdeskAnswer(429));
    const error = await failure(
      session(client, { deadline: Date.now() + 2_000 }).get('/api/v2/tickets/1'),
    );
    expect(fake.requests).toHaveLength(1);
    expect(error).toMatchObject({ status: 429, retryAfter: 37 });
  });

  it('retries resets and a body cut short, then reports the connection as unreachable', async () => {
    const { fake, client } = await setup([
      { kind: 'reset' },
      { kind: 'cut', status: 200, body: JSON.stringify({ id: 1, subject: 'x'.repeat(100) }) },
      { kind: 'reset' },
    ]);
    const error = await failure(session(client).get('/api/v2/tickets/1'));
    expect(fake.requests).toHaveLength(3);
    expect(error).toMatchObject({ kind: 'unreachable', attempts: 3 });
  });

  it('retries a 2xx whose JSON is truncated, then reports it malformed', async () => {
    const { fake, client } = await setup(() => ({ status: 200, body: '{"id": 1, "subj' }));
    const error = await failure(session(client).get('/api/v2/tickets/1'));
    expect(fake.requests).toHaveLength(3);
    expect(error).toMatchObject({ kind: 'malformed', status: 200 });
  });

  it('keeps the status of an error whose body is cut short', async () => {
    const { client } = await setup(() => ({ kind: 'cut', status: 404, body: '{"code":"x"}' }));
    const error = await failure(session(client).get('/api/v2/tickets/1'));
    expect(error).toMatchObject({ kind: 'http', status: 404 });
  });

  it('applies the headers timeout per attempt and retries it', async () => {
    const { fake, client } = await setup(() => ({ kind: 'hang' }), { timeoutMs: 100 });
    const error = await failure(session(client).get('/api/v2/tickets/1'));
    expect(fake.requests).toHaveLength(3);
    expect(error).toMatchObject({ kind: 'timeout', retryable: true });
  });

  it('applies the body timeout between chunks', async () => {
    const { client } = await setup(
      () => ({ kind: 'trickle', status: 200, chunks: ['{"id":', '1}'], intervalMs: 1_000 }),
      { timeoutMs: 150, maxAttempts: 1 },
    );
    const error = await failure(session(client).get('/api/v2/tickets/1'));
    expect(error.kind).toBe('timeout');
  });

  it('never runs past the deadline, retries included', async () => {
    const { fake, client } = await setup(() => ({ kind: 'hang' }), {
      timeoutMs: 10_000,
      maxAttempts: 5,
    });
    const started = Date.now();
    const error = await failure(
      session(client, { deadline: Date.now() + 300 }).get('/api/v2/tickets/1'),
    );
    expect(error.kind).toBe('timeout');
    expect(fake.requests).toHaveLength(1);
    expect(Date.now() - started).toBeLessThan(2_000); // generous: "no hang", not a timing test
  });

  it('fails at once when the deadline has already passed, without calling', async () => {
    const { fake, client } = await setup([OK]);
    const error = await failure(session(client, { deadline: Date.now() - 1 }).get('/x'));
    expect(error.kind).toBe('timeout');
    expect(fake.requests).toHaveLength(0);
  });

  it('stops when the caller goes away', async () => {
    const { client } = await setup(() => ({ kind: 'hang' }));
    const controller = new AbortController();
    const call = session(client, { signal: controller.signal }).get('/api/v2/tickets/1');
    setTimeout(() => controller.abort(), 50);
    const error = await failure(call);
    expect(error.kind).toBe('timeout');
  });
});

describe('writes', () => {
  it.each<[string, FakeAnswer]>([
    ['a 502', freshdeskAnswer(502)],
    ['a 503', { status: 503, body: '' }],
    ['a 504', freshdeskAnswer(504)],
    ['a 500', freshdeskAnswer(500)],
    ['a reset', { kind: 'reset' }],
    ['a body cut short', { kind: 'cut', status: 201, body: '{"id": 12, "subject": "abc"}' }],
    ['a truncated JSON body', { status: 201, body: '{"id": 12, "sub' }],
  ])('never retries a POST after %s, and says it is not safe to repeat', async (_name, answer) => {
    const { fake, client } = await setup(() => answer);
    const error = await failure(session(client).post('/api/v2/tickets', { subject: 'x' }));
    expect(fake.requests).toHaveLength(1);
    expect(error.retryable).toBe(false);
    expect(error.method).toBe('POST');
  });

  it('never retries a PUT after a headers timeout', async () => {
    const { fake, client } = await setup(() => ({ kind: 'hang' }), { timeoutMs: 100 });
    const error = await failure(session(client).put('/api/v2/tickets/1', { priority: 2 }));
    expect(fake.requests).toHaveLength(1);
    expect(error).toMatchObject({ kind: 'timeout', retryable: false });
  });

  it('retries a POST refused with 429 (Freshdesk did nothing), honouring Retry-After', async () => {
    const { fake, client } = await setup([
      { status: 429, headers: { 'retry-after': '0' }, body: { message: 'slow down' } },
      { status: 201, body: { id: 7 } },
    ]);
    const res = await session(client).post('/api/v2/tickets', { subject: 'x' });
    expect(res.data).toEqual({ id: 7 });
    expect(fake.requests).toHaveLength(2);
    expect(fake.requests[0]?.headers['content-type']).toBe('application/json');
  });

  it('retries a POST whose connection was refused (it never left)', async () => {
    const { fake } = await setup([OK]);
    const origin = fake.origin;
    await fake.close();
    const refused = new FreshdeskClient({ origin, backoffBaseMs: 1, random: () => 0 });
    try {
      const error = await failure(session(refused).post('/api/v2/tickets', { subject: 'x' }));
      expect(error).toMatchObject({ kind: 'unreachable', attempts: 3, retryable: true });
    } finally {
      await refused.close();
    }
  });
});

describe('what an error carries', () => {
  it('parses the validation body into fieldErrors, with the upstream request id', async () => {
    const { client } = await setup(() => freshdeskAnswer(409));
    const error = await failure(session(client).post('/api/v2/contacts', { name: 'a' }));
    expect(error).toMatchObject({
      kind: 'http',
      status: 409,
      method: 'POST',
      path: '/api/v2/contacts',
      requestId: 'fake-409',
      fieldErrors: [
        {
          field: 'email',
          message: 'It should be a unique value',
          code: 'duplicate_value',
          additionalInfo: { user_id: 42 },
        },
      ],
    });
  });

  it('tolerates an HTML 502 page', async () => {
    const { client } = await setup(() => freshdeskAnswer(502), { maxAttempts: 1 });
    const error = await failure(session(client).get('/api/v2/tickets/1'));
    expect(error).toMatchObject({ status: 502, upstreamCode: undefined, fieldErrors: undefined });
  });

  it('never holds the key, in any form', async () => {
    const answers = [401, 403, 502].map(freshdeskAnswer);
    const { client } = await setup((i) => answers[i % 3] ?? OK, { maxAttempts: 1 });
    const errors = [
      await failure(session(client).get('/api/v2/tickets/1')),
      await failure(session(client).get('/api/v2/tickets/2')),
      await failure(session(client).get('/api/v2/tickets/3')),
    ];
    const text = JSON.stringify(
      errors.map((e) => ({ ...e, message: e.message, stack: e.stack, cause: String(e.cause) })),
    );
    expect(text).not.toContain(KEY);
    expect(text).not.toContain(Buffer.from(`${KEY}:X`).toString('base64'));
  });

  it('does not retry or send when the quota guard refuses', async () => {
    const quota: QuotaGate = {
      acquire: async () => {
        throw new UpstreamError('over budget', {
          kind: 'quota',
          method: 'GET',
          path: '/api/v2/tickets',
          retryAfter: 20,
          retryable: true,
        });
      },
      settle: () => {},
    };
    const { fake, client } = await setup([OK], { quota });
    const error = await failure(session(client).get('/api/v2/tickets'));
    expect(error).toMatchObject({ kind: 'quota', retryAfter: 20, attempts: 1 });
    expect(fake.requests).toHaveLength(0);
  });

  it('settles every grant with the quota gate, status 0 when no answer came', async () => {
    const settled: number[] = [];
    const quota: QuotaGate = {
      acquire: async () => {},
      settle: (_request, outcome) => {
        settled.push(outcome.status);
      },
    };
    const { client } = await setup([{ kind: 'reset' }, freshdeskAnswer(502), OK], { quota });
    await session(client).get('/api/v2/tickets/1');
    expect(settled).toEqual([0, 502, 200]);
  });

  it('reports every attempt to onCall', async () => {
    const { client } = await setup([freshdeskAnswer(502), OK]);
    const calls: unknown[] = [];
    await session(client, { onCall: (call) => calls.push(call) }).get('/api/v2/tickets/1');
    expect(calls).toMatchObject([
      { method: 'GET', status: 502, attempt: 1 },
      { method: 'GET', status: 200, attempt: 2 },
    ]);
  });
});

describe('retryDelay (policy)', () => {
  const policy = {
    maxAttempts: 3,
    backoffBaseMs: 100,
    backoffMaxMs: 1_000,
    random: () => 0.5,
    remainingMs: 10_000,
  };
  const err = (init: Partial<ConstructorParameters<typeof UpstreamError>[1]>) =>
    new UpstreamError('x', { kind: 'http', method: 'GET', path: '/', retryable: true, ...init });

  it('backs off exponentially with jitter, capped', () => {
    const e = err({ status: 502 });
    expect(retryDelay(e, 1, policy)).toBe(50);
    expect(retryDelay(e, 2, policy)).toBe(100);
    expect(retryDelay(e, 5, { ...policy, maxAttempts: 10 })).toBe(500);
    expect(retryDelay(e, 3, policy)).toBeUndefined();
  });

  it('waits at least Retry-After, and gives up when that passes the deadline', () => {
    expect(retryDelay(err({ status: 503, retryAfter: 2 }), 1, policy)).toBe(2_000);
    expect(retryDelay(err({ status: 429, retryAfter: 30 }), 1, policy)).toBeUndefined();
  });

  it('does not retry what is unsafe or not transient', () => {
    expect(retryDelay(err({ status: 502, retryable: false }), 1, policy)).toBeUndefined();
    expect(retryDelay(err({ status: 500 }), 1, policy)).toBeUndefined();
    expect(retryDelay(err({ status: 404 }), 1, policy)).toBeUndefined();
    expect(retryDelay(err({ kind: 'quota' }), 1, policy)).toBeUndefined();
    expect(retryDelay(err({ kind: 'timeout' }), 1, policy)).toBe(50);
    expect(retryDelay(err({ kind: 'unreachable' }), 1, policy)).toBe(50);
  });
});

describe('parsing helpers', () => {
  it('reads Retry-After as seconds or an HTTP date', () => {
    const now = Date.parse('2026-01-01T00:00:00Z');
    expect(parseRetryAfter('30', now)).toBe(30);
    expect(parseRetryAfter('1.2', now)).toBe(2);
    expect(parseRetryAfter('Thu, 01 Jan 2026 00:00:45 GMT', now)).toBe(45);
    expect(parseRetryAfter('', now)).toBeUndefined();
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter(undefined, now)).toBeUndefined();
  });

  it('keeps 64-bit ids exact by quoting them, outside strings only', () => {
    const text = '{"id":12345678901234567890,"n":42,"s":"12345678901234567890","f":1.5e3}';
    expect(JSON.parse(quoteLargeIntegers(text))).toEqual({
      id: '12345678901234567890',
      n: 42,
      s: '12345678901234567890',
      f: 1500,
    });
  });
});
