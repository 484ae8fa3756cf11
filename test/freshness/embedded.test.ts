/**
 * `npm start` with no Freshdesk configured (the embedded emulator): the webhook rules are in place
 * out of the box, so a change made in the emulator reaches a `ticketEvents` subscriber by webhook
 * (long before the first sweep), with no setup.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { RULE_NAMES } from '../../src/freshness/rules.ts';
import { basicAuth } from '../helpers/emulator.ts';
import { eventsOf, subscribe } from './helpers.ts';

const BIN = fileURLToPath(new URL('../../bin/deskgraph.mjs', import.meta.url));

let child: ChildProcess;
let graphql: string;
let emulatorOrigin: string;
let adminKey: string;

beforeAll(async () => {
  child = spawn(process.execPath, [BIN, 'serve'], {
    env: { PATH: process.env.PATH ?? '', PORT: '0', LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const line = await new Promise<string>((resolve, reject) => {
    let out = '';
    let err = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (out.includes('\n')) {
        resolve(out.split('\n')[0]!);
      }
    });
    child.stderr!.on('data', (chunk: Buffer) => {
      err += chunk.toString();
    });
    child.on('exit', (code) => reject(new Error(`exited ${code}: ${err}`)));
  });
  const match =
    /^deskgraph ready at (\S+) \(upstream: embedded Freshdesk emulator at (\S+), admin key ([^\s,]+), Freshdesk answered, key accepted\)$/.exec(
      line,
    );
  expect(match, line).not.toBeNull();
  [, graphql, emulatorOrigin, adminKey] = match as unknown as [string, string, string, string];
}, 60_000);

afterAll(() => {
  child?.kill('SIGTERM');
});

async function emulatorApi(method: string, path: string, body?: unknown): Promise<unknown> {
  const response = await fetch(`${emulatorOrigin}/api/v2${path}`, {
    method,
    headers: { authorization: basicAuth(adminKey), 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  expect(response.status).toBeLessThan(300);
  return response.json();
}

it('has the two rules in place, calling the gateway', async () => {
  const port = new URL(graphql).port;
  for (const type of [1, 4] as const) {
    const rules = (await emulatorApi('GET', `/automations/${type}/rules`)) as {
      name: string;
      active: boolean;
      actions: { url: string }[];
    }[];
    expect(rules.map((r) => [r.name, r.active])).toEqual([[RULE_NAMES[type], true]]);
    expect(rules[0]!.actions[0]!.url).toBe(`http://127.0.0.1:${port}/webhooks/freshdesk`);
  }
});

it('a change in the emulator reaches a subscriber by webhook', async () => {
  const sse = await subscribe(graphql, 'subscription { ticketEvents { ticketId source kind } }');
  try {
    const tickets = (await emulatorApi('GET', '/tickets?updated_since=2000-01-01&per_page=5')) as {
      id: number;
      priority: number;
    }[];
    const ticket = tickets[0]!;
    await emulatorApi('PUT', `/tickets/${ticket.id}`, {
      priority: ticket.priority === 4 ? 1 : ticket.priority + 1,
    });
    const [event] = eventsOf(await sse.waitFor(1, 15_000));
    expect(event).toEqual({ ticketId: String(ticket.id), source: 'WEBHOOK', kind: 'UPDATED' });
  } finally {
    sse.close();
  }
});
