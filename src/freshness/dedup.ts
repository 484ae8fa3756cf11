/**
 * Deduplication of change sightings: one event per change, whichever way the change arrived.
 *
 * A change's identity is (ticket id, `updated_at`). Freshdesk's `updated_at` only moves forward, so
 * the store keeps, per ticket, the newest `updated_at` already turned into an event: a sighting is new
 * when it is strictly newer. That covers a webhook redelivered (same version), a webhook arriving after
 * the sweep or a mutation reported the change (same version), and a webhook delayed past later changes
 * (its look-up returns the newest version, already reported). Sightings without a version (a webhook
 * the gateway could not look up, a ticket found deleted) are deduplicated by a key for a while
 * (`once`): long enough to cover Freshdesk's retries (+5, +30, +60 minutes).
 *
 * The interface is async so a store shared by replicas (Redis) can replace the in-memory one.
 */
import { LRUCache } from 'lru-cache';

export interface ChangeDedup {
  /**
   * Records `updatedAtMs` as the newest version of the ticket seen; true when it is newer than every
   * version recorded before (so the caller emits an event), false otherwise. Atomic per ticket.
   */
  claim(ticketId: string, updatedAtMs: number): Promise<boolean>;
  /** True the first time `key` is seen within `ttlMs`, false after. */
  once(key: string, ttlMs: number): Promise<boolean>;
}

export interface MemoryChangeDedupOptions {
  /** Tickets whose newest version is remembered; the least recently changed are forgotten first. @default 50000 */
  maxTickets?: number;
  /** Keys remembered by `once`. @default 10000 */
  maxKeys?: number;
}

/**
 * The in-process store. Forgetting a ticket (beyond `maxTickets`) only risks a second event for a
 * change seen again much later (a webhook Freshdesk postponed for hours), never a lost one.
 */
export class MemoryChangeDedup implements ChangeDedup {
  readonly #versions: LRUCache<string, number>;
  readonly #keys: LRUCache<string, true>;

  constructor(options: MemoryChangeDedupOptions = {}) {
    this.#versions = new LRUCache({ max: options.maxTickets ?? 50_000 });
    this.#keys = new LRUCache({ max: options.maxKeys ?? 10_000, ttlAutopurge: false });
  }

  async claim(ticketId: string, updatedAtMs: number): Promise<boolean> {
    const seen = this.#versions.get(ticketId);
    if (seen !== undefined && seen >= updatedAtMs) {
      return false;
    }
    this.#versions.set(ticketId, updatedAtMs);
    return true;
  }

  async once(key: string, ttlMs: number): Promise<boolean> {
    if (this.#keys.has(key)) {
      return false;
    }
    this.#keys.set(key, true, { ttl: ttlMs });
    return true;
  }
}
