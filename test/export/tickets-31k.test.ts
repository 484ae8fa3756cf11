/**
 * The export of an account past Freshdesk's 300-page wall, with clusters of hundreds of tickets
 * sharing one `updated_at`: every ticket exactly once, one list call per page.
 */
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { UNTHROTTLED } from '../helpers/gateway.ts';
import { exportInProcess, exportStack, readNdjson, visibleTickets } from './helpers.ts';

const env = exportStack({
  ...UNTHROTTLED,
  emulator: { ...UNTHROTTLED.emulator, tickets: 31_000 },
});

it('exports each of 31,000 tickets exactly once, listing every page once', async () => {
  const visible = visibleTickets(env.stack.emulator.data);
  const perInstant = new Map<string, number>();
  for (const ticket of visible) {
    perInstant.set(ticket.updated_at, (perInstant.get(ticket.updated_at) ?? 0) + 1);
  }
  expect(Math.max(...perInstant.values())).toBeGreaterThanOrEqual(150);
  expect(visible.length).toBeGreaterThan(30_000);

  env.stack.emulator.resetStats();
  const out = join(env.dir, 'tickets.ndjson');
  const { summary, client } = await exportInProcess(env.stack.gateway.url, {
    streams: ['tickets'],
    format: 'ndjson',
    out,
    checkpoint: join(env.dir, 'state.json'),
    since: null,
  });
  const records = readNdjson<{ id: string; updatedAt: string; deleted: boolean; spam: boolean }>(
    out,
  );
  const ids = records.map((r) => r.id);
  expect(new Set(ids).size).toBe(ids.length);
  expect(new Set(ids)).toEqual(new Set(visible.map((t) => String(t.id))));
  expect(summary.records.tickets).toBe(visible.length);
  // Oldest change first, and each record as the emulator holds it.
  expect(records.map((r) => r.updatedAt)).toEqual(records.map((r) => r.updatedAt).sort());
  for (const record of records.slice(0, 50)) {
    const ticket = env.stack.emulator.data.tickets.get(Number(record.id));
    expect(record.updatedAt).toBe(ticket?.updated_at);
    expect(record.deleted || record.spam).toBe(false);
  }
  // One list call per page of 100 (the restart at the wall realigns on a page).
  const calls = env.stack.emulator.stats().calls;
  const pages = Math.ceil(visible.length / 100);
  expect(calls['GET /tickets']).toBeLessThanOrEqual(pages + 1);
  expect(client.totals.credits).toBe(env.stack.emulator.stats().totalCredits);
}, 300_000);
