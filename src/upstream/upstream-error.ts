/**
 * The upstream layer's only error. Deliberately not a GraphQLError: `src/errors.ts` decides what a
 * client sees. It never holds the API key or a URL with credentials: only method, path and status.
 */

export type UpstreamFailureKind =
  /** Freshdesk (or a proxy in front of it) answered with a non-2xx status. */
  | 'http'
  /** No answer in time (connect, headers, body, or the operation's deadline). */
  | 'timeout'
  /** Connection refused, reset or closed before a complete answer. */
  | 'unreachable'
  /** A 2xx whose body is not the JSON it should be. */
  | 'malformed'
  /** The gateway's own quota guard refused to spend (nothing was sent). */
  | 'quota';

export interface FieldErrorDetail {
  field: string;
  message: string;
  code: string;
  /** e.g. `{ user_id: 123 }` on a duplicate contact email. */
  additionalInfo?: Record<string, unknown>;
}

export interface UpstreamErrorInit {
  kind: UpstreamFailureKind;
  method: string;
  /** Path and query as sent, without origin or credentials, e.g. `/api/v2/tickets/12`. */
  path: string;
  status?: number;
  /** Freshdesk's `X-Request-Id`, when it answered. */
  requestId?: string;
  /** Seconds, when waiting helps (429, 503, quota). */
  retryAfter?: number;
  /** Freshdesk's own error code from the body (`invalid_credentials`, `access_denied`...). */
  upstreamCode?: string;
  /** Freshdesk's own message from the body, when it sent one. Never contains credentials. */
  upstreamMessage?: string;
  fieldErrors?: FieldErrorDetail[];
  /**
   * Whether repeating the identical call is *safe*: false when it could do the work twice (a POST
   * or PUT that may have reached Freshdesk). True for reads and for writes that certainly never
   * reached Freshdesk (connection refused, 429, refused by the quota guard).
   */
  retryable: boolean;
  /** Attempts made before giving up. @default 1 */
  attempts?: number;
  cause?: unknown;
}

export class UpstreamError extends Error {
  readonly kind: UpstreamFailureKind;
  readonly method: string;
  readonly path: string;
  readonly status: number | undefined;
  readonly requestId: string | undefined;
  readonly retryAfter: number | undefined;
  readonly upstreamCode: string | undefined;
  readonly upstreamMessage: string | undefined;
  readonly fieldErrors: FieldErrorDetail[] | undefined;
  readonly retryable: boolean;
  attempts: number;

  constructor(message: string, init: UpstreamErrorInit) {
    super(message, init.cause === undefined ? undefined : { cause: init.cause });
    this.name = 'UpstreamError';
    this.kind = init.kind;
    this.method = init.method;
    this.path = init.path;
    this.status = init.status;
    this.requestId = init.requestId;
    this.retryAfter = init.retryAfter;
    this.upstreamCode = init.upstreamCode;
    this.upstreamMessage = init.upstreamMessage;
    this.fieldErrors = init.fieldErrors;
    this.retryable = init.retryable;
    this.attempts = init.attempts ?? 1;
  }
}

/** Statuses that say "try again later" rather than "this request is wrong". */
const TRANSIENT_STATUSES = new Set([429, 502, 503, 504]);

/**
 * Whether the same call might succeed if made again later: no answer, a garbled answer, an edge
 * 502/503/504, a 429 or the quota guard. Says nothing about whether repeating it is safe; that is
 * `UpstreamError.retryable`.
 */
export function isTransient(error: UpstreamError): boolean {
  if (error.kind === 'http') {
    return error.status !== undefined && TRANSIENT_STATUSES.has(error.status);
  }
  return true;
}

/** Whether `error` is Freshdesk answering with HTTP `status`. */
export const isHttpStatus = (error: unknown, status: number): error is UpstreamError =>
  error instanceof UpstreamError && error.kind === 'http' && error.status === status;

/** Walks `originalError` / `cause` links (GraphQL wrappers, re-thrown errors) to an UpstreamError. */
export function findUpstreamError(error: unknown): UpstreamError | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 6 && current instanceof Error; depth++) {
    if (current instanceof UpstreamError) {
      return current;
    }
    const next: unknown =
      (current as Error & { originalError?: unknown }).originalError ?? current.cause;
    current = next;
  }
  return undefined;
}
