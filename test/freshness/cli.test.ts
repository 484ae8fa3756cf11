/**
 * `deskgraph webhooks install|status` as a user runs it: a child process with its output on a pipe
 * (no terminal), against an emulator and a gateway over real sockets.
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RULE_NAMES } from '../../src/freshness/rules.ts';
import { api } from '../helpers/emulator.ts';
import type { Stack } from '../helpers/gateway.ts';
import { eventsOf, SECRET, startFreshStack, subscribe, webhookUrl } from './helpers.ts';

const BIN = fileURLToPath(new URL('../../bin/deskgraph.mjs', import.meta.url));

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function deskgraph(args: string[], env: Record<string, string>): Promise<Run> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [BIN, ...args],
      { env: { PATH: process.env.PATH ?? '', ...env }, timeout: 60_000 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

let stack: Stack;
let env: Record<string, string>;

beforeAll(async () => {
  stack = await startFreshStack();
  env = {
    FRESHDESK_BASE_URL: stack.emulator.origin,
    FRESHDESK_API_KEY: stack.emulator.apiKeys.admin,
    DESKGRAPH_WEBHOOK_SECRET: SECRET,
  };
});
afterAll(() => stack.close());

/** What the emulator holds: every rule of both types. */
const rules = () => [...stack.emulator.automations.list(1), ...stack.emulator.automations.list(4)];

const secretsIn = (run: Run): boolean =>
  `${run.stdout}${run.stderr}`.includes(SECRET) ||
  `${run.stdout}${run.stderr}`.includes(stack.emulator.apiKeys.admin);

describe('deskgraph webhooks install', () => {
  it('run twice, leaves exactly two rules pointing at the gateway, whose deliveries are accepted', async () => {
    const url = webhookUrl(stack);
    const first = await deskgraph(['webhooks', 'install', '--url', url], env);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toMatch(
      /created\s+ticket creation rule \d+ \(active\) "deskgraph: ticket created"/,
    );
    expect(first.stdout).toMatch(
      /created\s+ticket update rule \d+ \(active\) "deskgraph: ticket updated"/,
    );
    const second = await deskgraph(['webhooks', 'install', '--url', url], env);
    expect(second.code, second.stderr).toBe(0);
    expect(second.stdout.match(/unchanged/g)).toHaveLength(2);
    expect(secretsIn(first) || secretsIn(second)).toBe(false);

    const held = rules();
    expect(held.map((r) => [r.automation_type_id, r.name, r.active])).toEqual([
      [1, RULE_NAMES[1], true],
      [4, RULE_NAMES[4], true],
    ]);
    for (const rule of held) {
      expect(rule.actions).toEqual([
        expect.objectContaining({
          field_name: 'trigger_webhook',
          url,
          custom_headers: { 'x-webhook-secret': SECRET },
        }),
      ]);
    }

    // A change in Freshdesk now reaches the gateway, which accepts it.
    const ticket = [...stack.emulator.data.tickets.values()].find((t) => !t.deleted && !t.spam)!;
    const sse = await subscribe(
      stack.gateway.url,
      'subscription { ticketEvents { ticketId source } }',
    );
    try {
      await api(stack.emulator, 'PUT', `/tickets/${ticket.id}`, {
        body: { status: ticket.status === 4 ? 2 : 4 },
      });
      expect(eventsOf(await sse.waitFor(1))).toEqual([
        { ticketId: String(ticket.id), source: 'WEBHOOK' },
      ]);
      await stack.emulator.webhooks!.idle();
      expect(stack.emulator.webhooks!.deliveries().at(-1)).toMatchObject({
        ticketId: ticket.id,
        status: 202,
        outcome: 'success',
      });
    } finally {
      sse.close();
    }
  });

  it('repairs rules that point elsewhere and removes copies, still ending with two', async () => {
    const url = webhookUrl(stack);
    const [creation] = stack.emulator.automations.list(1);
    stack.emulator.automations.put({ ...creation!, active: false });
    const copy = await api<{ id: number }>(stack.emulator, 'POST', '/automations/4/rules', {
      body: {
        name: RULE_NAMES[4],
        conditions: [],
        actions: [{ field_name: 'add_tag', value: 'x' }],
      },
    });
    const run = await deskgraph(['webhooks', 'install', '--url', url], env);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/updated\s+ticket creation rule/);
    expect(run.stdout).toContain(`deleted    duplicate rule ${copy.body.id}`);
    expect(rules().map((r) => [r.name, r.active])).toEqual([
      [RULE_NAMES[1], true],
      [RULE_NAMES[4], true],
    ]);
  });

  it('--json prints the outcome for scripts', async () => {
    const run = await deskgraph(['webhooks', 'install', '--url', webhookUrl(stack), '--json'], env);
    expect(run.code).toBe(0);
    const parsed = JSON.parse(run.stdout) as { rules: { action: string; type: number }[] };
    expect(parsed.rules.map((r) => [r.type, r.action])).toEqual([
      [1, 'unchanged'],
      [4, 'unchanged'],
    ]);
  });
});

describe('deskgraph webhooks status', () => {
  it('lists the rules and the last deliveries the gateway received', async () => {
    const run = await deskgraph(['webhooks', 'status'], env);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain(`Freshdesk ${stack.emulator.origin}`);
    expect(run.stdout).toMatch(
      /ticket creation rule \d+ \(active\) "deskgraph: ticket created" -> http/,
    );
    expect(run.stdout).toMatch(/ticket update rule \d+ \(active\)/);
    expect(run.stdout).toContain(`Gateway ${webhookUrl(stack)}`);
    expect(run.stdout).toMatch(/sweep: off/);
    expect(run.stdout).toMatch(
      /\d{4}-\d\d-\d\dT[\d:.]+Z {2}202 {2}ticket \d+ {2}event \d+-\d+ {2}\{status:\{from:\d,to:\d\}\}/,
    );
    expect(secretsIn(run)).toBe(false);
    const json = await deskgraph(['webhooks', 'status', '--json'], env);
    const parsed = JSON.parse(json.stdout) as {
      rules: unknown[];
      gateway: { ok: boolean; deliveries: unknown[] };
    };
    expect(parsed.rules).toHaveLength(2);
    expect(parsed.gateway.ok).toBe(true);
    expect(parsed.gateway.deliveries.length).toBeGreaterThan(0);
  });

  it('says so (exit 1) when the gateway refuses the secret or cannot be reached', async () => {
    const wrong = await deskgraph(['webhooks', 'status'], {
      ...env,
      DESKGRAPH_WEBHOOK_SECRET: 'other-secret',
    });
    expect(wrong.code).toBe(1);
    expect(wrong.stdout).toMatch(/refused the secret/);
    const away = await deskgraph(
      ['webhooks', 'status', '--url', 'http://127.0.0.1:9/webhooks/freshdesk'],
      env,
    );
    expect(away.code).toBe(1);
    expect(away.stdout).toMatch(/no webhook rules for the gateway|unreachable/);
  });
});

describe('mistakes', () => {
  it('bad usage or configuration: exit 2 with what to do', async () => {
    const cases: [string[], Record<string, string>, RegExp][] = [
      [['webhooks', 'install'], env, /install needs --url/],
      [['webhooks', 'install', '--url', 'not a url'], env, /--url must be an absolute URL/],
      [['webhooks', 'remove'], env, /Say install or status/],
      [
        ['webhooks', 'install', '--url', 'http://x/webhooks/freshdesk'],
        { ...env, DESKGRAPH_WEBHOOK_SECRET: '' },
        /DESKGRAPH_WEBHOOK_SECRET is required/,
      ],
      [['webhooks', 'status'], { DESKGRAPH_WEBHOOK_SECRET: SECRET }, /No Freshdesk is configured/],
      [['webhooks', 'status', '--bogus'], env, /Unknown option/],
    ];
    for (const [args, environment, message] of cases) {
      const run = await deskgraph(args, environment);
      expect(run.code, args.join(' ')).toBe(2);
      expect(run.stderr).toMatch(message);
      expect(run.stderr).toMatch(/Usage: deskgraph webhooks install/);
    }
  });

  it("a plain agent's key: exit 1, saying only admins may manage rules", async () => {
    const before = rules().length;
    const run = await deskgraph(['webhooks', 'install', '--url', webhookUrl(stack)], {
      ...env,
      FRESHDESK_API_KEY: stack.emulator.apiKeys.agent,
    });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/only account admins may manage automation rules/);
    expect(run.stderr).not.toContain(stack.emulator.apiKeys.agent);
    expect(rules()).toHaveLength(before);
  });
});
