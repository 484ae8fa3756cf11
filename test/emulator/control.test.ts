/**
 * The `/_emulator/*` control endpoint (stats, reset, plan, faults, webhooks) and every kind of
 * injected fault over a real socket: latency, 5xx (JSON, HTML, empty; 503 Retry-After), Freshdesk's
 * 4xx and 429 (the same bytes as the emulator's real refusals), resets, malformed JSON, hangs,
 * writes-before-fault, and the PRNG's determinism.
 */
import { describe, expect, it } from 'vitest';
import { type FaultOptions, type FaultRule, Faults } from '../../src/emulator/faults.ts';
import { type ApiCall, type ApiReply, api, withEmulator } from '../helpers/emulator.ts';
import { TINY, tinyData } from '../helpers/tiny-data.ts';

describe('control endpoint', () => {
  const emu = withEmulator(() => ({ data: tinyData(), plan: 'pro' }));

  it('counts calls, credits, statuses, invalid fields and writes exactly', async () => {
    await api(emu.current, 'POST', '/_emulator/reset');
    await api(emu.current, 'GET', '/tickets');
    await api(emu.current, 'GET', '/tickets?include=stats,company');
    await api(emu.current, 'GET', '/tickets/1?include=requester');
    await api(emu.current, 'GET', '/tickets/9999');
    await api(emu.current, 'GET', '/tickets?status=2');
    await api(emu.current, 'PUT', '/tickets/1', { body: { priority: 4 } });
    await api(emu.current, 'PUT', '/tickets/1', { body: { bogus: 1 } });
    await api(emu.current, 'GET', '/tickets', { key: null });
    const stats = await api<Record<string, unknown>>(emu.current, 'GET', '/_emulator/stats');
    expect(stats.status).toBe(200);
    expect(stats.body).toMatchObject({
      calls: { 'GET /tickets': 4, 'GET /tickets/:id': 2, 'PUT /tickets/:id': 2 },
      credits: { 'GET /tickets': 1 + 5 + 1, 'GET /tickets/:id': 2 + 1, 'PUT /tickets/:id': 2 },
      totalCalls: 8,
      totalCredits: 12,
      invalidFieldErrors: 2,
      status: { '200': 4, '400': 2, '401': 1, '404': 1 },
      writes: { 'PUT /tickets/:id': 1 },
    });
    expect(stats.body.windows).toEqual(emu.current.stats().windows);
    await api(emu.current, 'POST', '/_emulator/reset');
    expect(emu.current.stats()).toMatchObject({ totalCalls: 0, totalCredits: 0, windows: [] });
  });

  it('reads and changes the plan', async () => {
    const plan = await api(emu.current, 'GET', '/_emulator/plan');
    expect(plan.body).toMatchObject({ name: 'pro', total: 400, ticketsList: 100, windowMs: 60000 });
    const changed = await api(emu.current, 'PUT', '/_emulator/plan', {
      body: { plan: 'enterprise' },
    });
    expect(changed.body).toMatchObject({ name: 'enterprise', total: 700 });
    expect((await api(emu.current, 'GET', '/tickets/1')).headers['x-ratelimit-total']).toBe('700');
    const custom = await api(emu.current, 'PUT', '/_emulator/plan', { body: { total: 9 } });
    expect(custom.body).toEqual({ name: 'custom', total: 9, windowMs: 60000 });
    const bad = await api(emu.current, 'PUT', '/_emulator/plan', { body: { plan: 'gold' } });
    expect(bad.status).toBe(400);
    emu.current.setPlan('pro');
  });

  it('reads and changes faults, refusing bad options', async () => {
    const set = await api(emu.current, 'PUT', '/_emulator/faults', {
      body: { seed: 3, errors: { '*': { rate: 0, status: 503 } } },
    });
    expect(set.status).toBe(200);
    expect((await api(emu.current, 'GET', '/_emulator/faults')).body).toEqual({
      seed: 3,
      errors: { '*': { rate: 0, status: 503 } },
    });
    for (const body of [
      { resetRate: 2 },
      { errors: { '*': { rate: 1, status: 418 } } },
      { nope: 1 },
    ]) {
      expect((await api(emu.current, 'PUT', '/_emulator/faults', { body })).status).toBe(400);
    }
    await api(emu.current, 'PUT', '/_emulator/faults', { body: {} });
  });

  it('serves webhook rules when the webhook module is available', async () => {
    const rules = await api(emu.current, 'GET', '/_emulator/webhooks');
    if (emu.current.webhooks === null) {
      expect(rules.status).toBe(501);
      return;
    }
    expect(rules.status).toBe(200);
    const created = await api<{ id: number }>(emu.current, 'POST', '/_emulator/webhooks', {
      body: { events: ['ticket_created'], url: 'http://127.0.0.1:9/hook' },
    });
    expect(created.status).toBe(201);
    expect((await api(emu.current, 'GET', '/_emulator/webhooks/deliveries')).status).toBe(200);
    expect(
      (await api(emu.current, 'DELETE', `/_emulator/webhooks/${created.body.id}`)).status,
    ).toBe(204);
    expect(
      (await api(emu.current, 'DELETE', `/_emulator/webhooks/${created.body.id}`)).status,
    ).toBe(404);
  });

  it('404s unknown control paths', async () => {
    expect((await api(emu.current, 'GET', '/_emulator/nothing')).status).toBe(404);
  });
});

describe('faults', () => {
  const emu = withEmulator(() => ({ data: tinyData(), rateLimit: false }));
  const ticketsBefore = () => emu.current.data.tickets.size;
  const create = () =>
    api(emu.current, 'POST', '/tickets', {
      body: { subject: 's', description: 'd', requester_id: TINY.firstContactId },
    });

  it('adds latency', async () => {
    emu.current.setFaults({ latencyMs: 150 });
    const started = performance.now();
    expect((await api(emu.current, 'GET', '/tickets/1')).status).toBe(200);
    expect(performance.now() - started).toBeGreaterThanOrEqual(140);
    emu.current.setFaults({});
  });

  it("answers 500 with Freshdesk's body, 502/504 as the edge would, 503 with Retry-After", async () => {
    emu.current.setFaults({
      errors: {
        'GET /tickets/:id': { rate: 1, status: 503, body: 'html', retryAfterSeconds: 7 },
        'GET /tickets': { rate: 1, status: 500 },
        '*': { rate: 1, status: 502, body: 'empty' },
      },
    });
    const unavailable = await api(emu.current, 'GET', '/tickets/1');
    expect(unavailable.status).toBe(503);
    expect(unavailable.headers['retry-after']).toBe('7');
    expect(unavailable.headers['content-type']).toBe('text/html');
    expect(unavailable.text).toContain('503 Service Unavailable');
    const error = await api(emu.current, 'GET', '/tickets');
    expect(error.status).toBe(500);
    expect(error.body).toEqual({ message: "We're sorry, but something went wrong." });
    const gateway = await api(emu.current, 'GET', '/tickets/1/conversations');
    expect(gateway.status).toBe(502);
    expect(gateway.text).toBe('');
    expect(emu.current.stats().faults.error).toBeGreaterThanOrEqual(3);
    emu.current.setFaults({});
  });

  it('resets the connection', async () => {
    emu.current.setFaults({ resetRate: 1 });
    await expect(api(emu.current, 'GET', '/tickets/1')).rejects.toThrow();
    emu.current.setFaults({});
    expect(emu.current.stats().status.reset).toBeGreaterThanOrEqual(1);
  });

  it('sends a truncated JSON body with a 200', async () => {
    emu.current.setFaults({ malformedRate: 1 });
    const reply = await api(emu.current, 'GET', '/tickets/1');
    emu.current.setFaults({});
    expect(reply.status).toBe(200);
    expect(reply.text.length).toBeGreaterThan(0);
    expect(() => JSON.parse(reply.text)).toThrow();
  });

  it('hangs until the client gives up', async () => {
    emu.current.setFaults({ hangRate: 1 });
    const started = performance.now();
    await expect(api(emu.current, 'GET', '/tickets/1', { timeoutMs: 300 })).rejects.toThrow();
    expect(performance.now() - started).toBeLessThan(5000);
    emu.current.setFaults({});
    expect(emu.current.stats().status.hang).toBeGreaterThanOrEqual(1);
  });

  it('skips the write on a fault by default, and performs it first with writesBeforeFault', async () => {
    emu.current.resetStats();
    emu.current.setFaults({ errors: { 'POST /tickets': { rate: 1, status: 504 } } });
    const before = ticketsBefore();
    expect((await create()).status).toBe(504);
    expect(ticketsBefore()).toBe(before);
    emu.current.setFaults({
      writesBeforeFault: true,
      errors: { 'POST /tickets': { rate: 1, status: 504 } },
    });
    expect((await create()).status).toBe(504);
    expect(ticketsBefore()).toBe(before + 1);
    emu.current.setFaults({ writesBeforeFault: true, resetRate: 1 });
    await expect(create()).rejects.toThrow();
    expect(ticketsBefore()).toBe(before + 2);
    emu.current.setFaults({});
    expect(emu.current.stats().writes).toEqual({ 'POST /tickets': 2 });
  });

  it('never performs a write refused with an injected 429, even with writesBeforeFault', async () => {
    emu.current.resetStats();
    emu.current.setFaults({
      writesBeforeFault: true,
      errors: { 'POST /tickets': { rate: 1, status: 429 } },
    });
    const before = ticketsBefore();
    expect((await create()).status).toBe(429);
    expect(ticketsBefore()).toBe(before);
    emu.current.setFaults({});
    expect(emu.current.stats().writes).toEqual({});
  });

  it('is deterministic for a seed', async () => {
    const run = async () => {
      emu.current.setFaults({ seed: 42, errors: { '*': { rate: 0.5, status: 500 } } });
      const statuses: number[] = [];
      for (let i = 0; i < 12; i += 1) {
        statuses.push((await api(emu.current, 'GET', '/tickets/1')).status);
      }
      return statuses;
    };
    const first = await run();
    expect(first).toContain(500);
    expect(first).toContain(200);
    expect(await run()).toEqual(first);
    emu.current.setFaults({});
  });

  it('draws latency within the range', () => {
    const faults = new Faults({ latencyMs: { min: 10, max: 20 } });
    for (let i = 0; i < 50; i += 1) {
      const { latencyMs } = faults.decide('GET /tickets');
      expect(latencyMs).toBeGreaterThanOrEqual(10);
      expect(latencyMs).toBeLessThanOrEqual(20);
    }
  });
});

describe("faults answering Freshdesk's 4xx and 429 with its real bodies and headers", () => {
  const emu = withEmulator(() => ({ data: tinyData(), plan: 'pro' }));
  const VERSION = 'latest=v2; requested=v2';
  const JSON_TYPE = 'application/json; charset=utf-8';
  const RATE_HEADERS = [
    'x-ratelimit-total',
    'x-ratelimit-remaining',
    'x-ratelimit-used-currentrequest',
  ];

  /** One request with `rule` on every route (rate 1, so it always fires); faults off afterwards. */
  const faulted = async (
    rule: Omit<FaultRule, 'rate'>,
    method: string,
    path: string,
    call: ApiCall = {},
  ): Promise<ApiReply> => {
    emu.current.setFaults({ errors: { '*': { rate: 1, ...rule } } });
    try {
      return await api(emu.current, method, path, call);
    } finally {
      emu.current.setFaults({});
    }
  };

  /** Status, body text and headers, minus what differs between any two answers. */
  const shape = (reply: ApiReply) => ({
    status: reply.status,
    text: reply.text,
    headers: Object.fromEntries(
      Object.entries(reply.headers)
        .filter(([name]) => !['date', 'connection', 'keep-alive'].includes(name))
        .map(([name, value]) => [
          name,
          ['x-request-id', 'x-ratelimit-remaining'].includes(name) ? typeof value : value,
        ])
        .sort(([a], [b]) => String(a).localeCompare(String(b))),
    ),
  });

  const expectAppHeaders = (reply: ApiReply, rateHeaders: boolean) => {
    expect(reply.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    expect(reply.headers['x-freshdesk-api-version']).toBe(VERSION);
    for (const name of RATE_HEADERS) {
      expect(reply.headers[name] !== undefined).toBe(rateHeaders);
    }
  };

  it.each([
    [
      400,
      {
        description: 'Validation failed',
        errors: [
          { field: 'email', message: 'It should be a valid email address', code: 'invalid_value' },
        ],
      },
    ],
    [403, { code: 'access_denied', message: 'You are not authorized to perform this action.' }],
    [
      406,
      {
        code: 'invalid_accept_header',
        message: 'Accept header is set to text/xml. It should have application/json or */*',
      },
    ],
    [
      409,
      {
        description: 'Validation failed',
        errors: [
          { field: 'email', message: 'It should be a unique value', code: 'duplicate_value' },
        ],
      },
    ],
    [
      415,
      {
        code: 'invalid_content_type',
        message: 'Content-Type header is set to text/plain. It should be set to application/json',
      },
    ],
  ] as const)(
    '%i: the exact JSON body, Freshdesk headers and rate-limit headers',
    async (status, body) => {
      emu.current.resetStats();
      const reply = await faulted({ status }, 'GET', '/tickets/1');
      expect(reply.status).toBe(status);
      expect(reply.text).toBe(JSON.stringify(body));
      expect(reply.headers['content-type']).toBe(JSON_TYPE);
      expect(reply.headers['content-length']).toBe(String(reply.text.length));
      expectAppHeaders(reply, true);
      expect(reply.headers['retry-after']).toBeUndefined();
      expect(reply.headers['x-ratelimit-used-currentrequest']).toBe('1');
      expect(emu.current.stats()).toMatchObject({
        status: { [status]: 1 },
        faults: { error: 1 },
        totalCalls: 1,
      });
    },
  );

  it('400 and 409 take their validation errors from the rule, in Freshdesk key order', async () => {
    const reply = await faulted(
      {
        status: 409,
        fieldErrors: [
          {
            code: 'duplicate_value',
            message: 'It should be a unique value',
            additional_info: { user_id: 42 },
            field: 'email',
          },
          {
            message: 'It should be one of these values: a,b',
            code: 'invalid_value',
            nested_field: 'custom_fields.cf_x',
            field: 'custom_fields',
          },
        ],
      },
      'POST',
      '/contacts',
      { body: { name: 'n', email: 'n@example.com' } },
    );
    expect(reply.status).toBe(409);
    expect(reply.text).toBe(
      '{"description":"Validation failed","errors":[' +
        '{"field":"email","additional_info":{"user_id":42},"message":"It should be a unique value","code":"duplicate_value"},' +
        '{"field":"custom_fields","nested_field":"custom_fields.cf_x","message":"It should be one of these values: a,b","code":"invalid_value"}]}',
    );
    expectAppHeaders(reply, true);
  });

  it('401: invalid_credentials, Freshdesk headers, no rate-limit headers (as a real 401)', async () => {
    const reply = await faulted({ status: 401 }, 'GET', '/tickets/1');
    expect(reply.status).toBe(401);
    expect(reply.text).toBe(
      '{"code":"invalid_credentials","message":"You have to be logged in to perform this action."}',
    );
    expect(reply.headers['content-type']).toBe(JSON_TYPE);
    expectAppHeaders(reply, false);
    expect(shape(reply)).toEqual(shape(await api(emu.current, 'GET', '/tickets/1', { key: null })));
  });

  it('404: an empty body, X-Request-Id and no X-Freshdesk-API-Version (as a real 404)', async () => {
    const reply = await faulted({ status: 404 }, 'GET', '/tickets/1');
    expect(reply.status).toBe(404);
    expect(reply.text).toBe('');
    expect(reply.headers['content-type']).toBeUndefined();
    expect(reply.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    expect(reply.headers['x-freshdesk-api-version']).toBeUndefined();
    expect(shape(reply)).toEqual(shape(await api(emu.current, 'GET', '/tickets/999999')));
  });

  it('405: the base error plus Allow, naming the method that was refused', async () => {
    const put = await faulted({ status: 405 }, 'PUT', '/tickets/1', { body: { priority: 4 } });
    expect(put.status).toBe(405);
    expect(put.text).toBe(
      '{"message":"PUT method is not allowed. It should be one of these method(s): GET"}',
    );
    expect(put.headers.allow).toBe('GET');
    expectAppHeaders(put, true);
    const get = await faulted({ status: 405 }, 'GET', '/tickets/1');
    expect(get.body).toEqual({
      message: 'GET method is not allowed. It should be one of these method(s): POST',
    });
    expect(get.headers.allow).toBe('POST');
    // With `allow`, byte for byte what a wrong verb on an existing route gets.
    const custom = await faulted({ status: 405, allow: ['GET', 'POST'] }, 'PUT', '/tickets', {
      body: { priority: 4 },
    });
    expect(custom.headers.allow).toBe('GET, POST');
    expect(shape(custom)).toEqual(
      shape(await api(emu.current, 'PUT', '/tickets', { body: { priority: 4 } })),
    );
  });

  it('406 and 415 are byte for byte what a real refused Accept or Content-Type gets', async () => {
    const accept = { headers: { accept: 'text/xml' } };
    const refused406 = await api(emu.current, 'GET', '/tickets/1', accept);
    expect(refused406.status).toBe(406);
    expect(shape(await faulted({ status: 406 }, 'GET', '/tickets/1'))).toEqual(shape(refused406));
    const plain = { rawBody: '{"priority":4}', headers: { 'content-type': 'text/plain' } };
    const refused415 = await api(emu.current, 'PUT', '/tickets/1', plain);
    expect(refused415.status).toBe(415);
    const injected = await faulted({ status: 415 }, 'PUT', '/tickets/1', {
      body: { priority: 4 },
    });
    expect(shape(injected)).toEqual(shape(refused415));
  });

  it('a faulted write is not performed (nor counted as a write) unless writesBeforeFault', async () => {
    emu.current.resetStats();
    const before = emu.current.data.tickets.size;
    const body = { subject: 's', description: 'd', requester_id: TINY.firstContactId };
    for (const status of [400, 409, 415] as const) {
      expect((await faulted({ status }, 'POST', '/tickets', { body })).status).toBe(status);
    }
    expect(emu.current.data.tickets.size).toBe(before);
    expect(emu.current.stats().writes).toEqual({});
  });

  it('429: Retry-After, the JSON message, no rate-limit headers (as the limiter answers)', async () => {
    const reply = await faulted({ status: 429, retryAfterSeconds: 37 }, 'GET', '/tickets/1');
    expect(reply.status).toBe(429);
    expect(reply.text).toBe('{"message":"You have exceeded the limit of requests per minute"}');
    expect(reply.headers['retry-after']).toBe('37');
    expect(reply.headers['content-type']).toBe('application/json');
    expectAppHeaders(reply, false);
    expect((await faulted({ status: 429 }, 'GET', '/tickets/1')).headers['retry-after']).toBe('1');
    // The limiter's own 429, for comparison.
    emu.current.resetStats();
    emu.current.setPlan({ total: 1 });
    try {
      expect((await api(emu.current, 'GET', '/tickets/1')).status).toBe(200);
      const limited = await api(emu.current, 'GET', '/tickets/1');
      expect(limited.status).toBe(429);
      emu.current.resetStats();
      const injected = await faulted(
        { status: 429, retryAfterSeconds: Number(limited.headers['retry-after']) },
        'GET',
        '/tickets/1',
      );
      expect(shape(injected)).toEqual(shape(limited));
    } finally {
      emu.current.setPlan('pro');
      emu.current.resetStats();
    }
  });

  it('refuses rules that do not fit their status, over the API and the control endpoint', async () => {
    const bad: unknown[] = [
      { rate: 1, status: 404, body: 'json' },
      { rate: 1, status: 406, body: 'empty' },
      { rate: 1, status: 401, fieldErrors: [{ field: 'a', message: 'b', code: 'c' }] },
      { rate: 1, status: 400, fieldErrors: [] },
      { rate: 1, status: 400, fieldErrors: [{ field: 'a', message: 'b' }] },
      { rate: 1, status: 409, fieldErrors: [{ field: 'a', message: 'b', code: 'c', x: 1 }] },
      { rate: 1, status: 403, allow: ['GET'] },
      { rate: 1, status: 405, allow: ['FETCH'] },
      { rate: 1, status: 405, allow: [] },
      { rate: 1, status: 429, retryAfterSeconds: -1 },
      { rate: 1, status: 429, retryAfterSeconds: 1.5 },
      { rate: 1, status: 400, retryAfter: 3 },
      { rate: 1, status: 402 },
      null,
    ];
    for (const rule of bad) {
      const options = { errors: { '*': rule } } as FaultOptions;
      expect(() => new Faults(options), JSON.stringify(rule)).toThrow(TypeError);
      const reply = await api<{ message?: string }>(emu.current, 'PUT', '/_emulator/faults', {
        body: options,
      });
      expect(reply.status, JSON.stringify(rule)).toBe(400);
    }
    expect((await api(emu.current, 'GET', '/_emulator/faults')).body).toEqual({});
    expect(() => new Faults({ errors: { '*': { rate: 1, status: 404, body: 'json' } } })).toThrow(
      /body is only for 500, 502, 503 and 504/,
    );
    const good = {
      errors: {
        'PUT /tickets/:id': { rate: 1, status: 405, allow: ['GET', 'DELETE'] },
        'POST /contacts': {
          rate: 0.5,
          status: 409,
          fieldErrors: [{ field: 'email', message: 'It should be a unique value', code: 'x' }],
        },
        '*': { rate: 1, status: 429, retryAfterSeconds: 0 },
      },
    };
    const set = await api(emu.current, 'PUT', '/_emulator/faults', { body: good });
    expect(set.status).toBe(200);
    expect(set.body).toEqual(good);
    await api(emu.current, 'PUT', '/_emulator/faults', { body: {} });
  });
});
