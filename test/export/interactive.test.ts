/**
 * An export never starves interactive users: while the export (a real child process, at bulk
 * priority) spends what the gateway lets bulk work spend on a small plan with a short window, an
 * interactive query to the same gateway still completes within one quota window, and Freshdesk
 * answers no 429. SIGTERM then stops the export after its current page (exit 130).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { expect, it } from 'vitest';
import { exportStack, startCli } from './helpers.ts';

const WINDOW_MS = 3_000;
const env = exportStack({
  emulator: { tickets: 300, plan: 'trial', windowMs: WINDOW_MS },
  env: { FRESHDESK_PLAN: 'trial', DESKGRAPH_QUOTA_WINDOW_MS: String(WINDOW_MS) },
});

it('an interactive query completes within one quota window during an export', async () => {
  const out = join(env.dir, '{stream}.ndjson');
  const { child, done } = startCli([
    'tickets,conversations',
    '--gateway',
    env.stack.gateway.origin,
    '--out',
    out,
    '--checkpoint',
    join(env.dir, 'state.json'),
  ]);
  // Wait until the export is spending the account's budget.
  const deadline = Date.now() + 60_000;
  while (env.stack.emulator.stats().totalCredits < 60 && Date.now() < deadline) {
    await sleep(50);
  }
  expect(env.stack.emulator.stats().totalCredits).toBeGreaterThanOrEqual(60);

  const latencies: number[] = [];
  for (let i = 0; i < 5; i++) {
    const started = Date.now();
    const result = await env.stack.gql(`{ ticket(id: "${10 + i}") { id subject status } }`);
    latencies.push(Date.now() - started);
    expect(result.errors).toBeUndefined();
    await sleep(WINDOW_MS / 3);
  }
  // The export was still running: the queries really competed with it.
  expect(child.exitCode).toBeNull();
  expect(Math.max(...latencies)).toBeLessThan(WINDOW_MS);
  expect(env.stack.emulator.stats().status['429'] ?? 0).toBe(0);

  child.kill('SIGTERM');
  const result = await done;
  expect(result.code).toBe(130);
  expect(result.stderr.trimEnd().split('\n').at(-1)).toBe(
    'deskgraph export: interrupted; what was committed is kept: run the same command again to resume',
  );
  expect(existsSync(join(env.dir, 'state.json'))).toBe(true);
}, 120_000);
