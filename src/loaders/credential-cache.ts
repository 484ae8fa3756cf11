/**
 * What the gateway keeps per credential across requests: whole lists (agents, groups, ticket
 * fields, the caller's own agent, companies, the knowledge base's categories and folders) that
 * change rarely and cost one call per page, and what scans learned of list sizes. Entries are named
 * and typed by the plan (`src/plan/entries.ts`). Each is kept for a short TTL in an LRU cache
 * scoped to one credential: what one API key may see is never served to another. Concurrent
 * requests share one in-flight load.
 */
import { LRUCache } from 'lru-cache';
import type { CacheEntry } from '../plan/entries.ts';

/** How long a loaded list is reused. @default 60000 */
export const REFERENCE_TTL_MS = 60_000;

/** Distinct entries per credential (one per category's folders among them). @default 500 */
const MAX_ENTRIES = 500;

interface Stored {
  value: unknown;
  loadedAt: number;
}

type Load = () => Promise<unknown>;

/** A fetched entry: its value, whether it was already held, and since when it is stale (if it is). */
export interface Fetched<T> {
  value: T;
  hit: boolean;
  staleSince: number | undefined;
}

/** What operations use of a credential's cache (the cache itself, or a probe's view of it). */
export interface SharedCache {
  /** The entry's value when fresh; never loads. */
  peek<T>(entry: CacheEntry<T>): T | undefined;
  /** The entry's value, loaded by `load` at most once per TTL and shared by concurrent callers. */
  fetch<T>(entry: CacheEntry<T>, load: () => Promise<T>, ttlMs: number): Promise<Fetched<T>>;
  set<T>(entry: CacheEntry<T>, value: T, ttlMs: number): void;
  delete(entry: CacheEntry<unknown>): void;
  /** A view for probes that never loads (see `CredentialCache.probe`). */
  probe?(allowStale: boolean, miss: (entry: CacheEntry<unknown>) => Error): SharedCache;
}

/** One credential's cache. */
export class CredentialCache implements SharedCache {
  /** Why the last load of an entry failed (the cache answers a failed load with nothing). */
  readonly #failures = new Map<string, unknown>();
  readonly #entries = new LRUCache<string, Stored, Load>({
    max: MAX_ENTRIES,
    ttl: REFERENCE_TTL_MS,
    // When a refresh fails, the last good value is served (and reported in `extensions.stale`).
    allowStaleOnFetchRejection: true,
    fetchMethod: async (key, _stale, { context }) => {
      try {
        const value = await context();
        this.#failures.delete(key);
        return { value, loadedAt: Date.now() };
      } catch (error) {
        this.#failures.set(key, error);
        throw error;
      }
    },
  });

  /** The entry's value when fresh; never loads. */
  peek<T>(entry: CacheEntry<T>): T | undefined {
    return this.#entries.get(entry.name)?.value as T | undefined;
  }

  /** The entry's value however old, and when it was loaded; never loads. */
  peekKept<T>(entry: CacheEntry<T>): { value: T; loadedAt: number } | undefined {
    const stored = this.#entries.peek(entry.name, { allowStale: true });
    return stored === undefined
      ? undefined
      : { value: stored.value as T, loadedAt: stored.loadedAt };
  }

  /**
   * A view that never loads (for trying an operation on what is cached): `fetch` answers what is
   * held, fresh (or, with `allowStale`, however old), else calls `miss` and rejects with what it
   * returns; writes are ignored.
   */
  probe(allowStale: boolean, miss: (entry: CacheEntry<unknown>) => Error): SharedCache {
    return {
      peek: (entry) => this.peek(entry),
      fetch: async <T>(entry: CacheEntry<T>): Promise<Fetched<T>> => {
        const fresh = this.peek(entry);
        if (fresh !== undefined) {
          return { value: fresh, hit: true, staleSince: undefined };
        }
        const kept = allowStale ? this.peekKept(entry) : undefined;
        if (kept !== undefined) {
          return { value: kept.value, hit: false, staleSince: kept.loadedAt };
        }
        throw miss(entry);
      },
      set: () => undefined,
      delete: () => undefined,
    };
  }

  /** The entry's value, loaded by `load` at most once per TTL and shared by concurrent callers. */
  async fetch<T>(entry: CacheEntry<T>, load: () => Promise<T>, ttlMs: number): Promise<Fetched<T>> {
    const status: LRUCache.Status<string, Stored, Load> = {};
    const stored = await this.#entries.fetch(entry.name, { context: load, status, ttl: ttlMs });
    if (stored === undefined) {
      // A failed first load: the caller gets Freshdesk's own error (coded by src/errors.ts).
      throw this.#failures.get(entry.name) ?? new Error(`nothing cached for ${entry.name}`);
    }
    return {
      value: stored.value as T,
      hit: status.fetch === 'hit',
      staleSince: status.fetchRejected ? stored.loadedAt : undefined,
    };
  }

  set<T>(entry: CacheEntry<T>, value: T, ttlMs: number): void {
    this.#entries.set(entry.name, { value, loadedAt: Date.now() }, { ttl: ttlMs });
  }

  delete(entry: CacheEntry<unknown>): void {
    this.#entries.delete(entry.name);
  }
}
