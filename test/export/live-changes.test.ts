/**
 * Tickets that change while an export pages past them: Freshdesk pages by position, so each one
 * that moves to the end of the list shifts the tickets behind it forward and the next page would
 * step over as many. The export notices a ticket met again in a newer version and reads the tail
 * again for the tickets it stepped over: none is lost, none written twice in one version.
 */
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { invalidateTicketOrder } from '../../src/emulator/handlers/tickets.ts';
import { isoSeconds } from '../../src/emulator/http.ts';
import { GatewayClient } from '../../src/export/client.ts';
import { runExport } from '../../src/export/engine.ts';
import { noProgress, type Progress } from '../../src/export/progress.ts';
import { UNTHROTTLED } from '../helpers/gateway.ts';
import { exportStack, readNdjson, visibleTickets } from './helpers.ts';

const env = exportStack({
  ...UNTHROTTLED,
  emulator: { ...UNTHROTTLED.emulator, tickets: 1_000 },
});

it('loses no ticket when tickets it already wrote change during the run', async () => {
  const data = env.stack.emulator.data;
  const oldest = visibleTickets(data).sort(
    (a, b) => a.updated_at.localeCompare(b.updated_at) || a.id - b.id,
  );
  const movers = oldest.slice(10, 16);
  let pages = 0;
  const changer: Progress = {
    ...noProgress,
    update() {
      pages += 1;
      if (pages === 3) {
        // Already written (pages 1-2 held the 200 oldest): an agent touches them now.
        const now = isoSeconds(Date.now());
        for (const ticket of movers) {
          ticket.priority = 4;
          ticket.updated_at = now;
        }
        invalidateTicketOrder(data);
      }
    },
  };
  const out = join(env.dir, 'live.ndjson');
  await runExport({
    streams: ['tickets'],
    format: 'ndjson',
    out,
    checkpoint: join(env.dir, 'live.state'),
    since: null,
    client: new GatewayClient(env.stack.gateway.url),
    progress: changer,
  });
  const records = readNdjson<{ id: string; updatedAt: string }>(out);
  const visible = visibleTickets(data);
  expect(new Set(records.map((r) => r.id))).toEqual(new Set(visible.map((t) => String(t.id))));
  const versions = records.map((r) => `${r.id}@${r.updatedAt}`);
  expect(new Set(versions).size).toBe(versions.length);
  // The movers twice (before and after the change), every other ticket once.
  expect(records).toHaveLength(visible.length + movers.length);
});
