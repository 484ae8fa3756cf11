import { Kind, type ValueNode } from 'graphql';
import { builder } from '../../builder.ts';
import { badUserInput } from '../../errors.ts';

const ISO =
  /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}(?::?\d{2})?)?)?$/;

/**
 * Already `YYYY-MM-DDTHH:MM:SSZ`, every part in range (as Freshdesk sends every date): the day is
 * checked against the month below, since `Date.parse` rolls 2024-02-30 over into March.
 */
const CANONICAL =
  /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])T(?:[01]\d|2[0-3]):[0-5]\d:[0-5]\dZ$/;
/** Days in each month, February at 28 (the 29th takes the slow path). */
const MONTH_DAYS = [0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** Normalises any accepted date/time input to Freshdesk's `YYYY-MM-DDTHH:MM:SSZ` (UTC). */
export function toUtcSeconds(value: string): string {
  // The common case (every date Freshdesk answers, serialised on every DateTime field) is returned
  // as it is: what the conversion below gives for it, without a Date and two regular expressions
  // (7% of the dashboard's CPU).
  const canonical = CANONICAL.exec(value);
  if (canonical !== null && Number(canonical[2]) <= (MONTH_DAYS[Number(canonical[1])] as number)) {
    return value;
  }
  if (!ISO.test(value)) {
    throw badUserInput(`DateTime must be ISO-8601 (e.g. 2026-01-31T12:00:00Z); got "${value}".`);
  }
  const ms = Date.parse(
    /T|\s/.test(value) && !/Z|[+-]\d{2}(:?\d{2})?$/.test(value) ? `${value}Z` : value,
  );
  if (Number.isNaN(ms)) {
    throw badUserInput(`DateTime is not a real date: "${value}".`);
  }
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

builder.scalarType('DateTime', {
  description: 'An instant in ISO-8601, always returned in UTC: `2026-01-31T12:00:00Z`.',
  serialize: (value) => toUtcSeconds(String(value)),
  parseValue: (value) => {
    if (typeof value !== 'string') {
      throw badUserInput('DateTime must be a string such as 2026-01-31T12:00:00Z.');
    }
    return toUtcSeconds(value);
  },
  parseLiteral: (ast) => {
    if (ast.kind !== Kind.STRING) {
      throw badUserInput('DateTime must be a string such as 2026-01-31T12:00:00Z.');
    }
    return toUtcSeconds(ast.value);
  },
});

function literalToJson(ast: ValueNode, variables?: Record<string, unknown> | null): unknown {
  switch (ast.kind) {
    case Kind.STRING:
    case Kind.BOOLEAN:
      return ast.value;
    case Kind.INT:
    case Kind.FLOAT:
      return Number(ast.value);
    case Kind.NULL:
      return null;
    case Kind.LIST:
      return ast.values.map((v) => literalToJson(v, variables));
    case Kind.OBJECT:
      return Object.fromEntries(
        ast.fields.map((f) => [f.name.value, literalToJson(f.value, variables)]),
      );
    case Kind.VARIABLE:
      return variables?.[ast.name.value];
    default:
      return undefined;
  }
}

builder.scalarType('JSON', {
  description:
    'Any JSON value: used where Freshdesk lets each account shape the data (custom fields, choices).',
  serialize: (value) => value,
  parseValue: (value) => boundedJson(value),
  parseLiteral: (ast, variables) => boundedJson(literalToJson(ast, variables)),
});

/**
 * How deep a JSON input may nest. Freshdesk's custom fields are flat (nested fields are flat keys
 * too), so 32 is generous; deeper input is refused before anything (estimate, upstream body) walks it
 * recursively and overflows the stack.
 */
const MAX_JSON_DEPTH = 32;

/** The value itself, or BAD_USER_INPUT when it nests deeper than MAX_JSON_DEPTH (checked without recursion). */
function boundedJson(value: unknown): unknown {
  const stack: [unknown, number][] = [[value, 1]];
  while (stack.length > 0) {
    const [node, depth] = stack.pop() as [unknown, number];
    if (node === null || typeof node !== 'object') {
      continue;
    }
    if (depth > MAX_JSON_DEPTH) {
      throw badUserInput(`JSON input may nest at most ${MAX_JSON_DEPTH} levels deep.`);
    }
    for (const child of Array.isArray(node) ? node : Object.values(node)) {
      stack.push([child, depth + 1]);
    }
  }
  return value;
}
