/**
 * The one error every operation limit answers with: HTTP 400 (the request itself is refused, before
 * any upstream call), `extensions.code` `OPERATION_LIMIT_EXCEEDED`, `extensions.limit` naming the
 * limit and `extensions.max` its value, so a client can tell which knob it hit
 * (README, "Operation limits").
 */
import { GraphQLError } from 'graphql';

export type LimitName =
  | 'documentBytes'
  | 'tokens'
  | 'depth'
  | 'aliases'
  | 'directives'
  | 'complexity'
  | 'fragmentSpreads'
  | 'batch'
  | 'resultItems'
  | 'deadline';

export const LIMIT_CODE = 'OPERATION_LIMIT_EXCEEDED';

/** The variable that sets each limit, named in refusals so an operator knows what to raise. */
export const LIMIT_VARIABLES: Record<LimitName, string> = {
  documentBytes: 'DESKGRAPH_MAX_DOCUMENT_BYTES',
  tokens: 'DESKGRAPH_MAX_TOKENS',
  depth: 'DESKGRAPH_MAX_DEPTH',
  aliases: 'DESKGRAPH_MAX_ALIASES',
  directives: 'DESKGRAPH_MAX_DIRECTIVES',
  complexity: 'DESKGRAPH_MAX_COMPLEXITY',
  fragmentSpreads: 'DESKGRAPH_MAX_FRAGMENT_SPREADS',
  batch: 'DESKGRAPH_MAX_BATCH',
  resultItems: 'DESKGRAPH_MAX_RESULT_ITEMS',
  deadline: 'DESKGRAPH_OPERATION_DEADLINE_MS',
};

/** `message` is completed with the variable that sets the limit. */
export function limitError(
  limit: LimitName,
  max: number,
  message: string,
  options: { status?: number; path?: readonly (string | number)[] } = {},
): GraphQLError {
  return new GraphQLError(`${message} (${LIMIT_VARIABLES[limit]})`, {
    path: options.path,
    extensions: {
      code: LIMIT_CODE,
      limit,
      max,
      // `spec: false`: a 400 whatever the Accept header (Yoga would answer 200 to
      // `application/json` for an error met during validation, as GraphQL over HTTP allows).
      ...(options.status === undefined ? {} : { http: { status: options.status, spec: false } }),
    },
  });
}
