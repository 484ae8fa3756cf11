/**
 * The quota scheduler: the `QuotaGate` the Freshdesk client asks before every attempt. Calls wait
 * in one queue, webhook work first, then interactive, explorer (GraphiQL) and bulk, first come first
 * served within a class; each is granted when its budgets have room for its class, and refused (an
 * `UpstreamError` of kind `quota` with `retryAfter`) when it cannot start before its deadline.
 * A 429 pauses the budget it hit for everyone at once, so nothing retries into a known 429.
 * With a `CredentialRegistry` (passthrough mode), calls with a key Freshdesk refused are refused
 * here without a call, and calls with a key not yet seen to work only spend the unverified share.
 */
import type { MeteredEndpoint } from '../upstream/credits.ts';
import { UpstreamError } from '../upstream/upstream-error.ts';
import type { BudgetSnapshot } from './budget.ts';
import type { CredentialRegistry, CredentialState } from './credentials.ts';
import type { BudgetName, PlanLimits } from './plans.ts';
import type { Priority, QuotaGate, QuotaOutcome, QuotaRequest } from './quota-gate.ts';
import { type SharedQuotaOptions, SharedQuotaStore } from './shared-store.ts';
import { MemoryQuotaStore, type QuotaStore } from './store.ts';

export const PRIORITIES: readonly Priority[] = ['webhook', 'interactive', 'explorer', 'bulk'];
const RANK: Record<Priority, number> = { webhook: 0, interactive: 1, explorer: 2, bulk: 3 };

export interface QuotaStatus extends BudgetSnapshot {
  /** Calls waiting for budget, per priority class. */
  queued: Record<Priority, number>;
}

export interface QuotaSchedulerOptions {
  store: QuotaStore;
  /** Freshdesk's window; the fallback `retryAfter` when nothing better is known. @default 60000 */
  windowMs?: number;
  now?: () => number;
  /** Told when the store fails (e.g. a shared store is unreachable); calls are then refused. */
  onError?: (error: unknown) => void;
  /** What Freshdesk said of each credential (passthrough mode); without one, every key is trusted. */
  credentials?: CredentialRegistry;
}

interface Waiter {
  request: QuotaRequest;
  seq: number;
  /** Latest known time the budget may have room (epoch ms), for the refusal's retryAfter. */
  retryAt: number | undefined;
  resolve(): void;
  reject(error: unknown): void;
  cleanup(): void;
}

export class QuotaScheduler implements QuotaGate {
  readonly #store: QuotaStore;
  readonly #now: () => number;
  readonly #onError: (error: unknown) => void;
  #queue: Waiter[] = [];
  #granted = new WeakMap<QuotaRequest, number>();
  #seq = 0;
  #pumping = false;
  #again = false;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #timerAt = Number.POSITIVE_INFINITY;
  readonly #windowMs: number;
  readonly #credentials: CredentialRegistry | undefined;

  constructor(options: QuotaSchedulerOptions) {
    this.#store = options.store;
    this.#credentials = options.credentials;
    this.#windowMs = options.windowMs ?? 60_000;
    this.#now = options.now ?? Date.now;
    this.#onError = options.onError ?? (() => {});
  }

  acquire(request: QuotaRequest, signal?: AbortSignal): Promise<void> {
    const previous = this.#granted.get(request);
    if (previous !== undefined) {
      // The previous attempt of this call never reported an answer (timeout, reset).
      this.#granted.delete(request);
      this.#store.abandon(previous).catch(this.#onError);
    }
    if (signal?.aborted) {
      return Promise.reject(signal.reason);
    }
    const now = this.#now();
    if (this.credentialState(request.credential) === 'refused') {
      return Promise.reject(this.#refusedKey(request));
    }
    if (request.deadline <= now) {
      return Promise.reject(refusal(request, now + this.#windowMs, now));
    }
    return new Promise<void>((resolve, reject) => {
      const onAbort = (): void => {
        this.#remove(waiter);
        reject(signal?.reason);
      };
      const deadlineTimer = setTimeout(() => {
        this.#remove(waiter);
        const now = this.#now();
        reject(refusal(request, waiter.retryAt ?? now + this.#windowMs, now));
      }, request.deadline - now);
      deadlineTimer.unref?.();
      const waiter: Waiter = {
        request,
        seq: this.#seq++,
        retryAt: undefined,
        resolve,
        reject,
        cleanup: () => {
          clearTimeout(deadlineTimer);
          signal?.removeEventListener('abort', onAbort);
        },
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.#queue.push(waiter);
      void this.#pump();
    });
  }

  settle(request: QuotaRequest, outcome: QuotaOutcome): void {
    if (request.credential !== undefined) {
      this.#credentials?.record(request.credential, outcome.status);
    }
    const id = this.#granted.get(request);
    if (id === undefined) {
      return;
    }
    this.#granted.delete(request);
    this.#store.settle(id, outcome).then(() => this.#pump(), this.#onError);
  }

  /**
   * Milliseconds until `credits` more could be spent by `priority`, behind the calls already queued
   * ahead of it. Used to refuse an operation before it starts.
   */
  async waitFor(
    demand: Partial<Record<BudgetName, number>>,
    priority: Priority,
    credential?: string,
  ): Promise<number> {
    const total: Partial<Record<BudgetName, number>> = { ...demand };
    for (const waiter of this.#queue) {
      if (RANK[waiter.request.priority] <= RANK[priority]) {
        add(total, 'total', waiter.request.credits);
        if (waiter.request.endpoint) {
          add(total, waiter.request.endpoint, waiter.request.credits);
        }
      }
    }
    return this.#store.waitFor(total, priority, this.credentialState(credential) === 'unknown');
  }

  /** What Freshdesk said of a credential; `verified` when credentials are not checked. */
  credentialState(credential: string | undefined): CredentialState {
    return credential === undefined || this.#credentials === undefined
      ? 'verified'
      : this.#credentials.state(credential);
  }

  /** The error for a call with a key Freshdesk refused recently: nothing is sent. */
  #refusedKey(request: QuotaRequest): UpstreamError {
    const seconds = this.#credentials?.refusedFor(request.credential ?? '') ?? 0;
    return new UpstreamError(
      `Freshdesk refused this API key less than ${Math.ceil((this.#credentials?.refusedTtlMs ?? 0) / 60_000)} minutes ago; it is not sent again for ${seconds} s.`,
      {
        kind: 'http',
        status: 401,
        method: request.method ?? 'GET',
        path: request.path ?? '',
        upstreamCode: 'invalid_credentials',
        retryable: false,
      },
    );
  }

  async status(): Promise<QuotaStatus> {
    const snapshot = await this.#store.snapshot();
    const queued = { webhook: 0, interactive: 0, explorer: 0, bulk: 0 };
    for (const waiter of this.#queue) {
      queued[waiter.request.priority] += 1;
    }
    return { ...snapshot, queued };
  }

  /** Stops the wake-up timer (the gateway is closing). Waiting calls run into their deadlines. */
  close(): void {
    clearTimeout(this.#timer);
    this.#timerAt = Number.POSITIVE_INFINITY;
    this.#store.close?.().catch(this.#onError);
  }

  async #pump(): Promise<void> {
    if (this.#pumping) {
      this.#again = true;
      return;
    }
    this.#pumping = true;
    try {
      let wake = Number.POSITIVE_INFINITY;
      do {
        this.#again = false;
        wake = Number.POSITIVE_INFINITY;
        const order = [...this.#queue].sort(
          (a, b) => RANK[a.request.priority] - RANK[b.request.priority] || a.seq - b.seq,
        );
        for (const waiter of order) {
          if (!this.#queue.includes(waiter)) {
            continue;
          }
          const { request } = waiter;
          const result = await this.#store.reserve({
            endpoint: request.endpoint,
            credits: request.credits,
            priority: request.priority,
            unverified: this.credentialState(request.credential) === 'unknown',
          });
          if (!this.#queue.includes(waiter)) {
            // Aborted or timed out while the store answered.
            if (result.ok) {
              await this.#store.cancel(result.id);
            }
            continue;
          }
          if (result.ok) {
            this.#remove(waiter);
            this.#granted.set(request, result.id);
            waiter.resolve();
            continue;
          }
          waiter.retryAt = result.retryAt;
          if (result.retryAt !== undefined) {
            wake = Math.min(wake, result.retryAt);
            if (result.retryAt > request.deadline) {
              this.#remove(waiter);
              waiter.reject(refusal(request, result.retryAt, this.#now()));
              continue;
            }
          }
          if (result.blockedOn === 'total') {
            // Every class after this one has at most the same room on the total: keep their order.
            break;
          }
        }
      } while (this.#again);
      if (this.#queue.length > 0) {
        // Also wake once a window even when waiting on answers, in case one never comes.
        this.#wakeAt(Math.min(wake, this.#now() + this.#windowMs));
      }
    } catch (error) {
      this.#onError(error);
      for (const waiter of [...this.#queue]) {
        this.#remove(waiter);
        waiter.reject(refusal(waiter.request, undefined, this.#now()));
      }
    } finally {
      this.#pumping = false;
    }
  }

  #wakeAt(at: number): void {
    if (at >= this.#timerAt && this.#timer !== undefined) {
      return;
    }
    clearTimeout(this.#timer);
    this.#timerAt = at;
    this.#timer = setTimeout(
      () => {
        this.#timer = undefined;
        this.#timerAt = Number.POSITIVE_INFINITY;
        void this.#pump();
      },
      Math.max(0, at - this.#now()),
    );
    this.#timer.unref?.();
  }

  #remove(waiter: Waiter): void {
    const index = this.#queue.indexOf(waiter);
    if (index >= 0) {
      this.#queue.splice(index, 1);
    }
    waiter.cleanup();
  }
}

function add(
  demand: Partial<Record<BudgetName, number>>,
  budget: BudgetName | MeteredEndpoint,
  credits: number,
): void {
  demand[budget] = (demand[budget] ?? 0) + credits;
}

/** The error a refused call fails with: nothing was sent, so it is always safe to repeat. */
export function refusal(
  request: Pick<QuotaRequest, 'method' | 'path'>,
  retryAt: number | undefined,
  now: number,
): UpstreamError {
  const retryAfter =
    retryAt === undefined ? undefined : Math.max(1, Math.ceil((retryAt - now) / 1000));
  return new UpstreamError(
    "The account's Freshdesk quota cannot serve this call before the operation's deadline.",
    {
      kind: 'quota',
      method: request.method ?? 'GET',
      path: request.path ?? '',
      retryAfter,
      retryable: true,
    },
  );
}

export interface QuotaSettings {
  /** The plan when told (`FRESHDESK_PLAN`); otherwise learned from Freshdesk's headers. */
  plan?: { name: string; limits: PlanLimits };
  /** @default 60000 */
  windowMs?: number;
  /** @default 25 */
  bulkReservePercent?: number;
  /** @default 10 */
  webhookSharePercent?: number;
  /** @default 5 */
  unverifiedSharePercent?: number;
  /** Check credentials (passthrough mode): refuse keys Freshdesk refused, limit unverified ones. */
  credentials?: CredentialRegistry;
  /** A store of one's own; the in-process store by default (or the shared one, with `shared`). */
  store?: QuotaStore;
  /** Replicas sharing the account through Redis: the budget lives there (`shared-store.ts`). */
  shared?: Pick<SharedQuotaOptions, 'redis' | 'account' | 'replicas' | 'logger'>;
  onError?: (error: unknown) => void;
}

/** The gateway's scheduler over the in-process store (or the one given). */
export function createQuotaScheduler(settings: QuotaSettings = {}): QuotaScheduler {
  const windowMs = settings.windowMs ?? 60_000;
  const budget = {
    plan: settings.plan,
    windowMs,
    bulkReserve: (settings.bulkReservePercent ?? 25) / 100,
    webhookShare: (settings.webhookSharePercent ?? 10) / 100,
    unverifiedShare: (settings.unverifiedSharePercent ?? 5) / 100,
  };
  const store =
    settings.store ??
    (settings.shared
      ? new SharedQuotaStore({ ...budget, ...settings.shared })
      : new MemoryQuotaStore(budget));
  return new QuotaScheduler({
    store,
    windowMs,
    onError: settings.onError,
    credentials: settings.credentials,
  });
}
