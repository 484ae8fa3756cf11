/**
 * Checks that a 2xx answer from Freshdesk has the shape the gateway relies on, at the boundary,
 * before a model is built from it. A mismatch becomes the upstream layer's own error, of kind
 * `malformed` (what a body that is not JSON already is: `BAD_GATEWAY` for a client, with
 * `extensions.upstream` and `retryable`), naming where in the body it is and what was expected,
 * never the value found there.
 *
 * What a model's check covers: every field the model reads, by type. Ids are JSON integers that
 * `Number.isSafeInteger` accepts (freshdesk-api.md section 8): an id past 2^53 (which the client's
 * parser keeps as a string so as not to round it) is refused, not rounded or passed on as text.
 * Times are ISO-8601 instants, each part in its range; the integers the schema shows as `Int` fit
 * 32 bits; the enumerations the schema cannot widen (a ticket's priority) hold one of their values.
 * What it tolerates, as Freshdesk varies it: extra fields; null for a field Freshdesk may blank;
 * optional fields left out (`deleted` only when true, `description` absent from lists, embeds only
 * when asked for); custom field values, `choices` and `ratings` of any JSON type.
 *
 * One bad record fails the whole answer (the field that needed it gets BAD_GATEWAY): dropping the
 * record would lose data silently, and an answer with garbage in it is not to be trusted for the
 * rest either. A mismatch is not retried (a body that is not JSON is): the same answer would most
 * likely come back, and cost its credits again.
 *
 * Cost: a handful of `typeof` tests per record and a regular expression per time, no schema walked
 * per field, since it runs for every record of every page: about 15 µs for a page of 100 tickets,
 * against about 300-500 µs to parse it (`npm run bench:shapes`). Each model writes its check as a
 * chain of calls (`shape.id(t.id, 'id') ?? shape.text(t.subject, 'subject') ?? ...`): the same
 * fields as a table walked in a loop measured 3.5 times slower (about 50 µs a page: one call site
 * and one keyed read for every field of every model).
 */
import type { UpstreamResponse } from './freshdesk-client.ts';
import { UpstreamError } from './upstream-error.ts';

/** Where in an answer the first mismatch is (`[3].requester.id`; empty for the body itself). */
export class Mismatch {
  readonly path: string;
  /** What belongs there, e.g. `an id (a non-negative integer below 2^53)`. */
  readonly expected: string;

  constructor(path: string, expected: string) {
    this.path = path;
    this.expected = expected;
  }

  /** The same mismatch seen from the value around it: `key` is a field name or `[i]`. */
  within(key: string): Mismatch {
    const path =
      this.path === '' ? key : this.path.startsWith('[') ? key + this.path : `${key}.${this.path}`;
    return new Mismatch(path, this.expected);
  }
}

/** The first mismatch in a value, or undefined when the value has the expected shape. */
export type Check = (value: unknown) => Mismatch | undefined;
type Field = (value: unknown, field: string) => Mismatch | undefined;

const ID = 'an id (a non-negative integer below 2^53)';
const INT = 'an integer of at most 32 bits';
const INT_MIN = -2_147_483_648;
const INT_MAX = 2_147_483_647;
/**
 * Date, time, optional seconds and fraction, optional zone, each part in its range: every string it
 * accepts is one `Date.parse` reads (and the `DateTime` scalar prints), without the cost of calling
 * it (a regular expression is a fifth of `Date.parse`'s time, and a page of tickets has 400 times).
 */
const INSTANT =
  /^\d{4}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12]\d|3[01])T(?:[01]\d|2[0-3]):[0-5]\d(?::[0-5]\d(?:\.\d+)?)?(?:Z|[+-](?:[01]\d|2[0-3]):?[0-5]\d)?$/;

export const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** An ISO-8601 date and time: Freshdesk's `YYYY-MM-DDTHH:MM:SSZ`, or with an offset. */
export const isInstant = (value: unknown): value is string =>
  typeof value === 'string' && INSTANT.test(value);

export const id: Field = (value, field) =>
  Number.isSafeInteger(value) && (value as number) >= 0 ? undefined : new Mismatch(field, ID);

export const text: Field = (value, field) =>
  typeof value === 'string' ? undefined : new Mismatch(field, 'a string');

export const int: Field = (value, field) =>
  Number.isInteger(value) && (value as number) >= INT_MIN && (value as number) <= INT_MAX
    ? undefined
    : new Mismatch(field, INT);

/** A number of records: a non-negative `int`. */
export const count: Field = (value, field) =>
  Number.isInteger(value) && (value as number) >= 0 && (value as number) <= INT_MAX
    ? undefined
    : new Mismatch(field, 'a count (a non-negative integer of at most 32 bits)');

export const flag: Field = (value, field) =>
  typeof value === 'boolean' ? undefined : new Mismatch(field, 'true or false');

export const instant: Field = (value, field) =>
  isInstant(value) ? undefined : new Mismatch(field, 'an ISO-8601 date and time');

/** A JSON object whose values may be anything (custom fields). */
export const object: Field = (value, field) =>
  isRecord(value) ? undefined : new Mismatch(field, 'an object');

/** The same check, passing null and an absent field. */
const orNull =
  (check: Field): Field =>
  (value, field) =>
    value === null || value === undefined ? undefined : check(value, field);

export const optionalId = orNull(id);
export const optionalText = orNull(text);
export const optionalInt = orNull(int);
export const optionalFlag = orNull(flag);
export const optionalInstant = orNull(instant);
export const optionalObject = orNull(object);

/** A record checked field by field; anything but a JSON object is a mismatch. */
export const record =
  (fields: (value: Record<string, unknown>) => Mismatch | undefined): Check =>
  (value) =>
    isRecord(value) ? fields(value) : new Mismatch('', 'an object');

/** A list whose every item passes `item`. */
export const list =
  (item: Check): Check =>
  (value) => {
    if (!Array.isArray(value)) {
      return new Mismatch('', 'a list');
    }
    for (let i = 0; i < value.length; i++) {
      const mismatch = item(value[i]);
      if (mismatch !== undefined) {
        return mismatch.within(`[${i}]`);
      }
    }
    return undefined;
  };

/** A field holding a value `check` accepts; null and absent pass when `optional`. */
export function nested(
  value: unknown,
  field: string,
  check: Check,
  optional = false,
): Mismatch | undefined {
  if (optional && (value === null || value === undefined)) {
    return undefined;
  }
  return check(value)?.within(field);
}

const isString = (value: unknown): boolean => typeof value === 'string';
const isId = (value: unknown): boolean => Number.isSafeInteger(value) && (value as number) >= 0;

const listOf =
  (isItem: (value: unknown) => boolean, expected: string): Field =>
  (value, field) => {
    if (value === null || value === undefined) {
      return undefined;
    }
    if (!Array.isArray(value)) {
      return new Mismatch(field, `a list of ${expected}`);
    }
    for (let i = 0; i < value.length; i++) {
      if (!isItem(value[i])) {
        return new Mismatch(`${field}[${i}]`, expected === 'ids' ? ID : 'a string');
      }
    }
    return undefined;
  };

/** A list of strings (tags, e-mail addresses); null and absent pass (read as empty). */
export const optionalTextList = listOf(isString, 'strings');
/** A list of ids; null and absent pass. */
export const optionalIdList = listOf(isId, 'ids');

/** The upstream error for an answer that failed its check. */
export function shapeError(response: UpstreamResponse<unknown>, mismatch: Mismatch): UpstreamError {
  const where = mismatch.path === '' ? 'the body' : `\`${mismatch.path}\``;
  return new UpstreamError(
    `Freshdesk's answer does not have the expected shape: ${where} should be ${mismatch.expected}.`,
    {
      kind: 'malformed',
      method: response.method,
      path: response.path,
      status: response.status,
      requestId: response.requestId,
      // A write that answered did happen: repeating it could do it twice.
      retryable: response.method === 'GET',
    },
  );
}

/** The answer's body as `T` once `check` accepts it; otherwise the `malformed` UpstreamError. */
export function checked<T>(response: UpstreamResponse<unknown>, check: Check): T {
  const mismatch = check(response.data);
  if (mismatch !== undefined) {
    throw shapeError(response, mismatch);
  }
  return response.data as T;
}
