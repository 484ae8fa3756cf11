/**
 * Whole lists (agents, groups, ticket fields) load once for all concurrent requests of a credential.
 * Regression: the shared load ran with the first caller's abort signal, so one client going away
 * cut the load off; the others were served only because the cut-off call was tried again.
 */
import { request } from 'undici';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type Stack, startStack, UNTHROTTLED } from '../helpers/gateway.ts';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack({ ...UNTHROTTLED, emulator: { ...UNTHROTTLED.emulator, tickets: 20 } });
});
afterAll(async () => {
  await stack.close();
});

const AGENTS = JSON.stringify({ query: '{ agents(first: 5) { nodes { id name } } }' });

it('serves a waiting request even when the request that started the shared load goes away', async () => {
  stack.emulator.setFaults({ latencyMs: 400 });
  stack.emulator.resetStats();
  try {
    const quitter = new AbortController();
    const first = request(stack.gateway.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: AGENTS,
      signal: quitter.signal,
    }).catch((error: unknown) => error);
    await new Promise((resolve) => setTimeout(resolve, 50));
    const second = request(stack.gateway.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: AGENTS,
    });
    await new Promise((resolve) => setTimeout(resolve, 50));
    quitter.abort();
    await first;
    const response = await second;
    const body = (await response.body.json()) as {
      data?: { agents: { nodes: unknown[] } };
      errors?: unknown[];
    };
    expect(body.errors).toBeUndefined();
    expect(body.data?.agents.nodes).toHaveLength(5);
    // One list call: the load was not cut off with the first request (and then tried again).
    expect(stack.emulator.stats().calls['GET /agents']).toBe(1);
  } finally {
    stack.emulator.setFaults({ latencyMs: 0 });
  }
});
