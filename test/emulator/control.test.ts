/**
 * The `/_emulator/*` control endpoint (stats, reset, plan, faults, webhooks) and every kind of
 * injected fault over a real socket: latency, 5xx (JSON, HTML, empty; 503 Retry-After), resets,
 * malformed JSON, hangs, writes-before-fault, and the PRNG's determinism.
 */
import { describe, expect, it } from 'vitest';
import { Faults } from '../../src/emulator/faults.ts';
import { api, withEmulator } from '../helpers/emulator.ts';
import { TINY, tinyData } from '../helpers/tiny-data.ts';

describe('control endpoint', () => {
  const emu = withEmulator(() => ({ data: tinyData(), plan: 'pro' }));

  it('counts calls, credits, statuses, invalid fields and writes exactly', async () => {
    await api(emu.current, 'POST', '/_emulator/reset');
    await api(emu.current, 'GET', '/tickets');
    await api(emu.current, 'GET', '/tickets?include=stats,company');
    await api(emu.current, 'GET', '/tickets/1?include=requester');
    await api(emu.current, 'GET', '/tickets/9999');
    await api(emu.current, 'GET', '/tickets?status=2');
    await api(emu.current, 'PUT', '/tickets/1', { body: { priority: 4 } });
    await api(emu.current, 'PUT', '/tickets/1', { body: { bogus: 1 } });
    await api(emu.current, 'GET', '/tickets', { key: null });
    const stats = await api<Record<string, unknown>>(emu.current, 'GET', '/_emulator/stats');
    expect(stats.status).toBe(200);
    expect(stats.body).toMatchObject({
      calls: { 'GET /tickets': 4, 'GET /tickets/:id': 2, 'PUT /tickets/:id': 2 },
      credits: { 'GET /tickets': 1 + 5 + 1, 'GET /tickets/:id': 2 + 1, 'PUT /tickets/:id': 2 },
      totalCalls: 8,
      totalCredits: 12,
      invalidFieldErrors: 2,
      status: { '200': 4, '400': 2, '401': 1, '404': 1 },
      writes: { 'PUT /tickets/:id': 1 },
    });
    expect(stats.body.windows).toEqual(emu.current.stats().windows);
    await api(emu.current, 'POST', '/_emulator/reset');
    expect(emu.current.stats()).toMatchObject({ totalCalls: 0, totalCredits: 0, windows: [] });
  });

  it('reads and changes the plan', async () => {
    const plan = await api(emu.current, 'GET', '/_emulator/plan');
    expect(plan.body).toMatchObject({ name: 'pro', total: 400, ticketsList: 100, windowMs: 60000 });
    const changed = await api(emu.current, 'PUT', '/_emulator/plan', {
      body: { plan: 'enterprise' },
    });
    expect(changed.body).toMatchObject({ name: 'enterprise', total: 700 });
    expect((await api(emu.current, 'GET', '/tickets/1')).headers['x-ratelimit-total']).toBe('700');
    const custom = await api(emu.current, 'PUT', '/_emulator/plan', { body: { total: 9 } });
    expect(custom.body).toEqual({ name: 'custom', total: 9, windowMs: 60000 });
    const bad = await api(emu.current, 'PUT', '/_emulator/plan', { body: { plan: 'gold' } });
    expect(bad.status).toBe(400);
    emu.current.setPlan('pro');
  });

  it('reads and changes faults, refusing bad options', async () => {
    const set = await api(emu.current, 'PUT', '/_emulator/faults', {
      body: { seed: 3, errors: { '*': { rate: 0, status: 503 } } },
    });
    expect(set.status).toBe(200);
    expect((await api(emu.current, 'GET', '/_emulator/faults')).body).toEqual({
      seed: 3,
      errors: { '*': { rate: 0, status: 503 } },
    });
    for (const body of [
      { resetRate: 2 },
      { errors: { '*': { rate: 1, status: 418 } } },
      { nope: 1 },
    ]) {
      expect((await api(emu.current, 'PUT', '/_emulator/faults', { body })).status).toBe(400);
    }
    await api(emu.current, 'PUT', '/_emulator/faults', { body: {} });
  });

  it('serves webhook rules when the webhook module is available', async () => {
    const rules = await api(emu.current, 'GET', '/_emulator/webhooks');
    if (emu.current.webhooks === null) {
      expect(rules.status).toBe(501);
      return;
    }
    expect(rules.status).toBe(200);
    const created = await api<{ id: number }>(emu.current, 'POST', '/_emulator/webhooks', {
      body: { events: ['ticket_created'], url: 'http://127.0.0.1:9/hook' },
    });
    expect(created.status).toBe(201);
    expect((await api(emu.current, 'GET', '/_emulator/webhooks/deliveries')).status).toBe(200);
    expect(
      (await api(emu.current, 'DELETE', `/_emulator/webhooks/${created.body.id}`)).status,
    ).toBe(204);
    expect(
      (await api(emu.current, 'DELETE', `/_emulator/webhooks/${created.body.id}`)).status,
    ).toBe(404);
  });

  it('404s unknown control paths', async () => {
    expect((await api(emu.current, 'GET', '/_emulator/nothing')).status).toBe(404);
  });
});

describe('faults', () => {
  const emu = withEmulator(() => ({ data: tinyData(), rateLimit: false }));
  const ticketsBefore = () => emu.current.data.tickets.size;
  const create = () =>
    api(emu.current, 'POST', '/tickets', {
      body: { subject: 's', description: 'd', requester_id: TINY.firstContactId },
    });

  it('adds latency', async () => {
    emu.current.setFaults({ latencyMs: 150 });
    const started = performance.now();
    expect((await api(emu.current, 'GET', '/tickets/1')).status).toBe(200);
    expect(performance.now() - started).toBeGreaterThanOrEqual(140);
    emu.current.setFaults({});
  });

  it("answers 500 with Freshdesk's body, 502/504 as the edge would, 503 with Retry-After", async () => {
    emu.current.setFaults({
      errors: {
        'GET /tickets/:id': { rate: 1, status: 503, body: 'html', retryAfterSeconds: 7 },
        'GET /tickets': { rate: 1, status: 500 },
        '*': { rate: 1, status: 502, body: 'empty' },
      },
    });
    const unavailable = await api(emu.current, 'GET', '/tickets/1');
    expect(unavailable.status).toBe(503);
    expect(unavailable.headers['retry-after']).toBe('7');
    expect(unavailable.headers['content-type']).toBe('text/html');
    expect(unavailable.text).toContain('503 Service Unavailable');
    const error = await api(emu.current, 'GET', '/tickets');
    expect(error.status).toBe(500);
    expect(error.body).toEqual({ message: "We're sorry, but something went wrong." });
    const gateway = await api(emu.current, 'GET', '/tickets/1/conversations');
    expect(gateway.status).toBe(502);
    expect(gateway.text).toBe('');
    expect(emu.current.stats().faults.error).toBeGreaterThanOrEqual(3);
    emu.current.setFaults({});
  });

  it('resets the connection', async () => {
    emu.current.setFaults({ resetRate: 1 });
    await expect(api(emu.current, 'GET', '/tickets/1')).rejects.toThrow();
    emu.current.setFaults({});
    expect(emu.current.stats().status.reset).toBeGreaterThanOrEqual(1);
  });

  it('sends a truncated JSON body with a 200', async () => {
    emu.current.setFaults({ malformedRate: 1 });
    const reply = await api(emu.current, 'GET', '/tickets/1');
    emu.current.setFaults({});
    expect(reply.status).toBe(200);
    expect(reply.text.length).toBeGreaterThan(0);
    expect(() => JSON.parse(reply.text)).toThrow();
  });

  it('hangs until the client gives up', async () => {
    emu.current.setFaults({ hangRate: 1 });
    const started = performance.now();
    await expect(api(emu.current, 'GET', '/tickets/1', { timeoutMs: 300 })).rejects.toThrow();
    expect(performance.now() - started).toBeLessThan(5000);
    emu.current.setFaults({});
    expect(emu.current.stats().status.hang).toBeGreaterThanOrEqual(1);
  });

  it('skips the write on a fault by default, and performs it first with writesBeforeFault', async () => {
    emu.current.resetStats();
    emu.current.setFaults({ errors: { 'POST /tickets': { rate: 1, status: 504 } } });
    const before = ticketsBefore();
    expect((await create()).status).toBe(504);
    expect(ticketsBefore()).toBe(before);
    emu.current.setFaults({
      writesBeforeFault: true,
      errors: { 'POST /tickets': { rate: 1, status: 504 } },
    });
    expect((await create()).status).toBe(504);
    expect(ticketsBefore()).toBe(before + 1);
    emu.current.setFaults({ writesBeforeFault: true, resetRate: 1 });
    await expect(create()).rejects.toThrow();
    expect(ticketsBefore()).toBe(before + 2);
    emu.current.setFaults({});
    expect(emu.current.stats().writes).toEqual({ 'POST /tickets': 2 });
  });

  it('is deterministic for a seed', async () => {
    const run = async () => {
      emu.current.setFaults({ seed: 42, errors: { '*': { rate: 0.5, status: 500 } } });
      const statuses: number[] = [];
      for (let i = 0; i < 12; i += 1) {
        statuses.push((await api(emu.current, 'GET', '/tickets/1')).status);
      }
      return statuses;
    };
    const first = await run();
    expect(first).toContain(500);
    expect(first).toContain(200);
    expect(await run()).toEqual(first);
    emu.current.setFaults({});
  });

  it('draws latency within the range', () => {
    const faults = new Faults({ latencyMs: { min: 10, max: 20 } });
    for (let i = 0; i < 50; i += 1) {
      const { latencyMs } = faults.decide('GET /tickets');
      expect(latencyMs).toBeGreaterThanOrEqual(10);
      expect(latencyMs).toBeLessThanOrEqual(20);
    }
  });
});
