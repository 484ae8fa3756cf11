/**
 * The API key never leaves through the front door: a sweep of successes, every kind of upstream
 * failure, bad requests and the plain HTTP routes, in service and passthrough modes, then a search
 * of every raw response (status line, headers, body) and every gateway log line (at debug level)
 * for each key used, in every form it could take (raw, JSON-escaped, URL-encoded, Basic base64).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { secretForms } from '../../src/logger.ts';
import { type Stack, startStack } from '../helpers/gateway.ts';

const SERVICE_KEY = 'svcKey-9f8e7d6c5b4a3210';
const WRONG_KEY = 'wrongKey-0123456789abcdef';

const TICKET = 'query ($id: ID!) { ticket(id: $id) { id subject } }';
const CREATE_CONTACT =
  'mutation ($input: CreateContactInput!) { createContact(input: $input) { id } }';

interface Seen {
  stacks: Stack[];
  responses: string[];
  keys: Set<string>;
}
const seen: Seen = { stacks: [], responses: [], keys: new Set([SERVICE_KEY, WRONG_KEY]) };

/** A raw exchange with the gateway, recorded whole. */
async function exchange(
  stack: Stack,
  path: string,
  init: { method?: string; headers?: Record<string, string>; body?: string } = {},
): Promise<{ status: number; text: string }> {
  const response = await fetch(`${stack.gateway.origin}${path}`, init);
  const text = await response.text();
  seen.responses.push(
    `${response.status}\n${[...response.headers].map(([k, v]) => `${k}: ${v}`).join('\n')}\n\n${text}`,
  );
  return { status: response.status, text };
}

const graphql = (
  stack: Stack,
  query: string,
  variables: Record<string, unknown> = {},
  headers: Record<string, string> = {},
) =>
  exchange(stack, '/graphql', {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json', ...headers },
    body: JSON.stringify({ query, variables }),
  });

/** Every failure the upstream can produce, one query each. */
async function sweep(stack: Stack, headers: Record<string, string> = {}): Promise<void> {
  const faults = [
    {},
    { errors: { '*': { rate: 1, status: 500 as const } } },
    { errors: { '*': { rate: 1, status: 502 as const, body: 'html' as const } } },
    { errors: { '*': { rate: 1, status: 503 as const, retryAfterSeconds: 30 } } },
    { errors: { '*': { rate: 1, status: 504 as const } } },
    { resetRate: 1 },
    { malformedRate: 1 },
    { hangRate: 1 },
  ];
  for (const fault of faults) {
    stack.emulator.setFaults(fault);
    await graphql(stack, TICKET, { id: '1' }, headers);
    await graphql(stack, '{ tickets(first: 3) { nodes { id } } }', {}, headers);
  }
  stack.emulator.setFaults({});
  await graphql(stack, TICKET, { id: '999999' }, headers);
  await graphql(stack, TICKET, { id: 'not-a-number' }, headers);
  await graphql(stack, '{ ticket(id: "1") { nope } }', {}, headers);
  await graphql(stack, '{ ticket(id: ', {}, headers);
  const taken = [...stack.emulator.data.contacts.values()].find((c) => c.email)?.email;
  await graphql(stack, CREATE_CONTACT, { input: { name: 'Dup', email: taken } }, headers);
  await graphql(
    stack,
    CREATE_CONTACT,
    { input: { name: 'Bad', email: 'bad-co@example.com', companyId: '99999999' } },
    headers,
  );
  await exchange(stack, '/health');
  await exchange(stack, '/ready', { headers });
  await exchange(stack, '/graphql', { headers: { accept: 'text/html', ...headers } });
  await exchange(stack, '/no-such-route', { headers });
}

describe('service mode', () => {
  let stack: Stack;

  beforeAll(async () => {
    stack = await startStack({
      emulator: { tickets: 30, adminApiKey: SERVICE_KEY, log: () => {} },
      env: { DESKGRAPH_OPERATION_DEADLINE_MS: '1200', DESKGRAPH_UPSTREAM_TIMEOUT_MS: '300' },
    });
    seen.stacks.push(stack);
  });

  afterAll(async () => {
    await stack?.close();
  });

  it('uses the service key upstream and answers every kind of failure', async () => {
    expect(stack.config.apiKey).toBe(SERVICE_KEY);
    await sweep(stack);
    expect(seen.responses.length).toBeGreaterThan(20);
  });

  it('fails readiness with a wrong service key, without saying it', async () => {
    const wrong = await startStack({
      emulator: { tickets: 5, log: () => {} },
      env: { FRESHDESK_API_KEY: WRONG_KEY },
    });
    seen.stacks.push(wrong);
    try {
      const ready = await exchange(wrong, '/ready');
      expect(ready.status).toBe(503);
      const ticket = await graphql(wrong, TICKET, { id: '1' });
      expect(JSON.parse(ticket.text).errors[0].extensions.code).toBe('UNAUTHENTICATED');
    } finally {
      await wrong.close();
    }
  });
});

describe('passthrough mode', () => {
  let stack: Stack;

  beforeAll(async () => {
    stack = await startStack({
      emulator: { tickets: 30, log: () => {} },
      env: {
        DESKGRAPH_AUTH: 'passthrough',
        DESKGRAPH_OPERATION_DEADLINE_MS: '1200',
        DESKGRAPH_UPSTREAM_TIMEOUT_MS: '300',
      },
    });
    seen.stacks.push(stack);
    for (const key of Object.values(stack.emulator.apiKeys)) {
      seen.keys.add(key);
    }
  });

  afterAll(async () => {
    await stack?.close();
  });

  it("never echoes the caller's key, good or bad", async () => {
    const { admin, restricted } = stack.emulator.apiKeys;
    await sweep(stack, { 'x-freshdesk-api-key': admin });
    await sweep(stack, { 'x-freshdesk-api-key': restricted });
    const wrong = await graphql(stack, TICKET, { id: '1' }, { 'x-freshdesk-api-key': WRONG_KEY });
    expect(JSON.parse(wrong.text).errors[0].extensions.code).toBe('UNAUTHENTICATED');
    const missing = await graphql(stack, TICKET, { id: '1' });
    expect(missing.text).toContain('X-Freshdesk-Api-Key');
  });
});

describe('the search', () => {
  it('finds no key in any response or log line of this suite', () => {
    const logs = seen.stacks.flatMap((s) => s.logs);
    expect(logs.length).toBeGreaterThan(10);
    const haystack = [...seen.responses, ...logs].join('\n');
    const found: string[] = [];
    for (const key of seen.keys) {
      for (const form of secretForms(key)) {
        if (haystack.includes(form)) {
          found.push(form);
        }
      }
    }
    expect(found).toEqual([]);
    // Paths in errors are relative: never a URL, never credentials.
    for (const text of seen.responses) {
      for (const path of text.matchAll(/"path":"([^"]*)"/g)) {
        expect(path[1]).toMatch(/^\/api\/v2\//);
      }
    }
  });
});
