/**
 * Contract section 5 end to end: one query per row of the error table, through the gateway over
 * real sockets, against the emulator (its real refusals, and injected faults for what a
 * well-behaved gateway never draws: 406, 415), then every status again against the scripted fake
 * Freshdesk (plus a refused connection and an unexpected internal error), checking `code`,
 * `upstream`, `retryAfter`, `fieldErrors` and `retryable`; partial results; masking.
 */
import { GraphQLError, type GraphQLSchema } from 'graphql';
import { createSchema, createYoga } from 'graphql-yoga';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import { canSeeTicket } from '../../src/emulator/handlers/tickets.ts';
import { codeFor, createMaskError, toGraphQLError } from '../../src/errors.ts';
import { createLogger, secretForms } from '../../src/logger.ts';
import { requestScope } from '../../src/request-scope.ts';
import { type Gateway, startGateway } from '../../src/server.ts';
import { UpstreamError } from '../../src/upstream/upstream-error.ts';
import {
  type FakeFreshdesk,
  freshdeskAnswer,
  startFakeFreshdesk,
} from '../helpers/fake-freshdesk.ts';
import { type GraphQLResponse, postGraphQL, type Stack, startStack } from '../helpers/gateway.ts';

type Response = GraphQLResponse<Record<string, unknown>>;
type Extensions = Record<string, unknown>;

const TICKET = 'query ($id: ID!) { ticket(id: $id) { id subject } }';
const CREATE_CONTACT =
  'mutation ($input: CreateContactInput!) { createContact(input: $input) { id email } }';
const UPDATE_CONTACT =
  'mutation ($id: ID!, $input: UpdateContactInput!) { updateContact(id: $id, input: $input) { id } }';

/** Every response body and log line this file sees, searched for keys at the end. */
const seenBodies: string[] = [];
const seenLogs: string[][] = [];
const keysUsed = new Set<string>();

function only(response: Response): Extensions {
  expect(response.status).toBe(200);
  expect(response.errors).toHaveLength(1);
  return response.errors?.[0]?.extensions ?? {};
}

describe('the translation table (unit)', () => {
  const error = (init: Partial<ConstructorParameters<typeof UpstreamError>[1]>) =>
    new UpstreamError('x', {
      kind: 'http',
      method: 'GET',
      path: '/api/v2/x',
      retryable: true,
      ...init,
    });

  it.each([
    [400, 'BAD_USER_INPUT'],
    [401, 'UNAUTHENTICATED'],
    [403, 'FORBIDDEN'],
    [404, 'NOT_FOUND'],
    [405, 'METHOD_NOT_ALLOWED'],
    [406, 'NOT_ACCEPTABLE'],
    [409, 'CONFLICT'],
    [415, 'UNSUPPORTED_MEDIA_TYPE'],
    [429, 'RATE_LIMITED'],
    [500, 'UPSTREAM_ERROR'],
    [502, 'BAD_GATEWAY'],
    [503, 'SERVICE_UNAVAILABLE'],
    [504, 'GATEWAY_TIMEOUT'],
    [408, 'GATEWAY_TIMEOUT'],
    [402, 'UPSTREAM_ERROR'],
    [422, 'UPSTREAM_ERROR'],
    [501, 'UPSTREAM_ERROR'],
  ])('maps HTTP %i to %s', (status, code) => {
    expect(codeFor(error({ status }))).toBe(code);
  });

  it.each([
    ['timeout', 'GATEWAY_TIMEOUT'],
    ['unreachable', 'UPSTREAM_UNREACHABLE'],
    ['malformed', 'BAD_GATEWAY'],
    ['quota', 'QUOTA_EXCEEDED'],
  ] as const)('maps %s to %s', (kind, code) => {
    expect(codeFor(error({ kind }))).toBe(code);
  });

  it('says a write that may have reached Freshdesk is not retryable, and why', () => {
    const gql = toGraphQLError(error({ method: 'POST', status: 504, retryable: false }));
    expect(gql.extensions).toMatchObject({ code: 'GATEWAY_TIMEOUT', retryable: false });
    expect(gql.message).toContain('may have been made');
    const refused = toGraphQLError(error({ kind: 'unreachable', method: 'POST', retryable: true }));
    expect(refused.extensions).toMatchObject({ code: 'UPSTREAM_UNREACHABLE', retryable: true });
    expect(refused.message).not.toContain('may have been made');
  });

  it("echoes Freshdesk's own message, not the generic ones", () => {
    const feature = 'The Surveys feature(s) is/are not supported in your plan. Please upgrade.';
    expect(toGraphQLError(error({ status: 403, upstreamMessage: feature })).message).toContain(
      feature,
    );
    expect(
      toGraphQLError(
        error({ status: 500, upstreamMessage: "We're sorry, but something went wrong." }),
      ).message,
    ).toBe('Freshdesk failed to process the request.');
  });
});

describe('every row of the contract table, through the gateway and the emulator', () => {
  let stack: Stack;
  let outOfScopeTicket: number;
  let blockedContact: number;
  let takenEmail: string;
  let keys: Stack['emulator']['apiKeys'];

  const ask = async (
    query: string,
    variables: Record<string, unknown>,
    key: string = keys.admin,
  ): Promise<Response> => {
    keysUsed.add(key);
    const response = await stack.gql(query, variables, { 'x-freshdesk-api-key': key });
    seenBodies.push(JSON.stringify(response));
    return response;
  };
  const calls = (route: string): number => stack.emulator.stats().calls[route] ?? 0;

  beforeAll(async () => {
    stack = await startStack({
      emulator: { tickets: 60, log: () => {} },
      env: {
        DESKGRAPH_AUTH: 'passthrough',
        DESKGRAPH_OPERATION_DEADLINE_MS: '1500',
        DESKGRAPH_UPSTREAM_TIMEOUT_MS: '300',
      },
    });
    seenLogs.push(stack.logs);
    keys = stack.emulator.apiKeys;
    const { data } = stack.emulator;
    const restricted = data.agents.get(data.apiKeys.get(keys.restricted) ?? -1);
    const hidden = [...data.tickets.values()].find(
      (t) => !t.spam && !t.deleted && restricted && !canSeeTicket(restricted, t),
    );
    outOfScopeTicket = hidden?.id ?? -1;
    blockedContact = [...data.contacts.values()].find((c) => c._state === 'blocked')?.id ?? -1;
    takenEmail = [...data.contacts.values()].find((c) => c._state === 'verified' && c.email)
      ?.email as string;
    expect([outOfScopeTicket, blockedContact]).not.toContain(-1);
  });

  afterAll(async () => {
    await stack?.close();
  });

  /** Each row starts from a clean emulator: no faults, zeroed counters and rate windows. */
  const reset = () => {
    stack.emulator.setFaults({});
    stack.emulator.resetStats();
  };

  it("400 → BAD_USER_INPUT with Freshdesk's fieldErrors", async () => {
    reset();
    const response = await ask(CREATE_CONTACT, {
      input: { name: 'Nobody', email: 'nobody-400@example.com', companyId: '987654321' },
    });
    expect(response.data?.createContact ?? null).toBeNull();
    expect(only(response)).toEqual({
      code: 'BAD_USER_INPUT',
      upstream: {
        status: 400,
        method: 'POST',
        path: '/api/v2/contacts',
        requestId: expect.any(String),
      },
      fieldErrors: [
        {
          // Named as the GraphQL input names it, whoever found the problem.
          field: 'companyId',
          message: 'There is no company matching the given company_id',
          code: 'invalid_value',
        },
      ],
      retryable: false,
    });
    expect(calls('POST /contacts')).toBe(1);
  });

  it('401 → UNAUTHENTICATED (a key Freshdesk does not know)', async () => {
    reset();
    const response = await ask(TICKET, { id: '1' }, 'not-a-real-key-401');
    expect(response.data?.ticket).toBeNull();
    expect(only(response)).toEqual({
      code: 'UNAUTHENTICATED',
      upstream: {
        status: 401,
        method: 'GET',
        path: '/api/v2/tickets/1',
        requestId: expect.any(String),
      },
      retryable: false,
    });
  });

  it("403 → FORBIDDEN (a ticket outside a restricted agent's scope)", async () => {
    reset();
    const response = await ask(TICKET, { id: String(outOfScopeTicket) }, keys.restricted);
    expect(only(response)).toMatchObject({
      code: 'FORBIDDEN',
      upstream: { status: 403, method: 'GET', path: `/api/v2/tickets/${outOfScopeTicket}` },
      retryable: false,
    });
  });

  it('404 → NOT_FOUND and a null ticket', async () => {
    reset();
    const response = await ask(TICKET, { id: '999999' });
    expect(response.data).toEqual({ ticket: null });
    expect(only(response)).toEqual({
      code: 'NOT_FOUND',
      upstream: {
        status: 404,
        method: 'GET',
        path: '/api/v2/tickets/999999',
        requestId: expect.any(String),
      },
      retryable: false,
    });
    expect(response.errors?.[0]?.path).toEqual(['ticket']);
  });

  it('405 → METHOD_NOT_ALLOWED (updating a blocked contact)', async () => {
    reset();
    const response = await ask(UPDATE_CONTACT, {
      id: String(blockedContact),
      input: { name: 'Renamed' },
    });
    expect(only(response)).toMatchObject({
      code: 'METHOD_NOT_ALLOWED',
      upstream: { status: 405, method: 'PUT', path: `/api/v2/contacts/${blockedContact}` },
      retryable: false,
    });
    expect(stack.emulator.stats().writes['PUT /contacts/:id'] ?? 0).toBe(0);
  });

  it('409 → CONFLICT with fieldErrors naming the duplicate email', async () => {
    reset();
    const response = await ask(CREATE_CONTACT, { input: { name: 'Twin', email: takenEmail } });
    expect(only(response)).toMatchObject({
      code: 'CONFLICT',
      upstream: { status: 409, method: 'POST', path: '/api/v2/contacts' },
      fieldErrors: [
        { field: 'email', message: 'It should be a unique value', code: 'duplicate_value' },
      ],
      retryable: false,
    });
    expect(calls('POST /contacts')).toBe(1);
  });

  // 406 and 415 never happen to a well-behaved gateway, so the emulator injects them; the rows
  // above also run here with Freshdesk's real body for each status, injected the same way.
  it.each([
    [400, 'BAD_USER_INPUT'],
    [401, 'UNAUTHENTICATED'],
    [403, 'FORBIDDEN'],
    [404, 'NOT_FOUND'],
    [405, 'METHOD_NOT_ALLOWED'],
    [406, 'NOT_ACCEPTABLE'],
    [409, 'CONFLICT'],
    [415, 'UNSUPPORTED_MEDIA_TYPE'],
  ] as const)("%i injected with Freshdesk's real body → %s, not retried", async (status, code) => {
    reset();
    stack.emulator.setFaults({ errors: { 'GET /tickets/:id': { rate: 1, status } } });
    const response = await ask(TICKET, { id: '9' });
    expect(response.data).toEqual({ ticket: null });
    const extensions = only(response);
    expect(extensions).toEqual({
      code,
      upstream: {
        status,
        method: 'GET',
        path: '/api/v2/tickets/9',
        requestId: expect.any(String),
      },
      ...(status === 400 || status === 409
        ? {
            fieldErrors: [
              status === 400
                ? {
                    field: 'email',
                    message: 'It should be a valid email address',
                    code: 'invalid_value',
                  }
                : {
                    field: 'email',
                    message: 'It should be a unique value',
                    code: 'duplicate_value',
                  },
            ],
          }
        : {}),
      retryable: false,
    });
    expect(extensions.retryAfter).toBeUndefined();
    expect(calls('GET /tickets/:id')).toBe(1);
    expect(stack.emulator.stats().faults.error).toBe(1);
  });

  it('415 → UNSUPPORTED_MEDIA_TYPE on a write (injected), which is not performed', async () => {
    reset();
    stack.emulator.setFaults({ errors: { 'POST /contacts': { rate: 1, status: 415 } } });
    const response = await ask(CREATE_CONTACT, {
      input: { name: 'Plain Text', email: 'plain-415@example.com' },
    });
    expect(response.data?.createContact ?? null).toBeNull();
    expect(only(response)).toEqual({
      code: 'UNSUPPORTED_MEDIA_TYPE',
      upstream: {
        status: 415,
        method: 'POST',
        path: '/api/v2/contacts',
        requestId: expect.any(String),
      },
      retryable: false,
    });
    expect(calls('POST /contacts')).toBe(1);
    expect(stack.emulator.stats().writes['POST /contacts'] ?? 0).toBe(0);
  });

  it('500 → UPSTREAM_ERROR, not retried', async () => {
    reset();
    stack.emulator.setFaults({ errors: { 'GET /tickets/:id': { rate: 1, status: 500 } } });
    const response = await ask(TICKET, { id: '3' });
    expect(only(response)).toEqual({
      code: 'UPSTREAM_ERROR',
      upstream: {
        status: 500,
        method: 'GET',
        path: '/api/v2/tickets/3',
        requestId: expect.any(String),
      },
      retryable: false,
    });
    expect(calls('GET /tickets/:id')).toBe(1);
  });

  it.each([
    [502, 'BAD_GATEWAY', 'html'],
    [504, 'GATEWAY_TIMEOUT', 'empty'],
  ] as const)('%i → %s after 3 attempts (an edge %s body)', async (status, code, body) => {
    reset();
    stack.emulator.setFaults({ errors: { 'GET /tickets/:id': { rate: 1, status, body } } });
    const response = await ask(TICKET, { id: '4' });
    expect(only(response)).toEqual({
      code,
      upstream: { status, method: 'GET', path: '/api/v2/tickets/4', requestId: null },
      retryable: true,
    });
    expect(calls('GET /tickets/:id')).toBe(3);
  });

  it('503 → SERVICE_UNAVAILABLE with retryAfter, without waiting past the deadline', async () => {
    reset();
    stack.emulator.setFaults({
      errors: { 'GET /tickets/:id': { rate: 1, status: 503, body: 'html', retryAfterSeconds: 30 } },
    });
    const response = await ask(TICKET, { id: '5' });
    expect(only(response)).toEqual({
      code: 'SERVICE_UNAVAILABLE',
      upstream: { status: 503, method: 'GET', path: '/api/v2/tickets/5', requestId: null },
      retryAfter: 30,
      retryable: true,
    });
    expect(calls('GET /tickets/:id')).toBe(1);
  });

  it('no answer in time → GATEWAY_TIMEOUT, within the deadline', async () => {
    reset();
    stack.emulator.setFaults({ hangRate: 1 });
    const started = Date.now();
    const response = await ask(TICKET, { id: '6' });
    expect(only(response)).toEqual({
      code: 'GATEWAY_TIMEOUT',
      upstream: { status: null, method: 'GET', path: '/api/v2/tickets/6', requestId: null },
      retryable: true,
    });
    expect(Date.now() - started).toBeLessThan(1_500 + 1_000); // deadline + generous slack
  });

  it('connection reset → UPSTREAM_UNREACHABLE after 3 attempts', async () => {
    reset();
    stack.emulator.setFaults({ resetRate: 1 });
    const response = await ask(TICKET, { id: '7' });
    expect(only(response)).toEqual({
      code: 'UPSTREAM_UNREACHABLE',
      upstream: { status: null, method: 'GET', path: '/api/v2/tickets/7', requestId: null },
      retryable: true,
    });
    expect(calls('GET /tickets/:id')).toBe(3);
  });

  it('a garbled 2xx body → BAD_GATEWAY with the status Freshdesk sent', async () => {
    reset();
    stack.emulator.setFaults({ malformedRate: 1 });
    const response = await ask(TICKET, { id: '8' });
    expect(only(response)).toMatchObject({
      code: 'BAD_GATEWAY',
      upstream: { status: 200, method: 'GET', path: '/api/v2/tickets/8' },
      retryable: true,
    });
    expect(calls('GET /tickets/:id')).toBe(3);
  });

  it('a failing non-null root field nulls the data, and the gateway still answers HTTP 200', async () => {
    reset();
    stack.emulator.setFaults({ errors: { 'GET /tickets': { rate: 1, status: 500 } } });
    const response = await ask('{ tickets(first: 2) { nodes { id } } }', {});
    expect(response.status).toBe(200);
    expect(response.data).toBeNull();
    expect(response.errors?.[0]).toMatchObject({
      path: ['tickets'],
      extensions: { code: 'UPSTREAM_ERROR', upstream: { status: 500, method: 'GET' } },
    });
  });

  it('a good and a bad ticket in one query: data for one, an error for the other, HTTP 200', async () => {
    reset();
    const response = await ask(
      '{ good: ticket(id: "1") { id subject } bad: ticket(id: "999998") { id subject } }',
      {},
    );
    expect(response.status).toBe(200);
    expect(response.data?.good).toEqual({
      id: '1',
      subject: stack.emulator.data.tickets.get(1)?.subject,
    });
    expect(response.data?.bad).toBeNull();
    expect(response.errors).toHaveLength(1);
    expect(response.errors?.[0]).toMatchObject({
      path: ['bad'],
      extensions: { code: 'NOT_FOUND', upstream: { status: 404 } },
    });
  });

  it('a failing nested field nulls only itself: the contact resolves, its company does not', async () => {
    reset();
    const contact = [...stack.emulator.data.contacts.values()].find(
      (c) => c._state === 'verified' && c.company_id !== null,
    );
    // The company list fails, and so does the by-id read the gateway falls back to.
    stack.emulator.setFaults({
      errors: {
        'GET /companies': { rate: 1, status: 502 },
        'GET /companies/:id': { rate: 1, status: 502 },
      },
    });
    const response = await ask(
      'query ($id: ID!) { contact(id: $id) { id name company { id name } } }',
      { id: String(contact?.id) },
    );
    expect(response.status).toBe(200);
    expect(response.data?.contact).toEqual({
      id: String(contact?.id),
      name: contact?.name,
      company: null,
    });
    expect(response.errors).toHaveLength(1);
    expect(response.errors?.[0]).toMatchObject({
      path: ['contact', 'company'],
      extensions: { code: 'BAD_GATEWAY', upstream: { status: 502 } },
    });
  });

  it("429 → RATE_LIMITED with retryAfter (another app spent the account's budget)", async () => {
    // Runs after every other row of this stack: the gateway learns from the 429 and pauses.
    reset();
    stack.emulator.setPlan({ total: 3 });
    try {
      for (let i = 0; i < 3; i++) {
        // Limits are per account: someone else's calls count against ours.
        const other = await fetch(`${stack.emulator.origin}/api/v2/tickets/1`, {
          headers: { authorization: `Basic ${Buffer.from(`${keys.agent}:X`).toString('base64')}` },
        });
        expect(other.status).toBe(200);
        await other.arrayBuffer();
      }
      const response = await ask(TICKET, { id: '2' });
      const extensions = only(response);
      expect(extensions).toMatchObject({
        code: 'RATE_LIMITED',
        upstream: { status: 429, method: 'GET', path: '/api/v2/tickets/2' },
        retryable: true,
      });
      // The window is a minute: waiting longer than the deadline is not done for the caller.
      expect(extensions.retryAfter).toBeGreaterThan(1);
      expect(extensions.retryAfter).toBeLessThanOrEqual(60);
    } finally {
      stack.emulator.setPlan('growth');
    }
  });

  it("then QUOTA_EXCEEDED: the gateway's own guard refuses to spend into a known 429", async () => {
    stack.emulator.resetStats();
    const response = await ask(TICKET, { id: '2' });
    expect(response.data?.ticket ?? null).toBeNull();
    const extensions = only(response);
    expect(extensions.code).toBe('QUOTA_EXCEEDED');
    expect(extensions.retryAfter).toBeGreaterThan(1);
    expect(extensions.retryAfter).toBeLessThanOrEqual(60);
    expect(stack.emulator.stats().totalCalls).toBe(0); // nothing was sent
  });
});

describe('every status again, and what needs a scripted upstream, through the fake Freshdesk', () => {
  const KEY = 'fake-freshdesk-service-key-001';
  let fake: FakeFreshdesk;
  let gateway: Gateway;
  const logs: string[] = [];

  beforeAll(async () => {
    fake = await startFakeFreshdesk(() => freshdeskAnswer(404));
    gateway = await startOn(fake.origin, KEY, logs);
    keysUsed.add(KEY);
    seenLogs.push(logs);
  });

  afterAll(async () => {
    await gateway?.close();
    await fake?.close();
  });

  const askTicket = async (id: string): Promise<Response> => {
    const response = await postGraphQL<Record<string, unknown>>(gateway.url, TICKET, { id });
    seenBodies.push(JSON.stringify(response));
    return response;
  };

  it('a 2xx body of the wrong shape → BAD_GATEWAY with upstream, not a masked internal error', async () => {
    // A 200 with `null` where a ticket belongs: before the models checked what they read, the
    // ticket mapper crashed on it and the client got "Unexpected error." (masking itself is
    // tested in a bare Yoga below).
    fake.respond(() => ({ status: 200, body: 'null' }));
    const response = await askTicket('12');
    expect(typeof response.headers['x-request-id']).toBe('string');
    expect(only(response)).toEqual({
      code: 'BAD_GATEWAY',
      upstream: { status: 200, method: 'GET', path: '/api/v2/tickets/12', requestId: 'fake-200' },
      retryable: true,
    });
    expect(response.errors?.[0]?.message).toContain('the body should be an object');
    expect(logs.some((line) => JSON.parse(line).message === 'unexpected error')).toBe(false);
  });

  it.each([
    [400, 'BAD_USER_INPUT', 1],
    [401, 'UNAUTHENTICATED', 1],
    [403, 'FORBIDDEN', 1],
    [404, 'NOT_FOUND', 1],
    [405, 'METHOD_NOT_ALLOWED', 1],
    [406, 'NOT_ACCEPTABLE', 1],
    [409, 'CONFLICT', 1],
    [415, 'UNSUPPORTED_MEDIA_TYPE', 1],
    [500, 'UPSTREAM_ERROR', 1],
    [502, 'BAD_GATEWAY', 3],
    [503, 'SERVICE_UNAVAILABLE', 1],
    [504, 'GATEWAY_TIMEOUT', 3],
    // Last but for the refused connection: after a 429 the gateway pauses for Retry-After (37 s).
    [429, 'RATE_LIMITED', 1],
  ])("%i with Freshdesk's real body → %s (%i attempt(s))", async (status, code, attempts) => {
    fake.respond(() => freshdeskAnswer(status));
    const before = fake.requests.length;
    const response = await askTicket('11');
    const extensions = only(response);
    expect(extensions).toMatchObject({
      code,
      upstream: {
        status,
        method: 'GET',
        path: '/api/v2/tickets/11',
        requestId: [404, 502, 504].includes(status) ? expect.any(String) : `fake-${status}`,
      },
    });
    expect(extensions.retryAfter).toBe(status === 429 ? 37 : status === 503 ? 12 : undefined);
    expect(fake.requests.length - before).toBe(attempts);
    if (status === 400 || status === 409) {
      expect(extensions.fieldErrors).toEqual([
        {
          field: 'email',
          message:
            status === 400 ? 'It should be a valid email address' : 'It should be a unique value',
          code: status === 400 ? 'invalid_value' : 'duplicate_value',
        },
      ]);
    } else {
      expect(extensions.fieldErrors).toBeUndefined();
    }
  });

  it('connection refused → UPSTREAM_UNREACHABLE', async () => {
    const closed = await startFakeFreshdesk(() => freshdeskAnswer(200));
    const origin = closed.origin;
    await closed.close();
    const refusedLogs: string[] = [];
    seenLogs.push(refusedLogs);
    const refused = await startOn(origin, KEY, refusedLogs);
    try {
      const response = await postGraphQL<Record<string, unknown>>(refused.url, TICKET, { id: '1' });
      seenBodies.push(JSON.stringify(response));
      expect(only(response)).toEqual({
        code: 'UPSTREAM_UNREACHABLE',
        upstream: { status: null, method: 'GET', path: '/api/v2/tickets/1', requestId: null },
        retryable: true,
      });
    } finally {
      await refused.close();
    }
  });
});

describe('masking (createMaskError in a bare Yoga)', () => {
  const SECRET = 'a-secret-inside-an-error-message';

  function bareYoga(lines: string[]) {
    const schema: GraphQLSchema = createSchema({
      typeDefs: 'type Query { crash: String, deliberate: String, wrapped: String, ok: String }',
      resolvers: {
        Query: {
          crash: () => {
            throw new TypeError(`cannot read ${SECRET}`);
          },
          deliberate: () => {
            throw new GraphQLError('Bad cursor.', { extensions: { code: 'BAD_USER_INPUT' } });
          },
          wrapped: () => {
            throw new Error('wrapper', {
              cause: new UpstreamError('x', {
                kind: 'http',
                method: 'GET',
                path: '/api/v2/groups',
                status: 403,
                retryable: true,
              }),
            });
          },
          ok: () => 'fine',
        },
      },
    });
    const logger = createLogger({ secrets: [SECRET], write: (line) => lines.push(line) });
    return createYoga({
      schema,
      maskedErrors: { maskError: createMaskError(logger) },
      logging: false,
    });
  }

  it('masks the unexpected, passes the deliberate, translates a wrapped upstream error', async () => {
    const lines: string[] = [];
    const yoga = bareYoga(lines);
    const body = await requestScope.run({ requestId: 'req-123' }, async () => {
      const res = await yoga.fetch('http://gateway.test/graphql', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: '{ ok crash deliberate wrapped }' }),
      });
      expect(res.status).toBe(200);
      return res.json();
    });
    expect(body.data).toEqual({ ok: 'fine', crash: null, deliberate: null, wrapped: null });
    const byPath = Object.fromEntries(
      body.errors.map((e: { path: string[] }) => [e.path[0], e]),
    ) as Record<string, { message: string; extensions: Extensions }>;
    expect(byPath.crash).toMatchObject({
      message: 'Unexpected error.',
      extensions: { code: 'INTERNAL_SERVER_ERROR', requestId: 'req-123' },
    });
    expect(byPath.deliberate).toMatchObject({
      message: 'Bad cursor.',
      extensions: { code: 'BAD_USER_INPUT' },
    });
    expect(byPath.wrapped?.extensions).toMatchObject({
      code: 'FORBIDDEN',
      upstream: { status: 403, path: '/api/v2/groups' },
    });
    expect(JSON.stringify(body)).not.toContain(SECRET);
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0] ?? '')).toMatchObject({
      level: 'error',
      message: 'unexpected error',
      requestId: 'req-123',
      error: { name: 'TypeError', message: 'cannot read [redacted]' },
    });
  });
});

describe("no key anywhere in this file's responses or logs", () => {
  it('finds none', () => {
    const text = [...seenBodies, ...seenLogs.flat()].join('\n');
    expect(seenBodies.length).toBeGreaterThan(20);
    for (const key of keysUsed) {
      for (const form of secretForms(key)) {
        expect(text).not.toContain(form);
      }
    }
  });
});

/** A gateway over `origin` with `key`, its log lines collected. */
async function startOn(origin: string, key: string, logs: string[]): Promise<Gateway> {
  const config = loadConfig({
    FRESHDESK_BASE_URL: origin,
    FRESHDESK_API_KEY: key,
    PORT: '0',
    LOG_LEVEL: 'debug',
    DESKGRAPH_OPERATION_DEADLINE_MS: '3000',
    DESKGRAPH_UPSTREAM_TIMEOUT_MS: '500',
  });
  const logger = createLogger({ level: 'debug', secrets: [key], write: (line) => logs.push(line) });
  return startGateway({ config, upstreamOrigin: origin, logger });
}
