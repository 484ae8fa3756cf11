/**
 * Freshdesk's search query language (freshdesk-api.md section 4): parsing, validation and matching.
 * STUB: replaced by the real implementation.
 */
import type { ContactRecord, EmulatorData, TicketRecord } from './records.ts';

export type SearchKind = 'tickets' | 'contacts';

export type SearchPredicate<K extends SearchKind> = (
  record: K extends 'tickets' ? TicketRecord : ContactRecord,
  data: EmulatorData,
) => boolean;

/**
 * Compiles the raw `query` parameter (decoded, still wrapped in its double quotes) into a predicate.
 * Throws `ApiError` (400, validation body on field `query`) exactly as Freshdesk words it.
 */
export function compileSearch<K extends SearchKind>(
  _kind: K,
  _rawQuery: string,
  _data: EmulatorData,
): SearchPredicate<K> {
  throw new Error('not implemented');
}
