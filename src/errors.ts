/**
 * The single translation point from failures to what a GraphQL client sees (contract section 5).
 * Resolvers never catch: an `UpstreamError` thrown anywhere below a field becomes, here, a GraphQL
 * error with a stable `extensions.code`; anything unexpected is masked and logged under the request id.
 */
import { randomUUID } from 'node:crypto';
import { GraphQLError } from 'graphql';
import { type YogaServerOptions, maskError as yogaMaskError } from 'graphql-yoga';
import { LIMIT_CODE } from './limits/limit-error.ts';
import type { Logger } from './logger.ts';
import { currentRequestId } from './request-scope.ts';
import { inputFieldName } from './schema/field-errors.ts';
import { findUpstreamError, isTransient, type UpstreamError } from './upstream/upstream-error.ts';

export type ErrorCode =
  | 'BAD_USER_INPUT'
  | 'UNAUTHENTICATED'
  | 'FORBIDDEN'
  | 'NOT_FOUND'
  | 'METHOD_NOT_ALLOWED'
  | 'NOT_ACCEPTABLE'
  | 'CONFLICT'
  | 'UNSUPPORTED_MEDIA_TYPE'
  | 'RATE_LIMITED'
  | 'UPSTREAM_ERROR'
  | 'BAD_GATEWAY'
  | 'SERVICE_UNAVAILABLE'
  | 'GATEWAY_TIMEOUT'
  | 'UPSTREAM_UNREACHABLE'
  | 'QUOTA_EXCEEDED'
  | 'INTERNAL_SERVER_ERROR';

const BY_STATUS: Record<number, ErrorCode> = {
  400: 'BAD_USER_INPUT',
  401: 'UNAUTHENTICATED',
  403: 'FORBIDDEN',
  404: 'NOT_FOUND',
  405: 'METHOD_NOT_ALLOWED',
  406: 'NOT_ACCEPTABLE',
  409: 'CONFLICT',
  415: 'UNSUPPORTED_MEDIA_TYPE',
  429: 'RATE_LIMITED',
  500: 'UPSTREAM_ERROR',
  502: 'BAD_GATEWAY',
  503: 'SERVICE_UNAVAILABLE',
  504: 'GATEWAY_TIMEOUT',
};

/** The contract's `extensions.code` for an upstream failure. */
export function codeFor(error: UpstreamError): ErrorCode {
  switch (error.kind) {
    case 'timeout':
      return 'GATEWAY_TIMEOUT';
    case 'unreachable':
      return 'UPSTREAM_UNREACHABLE';
    case 'malformed':
      return 'BAD_GATEWAY';
    case 'quota':
      return 'QUOTA_EXCEEDED';
    case 'http': {
      const status = error.status ?? 500;
      if (status === 408) {
        return 'GATEWAY_TIMEOUT';
      }
      // A status outside the table (402, 410, 422, 501...) is Freshdesk failing us, not the caller.
      return BY_STATUS[status] ?? 'UPSTREAM_ERROR';
    }
  }
}

const PUBLIC_MESSAGES: Record<ErrorCode, string> = {
  BAD_USER_INPUT: 'Freshdesk rejected the request as invalid.',
  UNAUTHENTICATED: 'Freshdesk did not accept the API key.',
  FORBIDDEN: 'Freshdesk refused access (plan, role or API access).',
  NOT_FOUND: 'Not found in Freshdesk.',
  METHOD_NOT_ALLOWED:
    'Freshdesk does not allow this change on that record (spam, deleted or blocked?).',
  NOT_ACCEPTABLE: 'Freshdesk refused the Accept header.',
  CONFLICT: 'Freshdesk reports a conflict with an existing record.',
  UNSUPPORTED_MEDIA_TYPE: 'Freshdesk refused the content type.',
  RATE_LIMITED: 'Freshdesk rate limit reached; retry later.',
  UPSTREAM_ERROR: 'Freshdesk failed to process the request.',
  BAD_GATEWAY: 'Freshdesk (or a proxy in front of it) gave an invalid answer.',
  SERVICE_UNAVAILABLE: 'Freshdesk is unavailable; retry later.',
  GATEWAY_TIMEOUT: 'Freshdesk did not answer in time.',
  UPSTREAM_UNREACHABLE: 'Freshdesk could not be reached.',
  QUOTA_EXCEEDED: "The account's Freshdesk quota cannot serve this operation now.",
  INTERNAL_SERVER_ERROR: 'Unexpected error.',
};

/** Upstream messages worth echoing: Freshdesk's own words, not the edge's generic ones. */
const GENERIC_UPSTREAM_MESSAGES = new Set([
  'Validation failed',
  "We're sorry, but something went wrong.",
]);

/**
 * The GraphQL error a client sees for an upstream failure. `extensions`:
 * - `code`: the contract's code;
 * - `upstream`: `{ status, method, path, requestId }` (status and requestId null when Freshdesk
 *   never answered);
 * - `retryAfter`: seconds, when Freshdesk (or the quota guard) said how long to wait;
 * - `fieldErrors`: `[{ field, message, code }]` from a validation body, `field` named as the
 *   GraphQL input names it (`company_id` → `companyId`; `src/schema/validation.ts`);
 * - `retryable`: whether sending the same operation again is safe and may succeed. False for a
 *   write that may have reached Freshdesk: repeating it could create a second ticket or contact.
 */
export function toGraphQLError(error: UpstreamError, base?: GraphQLError): GraphQLError {
  const code = codeFor(error);
  const extensions: Record<string, unknown> = {
    code,
    upstream: {
      status: error.status ?? null,
      method: error.method,
      path: error.path,
      requestId: error.requestId ?? null,
    },
  };
  if (error.retryAfter !== undefined) {
    extensions.retryAfter = error.retryAfter;
  }
  if (error.fieldErrors && error.fieldErrors.length > 0) {
    extensions.fieldErrors = error.fieldErrors.map(({ field, message, code: fieldCode }) => ({
      field: inputFieldName(field),
      message,
      code: fieldCode,
    }));
  }
  extensions.retryable = error.retryable && isTransient(error);
  return new GraphQLError(publicMessage(code, error), {
    nodes: base?.nodes,
    source: base?.source,
    positions: base?.positions,
    path: base?.path,
    extensions,
  });
}

function publicMessage(code: ErrorCode, error: UpstreamError): string {
  const parts = [PUBLIC_MESSAGES[code]];
  if (error.fieldErrors?.length) {
    parts.push(
      error.fieldErrors
        .map((f) => `${f.field ? inputFieldName(f.field) : '(request)'}: ${f.message}`)
        .join('; '),
    );
  } else if (
    error.kind === 'http' &&
    error.upstreamMessage &&
    !GENERIC_UPSTREAM_MESSAGES.has(error.upstreamMessage)
  ) {
    parts.push(`Freshdesk said: ${error.upstreamMessage}`);
  } else if (error.kind === 'malformed') {
    // What was wrong with the 2xx answer (not JSON; which field had the wrong shape), in the
    // upstream layer's own words: never a value from the body.
    parts.push(error.message);
  }
  if (error.method !== 'GET' && !error.retryable && (isTransient(error) || error.status === 500)) {
    parts.push('The change may have been made: check before sending it again.');
  }
  return parts.join(' ');
}

type MaskError = NonNullable<
  Exclude<YogaServerOptions<object, object>['maskedErrors'], boolean | undefined>['maskError']
>;

/**
 * Yoga's `maskedErrors.maskError`, the single translation point: upstream errors (found anywhere
 * in the error's `originalError`/`cause` chain) become coded errors; GraphQL errors the gateway
 * raised on purpose pass through; anything else is masked as "Unexpected error." and logged with
 * the request id that the client gets in `extensions.requestId` (and the `x-request-id` header).
 */
export function createMaskError(logger: Logger): MaskError {
  return (error, message, isDev) => {
    const upstream = findUpstreamError(error);
    if (upstream) {
      return toGraphQLError(upstream, error instanceof GraphQLError ? error : undefined);
    }
    if (isDeliberate(error)) {
      return forClient(error as GraphQLError);
    }
    const requestId = currentRequestId() ?? randomUUID();
    const original = error instanceof GraphQLError ? (error.originalError ?? error) : error;
    logger.error('unexpected error', {
      requestId,
      path: error instanceof GraphQLError ? error.path : undefined,
      error: original,
    });
    const masked = yogaMaskError(error, message, isDev);
    if (masked instanceof GraphQLError) {
      return new GraphQLError(masked.message, {
        nodes: masked.nodes,
        source: masked.source,
        positions: masked.positions,
        path: masked.path,
        extensions: { ...masked.extensions, code: 'INTERNAL_SERVER_ERROR', requestId },
      });
    }
    return masked;
  };
}

/**
 * What a deliberate error needs before a client sees it:
 * - Yoga describes a body it could not parse in `extensions.originalError`, whose message quotes
 *   the body (all of it: 10 MB in, 10 MB out). The message and code say enough; the echo goes.
 * - A request refused as a whole (a bad body, an operation limit) stays a 400 whatever the Accept
 *   header: Yoga marks parse errors as GraphQL-over-HTTP ones (`http.spec`), answered 200 to
 *   `Accept: application/json`, and keys its status choice on `originalError` being there.
 * - Every error has a code; graphql-js's own errors have none.
 */
function forClient(error: GraphQLError): GraphQLError {
  const { originalError, http, ...rest } = (error.extensions ?? {}) as Record<string, unknown>;
  const refused =
    originalError !== undefined && typeof http === 'object' && http !== null
      ? { ...http, spec: false }
      : undefined;
  if (rest.code === LIMIT_CODE && typeof http === 'object' && http !== null) {
    return rebuilt(error, { ...rest, http: { ...http, spec: false } });
  }
  if (refused) {
    return rebuilt(error, { ...rest, http: refused });
  }
  if (rest.code === undefined) {
    // graphql-js's own errors carry no code: before execution they refuse the request (a
    // variable of the wrong type); during it, a value that does not fit the schema (a null for
    // a non-null field, a value a scalar cannot represent): the gateway failed to build the field.
    const code = error.path === undefined ? 'BAD_USER_INPUT' : 'INTERNAL_SERVER_ERROR';
    return rebuilt(error, { ...error.extensions, code });
  }
  return error;
}

function rebuilt(error: GraphQLError, extensions: Record<string, unknown>): GraphQLError {
  return new GraphQLError(error.message, {
    nodes: error.nodes,
    source: error.source,
    positions: error.positions,
    path: error.path,
    extensions,
  });
}

/** A GraphQLError raised on purpose (by graphql-js, Yoga or a resolver), not wrapping a crash. */
function isDeliberate(error: unknown): boolean {
  let current: unknown = error;
  for (let depth = 0; depth < 6; depth++) {
    if (!(current instanceof GraphQLError)) {
      return false;
    }
    if (current.originalError === undefined || current.originalError === null) {
      return true;
    }
    current = current.originalError;
  }
  return false;
}

/** A client-side mistake caught by the gateway itself (bad id, bad cursor, bad input). */
export function badUserInput(message: string, extra: Record<string, unknown> = {}): GraphQLError {
  return new GraphQLError(message, { extensions: { code: 'BAD_USER_INPUT', ...extra } });
}
