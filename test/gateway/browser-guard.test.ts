/**
 * Issue 10, break 3: web pages must not drive the gateway (src/http/browser-guard.ts). A
 * cross-origin form post or text/plain post stores nothing, a cross-origin JSON request reads
 * nothing, a page re-pointed at 127.0.0.1 (DNS rebinding) is refused by its Host header; a
 * configured origin works with CORS, and the gateway's own page (GraphiQL) keeps working.
 */
import { request } from 'undici';
import { describe, expect, it } from 'vitest';
import { type Stack, UNTHROTTLED, withStack } from '../helpers/gateway.ts';

const ADD_NOTE = 'mutation { addNote(ticketId: "1", input: { body: "from another site" }) { id } }';
const EVIL = 'https://evil.example';
const APP = 'https://app.example';

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
}

async function send(
  stack: Stack,
  init: { method?: string; path?: string; headers?: Record<string, string>; body?: string },
): Promise<Answer> {
  const response = await request(`${stack.gateway.origin}${init.path ?? '/graphql'}`, {
    method: (init.method ?? 'POST') as 'POST',
    headers: init.headers,
    body: init.body,
  });
  return {
    status: response.statusCode,
    headers: response.headers,
    text: await response.body.text(),
  };
}

const code = (answer: Answer): unknown =>
  (JSON.parse(answer.text) as { errors?: { extensions?: { code?: string } }[] }).errors?.[0]
    ?.extensions?.code;

const writes = (stack: Stack): number =>
  Object.values(stack.emulator.stats().writes).reduce((sum, n) => sum + n, 0);

describe('with no origin configured', () => {
  let stack: Stack;
  withStack(UNTHROTTLED, (started) => {
    stack = started;
  });

  it('a cross-site form post of addNote stores nothing', async () => {
    const answer = await send(stack, {
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin: EVIL },
      body: `query=${encodeURIComponent(ADD_NOTE)}`,
    });
    expect(answer.status).toBe(403);
    expect(code(answer)).toBe('ORIGIN_NOT_ALLOWED');
    expect(answer.headers['access-control-allow-origin']).toBeUndefined();
    expect(writes(stack)).toBe(0);
    expect(stack.emulator.stats().totalCalls).toBe(0);
  });

  it('a cross-site text/plain post stores nothing', async () => {
    const answer = await send(stack, {
      headers: { 'content-type': 'text/plain', origin: EVIL },
      body: JSON.stringify({ query: ADD_NOTE }),
    });
    expect(answer.status).toBe(403);
    expect(writes(stack)).toBe(0);
  });

  it.each([
    ['application/x-www-form-urlencoded', `query=${encodeURIComponent(ADD_NOTE)}`],
    ['text/plain;charset=UTF-8', JSON.stringify({ query: ADD_NOTE })],
    [
      'multipart/form-data; boundary=x',
      `--x\r\nContent-Disposition: form-data; name="operations"\r\n\r\n${JSON.stringify({ query: ADD_NOTE })}\r\n--x--\r\n`,
    ],
  ])('a simple %s post without an Origin (old browsers) is refused: CSRF', async (type, body) => {
    const answer = await send(stack, { headers: { 'content-type': type }, body });
    expect(answer.status).toBe(403);
    expect(code(answer)).toBe('CSRF_HEADER_REQUIRED');
    expect(writes(stack)).toBe(0);
  });

  it('a GET can query but never run a mutation', async () => {
    const mutation = await send(stack, {
      method: 'GET',
      path: `/graphql?query=${encodeURIComponent(ADD_NOTE)}`,
      headers: { accept: 'application/json' },
    });
    expect(mutation.status).toBe(405);
    expect(writes(stack)).toBe(0);
    const query = await send(stack, {
      method: 'GET',
      path: `/graphql?query=${encodeURIComponent('{ ticket(id: "1") { id } }')}`,
      headers: { accept: 'application/json' },
    });
    expect(query.status).toBe(200);
    expect(JSON.parse(query.text)).toMatchObject({ data: { ticket: { id: '1' } } });
  });

  it('a cross-origin JSON request reads nothing, and its preflight is not approved', async () => {
    const preflight = await send(stack, {
      method: 'OPTIONS',
      headers: {
        origin: EVIL,
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'content-type',
      },
    });
    expect(preflight.headers['access-control-allow-origin']).toBeUndefined();
    const answer = await send(stack, {
      headers: { 'content-type': 'application/json', origin: EVIL },
      body: JSON.stringify({ query: '{ contacts(first: 5) { nodes { email } } }' }),
    });
    expect(answer.status).toBe(403);
    expect(answer.text).not.toContain('@');
    expect(stack.emulator.stats().totalCalls).toBe(0);
  });

  it("serves the gateway's own page: GraphiQL from the same origin", async () => {
    const { host } = new URL(stack.gateway.origin);
    const page = await send(stack, { method: 'GET', headers: { accept: 'text/html' } });
    expect(page.status).toBe(200);
    expect(page.text).toMatch(/graphiql/i);
    const answer = await send(stack, {
      headers: {
        'content-type': 'application/json',
        origin: `http://${host}`,
        referer: `http://${host}/graphql`,
      },
      body: JSON.stringify({ query: '{ ticket(id: "1") { id } }' }),
    });
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.text)).toMatchObject({ data: { ticket: { id: '1' } } });
  });

  it('refuses a Host that is not loopback (DNS rebinding), on /graphql and /ready', async () => {
    for (const path of ['/graphql', '/ready']) {
      const answer = await send(stack, {
        method: path === '/ready' ? 'GET' : 'POST',
        path,
        headers: { host: 'evil.example:4000', 'content-type': 'application/json' },
        body:
          path === '/ready' ? undefined : JSON.stringify({ query: '{ ticket(id: "1") { id } }' }),
      });
      expect(answer.status).toBe(403);
      expect(code(answer)).toBe('HOST_NOT_ALLOWED');
    }
    expect(stack.emulator.stats().totalCalls).toBe(0);
    for (const host of ['localhost:4000', '127.0.0.1', '[::1]:4000']) {
      const answer = await send(stack, {
        headers: { host, 'content-type': 'application/json' },
        body: JSON.stringify({ query: '{ __typename }' }),
      });
      expect(answer.status).toBe(200);
    }
  });
});

describe('with DESKGRAPH_CORS_ORIGINS and DESKGRAPH_ALLOWED_HOSTS', () => {
  let stack: Stack;
  withStack(
    {
      ...UNTHROTTLED,
      env: {
        ...UNTHROTTLED.env,
        DESKGRAPH_CORS_ORIGINS: `${APP}, https://other.example`,
        DESKGRAPH_ALLOWED_HOSTS: 'gateway.internal',
      },
    },
    (started) => {
      stack = started;
    },
  );

  it('approves the listed origin (no credentials) and serves it', async () => {
    const preflight = await send(stack, {
      method: 'OPTIONS',
      headers: {
        origin: APP,
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'content-type, x-freshdesk-api-key',
      },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers['access-control-allow-origin']).toBe(APP);
    expect(preflight.headers['access-control-allow-credentials']).toBeUndefined();
    const answer = await send(stack, {
      headers: { 'content-type': 'application/json', origin: APP },
      body: JSON.stringify({ query: '{ ticket(id: "1") { id } }' }),
    });
    expect(answer.status).toBe(200);
    expect(answer.headers['access-control-allow-origin']).toBe(APP);
    expect(JSON.parse(answer.text)).toMatchObject({ data: { ticket: { id: '1' } } });
  });

  it('still refuses every other origin, and simple posts from the listed one', async () => {
    const evil = await send(stack, {
      headers: { 'content-type': 'application/json', origin: EVIL },
      body: JSON.stringify({ query: '{ __typename }' }),
    });
    expect(evil.status).toBe(403);
    const form = await send(stack, {
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin: APP },
      body: `query=${encodeURIComponent(ADD_NOTE)}`,
    });
    expect(form.status).toBe(403);
    expect(code(form)).toBe('CSRF_HEADER_REQUIRED');
    expect(writes(stack)).toBe(0);
  });

  it('accepts a listed Host name', async () => {
    const answer = await send(stack, {
      headers: { host: 'gateway.internal:4000', 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ __typename }' }),
    });
    expect(answer.status).toBe(200);
  });
});
