/**
 * The quota store of a replica that shares one Freshdesk account with others through Redis
 * (`REDIS_URL`): the budget lives in Redis (`redis-store.ts`) while Redis answers, and this replica
 * goes on alone, at once and without waiting on Redis, whenever it does not.
 *
 * - **Shared** (Redis answers): every call is one script in Redis; N replicas together stay inside
 *   the plan in every window, with the priority classes, reserves, learned limits and 429 pauses
 *   of all of them.
 * - **Local** (a Redis call failed or timed out: `DESKGRAPH_REDIS_TIMEOUT_MS`, or the connection
 *   manager saw Redis go): this replica spends at most **1/N of the plan**, N being the larger of
 *   `DESKGRAPH_REPLICAS` and the replicas Redis last showed (live, or missing for less than
 *   `MISSING_WINDOWS` windows); 2 when neither is known. It says so in its log and on `/ready`.
 *   So N replicas cut off together spend at most the plan between them. The switch itself is safe:
 *   the replica has kept a local copy of the budget all along (a `BudgetModel` shadow: its own calls,
 *   and what the others spent, read from the growth of Redis' running sums between two answers), so
 *   what was spent just before the cut still counts, and leaves the window as it would have.
 *   Freshdesk's `X-RateLimit-Remaining` keeps telling it what the others spend meanwhile.
 * - **Rejoining** (Redis answers again, checked every `HEARTBEAT_MS`): the replica first tells Redis
 *   the answers it could not report, and what it spent on its own that still counts (so the replicas
 *   that stayed connected, or rejoined first, count it), then shares again. Until a replica rejoins,
 *   the others keep its part of the plan for it (it is missing, not gone).
 *
 * A replica cut off alone for longer than `MISSING_WINDOWS` windows is taken for dead by the others
 * (they take its part back); a replica that stops cleanly leaves at once.
 */
import {
  BudgetModel,
  type BudgetSettings,
  type BudgetSnapshot,
  headerInt,
  LIMITERS,
  MAX_IN_FLIGHT_WINDOWS,
  type Outcome,
  type Reservation,
  SLOT,
  type SpendRequest,
} from './budget.ts';
import type { BudgetName } from './plans.ts';
import type { Priority } from './quota-gate.ts';
import {
  type LocalSpending,
  type PendingAnswer,
  type QuotaRedis,
  type RedisQuotaOptions,
  RedisQuotaStore,
  type SharedSync,
} from './redis-store.ts';
import type { QuotaStore } from './store.ts';

/** How often a replica stamps its heartbeat (shared), or checks whether Redis is back (local). */
export const HEARTBEAT_MS = 500;
/** The replicas assumed when neither `DESKGRAPH_REPLICAS` nor Redis ever said. */
export const DEFAULT_REPLICAS = 2;
/**
 * A call that waits on calls in flight (their answers free its room) asks again this often: the
 * answers may come to other replicas.
 */
export const POLL_MS = 100;
/** Answers kept for Redis while it is away (beyond, the oldest are left to expire there). */
const MAX_PENDING_ANSWERS = 10_000;

export interface QuotaLogger {
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
}

export interface SharedQuotaOptions
  extends BudgetSettings,
    Pick<RedisQuotaOptions, 'redis' | 'account' | 'liveMs'> {
  /** `DESKGRAPH_REPLICAS`: at least this many replicas share the account. */
  replicas?: number;
  logger: QuotaLogger;
  /** @default HEARTBEAT_MS */
  heartbeatMs?: number;
  now?: () => number;
}

export interface SharedQuotaStatus {
  /** `shared`: the budget is in Redis; `local`: this replica alone since `since`. */
  mode: 'shared' | 'local';
  since: string;
  /** Replicas sharing the account, as far as this one knows (the divisor of its local share). */
  replicas: number;
  /** While local: the part of the plan this replica may spend. */
  share: number | null;
}

/** One granted call: where it was granted, and its twin in the local shadow. */
interface Grant {
  request: SpendRequest;
  shadow: number;
  /** Its id in Redis, when Redis granted it. */
  shared?: number;
  /** Granted locally and already counted in Redis on rejoining. */
  exported?: boolean;
  /** When it was granted (grants never answered are forgotten, as the budget forgets them). */
  at: number;
}

/** The slots a call counts on, with `credits` on each. */
function slotsOf(request: SpendRequest, credits: number): number[] {
  const sums = new Array<number>(LIMITERS.length).fill(0);
  sums[SLOT.total] = credits;
  if (request.endpoint) {
    sums[SLOT[request.endpoint]] = credits;
  }
  if (request.unverified) {
    sums[SLOT.unverified] = credits;
  }
  return sums;
}

const addInto = (target: number[], sums: readonly number[], sign = 1): void => {
  for (let i = 0; i < target.length; i++) {
    target[i] = (target[i] as number) + sign * (sums[i] as number);
  }
};

/** What this replica spent on its own (local grants), until Redis is told on rejoining. */
class LocalLedger {
  readonly #bucketMs: number;
  #inFlight = new Array<number>(LIMITERS.length).fill(0);
  /** Answered credits by the (bucketed) time they leave the window. */
  #answered = new Map<number, number[]>();

  constructor(windowMs: number) {
    this.#bucketMs = Math.max(1, Math.ceil(windowMs / 64));
  }

  granted(request: SpendRequest): void {
    addInto(this.#inFlight, slotsOf(request, request.credits));
  }

  /** A local grant's end: nothing more (cancelled), or `credits` counted until `expiresAt`. */
  landed(request: SpendRequest, credits: number, expiresAt: number | undefined): void {
    addInto(this.#inFlight, slotsOf(request, request.credits), -1);
    if (expiresAt !== undefined && credits > 0) {
      const at = Math.ceil(expiresAt / this.#bucketMs) * this.#bucketMs;
      const sums = this.#answered.get(at) ?? new Array<number>(LIMITERS.length).fill(0);
      addInto(sums, slotsOf(request, credits));
      this.#answered.set(at, sums);
    }
  }

  /** Everything still counted (calls in flight as answered now), and forgets it. */
  take(now: number, windowMs: number): LocalSpending[] {
    const out: LocalSpending[] = [];
    for (const [at, sums] of this.#answered) {
      if (at > now) {
        out.push({ expiresAt: at, sums });
      }
    }
    if (this.#inFlight.some((v) => v > 0)) {
      out.push({ expiresAt: now + windowMs, sums: this.#inFlight });
    }
    this.#answered = new Map();
    this.#inFlight = new Array<number>(LIMITERS.length).fill(0);
    return out;
  }

  /** Puts back what `take` returned (Redis refused it after all). */
  restore(spending: readonly LocalSpending[]): void {
    for (const { expiresAt, sums } of spending) {
      const at = Math.ceil(expiresAt / this.#bucketMs) * this.#bucketMs;
      const into = this.#answered.get(at) ?? new Array<number>(LIMITERS.length).fill(0);
      addInto(into, sums);
      this.#answered.set(at, into);
    }
  }
}

export class SharedQuotaStore implements QuotaStore {
  readonly #shared: RedisQuotaStore;
  readonly #shadow: BudgetModel;
  readonly #redis: QuotaRedis;
  readonly #logger: QuotaLogger;
  readonly #now: () => number;
  readonly #windowMs: number;
  readonly #setting: number | undefined;
  readonly #ledger: LocalLedger;
  readonly #grants = new Map<number, Grant>();
  readonly #timer: ReturnType<typeof setInterval>;
  readonly #stopWatching: () => void;
  readonly #stopReporting: () => void;
  #nextId = 1;
  #mode: 'shared' | 'local';
  #since: number;
  /** A warning was logged for the current local period. */
  #announced = false;
  #rejoining = false;
  #closed = false;
  #pending: PendingAnswer[] = [];
  #learned: number | undefined;
  #lastCum: number[] | undefined;

  constructor(options: SharedQuotaOptions) {
    this.#redis = options.redis;
    this.#logger = options.logger;
    this.#now = options.now ?? Date.now;
    this.#windowMs = options.windowMs ?? 60_000;
    this.#setting = options.replicas;
    this.#ledger = new LocalLedger(this.#windowMs);
    const budget = {
      plan: options.plan,
      windowMs: this.#windowMs,
      bulkReserve: options.bulkReserve,
      webhookShare: options.webhookShare,
      unverifiedShare: options.unverifiedShare,
      borrowIdleMs: options.borrowIdleMs,
    };
    this.#shadow = new BudgetModel({ ...budget, now: this.#now });
    this.#shared = new RedisQuotaStore({
      ...budget,
      redis: options.redis,
      account: options.account,
      liveMs: options.liveMs,
      now: this.#now,
      // Called in the order Redis answered (one connection), so the sums' growth adds up.
      onSync: (sync) => this.#sync(sync),
    });
    this.#mode = options.redis.isUp() ? 'shared' : 'local';
    this.#since = this.#now();
    if (this.#mode === 'local') {
      this.#shadow.setShare(1 / this.replicas());
    }
    this.#stopWatching = options.redis.onHealth((health) => {
      if (health.status === 'up') {
        void this.#rejoin();
      } else if (health.status === 'down') {
        this.#goLocal(health.lastError);
      }
    });
    this.#stopReporting = options.redis.report?.('quota', () => this.status()) ?? (() => {});
    this.#timer = setInterval(() => void this.#tick(), options.heartbeatMs ?? HEARTBEAT_MS);
    this.#timer.unref?.();
    if (this.#mode === 'shared') {
      // Seen by the others at once (they count it among the replicas sharing the account).
      void this.#tick();
    }
  }

  /** The divisor of the local share: see the module comment. */
  replicas(): number {
    return Math.max(this.#setting ?? 0, this.#learned ?? 0) || DEFAULT_REPLICAS;
  }

  status(): SharedQuotaStatus {
    const local = this.#mode === 'local';
    return {
      mode: this.#mode,
      since: new Date(this.#since).toISOString(),
      replicas: this.replicas(),
      share: local ? 1 / this.replicas() : null,
    };
  }

  async reserve(request: SpendRequest): Promise<Reservation> {
    if (this.#mode === 'shared') {
      try {
        const result = await this.#shared.reserve(request);
        if (!result.ok) {
          // Answers that free its room may come to other replicas: ask again soon.
          return result.retryAt === undefined
            ? { ...result, retryAt: this.#now() + POLL_MS }
            : result;
        }
        return {
          ok: true,
          id: this.#add({ request, shadow: this.#shadow.record(request), shared: result.id }),
        };
      } catch (error) {
        this.#goLocal(error);
      }
    }
    const result = this.#shadow.reserve(request);
    if (!result.ok) {
      return result;
    }
    this.#ledger.granted(request);
    return { ok: true, id: this.#add({ request, shadow: result.id }) };
  }

  async settle(id: number, outcome: Outcome): Promise<void> {
    const grant = this.#take(id);
    if (!grant) {
      return;
    }
    // While shared, Redis counts what others spent (X-RateLimit-Remaining) once for everyone.
    this.#shadow.settle(grant.shadow, outcome, { others: this.#mode === 'local' });
    const charged =
      outcome.status === 429
        ? 0
        : (headerInt(outcome.headers['x-ratelimit-used-currentrequest']) ?? grant.request.credits);
    if (grant.shared === undefined) {
      this.#landLocal(grant, charged, this.#now() + this.#windowMs);
      return;
    }
    await this.#tell(grant.shared, { kind: 'settle', credits: charged }, () =>
      this.#shared.settle(grant.shared as number, outcome),
    );
  }

  async abandon(id: number): Promise<void> {
    const grant = this.#take(id);
    if (!grant) {
      return;
    }
    this.#shadow.abandon(grant.shadow);
    if (grant.shared === undefined) {
      this.#landLocal(grant, grant.request.credits, this.#now() + this.#windowMs);
      return;
    }
    await this.#tell(grant.shared, { kind: 'abandon', credits: grant.request.credits }, () =>
      this.#shared.abandon(grant.shared as number),
    );
  }

  async cancel(id: number): Promise<void> {
    const grant = this.#take(id);
    if (!grant) {
      return;
    }
    this.#shadow.cancel(grant.shadow);
    if (grant.shared === undefined) {
      this.#landLocal(grant, 0, undefined);
      return;
    }
    await this.#tell(grant.shared, { kind: 'cancel', credits: 0 }, () =>
      this.#shared.cancel(grant.shared as number),
    );
  }

  async waitFor(
    demand: Partial<Record<BudgetName, number>>,
    priority: Priority,
    unverified = false,
  ): Promise<number> {
    if (this.#mode === 'shared') {
      try {
        return await this.#shared.waitFor(demand, priority, unverified);
      } catch (error) {
        this.#goLocal(error);
      }
    }
    return this.#shadow.waitFor(demand, priority, unverified);
  }

  async snapshot(): Promise<BudgetSnapshot> {
    if (this.#mode === 'shared') {
      try {
        const { replicas, ...snapshot } = await this.#shared.snapshot();
        this.#learned = replicas;
        return snapshot;
      } catch (error) {
        this.#goLocal(error);
      }
    }
    return this.#shadow.snapshot();
  }

  /** Stops the heartbeat and leaves the replicas (best effort: the manager is closed by its owner). */
  async close(): Promise<void> {
    if (this.#closed) {
      return;
    }
    this.#closed = true;
    clearInterval(this.#timer);
    this.#stopWatching();
    this.#stopReporting();
    if (this.#mode === 'shared') {
      await this.#shared.leave().catch(() => undefined);
    }
  }

  #add(grant: Omit<Grant, 'at'>): number {
    const id = this.#nextId++;
    this.#grants.set(id, { ...grant, at: this.#now() });
    return id;
  }

  #take(id: number): Grant | undefined {
    const grant = this.#grants.get(id);
    this.#grants.delete(id);
    return grant;
  }

  #landLocal(grant: Grant, credits: number, expiresAt: number | undefined): void {
    if (!grant.exported) {
      this.#ledger.landed(grant.request, credits, expiresAt);
    }
  }

  /** Tells Redis of a grant's end now, or keeps it for when Redis is back. */
  async #tell(
    id: number,
    answer: Pick<PendingAnswer, 'kind' | 'credits'>,
    send: () => Promise<void>,
  ): Promise<void> {
    if (this.#mode === 'shared') {
      try {
        await send();
        return;
      } catch (error) {
        this.#goLocal(error);
      }
    }
    if (this.#pending.length >= MAX_PENDING_ANSWERS) {
      this.#pending.shift();
    }
    this.#pending.push({ ...answer, id, at: this.#now() });
  }

  /**
   * Learns from an answer: how many replicas share the account, and what the others spent since
   * the previous answer (counted in the shadow for a window from now).
   */
  #sync(sync: SharedSync): void {
    this.#learned = sync.replicas;
    const previous = this.#lastCum;
    // Never backwards (an answer handled out of order only makes the shadow count more), but from
    // scratch when Redis lost its state (restarted empty).
    const restarted =
      previous !== undefined &&
      (sync.cum[0] as number) < (previous[0] as number) - (sync.used[0] as number);
    this.#lastCum =
      previous === undefined || restarted
        ? sync.cum
        : sync.cum.map((value, i) => Math.max(value, previous[i] as number));
    const others: Partial<Record<(typeof LIMITERS)[number], number>> = {};
    for (const [slot, limiter] of LIMITERS.entries()) {
      const delta =
        previous === undefined
          ? // The first answer: everything counted now is someone else's.
            (sync.used[slot] as number) - (sync.own[slot] as number)
          : restarted
            ? 0
            : (sync.cum[slot] as number) - (previous[slot] as number) - (sync.own[slot] as number);
      if (delta > 0) {
        others[limiter] = delta;
      }
    }
    this.#shadow.countOthers(others, this.#now() + this.#windowMs);
  }

  #goLocal(error: unknown): void {
    if (this.#closed) {
      return;
    }
    if (this.#mode === 'shared') {
      this.#mode = 'local';
      this.#shadow.setShare(1 / this.replicas());
      if (!this.#announced) {
        this.#since = this.#now();
      }
    }
    if (!this.#announced) {
      this.#announced = true;
      this.#logger.warn(
        `quota: Redis did not answer; this replica spends at most 1/${this.replicas()} of the plan on its own until Redis is back`,
        {
          replicas: this.replicas(),
          error: error instanceof Error ? error.message : String(error ?? 'redis is down'),
        },
      );
    }
  }

  async #tick(): Promise<void> {
    if (this.#closed) {
      return;
    }
    // Grants whose caller never reported an answer: both budgets have let them go by now.
    const stale = this.#now() - MAX_IN_FLIGHT_WINDOWS * this.#windowMs;
    for (const [id, grant] of this.#grants) {
      if (grant.at >= stale) {
        break;
      }
      this.#grants.delete(id);
      if (grant.shared === undefined) {
        this.#landLocal(grant, 0, undefined);
      }
    }
    if (this.#mode === 'local') {
      await this.#rejoin();
      return;
    }
    try {
      await this.#shared.heartbeat();
    } catch (error) {
      this.#goLocal(error);
    }
  }

  /** Tells Redis what happened while it was away, then shares again (see the module comment). */
  async #rejoin(): Promise<void> {
    if (this.#mode !== 'local' || this.#rejoining || this.#closed || !this.#redis.isUp()) {
      return;
    }
    this.#rejoining = true;
    try {
      // Redis answers again? (A cheap script first: while it does not, calls stay local.)
      await this.#shared.heartbeat();
    } catch {
      this.#rejoining = false;
      return;
    }
    if (this.#mode !== 'local' || this.#closed) {
      this.#rejoining = false;
      return;
    }
    const answers = this.#pending.splice(0);
    const spending = this.#ledger.take(this.#now(), this.#windowMs);
    const exported: Grant[] = [];
    for (const grant of this.#grants.values()) {
      if (grant.shared === undefined && !grant.exported) {
        grant.exported = true;
        exported.push(grant);
      }
    }
    // Calls made from now on go to Redis behind this one, on the same connection: Redis counts
    // this replica's own spending before it grants anything more.
    const sent = this.#shared.rejoin(answers, spending);
    this.#mode = 'shared';
    this.#shadow.setShare(1);
    try {
      await sent;
      if (this.#mode === 'shared' && this.#announced) {
        this.#announced = false;
        this.#logger.info('quota: shared through Redis again', {
          localMs: this.#now() - this.#since,
          answersTold: answers.length,
        });
        this.#since = this.#now();
      }
    } catch (error) {
      this.#pending.unshift(...answers);
      this.#ledger.restore(spending);
      this.#goLocal(error);
    } finally {
      this.#rejoining = false;
    }
  }
}
