/**
 * Persisted operations (`DESKGRAPH_PERSISTED_OPERATIONS`): the operations of a manifest, run by
 * their id, with graphql-yoga's persisted-operations plugin. The manifest is what `npm run codegen`
 * writes from `operations/*.graphql` (`{ "sha256:<hex>": "<document>" }`, GraphQL over HTTP's
 * persisted documents); Apollo's persisted-query manifest (`{ format:
 * "apollo-persisted-query-manifest", operations: [{ id, body }] }`) is read too.
 *
 * A client names an operation by `documentId` (`"sha256:<hex>"`, or the bare hex) in the body or
 * the query string, or Apollo's `extensions.persistedQuery.sha256Hash`. An id not in the manifest
 * is refused (`404 PERSISTED_QUERY_NOT_FOUND`); in persisted-only mode (`DESKGRAPH_PERSISTED_ONLY`,
 * the default with a manifest) so is any document sent as text (`400 PERSISTED_QUERY_ONLY`).
 *
 * Work a known document does not need is done once, at start: each manifest document is parsed
 * and validated against the schema when the manifest is loaded (a document that does not validate
 * stops the start), and every request for it gets that same DocumentNode, so no parse, no
 * validation, and the per-document caches keyed by the document object (the operation limits'
 * check) are hit from the second request on. The cost estimate depends on the variables and on
 * what the caches hold, so it stays per request.
 */
import { readFileSync } from 'node:fs';
import {
  type ExtractPersistedOperationId,
  usePersistedOperations,
} from '@graphql-yoga/plugin-persisted-operations';
import { type DocumentNode, type GraphQLSchema, parse, validate } from 'graphql';
import { createGraphQLError, type Plugin } from 'graphql-yoga';
import { type Config, ConfigError } from './config.ts';
import type { Logger } from './logger.ts';

export const PERSISTED_QUERY_NOT_FOUND = 'PERSISTED_QUERY_NOT_FOUND';
export const PERSISTED_QUERY_ONLY = 'PERSISTED_QUERY_ONLY';
export const PERSISTED_QUERY_ID_REQUIRED = 'PERSISTED_QUERY_ID_REQUIRED';

/** The manifest's documents by id: the bare lower-case sha256 hex. */
export type PersistedDocuments = ReadonlyMap<string, DocumentNode>;

const HEX_ID = /^(?:sha256:)?([0-9a-f]{64})$/i;

/** The manifest's key for an id as a client may send it (`sha256:<hex>` or `<hex>`), or undefined. */
export function documentKey(id: string): string | undefined {
  return HEX_ID.exec(id.trim())?.[1]?.toLowerCase();
}

/**
 * Reads the manifest at `path`, parses and validates each document against `schema`. A file that
 * is not a manifest, an id that is not a sha256 hex, or a document that does not parse or validate
 * is a `ConfigError` naming it.
 */
export function loadPersistedDocuments(path: string, schema: GraphQLSchema): PersistedDocuments {
  const fail = (problem: string): never => {
    throw new ConfigError([`DESKGRAPH_PERSISTED_OPERATIONS (${path}): ${problem}`]);
  };
  let manifest: unknown;
  try {
    manifest = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    return fail(`not a readable JSON file (${(error as Error).message}).`);
  }
  const documents = new Map<string, DocumentNode>();
  for (const [id, text] of entriesOf(manifest) ?? fail('not a persisted-operations manifest.')) {
    const key = documentKey(id) ?? fail(`"${id}" is not a sha256 document id.`);
    let document: DocumentNode;
    try {
      document = parse(text);
    } catch (error) {
      return fail(`${id} does not parse: ${(error as Error).message}`);
    }
    const [invalid] = validate(schema, document);
    if (invalid) {
      fail(`${id} does not validate: ${invalid.message}`);
    }
    documents.set(key, document);
  }
  return documents;
}

/** The `[id, document]` pairs of either manifest format, or undefined when it is neither. */
function entriesOf(manifest: unknown): [string, string][] | undefined {
  if (typeof manifest !== 'object' || manifest === null || Array.isArray(manifest)) {
    return undefined;
  }
  const apollo = manifest as { format?: unknown; operations?: unknown };
  if (apollo.format === 'apollo-persisted-query-manifest') {
    if (!Array.isArray(apollo.operations)) {
      return undefined;
    }
    const pairs: [string, string][] = [];
    for (const operation of apollo.operations as { id?: unknown; body?: unknown }[]) {
      if (typeof operation?.id !== 'string' || typeof operation.body !== 'string') {
        return undefined;
      }
      pairs.push([operation.id, operation.body]);
    }
    return pairs;
  }
  const pairs = Object.entries(manifest);
  return pairs.every((pair): pair is [string, string] => typeof pair[1] === 'string')
    ? pairs
    : undefined;
}

/**
 * `documentId` (in the JSON body, or the query string of a GET: Yoga's GET parser keeps only the
 * four standard parameters), then Apollo's `extensions.persistedQuery.sha256Hash`.
 */
const extractId: ExtractPersistedOperationId = (params, request) => {
  const { documentId } = params as { documentId?: unknown };
  if (typeof documentId === 'string') {
    return documentId;
  }
  if (request.method === 'GET') {
    const fromUrl = new URL(request.url).searchParams.get('documentId');
    if (fromUrl !== null) {
      return fromUrl;
    }
  }
  const persisted = (params.extensions as { persistedQuery?: unknown } | undefined)
    ?.persistedQuery as { version?: unknown; sha256Hash?: unknown } | undefined;
  return persisted?.version === 1 && typeof persisted.sha256Hash === 'string'
    ? persisted.sha256Hash
    : null;
};

export interface PersistedOperationsOptions {
  documents: PersistedDocuments;
  /** Refuse documents sent as text (`DESKGRAPH_PERSISTED_ONLY`). */
  only: boolean;
}

/** graphql-yoga's persisted-operations plugin over the loaded manifest, its refusals coded. */
export function usePersistedManifest(options: PersistedOperationsOptions): Plugin {
  const { documents, only } = options;
  const refusal = (message: string, code: string, status: number) => () =>
    createGraphQLError(message, { extensions: { code, http: { status } } });
  return usePersistedOperations({
    allowArbitraryOperations: !only,
    extractPersistedOperationId: extractId,
    getPersistedOperation: (id) => {
      const key = documentKey(id);
      return (key && documents.get(key)) ?? null;
    },
    // Validated once, when the manifest was loaded.
    skipDocumentValidation: true,
    customErrors: {
      notFound: refusal(
        'No persisted operation has this id: the gateway runs the operations of its manifest (npm run codegen writes it from operations/).',
        PERSISTED_QUERY_NOT_FOUND,
        404,
      ),
      persistedQueryOnly: refusal(
        'This gateway runs persisted operations only: send the operation\'s "documentId" (or extensions.persistedQuery.sha256Hash), not its text.',
        PERSISTED_QUERY_ONLY,
        400,
      ),
      keyNotFound: refusal(
        'Send a query, or the "documentId" of a persisted operation.',
        PERSISTED_QUERY_ID_REQUIRED,
        400,
      ),
    },
  });
}

/**
 * The plugins for the setting: none without a manifest; with one, the manifest loaded (its
 * documents parsed and validated against `schema`) and served, and said so in the log.
 */
export function persistedOperations(
  setting: Config['persistedOperations'],
  schema: GraphQLSchema,
  logger: Logger,
): Plugin[] {
  if (setting === undefined) {
    return [];
  }
  const documents = loadPersistedDocuments(setting.manifest, schema);
  logger.info(
    setting.only
      ? 'persisted operations only: other documents are refused'
      : 'persisted operations on, other documents allowed',
    { manifest: setting.manifest, operations: documents.size },
  );
  return [usePersistedManifest({ documents, only: setting.only })];
}
