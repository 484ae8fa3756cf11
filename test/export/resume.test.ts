/**
 * Resuming, deterministically: a run stopped inside a cluster of tickets sharing one `updated_at`
 * resumes without a duplicate or a gap; a torn tail left by a killed run is cut off; a checkpoint
 * that does not match the command, or a file that lost committed bytes, is refused with exit 1.
 */
import { appendFileSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import type { CheckpointData } from '../../src/export/checkpoint.ts';
import { GatewayClient } from '../../src/export/client.ts';
import { runExport } from '../../src/export/engine.ts';
import { ExportError } from '../../src/export/errors.ts';
import { noProgress, type Progress } from '../../src/export/progress.ts';
import { FIELDS, type Format, type StreamName } from '../../src/export/records.ts';
import { UNTHROTTLED } from '../helpers/gateway.ts';
import { exportInProcess, exportStack, readNdjson, visibleTickets } from './helpers.ts';

const env = exportStack({
  ...UNTHROTTLED,
  emulator: { ...UNTHROTTLED.emulator, tickets: 1_200 },
});

/** An NDJSON export of tickets through the file's gateway (other streams or format when given). */
const exportTickets = (
  out: string,
  checkpoint: string,
  other: { streams?: StreamName[]; format?: Format } = {},
) =>
  exportInProcess(env.stack.gateway.url, {
    streams: ['tickets'],
    format: 'ndjson',
    out,
    checkpoint,
    since: null,
    ...other,
  });

/** Makes a finished run's checkpoint look like one killed after its last commit. */
function interrupt(path: string): void {
  const data = readCheckpointFile(path);
  data.run.finishedAt = null;
  for (const traversal of Object.values(data.traversals)) {
    traversal.done = false;
  }
  writeFileSync(path, JSON.stringify(data));
}

const readCheckpointFile = (path: string) =>
  JSON.parse(readFileSync(path, 'utf8')) as CheckpointData;

it('stopped inside a cluster of tickets sharing one updated_at, resumes with no duplicate and no gap', async () => {
  const visible = visibleTickets(env.stack.emulator.data);
  const perInstant = new Map<string, number>();
  for (const ticket of visible) {
    perInstant.set(ticket.updated_at, (perInstant.get(ticket.updated_at) ?? 0) + 1);
  }
  const [cluster, clusterSize] = [...perInstant.entries()].sort((a, b) => b[1] - a[1])[0] as [
    string,
    number,
  ];
  expect(clusterSize).toBeGreaterThanOrEqual(100);

  const out = join(env.dir, 'cluster.ndjson');
  const checkpoint = join(env.dir, 'cluster.state');
  // Stop as soon as a committed page ends inside the cluster (not at its last ticket).
  const stop = new AbortController();
  const stopper: Progress = {
    ...noProgress,
    update() {
      const state = readCheckpointFile(checkpoint).traversals.tickets;
      if (
        state?.kind === 'keyset' &&
        state.at === cluster &&
        Object.keys(state.ids).length < clusterSize
      ) {
        stop.abort();
      }
    },
  };
  const client = new GatewayClient(env.stack.gateway.url);
  const stopped = runExport({
    streams: ['tickets'],
    format: 'ndjson',
    out,
    checkpoint,
    since: null,
    client,
    progress: stopper,
    signal: stop.signal,
  });
  await expect(stopped).rejects.toMatchObject({ exitCode: 130 });
  const state = readCheckpointFile(checkpoint).traversals.tickets;
  expect(state?.kind === 'keyset' && state.at).toBe(cluster);

  env.stack.emulator.resetStats();
  const resumed = await exportTickets(out, checkpoint);
  expect(resumed.summary.mode).toBe('resumed');
  const ids = readNdjson<{ id: string }>(out).map((r) => r.id);
  expect(ids).toHaveLength(visible.length);
  expect(new Set(ids)).toEqual(new Set(visible.map((t) => String(t.id))));
});

it('cuts off the torn tail a killed run left, and refuses what does not fit', async () => {
  const out = join(env.dir, 'torn.ndjson');
  const checkpoint = join(env.dir, 'torn.state');
  await exportTickets(out, checkpoint);
  const complete = readFileSync(out, 'utf8');
  // As if killed after the last page was written but before it was committed, mid-line.
  interrupt(checkpoint);
  appendFileSync(out, complete.slice(0, 700));

  const resumed = await exportTickets(out, checkpoint);
  expect(resumed.summary.mode).toBe('resumed');
  expect(readFileSync(out, 'utf8')).toBe(complete);

  const refused = (promise: Promise<unknown>) =>
    expect(promise).rejects.toBeInstanceOf(ExportError);
  await refused(exportTickets(out, checkpoint, { streams: ['tickets'], format: 'csv' }));
  await refused(exportTickets(out, checkpoint, { streams: ['contacts'], format: 'ndjson' }));
  // An interrupted run whose file lost committed records.
  interrupt(checkpoint);
  truncateSync(out, 100);
  await expect(exportTickets(out, checkpoint)).rejects.toMatchObject({
    exitCode: 1,
    message: expect.stringContaining('changed outside the export'),
  });
});

it('CSV: a resumed run keeps the header it started with; the next run appends to the same file, or starts a new one when it was taken away', async () => {
  const out = join(env.dir, 'tickets.csv');
  const checkpoint = join(env.dir, 'csv.state');
  const run = () => exportTickets(out, checkpoint, { streams: ['tickets'], format: 'csv' });
  await run();
  const complete = readFileSync(out, 'utf8');
  const header = complete.split('\n')[0] as string;
  expect(readCheckpointFile(checkpoint).outputs.tickets?.columns?.join(',')).toBe(header);

  interrupt(checkpoint);
  appendFileSync(out, '9999,"half a row');
  await run();
  expect(readFileSync(out, 'utf8')).toBe(complete);

  // Nothing changed: the next run appends nothing to the same file.
  await run();
  expect(readFileSync(out, 'utf8')).toBe(complete);

  // Nothing changed, another file: it holds just a header (the stream's own columns).
  const empty = join(env.dir, 'empty.csv');
  await exportInProcess(env.stack.gateway.url, {
    streams: ['tickets'],
    format: 'csv',
    out: empty,
    checkpoint,
    since: null,
  });
  expect(readFileSync(empty, 'utf8')).toBe(`${FIELDS.tickets.map((f) => f.name).join(',')}\n`);

  // The file was loaded and removed; a ticket changes: a new file with the header and that row.
  rmSync(out);
  const ticket = visibleTickets(env.stack.emulator.data)[5];
  await env.stack.gql(
    `mutation { updateTicket(id: "${ticket?.id}", input: { priority: HIGH }) { id } }`,
  );
  await run();
  const rows = readFileSync(out, 'utf8').trimEnd().split('\n');
  expect(rows[0]).toBe(header);
  expect(rows).toHaveLength(2);
  expect(rows[1]?.startsWith(`${ticket?.id},`)).toBe(true);
});
