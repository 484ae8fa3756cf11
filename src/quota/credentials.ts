/**
 * What Freshdesk has said about each credential (passthrough mode, where every caller brings a
 * key). Freshdesk counts refused requests against the account (freshdesk-api.md section 5), so the
 * gateway stops sending them rather than stop counting them:
 * - a key Freshdesk answered 401 is `refused`: refused locally, without a call, for `refusedTtlMs`
 *   (a key that had worked is first only demoted to `unknown`: one 401 may be a glitch; a second
 *   refuses it);
 * - a key any other answer came back for (2xx, 403, 404...) is `verified`: it authenticates;
 * - any other key is `unknown`: its calls may only spend the unverified share of the budget.
 * Credentials are known by a hash (`credentialHash`), never by the key itself.
 */
import { LRUCache } from 'lru-cache';

export type CredentialState = 'verified' | 'refused' | 'unknown';

export interface CredentialRegistryOptions {
  /** How long a refused key is refused locally. @default 600000 (10 minutes) */
  refusedTtlMs?: number;
  /** How long a verified key is trusted without a new answer. @default 3600000 */
  verifiedTtlMs?: number;
  /** Credentials remembered at once (each kind). @default 10000 */
  max?: number;
}

export class CredentialRegistry {
  readonly refusedTtlMs: number;
  readonly #refused: LRUCache<string, number>;
  readonly #verified: LRUCache<string, true>;

  constructor(options: CredentialRegistryOptions = {}) {
    this.refusedTtlMs = options.refusedTtlMs ?? 600_000;
    const max = options.max ?? 10_000;
    this.#refused = new LRUCache({ max, ttl: this.refusedTtlMs });
    this.#verified = new LRUCache({ max, ttl: options.verifiedTtlMs ?? 3_600_000 });
  }

  state(credential: string): CredentialState {
    if (this.#verified.has(credential)) {
      return 'verified';
    }
    return this.#refused.has(credential) ? 'refused' : 'unknown';
  }

  /** Seconds until a refused credential may be tried again (0 when it is not refused). */
  refusedFor(credential: string): number {
    return Math.ceil(this.#refused.getRemainingTTL(credential) / 1000);
  }

  /** Learns from Freshdesk's answer to a call made with `credential` (0: no answer). */
  record(credential: string, status: number): void {
    if (status === 401) {
      if (!this.#verified.delete(credential)) {
        this.#refused.set(credential, Date.now());
      }
    } else if (status !== 0 && status !== 429 && status < 500) {
      this.#refused.delete(credential);
      this.#verified.set(credential, true);
    }
  }
}
