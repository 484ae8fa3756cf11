/**
 * Small helpers shared by the emulator's resource handlers (contacts, agents, companies, groups,
 * ticket fields, solutions, satisfaction ratings, search): id look-ups, Freshdesk's validation
 * messages, query filters, and 201 replies. Messages follow Freshdesk's own wording
 * (freshdesk-api.md section 6) so that a gateway's error mapping can be tested against them.
 */
import {
  ApiError,
  type EmuReply,
  type EmuRequest,
  type FieldError,
  fieldError,
  jsonTypeName,
  notFound,
  validationError,
} from '../http.ts';

/** Freshdesk's default limit for string attributes (`ApiConstants`). */
export const MAX_STRING_LENGTH = 255;

/** Freshdesk's limit on each tag. */
export const MAX_TAG_LENGTH = 32;

/**
 * Looks up `raw` (a `:id` path segment) in `records`; anything but a known id is 404 with an empty
 * body, as Freshdesk answers for unknown ids and for non-numeric ones alike.
 */
export function findById<T>(records: ReadonlyMap<number, T>, raw: string | undefined): T {
  if (raw === undefined || !/^\d{1,16}$/.test(raw)) {
    throw notFound();
  }
  const record = records.get(Number(raw));
  if (record === undefined) {
    throw notFound();
  }
  return record;
}

/** One collator for every name sort (`localeCompare` with options builds one per comparison). */
const NAME_ORDER = new Intl.Collator('en', { sensitivity: 'base' });

/** Freshdesk's "alphabetical" list order: by name, then by id so equal names stay stable. */
export function byNameThenId(a: { name: string; id: number }, b: { name: string; id: number }) {
  const byName = NAME_ORDER.compare(a.name, b.name);
  return byName !== 0 ? byName : a.id - b.id;
}

/** 201 with `Location`, as every Freshdesk create answers. */
export function created(req: EmuRequest, path: string, body: unknown): EmuReply {
  return { status: 201, body, headers: { Location: `${req.origin}/api/v2${path}` } };
}

// ---------------------------------------------------------------------------------------------
// Query parameters

const DATE_PATTERN =
  /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2}))?(Z|[+-]\d{2}(?::?\d{2})?)?)?$/;

/** Freshdesk's message for a date-time it cannot read. */
export const INVALID_DATE_MESSAGE =
  "It should be a valid date in the 'combined date and time ISO8601' format";

/**
 * Parses the date-time forms Freshdesk accepts (freshdesk-api.md section 8): `YYYY-MM-DD`,
 * optionally `THH:MM[:SS]`, then `Z`, `±hh`, `±hhmm` or `±hh:mm`; no zone means UTC.
 * Returns epoch milliseconds, or undefined when the text is not such a date.
 */
export function parseFreshdeskDate(text: string): number | undefined {
  const match = DATE_PATTERN.exec(text);
  if (!match) {
    return undefined;
  }
  const [, y, mo, d, h = '0', mi = '0', s = '0', zone] = match;
  const year = Number(y);
  const month = Number(mo);
  const day = Number(d);
  const ms = Date.UTC(year, month - 1, day, Number(h), Number(mi), Number(s));
  const check = new Date(ms);
  // Date.UTC rolls 2026-02-31 over into March; Freshdesk refuses such dates.
  if (
    check.getUTCFullYear() !== year ||
    check.getUTCMonth() !== month - 1 ||
    check.getUTCDate() !== day ||
    Number(h) > 23 ||
    Number(mi) > 59 ||
    Number(s) > 59
  ) {
    return undefined;
  }
  if (zone === undefined || zone === 'Z') {
    return ms;
  }
  const sign = zone.startsWith('-') ? -1 : 1;
  const digits = zone.slice(1).replace(':', '');
  const offsetMinutes = Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2) || '0');
  return ms - sign * offsetMinutes * 60_000;
}

/** Reads an optional date-time query parameter (e.g. `updated_since`) as epoch milliseconds. */
export function readDateParam(query: URLSearchParams, name: string): number | undefined {
  const raw = query.get(name);
  if (raw === null) {
    return undefined;
  }
  const ms = parseFreshdeskDate(raw);
  if (ms === undefined) {
    throw fieldError(name, INVALID_DATE_MESSAGE, 'invalid_value');
  }
  return ms;
}

/** Reads an optional id-valued query parameter (e.g. `company_id`). */
export function readIdParam(query: URLSearchParams, name: string): number | undefined {
  const raw = query.get(name);
  if (raw === null) {
    return undefined;
  }
  if (!/^\d{1,16}$/.test(raw) || Number(raw) === 0) {
    throw fieldError(
      name,
      'Value set is of type String.It should be a/an Positive Integer',
      'datatype_mismatch',
    );
  }
  return Number(raw);
}

/** Reads an optional query parameter restricted to `choices` (Freshdesk's `not_included`). */
export function readChoiceParam<T extends string>(
  query: URLSearchParams,
  name: string,
  choices: readonly T[],
): T | undefined {
  const raw = query.get(name);
  if (raw === null) {
    return undefined;
  }
  if (!(choices as readonly string[]).includes(raw)) {
    throw fieldError(name, notIncludedMessage(choices), 'invalid_value');
  }
  return raw as T;
}

/** `It should be one of these values: 'a,b'`. */
export const notIncludedMessage = (choices: readonly (string | number)[]): string =>
  `It should be one of these values: '${choices.join(',')}'`;

/** Case-insensitive equality for e-mail addresses, which Freshdesk stores case-folded. */
export const sameEmail = (a: string | null | undefined, b: string | null | undefined): boolean =>
  a != null && b != null && a.toLowerCase() === b.toLowerCase();

// ---------------------------------------------------------------------------------------------
// Body validation: collect every problem, then throw once, as Freshdesk lists all errors together.

/** Accumulates field errors for one request body; `throwIfAny()` raises them as one 400/409. */
export class BodyCheck {
  readonly body: Record<string, unknown>;
  readonly errors: FieldError[] = [];

  constructor(body: Record<string, unknown>) {
    this.body = body;
  }

  /** Whether the body carries `key` at all (a `null` value counts: it clears the field). */
  has(key: string): boolean {
    return Object.hasOwn(this.body, key);
  }

  /** Records one error; `extra` holds `nested_field`/`additional_info`, kept in Freshdesk's key order. */
  add(field: string, message: string, code = 'invalid_value', extra: Partial<FieldError> = {}) {
    this.errors.push({ field, ...extra, message, code });
  }

  /** Records Freshdesk's `datatype_mismatch` for `field`, naming the type that was sent. */
  mismatch(field: string, expected: string): undefined {
    this.add(
      field,
      `Value set is of type ${jsonTypeName(this.body[field])}.It should be a/an ${expected}`,
      'datatype_mismatch',
    );
    return undefined;
  }

  /** Records `missing_field` when `key` is absent (or blank, for strings). */
  required(key: string): boolean {
    const value = this.body[key];
    if (!this.has(key)) {
      this.add(key, 'Mandatory attribute missing', 'missing_field');
      return false;
    }
    if (typeof value === 'string' && value.trim() === '') {
      this.add(key, 'It should not be blank as this is a mandatory field', 'missing_field');
      return false;
    }
    return true;
  }

  /** A string (or null when `nullable`), at most `max` characters. Undefined when absent or bad. */
  string(
    key: string,
    { max = MAX_STRING_LENGTH, min = 0, nullable = true } = {},
  ): string | null | undefined {
    if (!this.has(key)) {
      return undefined;
    }
    const value = this.body[key];
    if (value === null && nullable) {
      return null;
    }
    if (typeof value !== 'string') {
      return this.mismatch(key, 'String');
    }
    if (value.length > max || value.length < min) {
      this.add(
        key,
        min > 0
          ? `Has ${value.length} characters, it should have minimum of ${min} characters and can have maximum of ${max} characters`
          : `Has ${value.length} characters, it can have maximum of ${max} characters`,
      );
      return undefined;
    }
    return value;
  }

  /** A string in e-mail form (or null). */
  email(key: string): string | null | undefined {
    const value = this.string(key);
    if (typeof value === 'string' && !isEmail(value)) {
      this.add(key, "It should be in the 'valid email address' format");
      return undefined;
    }
    return value;
  }

  /** A JSON boolean. */
  boolean(key: string): boolean | undefined {
    if (!this.has(key)) {
      return undefined;
    }
    const value = this.body[key];
    return typeof value === 'boolean' ? value : this.mismatch(key, 'Boolean');
  }

  /** A positive integer id (or null when `nullable`). */
  id(key: string, { nullable = true } = {}): number | null | undefined {
    if (!this.has(key)) {
      return undefined;
    }
    const value = this.body[key];
    if (value === null && nullable) {
      return null;
    }
    if (typeof value !== 'number' || !Number.isSafeInteger(value) || value <= 0) {
      return this.mismatch(key, 'Positive Integer');
    }
    return value;
  }

  /** An integer from `choices`. */
  choice(key: string, choices: readonly number[]): number | undefined {
    if (!this.has(key)) {
      return undefined;
    }
    const value = this.body[key];
    if (typeof value !== 'number' || !choices.includes(value)) {
      this.add(key, notIncludedMessage(choices));
      return undefined;
    }
    return value;
  }

  /** An array of strings, each at most `max` characters (tags: 32). */
  stringArray(key: string, max = MAX_STRING_LENGTH): string[] | undefined {
    if (!this.has(key)) {
      return undefined;
    }
    const value = this.body[key];
    if (!Array.isArray(value)) {
      return this.mismatch(key, 'Array');
    }
    if (!value.every((item): item is string => typeof item === 'string')) {
      this.add(key, 'It should contain elements of type String only', 'datatype_mismatch');
      return undefined;
    }
    if (value.some((item) => item.length > max)) {
      this.add(key, `It should only contain elements that have maximum of ${max} characters`);
      return undefined;
    }
    return value;
  }

  /** A JSON object (`custom_fields`, `seo_data`, `ratings`). */
  object(key: string): Record<string, unknown> | undefined {
    if (!this.has(key)) {
      return undefined;
    }
    const value = this.body[key];
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      return this.mismatch(key, 'key/value pair');
    }
    return value as Record<string, unknown>;
  }

  /**
   * Throws the collected errors. Freshdesk answers 409 when the errors are mostly duplicates and
   * 400 otherwise (freshdesk-api.md section 6).
   */
  throwIfAny(): void {
    if (this.errors.length === 0) {
      return;
    }
    const duplicates = this.errors.filter((error) => error.code === 'duplicate_value').length;
    throw validationError(this.errors, duplicates * 2 > this.errors.length ? 409 : 400);
  }
}

/** A PUT with an empty body: Freshdesk's `missing_params` request error. */
export function requireSomeParams(body: Record<string, unknown> | undefined): void {
  if (body === undefined || Object.keys(body).length === 0) {
    throw new ApiError(400, {
      code: 'missing_params',
      message: 'Your update call does not have any parameter. Atleast one parameter is required.',
    });
  }
}

// Close to Freshdesk's own check: one @, no spaces, a dot in the domain.
const EMAIL_PATTERN = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** Whether `text` looks like an e-mail address (Freshdesk's `valid email address` format). */
export const isEmail = (text: string): boolean => EMAIL_PATTERN.test(text);

/** Custom field values are scalars; keys come from the account's field definitions. */
export type CustomFieldValue = string | number | boolean | null;

/**
 * Validates `custom_fields` against the known keys; unknown keys are `invalid_field` errors named
 * after the key, as Freshdesk reports them.
 */
export function checkCustomFields(
  check: BodyCheck,
  known: ReadonlySet<string>,
): Record<string, CustomFieldValue> | undefined {
  const fields = check.object('custom_fields');
  if (fields === undefined) {
    return undefined;
  }
  const out: Record<string, CustomFieldValue> = {};
  let ok = true;
  for (const [key, value] of Object.entries(fields)) {
    if (!known.has(key)) {
      check.add(key, 'Unexpected/invalid field in request', 'invalid_field');
      ok = false;
    } else if (value !== null && !['string', 'number', 'boolean'].includes(typeof value)) {
      check.add(
        key,
        `Value set is of type ${jsonTypeName(value)}.It should be a/an String`,
        'datatype_mismatch',
      );
      ok = false;
    } else {
      out[key] = value as CustomFieldValue;
    }
  }
  return ok ? out : undefined;
}
