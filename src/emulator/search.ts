/**
 * Freshdesk's search query language (freshdesk-api.md section 4): parsing, validation and matching.
 *
 * Grammar (inside the mandatory double quotes, at most 512 characters):
 *
 *     query   := or
 *     or      := and ( 'OR' and )*          AND binds tighter than OR
 *     and     := primary ( 'AND' primary )*
 *     primary := '(' query ')' | term
 *     term    := field ':' [ '>' | '<' ] value     ':>' is >=, ':<' is <=, numbers and dates only
 *     value   := 'single-quoted string' | number | true | false | null
 *
 * Dates are `'YYYY-MM-DD'` UTC days: `created_at:'2026-01-01'` is that whole day, `:>` from its start,
 * `:<` through its end. Field names are case-sensitive; values match exactly, except emails, which
 * are compared case-insensitively.
 */

import { type ApiError, fieldError } from './http.ts';
import type { ContactRecord, EmulatorData, TicketRecord } from './records.ts';
import { CONTACT_CUSTOM_FIELDS } from './seed.ts';

export type SearchKind = 'tickets' | 'contacts';

export type SearchPredicate<K extends SearchKind> = (
  record: K extends 'tickets' ? TicketRecord : ContactRecord,
  data: EmulatorData,
) => boolean;

/** Freshdesk's answer to a query that is not wrapped in double quotes or does not parse. */
export const SEARCH_FORMAT_MESSAGE =
  'Given query is invalid, expected format "keyword:value OPERATOR keyword:\'string\' ..."';

/** The most characters allowed between the double quotes. */
export const MAX_SEARCH_QUERY_LENGTH = 512;

/**
 * Compiles the raw `query` parameter (decoded, still wrapped in its double quotes) into a predicate.
 * Throws `ApiError` (400, validation body on field `query`). Spam and deleted tickets, and deleted
 * contacts, never match.
 */
export function compileSearch<K extends SearchKind>(
  kind: K,
  rawQuery: string,
  data: EmulatorData,
): SearchPredicate<K> {
  const trimmed = rawQuery.trim();
  if (trimmed.length < 2 || !trimmed.startsWith('"') || !trimmed.endsWith('"')) {
    throw formatError();
  }
  const inner = trimmed.slice(1, -1);
  if (inner.length > MAX_SEARCH_QUERY_LENGTH) {
    throw fieldError(
      'query',
      `Has ${inner.length} characters, it can have maximum of ${MAX_SEARCH_QUERY_LENGTH} characters`,
    );
  }
  const ast = new Parser(tokenize(inner)).parseQuery();
  const fields = kind === 'tickets' ? ticketFields(data) : contactFields();
  const match = compileNode(ast, fields);
  if (kind === 'tickets') {
    const predicate = (record: TicketRecord): boolean =>
      !record.spam && record.deleted !== true && match(record);
    return predicate as SearchPredicate<K>;
  }
  const predicate = (record: ContactRecord): boolean => record.deleted !== true && match(record);
  return predicate as SearchPredicate<K>;
}

// ---------------------------------------------------------------------------------------------
// Tokens and parser

type Literal =
  | { type: 'string'; value: string }
  | { type: 'number'; value: number; text: string }
  | { type: 'boolean'; value: boolean }
  | { type: 'null' };

type Operator = ':' | ':>' | ':<';

type Token =
  | { kind: '(' | ')' | 'AND' | 'OR' }
  | { kind: 'term'; field: string; op: Operator; value: Literal };

type Node =
  | { kind: 'AND' | 'OR'; left: Node; right: Node }
  | { kind: 'term'; field: string; op: Operator; value: Literal };

const formatError = (): ApiError => fieldError('query', SEARCH_FORMAT_MESSAGE);
const queryError = (message: string): ApiError => fieldError('query', message);

const isSpace = (ch: string): boolean => ch === ' ' || ch === '\t' || ch === '\n' || ch === '\r';
const isWordChar = (ch: string): boolean => /[A-Za-z0-9_]/.test(ch);

function tokenize(input: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < input.length) {
    const ch = input[i]!;
    if (isSpace(ch)) {
      i++;
      continue;
    }
    if (ch === '(' || ch === ')') {
      tokens.push({ kind: ch });
      i++;
      continue;
    }
    if (!/[A-Za-z_]/.test(ch)) {
      throw formatError();
    }
    let end = i;
    while (end < input.length && isWordChar(input[end]!)) {
      end++;
    }
    const word = input.slice(i, end);
    if (input[end] !== ':') {
      // Operators are words delimited by spaces or parentheses: `a:1AND b:2` never gets here as
      // AND, because the value `1AND` is rejected first.
      if ((word === 'AND' || word === 'OR') && (end === input.length || !isWordChar(input[end]!))) {
        tokens.push({ kind: word });
        i = end;
        continue;
      }
      throw formatError();
    }
    i = end + 1;
    let op: Operator = ':';
    if (input[i] === '>' || input[i] === '<') {
      op = input[i] === '>' ? ':>' : ':<';
      i++;
    }
    const [value, next] = readLiteral(input, i);
    tokens.push({ kind: 'term', field: word, op, value });
    i = next;
  }
  return tokens;
}

function readLiteral(input: string, start: number): [Literal, number] {
  if (input[start] === "'") {
    let value = '';
    let i = start + 1;
    while (i < input.length) {
      const ch = input[i]!;
      if (ch === '\\' && i + 1 < input.length) {
        value += input[i + 1];
        i += 2;
        continue;
      }
      if (ch === "'") {
        return [{ type: 'string', value }, i + 1];
      }
      value += ch;
      i++;
    }
    throw formatError(); // unterminated string
  }
  let end = start;
  while (end < input.length && !isSpace(input[end]!) && input[end] !== '(' && input[end] !== ')') {
    end++;
  }
  const text = input.slice(start, end);
  if (text === 'true' || text === 'false') {
    return [{ type: 'boolean', value: text === 'true' }, end];
  }
  if (text === 'null') {
    return [{ type: 'null' }, end];
  }
  if (/^-?\d+(\.\d+)?$/.test(text)) {
    return [{ type: 'number', value: Number(text), text }, end];
  }
  // Bare words (`type:Problem`) and empty values are the classic mistake: strings need quotes.
  throw formatError();
}

class Parser {
  readonly #tokens: Token[];
  #at = 0;

  constructor(tokens: Token[]) {
    this.#tokens = tokens;
  }

  parseQuery(): Node {
    const node = this.#parseOr();
    if (this.#at !== this.#tokens.length) {
      throw formatError();
    }
    return node;
  }

  #parseOr(): Node {
    let left = this.#parseAnd();
    while (this.#tokens[this.#at]?.kind === 'OR') {
      this.#at++;
      left = { kind: 'OR', left, right: this.#parseAnd() };
    }
    return left;
  }

  #parseAnd(): Node {
    let left = this.#parsePrimary();
    while (this.#tokens[this.#at]?.kind === 'AND') {
      this.#at++;
      left = { kind: 'AND', left, right: this.#parsePrimary() };
    }
    return left;
  }

  #parsePrimary(): Node {
    const token = this.#tokens[this.#at++];
    if (token === undefined) {
      throw formatError();
    }
    if (token.kind === '(') {
      const node = this.#parseOr();
      if (this.#tokens[this.#at++]?.kind !== ')') {
        throw formatError();
      }
      return node;
    }
    if (token.kind === 'term') {
      return { kind: 'term', field: token.field, op: token.op, value: token.value };
    }
    throw formatError();
  }
}

// ---------------------------------------------------------------------------------------------
// Fields and matching

type Scalar = string | number | boolean | null;
type FieldType = 'integer' | 'number' | 'string' | 'email' | 'boolean' | 'date' | 'tag';

interface FieldSpec {
  type: FieldType;
  /** The record's value: a scalar, or the tag list for `tag`. */
  get: (record: object) => Scalar | readonly string[];
  /** Allowed values, when the field has a fixed list of choices. */
  choices?: readonly (string | number)[];
}

type Fields = Map<string, FieldSpec>;

function field<R>(
  type: FieldType,
  get: (record: R) => Scalar | readonly string[],
  choices?: readonly (string | number)[],
): FieldSpec {
  const spec: FieldSpec = { type, get: get as unknown as FieldSpec['get'] };
  if (choices !== undefined) {
    spec.choices = choices;
  }
  return spec;
}

function ticketFields(data: EmulatorData): Fields {
  const byName = new Map(data.ticketFields.map((f) => [f.name, f]));
  const statusChoices = byName.get('status')?.choices;
  const priorityChoices = byName.get('priority')?.choices;
  const typeChoices = byName.get('ticket_type')?.choices;
  const fields: Fields = new Map([
    ['agent_id', field<TicketRecord>('integer', (t) => t.responder_id)],
    ['group_id', field<TicketRecord>('integer', (t) => t.group_id)],
    [
      'priority',
      field<TicketRecord>(
        'integer',
        (t) => t.priority,
        isRecord(priorityChoices) ? Object.values(priorityChoices).filter(isNumber) : undefined,
      ),
    ],
    [
      'status',
      field<TicketRecord>(
        'integer',
        (t) => t.status,
        isRecord(statusChoices) ? Object.keys(statusChoices).map(Number) : undefined,
      ),
    ],
    ['tag', field<TicketRecord>('tag', (t) => t.tags)],
    [
      'type',
      field<TicketRecord>(
        'string',
        (t) => t.type,
        Array.isArray(typeChoices) ? typeChoices.filter(isString) : undefined,
      ),
    ],
    ['due_by', field<TicketRecord>('date', (t) => t.due_by)],
    ['fr_due_by', field<TicketRecord>('date', (t) => t.fr_due_by)],
    ['created_at', field<TicketRecord>('date', (t) => t.created_at)],
    ['updated_at', field<TicketRecord>('date', (t) => t.updated_at)],
  ]);
  for (const def of data.ticketFields) {
    if (def.default) {
      continue;
    }
    const get = (name: string) => (t: TicketRecord) => t.custom_fields[name] ?? null;
    switch (def.type) {
      case 'custom_text':
      case 'custom_paragraph':
        fields.set(def.name, field('string', get(def.name)));
        break;
      case 'custom_dropdown':
        fields.set(
          def.name,
          field(
            'string',
            get(def.name),
            Array.isArray(def.choices) ? def.choices.filter(isString) : undefined,
          ),
        );
        break;
      case 'custom_number':
        fields.set(def.name, field('integer', get(def.name)));
        break;
      case 'custom_decimal':
        fields.set(def.name, field('number', get(def.name)));
        break;
      case 'custom_checkbox':
        fields.set(def.name, field('boolean', get(def.name)));
        break;
      case 'custom_date':
        fields.set(def.name, field('date', get(def.name)));
        break;
      case 'nested_field': {
        // Each level's choices are every value that appears at that depth of the tree.
        const levels = nestedLevels(def.choices);
        fields.set(def.name, field('string', get(def.name), levels[0]));
        for (const nested of def.nested_ticket_fields ?? []) {
          fields.set(nested.name, field('string', get(nested.name), levels[nested.level - 1]));
        }
        break;
      }
      default:
        fields.set(def.name, field('string', get(def.name)));
    }
  }
  return fields;
}

function contactFields(): Fields {
  const fields: Fields = new Map([
    ['active', field<ContactRecord>('boolean', (c) => c.active)],
    ['company_id', field<ContactRecord>('integer', (c) => c.company_id)],
    ['twitter_id', field<ContactRecord>('string', (c) => c.twitter_id)],
    // Freshdesk finds a contact by any of its emails.
    [
      'email',
      field<ContactRecord>('email', (c) =>
        c.email === null ? null : [c.email, ...c.other_emails],
      ),
    ],
    ['phone', field<ContactRecord>('string', (c) => c.phone)],
    ['mobile', field<ContactRecord>('string', (c) => c.mobile)],
    ['tag', field<ContactRecord>('tag', (c) => c.tags)],
    ['language', field<ContactRecord>('string', (c) => c.language)],
    ['time_zone', field<ContactRecord>('string', (c) => c.time_zone)],
    ['created_at', field<ContactRecord>('date', (c) => c.created_at)],
    ['updated_at', field<ContactRecord>('date', (c) => c.updated_at)],
  ]);
  for (const [name, type] of Object.entries(CONTACT_CUSTOM_FIELDS)) {
    const get = (c: ContactRecord) => c.custom_fields[name] ?? null;
    fields.set(name, field(type === 'number' ? 'number' : type, get));
  }
  return fields;
}

function nestedLevels(choices: unknown): string[][] {
  const levels: Set<string>[] = [];
  const walk = (node: unknown, depth: number): void => {
    levels[depth] ??= new Set();
    if (Array.isArray(node)) {
      for (const leaf of node) {
        if (typeof leaf === 'string') {
          levels[depth]!.add(leaf);
        }
      }
    } else if (isRecord(node)) {
      for (const [key, child] of Object.entries(node)) {
        levels[depth]!.add(key);
        walk(child, depth + 1);
      }
    }
  };
  walk(choices, 0);
  return levels.map((level) => [...level]);
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
const isNumber = (value: unknown): value is number => typeof value === 'number';
const isString = (value: unknown): value is string => typeof value === 'string';

type Matcher = (record: object) => boolean;

function compileNode(node: Node, fields: Fields): Matcher {
  if (node.kind === 'term') {
    const spec = fields.get(node.field);
    if (spec === undefined) {
      throw queryError(
        `'${node.field}' is not a valid field. It should be one of these values: '${[...fields.keys()].join(',')}'`,
      );
    }
    return compileTerm(node.field, node.op, node.value, spec);
  }
  const left = compileNode(node.left, fields);
  const right = compileNode(node.right, fields);
  return node.kind === 'AND'
    ? (record) => left(record) && right(record)
    : (record) => left(record) || right(record);
}

const TYPE_NAMES: Record<FieldType, string> = {
  integer: 'Integer',
  number: 'Number',
  string: "String in single quotes ('...')",
  email: "String in single quotes ('...')",
  boolean: 'Boolean (true or false)',
  date: "date in single quotes ('YYYY-MM-DD')",
  tag: "String in single quotes ('...')",
};

function compileTerm(name: string, op: Operator, value: Literal, spec: FieldSpec): Matcher {
  const get = spec.get;
  const ranged = op !== ':';
  if (ranged && spec.type !== 'integer' && spec.type !== 'number' && spec.type !== 'date') {
    throw queryError(`${name}: the operators ':>' and ':<' work only on number and date fields`);
  }
  if (value.type === 'null') {
    if (ranged) {
      throw queryError(`${name}: null cannot be used with ':>' or ':<'`);
    }
    return (record) => {
      const actual = get(record);
      return actual === null || (Array.isArray(actual) && actual.length === 0);
    };
  }
  const wrongType = (): ApiError =>
    queryError(`${name}: It should be a/an ${TYPE_NAMES[spec.type]}`);
  switch (spec.type) {
    case 'integer':
    case 'number': {
      if (value.type !== 'number' || (spec.type === 'integer' && !Number.isInteger(value.value))) {
        throw wrongType();
      }
      const wanted = value.value;
      if (!ranged && spec.choices !== undefined && !spec.choices.includes(wanted)) {
        throw choiceError(name, spec.choices);
      }
      return numberMatcher(get, op, wanted);
    }
    case 'boolean': {
      if (value.type !== 'boolean') {
        throw wrongType();
      }
      // An unticked checkbox may be stored as null; it still means false.
      const wanted = value.value;
      return (record) => (get(record) ?? false) === wanted;
    }
    case 'date': {
      if (value.type !== 'string') {
        throw wrongType();
      }
      return dateMatcher(name, get, op, value.value);
    }
    case 'tag': {
      if (value.type !== 'string') {
        throw wrongType();
      }
      const wanted = value.value;
      return (record) => {
        const actual = get(record);
        return Array.isArray(actual) && actual.includes(wanted);
      };
    }
    case 'email': {
      if (value.type !== 'string') {
        throw wrongType();
      }
      const wanted = value.value.toLowerCase();
      return (record) => {
        const actual = get(record);
        const all = Array.isArray(actual) ? actual : [actual];
        return all.some((email) => typeof email === 'string' && email.toLowerCase() === wanted);
      };
    }
    case 'string': {
      if (value.type !== 'string') {
        throw wrongType();
      }
      const wanted = value.value;
      if (spec.choices !== undefined && !spec.choices.includes(wanted)) {
        throw choiceError(name, spec.choices);
      }
      return (record) => get(record) === wanted;
    }
  }
}

function choiceError(name: string, choices: readonly (string | number)[]): ApiError {
  return queryError(`${name}: It should be one of these values: '${choices.join(',')}'`);
}

function numberMatcher(get: FieldSpec['get'], op: Operator, wanted: number): Matcher {
  return (record) => {
    const actual = get(record);
    if (typeof actual !== 'number') {
      return false;
    }
    return op === ':' ? actual === wanted : op === ':>' ? actual >= wanted : actual <= wanted;
  };
}

const DAY_MS = 86_400_000;

function dateMatcher(name: string, get: FieldSpec['get'], op: Operator, text: string): Matcher {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  const start = match ? Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3])) : NaN;
  // Date.UTC rolls 2026-02-30 over to March: a round trip catches impossible days.
  if (!match || Number.isNaN(start) || new Date(start).toISOString().slice(0, 10) !== text) {
    throw queryError(
      `${name}: It should be a/an date in single quotes ('YYYY-MM-DD'), given '${text}'`,
    );
  }
  const end = start + DAY_MS; // exclusive
  return (record) => {
    const actual = get(record);
    if (typeof actual !== 'string') {
      return false;
    }
    const at = Date.parse(actual);
    if (Number.isNaN(at)) {
      return false;
    }
    return op === ':' ? at >= start && at < end : op === ':>' ? at >= start : at < end;
  };
}
