/**
 * Per-minute rate limits over a real socket: headers on normal answers, the 429 (no rate headers,
 * Retry-After, free), per-endpoint sub-limits, include credits deciding admission, window reset,
 * and the window history proving no window went over the plan. Plus the limiter's own maths.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { RateLimiter, resolvePlan } from '../../src/emulator/rate-limit.ts';
import { api, withEmulator } from '../helpers/emulator.ts';
import { TINY, tinyData } from '../helpers/tiny-data.ts';

describe('a burst past the plan', () => {
  const emu = withEmulator(() => ({ data: tinyData(), plan: { total: 5 } }));

  it('counts down X-RateLimit-Remaining, then answers 429 without rate headers', async () => {
    emu.current.resetStats();
    for (let i = 0; i < 5; i += 1) {
      const reply = await api(emu.current, 'GET', '/tickets/1');
      expect(reply.status).toBe(200);
      expect(reply.headers['x-ratelimit-total']).toBe('5');
      expect(reply.headers['x-ratelimit-remaining']).toBe(String(4 - i));
      expect(reply.headers['x-ratelimit-used-currentrequest']).toBe('1');
    }
    const limited = await api(emu.current, 'GET', '/tickets/1');
    expect(limited.status).toBe(429);
    expect(limited.headers['content-type']).toBe('application/json');
    expect(limited.body).toEqual({ message: 'You have exceeded the limit of requests per minute' });
    const retryAfter = Number(limited.headers['retry-after']);
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect(Object.keys(limited.headers).filter((h) => h.startsWith('x-ratelimit'))).toEqual([]);
    const stats = emu.current.stats();
    expect(stats.totalCredits).toBe(5);
    expect(stats.status['429']).toBe(1);
    expect(stats.windows).toHaveLength(1);
    expect(stats.windows[0]).toMatchObject({ credits: 5, rejected: 1 });
  });

  it('does not perform a refused write', async () => {
    emu.current.resetStats();
    for (let i = 0; i < 5; i += 1) {
      await api(emu.current, 'GET', '/tickets/1');
    }
    const before = emu.current.data.tickets.size;
    const reply = await api(emu.current, 'POST', '/tickets', {
      body: { subject: 's', description: 'd', email: 'x@y.example' },
    });
    expect(reply.status).toBe(429);
    expect(emu.current.data.tickets.size).toBe(before);
    expect(emu.current.stats().writes).toEqual({});
  });

  it('counts invalid requests, but not unauthenticated ones', async () => {
    emu.current.resetStats();
    expect(
      (await api(emu.current, 'GET', '/tickets?status=2')).headers['x-ratelimit-remaining'],
    ).toBe('4');
    expect((await api(emu.current, 'GET', '/nothing')).status).toBe(404);
    expect((await api(emu.current, 'GET', '/tickets', { key: null })).status).toBe(401);
    expect(emu.current.stats().totalCredits).toBe(2);
  });
});

describe('credits', () => {
  const emu = withEmulator(() => ({ data: tinyData(), plan: { total: 10 } }));

  it('lets the full cost of a read decide its admission', async () => {
    emu.current.resetStats();
    const list = await api(emu.current, 'GET', '/tickets?include=description,requester,stats');
    expect(list.headers['x-ratelimit-used-currentrequest']).toBe('7');
    expect(list.headers['x-ratelimit-remaining']).toBe('3');
    const show = await api(
      emu.current,
      'GET',
      `/tickets/${TINY.chattyTicketId}?include=conversations`,
    );
    expect(show.headers['x-ratelimit-used-currentrequest']).toBe('2');
    expect(show.headers['x-ratelimit-remaining']).toBe('1');
    // 1 credit left: an include that costs 3 is refused, a plain call still fits.
    expect((await api(emu.current, 'GET', '/tickets?include=stats')).status).toBe(429);
    const last = await api(emu.current, 'GET', '/tickets/1');
    expect(last.status).toBe(200);
    expect(last.headers['x-ratelimit-remaining']).toBe('0');
    const stats = emu.current.stats();
    expect(stats.credits).toEqual({ 'GET /tickets': 7, 'GET /tickets/:id': 3 });
    expect(stats.windows[0]?.endpoints).toEqual({ tickets_list: 7 });
  });
});

describe('sub-limits (growth)', () => {
  const emu = withEmulator(() => ({ data: tinyData() }));

  it('stops the tickets list at 20 credits while other calls go on', async () => {
    emu.current.resetStats();
    for (let i = 0; i < 20; i += 1) {
      expect((await api(emu.current, 'GET', '/tickets')).status).toBe(200);
    }
    const limited = await api(emu.current, 'GET', '/tickets');
    expect(limited.status).toBe(429);
    expect((await api(emu.current, 'GET', '/tickets/1')).headers['x-ratelimit-remaining']).toBe(
      '179',
    );
    expect(emu.current.stats().windows[0]).toMatchObject({
      credits: 21,
      endpoints: { tickets_list: 20 },
      rejected: 1,
    });
  });

  it('limits ticket creation separately', async () => {
    emu.current.resetStats();
    emu.current.setPlan({ total: 100, ticketCreate: 2 });
    const create = () =>
      api(emu.current, 'POST', '/tickets', {
        body: { subject: 's', description: 'd', email: 'burst@y.example' },
      });
    expect((await create()).status).toBe(201);
    expect((await create()).status).toBe(201);
    expect((await create()).status).toBe(429);
    expect(emu.current.stats().writes).toEqual({ 'POST /tickets': 2 });
    emu.current.setPlan('growth');
  });
});

describe('windows', () => {
  const emu = withEmulator(() => ({ data: tinyData(), plan: { total: 4 }, windowMs: 300 }));

  it('resets after the window, with Retry-After of at least 1 second', async () => {
    emu.current.resetStats();
    for (let i = 0; i < 4; i += 1) {
      await api(emu.current, 'GET', '/tickets/1');
    }
    const limited = await api(emu.current, 'GET', '/tickets/1');
    expect(limited.status).toBe(429);
    expect(limited.headers['retry-after']).toBe('1');
    await sleep(320);
    const again = await api(emu.current, 'GET', '/tickets/1');
    expect(again.status).toBe(200);
    expect(again.headers['x-ratelimit-remaining']).toBe('3');
  });

  it('never lets a window go over the plan under a sustained burst', async () => {
    emu.current.resetStats();
    const started = Date.now();
    let ok = 0;
    let limited = 0;
    while (Date.now() - started < 1000) {
      const reply = await api(emu.current, 'GET', '/tickets?include=stats');
      if (reply.status === 200) {
        ok += 1;
      } else {
        limited += 1;
      }
    }
    const windows = emu.current.stats().windows;
    expect(windows.length).toBeGreaterThanOrEqual(3);
    expect(ok).toBeGreaterThan(0);
    expect(limited).toBeGreaterThan(0);
    for (const window of windows) {
      expect(window.credits).toBeLessThanOrEqual(window.plan.total);
      expect(window.end - window.start).toBe(300);
    }
    expect(windows.reduce((sum, w) => sum + w.credits, 0)).toBe(ok * 3);
  });
});

describe('rateLimit: false', () => {
  const emu = withEmulator(() => ({ data: tinyData(), plan: { total: 1 }, rateLimit: false }));

  it('never refuses, but still reports credits', async () => {
    for (let i = 0; i < 3; i += 1) {
      const reply = await api(emu.current, 'GET', '/tickets/1');
      expect(reply.status).toBe(200);
      expect(reply.headers['x-ratelimit-remaining']).toBe('0');
    }
  });
});

describe('RateLimiter', () => {
  it('knows the published plans and refuses nonsense', () => {
    expect(resolvePlan('pro')).toEqual({
      name: 'pro',
      total: 400,
      ticketCreate: 160,
      ticketUpdate: 160,
      ticketsList: 100,
      contactsList: 100,
    });
    expect(resolvePlan('trial')).toEqual({ name: 'trial', total: 50 });
    expect(() => resolvePlan('gold' as 'pro')).toThrow(TypeError);
    expect(() => resolvePlan({ total: -1 })).toThrow(TypeError);
  });

  it('uses the injected clock for windows and Retry-After', () => {
    let now = 1_000_000;
    const limiter = new RateLimiter({
      plan: { total: 2, contactsList: 1 },
      windowMs: 60_000,
      now: () => now,
    });
    expect(limiter.admit(1, 'contacts_list')).toEqual({ ok: true });
    expect(limiter.admit(1, 'contacts_list')).toEqual({ ok: false, retryAfterSeconds: 60 });
    now += 59_500;
    expect(limiter.admit(2)).toEqual({ ok: false, retryAfterSeconds: 1 });
    now += 500;
    expect(limiter.admit(2)).toEqual({ ok: true });
    expect(limiter.history().map((w) => [w.credits, w.rejected])).toEqual([
      [1, 2],
      [2, 0],
    ]);
  });
});
