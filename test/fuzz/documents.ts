/**
 * Random GraphQL documents for the fuzz tests: schema-guided (real fields, random arguments,
 * aliases, directives, inline and named fragments, deep or wide) or token soup. A document is
 * built from one integer seed with the emulator's seeded PRNG, so fast-check reports a seed that
 * rebuilds it.
 */
import {
  type GraphQLArgument,
  type GraphQLField,
  type GraphQLInputType,
  type GraphQLNamedType,
  type GraphQLSchema,
  getNamedType,
  getNullableType,
  isCompositeType,
  isEnumType,
  isInputObjectType,
  isInterfaceType,
  isListType,
  isObjectType,
  isScalarType,
  isUnionType,
} from 'graphql';
import { createRandom, type Random } from '../../src/emulator/random.ts';

export type Shape = 'deep' | 'wide' | 'fragments' | 'mixed' | 'soup';

const IDS = [
  '1',
  '2',
  '7',
  '0',
  '-1',
  '',
  'abc',
  '1e3',
  '99999999999999999999',
  '12345678901234567',
];
const STRINGS = [
  '',
  'a',
  'priority:4',
  'status:2 AND x',
  '"',
  '\\\\',
  'ünï',
  '<b>x</b>',
  'x'.repeat(300),
];

interface Build {
  random: Random;
  shape: Shape;
  fragments: string[];
  aliases: number;
  /** Fields still to place: wide and deep together would otherwise make documents of megabytes. */
  budget: number;
}

const pick = <T>(b: Build, items: readonly T[]): T => b.random.pick(items);
const chance = (b: Build, p: number): boolean => b.random.chance(p);

function literal(b: Build, type: GraphQLInputType, depth: number): string {
  const nullable = getNullableType(type);
  if (chance(b, 0.05)) {
    return 'null';
  }
  if (isListType(nullable)) {
    const n = b.random.int(0, 2);
    return `[${Array.from({ length: n }, () => literal(b, nullable.ofType, depth + 1)).join(', ')}]`;
  }
  if (isEnumType(nullable)) {
    return chance(b, 0.9) ? pick(b, nullable.getValues()).name : 'NOT_A_VALUE';
  }
  if (isInputObjectType(nullable)) {
    if (depth > 3) {
      return '{}';
    }
    const fields = Object.values(nullable.getFields()).filter(() => chance(b, 0.4));
    return `{ ${fields.map((f) => `${f.name}: ${literal(b, f.type, depth + 1)}`).join(', ')} }`;
  }
  if (isScalarType(nullable)) {
    switch (nullable.name) {
      case 'Int':
        return String(pick(b, [-1, 0, 1, 5, 30, 100, 101, 2_147_483_647]));
      case 'Boolean':
        return pick(b, ['true', 'false']);
      case 'ID':
        return JSON.stringify(pick(b, IDS));
      case 'DateTime':
        return JSON.stringify(
          pick(b, ['2026-01-01T00:00:00Z', 'yesterday', '', '2026-13-45T99:00:00Z']),
        );
      case 'JSON':
        return pick(b, ['{}', '{ cf_x: "y" }', '[1, 2]', '"s"', '{ a: { b: [null] } }']);
      default:
        return JSON.stringify(pick(b, STRINGS));
    }
  }
  return 'null';
}

function args(b: Build, list: readonly GraphQLArgument[]): string {
  const given = list.filter((arg) => chance(b, getNullableType(arg.type) === arg.type ? 0.4 : 0.9));
  if (given.length === 0) {
    return '';
  }
  return `(${given.map((arg) => `${arg.name}: ${literal(b, arg.type, 0)}`).join(', ')})`;
}

function directive(b: Build): string {
  if (!chance(b, 0.08)) {
    return '';
  }
  return ` @${pick(b, ['include', 'skip'])}(if: ${pick(b, ['true', 'false'])})`;
}

function selection(b: Build, type: GraphQLNamedType, depth: number, maxDepth: number): string {
  if (!isCompositeType(type)) {
    return '';
  }
  if (depth >= maxDepth || b.budget <= 0) {
    return '{ __typename }';
  }
  const parts: string[] = [];
  if (isUnionType(type) || (isInterfaceType(type) && chance(b, 0.5))) {
    const members = isUnionType(type) ? type.getTypes() : [];
    for (const member of members) {
      if (chance(b, 0.7)) {
        parts.push(`... on ${member.name} ${selection(b, member, depth + 1, maxDepth)}`);
      }
    }
  }
  if (isObjectType(type) || isInterfaceType(type)) {
    const fields = Object.values(type.getFields()) as GraphQLField<unknown, unknown>[];
    const width = b.shape === 'wide' ? b.random.int(5, 44) : b.random.int(1, 4);
    for (let i = 0; i < width; i++) {
      const field = pick(b, fields);
      b.budget -= 1;
      const alias = chance(b, b.shape === 'wide' ? 0.5 : 0.1) ? `a${b.aliases++}: ` : '';
      const named = getNamedType(field.type);
      const below = isCompositeType(named) ? ` ${selection(b, named, depth + 1, maxDepth)}` : '';
      const text = `${alias}${field.name}${args(b, field.args)}${directive(b)}${below}`;
      if ((b.shape === 'fragments' || b.shape === 'mixed') && chance(b, 0.3)) {
        const name = `F${b.fragments.length}`;
        b.fragments.push(`fragment ${name} on ${type.name} { ${text} }`);
        parts.push(chance(b, 0.3) ? `...${name} ...${name}` : `...${name}`);
      } else if (chance(b, 0.05)) {
        parts.push(`... on ${type.name} { ${text} }`);
      } else {
        parts.push(text);
      }
    }
  }
  if (parts.length === 0) {
    parts.push('__typename');
  }
  return `{ ${parts.join(' ')} }`;
}

const SOUP = [
  '{',
  '}',
  '(',
  ')',
  '[',
  ']',
  ':',
  '...',
  '@',
  '$',
  '!',
  '=',
  '|',
  '&',
  'query',
  'mutation',
  'subscription',
  'fragment',
  'on',
  'tickets',
  'ticket',
  'id',
  'nodes',
  'first',
  '1',
  '-1',
  '"x"',
  '"""b"""',
  'null',
  'true',
  '#c\n',
  ',',
  '\u0000',
  '\u{1F600}',
  'a'.repeat(40),
  '__schema',
  '__type',
];

/** A document of the given shape from `seed` (a query, sometimes a mutation). */
export function randomDocument(schema: GraphQLSchema, seed: number, shape: Shape): string {
  const b: Build = { random: createRandom(seed), shape, fragments: [], aliases: 0, budget: 1_500 };
  if (shape === 'soup') {
    const n = b.random.int(1, 60);
    return Array.from({ length: n }, () => pick(b, SOUP)).join(pick(b, [' ', '', '\n']));
  }
  const mutation = schema.getMutationType();
  const root = mutation && chance(b, 0.15) ? mutation : schema.getQueryType();
  if (!root) {
    return '{ __typename }';
  }
  const maxDepth = shape === 'deep' ? b.random.int(6, 25) : b.random.int(2, 6);
  const body = selection(b, root, 0, maxDepth);
  const keyword = root === mutation ? 'mutation ' : chance(b, 0.5) ? 'query Q ' : '';
  return [`${keyword}${body}`, ...b.fragments].join('\n');
}
