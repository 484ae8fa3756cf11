/**
 * One report per GraphQL request, once answered: its request id, operation name and type, duration,
 * what it spent upstream (calls, credits, cache hits, from the operation's cost), the codes of the
 * errors in its answer, its HTTP status, and, for one refused before it ran (over a limit, over
 * the quota, no CSRF header...), the refusal's code. The app logs it (one JSON line at info) and
 * counts it in the metrics. Also tells when a subscription opens and ends.
 *
 * Nothing of the request's content is reported beyond the operation's name (an identifier by
 * GraphQL's grammar): no variables, no headers, so no key.
 */
import { type DocumentNode, getOperationAST } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { currentRequestId } from '../request-scope.ts';

export interface OperationReport {
  requestId: string | undefined;
  operationName: string | null;
  /** `query`, `mutation`, `subscription`, or `unknown` (refused before it was parsed). */
  operationType: string;
  durationMs: number;
  calls: number;
  credits: number;
  cacheHits: number;
  errorCodes: string[];
  status: number;
  /** The code of the refusal, when the operation was refused before it ran. */
  refused?: string;
}

/** What an operation spent, as its context counts it (`extensions.cost`). */
export interface SpentSoFar {
  calls: number;
  spent: number;
  cacheHits: number;
}

export interface OperationReportOptions<TContext> {
  report(report: OperationReport): void;
  /** The operation's cost counters, from its context. */
  costOf(context: TContext): SpentSoFar | undefined;
  /** Called when a subscription's stream starts; the returned function when it ends. */
  subscriptionOpened?(): () => void;
}

/**
 * Codes that mean "refused before running" when the answer has no data: refusals of the request
 * (browser guard, body, parse) and of the operation (limits, validation, quota, persisted
 * operations). Any other code without data is a failure, not a refusal.
 */
const REFUSALS = new Set([
  'CSRF_HEADER_REQUIRED',
  'REQUEST_ENTITY_TOO_LARGE',
  'BAD_REQUEST',
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
  'OPERATION_LIMIT_EXCEEDED',
  'QUOTA_EXCEEDED',
  'UNAUTHENTICATED',
]);
const PERSISTED = /PERSISTED/;
/** A GraphQL name, of a length fit for a log line. */
const NAME = /^[_A-Za-z][_0-9A-Za-z]{0,127}$/;
/** The first token of a document, comments and commas skipped: an operation keyword or `{`. */
const FIRST_TOKEN = /^(?:\s|,|#[^\n]*(?:\n|$))*(query\b|mutation\b|subscription\b|\{)/;

interface RequestState {
  started: number;
  operationName: string | null;
  operationType: string | undefined;
  query: string | undefined;
  context: unknown;
  errorCodes: string[];
  refused: string | undefined;
  answered: boolean;
}

export function useOperationReport<TContext>(
  options: OperationReportOptions<TContext>,
): Plugin<Record<string, unknown>> {
  const states = new WeakMap<Request, RequestState>();
  const stateOf = (context: unknown): RequestState | undefined => {
    const request = (context as { request?: Request } | undefined)?.request;
    return request === undefined ? undefined : states.get(request);
  };
  const typeOf = (
    state: RequestState | undefined,
    document: DocumentNode,
    name?: string | null,
  ) => {
    if (state !== undefined) {
      const operation = getOperationAST(document, name);
      state.operationType = operation?.operation ?? state.operationType;
      state.operationName ??= operation?.name?.value ?? null;
    }
  };
  return {
    onRequest({ request }) {
      states.set(request, {
        started: performance.now(),
        operationName: null,
        operationType: undefined,
        query: undefined,
        context: undefined,
        errorCodes: [],
        refused: undefined,
        answered: false,
      });
    },
    onParams({ request, params }) {
      const state = states.get(request);
      if (state !== undefined) {
        // Only a name GraphQL could declare: the field is the caller's free text until validated.
        const name = params.operationName;
        state.operationName = typeof name === 'string' && NAME.test(name) ? name : null;
        state.query = typeof params.query === 'string' ? params.query : undefined;
      }
    },
    onContextBuilding() {
      return ({ context }) => {
        const state = stateOf(context);
        if (state !== undefined) {
          state.context = context;
        }
      };
    },
    onExecute({ args }) {
      typeOf(stateOf(args.contextValue), args.document, args.operationName);
    },
    onSubscribe({ args }) {
      typeOf(stateOf(args.contextValue), args.document, args.operationName);
      const opened = options.subscriptionOpened;
      if (opened === undefined) {
        return undefined;
      }
      return {
        onSubscribeResult({ result }) {
          if (typeof result === 'object' && result !== null && Symbol.asyncIterator in result) {
            const close = opened();
            return { onEnd: close };
          }
          return undefined;
        },
      };
    },
    onResultProcess({ request, result }) {
      const state = states.get(request);
      if (state === undefined) {
        return;
      }
      state.answered = true;
      for (const one of Array.isArray(result) ? result : [result]) {
        if (typeof one !== 'object' || one === null || !('errors' in one)) {
          continue;
        }
        const errors = (one.errors ?? []) as readonly { extensions?: Record<string, unknown> }[];
        const codes = errors.map((error) => {
          const code = error.extensions?.code;
          return typeof code === 'string' ? code : 'INTERNAL_SERVER_ERROR';
        });
        state.errorCodes.push(...codes);
        const first = codes[0];
        const noData = !('data' in one) || one.data === null || one.data === undefined;
        if (noData && first !== undefined && (REFUSALS.has(first) || PERSISTED.test(first))) {
          state.refused ??= first;
        }
      }
    },
    onResponse({ request, response }) {
      const state = states.get(request);
      states.delete(request);
      if (state === undefined || !state.answered) {
        // Not a GraphQL answer (GraphiQL's page, a 404).
        return;
      }
      const cost =
        state.context === undefined ? undefined : options.costOf(state.context as TContext);
      const report: OperationReport = {
        requestId: currentRequestId(),
        operationName: state.operationName,
        operationType: state.operationType ?? typeFromText(state.query),
        durationMs: Math.round((performance.now() - state.started) * 10) / 10,
        calls: cost?.calls ?? 0,
        credits: cost?.spent ?? 0,
        cacheHits: cost?.cacheHits ?? 0,
        errorCodes: state.errorCodes,
        status: response.status,
      };
      if (state.refused !== undefined) {
        report.refused = state.refused;
      }
      options.report(report);
    },
  };
}

/** The type of an operation not parsed (refused first) by its first token; `{` is a query. */
function typeFromText(query: string | undefined): string {
  const token = FIRST_TOKEN.exec(query ?? '')?.[1];
  return token === undefined ? 'unknown' : token === '{' ? 'query' : token;
}
