/** Writes the sorted SDL to `schema/schema.graphql` (run by `npm run codegen`). */
import { writeFileSync } from 'node:fs';
import { printSchema } from 'graphql';
import { sortedSchema } from '../src/schema/index.ts';

export const SCHEMA_FILE = new URL('../schema/schema.graphql', import.meta.url);

export const printedSchema = (): string => `${printSchema(sortedSchema)}\n`;

if (import.meta.url === `file://${process.argv[1]}`) {
  writeFileSync(SCHEMA_FILE, printedSchema());
  process.stdout.write('wrote schema/schema.graphql\n');
}
