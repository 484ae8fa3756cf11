/**
 * What each stream exports: the GraphQL selection, the record written (NDJSON: one object per line),
 * and its CSV flattening.
 *
 * CSV flattening (documented in the README):
 * - one column per field, in the order below; lists (tags, e-mail addresses, domains) joined with
 *   a comma; booleans `true`/`false`; times ISO-8601 UTC;
 * - an empty cell is null, a quoted empty cell (`""`) an empty string or an empty list;
 * - each map field (custom fields, rating answers) becomes one column per key, named
 *   `customFields.<key>`, holding the value as text (JSON for objects and arrays), followed by one
 *   column named after the field with any keys the header did not know when the file was started,
 *   as a JSON object (empty when none).
 */
import { createHash } from 'node:crypto';

export const STREAMS = ['tickets', 'contacts', 'companies', 'conversations', 'ratings'] as const;
export type StreamName = (typeof STREAMS)[number];

export const FORMATS = ['ndjson', 'csv'] as const;
export type Format = (typeof FORMATS)[number];

export type FieldKind = 'text' | 'int' | 'bool' | 'list' | 'map';

export interface FieldSpec {
  name: string;
  kind: FieldKind;
}

export type ExportRecord = Record<string, unknown>;

const f = (name: string, kind: FieldKind = 'text'): FieldSpec => ({ name, kind });

/** The fields of each stream's records, in column order. */
export const FIELDS: Record<StreamName, readonly FieldSpec[]> = {
  tickets: [
    f('id'),
    f('subject'),
    f('description'),
    f('descriptionText'),
    f('status'),
    f('statusCode', 'int'),
    f('statusLabel'),
    f('priority'),
    f('source'),
    f('type'),
    f('tags', 'list'),
    f('requesterId'),
    f('responderId'),
    f('groupId'),
    f('companyId'),
    f('createdAt'),
    f('updatedAt'),
    f('dueBy'),
    f('frDueBy'),
    f('deleted', 'bool'),
    f('spam', 'bool'),
    f('customFields', 'map'),
  ],
  conversations: [
    f('id'),
    f('ticketId'),
    f('userId'),
    f('incoming', 'bool'),
    f('private', 'bool'),
    f('fromEmail'),
    f('toEmails', 'list'),
    f('body'),
    f('bodyText'),
    f('createdAt'),
    f('updatedAt'),
  ],
  contacts: [
    f('id'),
    f('name'),
    f('email'),
    f('phone'),
    f('mobile'),
    f('active', 'bool'),
    f('companyId'),
    f('tags', 'list'),
    f('createdAt'),
    f('updatedAt'),
    f('deleted', 'bool'),
    f('customFields', 'map'),
  ],
  companies: [
    f('id'),
    f('name'),
    f('description'),
    f('domains', 'list'),
    f('createdAt'),
    f('updatedAt'),
    f('customFields', 'map'),
  ],
  ratings: [
    f('id'),
    f('ticketId'),
    f('userId'),
    f('agentId'),
    f('feedback'),
    f('createdAt'),
    f('updatedAt'),
    f('ratings', 'map'),
  ],
};

/** Fields the export adds (not selected from the gateway). */
const ADDED = new Set(['deleted', 'spam']);

/** The GraphQL selection for one node of a stream. */
export function selection(stream: StreamName): string {
  return FIELDS[stream]
    .filter((field) => !ADDED.has(field.name))
    .map((field) => field.name)
    .join(' ');
}

/** A record as written: the node's fields in column order, plus the export's own marks. */
export function toRecord(
  stream: StreamName,
  node: Record<string, unknown>,
  marks: { deleted?: boolean; spam?: boolean } = {},
): ExportRecord {
  const record: ExportRecord = {};
  for (const field of FIELDS[stream]) {
    if (field.name === 'deleted' || field.name === 'spam') {
      record[field.name] = marks[field.name] === true;
    } else {
      record[field.name] = node[field.name] ?? (field.kind === 'list' ? [] : null);
    }
  }
  return record;
}

/** A short fingerprint of a record: a record met again with the same one was already written. */
export function fingerprint(record: ExportRecord): string {
  return createHash('sha1').update(JSON.stringify(record)).digest('base64url').slice(0, 12);
}

/** The CSV header for a stream, given the keys each map field should have columns for. */
export function csvColumns(
  stream: StreamName,
  mapKeys: Record<string, readonly string[]>,
): string[] {
  const columns: string[] = [];
  for (const field of FIELDS[stream]) {
    if (field.kind === 'map') {
      for (const key of mapKeys[field.name] ?? []) {
        columns.push(`${field.name}.${key}`);
      }
    }
    columns.push(field.name);
  }
  return columns;
}

/** The keys of each map field among `records`, sorted: the columns a new CSV file starts with. */
export function mapKeysOf(
  stream: StreamName,
  records: readonly ExportRecord[],
): Record<string, string[]> {
  const keys: Record<string, Set<string>> = {};
  for (const field of FIELDS[stream]) {
    if (field.kind === 'map') {
      const set = new Set<string>();
      for (const record of records) {
        const value = record[field.name];
        if (value && typeof value === 'object') {
          for (const key of Object.keys(value)) {
            set.add(key);
          }
        }
      }
      keys[field.name] = set;
    }
  }
  return Object.fromEntries(Object.entries(keys).map(([name, set]) => [name, [...set].sort()]));
}

/** A CSV cell: null is written as an empty cell, `''` as a quoted empty cell (`""`). */
export type Cell = string | null;

const cellText = (value: unknown): Cell => {
  if (value === null || value === undefined) {
    return null;
  }
  if (typeof value === 'string') {
    return value;
  }
  if (typeof value === 'number' || typeof value === 'boolean') {
    return String(value);
  }
  return JSON.stringify(value);
};

/** One CSV row (cells in `columns` order). */
export function toCells(
  stream: StreamName,
  record: ExportRecord,
  columns: readonly string[],
): Cell[] {
  const cells = new Map<string, Cell>();
  for (const field of FIELDS[stream]) {
    const value = record[field.name];
    if (field.kind === 'list') {
      const list = Array.isArray(value) ? value : [];
      cells.set(field.name, list.join(','));
    } else if (field.kind === 'map') {
      const map = (value && typeof value === 'object' ? value : {}) as Record<string, unknown>;
      const rest: Record<string, unknown> = {};
      for (const [key, item] of Object.entries(map)) {
        const column = `${field.name}.${key}`;
        if (columns.includes(column)) {
          cells.set(column, cellText(item));
        } else {
          rest[key] = item;
        }
      }
      cells.set(field.name, Object.keys(rest).length > 0 ? JSON.stringify(rest) : null);
    } else {
      cells.set(field.name, cellText(value));
    }
  }
  return columns.map((column) => cells.get(column) ?? null);
}
