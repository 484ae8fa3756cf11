/**
 * The per-operation context: one fresh object per GraphQL request. Loaders live here (so their caches
 * never outlive a request); caches shared across requests live in `shared`, keyed by credential.
 */
import type { Config } from './config.ts';
import type { Freshness } from './freshness/freshness.ts';
import type { Logger } from './logger.ts';
import type { QuotaScheduler } from './quota/scheduler.ts';
import type { CallRecord, FreshdeskSession } from './upstream/freshdesk-client.ts';

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

/**
 * Caches that outlive a request. Always scoped to one credential: data one API key may see is
 * never served to another.
 */
export interface SharedCaches {
  /** Returns the cache map for one credential (created on first use). */
  forCredential(apiKey: string): Map<string, unknown>;
}

export interface Context {
  requestId: string;
  config: Config;
  logger: Logger;
  freshdesk: FreshdeskSession;
  /** The key this operation uses upstream (service key or the caller's own). Never echo it. */
  apiKey: string;
  shared: Map<string, unknown>;
  loaders: Map<string, unknown>;
  /** The account's quota scheduler (shared by every request of this gateway). */
  quota: QuotaScheduler;
  cost: CostTracker;
  warnings: Warning[];
  stale: StaleNote[];
  /** The gateway's webhooks, sweep and `ticketEvents` (absent where an app is built without them). */
  freshness?: Freshness;
}

/** The per-request loader (or any per-request object) under `key`, created on first use. */
export function perRequest<T>(ctx: Context, key: string, create: () => T): T {
  let value = ctx.loaders.get(key) as T | undefined;
  if (value === undefined) {
    value = create();
    ctx.loaders.set(key, value);
  }
  return value;
}

/** Records an upstream attempt in the operation's cost. */
export function recordCall(cost: CostTracker, call: CallRecord): void {
  cost.calls += 1;
  cost.spent += call.credits;
  cost.queuedMs = Math.max(cost.queuedMs, Math.round(call.queuedMs ?? 0));
}

export function newCostTracker(): CostTracker {
  return { estimated: 0, spent: 0, calls: 0, cacheHits: 0, remaining: null, queuedMs: 0 };
}
