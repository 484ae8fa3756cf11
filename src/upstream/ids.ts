/**
 * Freshdesk ids arrive as JSON integers; the models expose them as strings. Those `shape.ts` checks
 * are safe integers (a larger one, kept as a string by the client's parser, is refused there);
 * bodies read without a check (automation rules) may still hold such strings.
 */
export type RawId = number | string;

export const idString = (id: RawId): string => String(id);

export const optionalId = (id: RawId | null | undefined): string | null =>
  id === null || id === undefined ? null : String(id);

/** A GraphQL `ID` argument as Freshdesk expects it in a path: digits only, or undefined. */
export function pathId(id: string): string | undefined {
  return /^\d{1,20}$/.test(id) ? id.replace(/^0+(?=\d)/, '') : undefined;
}
