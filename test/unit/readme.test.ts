/** README's example queries must stay valid against the schema the code builds. */
import { readFileSync } from 'node:fs';
import { parse, validate } from 'graphql';
import { describe, expect, it } from 'vitest';
import { schema } from '../../src/schema/index.ts';

const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
const blocks = [...readme.matchAll(/```graphql\n([\s\S]*?)```/g)].map((m) => m[1] as string);

/** A block may hold several operations; split it at each top-level `{`, `query` or `mutation`. */
function operations(block: string): string[] {
  const lines = block.split('\n').filter((l) => !l.trim().startsWith('#'));
  const ops: string[] = [];
  for (const line of lines) {
    if (/^(\{|query\b|mutation\b)/.test(line) || ops.length === 0) {
      ops.push(line);
    } else {
      ops[ops.length - 1] += `\n${line}`;
    }
  }
  return ops.filter((op) => op.trim() !== '');
}

describe('README examples', () => {
  const ops = blocks.flatMap(operations);

  it('has examples', () => {
    expect(ops.length).toBeGreaterThan(5);
  });

  it.each(ops.map((op) => [op.split('\n')[0], op]))('%s… is valid', (_title, op) => {
    expect(validate(schema, parse(op)).map((e) => e.message)).toEqual([]);
  });
});
