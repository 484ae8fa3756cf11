/**
 * The Freshdesk HTTP client. It knows nothing of GraphQL: it sends calls through one pooled undici
 * dispatcher, asks the quota gate before each attempt, retries what is safe to retry inside the
 * operation's deadline, and turns every failure into an `UpstreamError`.
 */
import { setMaxListeners } from 'node:events';
import { type Dispatcher, Pool } from 'undici';
import type { Logger } from '../logger.ts';
import { type Priority, type QuotaGate, unlimitedQuota } from '../quota/quota-gate.ts';
import { currentRequestId } from '../request-scope.ts';
import { creditsFor, meteredEndpoint } from './credits.ts';
import { parseErrorBody } from './error-body.ts';
import { nextPageFromLink } from './link.ts';
import { credentialHash, type QueryValue, type ReadRequest, requestKey } from './request-key.ts';
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
  /** Largest backoff step before jitter (a `Retry-After` may ask for longer). @default 2000 */
  backoffMaxMs?: number;
  /** Jitter source in [0, 1); tests pass a constant. @default Math.random */
  random?: () => number;
  /** Concurrent connections to Freshdesk. @default 32 */
  connections?: number;
  /** For tests: a dispatcher to use instead of the client's own pool (e.g. a MockAgent). */
  dispatcher?: Dispatcher;
}

export type { QueryValue } from './request-key.ts';

export interface UpstreamResponse<T> {
  /** The call as sent (what an error about this answer names in `extensions.upstream`). */
  method: string;
  /** Path and query as sent, without origin or credentials. */
  path: string;
  status: number;
  data: T;
  /** The next page from `Link`, when there is one. */
  nextPage: number | undefined;
  requestId: string | undefined;
  /** `X-RateLimit-Used-CurrentRequest`, when sent. */
  credits: number | undefined;
  headers: Record<string, string | undefined>;
  /** Characters of the body as received (what a cache weighs it by); 0 for an answer from a cache. */
  size?: number;
  /**
   * Tells whoever kept this answer (a cache) not to serve it again: it was found not to have the
   * shape the gateway relies on (`shape.ts`).
   */
  discard?: () => void;
}

/**
 * What a read's answer is known to depend on besides its request: the ticket it belongs to, at the
 * version (`updated_at`) the caller holds. A ticket's conversations and ratings are reused from a
 * cache only for the same version ("freshness by evidence").
 */
export interface ReadEvidence {
  ticketId: string;
  updatedAt: string;
}

/** An answer a cache kept, served because Freshdesk could not answer now. */
export interface KeptAnswer {
  response: UpstreamResponse<unknown>;
  /** How long ago Freshdesk gave it. */
  ageMs: number;
}

/**
 * A cache of reads shared across operations (`src/cache/`), as one operation's session uses it,
 * under the read's normalised key (`requestKey`, which names the credential). Nothing here knows
 * GraphQL; the cache counts its own hits and notes what it served stale.
 */
export interface SessionCache {
  /** A fresh answer for the read (counted as a hit), or undefined to ask Freshdesk. */
  lookup(
    key: string,
    request: ReadRequest,
    evidence: ReadEvidence | undefined,
  ): UpstreamResponse<unknown> | undefined;
  /** Whether `lookup` would answer (nothing counted). */
  holds(key: string, request: ReadRequest, evidence: ReadEvidence | undefined): boolean;
  /**
   * The answer of the same read another operation has under way (counted as a hit; an older
   * answer if that read fails as `fallback` allows), or undefined when none is.
   */
  join(
    key: string,
    request: ReadRequest,
    evidence: ReadEvidence | undefined,
  ): Promise<UpstreamResponse<unknown>> | undefined;
  /** A read is under way (others asking for it meanwhile `join` it). */
  share(key: string, read: Promise<UpstreamResponse<unknown>>): void;
  /** A read is about to be sent: a token for `store` (what changed meanwhile is not stored). */
  begin(): number;
  store(
    key: string,
    request: ReadRequest,
    response: UpstreamResponse<unknown>,
    evidence: ReadEvidence | undefined,
    token: number,
  ): void;
  /**
   * An older answer kept for the read (expired, or outdated by a change), when `error` is one that
   * waiting on Freshdesk would not cure now (5xx, 429, no answer, quota, deadline); it is noted as
   * stale. Undefined: the read fails with `error`.
   */
  fallback(
    key: string,
    request: ReadRequest,
    error: unknown,
    evidence: ReadEvidence | undefined,
  ): KeptAnswer | undefined;
  /** A write was sent to `path` (whatever its outcome): forget what it may have changed. */
  wrote(method: string, path: string): void;
  /** The answer kept under `key` is not to be served again (it failed its shape check). */
  discard(key: string): void;
}

/** One finished upstream attempt, for cost accounting and metrics. */
export interface CallRecord {
  method: string;
  path: string;
  status: number | undefined;
  credits: number;
  durationMs: number;
  /** How long the attempt waited for quota budget before it was sent. */
  queuedMs?: number;
  attempt: number;
}

/** One finished attempt as the client's observers hear it (`observe`: metrics), whoever made it. */
export interface ObservedCall extends CallRecord {
  priority: Priority;
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
  /**
   * Reads answered from, and stored in, a cache shared across operations. Not used at `bulk`
   * priority (exports read everything once, fresh) nor by the gateway's own background work.
   */
  cache?: SessionCache;
}

/** Thrown by a probe session (`probe`) for a read the cache cannot answer: nothing is sent. */
export class CacheMiss extends Error {
  readonly key: string;
  constructor(key: string) {
    // No stack trace: a probe raises one for every read the caches lack (graphql-js reads the
    // stack of each into the error it wraps it in), the probe's result is then thrown away, and a
    // stack says nothing a key does not. Capturing and formatting them cost several % of CPU.
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    super('Not in the cache.');
    Error.stackTraceLimit = limit;
    this.name = 'CacheMiss';
    this.key = key;
  }
}

/** A session that only asks the cache (`FreshdeskSession.probe`). */
export interface ProbeOptions {
  /** Serve answers kept past their freshness (noted stale by the cache), too. */
  allowStale: boolean;
  /** The cache view to use (with the probe's own hit and stale hooks). */
  cache: SessionCache;
}

interface OperationSignals {
  /** Aborted when the caller goes away; undefined for a session without a signal. */
  caller: AbortSignal | undefined;
  /** Aborted when the caller goes away or the operation's deadline passes. */
  attempt: AbortSignal;
}

/** Edge statuses worth another attempt on a read. 500 is the app's own failure: not retried. */
const RETRYABLE_STATUSES = new Set([502, 503, 504]);
const LARGE_INTEGER = /\d{16}/;
/**
 * Calls of one operation that may wait or run at once, each holding one abort listener: above the
 * widest fan-out (DESKGRAPH_OPERATION_CONCURRENCY, at most 256) plus the operation's own calls.
 * A count past this would be a real leak, and Node would still say so.
 */
const MAX_CALLS_PER_OPERATION = 1_024;
/** A retry must leave at least this much of the deadline for the attempt itself. */
const MIN_ATTEMPT_MS = 50;
type Method = 'GET' | 'POST' | 'PUT' | 'DELETE';
/** What the quota gate is told about an attempt that got no answer at all. */
const NO_ANSWER = Object.freeze({ status: 0, headers: {} });

/**
 * The client for one Freshdesk origin. Thread-safe to share across requests; use `session()` to
 * bind a caller's key and deadline.
 *
 * Retry policy (see `retryDelay`): only calls that are safe to repeat (reads, and writes that
 * certainly never reached Freshdesk) are retried, only on transient failures (502/503/504, 429,
 * resets, timeouts, garbled 2xx bodies), with full-jitter exponential backoff or `Retry-After`,
 * whichever is longer, and never past the operation's deadline.
 */
export class FreshdeskClient {
  readonly origin: string;
  readonly #dispatcher: Dispatcher;
  readonly #ownsDispatcher: boolean;
  readonly #quota: QuotaGate;
  readonly #logger: Logger | undefined;
  readonly #timeoutMs: number;
  readonly #maxAttempts: number;
  readonly #backoffBaseMs: number;
  readonly #backoffMaxMs: number;
  readonly #random: () => number;
  readonly #signals = new WeakMap<SessionOptions, OperationSignals>();
  readonly #credentials = new WeakMap<SessionOptions, string>();
  readonly #observers = new Set<(call: ObservedCall) => void>();

  constructor(options: FreshdeskClientOptions) {
    this.origin = new URL(options.origin).origin;
    this.#timeoutMs = options.timeoutMs ?? 10_000;
    this.#quota = options.quota ?? unlimitedQuota;
    this.#logger = options.logger;
    this.#maxAttempts = Math.max(1, options.maxAttempts ?? 3);
    this.#backoffBaseMs = options.backoffBaseMs ?? 100;
    this.#backoffMaxMs = options.backoffMaxMs ?? 2_000;
    this.#random = options.random ?? Math.random;
    this.#ownsDispatcher = options.dispatcher === undefined;
    this.#dispatcher =
      options.dispatcher ??
      new Pool(this.origin, {
        connections: options.connections ?? 32,
        connectTimeout: this.#timeoutMs,
        headersTimeout: this.#timeoutMs,
        bodyTimeout: this.#timeoutMs,
        keepAliveTimeout: 4_000,
      });
  }

  /**
   * The operation's abort signals, made on its first call and reused (not a timer and a composite
   * signal per attempt: those were a fifth of a one-ticket query's CPU, and most of its short-lived
   * garbage): `caller` aborts when the caller goes away, `attempt` also at the deadline.
   *
   * `caller` is a native signal that follows the session's: the request signal graphql-yoga hands
   * over is its server's own AbortSignal look-alike, which, once a native signal depends on it,
   * never again sets its `aborted` nor calls its own listeners; a quota wait or retry sleep that
   * listened to it directly went on (and then called Freshdesk) for a client that had gone.
   */
  #signalsFor(session: SessionOptions): OperationSignals {
    let signals = this.#signals.get(session);
    if (signals === undefined) {
      const deadline = AbortSignal.timeout(Math.max(1, session.deadline - Date.now()));
      const caller = session.signal ? AbortSignal.any([session.signal]) : undefined;
      const attempt = caller ? AbortSignal.any([caller, deadline]) : deadline;
      // Each call under way holds one listener on these (undici's, the quota wait's or the retry
      // sleep's) and releases it when it ends; an operation has up to
      // DESKGRAPH_OPERATION_CONCURRENCY fan-out calls under way, more than Node's default of 10
      // before it warns of a leak (MaxListenersExceededWarning on stderr, breaking JSON-lines logs).
      setMaxListeners(MAX_CALLS_PER_OPERATION, attempt);
      if (caller) {
        setMaxListeners(MAX_CALLS_PER_OPERATION, caller);
      }
      signals = { caller, attempt };
      this.#signals.set(session, signals);
    }
    return signals;
  }

  /** The hash of the session's key (what the quota gate and read keys know it by), made once. */
  credentialOf(session: SessionOptions): string {
    let hash = this.#credentials.get(session);
    if (hash === undefined) {
      hash = credentialHash(session.apiKey);
      this.#credentials.set(session, hash);
    }
    return hash;
  }

  /** A view of the client bound to one caller's key, deadline and priority (one per GraphQL operation). */
  session(options: SessionOptions): FreshdeskSession {
    return new FreshdeskSession(this, options);
  }

  /**
   * Hears every finished attempt of every session (operations, webhook look-ups, the sweep); the
   * returned function stops it. An observer's failure is its own.
   */
  observe(listener: (call: ObservedCall) => void): () => void {
    this.#observers.add(listener);
    return () => {
      this.#observers.delete(listener);
    };
  }

  async close(): Promise<void> {
    if (this.#ownsDispatcher) {
      await this.#dispatcher.close();
    }
  }

  /** @internal Used by FreshdeskSession. */
  async call<T>(
    session: SessionOptions,
    method: Method,
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
      credential: this.credentialOf(session),
      method,
      path,
    };
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const { caller } = this.#signalsFor(session);
    for (let attempt = 1; ; attempt++) {
      let failure: UpstreamError;
      try {
        const queued = performance.now();
        await this.#quota.acquire(quotaRequest, caller);
        const queuedMs = performance.now() - queued;
        return await this.#attempt<T>(
          session,
          method,
          target,
          payload,
          attempt,
          quotaRequest,
          queuedMs,
        );
      } catch (error) {
        failure = asUpstreamError(error, method, target);
        failure.attempts = attempt;
      }
      const wait = retryDelay(failure, attempt, {
        maxAttempts: this.#maxAttempts,
        backoffBaseMs: this.#backoffBaseMs,
        backoffMaxMs: this.#backoffMaxMs,
        random: this.#random,
        remainingMs: session.deadline - Date.now(),
      });
      if (wait === undefined) {
        this.#logFailure(failure);
        throw failure;
      }
      this.#logger?.debug('retrying upstream call', {
        requestId: currentRequestId(),
        method,
        path: target,
        attempt,
        waitMs: Math.round(wait),
        status: failure.status,
        reason: failure.kind,
      });
      try {
        await sleep(wait, caller);
      } catch (error) {
        throw asUpstreamError(error, method, target);
      }
    }
  }

  #logFailure(failure: UpstreamError): void {
    const fields = {
      requestId: currentRequestId(),
      method: failure.method,
      path: failure.path,
      kind: failure.kind,
      status: failure.status,
      upstreamRequestId: failure.requestId,
      attempts: failure.attempts,
    };
    // 4xx answers are the caller's business; everything else says something about Freshdesk's health.
    if (failure.kind === 'http' && (failure.status ?? 500) < 500 && failure.status !== 429) {
      this.#logger?.debug('upstream call refused', fields);
    } else {
      this.#logger?.warn('upstream call failed', fields);
    }
  }

  async #attempt<T>(
    session: SessionOptions,
    method: Method,
    target: string,
    payload: string | undefined,
    attempt: number,
    quotaRequest: Parameters<QuotaGate['settle']>[0],
    queuedMs: number,
  ): Promise<UpstreamResponse<T>> {
    const started = performance.now();
    const remaining = session.deadline - Date.now();
    if (remaining <= 0) {
      // Nothing was sent, so even a write may be repeated.
      throw new UpstreamError('The operation ran out of time before Freshdesk answered.', {
        kind: 'timeout',
        method,
        path: target,
        retryable: true,
      });
    }
    // Connect, headers and body (between chunks) have their own dispatcher timeouts; the
    // operation's signal ends every attempt at its deadline or when its caller goes away.
    const signal = this.#signalsFor(session).attempt;
    const headers: Record<string, string> = {
      authorization: `Basic ${Buffer.from(`${session.apiKey}:X`).toString('base64')}`,
      accept: 'application/json',
      'user-agent': 'deskgraph',
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
        method,
        headers,
        body: payload,
        signal,
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
      const requestId = responseHeaders['x-request-id'];
      if (status < 200 || status >= 300) {
        // The status is what matters: a body cut short must not turn a 502 into a reset.
        const text = await response.body.text().catch(() => '');
        throw httpError(method, target, status, responseHeaders, text);
      }
      let text: string;
      try {
        text = await response.body.text();
      } catch (cause) {
        const failure = asUpstreamError(cause, method, target);
        throw new UpstreamError(failure.message, {
          kind: failure.kind,
          method,
          path: target,
          status,
          requestId,
          // The answer had started: a write was certainly performed.
          retryable: method === 'GET',
          cause,
        });
      }
      return {
        method,
        path: target,
        status,
        data: (text.trim() === '' ? null : parseJson(text, method, target, status, requestId)) as T,
        nextPage: nextPageFromLink(responseHeaders.link),
        requestId,
        credits: Number.isFinite(used) ? used : undefined,
        headers: responseHeaders,
        size: text.length,
      };
    } finally {
      if (status === undefined) {
        // No answer (reset, timeout): release the grant now rather than hold the budget's
        // one-at-a-time slot until the gate prunes it. Status 0 = "no answer"; the gate keeps the
        // credits charged for a window, since Freshdesk may have counted the call.
        this.#quota.settle(quotaRequest, NO_ANSWER);
      }
      const call: CallRecord = {
        method,
        path: target,
        status,
        credits: status === undefined ? 0 : credits,
        durationMs: performance.now() - started,
        queuedMs,
        attempt,
      };
      session.onCall?.(call);
      if (this.#observers.size > 0) {
        const observed = { ...call, priority: session.priority ?? 'interactive' };
        for (const observer of this.#observers) {
          try {
            observer(observed);
          } catch {
            // An observer's failure is its own.
          }
        }
      }
    }
  }
}

export interface RetryPolicy {
  maxAttempts: number;
  backoffBaseMs: number;
  backoffMaxMs: number;
  /** In [0, 1). */
  random: () => number;
  /** What is left of the operation's deadline, now. */
  remainingMs: number;
}

/**
 * How long to wait before attempt `attempt + 1`, or undefined when `failure` is final: the call is
 * not safe to repeat, the failure is not transient, attempts are used up, the quota guard already
 * waited, or the wait (full-jitter backoff, at least `Retry-After`) would not fit the deadline.
 */
export function retryDelay(
  failure: UpstreamError,
  attempt: number,
  policy: RetryPolicy,
): number | undefined {
  if (!failure.retryable || failure.kind === 'quota' || attempt >= policy.maxAttempts) {
    return undefined;
  }
  const transient =
    failure.kind === 'timeout' ||
    failure.kind === 'unreachable' ||
    failure.kind === 'malformed' ||
    (failure.status !== undefined &&
      (RETRYABLE_STATUSES.has(failure.status) || failure.status === 429));
  if (!transient) {
    return undefined;
  }
  const step = Math.min(policy.backoffMaxMs, policy.backoffBaseMs * 2 ** (attempt - 1));
  const wait = Math.max(policy.random() * step, (failure.retryAfter ?? 0) * 1000);
  return wait + MIN_ATTEMPT_MS < policy.remainingMs ? wait : undefined;
}

/**
 * A client bound to one operation's key, deadline and priority. Every read goes through `read`,
 * under its normalised key (`requestKey`): a read the operation already made (or is making) is not
 * sent again, whichever loader asks; any write forgets them all (what a later read returns may have
 * changed). With a cache shared across operations (`options.cache`), a read is first asked of it,
 * what Freshdesk answers is stored in it, and a read Freshdesk cannot answer now (5xx, 429, no
 * answer, quota spent, deadline passed) is answered with what the cache kept, noted stale.
 */
export class FreshdeskSession {
  readonly #client: FreshdeskClient;
  readonly options: SessionOptions;
  readonly #reads = new Map<string, Promise<UpstreamResponse<unknown>>>();
  readonly #probe: ProbeOptions | undefined;
  #shared: SessionOptions | undefined;
  /** Reads a probe could not answer (their keys). */
  readonly misses = new Set<string>();

  constructor(client: FreshdeskClient, options: SessionOptions, probe?: ProbeOptions) {
    this.#client = client;
    this.options = options;
    this.#probe = probe;
  }

  /** The hash of this session's key. */
  get credential(): string {
    return this.#client.credentialOf(this.options);
  }

  /** The shared cache this session reads through (none at bulk priority). */
  get #cache(): SessionCache | undefined {
    return this.options.priority === 'bulk' ? undefined : this.options.cache;
  }

  /**
   * One read, made at most once per operation. `evidence`: the version of the ticket the answer
   * belongs to, as the caller holds it (a cached answer for another version is not reused).
   */
  read<T>(request: ReadRequest, evidence?: ReadEvidence): Promise<UpstreamResponse<T>> {
    const key = requestKey(request, this.credential);
    let response = this.#reads.get(key);
    if (response === undefined) {
      response = this.#probe
        ? this.#probeRead(key, request, evidence)
        : this.#send(key, request, evidence);
      this.#reads.set(key, response);
    }
    return response as Promise<UpstreamResponse<T>>;
  }

  #send(
    key: string,
    request: ReadRequest,
    evidence: ReadEvidence | undefined,
  ): Promise<UpstreamResponse<unknown>> {
    const cache = this.#cache;
    if (cache === undefined) {
      return this.#client.call<unknown>(
        this.options,
        'GET',
        request.path,
        request.query,
        undefined,
      );
    }
    const hit = cache.lookup(key, request, evidence);
    if (hit !== undefined) {
      return Promise.resolve(discardable(hit, cache, key));
    }
    const joined = cache.join(key, request, evidence);
    if (joined !== undefined) {
      return this.#ownSignal(
        joined.then((answer) => discardable(answer, cache, key)),
        request,
      );
    }
    // Others may join this read: it goes on when this operation's caller goes away (and is kept),
    // though this operation stops waiting for it.
    this.#shared ??= { ...this.options, signal: undefined };
    const call = this.#client.call<unknown>(
      this.#shared,
      'GET',
      request.path,
      request.query,
      undefined,
    );
    cache.share(key, call);
    const token = cache.begin();
    const answered = call.then(
      (answer) => {
        cache.store(key, request, answer, evidence, token);
        return discardable(answer, cache, key);
      },
      (error: unknown) => {
        const kept = cache.fallback(key, request, error, evidence);
        if (kept === undefined) {
          throw error;
        }
        return discardable(kept.response, cache, key);
      },
    );
    return this.#ownSignal(answered, request);
  }

  /**
   * `read`, or its cancellation once this operation's caller has gone away. One listener on the
   * caller's signal while any read waits (not one per read).
   */
  #ownSignal<T>(read: Promise<T>, request: ReadRequest): Promise<T> {
    const signal = this.options.signal;
    if (signal === undefined) {
      return read;
    }
    const cancelled = () =>
      new UpstreamError('The request to Freshdesk was cancelled.', {
        kind: 'timeout',
        method: 'GET',
        path: request.path,
        retryable: true,
        cause: signal.reason,
      });
    if (signal.aborted) {
      read.catch(() => undefined);
      return Promise.reject(cancelled());
    }
    return new Promise<T>((resolve, reject) => {
      const cancel = (): void => reject(cancelled());
      if (this.#waiting.size === 0) {
        signal.addEventListener('abort', this.#onAbort);
      }
      this.#waiting.add(cancel);
      read.then(resolve, reject).finally(() => {
        this.#waiting.delete(cancel);
        if (this.#waiting.size === 0) {
          signal.removeEventListener('abort', this.#onAbort);
        }
      });
    });
  }

  /** Reads waiting on a shared read, cancelled together when the caller goes away. */
  readonly #waiting = new Set<() => void>();
  readonly #onAbort = (): void => {
    for (const cancel of [...this.#waiting]) {
      cancel();
    }
  };

  #probeRead(
    key: string,
    request: ReadRequest,
    evidence: ReadEvidence | undefined,
  ): Promise<UpstreamResponse<unknown>> {
    const probe = this.#probe as ProbeOptions;
    const hit = probe.cache.lookup(key, request, evidence);
    if (hit !== undefined) {
      return Promise.resolve(discardable(hit, probe.cache, key));
    }
    const kept = probe.allowStale
      ? probe.cache.fallback(key, request, STALE_WANTED, evidence)
      : undefined;
    if (kept !== undefined) {
      return Promise.resolve(discardable(kept.response, probe.cache, key));
    }
    this.misses.add(key);
    return Promise.reject(new CacheMiss(key));
  }

  /**
   * Whether the read costs nothing now: this operation has made (or is making) it, or the shared
   * cache holds a fresh answer for it.
   */
  hasRead(request: ReadRequest, evidence?: ReadEvidence): boolean {
    const key = requestKey(request, this.credential);
    return this.#reads.has(key) || (this.#cache?.holds(key, request, evidence) ?? false);
  }

  /**
   * The same key, deadline and priority without the caller's abort signal: for loads that other
   * requests share (a list one request starts and others wait on must not fail when it goes away).
   */
  detached(): FreshdeskSession {
    const { signal: _signal, ...options } = this.options;
    return new FreshdeskSession(this.#client, options, this.#probe);
  }

  /**
   * A session over the same key that never calls Freshdesk: reads come from `options.cache` or
   * fail with `CacheMiss` (recorded in `misses`), and writes are refused. For trying whether an
   * operation can be answered from the cache alone.
   */
  probe(options: ProbeOptions): FreshdeskSession {
    return new FreshdeskSession(this.#client, this.options, options);
  }

  get<T>(path: string, query?: Record<string, QueryValue>): Promise<UpstreamResponse<T>> {
    return this.read<T>({ path, query });
  }

  post<T>(path: string, body: unknown): Promise<UpstreamResponse<T>> {
    return this.#write<T>('POST', path, body);
  }

  put<T>(path: string, body: unknown): Promise<UpstreamResponse<T>> {
    return this.#write<T>('PUT', path, body);
  }

  delete<T>(path: string): Promise<UpstreamResponse<T>> {
    return this.#write<T>('DELETE', path, undefined);
  }

  async #write<T>(method: Method, path: string, body: unknown): Promise<UpstreamResponse<T>> {
    if (this.#probe) {
      this.misses.add(`${method} ${path}`);
      throw new CacheMiss(`${method} ${path}`);
    }
    this.#reads.clear();
    try {
      return await this.#client.call<T>(this.options, method, path, undefined, body);
    } finally {
      // Also after a failure: a write that got no answer may still have been made.
      this.options.cache?.wrote(method, path);
    }
  }
}

/** `answer`, which the cache forgets when it fails its shape check. */
function discardable(
  answer: UpstreamResponse<unknown>,
  cache: SessionCache,
  key: string,
): UpstreamResponse<unknown> {
  answer.discard = () => cache.discard(key);
  return answer;
}

/** The error a probe gives `fallback`: it wants whatever was kept, whatever its age. */
const STALE_WANTED = new UpstreamError('Answer from the cache only.', {
  kind: 'quota',
  method: 'GET',
  path: '',
  retryable: true,
});

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
  return new UpstreamError(details.message ?? `Freshdesk answered ${status}.`, {
    kind: 'http',
    method,
    path,
    status,
    requestId: headers['x-request-id'],
    retryAfter: parseRetryAfter(headers['retry-after']),
    upstreamCode: details.upstreamCode,
    upstreamMessage: details.message,
    fieldErrors: details.fieldErrors,
    // A 429 is refused before Freshdesk does any work, so even a write may be repeated after it.
    retryable: method === 'GET' || status === 429,
  });
}

/** `Retry-After` as whole seconds from now: delta-seconds or an HTTP date; undefined if absent or bad. */
export function parseRetryAfter(
  value: string | undefined,
  now: number = Date.now(),
): number | undefined {
  const text = value?.trim();
  if (!text) {
    return undefined;
  }
  if (/^\d+(\.\d+)?$/.test(text)) {
    return Math.ceil(Number(text));
  }
  const date = Date.parse(text);
  return Number.isNaN(date) ? undefined : Math.max(0, Math.ceil((date - now) / 1000));
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

/** Failures that prove the request never reached Freshdesk: safe to repeat, even for a write. */
const NOT_SENT_CODES = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'UND_ERR_CONNECT_TIMEOUT',
]);
const TIMEOUT_CODES = new Set([
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'ETIMEDOUT',
]);

/** Maps undici, socket and abort errors to an UpstreamError; passes UpstreamErrors through. */
function asUpstreamError(error: unknown, method: string, path: string): UpstreamError {
  if (error instanceof UpstreamError) {
    return error;
  }
  const code = errorCode(error);
  const name = errorName(error);
  const notSent = NOT_SENT_CODES.has(code);
  const safe = method === 'GET' || notSent;
  if (TIMEOUT_CODES.has(code) || name === 'TimeoutError') {
    return new UpstreamError('Freshdesk did not answer in time.', {
      kind: 'timeout',
      method,
      path,
      retryable: safe,
      cause: error,
    });
  }
  if (name === 'AbortError') {
    // The caller went away (or the server is shutting down): nothing left to retry for.
    return new UpstreamError('The request to Freshdesk was cancelled.', {
      kind: 'timeout',
      method,
      path,
      retryable: method === 'GET',
      cause: error,
    });
  }
  return new UpstreamError(
    notSent
      ? 'Freshdesk could not be reached (connection refused or name not resolved).'
      : 'The connection to Freshdesk was reset or closed before a complete answer.',
    { kind: 'unreachable', method, path, retryable: safe, cause: error },
  );
}

/** The error's name, or `TimeoutError` when a timeout hides in its cause chain (abort reasons). */
function errorName(error: unknown): string {
  let current: unknown = error;
  for (let depth = 0; depth < 4 && typeof current === 'object' && current !== null; depth++) {
    if ((current as { name?: unknown }).name === 'TimeoutError') {
      return 'TimeoutError';
    }
    current = (current as { cause?: unknown }).cause;
  }
  const name =
    typeof error === 'object' && error !== null ? (error as { name?: unknown }).name : '';
  return typeof name === 'string' ? name : '';
}

function errorCode(error: unknown): string {
  let current: unknown = error;
  for (let depth = 0; depth < 4 && typeof current === 'object' && current !== null; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string') {
      return code;
    }
    current = (current as { cause?: unknown }).cause;
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
