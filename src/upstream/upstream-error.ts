/**
 * The upstream layer's only error. Deliberately not a GraphQLError: `src/errors.ts` decides what a
 * client sees. It never holds the API key or a URL with credentials: only method, path and status.
 */

export type UpstreamFailureKind =
  /** Freshdesk (or a proxy in front of it) answered with a non-2xx status. */
  | 'http'
  /** No answer in time (connect, headers, body, or the operation's deadline). */
  | 'timeout'
  /** Connection refused, reset or closed before an answer. */
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
  requestId?: string;
  /** Seconds, when waiting helps (429, 503, quota). */
  retryAfter?: number;
  /** Freshdesk's own error code from the body (`invalid_credentials`, `access_denied`...). */
  upstreamCode?: string;
  fieldErrors?: FieldErrorDetail[];
  /**
   * False when repeating the call could do the work twice: a POST/PUT that may have reached Freshdesk.
   * True for reads and for writes that certainly never left the gateway.
   */
  retryable: boolean;
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
  readonly fieldErrors: FieldErrorDetail[] | undefined;
  readonly retryable: boolean;

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
    this.fieldErrors = init.fieldErrors;
    this.retryable = init.retryable;
  }
}
