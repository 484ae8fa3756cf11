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

/** One credential's cache. */
export class CredentialCache {
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

  /** The entry's value, loaded by `load` at most once per TTL and shared by concurrent callers. */
  async fetch<T>(
    entry: CacheEntry<T>,
    load: () => Promise<T>,
    ttlMs: number,
  ): Promise<{ value: T; hit: boolean; staleSince: number | undefined }> {
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
