/**
 * `POST /webhooks/freshdesk` over real sockets: the secret, Freshdesk's layouts and encodings, clear
 * refusals that change nothing, and one event per change however often it is delivered.
 */
import { request } from 'undici';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { compareEventIds } from '../../src/freshness/event-log.ts';
import { MAX_WEBHOOK_BODY_BYTES } from '../../src/freshness/receiver.ts';
import { basicAuth } from '../helpers/emulator.ts';
import type { Stack } from '../helpers/gateway.ts';
import {
  EVENT_FIELDS,
  eventsOf,
  postWebhook,
  SECRET,
  type Sse,
  startFreshStack,
  subscribe,
  webhookUrl,
} from './helpers.ts';

let stack: Stack;
let sse: Sse;
/** Ids of tickets that exist (the seed also makes deleted and spam ones). */
let live: string[] = [];

beforeAll(async () => {
  stack = await startFreshStack();
  live = [...stack.emulator.data.tickets.values()]
    .filter((ticket) => !ticket.deleted && !ticket.spam)
    .map((ticket) => String(ticket.id));
});

/** The n-th existing ticket's id. */
const t = (n: number): string => live[n]!;

afterAll(async () => {
  sse?.close();
  await stack.close();
});

beforeEach(async () => {
  sse?.close();
  sse = await subscribe(stack.gateway.url, `subscription { ticketEvents { ${EVENT_FIELDS} } }`);
  stack.emulator.resetStats();
});

/** Waits for the queued look-ups and reports to finish. */
const settled = () => stack.gateway.app.freshness.idle();

/** A ticket's current `updated_at` in the emulator. */
const updatedAt = (id: number): string => stack.emulator.data.tickets.get(id)!.updated_at;

describe('the secret', () => {
  it('401 without it, with a wrong one, or in the Basic user name; nothing read, nothing changed', async () => {
    const receiver = stack.gateway.app.freshness.receiver!;
    const before = receiver.deliveries();
    const body = { ticket_id: '5' };
    const refusals = [
      await postWebhook(stack, body, { secret: null }),
      await postWebhook(stack, body, { secret: 'wrong' }),
      await postWebhook(stack, body, { secret: `${SECRET}x` }),
      await postWebhook(stack, body, {
        secret: null,
        headers: { authorization: basicAuth('someone', 'not-it') },
      }),
      await postWebhook(stack, body, {
        secret: null,
        headers: { authorization: basicAuth(SECRET, 'X') },
      }),
    ];
    for (const refusal of refusals) {
      expect(refusal.status).toBe(401);
      expect(refusal.body).toMatchObject({ error: { code: 'UNAUTHENTICATED' } });
      expect(refusal.text).not.toContain(SECRET);
    }
    await settled();
    expect(stack.emulator.stats().totalCalls).toBe(0);
    expect(sse.results).toEqual([]);
    expect(receiver.deliveries()).toEqual(before);
  });

  it('accepts it as header X-Webhook-Secret or as the Basic auth password', async () => {
    const byHeader = await postWebhook(stack, { ticket_id: t(0) });
    const byBasic = await postWebhook(
      stack,
      { ticket_id: t(1) },
      {
        secret: null,
        headers: { authorization: basicAuth('freshdesk', SECRET) },
      },
    );
    expect(byHeader).toMatchObject({ status: 202, body: { status: 'accepted', ticketId: t(0) } });
    expect(byBasic).toMatchObject({ status: 202, body: { status: 'accepted', ticketId: t(1) } });
    const events = eventsOf(await sse.waitFor(2));
    expect(events.map((e) => e.ticketId).sort()).toEqual([t(0), t(1)].sort());
  });
});

describe('malformed deliveries', () => {
  const cases: [string, string, string | undefined, number][] = [
    ['invalid JSON', '{"ticket_id": "5"', 'application/json', 400],
    ['an empty body', '', 'application/json', 400],
    ['a JSON array', '[{"ticket_id":"5"}]', 'application/json', 400],
    ['a JSON string', '"5"', 'application/json', 400],
    ['no ticket id', '{"freshdesk_webhook":{"ticket_subject":"x"}}', 'application/json', 400],
    ['a non-numeric id', '{"ticket_id":"abc"}', 'application/json', 400],
    ['a negative id', '{"ticket_id":-5}', 'application/json', 400],
    ['id zero', '{"ticket_id":"0"}', 'application/json', 400],
    ['a fractional id', '{"ticket_id":5.5}', 'application/json', 400],
    ['an object as id', '{"ticket_id":{"id":5}}', 'application/json', 400],
    ['an empty rendered id', '{"ticket_id":""}', 'application/json', 400],
    [
      'a non-string triggered_event',
      '{"ticket_id":"5","triggered_event":7}',
      'application/json',
      400,
    ],
    [
      'a form body without an id',
      'freshdesk_webhook%5Bticket_subject%5D=x',
      'application/x-www-form-urlencoded',
      400,
    ],
    ['XML', '<freshdesk_webhook><ticket_id>5</ticket_id></freshdesk_webhook>', 'text/xml', 415],
    ['no content type', '{"ticket_id":"5"}', undefined, 415],
  ];

  it.each(cases)('%s: a clear JSON error, nothing changed', async (_name, body, type, status) => {
    const headers: Record<string, string> = { 'x-webhook-secret': SECRET };
    if (type !== undefined) {
      headers['content-type'] = type;
    }
    const response = await request(webhookUrl(stack), { method: 'POST', headers, body });
    const answer = (await response.body.json()) as { error: { code: string; message: string } };
    expect(response.statusCode).toBe(status);
    expect(answer.error.code).toBe(status === 415 ? 'UNSUPPORTED_MEDIA_TYPE' : 'BAD_REQUEST');
    expect(answer.error.message.length).toBeGreaterThan(10);
    await settled();
    expect(stack.emulator.stats().totalCalls).toBe(0);
    expect(sse.results).toEqual([]);
  });

  it('413 for a body over the limit, 405 for other methods; nothing changed', async () => {
    const big = JSON.stringify({ ticket_id: '5', pad: 'x'.repeat(MAX_WEBHOOK_BODY_BYTES) });
    expect((await postWebhook(stack, big)).status).toBe(413);
    const put = await request(webhookUrl(stack), {
      method: 'PUT',
      headers: { 'x-webhook-secret': SECRET, 'content-type': 'application/json' },
      body: '{"ticket_id":"5"}',
    });
    expect(put.statusCode).toBe(405);
    expect(put.headers.allow).toBe('GET, POST');
    await put.body.dump();
    await settled();
    expect(stack.emulator.stats().totalCalls).toBe(0);
    expect(sse.results).toEqual([]);
  });
});

describe("Freshdesk's layouts", () => {
  it('simple layout (JSON): string id, labels, the triggered_event pseudo-hash', async () => {
    const response = await postWebhook(stack, {
      freshdesk_webhook: {
        triggered_event: '{status:{from:2,to:3}}',
        ticket_id: t(2),
        ticket_url: `http://acme.freshdesk.com/helpdesk/tickets/${t(2)}`,
        ticket_status: 'Pending',
        ticket_priority: 'Low',
        requester_email: 'kim@example.com',
      },
    });
    expect(response.status).toBe(202);
    const [event] = eventsOf(await sse.waitFor(1));
    expect(event).toMatchObject({
      ticketId: t(2),
      kind: 'UPDATED',
      source: 'WEBHOOK',
      triggeredEvent: '{status:{from:2,to:3}}',
      updatedAt: updatedAt(Number(t(2))),
    });
    // One look-up, at the webhook share of the quota.
    expect(stack.emulator.stats().calls).toEqual({ 'GET /tickets/:id': 1 });
  });

  it('simple layout in form encoding (Rails nesting)', async () => {
    const body = new URLSearchParams({
      'freshdesk_webhook[ticket_id]': t(3),
      'freshdesk_webhook[triggered_event]': '{note_type:private}',
      'freshdesk_webhook[ticket_subject]': 'Hello & goodbye',
    }).toString();
    const response = await postWebhook(stack, body, {
      contentType: 'application/x-www-form-urlencoded',
    });
    expect(response.status).toBe(202);
    const [event] = eventsOf(await sse.waitFor(1));
    expect(event).toMatchObject({ ticketId: t(3), kind: 'NOTE_ADDED', source: 'WEBHOOK' });
  });

  it('advanced layouts: ticket_id, id or ticket.id, as a string or a number', async () => {
    const bodies = [
      { ticket_id: Number(t(4)) },
      { id: t(5) },
      { ticket: { id: Number(t(6)), subject: 'x' } },
      { freshdesk_webhook: { ticket: { id: t(7) } } },
    ];
    for (const body of bodies) {
      expect((await postWebhook(stack, body)).status).toBe(202);
    }
    const form = await postWebhook(
      stack,
      `ticket%5Bid%5D=${t(8)}&triggered_event=%7Bticket_action%3Acreated%7D`,
      {
        contentType: 'application/x-www-form-urlencoded; charset=utf-8',
      },
    );
    expect(form.status).toBe(202);
    const events = eventsOf(await sse.waitFor(5));
    expect(events.map((e) => e.ticketId).sort()).toEqual([4, 5, 6, 7, 8].map(t).sort());
    expect(events.find((e) => e.ticketId === t(8))?.kind).toBe('CREATED');
  });

  it('a form key named __proto__ is only a key', async () => {
    const response = await postWebhook(stack, `__proto__%5Bpolluted%5D=1&ticket_id=${t(9)}`, {
      contentType: 'application/x-www-form-urlencoded',
    });
    expect(response.status).toBe(202);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    await sse.waitFor(1);
  });
});

describe('one event per change', () => {
  it('a redelivered webhook gives one event and one look-up per delivery at most', async () => {
    const body = { ticket_id: t(10), triggered_event: '{priority:{from:1,to:2}}' };
    for (let i = 0; i < 3; i++) {
      expect((await postWebhook(stack, body)).status).toBe(202);
      await settled();
    }
    await sse.waitFor(1);
    await settled();
    expect(eventsOf(sse.results)).toHaveLength(1);
    expect(stack.emulator.stats().calls['GET /tickets/:id']).toBeLessThanOrEqual(3);
  });

  it('deliveries for a ticket whose look-up has not started share one look-up', async () => {
    const bodies = Array.from({ length: 20 }, (_, i) => ({ ticket_id: t(11 + (i % 5)) }));
    const answers = await Promise.all(bodies.map((body) => postWebhook(stack, body)));
    expect(answers.every((a) => a.status === 202)).toBe(true);
    await sse.waitFor(5);
    await settled();
    expect(eventsOf(sse.results)).toHaveLength(5);
    expect(stack.emulator.stats().calls['GET /tickets/:id']).toBeLessThanOrEqual(20);
  });

  it('a new change to the same ticket is a new event', async () => {
    await postWebhook(stack, { ticket_id: t(16) });
    await sse.waitFor(1);
    stack.emulator.data.tickets.get(Number(t(16)))!.updated_at = '2099-01-01T00:00:00Z';
    await postWebhook(stack, { ticket_id: t(16) });
    const events = eventsOf(await sse.waitFor(2));
    expect(events.map((e) => e.updatedAt)).toEqual([events[0]!.updatedAt, '2099-01-01T00:00:00Z']);
    expect(compareEventIds(events[0]!.id as string, events[1]!.id as string)).toBeLessThan(0);
  });

  it('a ticket that is gone is reported deleted, once', async () => {
    await postWebhook(stack, { ticket_id: '999999' });
    await postWebhook(stack, { ticket_id: '999999' });
    const [event] = eventsOf(await sse.waitFor(1));
    await settled();
    expect(event).toMatchObject({ ticketId: '999999', kind: 'DELETED', updatedAt: null });
    expect(sse.results).toHaveLength(1);
  });
});

describe('recent deliveries', () => {
  it('GET /webhooks/freshdesk lists them (newest first) to holders of the secret only', async () => {
    await postWebhook(stack, { ticket_id: t(17), triggered_event: '{reply_sent:sent}' });
    await postWebhook(stack, '{bad', {});
    await settled();
    const denied = await request(webhookUrl(stack));
    expect(denied.statusCode).toBe(401);
    await denied.body.dump();
    const listed = await request(webhookUrl(stack), { headers: { 'x-webhook-secret': SECRET } });
    const status = (await listed.body.json()) as {
      deliveries: Record<string, unknown>[];
      sweep: Record<string, unknown>;
    };
    expect(listed.statusCode).toBe(200);
    expect(status.deliveries[0]).toMatchObject({ status: 400, outcome: 'rejected' });
    expect(status.deliveries[1]).toMatchObject({
      status: 202,
      ticketId: t(17),
      triggeredEvent: '{reply_sent:sent}',
      outcome: 'event',
    });
    expect(status.sweep).toEqual({ off: 'DESKGRAPH_RECONCILE_INTERVAL_MS is 0' });
  });
});

describe('webhooks off', () => {
  it('without DESKGRAPH_WEBHOOK_SECRET the path does not exist', async () => {
    const off = await startFreshStack({ DESKGRAPH_WEBHOOK_SECRET: '' });
    try {
      const response = await postWebhook(off, { ticket_id: '5' });
      expect(response.status).toBe(404);
      expect(off.logs.join('\n')).toMatch(/webhooks off/);
    } finally {
      await off.close();
    }
  });
});

describe('logs', () => {
  it('never hold the secret, whatever was delivered', () => {
    expect(stack.logs.length).toBeGreaterThan(0);
    expect(stack.logs.join('\n')).not.toContain(SECRET);
  });
});
