/**
 * The request log: one JSON line at info per GraphQL request, with its request id, operation name
 * and type, duration, upstream calls, credits, cache hits, error codes and status; the API key in no
 * line, in service mode or in passthrough mode with the caller's key in its header.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OperationReport } from '../../src/http/operation-report.ts';
import { secretForms } from '../../src/logger.ts';
import { costOf, type Stack, startStack, UNTHROTTLED } from '../helpers/gateway.ts';
import { visibleIds } from '../helpers/tickets.ts';

/** A `request` line: the report, with the logger's own fields. */
type RequestLine = OperationReport & { time: string; level: string; message: string };

/** The `request` line of the request `id` (exactly one). */
function requestLine(stack: Stack, id: string): RequestLine {
  const lines = stack.logs
    .map((line) => JSON.parse(line) as Record<string, unknown>)
    .filter((line) => line.message === 'request' && line.requestId === id);
  expect(lines).toHaveLength(1);
  return lines[0] as unknown as RequestLine;
}

function expectNoKey(stack: Stack, key: string): void {
  const text = stack.logs.join('');
  for (const form of secretForms(key)) {
    expect(text).not.toContain(form);
  }
}

describe('in service mode', () => {
  let stack: Stack;
  let live: string[] = [];
  beforeAll(async () => {
    stack = await startStack({
      emulator: { ...UNTHROTTLED.emulator, tickets: 40 },
      env: UNTHROTTLED.env,
    });
    live = visibleIds(stack.emulator.data);
  });
  afterAll(async () => {
    await stack.close();
  });

  it('logs one info line per request with its calls, credits and cache hits, and no key', async () => {
    const query = `query Recent { tickets(first: 10) { nodes { id requester { name } } } }`;
    const first = await stack.gql(query, undefined, { 'x-request-id': 'log-test-1' });
    const second = await stack.gql(query, undefined, { 'x-request-id': 'log-test-2' });
    expect(first.errors).toBeUndefined();
    const cost = costOf(first);
    expect(cost.calls).toBeGreaterThan(0);
    const line = requestLine(stack, 'log-test-1');
    expect(line).toMatchObject({
      level: 'info',
      operationName: 'Recent',
      operationType: 'query',
      calls: cost.calls,
      credits: cost.spent,
      cacheHits: 0,
      errorCodes: [],
      status: 200,
    });
    expect(line.durationMs).toBeGreaterThanOrEqual(0);
    expect(line.refused).toBeUndefined();
    // The same read again: the cache answered it.
    const again = costOf(second);
    expect(again.cacheHits).toBeGreaterThan(0);
    expect(requestLine(stack, 'log-test-2')).toMatchObject({
      calls: again.calls,
      credits: again.spent,
      cacheHits: again.cacheHits,
    });
    expectNoKey(stack, stack.config.apiKey as string);
  });

  it('names a mutation as one, with its name, and counts its write', async () => {
    const result = await stack.gql(
      `mutation Add($id: ID!) { addNote(ticketId: $id, input: { body: "seen" }) { id } }`,
      { id: live[0] },
      { 'x-request-id': 'log-test-3' },
    );
    expect(result.errors).toBeUndefined();
    expect(requestLine(stack, 'log-test-3')).toMatchObject({
      operationType: 'mutation',
      operationName: 'Add',
      calls: costOf(result).calls,
      errorCodes: [],
    });
  });

  it('logs an operation name only when it is a GraphQL name (the field is free text)', async () => {
    const response = await fetch(stack.gateway.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-request-id': 'log-test-6' },
      body: JSON.stringify({ query: '{ __typename }', operationName: 'not a name\n'.repeat(100) }),
    });
    await response.text();
    const line = requestLine(stack, 'log-test-6');
    expect(line.operationName).toBeNull();
    expect(stack.logs.join('')).not.toContain('not a name');
  });

  it('lists the error codes of a partial answer', async () => {
    await stack.gql('{ ticket(id: "999999999") { subject } }', undefined, {
      'x-request-id': 'log-test-4',
    });
    expect(requestLine(stack, 'log-test-4')).toMatchObject({
      operationName: null,
      operationType: 'query',
      errorCodes: ['NOT_FOUND'],
      status: 200,
    });
  });

  it('names the reason of a refusal, before any call', async () => {
    const aliases = Array.from({ length: 201 }, (_, i) => `a${i}: __typename`).join(' ');
    const result = await stack.gql(`query Wide { ${aliases} }`, undefined, {
      'x-request-id': 'log-test-5',
    });
    expect(result.status).toBe(400);
    expect(requestLine(stack, 'log-test-5')).toMatchObject({
      operationType: 'query',
      calls: 0,
      credits: 0,
      errorCodes: ['OPERATION_LIMIT_EXCEEDED'],
      refused: 'OPERATION_LIMIT_EXCEEDED',
      status: 400,
    });
  });
});

describe('in passthrough mode', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({
      emulator: { ...UNTHROTTLED.emulator, tickets: 20 },
      env: { ...UNTHROTTLED.env, DESKGRAPH_AUTH: 'passthrough' },
    });
  });
  afterAll(async () => {
    await stack.close();
  });

  it('logs the caller’s calls and credits, and never the key from its header', async () => {
    const key = stack.emulator.apiKeys.agent;
    const result = await stack.gql('query Mine { tickets(first: 5) { nodes { id } } }', undefined, {
      'x-freshdesk-api-key': key,
      'x-request-id': 'log-pass-1',
    });
    expect(result.errors).toBeUndefined();
    const cost = costOf(result);
    expect(requestLine(stack, 'log-pass-1')).toMatchObject({
      operationName: 'Mine',
      calls: cost.calls,
      credits: cost.spent,
      status: 200,
    });
    const refused = await stack.gql('{ tickets(first: 5) { nodes { id } } }', undefined, {
      'x-freshdesk-api-key': 'made-up-key-0123456789',
      'x-request-id': 'log-pass-2',
    });
    expect(refused.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    expect(requestLine(stack, 'log-pass-2').errorCodes).toEqual(['UNAUTHENTICATED']);
    expectNoKey(stack, key);
    expectNoKey(stack, 'made-up-key-0123456789');
  });
});
