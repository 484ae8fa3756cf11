/**
 * The reconciliation sweep against the emulator's ticket list: `updated_since` is `>=`, many tickets
 * share one `updated_at`, a run reads a bounded number of pages, and every change is reported once.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { invalidateTicketOrder } from '../../src/emulator/handlers/tickets.ts';
import { createSweep, MAX_PAGES_PER_RUN, type Sweep } from '../../src/freshness/sweep.ts';
import { createLogger } from '../../src/logger.ts';
import { FreshdeskClient } from '../../src/upstream/freshdesk-client.ts';
import type { TicketModel } from '../../src/upstream/tickets.ts';
import { withEmulator } from '../helpers/emulator.ts';

const emulator = withEmulator({ tickets: 900, rateLimit: false });
const iso = (ms: number): string => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

let client: FreshdeskClient;
let sweep: Sweep;
let reported: TicketModel[];
let time: number;

beforeAll(() => {
  client = new FreshdeskClient({ origin: emulator.current.origin });
});
afterAll(() => client.close());

beforeEach(() => {
  // What earlier tests stamped goes back into the past.
  for (const ticket of emulator.current.data.tickets.values()) {
    if (ticket.updated_at > iso(Date.now() - 3_600_000)) {
      ticket.updated_at = '2020-01-01T00:00:00Z';
    }
  }
  invalidateTicketOrder(emulator.current.data);
  reported = [];
  time = Date.now();
  sweep = createSweep({
    client,
    apiKey: emulator.current.apiKeys.admin,
    intervalMs: 60_000,
    logger: createLogger({ level: 'silent' }),
    report: (ticket) => reported.push(ticket),
    now: () => time,
  });
  emulator.current.resetStats();
});

/** Stamps `count` live tickets with one `updated_at`, as a bulk import would. */
function stamp(count: number, at: number, skip = 0): number[] {
  const live = [...emulator.current.data.tickets.values()].filter((t) => !t.deleted && !t.spam);
  const chosen = live.slice(skip, skip + count);
  for (const ticket of chosen) {
    ticket.updated_at = iso(at);
  }
  invalidateTicketOrder(emulator.current.data);
  return chosen.map((t) => t.id);
}

const listCalls = () => emulator.current.stats().calls['GET /tickets'] ?? 0;

describe('the reconciliation sweep', () => {
  it('starts from now: history is not reported, only what changes after the start', async () => {
    await sweep.runOnce();
    expect(reported).toEqual([]);
    expect(listCalls()).toBe(1);
    const [id] = stamp(1, time + 2_000);
    await sweep.runOnce();
    expect(reported.map((t) => t.id)).toEqual([String(id)]);
    expect(sweep.status().cursor).toBe(iso(time + 2_000));
  });

  it('a block sharing one updated_at, bigger than a page: each ticket once, no more calls than pages', async () => {
    const at = time + 60_000;
    const ids = stamp(250, at);
    await sweep.runOnce();
    expect(listCalls()).toBe(3);
    expect(reported.map((t) => Number(t.id)).sort((a, b) => a - b)).toEqual(
      [...ids].sort((a, b) => a - b),
    );
    // Listed again (updated_since is >=): skipped, not reported twice.
    await sweep.runOnce();
    expect(reported).toHaveLength(250);
    // A ticket changed later within that same second is still a change.
    const [late] = stamp(1, at, 300);
    await sweep.runOnce();
    expect(reported.map((t) => t.id).slice(250)).toEqual([String(late)]);
    // A newer change moves the cursor on: the block is not listed again.
    const [newer] = stamp(1, at + 1_000, 400);
    await sweep.runOnce();
    const calls = listCalls();
    await sweep.runOnce();
    expect(listCalls() - calls).toBe(1);
    expect(sweep.status().cursor).toBe(iso(at + 1_000));
    expect(reported.map((t) => t.id).slice(251)).toEqual([String(newer)]);
  });

  it("starts from Freshdesk's newest change, whatever the gateway's clock says", async () => {
    // Freshdesk's clock (or its data) is a year behind the gateway's.
    const yearAgo = time - 365 * 86_400_000;
    for (const ticket of emulator.current.data.tickets.values()) {
      if (ticket.updated_at > iso(yearAgo)) {
        ticket.updated_at = iso(yearAgo - 60_000);
      }
    }
    stamp(2, yearAgo);
    await sweep.start();
    expect(listCalls()).toBe(1);
    expect(sweep.status().cursor).toBe(iso(yearAgo));
    await sweep.runOnce();
    expect(reported).toEqual([]);
    // Changes stamped by that clock are found: one in the baseline's second, one after it.
    const [sameSecond] = stamp(1, yearAgo, 500);
    const [later] = stamp(1, yearAgo + 1_000, 501);
    await sweep.runOnce();
    expect(reported.map((t) => t.id)).toEqual([String(sameSecond), String(later)]);
    await sweep.stop();
  });

  it(`reads at most ${MAX_PAGES_PER_RUN} pages a run and carries on next time, even inside one second`, async () => {
    const at = time + 3 * 60_000;
    const ids = stamp(750, at);
    await sweep.runOnce();
    expect(listCalls()).toBe(MAX_PAGES_PER_RUN);
    expect(reported).toHaveLength(500);
    // The whole run was one second: the next run goes on at the following page.
    await sweep.runOnce();
    await sweep.runOnce();
    expect(new Set(reported.map((t) => Number(t.id))).size).toBe(750);
    expect(reported).toHaveLength(750);
    expect(reported.map((t) => Number(t.id)).sort((a, b) => a - b)).toEqual(
      [...ids].sort((a, b) => a - b),
    );
  });

  it('a failed run changes nothing and the next one catches up', async () => {
    const [id] = stamp(1, time + 5 * 60_000);
    emulator.current.setFaults({ errors: { 'GET /tickets': { status: 503, rate: 1 } } });
    try {
      await sweep.runOnce();
    } finally {
      emulator.current.setFaults({});
    }
    expect(reported).toEqual([]);
    expect(sweep.status().lastError).toMatch(/503|unavailable/i);
    await sweep.runOnce();
    expect(reported.map((t) => t.id)).toEqual([String(id)]);
    expect(sweep.status().lastError).toBeNull();
  });
});
