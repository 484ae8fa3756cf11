/**
 * The scheduler over the in-process store: queue order by priority class, refusals bounded by the
 * deadline (kind `quota`, with retryAfter), aborts, and one 429 pausing everyone.
 */
import { describe, expect, it } from 'vitest';
import type { QuotaRequest } from '../../src/quota/quota-gate.ts';
import { QuotaScheduler } from '../../src/quota/scheduler.ts';
import { MemoryQuotaStore } from '../../src/quota/store.ts';
import { UpstreamError } from '../../src/upstream/upstream-error.ts';

const WINDOW = 300;

function scheduler(total = 10) {
  const store = new MemoryQuotaStore({
    plan: { name: 'custom', limits: { total } },
    windowMs: WINDOW,
    bulkReserve: 0,
    webhookShare: 0,
  });
  return { gate: new QuotaScheduler({ store, windowMs: WINDOW }), store };
}

const request = (
  priority: QuotaRequest['priority'],
  credits = 1,
  deadlineMs = 5000,
): QuotaRequest => ({
  endpoint: undefined,
  credits,
  priority,
  deadline: Date.now() + deadlineMs,
  method: 'GET',
  path: '/api/v2/tickets/1',
});

const ANSWER = { status: 200, headers: { 'x-ratelimit-used-currentrequest': '1' } };

describe('QuotaScheduler', () => {
  it('serves waiting calls by priority class, then in arrival order', async () => {
    const { gate } = scheduler(2);
    const first = request('interactive', 2);
    await gate.acquire(first);
    const order: string[] = [];
    const waiting = [
      request('bulk'),
      request('explorer'),
      request('interactive'),
      request('webhook'),
    ].map((r) => gate.acquire(r).then(() => order.push(r.priority)));
    expect((await gate.status()).queued).toEqual({
      webhook: 1,
      interactive: 1,
      explorer: 1,
      bulk: 1,
    });
    gate.settle(first, { status: 200, headers: { 'x-ratelimit-used-currentrequest': '2' } });
    await Promise.all(waiting);
    expect(order).toEqual(['webhook', 'interactive', 'explorer', 'bulk']);
  });

  it('refuses at once, with retryAfter, a call that cannot start before its deadline', async () => {
    const { gate, store } = scheduler(2);
    const first = request('interactive', 2);
    await gate.acquire(first);
    gate.settle(first, { status: 200, headers: { 'x-ratelimit-used-currentrequest': '2' } });
    await store.snapshot();
    const late = gate.acquire(request('interactive', 1, 50));
    await expect(late).rejects.toBeInstanceOf(UpstreamError);
    await late.catch((error: UpstreamError) => {
      expect(error.kind).toBe('quota');
      expect(error.retryAfter).toBe(1);
      expect(error.path).toBe('/api/v2/tickets/1');
    });
  });

  it('refuses a call still queued at its deadline', async () => {
    const { gate } = scheduler(1);
    await gate.acquire(request('interactive')); // never answered: room depends on it
    const queued = gate.acquire(request('interactive', 1, 30));
    await expect(queued).rejects.toMatchObject({ kind: 'quota' });
    expect((await gate.status()).queued.interactive).toBe(0);
  });

  it('lets an aborted caller leave the queue', async () => {
    const { gate } = scheduler(1);
    await gate.acquire(request('interactive'));
    const controller = new AbortController();
    const queued = gate.acquire(request('bulk'), controller.signal);
    controller.abort(new Error('client went away'));
    await expect(queued).rejects.toThrow('client went away');
    expect((await gate.status()).queued.bulk).toBe(0);
  });

  it('pauses everyone after a 429 and resumes after Retry-After', async () => {
    const { gate } = scheduler(10);
    const hit = request('interactive');
    await gate.acquire(hit);
    gate.settle(hit, { status: 429, headers: { 'retry-after': '1' } });
    const status = await gate.status();
    expect(status.budgets[0]?.pausedUntil).toBeGreaterThan(Date.now());
    // A webhook call, with the most room, waits too: nobody retries into a known 429.
    const waiter = request('webhook', 1, 5000);
    let granted = false;
    const pending = gate.acquire(waiter).then(() => {
      granted = true;
    });
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(granted).toBe(false);
    await pending;
    gate.settle(waiter, ANSWER);
  });

  it('treats a repeated acquire of the same call as a new attempt (the last got no answer)', async () => {
    const { gate, store } = scheduler(10);
    const call = request('interactive');
    await gate.acquire(call);
    await gate.acquire(call);
    expect(store.model.used('total')).toBe(2);
    gate.settle(call, ANSWER);
    await store.snapshot();
    expect(store.model.used('total')).toBe(2);
  });
});
