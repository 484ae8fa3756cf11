/**
 * Freshdesk's per-minute rate limits (freshdesk-api.md section 5): one credit budget per account and
 * window, plus sub-limits for four endpoints, counted in credits of calls to that endpoint.
 */
import type { MeteredEndpoint } from './http.ts';

/** Freshdesk's per-minute plans. */
export type PlanName = 'trial' | 'growth' | 'pro' | 'enterprise';

/** Credits per window. A missing sub-limit means that endpoint is bounded by `total` only. */
export interface PlanLimits {
  total: number;
  ticketCreate?: number;
  ticketUpdate?: number;
  ticketsList?: number;
  contactsList?: number;
}

/** A plan by name or by custom numbers. */
export type PlanOption = PlanName | PlanLimits;

/** A resolved plan: its name (`custom` for numbers) and limits. */
export interface Plan extends PlanLimits {
  name: PlanName | 'custom';
}

/** The published per-minute plans; trial has no sub-limits. */
export const PLANS: Readonly<Record<PlanName, PlanLimits>> = {
  trial: { total: 50 },
  growth: { total: 200, ticketCreate: 80, ticketUpdate: 80, ticketsList: 20, contactsList: 20 },
  pro: { total: 400, ticketCreate: 160, ticketUpdate: 160, ticketsList: 100, contactsList: 100 },
  enterprise: {
    total: 700,
    ticketCreate: 280,
    ticketUpdate: 280,
    ticketsList: 200,
    contactsList: 200,
  },
};

const SUB_LIMIT_KEY: Readonly<Record<MeteredEndpoint, keyof PlanLimits>> = {
  ticket_create: 'ticketCreate',
  ticket_update: 'ticketUpdate',
  tickets_list: 'ticketsList',
  contacts_list: 'contactsList',
};

/** Resolves a plan name or custom numbers; throws `TypeError` on anything else. */
export function resolvePlan(option: PlanOption): Plan {
  if (typeof option === 'string') {
    const limits = PLANS[option];
    if (!limits) {
      throw new TypeError(`Unknown plan '${option}': use trial, growth, pro or enterprise`);
    }
    return { name: option, ...limits };
  }
  if (typeof option !== 'object' || option === null) {
    throw new TypeError('A plan is a name or an object with a numeric `total`');
  }
  const plan: Plan = { name: 'custom', total: 0 };
  for (const key of [
    'total',
    'ticketCreate',
    'ticketUpdate',
    'ticketsList',
    'contactsList',
  ] as const) {
    const value = option[key];
    if (value === undefined && key !== 'total') {
      continue;
    }
    if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) {
      throw new TypeError(`Plan limit '${key}' must be a non-negative integer`);
    }
    plan[key] = value;
  }
  return plan;
}

/** One rate window's bookkeeping, kept so tests can prove no window went over the plan. */
export interface RateWindow {
  start: number;
  end: number;
  /** Credits charged in this window (429s cost nothing). */
  credits: number;
  /** Credits charged per metered endpoint. */
  endpoints: Partial<Record<MeteredEndpoint, number>>;
  /** Requests refused with 429. */
  rejected: number;
  /** The plan in force when the window opened. */
  plan: Plan;
}

/** The limiter's verdict on one request. */
export type Admission = { ok: true } | { ok: false; retryAfterSeconds: number };

export interface RateLimiterOptions {
  plan?: PlanOption;
  /** @default 60000 */
  windowMs?: number;
  now?: () => number;
  /** When false nothing is refused, but credits are still counted and reported. @default true */
  enabled?: boolean;
}

const MAX_HISTORY = 10_000;

/**
 * Fixed windows that open on the first request after the previous one ended, so a burst that starts a
 * window stays inside it (deterministic tests) while a client still sees a reset after `windowMs`.
 */
export class RateLimiter {
  #plan: Plan;
  readonly #windowMs: number;
  readonly #now: () => number;
  readonly #enabled: boolean;
  #current: RateWindow | undefined;
  #history: RateWindow[] = [];

  constructor(options: RateLimiterOptions = {}) {
    this.#plan = resolvePlan(options.plan ?? 'growth');
    this.#windowMs = options.windowMs ?? 60_000;
    if (!Number.isFinite(this.#windowMs) || this.#windowMs <= 0) {
      throw new TypeError('windowMs must be a positive number');
    }
    this.#now = options.now ?? Date.now;
    this.#enabled = options.enabled ?? true;
  }

  get plan(): Plan {
    return { ...this.#plan };
  }

  get windowMs(): number {
    return this.#windowMs;
  }

  setPlan(option: PlanOption): Plan {
    this.#plan = resolvePlan(option);
    if (this.#current) {
      this.#current.plan = this.#plan;
    }
    return this.plan;
  }

  /**
   * Charges `cost` credits if the total and the endpoint's sub-limit allow it; otherwise counts a
   * rejection and says how long until the window resets. A refused request costs nothing.
   */
  admit(cost: number, metered?: MeteredEndpoint): Admission {
    const window = this.#window();
    if (this.#enabled && !this.#fits(window, cost, metered)) {
      window.rejected += 1;
      const seconds = Math.ceil((window.end - this.#now()) / 1000);
      return { ok: false, retryAfterSeconds: Math.max(1, seconds) };
    }
    this.charge(cost, metered);
    return { ok: true };
  }

  /** Whether `cost` more credits would fit, without charging. */
  fits(cost: number, metered?: MeteredEndpoint): boolean {
    return !this.#enabled || this.#fits(this.#window(), cost, metered);
  }

  /** Charges unconditionally (e.g. the extra credits a write's answer turned out to cost). */
  charge(cost: number, metered?: MeteredEndpoint): void {
    const window = this.#window();
    window.credits += cost;
    if (metered) {
      window.endpoints[metered] = (window.endpoints[metered] ?? 0) + cost;
    }
  }

  /** The `X-RateLimit-*` headers for an answer that cost `cost`. */
  headers(cost: number): Record<string, string> {
    const window = this.#window();
    return {
      'X-RateLimit-Total': String(this.#plan.total),
      'X-RateLimit-Remaining': String(Math.max(0, this.#plan.total - window.credits)),
      'X-RateLimit-Used-CurrentRequest': String(cost),
    };
  }

  /** Every window so far, oldest first (copies). */
  history(): RateWindow[] {
    return this.#history.map((window) => ({
      ...window,
      endpoints: { ...window.endpoints },
      plan: { ...window.plan },
    }));
  }

  /** Forgets every window: the next request opens a fresh one. */
  reset(): void {
    this.#current = undefined;
    this.#history = [];
  }

  #window(): RateWindow {
    const now = this.#now();
    if (!this.#current || now >= this.#current.end) {
      this.#current = {
        start: now,
        end: now + this.#windowMs,
        credits: 0,
        endpoints: {},
        rejected: 0,
        plan: this.#plan,
      };
      this.#history.push(this.#current);
      if (this.#history.length > MAX_HISTORY) {
        this.#history.shift();
      }
    }
    return this.#current;
  }

  #fits(window: RateWindow, cost: number, metered?: MeteredEndpoint): boolean {
    if (window.credits + cost > this.#plan.total) {
      return false;
    }
    if (metered) {
      const limit = this.#plan[SUB_LIMIT_KEY[metered]];
      if (limit !== undefined && (window.endpoints[metered] ?? 0) + cost > limit) {
        return false;
      }
    }
    return true;
  }
}
