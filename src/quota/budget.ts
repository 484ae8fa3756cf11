/**
 * The budget maths, synchronous and clock-injected so it can be unit-tested: what the account may
 * still spend per budget (the total and the four metered endpoints), for which priority class.
 *
 * Why a sliding window when Freshdesk counts fixed ones: the gateway cannot see where Freshdesk's
 * window starts (the emulator opens one on the first request after the previous one ended; the real
 * service does not say). Counting every credit from the moment it was granted until one window
 * after its answer arrived is safe for any phase: a fixed window that contains a call's arrival
 * ends no earlier than the gateway forgets that call, so no fixed window can hold more credits than
 * the sliding count allowed. Over time it still spends the full plan per window.
 */
import type { MeteredEndpoint } from '../upstream/credits.ts';
import { BUDGET_NAMES, type BudgetName, type PlanLimits, planForTotal } from './plans.ts';
import type { Priority } from './quota-gate.ts';

export interface BudgetOptions {
  /** The plan when told (`FRESHDESK_PLAN`); otherwise learned from `X-RateLimit-Total`. */
  plan?: { name: string; limits: PlanLimits };
  /** Freshdesk's window length. @default 60000 */
  windowMs?: number;
  /** Share of each budget that bulk work may not touch (0..1). @default 0.25 */
  bulkReserve?: number;
  /** Share of each budget kept for webhook-triggered work (0..1). @default 0.1 */
  webhookShare?: number;
  now?: () => number;
}

export interface SpendRequest {
  endpoint: MeteredEndpoint | undefined;
  credits: number;
  priority: Priority;
}

export type Reservation =
  | { ok: true; id: number }
  | {
      ok: false;
      /** The budget that refused. */
      blockedOn: BudgetName;
      /**
       * When trying again can succeed (epoch ms); undefined when it depends on calls in flight
       * being answered (try again on the next settle).
       */
      retryAt: number | undefined;
    };

export interface Outcome {
  status: number;
  headers: Record<string, string | undefined>;
}

export interface BudgetView {
  name: BudgetName;
  /** Credits per window; null when the plan is not known yet. */
  limit: number | null;
  /** Credits the gateway counts as spent in the current window (own calls and others' seen in headers). */
  used: number;
  remaining: number | null;
  /** When every credit counted now will have left the window; null when nothing is counted. */
  resetAt: number | null;
  /** Set after a 429: nothing is sent on this budget until then. */
  pausedUntil: number | null;
}

export interface BudgetSnapshot {
  plan: string | null;
  /** `told` (FRESHDESK_PLAN), `learned` (X-RateLimit-Total) or `unknown` (nothing answered yet). */
  source: 'told' | 'learned' | 'unknown';
  windowMs: number;
  /** The last `X-RateLimit-Remaining` seen, with when. */
  lastReported: { remaining: number; at: number } | null;
  budgets: BudgetView[];
}

interface Entry {
  credits: number;
  endpoint: MeteredEndpoint | undefined;
  /** undefined while the call is in flight. */
  expiresAt: number | undefined;
  sentAt: number;
}

/** How long an unanswered, unreported call stays "in flight" before it is assumed answered. */
const MAX_IN_FLIGHT_WINDOWS = 2;

export class BudgetModel {
  readonly windowMs: number;
  readonly #now: () => number;
  readonly #shares: Record<Priority, number>;
  #planName: string | null;
  #source: BudgetSnapshot['source'];
  #limits: Partial<Record<BudgetName, number>>;
  /** Sub-limits not told but assumed; per endpoint, the credits a window has proven acceptable. */
  #proven: Partial<Record<MeteredEndpoint, number>> = {};
  #assumed = new Set<MeteredEndpoint>();
  #entries = new Map<number, Entry>();
  #paused: Partial<Record<BudgetName, number>> = {};
  #probe: number | undefined;
  #risky: number | undefined;
  #nextId = 1;
  #lastReported: BudgetSnapshot['lastReported'] = null;

  constructor(options: BudgetOptions = {}) {
    this.windowMs = options.windowMs ?? 60_000;
    this.#now = options.now ?? Date.now;
    const reserve = options.bulkReserve ?? 0.25;
    const share = options.webhookShare ?? 0.1;
    if (!(reserve >= 0 && share >= 0 && reserve + share < 1)) {
      throw new TypeError(
        `bulkReserve and webhookShare must be non-negative and add up to less than 1; got ${reserve} and ${share}.`,
      );
    }
    this.#shares = {
      webhook: 1,
      interactive: 1 - share,
      explorer: 1 - share,
      bulk: 1 - share - reserve,
    };
    this.#planName = options.plan?.name ?? null;
    this.#source = options.plan ? 'told' : 'unknown';
    this.#limits = options.plan ? { ...options.plan.limits } : {};
  }

  /** The most one priority class may have counted on a budget at once; undefined when unlimited. */
  ceiling(budget: BudgetName, priority: Priority): number | undefined {
    const limit = this.#limits[budget];
    if (limit === undefined) {
      return undefined;
    }
    return limit === 0 ? 0 : Math.max(1, Math.floor(limit * this.#shares[priority]));
  }

  /** Credits counted on a budget now: calls in flight plus answers less than a window old. */
  used(budget: BudgetName): number {
    this.#prune();
    let sum = 0;
    for (const entry of this.#entries.values()) {
      if (budget === 'total' || entry.endpoint === budget) {
        sum += entry.credits;
      }
    }
    return sum;
  }

  /** Grants the credits if every budget the call touches has room for its priority class. */
  reserve(request: SpendRequest): Reservation {
    const now = this.#now();
    const budgets: BudgetName[] = request.endpoint ? ['total', request.endpoint] : ['total'];
    for (const budget of budgets) {
      const paused = this.#paused[budget];
      if (paused !== undefined && paused > now) {
        return { ok: false, blockedOn: budget, retryAt: paused };
      }
    }
    if (this.#limits.total === undefined) {
      // Nothing known yet: one call at a time until an answer tells the plan.
      if (this.#probe !== undefined) {
        return { ok: false, blockedOn: 'total', retryAt: undefined };
      }
      const id = this.#add(request, now);
      this.#probe = id;
      return { ok: true, id };
    }
    for (const budget of budgets) {
      const ceiling = this.ceiling(budget, request.priority);
      if (ceiling === undefined) {
        continue;
      }
      const used = this.used(budget);
      if (used + request.credits > ceiling) {
        return {
          ok: false,
          blockedOn: budget,
          retryAt: this.#whenFits(budget, used + request.credits - ceiling),
        };
      }
    }
    const endpoint = request.endpoint;
    let risky = false;
    if (endpoint && this.#assumed.has(endpoint)) {
      // An assumed sub-limit: beyond what a window has proven, one call at a time, so a wrong
      // assumption costs at most one 429.
      risky = this.used(endpoint) + request.credits > (this.#proven[endpoint] ?? 0);
      if (risky && this.#risky !== undefined) {
        return { ok: false, blockedOn: endpoint, retryAt: undefined };
      }
    }
    const id = this.#add(request, now);
    if (risky) {
      this.#risky = id;
    }
    return { ok: true, id };
  }

  /** Reconciles with Freshdesk's answer to a granted call (429s included). */
  settle(id: number, outcome: Outcome): void {
    const now = this.#now();
    const entry = this.#entries.get(id);
    this.#release(id);
    const total = headerInt(outcome.headers['x-ratelimit-total']);
    if (total !== undefined) {
      this.#learnTotal(total);
    }
    if (outcome.status === 429) {
      this.#entries.delete(id); // refused calls cost nothing
      this.#on429(entry, headerInt(outcome.headers['retry-after']), now);
      return;
    }
    if (!entry) {
      return;
    }
    entry.expiresAt = now + this.windowMs;
    const charged = headerInt(outcome.headers['x-ratelimit-used-currentrequest']);
    if (charged !== undefined) {
      entry.credits = charged;
    }
    if (entry.endpoint && this.#assumed.has(entry.endpoint)) {
      const proven = this.#proven[entry.endpoint] ?? 0;
      this.#proven[entry.endpoint] = Math.max(proven, this.used(entry.endpoint));
    }
    const remaining = headerInt(outcome.headers['x-ratelimit-remaining']);
    const limit = this.#limits.total;
    if (remaining !== undefined) {
      this.#lastReported = { remaining, at: now };
      if (limit !== undefined) {
        // Freshdesk counts the whole account: credits it reports beyond ours were spent by others
        // (other integrations, apps, webhooks' own calls). Count them too, for one window.
        const others = limit - remaining - this.used('total');
        if (others > 0) {
          this.#entries.set(this.#nextId++, {
            credits: others,
            endpoint: undefined,
            expiresAt: now + this.windowMs,
            sentAt: now,
          });
        }
      }
    }
  }

  /** A granted call that got no answer (timeout, reset): it may have been charged, so keep it a window. */
  abandon(id: number): void {
    const entry = this.#entries.get(id);
    this.#release(id);
    if (entry && entry.expiresAt === undefined) {
      entry.expiresAt = this.#now() + this.windowMs;
    }
  }

  /** A grant that was never used: forget it entirely. */
  cancel(id: number): void {
    this.#release(id);
    this.#entries.delete(id);
  }

  /**
   * Milliseconds until `demand` credits could all be granted to `priority` (queued work ahead of it
   * included by the caller in `demand`), assuming calls in flight are answered now. Work larger than
   * one window's ceiling spreads over several windows. 0 when the plan is unknown.
   */
  waitFor(demand: Partial<Record<BudgetName, number>>, priority: Priority): number {
    const now = this.#now();
    let wait = 0;
    for (const budget of BUDGET_NAMES) {
      const credits = demand[budget] ?? 0;
      const ceiling = this.ceiling(budget, priority);
      if (credits <= 0 || ceiling === undefined) {
        continue;
      }
      const paused = Math.max(0, (this.#paused[budget] ?? 0) - now);
      if (ceiling === 0) {
        return Number.POSITIVE_INFINITY;
      }
      const used = this.used(budget);
      let at: number;
      if (credits <= ceiling) {
        at = this.#whenFits(budget, used + credits - ceiling, true) ?? now;
      } else {
        const allFree = this.#whenFits(budget, used, true) ?? now;
        at = allFree + (Math.ceil(credits / ceiling) - 1) * this.windowMs;
      }
      wait = Math.max(wait, paused, at - now);
    }
    return wait;
  }

  snapshot(): BudgetSnapshot {
    const now = this.#now();
    this.#prune();
    const budgets = BUDGET_NAMES.filter(
      (name) => name === 'total' || this.#limits[name] !== undefined,
    ).map((name): BudgetView => {
      const limit = this.#limits[name] ?? null;
      const used = this.used(name);
      let resetAt: number | null = null;
      for (const entry of this.#entries.values()) {
        if (name === 'total' || entry.endpoint === name) {
          resetAt = Math.max(resetAt ?? 0, entry.expiresAt ?? now + this.windowMs);
        }
      }
      const paused = this.#paused[name];
      return {
        name,
        limit,
        used,
        remaining: limit === null ? null : Math.max(0, limit - used),
        resetAt,
        pausedUntil: paused !== undefined && paused > now ? paused : null,
      };
    });
    return {
      plan: this.#planName,
      source: this.#source,
      windowMs: this.windowMs,
      lastReported: this.#lastReported,
      budgets,
    };
  }

  #add(request: SpendRequest, now: number): number {
    const id = this.#nextId++;
    this.#entries.set(id, {
      credits: request.credits,
      endpoint: request.endpoint,
      expiresAt: undefined,
      sentAt: now,
    });
    return id;
  }

  #release(id: number): void {
    if (this.#probe === id) {
      this.#probe = undefined;
    }
    if (this.#risky === id) {
      this.#risky = undefined;
    }
  }

  #learnTotal(total: number): void {
    if (this.#source === 'unknown') {
      const guess = planForTotal(total);
      this.#planName = guess.name;
      this.#limits = { ...guess.limits };
      this.#source = 'learned';
      for (const budget of BUDGET_NAMES) {
        if (budget !== 'total' && this.#limits[budget] !== undefined) {
          this.#assumed.add(budget);
        }
      }
    }
    // Freshdesk's own figure wins over a told plan's (a plan change, an add-on).
    this.#limits.total = total;
  }

  #on429(entry: Entry | undefined, retryAfterSeconds: number | undefined, now: number): void {
    const until = now + (retryAfterSeconds ?? Math.ceil(this.windowMs / 1000)) * 1000;
    const endpoint = entry?.endpoint;
    const total = this.#limits.total;
    // The answer does not say which limit was hit: blame the endpoint's sub-limit only when the
    // account total still had room for the call by the gateway's own count.
    const totalHadRoom =
      total !== undefined && entry !== undefined && this.used('total') + entry.credits <= total;
    const budget: BudgetName = endpoint && totalHadRoom ? endpoint : 'total';
    this.#paused[budget] = Math.max(this.#paused[budget] ?? 0, until);
    if (budget !== 'total' && this.#assumed.has(budget)) {
      // The assumed sub-limit was wrong: what this window held is the best lower bound there is.
      const learned = Math.max(1, this.used(budget));
      this.#limits[budget] = Math.min(this.#limits[budget] ?? learned, learned);
      this.#proven[budget] = this.#limits[budget];
      this.#assumed.delete(budget);
    }
  }

  /**
   * The earliest time at which `excess` credits counted on `budget` will have left the window;
   * undefined when that needs calls still in flight (unless `assumeInFlightNow`).
   */
  #whenFits(budget: BudgetName, excess: number, assumeInFlightNow = false): number | undefined {
    if (excess <= 0) {
      return this.#now();
    }
    const now = this.#now();
    const expiries: { at: number; credits: number }[] = [];
    for (const entry of this.#entries.values()) {
      if (budget === 'total' || entry.endpoint === budget) {
        const at = entry.expiresAt ?? (assumeInFlightNow ? now + this.windowMs : undefined);
        if (at !== undefined) {
          expiries.push({ at, credits: entry.credits });
        }
      }
    }
    expiries.sort((a, b) => a.at - b.at);
    let freed = 0;
    for (const { at, credits } of expiries) {
      freed += credits;
      if (freed >= excess) {
        return at;
      }
    }
    return undefined;
  }

  #prune(): void {
    const now = this.#now();
    const stale = now - MAX_IN_FLIGHT_WINDOWS * this.windowMs;
    for (const [id, entry] of this.#entries) {
      if (entry.expiresAt === undefined && entry.sentAt < stale) {
        // Never settled nor abandoned (the client lost track of it): assume answered back then.
        entry.expiresAt = entry.sentAt + MAX_IN_FLIGHT_WINDOWS * this.windowMs;
        this.#release(id);
      }
      if (entry.expiresAt !== undefined && entry.expiresAt <= now) {
        this.#entries.delete(id);
      }
    }
  }
}

function headerInt(value: string | undefined): number | undefined {
  if (value === undefined || value.trim() === '') {
    return undefined;
  }
  const n = Number(value);
  return Number.isFinite(n) && n >= 0 ? Math.floor(n) : undefined;
}
