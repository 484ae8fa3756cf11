/**
 * Write validation's one shape and one naming convention (the checks themselves are in
 * `validation.ts`). Every input problem, found by the gateway before a call or reported by
 * Freshdesk in a validation body (400, 409; `src/errors.ts`), reaches the client as one `FieldError`
 * in `extensions.fieldErrors`, and `field` always names the GraphQL input field, in its camelCase
 * (`requesterId`, `customFields.cf_plan`, `ratings.default_question`), whoever found the problem.
 * `invalidInput` raises BAD_USER_INPUT listing them all at once.
 */
import { GraphQLError } from 'graphql';
import { pathId } from '../upstream/ids.ts';

/** One problem with one input field. */
export interface FieldError {
  /** The GraphQL input field (`email`, `customFields.cf_plan`); `input` for the whole input. */
  field: string;
  message: string;
  /** Freshdesk's validation code (`missing_field`, `invalid_value`, `datatype_mismatch`...). */
  code: string;
}

/** Freshdesk's limits (freshdesk-api.md section 8). */
export const MAX_STRING_LENGTH = 255;
export const MAX_TAG_LENGTH = 32;
/** Close to Freshdesk's own check: one @, no spaces or separators, a dot in the domain. */
export const EMAIL = /^[^\s@<>,;"]+@[^\s@<>,;"]+\.[^\s@<>,;"]+$/;

const camel = (name: string): string =>
  name.replace(/_([a-z0-9])/g, (_match, letter: string) => letter.toUpperCase());

/**
 * The input field a field name from Freshdesk names: snake_case becomes camelCase
 * (`company_id` → `companyId`); below the first dot (custom field keys, rating questions) names are
 * the account's own and stay as they are (`custom_fields.cf_plan` → `customFields.cf_plan`).
 */
export function inputFieldName(field: string): string {
  const dot = field.indexOf('.');
  return dot < 0 ? camel(field) : `${camel(field.slice(0, dot))}${field.slice(dot)}`;
}

/** Collects the problems of one input. */
export class FieldErrors {
  readonly list: FieldError[] = [];

  add(field: string, message: string, code = 'invalid_value'): void {
    this.list.push({ field, message, code });
  }

  get empty(): boolean {
    return this.list.length === 0;
  }

  /** Raises BAD_USER_INPUT when any problem was found. */
  check(what: string): void {
    if (this.list.length > 0) {
      throw invalidInput(what, this.list);
    }
  }
}

/** BAD_USER_INPUT naming every problem, with `extensions.fieldErrors`. */
export function invalidInput(what: string, errors: readonly FieldError[]): GraphQLError {
  return new GraphQLError(
    `Invalid ${what}: ${errors.map((e) => `${e.field}: ${e.message}`).join('; ')}.`,
    { extensions: { code: 'BAD_USER_INPUT', fieldErrors: errors } },
  );
}

/** A GraphQL `ID` argument that must be a Freshdesk id; BAD_USER_INPUT otherwise. */
export function idArg(value: string, what: string): string {
  const id = pathId(value);
  if (id === undefined) {
    throw new GraphQLError(`${what} id is a decimal number; got "${value}".`, {
      extensions: { code: 'BAD_USER_INPUT' },
    });
  }
  return id;
}

/** A GraphQL id as the JSON number Freshdesk expects in a body, or a problem for `field`. */
export function numericId(value: string, field: string, errors: FieldErrors): number | undefined {
  const digits = pathId(value);
  const number = digits === undefined ? Number.NaN : Number(digits);
  if (!Number.isSafeInteger(number) || number <= 0) {
    errors.add(field, `It should be a decimal id; got "${value}"`, 'datatype_mismatch');
    return undefined;
  }
  return number;
}

/** A list of e-mail addresses, or a problem naming the bad ones. */
export function emailList(
  list: readonly string[] | null | undefined,
  field: string,
  errors: FieldErrors,
): string[] | undefined {
  if (list === null || list === undefined) {
    return undefined;
  }
  const bad = list.filter((email) => !EMAIL.test(email));
  if (bad.length > 0) {
    errors.add(
      field,
      `It should contain only valid e-mail addresses; got ${bad.map((b) => `"${b}"`).join(', ')}`,
    );
    return undefined;
  }
  return [...list];
}

export const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
