/**
 * GraphQL Code Generator, from the printed SDL (which `scripts/print-schema.ts` writes from the
 * Pothos schema first: see `npm run codegen`):
 * - typed documents for the tests (`test/operations/` → `test/gql/`);
 * - the persisted-operations manifest (`operations/*.graphql` → `operations/generated/
 *   persisted-documents.json`, `sha256:<hex>` of each normalized document → its text), which
 *   `DESKGRAPH_PERSISTED_OPERATIONS` names (README, Persisted operations).
 */
import type { CodegenConfig } from '@graphql-codegen/cli';

const config: CodegenConfig = {
  schema: 'schema/schema.graphql',
  ignoreNoDocuments: true,
  // Our sources import with `.ts` specifiers (nodenext + allowImportingTsExtensions).
  importExtension: '.ts',
  generates: {
    'test/gql/': {
      documents: ['test/operations/**/*.graphql'],
      preset: 'client',
      presetConfig: { fragmentMasking: false },
      config: {
        scalars: { DateTime: 'string', JSON: 'unknown', ID: 'string' },
        useTypeImports: true,
        enumsAsTypes: true,
      },
    },
    'operations/generated/': {
      documents: ['operations/*.graphql'],
      preset: 'client',
      presetConfig: { fragmentMasking: false, persistedDocuments: { hashAlgorithm: 'sha256' } },
      config: {
        scalars: { DateTime: 'string', JSON: 'unknown', ID: 'string' },
        useTypeImports: true,
        enumsAsTypes: true,
      },
    },
  },
};

export default config;
