/**
 * Relay-style connections (`edges { cursor node }`, `nodes`, `pageInfo`, `totalCount` where known)
 * and opaque cursors. A cursor is base64url JSON whose shape each connection chooses; clients must
 * treat it as opaque.
 */
import type { ObjectRef } from '@pothos/core';
import { builder } from '../builder.ts';
import { badUserInput } from '../errors.ts';
import { DEFAULT_FIRST, MAX_FIRST } from '../plan/rules.ts';

export interface ConnectionResult<T> {
  edges: { cursor: string; node: T }[];
  hasNextPage: boolean;
  totalCount?: number | null;
}

export const PageInfo = builder
  .objectRef<{ hasNextPage: boolean; endCursor: string | null }>('PageInfo')
  .implement({
    description: 'Where a page of a connection ends, and whether another follows.',
    fields: (t) => ({
      hasNextPage: t.exposeBoolean('hasNextPage', {
        description: 'True when `after: endCursor` would return more.',
      }),
      endCursor: t.exposeString('endCursor', {
        nullable: true,
        description: 'Pass as `after` to fetch the next page; null on an empty page.',
      }),
    }),
  });

/** Defines `<Name>Connection` and `<Name>Edge` over a node type. */
export function defineConnection<T extends object>(
  name: string,
  node: ObjectRef<Types, T>,
  options: { totalCount?: boolean } = {},
) {
  const Edge = builder.objectRef<{ cursor: string; node: T }>(`${name}Edge`).implement({
    description: `One ${name} in a connection, with its cursor.`,
    fields: (t) => ({
      cursor: t.exposeString('cursor', { description: 'Opaque position of this edge.' }),
      node: t.field({
        type: node,
        description: `The ${name} at this position.`,
        resolve: (edge) => edge.node as never,
      }),
    }),
  });
  return builder.objectRef<ConnectionResult<T>>(`${name}Connection`).implement({
    description: `A page of ${name} records. Page on with \`after: pageInfo.endCursor\` until \`hasNextPage\` is false.`,
    fields: (t) => ({
      edges: t.field({
        type: [Edge],
        description: 'The records of this page with their cursors, in order.',
        resolve: (c) => c.edges,
      }),
      nodes: t.field({
        type: [node],
        description: 'The records of this page, in order (the `node` of each edge).',
        resolve: (c) => c.edges.map((e) => e.node) as never,
      }),
      pageInfo: t.field({
        type: PageInfo,
        description: 'Whether more records follow, and the cursor to ask for them.',
        resolve: (c) => ({
          hasNextPage: c.hasNextPage,
          endCursor: c.edges.at(-1)?.cursor ?? null,
        }),
      }),
      ...(options.totalCount
        ? {
            totalCount: t.int({
              nullable: true,
              description:
                'How many records match in all, as Freshdesk counts them (may exceed what is reachable).',
              resolve: (c) => c.totalCount ?? null,
            }),
          }
        : {}),
    }),
  });
}

/** The builder's schema types, for refs passed around between files. */
export type Types = typeof builder extends PothosSchemaTypes.SchemaBuilder<infer S> ? S : never;

/** Validates `first` (1..100, default 30). */
export function readFirst(first: number | null | undefined): number {
  if (first === null || first === undefined) {
    return DEFAULT_FIRST;
  }
  if (!Number.isInteger(first) || first < 1 || first > MAX_FIRST) {
    throw badUserInput(`first must be between 1 and ${MAX_FIRST}; got ${first}.`);
  }
  return first;
}

/** A cursor that is a plain position in a list: `{ o: index of the edge }`. */
export interface OffsetCursor {
  o: number;
}

export const isOffsetCursor = (v: unknown): v is OffsetCursor =>
  typeof v === 'object' &&
  v !== null &&
  Number.isInteger((v as OffsetCursor).o) &&
  (v as OffsetCursor).o >= 0;

/** The index after the edge `after` points at (0 without a cursor). */
export const offsetAfter = (after: string | null | undefined): number =>
  after ? decodeCursor(after, isOffsetCursor).o + 1 : 0;

export function encodeCursor(value: object): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

/** Decodes a cursor made by `encodeCursor`; `check` validates its shape. */
export function decodeCursor<T>(cursor: string, check: (value: unknown) => value is T): T {
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    value = undefined;
  }
  if (!check(value)) {
    throw badUserInput('The `after` cursor is not one this connection issued.');
  }
  return value;
}
