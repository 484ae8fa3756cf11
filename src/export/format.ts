/**
 * Record encodings: NDJSON (one JSON object per line) and CSV (RFC 4180 through csv-stringify, with
 * the flattening described in records.ts).
 */
import { stringify } from 'csv-stringify/sync';
import { type ExportRecord, type StreamName, toCells } from './records.ts';

export interface Encoder {
  /** Text that starts a new file (the CSV header); empty for NDJSON. */
  readonly header: string;
  encode(record: ExportRecord): string;
}

export const ndjsonEncoder: Encoder = {
  header: '',
  encode: (record) => `${JSON.stringify(record)}\n`,
};

/** An empty string is written quoted (`""`) so that a reader can tell it from null (an empty cell). */
const CSV_OPTIONS = {
  cast: {
    string: (value: string) => (value === '' ? { value: '', quoted_empty: true } : value),
  },
  record_delimiter: 'unix' as const,
};

export function csvEncoder(stream: StreamName, columns: readonly string[]): Encoder {
  return {
    header: stringify([columns], CSV_OPTIONS),
    encode: (record) => stringify([toCells(stream, record, columns)], CSV_OPTIONS),
  };
}
