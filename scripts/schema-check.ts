/**
 * CI's drift check: the committed `schema/schema.graphql` must equal the SDL the code builds.
 * Fix a failure with `npm run codegen` and commit the result.
 */
import { existsSync, readFileSync } from 'node:fs';
import { printedSchema, SCHEMA_FILE } from './print-schema.ts';

const expected = printedSchema();
const committed = existsSync(SCHEMA_FILE) ? readFileSync(SCHEMA_FILE, 'utf8') : '';
if (committed !== expected) {
  const a = committed.split('\n');
  const b = expected.split('\n');
  const line = a.findIndex((l, i) => l !== b[i]);
  process.stderr.write(
    `schema/schema.graphql is out of date (first difference at line ${line + 1}).\n` +
      `  committed: ${a[line] ?? '<end of file>'}\n  code:      ${b[line] ?? '<end of file>'}\n` +
      'Run `npm run codegen` and commit the result.\n',
  );
  process.exit(1);
}
process.stdout.write('schema/schema.graphql matches the code.\n');
