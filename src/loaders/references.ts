/**
 * Reading the credential's cache from an operation: loads shared by concurrent requests, hits and
 * stale answers reported in the operation's cost, and the plan's view of what is held.
 */
import type { Context } from '../context.ts';
import type { CacheEntry } from '../plan/entries.ts';
import type { PlanState } from '../plan/state.ts';
import type { FreshdeskSession } from '../upstream/freshdesk-client.ts';
import { REFERENCE_TTL_MS } from './credential-cache.ts';

/**
 * The value of `entry` for this credential: loaded by `load` at most once per TTL, shared by every
 * request running meanwhile. `load` gets a session detached from the starting request's abort
 * signal, so the requests waiting on it are served even if that one goes away. A rejected load is
 * not cached (the next request tries again), unless an older value exists: then that is served and
 * noted as stale.
 */
export async function cachedReference<T>(
  ctx: Context,
  entry: CacheEntry<T>,
  load: (session: FreshdeskSession) => Promise<T>,
  ttlMs: number = REFERENCE_TTL_MS,
): Promise<T> {
  const result = await ctx.shared.fetch(entry, () => load(ctx.freshdesk.detached()), ttlMs);
  if (result.hit) {
    ctx.cost.cacheHits += 1;
  } else if (result.staleSince !== undefined) {
    ctx.stale.push({
      path: [entry.name],
      ageSeconds: Math.round((Date.now() - result.staleSince) / 1000),
    });
  }
  return result.value;
}

/**
 * The value of `entry` when this credential already holds a fresh one; never makes a call. Lets a
 * resolver use what the request (or a recent one) loaded without causing a load of its own.
 */
export function peekReference<T>(ctx: Context, entry: CacheEntry<T>): T | undefined {
  const value = ctx.shared.peek(entry);
  if (value !== undefined) {
    ctx.cost.cacheHits += 1;
  }
  return value;
}

/** What the plan knows for this operation: the credential's cache and the operation's snapshot. */
export function planState(ctx: Context): PlanState {
  return {
    peek: (entry) => ctx.shared.peek(entry),
    remaining: (budget) => ctx.budget?.budgets.find((view) => view.name === budget)?.remaining,
    verified: ctx.quota.credentialState(ctx.freshdesk.credential) === 'verified',
    cachedRead: (request) => ctx.freshdesk.hasRead(request),
  };
}
