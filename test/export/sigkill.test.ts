/**
 * Exactly once across SIGKILL: the real command, as a child process, killed at random points while
 * it writes (three times), then run again with the same --out and --checkpoint until it finishes.
 * The files hold every ticket and every conversation exactly once, every line whole.
 */
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { expect, it } from 'vitest';
import { UNTHROTTLED } from '../helpers/gateway.ts';
import { exportStack, readNdjson, runCli, startCli, visibleTickets } from './helpers.ts';

const env = exportStack({
  ...UNTHROTTLED,
  // Slow enough upstream that a run takes seconds: kills land mid-run.
  emulator: {
    ...UNTHROTTLED.emulator,
    tickets: 2_500,
    faults: { latencyMs: { min: 5, max: 25 } },
  },
});

const size = (path: string) => (existsSync(path) ? statSync(path).size : 0);

it('killed with SIGKILL three times and run again, writes every record exactly once', async () => {
  const tickets = join(env.dir, 'out', 'tickets.ndjson');
  const conversations = join(env.dir, 'out', 'conversations.ndjson');
  const args = [
    'tickets,conversations',
    '--gateway',
    env.stack.gateway.origin,
    '--out',
    join(env.dir, 'out', '{stream}.ndjson'),
    '--checkpoint',
    join(env.dir, 'state.json'),
    '--progress-interval',
    '1',
  ];
  const random = (min: number, max: number) => min + Math.floor(Math.random() * (max - min));
  let kills = 0;
  for (let run = 0; run < 3; run++) {
    const before = size(conversations);
    const { child, done } = startCli(args);
    // Wait until this run has written something, then kill it a random moment later.
    const deadline = Date.now() + 60_000;
    while (size(conversations) <= before && Date.now() < deadline && child.exitCode === null) {
      await sleep(20);
    }
    await sleep(random(0, 600));
    child.kill('SIGKILL');
    const result = await done;
    if (result.signal === 'SIGKILL') {
      kills += 1;
    }
    // Whatever the kill left behind, the lines that are there are whole JSON (a torn tail is cut
    // off by the next run, never read as a record).
    expect(size(tickets)).toBeGreaterThan(0);
  }
  expect(kills).toBe(3);

  const final = await runCli(args);
  expect(final.stderr).toContain('deskgraph export: done (resumed run)');
  expect(final.code).toBe(0);

  const data = env.stack.emulator.data;
  const visible = visibleTickets(data);
  const ticketIds = readNdjson<{ id: string }>(tickets).map((r) => r.id);
  expect(ticketIds).toHaveLength(visible.length);
  expect(new Set(ticketIds)).toEqual(new Set(visible.map((t) => String(t.id))));
  const expected = visible.flatMap((t) =>
    (data.conversations.get(t.id) ?? []).map((c) => String(c.id)),
  );
  const conversationIds = readNdjson<{ id: string }>(conversations).map((r) => r.id);
  expect(conversationIds).toHaveLength(expected.length);
  expect(new Set(conversationIds)).toEqual(new Set(expected));
}, 240_000);
