/**
 * Reference data shared across requests: whole lists (agents, groups, ticket fields, the caller's
 * own agent) that change rarely and cost one call per page to load. Each list is kept for a short
 * TTL in an LRU cache that lives in `ctx.shared`, which is scoped to one credential: what one API
 * key may see is never served to another. Concurrent requests share one in-flight load.
 */
import { LRUCache } from 'lru-cache';
import type { Context } from '../context.ts';
import type { FreshdeskSession } from '../upstream/freshdesk-client.ts';

/** How long a loaded list is reused. @default 60000 */
export const REFERENCE_TTL_MS = 60_000;

/** Distinct lists per credential (agents, groups, fields, categories, one per category's folders...). @default 500 */
const MAX_LISTS = 500;

const SHARED_KEY = 'reference-cache';

interface Entry {
  value: unknown;
  loadedAt: number;
}

type Load = () => Promise<unknown>;

type ReferenceCache = LRUCache<string, Entry, Load>;

function cacheFor(ctx: Context): ReferenceCache {
  let cache = ctx.shared.get(SHARED_KEY) as ReferenceCache | undefined;
  if (cache === undefined) {
    cache = new LRUCache<string, Entry, Load>({
      max: MAX_LISTS,
      ttl: REFERENCE_TTL_MS,
      // When a refresh fails, the last good list is served (and reported in `extensions.stale`).
      allowStaleOnFetchRejection: true,
      fetchMethod: async (_key, _stale, { context }) => ({
        value: await context(),
        loadedAt: Date.now(),
      }),
    });
    ctx.shared.set(SHARED_KEY, cache);
  }
  return cache;
}

/**
 * The value under `key` for this credential: loaded by `load` at most once per TTL, shared by every
 * request running meanwhile. `load` gets a session detached from the starting request's abort
 * signal, so the requests waiting on it are served even if that one goes away. A rejected load is
 * not cached (the next request tries again), unless an older value exists: then that is served and
 * noted as stale.
 */
export async function cachedReference<T>(
  ctx: Context,
  key: string,
  load: (session: FreshdeskSession) => Promise<T>,
  ttlMs: number = REFERENCE_TTL_MS,
): Promise<T> {
  const cache = cacheFor(ctx);
  const status: LRUCache.Status<string, Entry, Load> = {};
  const entry = await cache.fetch(key, {
    context: () => load(ctx.freshdesk.detached()),
    status,
    ttl: ttlMs,
  });
  if (entry === undefined) {
    throw new Error(`reference cache returned nothing for ${key}`);
  }
  if (status.fetch === 'hit') {
    ctx.cost.cacheHits += 1;
  } else if (status.fetchRejected) {
    ctx.stale.push({ path: [key], ageSeconds: Math.round((Date.now() - entry.loadedAt) / 1000) });
  }
  return entry.value as T;
}

/**
 * The value under `key` when this credential already holds a fresh one; never makes a call. Lets a
 * resolver use what the request (or a recent one) loaded without causing a load of its own.
 */
export function peekReference<T>(ctx: Context, key: string): T | undefined {
  const entry = cacheFor(ctx).get(key);
  if (entry === undefined) {
    return undefined;
  }
  ctx.cost.cacheHits += 1;
  return entry.value as T;
}

/**
 * Keeps `value` under `key` for this credential for `ttlMs` without a load: for what a load learned
 * on the side (e.g. how many pages a list has), so later plans can use it.
 */
export function rememberReference(ctx: Context, key: string, value: unknown, ttlMs: number): void {
  cacheFor(ctx).set(key, { value, loadedAt: Date.now() }, { ttl: ttlMs });
}

/** The value under `key` in `shared` (one credential's caches) without counting a hit; for cost estimation. */
export function referenceValue<T>(shared: Map<string, unknown>, key: string): T | undefined {
  const cache = shared.get(SHARED_KEY) as ReferenceCache | undefined;
  return cache?.get(key)?.value as T | undefined;
}

/** Whether `shared` (one credential's caches) holds a fresh `key` now; for cost estimation. */
export function isReferenceCached(shared: Map<string, unknown>, key: string): boolean {
  const cache = shared.get(SHARED_KEY) as ReferenceCache | undefined;
  return cache?.has(key) ?? false;
}

/** Forgets `key` for this credential (e.g. after a write that changes it). */
export function forgetReference(ctx: Context, key: string): void {
  cacheFor(ctx).delete(key);
}
