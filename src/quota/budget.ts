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
 *
 * Constant time: every counter is a running sum. Answered credits sit in an expiry queue of at most
 * `BUCKETS + 1` time buckets (each a window's 1/64th, expiries rounded up, so nothing is forgotten
 * early); calls in flight sit in a map in the order they were granted. Reserving, settling and
 * checking cost the same whether the window holds 100 calls or 100,000: no step walks the calls.
 * The same model fits a shared store: `redis-store.ts` runs it as Lua scripts over Redis hashes of
 * bucket sums, for replicas sharing one account.
 *
 * Work-conserving reserves: the bulk reserve is kept for interactive users and the webhook share
 * for webhook look-ups only while they want it. Bulk work may borrow the reserve when no interactive
 * (or explorer) call asked for budget in the last `borrowIdleMs` (a twelfth of a window: 5 s on a
 * minute), and the webhook share, as interactive work may, when no webhook call did; a refused
 * call's demand lasts until it may try again. Bulk work never borrows the last `BULK_HEADROOM` (5%)
 * of a budget, so an interactive or webhook call arriving during an export finds room at once; once
 * one asks, bulk is held to its own ceiling again and what leaves the window goes to that call
 * first (within one window at worst: everything counted now has left the window by then). Alone,
 * bulk work spends 95% of the plan.
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
  /**
   * Share of the account total that calls made with credentials not yet seen to work may have
   * counted at once (0..1): made-up keys cannot starve real users. @default 0.05
   */
  unverifiedShare?: number;
  /**
   * How long a call's demand holds the reserve (interactive, explorer) or the webhook share
   * (webhook) back from bulk work; 0 never lends them. @default max(100, windowMs / 12)
   */
  borrowIdleMs?: number;
  now?: () => number;
}

/** What a budget is made of, wherever it is kept (in-process, or shared in Redis). */
export type BudgetSettings = Pick<
  BudgetOptions,
  'plan' | 'windowMs' | 'bulkReserve' | 'webhookShare' | 'unverifiedShare' | 'borrowIdleMs'
>;

export interface SpendRequest {
  endpoint: MeteredEndpoint | undefined;
  credits: number;
  priority: Priority;
  /** Made with a credential Freshdesk has not accepted yet: limited to the unverified share. */
  unverified?: boolean;
}

/** What may refuse a call: a budget, or the share of credentials not yet seen to work. */
export type Limiter = BudgetName | 'unverified';

export type Reservation =
  | { ok: true; id: number }
  | {
      ok: false;
      /** What refused. */
      blockedOn: Limiter;
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
  /**
   * Credits per window known to pass when below `limit`: an assumed sub-limit not proven yet, or
   * one probing its way back after a 429 (beyond it, one call at a time). Null when not probing.
   */
  proven: number | null;
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

/** Counter slots: the five budgets, then the unverified share (the shared store uses the same). */
export const LIMITERS: readonly Limiter[] = [...BUDGET_NAMES, 'unverified'];
export const SLOT = Object.fromEntries(LIMITERS.map((name, i) => [name, i])) as Record<
  Limiter,
  number
>;
const TOTAL = SLOT.total;
const UNVERIFIED = SLOT.unverified;

/** A granted call not answered yet. */
interface Flight {
  credits: number;
  endpoint: MeteredEndpoint | undefined;
  unverified: boolean;
  sentAt: number;
}

/** Credits leaving the window at `at`, per counter slot. */
interface Bucket {
  at: number;
  sums: Float64Array;
}

/** Buckets per window: the expiry queue never holds more than this plus one. */
export const BUCKETS = 64;

/** Longest wait, in windows after a 429's pause, before a capped sub-limit climbs again. */
export const MAX_CLIMB_WAIT_WINDOWS = 8;
/** A capped sub-limit climbs back by this share of the plan's per window of demand. */
export const CLIMB_STEP = 0.25;

/**
 * A sub-limit held below the plan's after a 429: `cap` is what a window may hold now; calls that
 * take it beyond `proven` (the cap a whole window has passed at) go one at a time. The cap climbs
 * a step once `climbAt` has passed, if demand reached it meanwhile; a 429 sets it back to what the
 * window held and doubles the wait before the next climb.
 */
interface Cap {
  cap: number;
  proven: number;
  climbAt: number;
  waitWindows: number;
  demand: boolean;
}

/** How long an unanswered, unreported call stays "in flight" before it is assumed answered. */
export const MAX_IN_FLIGHT_WINDOWS = 2;

const zeros = (): Float64Array => new Float64Array(LIMITERS.length);

/** Who holds back what from bulk work when they want it: the reserve, or the webhook share. */
type DemandClass = 'interactive' | 'webhook';
const DEMAND_OF: Record<Priority, DemandClass | undefined> = {
  interactive: 'interactive',
  explorer: 'interactive',
  webhook: 'webhook',
  bulk: undefined,
};

/**
 * The part of each budget never lent to bulk work (when the reserves are that large): room an
 * interactive or webhook call finds at once however much bulk work borrowed.
 */
export const BULK_HEADROOM = 0.05;

/** The default `borrowIdleMs` for a window. */
export const borrowIdleFor = (windowMs: number): number => Math.max(100, Math.round(windowMs / 12));

/**
 * The share of a budget a priority class may have counted, given whether the reserve and the
 * webhook share are lent to bulk work now. Written once for the in-process model and mirrored by
 * the Lua of the shared store (`redis-budget-lua.ts`, same arithmetic, same rounding).
 */
export function classShare(
  priority: Priority,
  reserve: number,
  webhookShare: number,
  lendReserve: boolean,
  lendWebhook: boolean,
): number {
  if (priority === 'webhook') {
    return 1;
  }
  if (priority !== 'bulk') {
    return lendWebhook ? 1 : 1 - webhookShare;
  }
  if (lendWebhook) {
    return lendReserve ? 1 - Math.min(BULK_HEADROOM, reserve + webhookShare) : 1 - reserve;
  }
  return lendReserve
    ? 1 - webhookShare - Math.min(BULK_HEADROOM, reserve)
    : 1 - webhookShare - reserve;
}

/**
 * The expiry queue: a ring of preallocated buckets in time order (nothing allocated per call).
 * Expiries lie within a window of now, so it never holds more than `BUCKETS + 1`; were it full,
 * credits would join the last bucket (a later expiry: safe).
 */
class ExpiryRing {
  readonly #ring: Bucket[] = Array.from({ length: BUCKETS + 2 }, () => ({ at: 0, sums: zeros() }));
  #head = 0;
  size = 0;

  /** The `i`-th bucket from the oldest. */
  at(i: number): Bucket {
    return this.#ring[(this.#head + i) % this.#ring.length] as Bucket;
  }

  /** The bucket expiring at `at` (or the last one, when that is later). */
  bucketFor(at: number): Bucket {
    const tail = this.size > 0 ? this.at(this.size - 1) : undefined;
    if (tail !== undefined && (tail.at >= at || this.size === this.#ring.length)) {
      return tail;
    }
    const bucket = this.at(this.size);
    bucket.at = at;
    this.size += 1;
    return bucket;
  }

  /** Takes the oldest bucket out (the caller has read it; its sums are zero again). */
  shift(): void {
    this.#head = (this.#head + 1) % this.#ring.length;
    this.size -= 1;
  }
}

export class BudgetModel {
  readonly windowMs: number;
  readonly #now: () => number;
  readonly #reserve: number;
  readonly #webhookShare: number;
  readonly #borrowIdleMs: number;
  /** Until when interactive (and explorer) calls, and webhook calls, hold their part back from bulk. */
  #demandUntil: Record<DemandClass, number> = {
    interactive: Number.NEGATIVE_INFINITY,
    webhook: Number.NEGATIVE_INFINITY,
  };
  /** The part of the plan this model may spend (below 1: a replica alone, cut off from the others). */
  #share = 1;
  readonly #unverifiedShare: number;
  readonly #bucketMs: number;
  #planName: string | null;
  #source: BudgetSnapshot['source'];
  #limits: Partial<Record<BudgetName, number>>;
  /**
   * Endpoints whose sub-limit is not trusted in full: assumed (learned plan) or hit by a 429. Up to
   * `proven` credits a window flow freely; beyond it, one call at a time, each success raising it.
   */
  #proven: Partial<Record<MeteredEndpoint, number>> = {};
  /** Sub-limits held below the plan's after a 429, climbing back a step per window (`#recover`). */
  #capped: Partial<Record<MeteredEndpoint, Cap>> = {};
  #flights = new Map<number, Flight>();
  #inFlight = zeros();
  #answered = zeros();
  #buckets = new ExpiryRing();
  #paused: Partial<Record<BudgetName, number>> = {};
  #probe: number | undefined;
  #risky: number | undefined;
  #nextId = 1;
  #lastReported: BudgetSnapshot['lastReported'] = null;

  constructor(options: BudgetOptions = {}) {
    this.windowMs = options.windowMs ?? 60_000;
    this.#now = options.now ?? Date.now;
    this.#bucketMs = Math.max(1, Math.ceil(this.windowMs / BUCKETS));
    const reserve = options.bulkReserve ?? 0.25;
    const share = options.webhookShare ?? 0.1;
    if (!(reserve >= 0 && share >= 0 && reserve + share < 1)) {
      throw new TypeError(
        `bulkReserve and webhookShare must be non-negative and add up to less than 1; got ${reserve} and ${share}.`,
      );
    }
    this.#unverifiedShare = options.unverifiedShare ?? 0.05;
    if (!(this.#unverifiedShare > 0 && this.#unverifiedShare <= 1)) {
      throw new TypeError(`unverifiedShare must be in (0, 1]; got ${this.#unverifiedShare}.`);
    }
    this.#reserve = reserve;
    this.#webhookShare = share;
    this.#borrowIdleMs = options.borrowIdleMs ?? borrowIdleFor(this.windowMs);
    this.#planName = options.plan?.name ?? null;
    this.#source = options.plan ? 'told' : 'unknown';
    this.#limits = options.plan ? { ...options.plan.limits } : {};
  }

  /**
   * The most one priority class may have counted on a budget at once, now (bulk's depends on who
   * else asked lately); undefined when unlimited.
   */
  ceiling(budget: BudgetName, priority: Priority): number | undefined {
    const limit =
      (budget === 'total' ? undefined : this.#capped[budget]?.cap) ?? this.#limits[budget];
    if (limit === undefined) {
      return undefined;
    }
    const now = this.#now();
    const share = classShare(
      priority,
      this.#reserve,
      this.#webhookShare,
      this.#borrowIdleMs > 0 && now > this.#demandUntil.interactive,
      this.#borrowIdleMs > 0 && now > this.#demandUntil.webhook,
    );
    return limit === 0 ? 0 : Math.max(1, Math.floor(limit * this.#share * share));
  }

  /** The most credentials not yet seen to work may have counted at once; undefined when unknown. */
  unverifiedCeiling(): number | undefined {
    const total = this.#limits.total;
    return total === undefined
      ? undefined
      : Math.max(1, Math.floor(total * this.#share * this.#unverifiedShare));
  }

  /**
   * Spends at most `share` (0..1] of every limit: a replica that lost the budget it shares with
   * others goes on alone with its part of the plan; 1 again when it rejoins.
   */
  setShare(share: number): void {
    if (!(share > 0 && share <= 1)) {
      throw new TypeError(`share must be in (0, 1]; got ${share}.`);
    }
    this.#share = share;
  }

  /** Notes that `priority` wants budget until `until` at least (bulk wants nothing held back). */
  #demand(priority: Priority, until: number): void {
    const holder = DEMAND_OF[priority];
    if (holder !== undefined && this.#borrowIdleMs > 0) {
      this.#demandUntil[holder] = Math.max(this.#demandUntil[holder], until);
    }
  }

  /** Credits counted on a budget now: calls in flight plus answers less than a window old. */
  used(budget: Limiter): number {
    this.#prune(this.#now());
    return this.#used(SLOT[budget]);
  }

  /** Grants the credits if every budget the call touches has room for its priority class. */
  reserve(request: SpendRequest): Reservation {
    const now = this.#now();
    this.#prune(now);
    this.#demand(request.priority, now + this.#borrowIdleMs);
    const refused = this.#refuse(request, now);
    if (refused !== undefined && !refused.ok && refused.retryAt !== undefined) {
      // Held back from bulk work until this call may try again.
      this.#demand(request.priority, refused.retryAt);
    }
    return refused ?? this.#grant(request, now);
  }

  /** Why `request` cannot be granted now, or undefined when it can. */
  #refuse(request: SpendRequest, now: number): Extract<Reservation, { ok: false }> | undefined {
    const endpoint = request.endpoint;
    const budgets: BudgetName[] = endpoint ? ['total', endpoint] : ['total'];
    for (const budget of budgets) {
      const paused = this.#paused[budget];
      if (paused !== undefined && paused > now) {
        return { ok: false, blockedOn: budget, retryAt: paused };
      }
    }
    if (this.#limits.total === undefined) {
      // Nothing known yet: one call at a time until an answer tells the plan.
      return this.#probe === undefined
        ? undefined
        : { ok: false, blockedOn: 'total', retryAt: undefined };
    }
    if (endpoint) {
      this.#recover(endpoint, now);
    }
    for (const budget of budgets) {
      const ceiling = this.ceiling(budget, request.priority);
      if (ceiling === undefined) {
        continue;
      }
      const used = this.#used(SLOT[budget]);
      if (used + request.credits > ceiling) {
        const capped = budget === 'total' ? undefined : this.#capped[budget];
        if (capped) {
          capped.demand = true;
        }
        return {
          ok: false,
          blockedOn: budget,
          retryAt: this.#whenFits(SLOT[budget], used + request.credits - ceiling, now),
        };
      }
    }
    if (request.unverified) {
      const ceiling = this.unverifiedCeiling() ?? 1;
      const used = this.#used(UNVERIFIED);
      if (used + request.credits > ceiling) {
        return {
          ok: false,
          blockedOn: 'unverified',
          retryAt: this.#whenFits(UNVERIFIED, used + request.credits - ceiling, now),
        };
      }
    }
    if (this.#isRisky(request) && this.#risky !== undefined) {
      // Beyond what is proven, one call at a time: a wrong guess costs one 429 at most.
      return { ok: false, blockedOn: endpoint ?? 'total', retryAt: undefined };
    }
    return undefined;
  }

  /** Whether a call goes beyond what a window has proven on its endpoint's sub-limit. */
  #isRisky(request: SpendRequest): boolean {
    const endpoint = request.endpoint;
    if (!endpoint) {
      return false;
    }
    const used = this.#used(SLOT[endpoint]) + request.credits;
    const capped = this.#capped[endpoint];
    const proven = this.#proven[endpoint];
    return (
      (capped !== undefined && used > capped.proven) || (proven !== undefined && used > proven)
    );
  }

  #grant(request: SpendRequest, now: number): Reservation {
    const unknown = this.#limits.total === undefined;
    const risky = !unknown && this.#isRisky(request);
    const id = this.#add(request, now);
    if (unknown) {
      this.#probe = id;
    } else if (risky) {
      this.#risky = id;
    }
    return { ok: true, id };
  }

  /**
   * Counts a call granted elsewhere (by the shared budget this model stands in for while it
   * answers), without checking anything: settle, abandon or cancel it like any other.
   */
  record(request: SpendRequest): number {
    return this.#add(request, this.#now());
  }

  /**
   * Counts credits spent by others (other replicas, seen in the shared budget's running sums)
   * until `expiresAt`, per counter.
   */
  countOthers(credits: Partial<Record<Limiter, number>>, expiresAt: number): void {
    const now = this.#now();
    if (expiresAt <= now) {
      return;
    }
    const bucket = this.#buckets.bucketFor(Math.ceil(expiresAt / this.#bucketMs) * this.#bucketMs);
    for (const limiter of LIMITERS) {
      const value = credits[limiter];
      if (value !== undefined && value > 0) {
        const slot = SLOT[limiter];
        bucket.sums[slot] = (bucket.sums[slot] as number) + value;
        this.#answered[slot] = (this.#answered[slot] as number) + value;
      }
    }
  }

  /**
   * Reconciles with Freshdesk's answer to a granted call (429s included). `others: false` leaves
   * out the credits `X-RateLimit-Remaining` says others spent (a shared budget counts those).
   */
  settle(id: number, outcome: Outcome, options: { others?: boolean } = {}): void {
    const now = this.#now();
    this.#prune(now);
    const flight = this.#land(id);
    const total = headerInt(outcome.headers['x-ratelimit-total']);
    if (total !== undefined) {
      this.#learnTotal(total);
    }
    if (outcome.status === 429) {
      // Refused calls cost nothing.
      this.#on429(flight, headerInt(outcome.headers['retry-after']), now);
      return;
    }
    if (!flight) {
      return;
    }
    const charged = headerInt(outcome.headers['x-ratelimit-used-currentrequest']);
    this.#count(flight, charged ?? flight.credits, now + this.windowMs);
    const endpoint = flight.endpoint;
    const proven = endpoint ? this.#proven[endpoint] : undefined;
    if (endpoint && proven !== undefined) {
      const held = Math.max(proven, this.#used(SLOT[endpoint]));
      const limit = this.#limits[endpoint];
      if (limit !== undefined && held >= limit) {
        // The whole assumed sub-limit is proven.
        delete this.#proven[endpoint];
      } else {
        this.#proven[endpoint] = held;
      }
    }
    const remaining = headerInt(outcome.headers['x-ratelimit-remaining']);
    const limit = this.#limits.total;
    if (remaining !== undefined) {
      this.#lastReported = { remaining, at: now };
      if (limit !== undefined && options.others !== false) {
        // Freshdesk counts the whole account: credits it reports beyond ours were spent by others
        // (other integrations, apps, webhooks' own calls). Count them too, for one window.
        const others = limit - remaining - this.#used(TOTAL);
        if (others > 0) {
          this.#addOthers(others, now + this.windowMs);
        }
      }
    }
  }

  /** A granted call that got no answer (timeout, reset): it may have been charged, so keep it a window. */
  abandon(id: number): void {
    const now = this.#now();
    const flight = this.#land(id);
    if (flight) {
      this.#count(flight, flight.credits, now + this.windowMs);
    }
  }

  /** A grant that was never used: forget it entirely. */
  cancel(id: number): void {
    this.#land(id);
  }

  /**
   * Milliseconds until `demand` credits could all be granted to `priority` (queued work ahead of it
   * included by the caller in `demand`), assuming calls in flight are answered now. Work larger than
   * one window's ceiling spreads over several windows. 0 when the plan is unknown. With
   * `unverified`, the demand also has to fit the unverified share.
   */
  waitFor(
    demand: Partial<Record<BudgetName, number>>,
    priority: Priority,
    unverified = false,
  ): number {
    const now = this.#now();
    this.#prune(now);
    this.#demand(priority, now + this.#borrowIdleMs);
    let wait = 0;
    const checks: [Limiter, number | undefined][] = BUDGET_NAMES.map((budget) => [
      budget,
      this.ceiling(budget, priority),
    ]);
    if (unverified) {
      checks.push(['unverified', this.unverifiedCeiling()]);
    }
    for (const [limiter, ceiling] of checks) {
      const credits = demand[limiter === 'unverified' ? 'total' : limiter] ?? 0;
      if (credits <= 0 || ceiling === undefined) {
        continue;
      }
      if (ceiling === 0) {
        return Number.POSITIVE_INFINITY;
      }
      const slot = SLOT[limiter];
      const paused = limiter === 'unverified' ? 0 : Math.max(0, (this.#paused[limiter] ?? 0) - now);
      const used = this.#used(slot);
      let at: number;
      if (credits <= ceiling) {
        at = this.#whenFits(slot, used + credits - ceiling, now, true) ?? now;
      } else {
        const allFree = this.#whenFits(slot, used, now, true) ?? now;
        at = allFree + (Math.ceil(credits / ceiling) - 1) * this.windowMs;
      }
      wait = Math.max(wait, paused, at - now);
    }
    return wait;
  }

  snapshot(): BudgetSnapshot {
    const now = this.#now();
    this.#prune(now);
    const budgets = BUDGET_NAMES.filter(
      (name) => name === 'total' || this.#limits[name] !== undefined,
    ).map((name): BudgetView => {
      const slot = SLOT[name];
      const capped = name === 'total' ? undefined : this.#recover(name, now);
      const full = capped?.cap ?? this.#limits[name];
      // A replica on its own reports the part of the plan it may spend.
      const limit =
        full === undefined ? null : this.#share < 1 ? Math.floor(full * this.#share) : full;
      const used = this.#used(slot);
      const paused = this.#paused[name];
      const proven = name === 'total' ? undefined : (capped?.proven ?? this.#proven[name]);
      return {
        name,
        limit,
        used,
        remaining: limit === null ? null : Math.max(0, limit - used),
        resetAt: this.#resetAt(slot, now),
        pausedUntil: paused !== undefined && paused > now ? paused : null,
        proven: proven ?? null,
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

  #used(slot: number): number {
    return (this.#inFlight[slot] as number) + (this.#answered[slot] as number);
  }

  /** Adds `credits` to `counters` on every slot a call counts against (total, endpoint, share). */
  #apply(
    counters: Float64Array,
    flight: Pick<Flight, 'endpoint' | 'unverified'>,
    credits: number,
  ): void {
    counters[TOTAL] = (counters[TOTAL] as number) + credits;
    if (flight.endpoint) {
      const slot = SLOT[flight.endpoint];
      counters[slot] = (counters[slot] as number) + credits;
    }
    if (flight.unverified) {
      counters[UNVERIFIED] = (counters[UNVERIFIED] as number) + credits;
    }
  }

  #add(request: SpendRequest, now: number): number {
    const id = this.#nextId++;
    const flight: Flight = {
      credits: request.credits,
      endpoint: request.endpoint,
      unverified: request.unverified === true,
      sentAt: now,
    };
    this.#flights.set(id, flight);
    this.#apply(this.#inFlight, flight, flight.credits);
    return id;
  }

  /** Takes a call out of flight (answered, abandoned or cancelled); returns it if it was there. */
  #land(id: number): Flight | undefined {
    if (this.#probe === id) {
      this.#probe = undefined;
    }
    if (this.#risky === id) {
      this.#risky = undefined;
    }
    const flight = this.#flights.get(id);
    if (flight) {
      this.#flights.delete(id);
      this.#apply(this.#inFlight, flight, -flight.credits);
    }
    return flight;
  }

  /** Counts an answered call's credits until `expiresAt`. */
  #count(flight: Flight, credits: number, expiresAt: number): void {
    const bucket = this.#buckets.bucketFor(Math.ceil(expiresAt / this.#bucketMs) * this.#bucketMs);
    this.#apply(bucket.sums, flight, credits);
    this.#apply(this.#answered, flight, credits);
  }

  /** Counts credits on the total alone (others' spending seen in Freshdesk's headers). */
  #addOthers(credits: number, expiresAt: number): void {
    this.#count({ credits, endpoint: undefined, unverified: false, sentAt: 0 }, credits, expiresAt);
  }

  #prune(now: number): void {
    while (this.#buckets.size > 0 && this.#buckets.at(0).at <= now) {
      const sums = this.#buckets.at(0).sums;
      for (let slot = 0; slot < sums.length; slot++) {
        this.#answered[slot] = (this.#answered[slot] as number) - (sums[slot] as number);
        sums[slot] = 0;
      }
      this.#buckets.shift();
    }
    // Calls never settled nor abandoned (the client lost track of them) are assumed answered two
    // windows after they were granted, so they have left the window too. Oldest first.
    const stale = now - MAX_IN_FLIGHT_WINDOWS * this.windowMs;
    for (const [id, flight] of this.#flights) {
      if (flight.sentAt >= stale) {
        break;
      }
      this.#land(id);
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
          // Assumed, not told: proven one window at a time.
          this.#proven[budget] = 0;
        }
      }
    }
    // Freshdesk's own figure wins over a told plan's (a plan change, an add-on).
    this.#limits.total = total;
  }

  #on429(flight: Flight | undefined, retryAfterSeconds: number | undefined, now: number): void {
    const until = now + (retryAfterSeconds ?? Math.ceil(this.windowMs / 1000)) * 1000;
    const endpoint = flight?.endpoint;
    const total = this.#limits.total;
    // The answer does not say which limit was hit: blame the endpoint's sub-limit only when the
    // account total still had room for the call by the gateway's own count.
    const totalHadRoom =
      total !== undefined && flight !== undefined && this.#used(TOTAL) + flight.credits <= total;
    const budget: BudgetName = endpoint && totalHadRoom ? endpoint : 'total';
    this.#paused[budget] = Math.max(this.#paused[budget] ?? 0, until);
    if (budget !== 'total') {
      // The sub-limit had less room than counted: someone else spends it too, or it is lower than
      // assumed. Hold it at what this window held, and do not shrink it for good: after the pause
      // (a window later after a second 429, twice that after a third...) it climbs back a step per
      // window of demand without a 429, calls beyond what is proven going one at a time.
      const held = Math.max(1, this.#used(SLOT[budget]));
      const before = this.#capped[budget];
      const waitWindows =
        before === undefined
          ? 0
          : Math.min(MAX_CLIMB_WAIT_WINDOWS, Math.max(1, before.waitWindows * 2));
      this.#capped[budget] = {
        cap: held,
        proven: held,
        climbAt: until + waitWindows * this.windowMs,
        waitWindows,
        demand: false,
      };
      delete this.#proven[budget];
    }
  }

  /** A capped sub-limit's state now, after climbing a step if it is due (constant time). */
  #recover(endpoint: MeteredEndpoint, now: number): Cap | undefined {
    const capped = this.#capped[endpoint];
    if (capped === undefined || now < capped.climbAt) {
      return capped;
    }
    const limit = this.#limits[endpoint] ?? capped.cap;
    if (capped.demand) {
      // A window passed at this cap without a 429 while demand reached it: it is proven; climb.
      capped.proven = capped.cap;
      capped.cap = Math.min(limit, capped.cap + Math.max(1, Math.ceil(limit * CLIMB_STEP)));
      capped.demand = false;
      if (capped.proven >= limit) {
        delete this.#capped[endpoint];
        return undefined;
      }
    }
    capped.climbAt = now + this.windowMs;
    return capped;
  }

  /**
   * The earliest time at which `excess` credits counted on `slot` will have left the window;
   * undefined when that needs calls still in flight (unless `assumeInFlightNow`). At most one walk
   * over the expiry buckets: constant time.
   */
  #whenFits(
    slot: number,
    excess: number,
    now: number,
    assumeInFlightNow = false,
  ): number | undefined {
    if (excess <= 0) {
      return now;
    }
    let freed = 0;
    for (let i = 0; i < this.#buckets.size; i++) {
      const bucket = this.#buckets.at(i);
      freed += bucket.sums[slot] as number;
      if (freed >= excess) {
        return bucket.at;
      }
    }
    if (assumeInFlightNow && freed + (this.#inFlight[slot] as number) >= excess) {
      return now + this.windowMs;
    }
    return undefined;
  }

  #resetAt(slot: number, now: number): number | null {
    if ((this.#inFlight[slot] as number) > 0) {
      return now + this.windowMs;
    }
    for (let i = this.#buckets.size - 1; i >= 0; i--) {
      const bucket = this.#buckets.at(i);
      if ((bucket.sums[slot] as number) > 0) {
        return bucket.at;
      }
    }
    return null;
  }
}

export function headerInt(value: string | undefined): number | undefined {
  if (value === undefined || value.trim() === '') {
    return undefined;
  }
  const n = Number(value);
  return Number.isFinite(n) && n >= 0 ? Math.floor(n) : undefined;
}
