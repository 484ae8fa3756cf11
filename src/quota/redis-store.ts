/**
 * The account's budget in Redis, shared by every gateway replica (`REDIS_URL`): each `QuotaStore`
 * call is one of the Lua scripts in `redis-budget-lua.ts` (one round trip, atomic, constant time),
 * on Redis' clock; times in its answers are turned into this process's clock. A call rejects when
 * Redis is down or slower than the manager's timeout; `shared-store.ts` falls back then.
 *
 * Every answer also carries what a replica needs to go on alone when Redis goes away (`SharedSync`):
 * how many replicas share the account, and the running sums (`cum`: credits ever counted, per
 * slot), whose growth between two answers is what the other replicas spent meanwhile.
 */
import {
  type BudgetSettings,
  type BudgetSnapshot,
  type BudgetView,
  borrowIdleFor,
  headerInt,
  LIMITERS,
  type Outcome,
  type Reservation,
  SLOT,
  type SpendRequest,
} from './budget.ts';
import { BUDGET_NAMES, type BudgetName, planForTotal } from './plans.ts';
import type { Priority } from './quota-gate.ts';
import { COMMON_ARGS, QUOTA_KEYS, QUOTA_SCRIPTS } from './redis-budget-lua.ts';
import type { QuotaStore } from './store.ts';

/**
 * What the shared store needs of the Redis connection manager (`src/redis/redis.ts`, which
 * satisfies it): quota imports nothing of the rest of the project.
 */
export interface QuotaRedis {
  /** This process among the replicas. */
  readonly replicaId: string;
  key(...parts: string[]): string;
  script(lua: string, numberOfKeys: number): RedisScript;
  isUp(): boolean;
  onHealth(listener: (health: { status: string; lastError?: string }) => void): () => void;
  /** Shows how the store is doing beside Redis' health (`/ready`). */
  report?(name: string, describe: () => unknown): () => void;
}

/** A Lua script run with EVALSHA; rejects when Redis does not answer in time. */
export interface RedisScript {
  run(keys: readonly string[], args: readonly (string | number)[]): Promise<unknown>;
}

/** A replica heard from within this long is live. */
export const LIVE_MS = 2_000;
/** A replica not heard from for longer than `LIVE_MS` counts as missing (cut off) for this many windows. */
export const MISSING_WINDOWS = 5;

export interface RedisQuotaOptions extends BudgetSettings {
  redis: QuotaRedis;
  /** Key scope: the account's tag (`accountTag(origin)`). */
  account: string;
  /** @default LIVE_MS */
  liveMs?: number;
  /** @default MISSING_WINDOWS windows */
  missingMs?: number;
  /** This process's clock. */
  now?: () => number;
  /** Told of every answer's `SharedSync`, in the order Redis answered. */
  onSync?: (sync: SharedSync) => void;
  /**
   * Tests: the scripts' clock too (instead of Redis' own), so a scenario can be replayed against
   * this store and the in-process model alike.
   */
  fixedClock?: boolean;
}

/** What a replica learns from each answer (see the module comment). */
export interface SharedSync {
  /** Replicas live or missing (`r` in Redis), this one included. */
  replicas: number;
  /** Credits ever counted, per slot (`LIMITERS` order). */
  cum: number[];
  /** What this call added to `cum` for this replica. */
  own: number[];
  /** Credits counted now (in flight and answered within the window), per slot. */
  used: number[];
  /** Redis' clock at the answer (epoch ms). */
  clock: number;
}

/** A granted call's answer, told to Redis later (it was away when the answer came). */
export interface PendingAnswer {
  kind: 'settle' | 'abandon' | 'cancel';
  id: number;
  /** Credits to count (charged, or reserved for an abandoned call). */
  credits: number;
  /** When the answer came (this process's clock). */
  at: number;
}

/** Credits this replica counted on its own, leaving the window at `expiresAt`, per slot. */
export interface LocalSpending {
  expiresAt: number;
  sums: readonly number[];
}

const num = (value: number | undefined): string => (value === undefined ? '' : String(value));

export class RedisQuotaStore implements QuotaStore {
  readonly windowMs: number;
  readonly #keys: string[];
  readonly #common: (string | number)[];
  readonly #now: () => number;
  readonly #fixed: boolean;
  readonly #scripts: Record<keyof typeof QUOTA_SCRIPTS, RedisScript>;
  readonly #onSync: ((sync: SharedSync) => void) | undefined;

  constructor(options: RedisQuotaOptions) {
    this.windowMs = options.windowMs ?? 60_000;
    this.#now = options.now ?? Date.now;
    this.#fixed = options.fixedClock === true;
    this.#onSync = options.onSync;
    const base = options.redis.key('quota', options.account);
    this.#keys = ['s', 'b', 'bt', 'f', 'fs', 'r'].map((part) => `${base}:${part}`);
    const limits = options.plan?.limits;
    this.#common = [
      '', // the clock: filled per call
      this.windowMs,
      options.bulkReserve ?? 0.25,
      options.webhookShare ?? 0.1,
      options.unverifiedShare ?? 0.05,
      options.borrowIdleMs ?? borrowIdleFor(this.windowMs),
      options.redis.replicaId,
      options.liveMs ?? LIVE_MS,
      options.missingMs ?? MISSING_WINDOWS * this.windowMs,
      options.plan?.name ?? '',
      ...BUDGET_NAMES.map((name) => num(limits?.[name])),
    ];
    if (this.#common.length !== COMMON_ARGS) {
      throw new Error('quota scripts: common arguments out of step');
    }
    this.#scripts = Object.fromEntries(
      Object.entries(QUOTA_SCRIPTS).map(([name, lua]) => [
        name,
        options.redis.script(lua, QUOTA_KEYS),
      ]),
    ) as Record<keyof typeof QUOTA_SCRIPTS, RedisScript>;
  }

  /** The Redis keys of this account's budget (tests, clean-up). */
  get keys(): readonly string[] {
    return this.#keys;
  }

  async reserve(request: SpendRequest): Promise<Reservation> {
    const [granted, id, retryAt, ...rest] = await this.#run('reserve', [
      request.endpoint ? SLOT[request.endpoint] : 0,
      request.credits,
      request.priority,
      request.unverified ? 1 : 0,
    ]);
    const sync = this.#tail(rest);
    if (granted === 1) {
      return { ok: true, id: id as number };
    }
    return {
      ok: false,
      blockedOn: LIMITERS[id as number] as BudgetName | 'unverified',
      retryAt: retryAt === -1 ? undefined : this.#toLocal(retryAt as number, sync.clock),
    };
  }

  async settle(id: number, outcome: Outcome): Promise<void> {
    const h = outcome.headers;
    const total = headerInt(h['x-ratelimit-total']);
    const guess = total === undefined ? undefined : planForTotal(total);
    this.#tail(
      await this.#run('settle', [
        id,
        outcome.status,
        num(headerInt(h['x-ratelimit-used-currentrequest'])),
        num(total),
        num(headerInt(h['x-ratelimit-remaining'])),
        num(headerInt(h['retry-after'])),
        guess?.name ?? '',
        ...BUDGET_NAMES.map((name) => num(guess?.limits[name])),
      ]),
    );
  }

  async abandon(id: number, ageMs = 0): Promise<void> {
    this.#tail(await this.#run('abandon', [id, ageMs]));
  }

  async cancel(id: number): Promise<void> {
    this.#tail(await this.#run('cancel', [id]));
  }

  async waitFor(
    demand: Partial<Record<BudgetName, number>>,
    priority: Priority,
    unverified = false,
  ): Promise<number> {
    const [wait, ...rest] = await this.#run('waitFor', [
      ...BUDGET_NAMES.map((name) => demand[name] ?? 0),
      priority,
      unverified ? 1 : 0,
    ]);
    this.#tail(rest);
    return wait === -1 ? Number.POSITIVE_INFINITY : (wait as number);
  }

  async snapshot(): Promise<BudgetSnapshot & { replicas: number }> {
    const text = (await this.#script('snapshot')) as string;
    const raw = JSON.parse(text) as {
      plan: string;
      source: BudgetSnapshot['source'];
      now: number;
      replicas: number;
      rep: number;
      repAt: number;
      budgets: number[][];
    };
    const local = (t: number): number | null => (t === -1 ? null : this.#toLocal(t, raw.now));
    const budgets = raw.budgets.map(([slot, limit, used, resetAt, paused, proven]): BudgetView => {
      const known = limit === -1 ? null : (limit as number);
      return {
        name: BUDGET_NAMES[slot as number] as BudgetName,
        limit: known,
        used: used as number,
        remaining: known === null ? null : Math.max(0, known - (used as number)),
        resetAt: local(resetAt as number),
        pausedUntil: local(paused as number),
        proven: proven === -1 ? null : (proven as number),
      };
    });
    return {
      plan: raw.plan === '' ? null : raw.plan,
      source: raw.source,
      windowMs: this.windowMs,
      lastReported:
        raw.rep === -1 ? null : { remaining: raw.rep, at: local(raw.repAt) ?? this.#now() },
      budgets,
      replicas: raw.replicas,
    };
  }

  /** Refreshes this replica's heartbeat. */
  async heartbeat(): Promise<SharedSync> {
    return this.#tail(await this.#run('heartbeat', []));
  }

  /**
   * Tells Redis what happened while it was away: answers to calls it had granted, and the credits
   * this replica spent on its own that still count.
   */
  async rejoin(
    answers: readonly PendingAnswer[],
    spending: readonly LocalSpending[],
  ): Promise<SharedSync> {
    const now = this.#now();
    const args: (string | number)[] = [answers.length];
    for (const answer of answers) {
      args.push(answer.kind[0] as string, answer.id, answer.credits, Math.max(0, now - answer.at));
    }
    for (const spent of spending) {
      args.push(Math.max(0, spent.expiresAt - now), ...spent.sums);
    }
    return this.#tail(await this.#run('rejoin', args));
  }

  /** This replica stops (it no longer counts as live or missing). */
  async leave(): Promise<void> {
    await this.#script('leave');
  }

  #toLocal(redisTime: number, redisNow: number): number {
    return this.#fixed ? redisTime : redisTime - redisNow + this.#now();
  }

  /** Reads the common end of an answer (clock, replicas, sums) and tells `onSync`. */
  #tail(values: unknown[]): SharedSync {
    const [redisNow, replicas, ...sums] = values as number[];
    const n = LIMITERS.length;
    const sync: SharedSync = {
      replicas: replicas as number,
      cum: sums.slice(0, n),
      own: sums.slice(n, 2 * n),
      used: sums.slice(2 * n, 3 * n),
      clock: redisNow as number,
    };
    this.#onSync?.(sync);
    return sync;
  }

  async #run(name: keyof typeof QUOTA_SCRIPTS, args: (string | number)[]): Promise<unknown[]> {
    return (await this.#script(name, args)) as unknown[];
  }

  #script(name: keyof typeof QUOTA_SCRIPTS, args: (string | number)[] = []): Promise<unknown> {
    const common = [...this.#common];
    common[0] = this.#fixed ? this.#now() : '';
    return this.#scripts[name].run(this.#keys, [...common, ...args]);
  }
}
