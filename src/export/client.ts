/**
 * The export's GraphQL client: POSTs to the gateway at bulk priority (`X-Deskgraph-Priority: bulk`),
 * counts what the gateway reports spending (`extensions.cost`), waits out quota refusals for as long
 * as they say, retries transient failures a few times, and turns the rest into an `ExportError`.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { request } from 'undici';
import { EXIT, ExportError } from './errors.ts';

/** Failures worth asking again after a pause (the gateway says so with `retryAfter`, or backoff). */
const TRANSIENT = new Set([
  'RATE_LIMITED',
  'SERVICE_UNAVAILABLE',
  'GATEWAY_TIMEOUT',
  'BAD_GATEWAY',
  'UPSTREAM_UNREACHABLE',
  'UPSTREAM_ERROR',
]);
/** Attempts for a transient failure before the export gives up (it resumes when run again). */
const MAX_ATTEMPTS = 6;
const BACKOFF_MS = [500, 1_000, 2_000, 4_000, 8_000];
/** Quota refusals of one operation, each waited out, before it is split. */
const STARVED_AFTER = 2;
/** Used when a quota refusal names no retry time. */
const DEFAULT_QUOTA_WAIT_S = 5;

export interface GraphQLError {
  message: string;
  path?: (string | number)[];
  extensions?: Record<string, unknown>;
}

/** The operation asked for more credits than the gateway allows per operation: ask for less. */
export class OperationTooLarge extends Error {
  readonly estimate: number;
  readonly maxCredits: number;
  constructor(estimate: number, maxCredits: number) {
    super(`operation of about ${estimate} credits; the gateway allows ${maxCredits}`);
    this.estimate = estimate;
    this.maxCredits = maxCredits;
  }
}

export interface ClientTotals {
  /** GraphQL requests sent. */
  requests: number;
  /** Freshdesk credits the gateway spent for them. */
  credits: number;
  /** Freshdesk calls the gateway made for them. */
  calls: number;
  /** Time spent waiting for quota: refusals waited out here, plus waits inside the gateway. */
  waitingMs: number;
}

export interface ClientOptions {
  /** Aborts waits and requests (SIGINT, SIGTERM). */
  signal?: AbortSignal;
  /** Told when the export starts waiting (for the progress display). */
  onWait?: (ms: number, reason: string) => void;
}

export class GatewayClient {
  readonly url: string;
  readonly totals: ClientTotals = { requests: 0, credits: 0, calls: 0, waitingMs: 0 };
  readonly #options: ClientOptions;

  constructor(url: string, options: ClientOptions = {}) {
    this.url = url;
    this.#options = options;
  }

  /**
   * Runs one query; resolves with its data once it succeeded completely, or with errors that
   * `accept` says the caller handles (e.g. NOT_FOUND on one alias).
   */
  async query<T>(
    document: string,
    variables: Record<string, unknown> = {},
    accept: (error: GraphQLError) => boolean = () => false,
  ): Promise<T> {
    let refusals = 0;
    for (let attempt = 1; ; attempt++) {
      const outcome = await this.#send(document, variables, accept);
      if (outcome.kind === 'data') {
        return outcome.data as T;
      }
      if (outcome.kind === 'quota') {
        // Not a failure: the account's budget is in use. Wait as long as the gateway says; when
        // even that was not enough, the operation is too large to fit the bulk share before the
        // gateway's deadline: ask for half.
        refusals += 1;
        if (refusals > STARVED_AFTER && outcome.estimate > 1) {
          throw new OperationTooLarge(outcome.estimate, Math.floor(outcome.estimate / 2));
        }
        attempt = 0;
        await this.#wait(outcome.waitMs, 'quota');
        continue;
      }
      if (attempt >= MAX_ATTEMPTS) {
        throw new ExportError(
          `${outcome.reason} (still failing after ${attempt} attempts)`,
          EXIT.temporary,
        );
      }
      const backoff = BACKOFF_MS[Math.min(attempt - 1, BACKOFF_MS.length - 1)] ?? 8_000;
      await this.#wait(Math.max(backoff, outcome.waitMs ?? 0), outcome.reason);
    }
  }

  async #wait(ms: number, reason: string): Promise<void> {
    if (reason === 'quota') {
      this.totals.waitingMs += ms;
    }
    this.#options.onWait?.(ms, reason);
    try {
      await sleep(ms, undefined, { signal: this.#options.signal });
    } catch {
      throw new ExportError('interrupted', EXIT.interrupted);
    }
  }

  async #send(
    document: string,
    variables: Record<string, unknown>,
    accept: (error: GraphQLError) => boolean,
  ): Promise<
    | { kind: 'data'; data: unknown }
    | { kind: 'quota'; waitMs: number; estimate: number }
    | { kind: 'retry'; reason: string; waitMs?: number }
  > {
    let status: number;
    let text: string;
    try {
      const response = await request(this.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          accept: 'application/graphql-response+json, application/json',
          'x-deskgraph-priority': 'bulk',
          'user-agent': 'deskgraph-export',
        },
        body: JSON.stringify({ query: document, variables }),
        signal: this.#options.signal,
        headersTimeout: 600_000,
        bodyTimeout: 600_000,
      });
      status = response.statusCode;
      text = await response.body.text();
    } catch (error) {
      if (this.#options.signal?.aborted) {
        throw new ExportError('interrupted', EXIT.interrupted);
      }
      const cause = (error as { code?: string }).code ?? (error as Error).message;
      return { kind: 'retry', reason: `the gateway at ${this.url} is unreachable (${cause})` };
    }
    this.totals.requests += 1;
    let body: { data?: unknown; errors?: GraphQLError[]; extensions?: Record<string, unknown> };
    try {
      body = JSON.parse(text);
    } catch {
      if (status >= 500) {
        return { kind: 'retry', reason: `the gateway answered HTTP ${status}` };
      }
      throw new ExportError(
        `the gateway at ${this.url} answered HTTP ${status} without a GraphQL response; is it a deskgraph gateway?`,
        EXIT.failed,
      );
    }
    const cost = body.extensions?.cost as
      | { spent?: number; calls?: number; queuedMs?: number }
      | undefined;
    this.totals.credits += cost?.spent ?? 0;
    this.totals.calls += cost?.calls ?? 0;
    this.totals.waitingMs += cost?.queuedMs ?? 0;
    const errors = (body.errors ?? []).filter((error) => !accept(error));
    if (errors.length === 0 && status === 200 && body.data !== undefined && body.data !== null) {
      return { kind: 'data', data: body.data };
    }
    const first = errors[0];
    if (!first) {
      return status >= 500
        ? { kind: 'retry', reason: `the gateway answered HTTP ${status}` }
        : failed(`the gateway answered HTTP ${status} with no data`);
    }
    const code = String(first.extensions?.code ?? 'UNKNOWN');
    const retryAfter = Number(first.extensions?.retryAfter);
    const waitMs = Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter * 1000 : undefined;
    if (code === 'QUOTA_EXCEEDED') {
      if (first.extensions?.retryable === false) {
        const estimate = Number(first.extensions?.estimate);
        const maxCredits = Number(first.extensions?.maxCredits);
        if (Number.isFinite(estimate) && Number.isFinite(maxCredits)) {
          throw new OperationTooLarge(estimate, maxCredits);
        }
        return failed(`${code}: ${first.message}`);
      }
      const estimate = Number(first.extensions?.estimate);
      return {
        kind: 'quota',
        waitMs: waitMs ?? DEFAULT_QUOTA_WAIT_S * 1000,
        estimate: Number.isFinite(estimate) ? estimate : 0,
      };
    }
    const where = first.path ? ` at ${first.path.join('.')}` : '';
    if (TRANSIENT.has(code) || status >= 500) {
      return { kind: 'retry', reason: `${code}${where}: ${first.message}`, waitMs };
    }
    return failed(`${code}${where}: ${first.message}`);
  }
}

function failed(reason: string): never {
  throw new ExportError(reason, EXIT.failed);
}
