/**
 * `ticketEvents` end to end, over real sockets: the emulator's automation rules call the gateway,
 * the sweep finds what no webhook reported, the gateway's own writes are reported at once, and a
 * subscriber sees each change exactly once, live or replayed with `after`.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { invalidateTicketOrder } from '../../src/emulator/handlers/tickets.ts';
import type { TicketRecord } from '../../src/emulator/records.ts';
import { compareEventIds } from '../../src/freshness/event-log.ts';
import { api } from '../helpers/emulator.ts';
import type { Stack } from '../helpers/gateway.ts';
import {
  EVENT_FIELDS,
  eventsOf,
  installStackRules,
  postWebhook,
  startFreshStack,
  subscribe,
} from './helpers.ts';

const SUBSCRIPTION = `subscription ($ticketId: ID, $after: ID) {
  ticketEvents(ticketId: $ticketId, after: $after) { ${EVENT_FIELDS} ticket { id priority statusCode } }
}`;

/** Tickets that exist and can be written (not spam, not deleted). */
function writable(stack: Stack): TicketRecord[] {
  return [...stack.emulator.data.tickets.values()].filter((t) => !t.deleted && !t.spam);
}

/** Waits until the emulator sent its webhooks and the gateway finished what they started. */
async function quiet(stack: Stack): Promise<void> {
  await stack.emulator.webhooks!.idle();
  await stack.gateway.app.freshness.idle();
}

describe('with the rules installed (webhooks) and a sweep run by hand', () => {
  let stack: Stack;
  let tickets: TicketRecord[];

  beforeAll(async () => {
    // A sweep interval far beyond the suite: runs happen when a test asks.
    stack = await startFreshStack({ DESKGRAPH_RECONCILE_INTERVAL_MS: '3600000' });
    await installStackRules(stack);
    tickets = writable(stack);
  });
  afterAll(() => stack.close());

  const sweepOnce = () => stack.gateway.app.freshness.sweep!.runOnce();

  it('a ticket updated through the gateway: the subscriber has its event within 2 s, and the webhook that follows adds none', async () => {
    const ticket = tickets[0]!;
    const sse = await subscribe(stack.gateway.url, SUBSCRIPTION);
    try {
      const before = stack.emulator.webhooks!.deliveries().length;
      const answer = await stack.gql<{ updateTicket: { updatedAt: string } }>(
        `mutation { updateTicket(id: "${ticket.id}", input: { priority: URGENT }) { updatedAt } }`,
      );
      const [event] = eventsOf(await sse.waitFor(1, 2_000));
      expect(event).toMatchObject({
        ticketId: String(ticket.id),
        kind: 'UPDATED',
        source: 'WEBHOOK',
        origin: 'GATEWAY_WRITE',
        updatedAt: answer.data?.updateTicket.updatedAt,
        ticket: { id: String(ticket.id), priority: 'URGENT' },
      });
      await quiet(stack);
      // The emulator's update rule fired back at the gateway, which took it as the same change.
      const fired = stack.emulator.webhooks!.deliveries().slice(before);
      expect(fired).toMatchObject([{ ticketId: ticket.id, status: 202, outcome: 'success' }]);
      const received = stack.gateway.app.freshness.receiver!.deliveries().at(-1);
      expect(received).toMatchObject({
        ticketId: String(ticket.id),
        outcome: 'duplicate',
        triggeredEvent: expect.stringMatching(/^\{priority:\{from:\d,to:4\}\}$/),
      });
      expect(sse.results).toHaveLength(1);
    } finally {
      sse.close();
    }
  });

  it('a change made in Freshdesk (not through the gateway) arrives by webhook within 2 s; the sweep then adds nothing', async () => {
    const ticket = tickets[1]!;
    const sse = await subscribe(stack.gateway.url, SUBSCRIPTION);
    try {
      const to = ticket.status === 3 ? 2 : 3;
      const from = ticket.status;
      const put = await api(stack.emulator, 'PUT', `/tickets/${ticket.id}`, {
        body: { status: to },
      });
      expect(put.status).toBe(200);
      const [event] = eventsOf(await sse.waitFor(1, 2_000));
      expect(event).toMatchObject({
        ticketId: String(ticket.id),
        kind: 'UPDATED',
        source: 'WEBHOOK',
        triggeredEvent: `{status:{from:${from},to:${to}}}`,
        updatedAt: ticket.updated_at,
        ticket: { statusCode: to },
      });
      const sweep = stack.gateway.app.freshness.sweep!;
      const reported = sweep.status().reported;
      await sweepOnce();
      await quiet(stack);
      // The sweep saw the ticket (and reported it to the change feed), but it is the same change.
      expect(sweep.status().reported).toBeGreaterThan(reported);
      expect(sse.results).toHaveLength(1);
    } finally {
      sse.close();
    }
  });

  it('a change no webhook reported is found by the sweep; a late webhook for it adds nothing', async () => {
    const ticket = tickets[2]!;
    const sse = await subscribe(stack.gateway.url, SUBSCRIPTION);
    try {
      // Changed behind every rule's back (as when Freshdesk drops a webhook).
      ticket.subject = 'changed quietly';
      ticket.updated_at = new Date(Date.now() + 1_000).toISOString().replace(/\.\d{3}Z$/, 'Z');
      invalidateTicketOrder(stack.emulator.data);
      await sweepOnce();
      const [event] = eventsOf(await sse.waitFor(1));
      expect(event).toMatchObject({
        ticketId: String(ticket.id),
        kind: 'UPDATED',
        source: 'SWEEP',
        updatedAt: ticket.updated_at,
      });
      expect((await postWebhook(stack, { ticket_id: String(ticket.id) })).status).toBe(202);
      await quiet(stack);
      await sweepOnce();
      await quiet(stack);
      expect(sse.results).toHaveLength(1);
    } finally {
      sse.close();
    }
  });

  it("the gateway's creates, replies and notes: one event each, of the right kind", async () => {
    const requester = [...stack.emulator.data.contacts.values()].find(
      (c) => c.email && !c.deleted,
    )!;
    const ticket = tickets[3]!;
    const sse = await subscribe(stack.gateway.url, SUBSCRIPTION);
    try {
      const created = await stack.gql<{ createTicket: { id: string } }>(
        `mutation { createTicket(input: { subject: "Printer on fire", description: "<p>Help</p>", requesterId: "${requester.id}" }) { id } }`,
      );
      const newId = created.data!.createTicket.id;
      await quiet(stack);
      await stack.gql(
        `mutation { replyToTicket(ticketId: "${ticket.id}", input: { body: "On it" }) { id } }`,
      );
      await quiet(stack);
      // A second later, so the note is a change of its own (Freshdesk's times are in seconds).
      await new Promise((resolve) => setTimeout(resolve, 1_100));
      await stack.gql(
        `mutation { addNote(ticketId: "${ticket.id}", input: { body: "internal", private: true }) { id } }`,
      );
      await quiet(stack);
      const events = eventsOf(await sse.waitFor(3));
      expect(events.map((e) => [e.ticketId, e.kind, e.source, e.origin])).toEqual([
        [newId, 'CREATED', 'WEBHOOK', 'GATEWAY_WRITE'],
        [String(ticket.id), 'REPLY_SENT', 'WEBHOOK', 'GATEWAY_WRITE'],
        [String(ticket.id), 'NOTE_ADDED', 'WEBHOOK', 'GATEWAY_WRITE'],
      ]);
      // Each write made the emulator fire a rule; every delivery was recognised as its change.
      const received = stack.gateway.app.freshness.receiver!.deliveries().slice(-3);
      expect(received.map((d) => d.outcome)).toEqual(['duplicate', 'duplicate', 'duplicate']);
      expect(sse.results).toHaveLength(3);
    } finally {
      sse.close();
    }
  });

  it('a subscriber that resubscribes with `after` gets what it missed, once, then live events', async () => {
    const [a, b, c, d, e] = tickets.slice(10, 15) as [
      TicketRecord,
      TicketRecord,
      TicketRecord,
      TicketRecord,
      TicketRecord,
    ];
    const bump = async (ticket: TicketRecord) => {
      const put = await api(stack.emulator, 'PUT', `/tickets/${ticket.id}`, {
        body: { priority: ticket.priority === 4 ? 1 : ticket.priority + 1 },
      });
      expect(put.status).toBe(200);
      await quiet(stack);
    };
    const first = await subscribe(stack.gateway.url, SUBSCRIPTION);
    await bump(a);
    const [seen] = eventsOf(await first.waitFor(1));
    first.close();
    // Missed while disconnected.
    await bump(b);
    await bump(c);
    const again = await subscribe(stack.gateway.url, SUBSCRIPTION, { after: seen!.id });
    const other = await subscribe(stack.gateway.url, SUBSCRIPTION);
    try {
      const replayed = eventsOf(await again.waitFor(2));
      expect(replayed.map((e) => e.ticketId)).toEqual([String(b.id), String(c.id)]);
      await bump(d);
      const all = eventsOf(await again.waitFor(3));
      expect(all.map((e) => e.ticketId)).toEqual([String(b.id), String(c.id), String(d.id)]);
      const ids = all.map((e) => e.id as string);
      expect([...ids].sort(compareEventIds)).toEqual(ids);
      expect(new Set(ids).size).toBe(3);
      // A subscriber without `after` starts now: no replay.
      expect(eventsOf(await other.waitFor(1)).map((e) => e.ticketId)).toEqual([String(d.id)]);
      // Replaying from the last id seen gives nothing more.
      const caughtUp = await subscribe(stack.gateway.url, SUBSCRIPTION, { after: ids[2] });
      await bump(e);
      expect(eventsOf(await caughtUp.waitFor(1)).map((x) => x.ticketId)).toEqual([String(e.id)]);
      caughtUp.close();
    } finally {
      again.close();
      other.close();
    }
  });

  it('`ticketId` narrows the stream to one ticket; `ticket` is read afresh for every event', async () => {
    const [mine, theirs] = tickets.slice(20, 22) as [TicketRecord, TicketRecord];
    const sse = await subscribe(stack.gateway.url, SUBSCRIPTION, { ticketId: String(mine.id) });
    try {
      for (const [ticket, priority] of [
        [theirs, 'HIGH'],
        [mine, 'LOW'],
        [theirs, 'LOW'],
      ] as const) {
        await stack.gql(
          `mutation { updateTicket(id: "${ticket.id}", input: { priority: ${priority} }) { id } }`,
        );
        await quiet(stack);
      }
      await new Promise((resolve) => setTimeout(resolve, 1_100));
      await stack.gql(
        `mutation { updateTicket(id: "${mine.id}", input: { priority: URGENT }) { id } }`,
      );
      const events = eventsOf(await sse.waitFor(2));
      expect(events.map((e) => e.ticketId)).toEqual([String(mine.id), String(mine.id)]);
      expect(events.map((e) => (e.ticket as { priority: string }).priority)).toEqual([
        'LOW',
        'URGENT',
      ]);
    } finally {
      sse.close();
    }
  });

  it('`after` the log cannot replay from: a coded error, then the stream ends', async () => {
    const cases: [string, string][] = [
      ['not-an-id', 'BAD_USER_INPUT'],
      ['0-0', 'EVENTS_EXPIRED'],
      ['9999999999999-0', 'EVENT_ID_UNKNOWN'],
    ];
    for (const [after, code] of cases) {
      const sse = await subscribe(stack.gateway.url, SUBSCRIPTION, { after });
      await sse.ended();
      expect(sse.results).toHaveLength(1);
      expect(sse.results[0]!.errors?.[0]?.extensions?.code).toBe(code);
    }
    const bad = await subscribe(stack.gateway.url, SUBSCRIPTION, { ticketId: 'abc' });
    await bad.ended();
    expect(bad.results[0]!.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  });
});

describe('with no webhooks at all', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startFreshStack({ DESKGRAPH_RECONCILE_INTERVAL_MS: '1000' });
  });
  afterAll(() => stack.close());

  it('a ticket changed in Freshdesk reaches a subscriber within two sweep intervals', async () => {
    const ticket = writable(stack)[5]!;
    const sweep = stack.gateway.app.freshness.sweep!;
    const sse = await subscribe(stack.gateway.url, SUBSCRIPTION, { ticketId: String(ticket.id) });
    try {
      const put = await api(stack.emulator, 'PUT', `/tickets/${ticket.id}`, {
        body: { subject: 'no rule reports a subject' },
      });
      expect(put.status).toBe(200);
      const runsAtChange = sweep.status().runs;
      const [event] = eventsOf(await sse.waitFor(1, 15_000));
      expect(sweep.status().runs - runsAtChange).toBeLessThanOrEqual(2);
      expect(event).toMatchObject({
        ticketId: String(ticket.id),
        source: 'SWEEP',
        updatedAt: ticket.updated_at,
      });
      expect(stack.emulator.stats().calls['GET /tickets']).toBeGreaterThan(0);
    } finally {
      sse.close();
    }
  });
});

describe('passthrough mode', () => {
  it('a subscriber gets events only for tickets its own key can read', async () => {
    const stack = await startFreshStack({ DESKGRAPH_AUTH: 'passthrough' });
    try {
      const keys = stack.emulator.apiKeys;
      const restricted = stack.emulator.data.agents.get(
        stack.emulator.data.apiKeys.get(keys.restricted)!,
      )!;
      const all = writable(stack);
      const hidden = all.find(
        (t) => t.responder_id !== restricted.id && !restricted.group_ids.includes(t.group_id ?? -1),
      )!;
      const shown = all.find(
        (t) => t.group_id !== null && restricted.group_ids.includes(t.group_id),
      )!;
      const asRestricted = await subscribe(
        stack.gateway.url,
        SUBSCRIPTION,
        {},
        {
          'x-freshdesk-api-key': keys.restricted,
        },
      );
      const asAdmin = await subscribe(
        stack.gateway.url,
        SUBSCRIPTION,
        {},
        {
          'x-freshdesk-api-key': keys.admin,
        },
      );
      try {
        await postWebhook(stack, { ticket_id: String(hidden.id) });
        await postWebhook(stack, { ticket_id: String(shown.id) });
        const admin = eventsOf(await asAdmin.waitFor(2));
        expect(admin.map((e) => e.ticketId).sort()).toEqual(
          [String(hidden.id), String(shown.id)].sort(),
        );
        const mine = eventsOf(await asRestricted.waitFor(1));
        await stack.gateway.app.freshness.idle();
        await new Promise((resolve) => setTimeout(resolve, 200));
        expect(mine.map((e) => e.ticketId)).toEqual([String(shown.id)]);
        expect(JSON.stringify(asRestricted.results)).not.toContain(`"${hidden.id}"`);
      } finally {
        asRestricted.close();
        asAdmin.close();
      }
    } finally {
      await stack.close();
    }
  });

  it('without a service key: the sweep is off (and says so); each delivery is reported once', async () => {
    const stack = await startFreshStack({
      DESKGRAPH_AUTH: 'passthrough',
      FRESHDESK_API_KEY: '',
      DESKGRAPH_RECONCILE_INTERVAL_MS: '1000',
    });
    try {
      expect(stack.logs.join('\n')).toMatch(
        /reconciliation sweep off: passthrough mode without a service key/,
      );
      expect(stack.gateway.app.freshness.sweep).toBeUndefined();
      const sse = await subscribe(
        stack.gateway.url,
        SUBSCRIPTION,
        {},
        {
          'x-freshdesk-api-key': stack.emulator.apiKeys.admin,
        },
      );
      try {
        const id = String(writable(stack)[0]!.id);
        const body = { ticket_id: id, triggered_event: '{status:{from:2,to:3}}' };
        await postWebhook(stack, body);
        await postWebhook(stack, body);
        await postWebhook(stack, { ...body, triggered_event: '{status:{from:3,to:4}}' });
        const events = eventsOf(await sse.waitFor(2));
        await stack.gateway.app.freshness.idle();
        expect(events.map((e) => [e.ticketId, e.updatedAt, e.triggeredEvent])).toEqual([
          [id, null, '{status:{from:2,to:3}}'],
          [id, null, '{status:{from:3,to:4}}'],
        ]);
        expect(sse.results).toHaveLength(2);
      } finally {
        sse.close();
      }
    } finally {
      await stack.close();
    }
  });
});
