/**
 * Compiled execution: a query document the gateway has seen before is executed by a function
 * graphql-jit generated for it (once per document, the 256 most recently used kept), instead of
 * graphql-js walking the document field by field on every request (its argument coercion, field
 * collection and completion per field were a third of a ticket page's CPU). The resolvers are the
 * same functions (result bound, field scopes, loaders), so what they read, spend and report is the
 * same.
 *
 * graphql-js still executes what the compiled path might answer differently:
 * - anything but a query (mutations run one field after another, subscriptions stream), a document
 *   with directives other than `@include` / `@skip` (`@defer`, `@stream`), introspection;
 * - a document's first execution (one seen once is not worth compiling: a client sending ever new
 *   documents keeps graphql-js's cost, never a compiler's on top of it);
 * - a document graphql-jit cannot compile, or whose compilation fails;
 * - variables the compiled query refuses: graphql-js answers with its own coded errors (no
 *   resolver has run then, so nothing is done twice).
 */
import {
  type DocumentNode,
  type ExecutionArgs,
  type ExecutionResult,
  GraphQLError,
  type GraphQLSchema,
  Kind,
  type OperationDefinitionNode,
  visit,
} from 'graphql';
import { type CompiledQuery, compileQuery, isCompiledQuery } from 'graphql-jit';
import type { Plugin } from 'graphql-yoga';
import { LRUCache } from 'lru-cache';

type MaybePromise<T> = T | Promise<T>;

/**
 * Per document and operation name: the requests that executed it so far (the last one's id: a
 * request's probe on the caches and its execution count once), and whether it can never be
 * compiled.
 */
type Entry = { uses: number; lastRequest?: string; never?: boolean };

/**
 * Compiled documents kept at most (about 33 KB of heap each for the dashboard's document): the
 * least recently used one is dropped, and compiled again if it comes back.
 */
const MAX_COMPILED = 256;
const compiledQueries = new LRUCache<Entry, CompiledQuery>({ max: MAX_COMPILED });

const bySchema = new WeakMap<GraphQLSchema, WeakMap<DocumentNode, Map<string, Entry>>>();

/** Counted since the process started (for metrics and tests). */
const stats = { compiled: 0, compiledExecutions: 0, fallbacks: 0 };

/** Documents compiled, executions that ran compiled, and compiled executions handed back to graphql-js. */
export const compiledExecutionStats = (): Readonly<typeof stats> => ({ ...stats });

/** Directives the compiled path executes as graphql-js does. */
const PLAIN_DIRECTIVES = new Set(['include', 'skip']);

/** The operation `operationName` picks, when it is a query the compiled path may run. */
function compilableOperation(
  document: DocumentNode,
  operationName: string | null | undefined,
): OperationDefinitionNode | undefined {
  let operation: OperationDefinitionNode | undefined;
  let operations = 0;
  for (const definition of document.definitions) {
    if (definition.kind === Kind.OPERATION_DEFINITION) {
      operations += 1;
      if (operationName ? definition.name?.value === operationName : operations === 1) {
        operation = definition;
      }
    }
  }
  if (operation?.operation !== 'query' || (!operationName && operations > 1)) {
    return undefined;
  }
  let plain = true;
  visit(document, {
    Directive(node) {
      if (!PLAIN_DIRECTIVES.has(node.name.value)) {
        plain = false;
      }
    },
    Field(node) {
      if (node.name.value === '__schema' || node.name.value === '__type') {
        plain = false;
      }
    },
  });
  return plain ? operation : undefined;
}

/** The compiled query for this execution, once its document is worth it; undefined otherwise. */
function compiledFor(args: ExecutionArgs, requestId: string): CompiledQuery | undefined {
  let byDocument = bySchema.get(args.schema);
  if (byDocument === undefined) {
    byDocument = new WeakMap();
    bySchema.set(args.schema, byDocument);
  }
  let byName = byDocument.get(args.document);
  if (byName === undefined) {
    byName = new Map();
    byDocument.set(args.document, byName);
  }
  const name = args.operationName ?? '';
  let entry = byName.get(name);
  if (entry === undefined) {
    entry = { uses: 0 };
    byName.set(name, entry);
  }
  if (entry.lastRequest !== requestId) {
    entry.lastRequest = requestId;
    entry.uses += 1;
  }
  if (entry.never || entry.uses < 2) {
    return undefined;
  }
  const kept = compiledQueries.get(entry);
  if (kept !== undefined) {
    return kept;
  }
  entry.never = true;
  if (compilableOperation(args.document, args.operationName) !== undefined) {
    try {
      const compiled = compileQuery(args.schema, args.document, args.operationName ?? undefined);
      if (isCompiledQuery(compiled)) {
        entry.never = false;
        compiledQueries.set(entry, compiled);
        stats.compiled += 1;
        return compiled;
      }
    } catch {
      // Whatever graphql-jit cannot take, graphql-js executes.
    }
  }
  return undefined;
}

/**
 * The result with its errors placed as graphql-js places them: graphql-jit gives an error its
 * locations alone, which Yoga drops when it rebuilds errors from their source and positions (and so
 * would src/errors.ts); graphql-js gives the field's nodes, from which both compute them.
 */
export function placeErrors(result: ExecutionResult, document: DocumentNode): ExecutionResult {
  const source = document.loc?.source;
  if (!result.errors?.some((error) => error.nodes === undefined) || source === undefined) {
    return result;
  }
  const lineStarts = [0];
  for (let i = source.body.indexOf('\n'); i !== -1; i = source.body.indexOf('\n', i + 1)) {
    lineStarts.push(i + 1);
  }
  return {
    ...result,
    errors: result.errors.map((error) =>
      error.nodes !== undefined || error.locations === undefined
        ? error
        : new GraphQLError(error.message, {
            source,
            positions: error.locations.map(
              ({ line, column }) => (lineStarts[line - 1] ?? 0) + column - 1,
            ),
            path: error.path,
            originalError: error.originalError ?? undefined,
            extensions: error.extensions,
          }),
    ),
  };
}

/** Whether the compiled query refused the request before executing (its variables). */
const refusedBeforeExecution = (result: ExecutionResult) =>
  result.data === undefined && (result.errors?.length ?? 0) > 0;

/**
 * Executes `args` (for request `requestId`) compiled when it may be, else (and for what the
 * compiled query refuses before executing) with `fallback`, graphql-js's execution. `place`:
 * errors placed as graphql-js places them (`placeErrors`); a caller that may throw the result
 * away (the estimate's probe) places them itself when it keeps it.
 */
export function executeOperation(
  args: ExecutionArgs,
  requestId: string,
  fallback: (args: ExecutionArgs) => MaybePromise<ExecutionResult>,
  place = true,
): MaybePromise<ExecutionResult> {
  const compiled = compiledFor(args, requestId);
  if (compiled === undefined) {
    return fallback(args);
  }
  stats.compiledExecutions += 1;
  const handBack = (result: ExecutionResult) => {
    if (!refusedBeforeExecution(result)) {
      return place ? placeErrors(result, args.document) : result;
    }
    stats.fallbacks += 1;
    return fallback(args);
  };
  const result = compiled.query(args.rootValue, args.contextValue, args.variableValues);
  return result instanceof Promise ? result.then(handBack) : handBack(result);
}

/** Yoga's execution through `executeOperation` (first among the plugins that wrap execution). */
export function useCompiledExecution(): Plugin<{ requestId: string }> {
  return {
    onExecute({ executeFn, setExecuteFn }) {
      setExecuteFn((args: ExecutionArgs) =>
        executeOperation(
          args,
          (args.contextValue as { requestId: string }).requestId,
          executeFn as (args: ExecutionArgs) => MaybePromise<ExecutionResult>,
        ),
      );
    },
  };
}
