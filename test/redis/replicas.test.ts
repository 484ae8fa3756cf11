/**
 * Gateway replicas sharing freshness through the real Redis (`REDIS_URL`): three real processes, as
 * `npm start` runs them, against one emulator (`test/helpers/replicas.ts`). A webhook reaching one
 * replica reaches subscribers on the others, once; a redelivery to another replica adds nothing;
 * `after` replays anywhere; the sweep runs on one replica per interval, and another takes over when
 * it dies; with Redis cut, webhooks, queries and subscribers are still served, and the replicas
 * share again once it returns.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { invalidateTicketOrder } from '../../src/emulator/handlers/tickets.ts';
import type { TicketRecord } from '../../src/emulator/records.ts';
import { parseEventId } from '../../src/freshness/event-log.ts';
import { LOCAL_SEQ_BASE } from '../../src/freshness/shared-stores.ts';
import { EVENT_FIELDS, eventsOf, SECRET, type Sse, subscribe } from '../freshness/helpers.ts';
import { api } from '../helpers/emulator.ts';
import { postGraphQL, UNTHROTTLED } from '../helpers/gateway.ts';
import {
  getJson,
  postWebhookTo,
  type Replica,
  type ReplicaSet,
  startReplicas,
} from '../helpers/replicas.ts';

const SUBSCRIPTION = `subscription ($after: ID) { ticketEvents(after: $after) { ${EVENT_FIELDS} } }`;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const ENV = {
  ...UNTHROTTLED.env,
  DESKGRAPH_WEBHOOK_SECRET: SECRET,
  LOG_LEVEL: 'info',
};

/** Tickets that can be written (not spam, not deleted). */
const writable = (set: ReplicaSet): TicketRecord[] =>
  [...set.emulator.data.tickets.values()].filter((t) => !t.deleted && !t.spam);

/** Changes a ticket in the emulator through its API (no rules installed: no webhook is sent). */
async function touch(set: ReplicaSet, ticket: TicketRecord): Promise<void> {
  const reply = await api(set.emulator, 'PUT', `/tickets/${ticket.id}`, {
    body: { priority: ticket.priority === 4 ? 1 : ticket.priority + 1 },
  });
  expect(reply.status).toBe(200);
}

/** What `GET /webhooks/freshdesk` says (deliveries, sweep, events). */
const receiverStatus = async (replica: Replica) =>
  (await getJson(replica, '/webhooks/freshdesk', { 'x-webhook-secret': SECRET })).body as {
    deliveries: { ticketId: string; outcome: string }[];
    sweep: { role?: string; runs: number; skipped: number };
    events?: { mode: string };
  };

/** Waits until every delivery `replica` received for the ticket is settled (not queued). */
async function settled(replica: Replica, ticketId: string): Promise<string[]> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const { deliveries } = await receiverStatus(replica);
    const mine = deliveries.filter((d) => d.ticketId === ticketId);
    if (mine.length > 0 && mine.every((d) => d.outcome !== 'queued')) {
      return mine.map((d) => d.outcome);
    }
    if (Date.now() > deadline) {
      throw new Error(`deliveries for ${ticketId} still queued: ${JSON.stringify(deliveries)}`);
    }
    await sleep(50);
  }
}

/** Polls `check` until it returns true (or throws after `timeoutMs`). */
async function until(
  what: string,
  check: () => Promise<boolean> | boolean,
  timeoutMs = 15_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) {
      throw new Error(`timed out waiting for ${what}`);
    }
    await sleep(100);
  }
}

const redisStatus = async (replica: Replica): Promise<string> => {
  const ready = await getJson(replica, '/ready');
  expect(ready.status).toBe(200);
  return (ready.body.redis as { status: string }).status;
};

describe('three replicas: webhooks, subscriptions and replay through Redis', () => {
  let set: ReplicaSet;
  let tickets: TicketRecord[];
  const open: Sse[] = [];

  beforeAll(async () => {
    set = await startReplicas({
      count: 3,
      emulator: { ...UNTHROTTLED.emulator, tickets: 60 },
      // A sweep far beyond the suite: every event here comes from a webhook.
      env: { ...ENV, DESKGRAPH_RECONCILE_INTERVAL_MS: '3600000' },
    });
    tickets = writable(set);
  }, 60_000);
  afterAll(async () => {
    for (const sse of open) {
      sse.close();
    }
    await set?.close();
  }, 60_000);

  const sub = async (replica: Replica, after?: string): Promise<Sse> => {
    const sse = await subscribe(replica.url, SUBSCRIPTION, after ? { after } : {});
    open.push(sse);
    return sse;
  };

  it('a webhook posted to replica A reaches subscribers on B and C within 2 s, once; its redelivery to B and C adds nothing', async () => {
    const [a, b, c] = set.replicas as [Replica, Replica, Replica];
    const onB = await sub(b);
    const onC = await sub(c);
    const ticket = tickets[0]!;
    await touch(set, ticket);
    const body = { ticket_id: String(ticket.id), triggered_event: '{priority:{from:1,to:2}}' };
    expect((await postWebhookTo(a, body, SECRET)).status).toBe(202);
    const [onBEvent] = eventsOf(await onB.waitFor(1, 2_000));
    expect(onBEvent).toMatchObject({
      ticketId: String(ticket.id),
      source: 'WEBHOOK',
      updatedAt: ticket.updated_at,
    });
    expect(eventsOf(await onC.waitFor(1, 2_000))[0]).toEqual(onBEvent);
    expect(await settled(a, String(ticket.id))).toEqual(['event']);

    // Freshdesk redelivers (its retry reached other replicas behind the load balancer).
    expect((await postWebhookTo(b, body, SECRET)).status).toBe(202);
    expect((await postWebhookTo(c, body, SECRET)).status).toBe(202);
    expect(await settled(b, String(ticket.id))).toEqual(['duplicate']);
    expect(await settled(c, String(ticket.id))).toEqual(['duplicate']);
    await sleep(500);
    expect(onB.results).toHaveLength(1);
    expect(onC.results).toHaveLength(1);
  });

  it('replica B replays, with `after`, the events that arrived at replica A', async () => {
    const [a, b] = set.replicas as [Replica, Replica];
    const onA = await sub(a);
    const [first, second, third] = [tickets[1]!, tickets[2]!, tickets[3]!];
    await touch(set, first);
    await postWebhookTo(a, { ticket_id: String(first.id) }, SECRET);
    const [seen] = eventsOf(await onA.waitFor(1));
    onA.close();
    // While the client is away: two more changes, both reported at A.
    for (const ticket of [second, third]) {
      await touch(set, ticket);
      await postWebhookTo(a, { ticket_id: String(ticket.id) }, SECRET);
      expect(await settled(a, String(ticket.id))).toEqual(['event']);
    }
    const resumed = await sub(b, seen!.id as string);
    const replayed = eventsOf(await resumed.waitFor(2));
    expect(replayed.map((e) => e.ticketId)).toEqual([String(second.id), String(third.id)]);
    await sleep(500);
    expect(resumed.results).toHaveLength(2);
  });

  it('Redis cut mid-run: webhooks answered at once, queries served, subscribers served by their replica; /ready and the logs say so; shared again when Redis returns', async () => {
    const [a, b, c] = set.replicas as [Replica, Replica, Replica];
    const onB = await sub(b);
    set.cutRedis('blackhole');
    await until('every replica to see Redis down', async () =>
      (await Promise.all(set.replicas.map(redisStatus))).every((s) => s === 'down'),
    );

    // A webhook to B: answered at once, and B's subscriber has the event, from B's own log.
    const ticket = tickets[4]!;
    await touch(set, ticket);
    const answer = await postWebhookTo(b, { ticket_id: String(ticket.id) }, SECRET);
    expect(answer.status).toBe(202);
    expect(answer.ms).toBeLessThan(1_000);
    const [local] = eventsOf(await onB.waitFor(1, 2_000));
    expect(local).toMatchObject({ ticketId: String(ticket.id), source: 'WEBHOOK' });
    expect(parseEventId(local!.id as string)![1]).toBeGreaterThanOrEqual(LOCAL_SEQ_BASE);
    // A subscriber arriving during the cut is served too.
    const onC = await sub(c);
    const other = tickets[5]!;
    await touch(set, other);
    expect((await postWebhookTo(c, { ticket_id: String(other.id) }, SECRET)).status).toBe(202);
    expect(eventsOf(await onC.waitFor(1, 2_000))[0]).toMatchObject({ ticketId: String(other.id) });
    // Queries do not touch Redis for freshness and are answered as usual.
    const query = await postGraphQL<{ ticket: { id: string } }>(
      a.url,
      `{ ticket(id: "${ticket.id}") { id } }`,
    );
    expect(query.data?.ticket.id).toBe(String(ticket.id));
    expect((await receiverStatus(b)).events?.mode).toBe('local');
    await b.waitForLog((l) => l.level === 'warn' && l.message.startsWith('redis unreachable'));
    await b.waitForLog((l) => l.message.startsWith('ticket events: Redis did not answer'));

    set.restoreRedis();
    await until('every replica to see Redis up', async () =>
      (await Promise.all(set.replicas.map(redisStatus))).every((s) => s === 'up'),
    );
    await a.waitForLog((l) => l.message === 'redis is back: sharing state again');
    // Shared again: a webhook to A reaches the subscriber that stayed connected to B all along.
    const after = tickets[6]!;
    await touch(set, after);
    expect((await postWebhookTo(a, { ticket_id: String(after.id) }, SECRET)).status).toBe(202);
    const rejoined = eventsOf(await onB.waitFor(2, 2_000))[1]!;
    expect(rejoined).toMatchObject({ ticketId: String(after.id), source: 'WEBHOOK' });
    expect(parseEventId(rejoined.id as string)![1]).toBeLessThan(LOCAL_SEQ_BASE);
    expect(eventsOf(await onC.waitFor(2, 2_000))[1]).toEqual(rejoined);
    expect((await receiverStatus(b)).events?.mode).toBe('shared');
  });
});

describe('three replicas: the sweep', () => {
  const INTERVAL = 1_000;
  let set: ReplicaSet;

  beforeAll(async () => {
    set = await startReplicas({
      count: 3,
      emulator: { ...UNTHROTTLED.emulator, tickets: 60 },
      env: { ...ENV, DESKGRAPH_RECONCILE_INTERVAL_MS: String(INTERVAL) },
    });
  }, 60_000);
  afterAll(() => set?.close(), 60_000);

  const roles = async (): Promise<(string | undefined)[]> =>
    Promise.all(
      set.replicas.filter((r) => !r.exited).map(async (r) => (await receiverStatus(r)).sweep.role),
    );

  it('runs on one replica per interval: the emulator sees one list call per interval, not one per replica', async () => {
    await until(
      'one holder',
      async () => (await roles()).filter((r) => r === 'holder').length === 1,
    );
    set.emulator.resetStats();
    const started = Date.now();
    await sleep(6 * INTERVAL);
    const calls = set.emulator.stats().calls['GET /tickets'] ?? 0;
    const intervals = (Date.now() - started) / INTERVAL;
    // At most one per interval (plus one for a run straddling the start); three replicas
    // sweeping on their own would make about three per interval.
    expect(calls).toBeLessThanOrEqual(Math.ceil(intervals) + 1);
    expect(calls).toBeGreaterThanOrEqual(2);
    expect((await roles()).sort()).toEqual(['holder', 'standby', 'standby']);
  });

  it('a change no webhook reported reaches a subscriber on a replica that does not sweep, once; when the holder dies another takes over', async () => {
    const statuses = await Promise.all(set.replicas.map(receiverStatus));
    const holder = set.replicas[statuses.findIndex((s) => s.sweep.role === 'holder')]!;
    const standby = set.replicas.find((r) => r !== holder)!;
    const sse = await subscribe(standby.url, SUBSCRIPTION);
    try {
      const quietly = async (ticket: TicketRecord): Promise<void> => {
        ticket.subject = `changed quietly ${Date.now()}`;
        ticket.updated_at = new Date(Date.now() + 1_000).toISOString().replace(/\.\d{3}Z$/, 'Z');
        invalidateTicketOrder(set.emulator.data);
      };
      const [first, second] = writable(set).slice(10, 12) as [TicketRecord, TicketRecord];
      await quietly(first);
      const [event] = eventsOf(await sse.waitFor(1, 10_000));
      expect(event).toMatchObject({ ticketId: String(first.id), source: 'SWEEP' });

      await holder.kill();
      await until(
        'another replica to take the sweep over',
        async () => (await roles()).filter((r) => r === 'holder').length === 1,
      );
      await quietly(second);
      const both = eventsOf(await sse.waitFor(2, 10_000));
      expect(both[1]).toMatchObject({ ticketId: String(second.id), source: 'SWEEP' });
      // The new holder carried on from the cursor the dead one left: nothing reported twice.
      await sleep(3 * INTERVAL);
      expect(sse.results).toHaveLength(2);
      set.emulator.resetStats();
      const started = Date.now();
      await sleep(4 * INTERVAL);
      const calls = set.emulator.stats().calls['GET /tickets'] ?? 0;
      expect(calls).toBeLessThanOrEqual(Math.ceil((Date.now() - started) / INTERVAL) + 1);
      expect(calls).toBeGreaterThanOrEqual(1);
    } finally {
      sse.close();
    }
  });
});
