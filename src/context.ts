/**
 * The per-operation context: one fresh object per GraphQL request. Per-request objects (loaders)
 * live in `loaders`, under typed slots, so they never outlive a request; what is shared across
 * requests lives in `shared`, one cache per credential.
 */
import type { ExecutionResult, GraphQLSchema } from 'graphql';
import type { ReadCache } from './cache/read-cache.ts';
import type { Config } from './config.ts';
import { currentFieldPath } from './field-scope.ts';
import type { Freshness } from './freshness/freshness.ts';
import type { SharedCache } from './loaders/credential-cache.ts';
import type { Logger } from './logger.ts';
import type { QuotaScheduler, QuotaStatus } from './quota/scheduler.ts';
import type { CallRecord, FreshdeskSession, SessionCache } from './upstream/freshdesk-client.ts';

/** `extensions.warnings` entries (e.g. a search cut at 300 results). */
export interface Warning {
  code: string;
  message: string;
  path?: readonly (string | number)[];
}

/** `extensions.stale` entries: cached data served because upstream could not answer. */
export interface StaleNote {
  path: readonly (string | number)[];
  ageSeconds: number;
}

/** What the operation spent upstream; reported as `extensions.cost`. */
export interface CostTracker {
  estimated: number;
  spent: number;
  calls: number;
  cacheHits: number;
  remaining: number | null;
  /** The longest any of its upstream calls waited for quota budget, in ms (calls wait side by side). */
  queuedMs: number;
}

/** A typed place for one per-request object, made on first use by `create`. */
export interface Slot<T> {
  readonly name: string;
  readonly create: (ctx: Context) => T;
}

export const slot = <T>(name: string, create: (ctx: Context) => T): Slot<T> => ({ name, create });

export interface Context {
  requestId: string;
  config: Config;
  logger: Logger;
  freshdesk: FreshdeskSession;
  /** The key this operation uses upstream (service key or the caller's own). Never echo it. */
  apiKey: string;
  /** What outlives the request, for this credential only. */
  shared: SharedCache;
  /** The gateway's read cache across operations (its session reads through it). */
  cache?: ReadCache;
  /** The operation's answer, when the read cache alone gave it before execution (`schema/cost.ts`). */
  answer?: ExecutionResult;
  /** The executable schema and the client's variables, as execution takes them (for probes). */
  execution?: {
    schema: GraphQLSchema;
    variables: Readonly<Record<string, unknown>> | null | undefined;
  };
  /** Per-request objects by slot (see `perRequest`). */
  loaders: Map<Slot<unknown>, unknown>;
  /** The account's quota scheduler (shared by every request of this gateway). */
  quota: QuotaScheduler;
  /** The one budget snapshot taken for this operation (set before execution). */
  budget?: QuotaStatus;
  cost: CostTracker;
  warnings: Warning[];
  stale: StaleNote[];
  /** The gateway's webhooks, sweep and `ticketEvents` (absent where an app is built without them). */
  freshness?: Freshness;
}

/** The per-request object in `slot`, created on first use. */
export function perRequest<T>(ctx: Context, slot: Slot<T>): T {
  let value = ctx.loaders.get(slot) as T | undefined;
  if (value === undefined) {
    value = slot.create(ctx);
    ctx.loaders.set(slot, value);
  }
  return value;
}

/** Records an upstream attempt in the operation's cost. */
export function recordCall(cost: CostTracker, call: CallRecord): void {
  cost.calls += 1;
  cost.spent += call.credits;
  cost.queuedMs = Math.max(cost.queuedMs, Math.round(call.queuedMs ?? 0));
}

/**
 * The read cache as one operation's session uses it: its hits counted in the operation's cost, its
 * stale answers noted (with their age) at the field that read them.
 */
export function operationCache(
  cache: ReadCache | undefined,
  cost: CostTracker,
  stale: StaleNote[],
): SessionCache | undefined {
  if (cache === undefined || !cache.enabled) {
    return undefined;
  }
  return cache.forOperation({
    hit: () => {
      cost.cacheHits += 1;
    },
    stale: (ageMs) => noteStale(stale, ageMs),
  });
}

/** Notes stale data served at the field being resolved (once per field). */
export function noteStale(stale: StaleNote[], ageMs: number): void {
  const path = currentFieldPath();
  const ageSeconds = Math.max(0, Math.round(ageMs / 1000));
  const key = path.join('.');
  const same = stale.find((note) => note.path.join('.') === key);
  if (same) {
    same.ageSeconds = Math.max(same.ageSeconds, ageSeconds);
  } else {
    stale.push({ path, ageSeconds });
  }
}

export function newCostTracker(): CostTracker {
  return { estimated: 0, spent: 0, calls: 0, cacheHits: 0, remaining: null, queuedMs: 0 };
}
