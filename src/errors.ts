/**
 * The single translation point from failures to what a GraphQL client sees (contract section 5).
 * Resolvers never catch: an `UpstreamError` thrown anywhere below a field becomes, here, a GraphQL
 * error with a stable `extensions.code`; anything unexpected is masked and logged under the request id.
 */
import { GraphQLError } from 'graphql';
import { type YogaServerOptions, maskError as yogaMaskError } from 'graphql-yoga';
import type { Logger } from './logger.ts';
import { currentRequestId } from './request-scope.ts';
import { UpstreamError } from './upstream/upstream-error.ts';

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
      return BY_STATUS[status] ?? (status >= 500 ? 'UPSTREAM_ERROR' : 'BAD_USER_INPUT');
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

/** The GraphQL error a client sees for an upstream failure. */
export function toGraphQLError(error: UpstreamError, base?: GraphQLError): GraphQLError {
  const code = codeFor(error);
  const extensions: Record<string, unknown> = { code };
  if (error.kind !== 'quota') {
    extensions.upstream = {
      status: error.status ?? null,
      method: error.method,
      path: error.path,
      requestId: error.requestId ?? null,
    };
  }
  if (error.retryAfter !== undefined) {
    extensions.retryAfter = error.retryAfter;
  }
  if (error.fieldErrors && error.fieldErrors.length > 0) {
    extensions.fieldErrors = error.fieldErrors.map(({ field, message, code: fieldCode }) => ({
      field,
      message,
      code: fieldCode,
    }));
  }
  if (error.method !== 'GET') {
    // A write that may have reached Freshdesk must not be repeated blindly by the client either.
    extensions.retryable = error.retryable;
  }
  const detail = error.fieldErrors?.length
    ? `${PUBLIC_MESSAGES[code]} ${error.fieldErrors.map((f) => `${f.field}: ${f.message}`).join('; ')}`
    : PUBLIC_MESSAGES[code];
  return new GraphQLError(detail, {
    nodes: base?.nodes,
    source: base?.source,
    positions: base?.positions,
    path: base?.path,
    extensions,
  });
}

/** Yoga's `maskedErrors.maskError`: upstream errors become coded errors; the unexpected is masked. */
export function createMaskError(
  logger: Logger,
): NonNullable<
  Exclude<YogaServerOptions<object, object>['maskedErrors'], boolean | undefined>['maskError']
> {
  return (error, message, isDev) => {
    const original = error instanceof GraphQLError ? error.originalError : error;
    if (original instanceof UpstreamError) {
      return toGraphQLError(original, error instanceof GraphQLError ? error : undefined);
    }
    if (
      error instanceof GraphQLError &&
      (original === undefined || original instanceof GraphQLError)
    ) {
      return error;
    }
    const requestId = currentRequestId();
    logger.error('unexpected error', { requestId, error: original });
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

/** A client-side mistake caught by the gateway itself (bad id, bad cursor, bad input). */
export function badUserInput(message: string, extra: Record<string, unknown> = {}): GraphQLError {
  return new GraphQLError(message, { extensions: { code: 'BAD_USER_INPUT', ...extra } });
}
