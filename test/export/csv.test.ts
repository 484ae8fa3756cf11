/**
 * The CSV is loadable by a standard parser (csv-parse) into the same records as the NDJSON, by the
 * documented flattening: lists joined with commas, map fields (custom fields, rating answers) one
 * column per key plus a JSON column for keys the header lacks, an empty cell null and `""` an
 * empty string. Every NDJSON line parses on its own.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { expect, it } from 'vitest';
import { FIELDS, STREAMS, type StreamName } from '../../src/export/records.ts';
import { UNTHROTTLED } from '../helpers/gateway.ts';
import { exportInProcess, exportStack } from './helpers.ts';

const env = exportStack({ ...UNTHROTTLED, emulator: { ...UNTHROTTLED.emulator, tickets: 250 } });

type Row = Record<string, unknown>;

/** The documented inverse of the flattening, for one stream. */
function unflatten(stream: StreamName, header: string[], cells: (string | null)[]): Row {
  const row: Row = {};
  const at = (column: string) => cells[header.indexOf(column)] ?? null;
  for (const field of FIELDS[stream]) {
    const cell = at(field.name);
    if (field.kind === 'map') {
      const map: Record<string, unknown> = cell ? JSON.parse(cell) : {};
      for (const column of header) {
        const value = at(column);
        if (column.startsWith(`${field.name}.`) && value !== null) {
          map[column.slice(field.name.length + 1)] = value;
        }
      }
      row[field.name] = map;
    } else if (field.kind === 'list') {
      row[field.name] = cell ? cell.split(',') : [];
    } else if (field.kind === 'int') {
      row[field.name] = cell === null ? null : Number(cell);
    } else if (field.kind === 'bool') {
      row[field.name] = cell === null ? null : cell === 'true';
    } else {
      row[field.name] = cell;
    }
  }
  return row;
}

/** CSV holds map values as text: compare them so, without null entries. */
function asText(stream: StreamName, record: Row): Row {
  const copy: Row = { ...record };
  for (const field of FIELDS[stream]) {
    if (field.kind === 'map') {
      const map = (copy[field.name] ?? {}) as Record<string, unknown>;
      copy[field.name] = Object.fromEntries(
        Object.entries(map)
          .filter(([, v]) => v !== null)
          .map(([k, v]) => [k, typeof v === 'string' ? v : JSON.stringify(v)]),
      );
    }
  }
  return copy;
}

it('every stream: the CSV parses back into the NDJSON records', async () => {
  const streams = [...STREAMS];
  await exportInProcess(env.stack.gateway.url, {
    streams,
    format: 'ndjson',
    out: join(env.dir, 'n-{stream}.ndjson'),
    checkpoint: null,
    since: null,
  });
  await exportInProcess(env.stack.gateway.url, {
    streams,
    format: 'csv',
    out: join(env.dir, 'c-{stream}.csv'),
    checkpoint: null,
    since: null,
  });
  for (const stream of streams) {
    const lines = readFileSync(join(env.dir, `n-${stream}.ndjson`), 'utf8')
      .trimEnd()
      .split('\n');
    const records = lines.map((line) => JSON.parse(line) as Row);
    expect(records.length).toBeGreaterThan(0);
    const [header, ...rows] = parse(readFileSync(join(env.dir, `c-${stream}.csv`), 'utf8'), {
      cast: (value: string, context: { quoting: boolean }) =>
        value === '' && !context.quoting ? null : value,
      relax_column_count: false,
    }) as (string | null)[][];
    expect(header).toBeDefined();
    const parsed = rows.map((cells) => unflatten(stream, header as string[], cells));
    expect(parsed, stream).toEqual(records.map((record) => asText(stream, record)));
  }
  // Multi-line HTML, commas and quotes really went through.
  const tickets = readFileSync(join(env.dir, 'c-tickets.csv'), 'utf8');
  expect(tickets.split('\n')[0]).toMatch(
    /^id,subject,description,.*,customFields\.cf_[a-z_]+,.*customFields$/,
  );
  expect(tickets).toContain('"');
});
