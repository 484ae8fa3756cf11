/**
 * The emulator's handler contract: every resource file (`handlers/*.ts`) exports `routes: Route[]`,
 * and `server.ts` does the shared work (auth, content negotiation, strict query parameters, rate limits,
 * faults, counters) before calling a handler. Handlers are synchronous, return an `EmuReply` and throw
 * `ApiError` for Freshdesk's error answers.
 */
import type { Automations } from './automations.ts';
import type { AgentRecord, EmulatorData } from './records.ts';

/** Endpoints with their own per-minute sub-limit (freshdesk-api.md section 5). */
export type MeteredEndpoint = 'ticket_create' | 'ticket_update' | 'tickets_list' | 'contacts_list';

export interface EmuRequest {
  method: string;
  /** Path below `/api/v2`, e.g. `/tickets/12`. */
  path: string;
  /** Values of the route's `:name` segments. */
  params: Record<string, string>;
  query: URLSearchParams;
  /** Parsed JSON body of a POST/PUT (an object: other JSON values are refused before the handler). */
  body: Record<string, unknown> | undefined;
  /** The authenticated caller. */
  agent: AgentRecord;
  /** `http://host:port`, as the client addressed the emulator (for `Link` and `Location`). */
  origin: string;
}

export interface EmuReply {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
  /** Credits on top of the request's 1 (e.g. `include=`). */
  extraCredits?: number;
}

/** Ticket lifecycle events, fed to webhook rules (`webhooks.ts`). */
export type TicketEvent =
  | { kind: 'ticket_created'; ticketId: number }
  | {
      kind: 'ticket_updated';
      ticketId: number;
      /** Changed fields with their old and new values, e.g. `{ status: { from: 2, to: 4 } }`. */
      changes: Record<string, { from: unknown; to: unknown }>;
    }
  | { kind: 'note_added'; ticketId: number; conversationId: number; private: boolean }
  | { kind: 'reply_sent'; ticketId: number; conversationId: number };

export interface RouteContext {
  data: EmulatorData;
  /** The emulator's clock (ms since epoch); injectable for tests. */
  now(): number;
  /** Report a ticket event (webhooks fire from here). */
  emit(event: TicketEvent): void;
  /** The account's automation rules (`/automations/{type}/rules`). */
  automations?: Automations;
}

export interface Route {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  /** Below `/api/v2`, with `:name` segments, e.g. `/tickets/:id/conversations`. */
  path: string;
  /** Allowed query parameters; any other gives 400 `invalid_field`. @default [] */
  query?: readonly string[];
  /** Counts against this sub-limit as well as the account total. */
  metered?: MeteredEndpoint;
  /** Only admins may call it (others get 403 access_denied). */
  admin?: boolean;
  handler: (req: EmuRequest, ctx: RouteContext) => EmuReply;
}

export interface FieldError {
  field: string;
  nested_field?: string;
  additional_info?: Record<string, unknown>;
  message: string;
  code: string;
}

/** A Freshdesk error answer. `body === undefined` means an empty body (404). */
export class ApiError extends Error {
  readonly status: number;
  readonly body: unknown;
  readonly headers: Record<string, string>;
  constructor(status: number, body: unknown, headers: Record<string, string> = {}) {
    super(`Freshdesk error ${status}`);
    this.status = status;
    this.body = body;
    this.headers = headers;
  }
}

/** The validation body; 409 when the errors are duplicates, as Freshdesk maps it. */
export const validationError = (errors: FieldError[], status = 400): ApiError =>
  new ApiError(status, { description: 'Validation failed', errors });

/** One field's validation error. */
export const fieldError = (field: string, message: string, code = 'invalid_value'): ApiError =>
  validationError([{ field, message, code }]);

/** The request-error body `{code, message}` (401, 403, 406, 415, parse-level 400s). */
export const requestError = (status: number, code: string, message: string): ApiError =>
  new ApiError(status, { code, message });

/** Unknown id or route: 404 with an empty body. */
export const notFound = (): ApiError => new ApiError(404, undefined);

export const accessDenied = (): ApiError =>
  requestError(403, 'access_denied', 'You are not authorized to perform this action.');

/** 405 with `Allow`, as for a PUT on a spam or deleted ticket. */
export const methodNotAllowed = (method: string, allow: readonly string[]): ApiError =>
  new ApiError(
    405,
    {
      message: `${method} method is not allowed. It should be one of these method(s): ${allow.join(', ')}`,
    },
    { Allow: allow.join(', ') },
  );

export const INVALID_FIELD_MESSAGE = 'Unexpected/invalid field in request';

/** Refuses any body key outside `allowed` with 400 `invalid_field`, listing every offender. */
export function checkBodyFields(
  body: Record<string, unknown> | undefined,
  allowed: readonly string[],
): Record<string, unknown> {
  const fields = body ?? {};
  const unknown = Object.keys(fields).filter((key) => !allowed.includes(key));
  if (unknown.length > 0) {
    throw validationError(
      unknown.map((field) => ({ field, message: INVALID_FIELD_MESSAGE, code: 'invalid_field' })),
    );
  }
  return fields;
}

export interface Page {
  page: number;
  perPage: number;
  offset: number;
}

/**
 * Reads and validates `page`/`per_page` (default 30, max 100). `maxPage` is 300 on the tickets
 * list (its exact error is the caller's job) and unbounded elsewhere.
 */
export function readPage(query: URLSearchParams, defaultPerPage = 30): Page {
  const page = readPositiveInt(query, 'page', 1, 'It should be a Positive Integer');
  const perPage = readPositiveInt(
    query,
    'per_page',
    defaultPerPage,
    'It should be a Positive Integer less than or equal to 100',
  );
  if (perPage > 100) {
    throw fieldError(
      'per_page',
      'It should be a Positive Integer less than or equal to 100',
      'invalid_value',
    );
  }
  return { page, perPage, offset: (page - 1) * perPage };
}

function readPositiveInt(
  query: URLSearchParams,
  name: string,
  fallback: number,
  message: string,
): number {
  const raw = query.get(name);
  if (raw === null) {
    return fallback;
  }
  if (!/^-?\d+$/.test(raw)) {
    throw fieldError(name, message, 'datatype_mismatch');
  }
  const value = Number(raw);
  if (value <= 0) {
    throw fieldError(name, message, 'invalid_value');
  }
  return value;
}

/**
 * Slices one page out of `items` and, when more follow, sets Freshdesk's `Link` header: the request's
 * own query with `page` replaced.
 */
export function paginate<T>(items: readonly T[], req: EmuRequest, page: Page): EmuReply {
  const slice = items.slice(page.offset, page.offset + page.perPage);
  const headers: Record<string, string> = {};
  if (items.length > page.offset + page.perPage) {
    const next = new URLSearchParams(req.query);
    next.set('page', String(page.page + 1));
    headers.Link = `<${req.origin}/api/v2${req.path}?${next.toString()}>; rel="next"`;
  }
  return { status: 200, body: slice, headers };
}

/** Formats epoch milliseconds as Freshdesk does: `YYYY-MM-DDTHH:MM:SSZ`. */
export const isoSeconds = (ms: number): string =>
  new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

/** Strips the emulator-only `_` fields from a record before it goes on the wire. */
export function publicView<T extends object>(record: T): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(record)) {
    if (!key.startsWith('_')) {
      out[key] = value;
    }
  }
  return out;
}

/** Freshdesk's name for a JSON value's type in `datatype_mismatch` messages (`Value set is of type X.`). */
export function jsonTypeName(value: unknown): string {
  if (value === null) {
    return 'Null';
  }
  if (Array.isArray(value)) {
    return 'Array';
  }
  if (typeof value === 'number') {
    return Number.isInteger(value) ? 'Integer' : 'Float';
  }
  if (typeof value === 'boolean') {
    return 'Boolean';
  }
  if (typeof value === 'object') {
    return 'key/value pair';
  }
  return 'String';
}
