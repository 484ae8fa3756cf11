/**
 * The Freshdesk HTTP client. It knows nothing of GraphQL: it sends calls through one pooled undici
 * dispatcher, asks the quota gate before each attempt, retries what is safe to retry inside the
 * operation's deadline, and turns every failure into an `UpstreamError`.
 */
import { randomUUID } from 'node:crypto';
import { type Dispatcher, Pool } from 'undici';
import type { Logger } from '../logger.ts';
import { type Priority, type QuotaGate, unlimitedQuota } from '../quota/quota-gate.ts';
import { creditsFor, meteredEndpoint } from './credits.ts';
import { parseErrorBody } from './error-body.ts';
import { nextPageFromLink } from './link.ts';
import { UpstreamError } from './upstream-error.ts';

export interface FreshdeskClientOptions {
  /** e.g. `https://acme.freshdesk.com` or an emulator's `http://127.0.0.1:8085`. */
  origin: string;
  /** Per attempt: connect, headers and body timeouts. @default 10000 */
  timeoutMs?: number;
  /** @default unlimitedQuota */
  quota?: QuotaGate;
  logger?: Logger;
  /** Attempts per read, the first included. @default 3 */
  maxAttempts?: number;
  /** First backoff step; doubles per attempt, with full jitter. @default 100 */
  backoffBaseMs?: number;
  /** Concurrent connections to Freshdesk. @default 16 */
  connections?: number;
  /** For tests: a dispatcher to use instead of the client's own pool (e.g. a MockAgent). */
  dispatcher?: Dispatcher;
}

export type QueryValue = string | number | boolean | undefined;

export interface UpstreamResponse<T> {
  status: number;
  data: T;
  /** The next page from `Link`, when there is one. */
  nextPage: number | undefined;
  requestId: string | undefined;
  /** `X-RateLimit-Used-CurrentRequest`, when sent. */
  credits: number | undefined;
  headers: Record<string, string | undefined>;
}

/** One finished upstream attempt, for cost accounting and metrics. */
export interface CallRecord {
  method: string;
  path: string;
  status: number | undefined;
  credits: number;
  durationMs: number;
  attempt: number;
}

export interface SessionOptions {
  apiKey: string;
  /** Epoch ms after which nothing more is attempted. */
  deadline: number;
  /** @default 'interactive' */
  priority?: Priority;
  /** Aborts everything under way (e.g. the client went away). */
  signal?: AbortSignal;
  /** Told about every attempt that reached (or tried to reach) Freshdesk. */
  onCall?: (call: CallRecord) => void;
}

const RETRYABLE_STATUSES = new Set([502, 503, 504]);
const LARGE_INTEGER = /\d{16}/;

export class FreshdeskClient {
  readonly origin: string;
  readonly #dispatcher: Dispatcher;
  readonly #ownsDispatcher: boolean;
  readonly #quota: QuotaGate;
  readonly #logger: Logger | undefined;
  readonly #timeoutMs: number;
  readonly #maxAttempts: number;
  readonly #backoffBaseMs: number;

  constructor(options: FreshdeskClientOptions) {
    this.origin = options.origin;
    this.#timeoutMs = options.timeoutMs ?? 10_000;
    this.#quota = options.quota ?? unlimitedQuota;
    this.#logger = options.logger;
    this.#maxAttempts = options.maxAttempts ?? 3;
    this.#backoffBaseMs = options.backoffBaseMs ?? 100;
    this.#ownsDispatcher = options.dispatcher === undefined;
    this.#dispatcher =
      options.dispatcher ??
      new Pool(options.origin, {
        connections: options.connections ?? 16,
        connectTimeout: this.#timeoutMs,
        headersTimeout: this.#timeoutMs,
        bodyTimeout: this.#timeoutMs,
        keepAliveTimeout: 4_000,
      });
  }

  /** A view of the client bound to one caller's key, deadline and priority (one per GraphQL operation). */
  session(options: SessionOptions): FreshdeskSession {
    return new FreshdeskSession(this, options);
  }

  async close(): Promise<void> {
    if (this.#ownsDispatcher) {
      await this.#dispatcher.close();
    }
  }

  /** @internal Used by FreshdeskSession. */
  async call<T>(
    session: SessionOptions,
    method: 'GET' | 'POST' | 'PUT' | 'DELETE',
    path: string,
    query: Record<string, QueryValue> | undefined,
    body: unknown,
  ): Promise<UpstreamResponse<T>> {
    const search = toSearch(query);
    const target = search ? `${path}?${search}` : path;
    const include = query?.include === undefined ? undefined : String(query.include);
    const quotaRequest = {
      endpoint: meteredEndpoint(method, path),
      credits: creditsFor(method, path, include),
      priority: session.priority ?? 'interactive',
      deadline: session.deadline,
    };
    const payload = body === undefined ? undefined : JSON.stringify(body);
    for (let attempt = 1; ; attempt++) {
      try {
        await this.#quota.acquire(quotaRequest, session.signal);
        return await this.#attempt<T>(session, method, target, payload, attempt, quotaRequest);
      } catch (error) {
        const failure = asUpstreamError(error, method, target);
        const wait = this.#retryDelay(failure, method, attempt, session.deadline);
        if (wait === undefined) {
          throw failure;
        }
        this.#logger?.debug('retrying upstream call', {
          method,
          path: target,
          attempt,
          waitMs: wait,
          reason: failure.message,
        });
        await sleep(wait, session.signal);
      }
    }
  }

  async #attempt<T>(
    session: SessionOptions,
    method: string,
    target: string,
    payload: string | undefined,
    attempt: number,
    quotaRequest: Parameters<QuotaGate['settle']>[0],
  ): Promise<UpstreamResponse<T>> {
    const started = performance.now();
    const remaining = session.deadline - Date.now();
    if (remaining <= 0) {
      throw new UpstreamError('The operation ran out of time before Freshdesk answered.', {
        kind: 'timeout',
        method,
        path: target,
        retryable: false,
      });
    }
    const signals = [AbortSignal.timeout(Math.min(remaining, this.#timeoutMs * 2))];
    if (session.signal) {
      signals.push(session.signal);
    }
    const headers: Record<string, string> = {
      authorization: `Basic ${Buffer.from(`${session.apiKey}:X`).toString('base64')}`,
      accept: 'application/json',
      'user-agent': 'deskgraph',
      'x-request-id': randomUUID(),
    };
    if (payload !== undefined) {
      headers['content-type'] = 'application/json';
    }
    let status: number | undefined;
    let credits = quotaRequest.credits;
    try {
      const response = await this.#dispatcher.request({
        origin: this.origin,
        path: target,
        method: method as Dispatcher.HttpMethod,
        headers,
        body: payload,
        signal: AbortSignal.any(signals),
        headersTimeout: this.#timeoutMs,
        bodyTimeout: this.#timeoutMs,
      });
      status = response.statusCode;
      const responseHeaders = flattenHeaders(response.headers);
      this.#quota.settle(quotaRequest, { status, headers: responseHeaders });
      const used = Number(responseHeaders['x-ratelimit-used-currentrequest']);
      if (Number.isFinite(used) && used > 0) {
        credits = used;
      } else if (status === 429) {
        credits = 0;
      }
      const text = await response.body.text();
      const requestId = responseHeaders['x-request-id'];
      if (status < 200 || status >= 300) {
        throw httpError(method, target, status, responseHeaders, text);
      }
      return {
        status,
        data: (text === '' ? null : parseJson(text, method, target, status, requestId)) as T,
        nextPage: nextPageFromLink(responseHeaders.link),
        requestId,
        credits: Number.isFinite(used) ? used : undefined,
        headers: responseHeaders,
      };
    } finally {
      session.onCall?.({
        method,
        path: target,
        status,
        credits: status === undefined ? 0 : credits,
        durationMs: performance.now() - started,
        attempt,
      });
    }
  }

  /** How long to wait before another attempt, or undefined when the failure is final. */
  #retryDelay(
    failure: UpstreamError,
    method: string,
    attempt: number,
    deadline: number,
  ): number | undefined {
    if (!failure.retryable || attempt >= this.#maxAttempts || failure.kind === 'quota') {
      return undefined;
    }
    // Writes are retried only when Freshdesk certainly did not act on them (refused connection, 429).
    const isRead = method === 'GET';
    const transient =
      failure.kind === 'timeout' ||
      failure.kind === 'unreachable' ||
      (failure.kind === 'http' &&
        failure.status !== undefined &&
        RETRYABLE_STATUSES.has(failure.status)) ||
      (failure.kind === 'malformed' && isRead) ||
      failure.status === 429;
    if (!transient) {
      return undefined;
    }
    const backoff = Math.random() * this.#backoffBaseMs * 2 ** (attempt - 1);
    const wait = Math.max(backoff, (failure.retryAfter ?? 0) * 1000);
    return Date.now() + wait < deadline - 50 ? wait : undefined;
  }
}

/** A client bound to one operation's key, deadline and priority. */
export class FreshdeskSession {
  readonly #client: FreshdeskClient;
  readonly options: SessionOptions;

  constructor(client: FreshdeskClient, options: SessionOptions) {
    this.#client = client;
    this.options = options;
  }

  get<T>(path: string, query?: Record<string, QueryValue>): Promise<UpstreamResponse<T>> {
    return this.#client.call<T>(this.options, 'GET', path, query, undefined);
  }

  post<T>(path: string, body: unknown): Promise<UpstreamResponse<T>> {
    return this.#client.call<T>(this.options, 'POST', path, undefined, body);
  }

  put<T>(path: string, body: unknown): Promise<UpstreamResponse<T>> {
    return this.#client.call<T>(this.options, 'PUT', path, undefined, body);
  }
}

function toSearch(query: Record<string, QueryValue> | undefined): string {
  if (!query) {
    return '';
  }
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value !== undefined) {
      params.set(key, String(value));
    }
  }
  return params.toString();
}

function flattenHeaders(
  headers: Record<string, string | string[] | undefined>,
): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  for (const [key, value] of Object.entries(headers)) {
    out[key.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
  }
  return out;
}

function httpError(
  method: string,
  path: string,
  status: number,
  headers: Record<string, string | undefined>,
  text: string,
): UpstreamError {
  const details = parseErrorBody(text);
  const retryAfter = Number(headers['retry-after']);
  // A 429 is refused before Freshdesk does any work, so even a write may be repeated after it.
  const retryable = method === 'GET' || status === 429;
  return new UpstreamError(details.message ?? `Freshdesk answered ${status}.`, {
    kind: 'http',
    method,
    path,
    status,
    requestId: headers['x-request-id'],
    retryAfter: Number.isFinite(retryAfter) && retryAfter >= 0 ? Math.ceil(retryAfter) : undefined,
    upstreamCode: details.upstreamCode,
    fieldErrors: details.fieldErrors,
    retryable,
  });
}

function parseJson(
  text: string,
  method: string,
  path: string,
  status: number,
  requestId: string | undefined,
): unknown {
  try {
    return JSON.parse(LARGE_INTEGER.test(text) ? quoteLargeIntegers(text) : text);
  } catch (cause) {
    throw new UpstreamError('Freshdesk answered with a body that is not valid JSON.', {
      kind: 'malformed',
      method,
      path,
      status,
      requestId,
      retryable: method === 'GET',
      cause,
    });
  }
}

/**
 * Freshdesk ids are 64-bit. Integers of 16+ digits could lose precision as JS numbers, so they are
 * turned into strings before parsing (outside string literals only); models treat ids as strings anyway.
 */
export function quoteLargeIntegers(text: string): string {
  let out = '';
  let inString = false;
  let i = 0;
  while (i < text.length) {
    const ch = text[i] as string;
    if (inString) {
      out += ch;
      if (ch === '\\') {
        out += text[i + 1] ?? '';
        i += 2;
        continue;
      }
      if (ch === '"') {
        inString = false;
      }
      i++;
      continue;
    }
    if (ch === '"') {
      inString = true;
      out += ch;
      i++;
      continue;
    }
    if (ch === '-' || (ch >= '0' && ch <= '9')) {
      let j = i + 1;
      while (j < text.length && /[0-9.eE+-]/.test(text[j] as string)) {
        j++;
      }
      const token = text.slice(i, j);
      out +=
        /^-?\d{16,}$/.test(token) && !Number.isSafeInteger(Number(token)) ? `"${token}"` : token;
      i = j;
      continue;
    }
    out += ch;
    i++;
  }
  return out;
}

const NOT_SENT_CODES = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'UND_ERR_CONNECT_TIMEOUT',
]);
const TIMEOUT_CODES = new Set([
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'ETIMEDOUT',
]);

/** Maps undici and socket errors to an UpstreamError; passes UpstreamErrors through. */
function asUpstreamError(error: unknown, method: string, path: string): UpstreamError {
  if (error instanceof UpstreamError) {
    return error;
  }
  const code = errorCode(error);
  const name = error instanceof Error ? error.name : '';
  const isRead = method === 'GET';
  if (TIMEOUT_CODES.has(code) || name === 'TimeoutError') {
    return new UpstreamError('Freshdesk did not answer in time.', {
      kind: 'timeout',
      method,
      path,
      retryable: isRead || NOT_SENT_CODES.has(code),
      cause: error,
    });
  }
  if (name === 'AbortError') {
    return new UpstreamError('The request to Freshdesk was cancelled.', {
      kind: 'timeout',
      method,
      path,
      retryable: false,
      cause: error,
    });
  }
  return new UpstreamError('Freshdesk could not be reached (connection refused or reset).', {
    kind: 'unreachable',
    method,
    path,
    retryable: isRead || NOT_SENT_CODES.has(code),
    cause: error,
  });
}

function errorCode(error: unknown): string {
  let current: unknown = error;
  for (let depth = 0; depth < 4 && current instanceof Error; depth++) {
    const code = (current as Error & { code?: unknown }).code;
    if (typeof code === 'string') {
      return code;
    }
    current = current.cause;
  }
  return '';
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
