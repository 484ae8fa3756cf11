/**
 * The budget maths with an injected clock: sliding accounting, priority ceilings, reconciliation
 * with Freshdesk's headers, 429 pauses, and learning an unknown plan.
 */
import { describe, expect, it } from 'vitest';
import { BudgetModel, type BudgetOptions, type Reservation } from '../../src/quota/budget.ts';
import { PLAN_PRESETS, planForTotal } from '../../src/quota/plans.ts';

const WINDOW = 1000;
/** Answers leave the window in buckets of 1/64th of it (16 ms here), rounded up. */
const expiry = (at: number): number => Math.ceil(at / 16) * 16;

/** A model on growth; the reserves never lent unless `borrowIdleMs` says otherwise. */
function model(options: Partial<BudgetOptions> = {}) {
  const clock = { now: 0 };
  const budget = new BudgetModel({
    plan: { name: 'growth', limits: PLAN_PRESETS.growth },
    windowMs: WINDOW,
    borrowIdleMs: 0,
    now: () => clock.now,
    ...options,
  });
  return { budget, clock };
}

const ok = (r: Reservation): number => {
  if (!r.ok) {
    throw new Error(`refused on ${r.blockedOn}`);
  }
  return r.id;
};

const answered = (used: number, extra: Record<string, string> = {}) => ({
  status: 200,
  headers: { 'x-ratelimit-used-currentrequest': String(used), ...extra },
});

describe('BudgetModel with a told plan', () => {
  it('grants interactive calls up to 90% of a budget, then says when room comes back', () => {
    const { budget, clock } = model();
    for (let i = 0; i < 18; i++) {
      const id = ok(
        budget.reserve({ endpoint: 'tickets_list', credits: 1, priority: 'interactive' }),
      );
      clock.now = i * 10;
      budget.settle(id, answered(1));
    }
    const refused = budget.reserve({
      endpoint: 'tickets_list',
      credits: 1,
      priority: 'interactive',
    });
    expect(refused).toEqual({ ok: false, blockedOn: 'tickets_list', retryAt: expiry(WINDOW) });
    clock.now = expiry(WINDOW);
    expect(
      budget.reserve({ endpoint: 'tickets_list', credits: 1, priority: 'interactive' }).ok,
    ).toBe(true);
  });

  it('keeps the reserve from bulk work and the webhook share from everyone else while they want them', () => {
    const { budget } = model({ plan: { name: 'trial', limits: { total: 100 } } });
    // Interactive and webhook callers asked just now.
    budget.waitFor({ total: 1 }, 'interactive');
    budget.waitFor({ total: 1 }, 'webhook');
    expect(budget.ceiling('total', 'bulk')).toBe(65);
    expect(budget.ceiling('total', 'interactive')).toBe(90);
    expect(budget.ceiling('total', 'webhook')).toBe(100);
    ok(budget.reserve({ endpoint: undefined, credits: 65, priority: 'bulk' }));
    expect(budget.reserve({ endpoint: undefined, credits: 1, priority: 'bulk' }).ok).toBe(false);
    ok(budget.reserve({ endpoint: undefined, credits: 25, priority: 'interactive' }));
    expect(budget.reserve({ endpoint: undefined, credits: 1, priority: 'explorer' }).ok).toBe(
      false,
    );
    ok(budget.reserve({ endpoint: undefined, credits: 10, priority: 'webhook' }));
    expect(budget.used('total')).toBe(100);
  });

  it('lends the reserve and the webhook share to bulk work while nobody else wants them, but for 5%, and takes them back at once (exact credits)', () => {
    const { budget, clock } = model({
      plan: { name: 'trial', limits: { total: 100 } },
      borrowIdleMs: undefined,
    });
    // Nobody else asked: bulk may spend all but the 5% headroom, 10 credits every 50 ms.
    expect(budget.ceiling('total', 'bulk')).toBe(95);
    for (let i = 0; i < 10; i++) {
      clock.now = i * 50;
      const r = budget.reserve({ endpoint: undefined, credits: i < 9 ? 10 : 5, priority: 'bulk' });
      budget.settle(ok(r), answered(i < 9 ? 10 : 5));
    }
    expect(budget.used('total')).toBe(95);
    expect(budget.reserve({ endpoint: undefined, credits: 1, priority: 'bulk' }).ok).toBe(false);
    // An interactive call finds the headroom at once (while no webhook asks, the webhook share is
    // lent to interactive work too)...
    clock.now = 500;
    ok(budget.reserve({ endpoint: undefined, credits: 5, priority: 'interactive' }));
    // ...and the next waits for the oldest grant to leave the window.
    expect(budget.reserve({ endpoint: undefined, credits: 5, priority: 'interactive' })).toEqual({
      ok: false,
      blockedOn: 'total',
      retryAt: expiry(1000),
    });
    // Meanwhile bulk is held to 75 (the webhook share is still lent: no webhook asked).
    expect(budget.ceiling('total', 'bulk')).toBe(75);
    clock.now = expiry(1000);
    expect(budget.used('total')).toBe(90);
    // What left the window goes to the interactive call, not to bulk (90 + 10 > 75).
    expect(budget.reserve({ endpoint: undefined, credits: 10, priority: 'bulk' }).ok).toBe(false);
    ok(budget.reserve({ endpoint: undefined, credits: 5, priority: 'interactive' }));
    // A webhook asks: its share is no longer lent, to bulk or interactive work.
    budget.waitFor({ total: 1 }, 'webhook');
    expect(budget.ceiling('total', 'bulk')).toBe(65);
    expect(budget.ceiling('total', 'interactive')).toBe(90);
    // Once nobody has asked for a while (a twelfth of a window, at least 100 ms), bulk may borrow again.
    clock.now = expiry(1000) + 101;
    expect(budget.ceiling('total', 'bulk')).toBe(95);
    expect(budget.ceiling('total', 'interactive')).toBe(100);
  });

  it('never lends with borrowIdleMs 0', () => {
    const { budget } = model({
      plan: { name: 'trial', limits: { total: 100 } },
      borrowIdleMs: 0,
    });
    expect(budget.ceiling('total', 'bulk')).toBe(65);
  });

  it('counts what Freshdesk charged, not what was reserved', () => {
    const { budget } = model();
    const id = ok(
      budget.reserve({ endpoint: 'tickets_list', credits: 3, priority: 'interactive' }),
    );
    budget.settle(id, answered(7));
    expect(budget.used('tickets_list')).toBe(7);
    expect(budget.used('total')).toBe(7);
  });

  it("counts other integrations' spending seen in X-RateLimit-Remaining for one window", () => {
    const { budget, clock } = model();
    const id = ok(budget.reserve({ endpoint: undefined, credits: 1, priority: 'interactive' }));
    budget.settle(id, answered(1, { 'x-ratelimit-total': '200', 'x-ratelimit-remaining': '150' }));
    expect(budget.used('total')).toBe(50);
    expect(budget.snapshot().budgets[0]).toMatchObject({ name: 'total', remaining: 150 });
    clock.now = expiry(WINDOW);
    expect(budget.used('total')).toBe(0);
  });

  it('pauses the budget a 429 hit until Retry-After, for every priority', () => {
    const { budget, clock } = model();
    const id = ok(
      budget.reserve({ endpoint: 'contacts_list', credits: 1, priority: 'interactive' }),
    );
    clock.now = 100;
    budget.settle(id, { status: 429, headers: { 'retry-after': '2' } });
    expect(budget.used('total')).toBe(0); // a 429 costs nothing
    expect(budget.reserve({ endpoint: 'contacts_list', credits: 1, priority: 'webhook' })).toEqual({
      ok: false,
      blockedOn: 'contacts_list',
      retryAt: 2100,
    });
    // The total still had room: other endpoints go on.
    expect(budget.reserve({ endpoint: 'tickets_list', credits: 1, priority: 'bulk' }).ok).toBe(
      true,
    );
    clock.now = 2100;
    expect(budget.reserve({ endpoint: 'contacts_list', credits: 1, priority: 'bulk' }).ok).toBe(
      true,
    );
  });

  it('keeps an unanswered call a full window (it may have been charged); forgets an unused grant', () => {
    const { budget, clock } = model();
    const lost = ok(budget.reserve({ endpoint: undefined, credits: 2, priority: 'interactive' }));
    const unused = ok(budget.reserve({ endpoint: undefined, credits: 5, priority: 'interactive' }));
    clock.now = 300;
    budget.abandon(lost);
    budget.cancel(unused);
    expect(budget.used('total')).toBe(2);
    clock.now = expiry(300 + WINDOW);
    expect(budget.used('total')).toBe(0);
  });

  it('says how long a demand waits, spreading work larger than a window over several', () => {
    const { budget, clock } = model({ plan: { name: 'trial', limits: { total: 50 } } });
    const id = ok(budget.reserve({ endpoint: undefined, credits: 40, priority: 'interactive' }));
    clock.now = 200;
    budget.settle(id, answered(40));
    expect(budget.waitFor({ total: 5 }, 'interactive')).toBe(0);
    expect(budget.waitFor({ total: 10 }, 'interactive')).toBe(WINDOW); // at 1200
    // 100 credits at 45 a window: free at 1200, then two more windows.
    expect(budget.waitFor({ total: 100 }, 'interactive')).toBe(WINDOW + 2 * WINDOW);
  });
});

describe('BudgetModel with the plan unknown', () => {
  it('sends one call at a time until an answer tells the total', () => {
    const { budget } = model({ plan: undefined });
    const probe = ok(budget.reserve({ endpoint: undefined, credits: 1, priority: 'interactive' }));
    expect(budget.reserve({ endpoint: undefined, credits: 1, priority: 'interactive' })).toEqual({
      ok: false,
      blockedOn: 'total',
      retryAt: undefined,
    });
    budget.settle(
      probe,
      answered(1, { 'x-ratelimit-total': '400', 'x-ratelimit-remaining': '399' }),
    );
    expect(budget.snapshot()).toMatchObject({ plan: 'pro', source: 'learned' });
    expect(budget.ceiling('tickets_list', 'interactive')).toBe(90);
  });

  it('assumes growth sub-limits under an unpublished total, one call at a time past what a window proved', () => {
    const { budget, clock } = model({ plan: undefined });
    const probe = ok(budget.reserve({ endpoint: undefined, credits: 1, priority: 'interactive' }));
    budget.settle(probe, answered(1, { 'x-ratelimit-total': '40', 'x-ratelimit-remaining': '39' }));
    expect(planForTotal(40).limits.tickets_list).toBe(20);
    const first = ok(
      budget.reserve({ endpoint: 'tickets_list', credits: 3, priority: 'interactive' }),
    );
    expect(
      budget.reserve({ endpoint: 'tickets_list', credits: 3, priority: 'interactive' }),
    ).toEqual({
      ok: false,
      blockedOn: 'tickets_list',
      retryAt: undefined,
    });
    budget.settle(first, answered(3));
    const second = ok(
      budget.reserve({ endpoint: 'tickets_list', credits: 3, priority: 'interactive' }),
    );
    clock.now = 50;
    // Freshdesk's sub-limit had less room than assumed: it is held at what the window held...
    budget.settle(second, { status: 429, headers: { 'retry-after': '1' } });
    expect(budget.snapshot().budgets.find((b) => b.name === 'tickets_list')).toMatchObject({
      limit: 3,
      proven: 3,
      pausedUntil: 1050,
    });
    clock.now = 1050;
    const within = ok(
      budget.reserve({ endpoint: 'tickets_list', credits: 2, priority: 'webhook' }),
    );
    budget.settle(within, answered(2));
    expect(
      budget.reserve({ endpoint: 'tickets_list', credits: 2, priority: 'webhook' }),
    ).toMatchObject({ ok: false, blockedOn: 'tickets_list' });
    // ...and climbs back a step (a quarter of the plan's 20) per window of demand without a 429.
    clock.now = 2050;
    expect(budget.snapshot().budgets.find((b) => b.name === 'tickets_list')).toMatchObject({
      limit: 8,
      proven: 3,
    });
    // Beyond what is proven, one call at a time.
    const climb = ok(budget.reserve({ endpoint: 'tickets_list', credits: 3, priority: 'webhook' }));
    expect(budget.reserve({ endpoint: 'tickets_list', credits: 1, priority: 'webhook' })).toEqual({
      ok: false,
      blockedOn: 'tickets_list',
      retryAt: undefined,
    });
    // A second 429 sets it back, and the next climb waits a window past the pause.
    budget.settle(climb, { status: 429, headers: { 'retry-after': '1' } });
    expect(budget.snapshot().budgets.find((b) => b.name === 'tickets_list')).toMatchObject({
      limit: 2,
      pausedUntil: 3050,
    });
    clock.now = 3050;
    expect(budget.reserve({ endpoint: 'tickets_list', credits: 3, priority: 'webhook' }).ok).toBe(
      false,
    );
    clock.now = 4050;
    expect(budget.snapshot().budgets.find((b) => b.name === 'tickets_list')?.limit).toBe(7);
  });

  it('climbs a sub-limit held after a foreign 429 back to the plan within a few windows', () => {
    const { budget, clock } = model();
    // Someone else spent the tickets-list sub-limit: the gateway's one call meets a 429.
    const hit = ok(
      budget.reserve({ endpoint: 'tickets_list', credits: 1, priority: 'interactive' }),
    );
    budget.settle(hit, { status: 429, headers: { 'retry-after': '1' } });
    expect(budget.snapshot().budgets.find((b) => b.name === 'tickets_list')?.limit).toBe(1);
    const limits: number[] = [];
    // Steady demand of 3-credit list pages, one window after another.
    for (let window = 1; window <= 6; window++) {
      const start = window * WINDOW;
      for (let t = 0; t < WINDOW; t += 50) {
        clock.now = start + t;
        const r = budget.reserve({ endpoint: 'tickets_list', credits: 3, priority: 'interactive' });
        if (r.ok) {
          budget.settle(r.id, answered(3));
        }
      }
      limits.push(budget.snapshot().budgets.find((b) => b.name === 'tickets_list')?.limit ?? 0);
    }
    expect(limits.at(-1)).toBe(20);
    expect(limits.findIndex((limit) => limit === 20)).toBeLessThanOrEqual(4);
  });

  it('blames the total for a 429 when the total had no room', () => {
    const { budget } = model({ plan: undefined });
    const probe = ok(
      budget.reserve({ endpoint: 'tickets_list', credits: 1, priority: 'interactive' }),
    );
    budget.settle(probe, { status: 429, headers: { 'retry-after': '30' } });
    expect(budget.snapshot().budgets[0]).toMatchObject({ name: 'total', pausedUntil: 30_000 });
  });
});
