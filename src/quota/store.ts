/**
 * Where the budget lives. In one process it is memory; with several gateway replicas on one
 * Freshdesk account (REDIS_URL) it is shared (`shared-store.ts`: Lua scripts in Redis, with a local
 * fallback), so every method is async and each one is a single atomic step.
 */
import {
  BudgetModel,
  type BudgetOptions,
  type BudgetSnapshot,
  type Outcome,
  type Reservation,
  type SpendRequest,
} from './budget.ts';
import type { BudgetName } from './plans.ts';
import type { Priority } from './quota-gate.ts';

export interface QuotaStore {
  /** Grants the credits atomically, or says which budget refused and when to try again. */
  reserve(request: SpendRequest): Promise<Reservation>;
  /** Reconciles a granted call with Freshdesk's answer (429s included). */
  settle(id: number, outcome: Outcome): Promise<void>;
  /** A granted call that got no answer; it may have been charged. */
  abandon(id: number): Promise<void>;
  /** A grant nobody used (its caller went away first): nothing was sent. */
  cancel(id: number): Promise<void>;
  /**
   * Milliseconds until `demand` credits could all be granted to `priority` (`unverified`: within
   * the share of credentials not yet seen to work).
   */
  waitFor(
    demand: Partial<Record<BudgetName, number>>,
    priority: Priority,
    unverified?: boolean,
  ): Promise<number>;
  snapshot(): Promise<BudgetSnapshot>;
  /** Stops what the store runs in the background (a shared store's heartbeat). */
  close?(): Promise<void>;
}

/** The in-process store: one BudgetModel. */
export class MemoryQuotaStore implements QuotaStore {
  readonly model: BudgetModel;

  constructor(options: BudgetOptions = {}) {
    this.model = new BudgetModel(options);
  }

  async reserve(request: SpendRequest): Promise<Reservation> {
    return this.model.reserve(request);
  }

  async settle(id: number, outcome: Outcome): Promise<void> {
    this.model.settle(id, outcome);
  }

  async abandon(id: number): Promise<void> {
    this.model.abandon(id);
  }

  async cancel(id: number): Promise<void> {
    this.model.cancel(id);
  }

  async waitFor(
    demand: Partial<Record<BudgetName, number>>,
    priority: Priority,
    unverified = false,
  ): Promise<number> {
    return this.model.waitFor(demand, priority, unverified);
  }

  async snapshot(): Promise<BudgetSnapshot> {
    return this.model.snapshot();
  }
}
