/**
 * The shared budget in the real Redis (`REDIS_URL`), one process: the Lua port of the budget model
 * answers as the in-process model does (generated scenarios on an injected clock, replayed on both),
 * and two replicas' stores on one account together keep to the plan, to the priority ceilings and to
 * the reserves, with bulk work borrowing only what nobody else wants.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Outcome, Reservation, SpendRequest } from '../../src/quota/budget.ts';
import { BUDGET_NAMES, type PlanLimits } from '../../src/quota/plans.ts';
import type { Priority } from '../../src/quota/quota-gate.ts';
import { RedisQuotaStore } from '../../src/quota/redis-store.ts';
import { MemoryQuotaStore, type QuotaStore } from '../../src/quota/store.ts';
import type { MeteredEndpoint } from '../../src/upstream/credits.ts';
import { cleanupsPerTest, quotaManager } from '../helpers/quota.ts';

const cleanups = cleanupsPerTest();

const WINDOW = 1_000;
const GROWTH: PlanLimits = {
  total: 200,
  ticket_create: 80,
  ticket_update: 80,
  tickets_list: 20,
  contacts_list: 20,
};

type Op =
  | { kind: 'reserve'; request: SpendRequest }
  | { kind: 'answer'; grant: number; outcome: Outcome }
  | { kind: 'abandon'; grant: number }
  | { kind: 'cancel'; grant: number }
  | { kind: 'tick'; ms: number }
  | {
      kind: 'waitFor';
      demand: Partial<Record<string, number>>;
      priority: Priority;
      unverified: boolean;
    }
  | { kind: 'snapshot' };

const ENDPOINTS: (MeteredEndpoint | undefined)[] = [
  undefined,
  'tickets_list',
  'contacts_list',
  'ticket_create',
  'ticket_update',
];
const PRIORITIES: Priority[] = ['interactive', 'explorer', 'bulk', 'webhook'];

/** A small plan, so that generated scenarios meet every ceiling. */
const SMALL: PlanLimits = {
  total: 40,
  ticket_create: 15,
  ticket_update: 16,
  tickets_list: 10,
  contacts_list: 7,
};

const header = (value: number | undefined) => (value === undefined ? undefined : String(value));

const opArb: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 5,
    arbitrary: fc
      .record({
        endpoint: fc.constantFrom(...ENDPOINTS),
        credits: fc.integer({ min: 1, max: 9 }),
        priority: fc.constantFrom(...PRIORITIES),
        unverified: fc.boolean(),
      })
      .map((request): Op => ({ kind: 'reserve', request })),
  },
  {
    weight: 4,
    arbitrary: fc
      .record({
        grant: fc.nat(),
        status: fc.constantFrom(200, 200, 200, 404, 429, 429),
        charged: fc.option(fc.integer({ min: 0, max: 12 }), { nil: undefined }),
        total: fc.option(fc.constantFrom(40, 50, 30), { nil: undefined }),
        remaining: fc.option(fc.integer({ min: 20, max: 45 }), { nil: undefined }),
        retryAfter: fc.option(fc.integer({ min: 1, max: 3 }), { nil: undefined }),
      })
      .map(
        (a): Op => ({
          kind: 'answer',
          grant: a.grant,
          outcome: {
            status: a.status,
            headers: {
              'x-ratelimit-used-currentrequest': header(a.charged),
              'x-ratelimit-total': header(a.total),
              'x-ratelimit-remaining': header(a.remaining),
              'retry-after': a.status === 429 ? header(a.retryAfter) : undefined,
            },
          },
        }),
      ),
  },
  { weight: 1, arbitrary: fc.nat().map((grant): Op => ({ kind: 'abandon', grant })) },
  { weight: 1, arbitrary: fc.nat().map((grant): Op => ({ kind: 'cancel', grant })) },
  {
    weight: 3,
    arbitrary: fc
      .oneof(fc.integer({ min: 1, max: 150 }), fc.integer({ min: 1, max: 1_500 }))
      .map((ms): Op => ({ kind: 'tick', ms })),
  },
  {
    weight: 1,
    arbitrary: fc
      .record({
        total: fc.integer({ min: 0, max: 100 }),
        list: fc.integer({ min: 0, max: 20 }),
        priority: fc.constantFrom(...PRIORITIES),
        unverified: fc.boolean(),
      })
      .map(
        (w): Op => ({
          kind: 'waitFor',
          demand: { total: w.total, tickets_list: w.list },
          priority: w.priority,
          unverified: w.unverified,
        }),
      ),
  },
  { weight: 1, arbitrary: fc.constant<Op>({ kind: 'snapshot' }) },
);

/** Runs `ops` on a store; what it answered, with grant ids replaced by their order. */
async function replay(store: QuotaStore, ops: readonly Op[], clock: { now: number }) {
  const granted: number[] = [];
  const open = new Set<number>();
  const seen: unknown[] = [];
  const pick = (n: number): number | undefined => {
    const live = [...open];
    return live.length === 0 ? undefined : live[n % live.length];
  };
  for (const op of ops) {
    switch (op.kind) {
      case 'reserve': {
        const r: Reservation = await store.reserve(op.request);
        if (r.ok) {
          granted.push(r.id);
          open.add(granted.length - 1);
          seen.push({ ok: true, grant: granted.length - 1 });
        } else {
          seen.push(r);
        }
        break;
      }
      case 'answer':
      case 'abandon':
      case 'cancel': {
        const index = pick(op.grant);
        if (index === undefined) {
          break;
        }
        open.delete(index);
        const id = granted[index] as number;
        if (op.kind === 'answer') {
          await store.settle(id, op.outcome);
        } else if (op.kind === 'abandon') {
          await store.abandon(id);
        } else {
          await store.cancel(id);
        }
        break;
      }
      case 'tick':
        clock.now += op.ms;
        break;
      case 'waitFor':
        seen.push(await store.waitFor(op.demand, op.priority, op.unverified));
        break;
      case 'snapshot': {
        const { plan, source, budgets, lastReported } = await store.snapshot();
        seen.push({ plan, source, budgets, lastReported });
        break;
      }
    }
  }
  const { plan, source, budgets } = await store.snapshot();
  seen.push({ plan, source, budgets });
  return seen;
}

describe('the Lua budget answers as the in-process model', () => {
  it('on generated scenarios (told and learned plans, 429s, abandons, the unverified share, borrowing)', async () => {
    const redis = await quotaManager(cleanups);
    let run = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.array(opArb, { minLength: 5, maxLength: 120 }),
        fc.boolean(),
        fc.boolean(),
        async (ops, told, strict) => {
          run += 1;
          const options = {
            plan: told ? { name: 'small', limits: SMALL } : undefined,
            windowMs: WINDOW,
            bulkReserve: 0.25,
            webhookShare: 0.1,
            unverifiedShare: 0.05,
            // Reserves never lent, or lent while nobody wants them (the default).
            borrowIdleMs: strict ? 0 : undefined,
          };
          const local = { now: 5_000 };
          const memory = new MemoryQuotaStore({ ...options, now: () => local.now });
          const shared = { now: 5_000 };
          const store = new RedisQuotaStore({
            ...options,
            redis,
            account: `conformance-${run}`,
            now: () => shared.now,
            fixedClock: true,
          });
          try {
            expect(await replay(store, ops, shared)).toEqual(await replay(memory, ops, local));
          } finally {
            await redis.client.del(...store.keys);
          }
        },
      ),
      { numRuns: 150, seed: 16_002 },
    );
  }, 120_000);

  it('on a sub-limit held after 429s climbing back under steady demand', async () => {
    const redis = await quotaManager(cleanups);
    /** Steady list pages (1 or 3 credits), 429s now and then; the list budget after every window. */
    const climb = async (store: QuotaStore, clock: { now: number }) => {
      const limits: unknown[] = [];
      for (let window = 0; window < 24; window++) {
        for (let t = 0; t < WINDOW; t += 50) {
          clock.now = 10_000 + window * WINDOW + t;
          const r = await store.reserve({
            endpoint: 'tickets_list',
            credits: t % 150 === 0 ? 3 : 1,
            priority: t % 100 === 0 ? 'interactive' : 'bulk',
          });
          if (r.ok) {
            const foreign = window === 0 || (window >= 5 && window <= 9 && t >= 500);
            await store.settle(
              r.id,
              foreign
                ? { status: 429, headers: { 'retry-after': '1' } }
                : { status: 200, headers: {} },
            );
          }
        }
        limits.push((await store.snapshot()).budgets.find((b) => b.name === 'tickets_list'));
      }
      return limits;
    };
    const options = { plan: { name: 'small', limits: SMALL }, windowMs: WINDOW };
    const local = { now: 0 };
    const shared = { now: 0 };
    const store = new RedisQuotaStore({
      ...options,
      redis,
      account: 'climb',
      now: () => shared.now,
      fixedClock: true,
    });
    const expected = await climb(new MemoryQuotaStore({ ...options, now: () => local.now }), local);
    expect(await climb(store, shared)).toEqual(expected);
    // It did climb, and was set back.
    const caps = expected.map((b) => (b as { limit: number }).limit);
    expect(new Set(caps).size).toBeGreaterThan(3);
    expect(caps.at(-1)).toBe(SMALL.tickets_list);
  });

  it('keys expire a day after their last use, and nothing else is written', async () => {
    const redis = await quotaManager(cleanups);
    const store = new RedisQuotaStore({
      redis,
      account: 'ttl',
      plan: { name: 'growth', limits: GROWTH },
      windowMs: WINDOW,
    });
    const r = await store.reserve({ endpoint: 'tickets_list', credits: 3, priority: 'bulk' });
    expect(r.ok).toBe(true);
    if (r.ok) {
      await store.settle(r.id, { status: 200, headers: {} });
    }
    await store.reserve({ endpoint: undefined, credits: 1, priority: 'interactive' });
    const keys = (await redis.client.keys(`${redis.prefix}*`)).sort();
    expect(keys).toEqual([...store.keys].sort());
    for (const key of keys) {
      const ttl = await redis.client.pttl(key);
      expect(ttl).toBeGreaterThan(23 * 3_600_000);
    }
  });
});

describe('two replicas on one account', () => {
  const pair = async (plan: PlanLimits, extra: { borrowIdleMs?: number } = {}) => {
    const a = await quotaManager(cleanups);
    const b = await quotaManager(cleanups, { prefix: a.prefix });
    const options = {
      account: 'pair',
      plan: { name: 'custom', limits: plan },
      windowMs: 60_000,
      ...extra,
    };
    return [
      new RedisQuotaStore({ ...options, redis: a }),
      new RedisQuotaStore({ ...options, redis: b }),
    ] as const;
  };

  it('grant together exactly the plan in a window, never more, whoever asks', async () => {
    const [a, b] = await pair(GROWTH);
    // Webhook calls may use the whole plan: 200 credits of 1, alternating replicas, concurrently.
    const results = await Promise.all(
      Array.from({ length: 260 }, (_, i) =>
        (i % 2 === 0 ? a : b).reserve({ endpoint: undefined, credits: 1, priority: 'webhook' }),
      ),
    );
    expect(results.filter((r) => r.ok)).toHaveLength(200);
    expect((await a.snapshot()).budgets[0]).toMatchObject({ used: 200, remaining: 0 });
    // The tickets-list sub-limit too: 20 credits across both.
    const [c, d] = await pair({ total: 1000, tickets_list: 20 });
    const lists = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        (i % 2 === 0 ? c : d).reserve({
          endpoint: 'tickets_list',
          credits: 3,
          priority: 'webhook',
        }),
      ),
    );
    expect(lists.filter((r) => r.ok)).toHaveLength(6);
  });

  it('keep the reserve from bulk work on one replica while interactive work on the other wants it, and lend it when nobody does (exact credits)', async () => {
    const [a, b] = await pair({ total: 100 }, { borrowIdleMs: 5_000 });
    // Nobody else asked: bulk work on A may spend all but the 5% headroom.
    const bulk: Reservation[] = [];
    for (let i = 0; i < 12; i++) {
      bulk.push(await a.reserve({ endpoint: undefined, credits: 8, priority: 'bulk' }));
    }
    expect(bulk.filter((r) => r.ok)).toHaveLength(11); // 88 credits: past the 65% ceiling
    // An interactive call on B: 88 + 15 > 100, refused until room; its demand holds bulk back.
    const interactive = await b.reserve({
      endpoint: undefined,
      credits: 15,
      priority: 'interactive',
    });
    expect(interactive).toMatchObject({ ok: false, blockedOn: 'total' });
    // Bulk on A may now only reach 75 (the webhook share is still lent: no webhook asked).
    expect(await a.reserve({ endpoint: undefined, credits: 1, priority: 'bulk' })).toMatchObject({
      ok: false,
    });
    // A webhook call on A asks: the webhook share is no longer lent, to bulk or interactive work.
    expect((await a.reserve({ endpoint: undefined, credits: 5, priority: 'webhook' })).ok).toBe(
      true,
    );
    // Credits freed (three bulk grants unused: 69 counted) go to the interactive call, not to bulk.
    for (const r of bulk.slice(0, 3)) {
      if (r.ok) {
        await a.cancel(r.id);
      }
    }
    expect(await a.reserve({ endpoint: undefined, credits: 1, priority: 'bulk' })).toMatchObject({
      ok: false,
    });
    expect(
      (await b.reserve({ endpoint: undefined, credits: 15, priority: 'interactive' })).ok,
    ).toBe(true);
    const total = (await b.snapshot()).budgets[0];
    expect(total).toMatchObject({ used: 64 + 5 + 15 });
  });

  it('keep to the unverified share across replicas', async () => {
    const [a, b] = await pair({ total: 200 });
    const results = await Promise.all(
      Array.from({ length: 30 }, (_, i) =>
        (i % 2 === 0 ? a : b).reserve({
          endpoint: undefined,
          credits: 1,
          priority: 'interactive',
          unverified: true,
        }),
      ),
    );
    // 5% of 200.
    expect(results.filter((r) => r.ok)).toHaveLength(10);
    expect(results.find((r) => !r.ok)).toMatchObject({ blockedOn: 'unverified' });
  });

  it('share what one replica learned: the plan, a 429 pause, a held sub-limit', async () => {
    const a = await quotaManager(cleanups);
    const b = await quotaManager(cleanups, { prefix: a.prefix });
    const [x, y] = [a, b].map(
      (redis) => new RedisQuotaStore({ redis, account: 'learn', windowMs: 60_000 }),
    ) as [RedisQuotaStore, RedisQuotaStore];
    const probe = await x.reserve({ endpoint: undefined, credits: 1, priority: 'interactive' });
    // The plan is unknown: one call at a time across replicas.
    expect(await y.reserve({ endpoint: undefined, credits: 1, priority: 'interactive' })).toEqual({
      ok: false,
      blockedOn: 'total',
      retryAt: undefined,
    });
    expect(probe.ok).toBe(true);
    if (!probe.ok) {
      return;
    }
    await x.settle(probe.id, {
      status: 200,
      headers: { 'x-ratelimit-total': '400', 'x-ratelimit-remaining': '399' },
    });
    expect(await y.snapshot()).toMatchObject({ plan: 'pro', source: 'learned' });
    const list = await y.reserve({ endpoint: 'contacts_list', credits: 1, priority: 'bulk' });
    expect(list.ok).toBe(true);
    if (!list.ok) {
      return;
    }
    await y.settle(list.id, { status: 429, headers: { 'retry-after': '30' } });
    const refused = await x.reserve({ endpoint: 'contacts_list', credits: 1, priority: 'webhook' });
    expect(refused).toMatchObject({ ok: false, blockedOn: 'contacts_list' });
    const snapshot = await x.snapshot();
    expect(snapshot.budgets.find((v) => v.name === 'contacts_list')).toMatchObject({
      limit: 1,
      proven: 1,
    });
    expect(BUDGET_NAMES).toContain('contacts_list');
  });
});
