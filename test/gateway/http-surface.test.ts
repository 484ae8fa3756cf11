/** The gateway's plain HTTP routes and request ids (contract section 3), over real sockets. */
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postGraphQL, type Stack, startStack, UNTHROTTLED } from '../helpers/gateway.ts';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack(UNTHROTTLED);
});
afterAll(async () => {
  await stack.close();
});

const get = async (path: string, headers: Record<string, string> = {}) => {
  const response = await request(`${stack.gateway.origin}${path}`, { headers });
  return {
    status: response.statusCode,
    headers: response.headers,
    body: await response.body.json(),
  };
};

describe('/health and /ready', () => {
  it('answers /health without touching Freshdesk', async () => {
    stack.emulator.resetStats();
    expect(await get('/health')).toMatchObject({ status: 200, body: { status: 'ok' } });
    expect(stack.emulator.stats().totalCalls).toBe(0);
  });

  it('is ready when Freshdesk accepts the credentials, naming the upstream but not the key', async () => {
    const ready = await get('/ready');
    expect(ready).toMatchObject({
      status: 200,
      body: { status: 'ready', upstream: stack.emulator.origin },
    });
    expect(JSON.stringify(ready.body)).not.toContain(stack.config.apiKey);
  });

  it('is not ready (503) when Freshdesk refuses the key', async () => {
    const other = await startStack({
      ...UNTHROTTLED,
      env: { ...UNTHROTTLED.env, FRESHDESK_API_KEY: 'wrong-key-123456' },
    });
    try {
      const response = await request(`${other.gateway.origin}/ready`);
      const body = (await response.body.json()) as { status: string; reason: string };
      expect(response.statusCode).toBe(503);
      expect(body.status).toBe('unavailable');
      expect(JSON.stringify(body)).not.toContain('wrong-key-123456');
    } finally {
      await other.close();
    }
  });
});

describe('request ids', () => {
  it('echoes a well-formed x-request-id and gives every response one', async () => {
    const echoed = await get('/health', { 'x-request-id': 'trace-42.a:b' });
    expect(echoed.headers['x-request-id']).toBe('trace-42.a:b');
    const fresh = await get('/health');
    expect(fresh.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('replaces an id that is not a plain token (no header injection, no log forging)', async () => {
    const response = await get('/health', { 'x-request-id': 'evil id <script>' });
    expect(response.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });
});

describe('passthrough auth', () => {
  it('refuses a request without X-Freshdesk-Api-Key as UNAUTHENTICATED, with no fallback to the service key', async () => {
    const pass = await startStack({
      ...UNTHROTTLED,
      env: { ...UNTHROTTLED.env, DESKGRAPH_AUTH: 'passthrough' },
    });
    try {
      pass.emulator.resetStats();
      const refused = await postGraphQL(pass.gateway.url, '{ ticket(id: "1") { id } }');
      expect(refused.status).toBe(401);
      expect(refused.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
      expect(pass.emulator.stats().totalCalls).toBe(0);
      const allowed = await postGraphQL<{ ticket: { id: string } }>(
        pass.gateway.url,
        '{ ticket(id: "1") { id } }',
        undefined,
        { 'x-freshdesk-api-key': pass.emulator.apiKeys.agent },
      );
      expect(allowed.data?.ticket.id).toBe('1');
    } finally {
      await pass.close();
    }
  });
});
