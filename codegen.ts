/**
 * GraphQL Code Generator: typed documents for the tests, generated from the printed SDL (which
 * `scripts/print-schema.ts` writes from the Pothos schema first: see `npm run codegen`).
 */
import type { CodegenConfig } from '@graphql-codegen/cli';

const config: CodegenConfig = {
  schema: 'schema/schema.graphql',
  documents: ['test/operations/**/*.graphql'],
  ignoreNoDocuments: true,
  // Our sources import with `.ts` specifiers (nodenext + allowImportingTsExtensions).
  importExtension: '.ts',
  generates: {
    'test/gql/': {
      preset: 'client',
      presetConfig: { fragmentMasking: false },
      config: {
        scalars: { DateTime: 'string', JSON: 'unknown', ID: 'string' },
        useTypeImports: true,
        enumsAsTypes: true,
      },
    },
  },
};

export default config;
