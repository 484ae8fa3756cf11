/**
 * Stale over failure: when Freshdesk cannot answer (503s, the account's budget spent, the
 * operation's deadline passed), a read the cache kept an answer for is answered with it, marked
 * in `extensions.stale` (`[{ path, ageSeconds }]`) at the field that read it, instead of failing.
 * A read the cache never had still fails with its coded error.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { TicketRecord } from '../../src/emulator/records.ts';
import { postWebhook, startFreshStack } from '../freshness/helpers.ts';
import { coldReads, type Stack, startStack } from '../helpers/gateway.ts';
import { firstTicketPage } from '../helpers/tickets.ts';
import { changeQuietly, settled } from './helpers.ts';

interface StaleNote {
  path: (string | number)[];
  ageSeconds: number;
}

const staleOf = (result: { extensions?: Record<string, unknown> }): StaleNote[] =>
  (result.extensions?.stale as StaleNote[] | undefined) ?? [];

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('with Freshdesk answering 503', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startFreshStack({ DESKGRAPH_CACHE_MAX_AGES: 'tickets=1' });
  });
  afterAll(() => stack.close());
  beforeEach(() => {
    stack.emulator.setFaults({});
    coldReads(stack);
  });

  const unavailable = () =>
    stack.emulator.setFaults({
      errors: { '*': { rate: 1, status: 503, retryAfterSeconds: 0 } },
    });

  it('a ticket a webhook reported changed is answered from the cache, marked stale, rather than failing', async () => {
    const [first, second] = firstTicketPage(stack.emulator.data, 2) as [TicketRecord, TicketRecord];
    const query = `{ a: ticket(id: "${first.id}") { id subject } b: ticket(id: "${second.id}") { id subject } }`;
    const cached = await stack.gql(query);
    expect(cached.errors).toBeUndefined();
    changeQuietly(stack, first, { subject: 'Newer than the cache' });
    expect((await postWebhook(stack, { ticket_id: String(first.id) })).status).toBe(202);
    await settled(stack);

    unavailable();
    const result = await stack.gql(query);
    expect(result.errors).toBeUndefined();
    // What the cache kept (the webhook said it is outdated, but Freshdesk cannot say more now).
    expect(result.data).toEqual(cached.data);
    expect(staleOf(result)).toEqual([{ path: ['a'], ageSeconds: expect.any(Number) }]);
    expect(stack.emulator.stats().status['503']).toBeGreaterThan(0);
  });

  it('an answer past its maximum age is served with its age', async () => {
    const ticket = firstTicketPage(stack.emulator.data, 3)[2] as TicketRecord;
    const query = `{ ticket(id: "${ticket.id}") { id subject } tickets(first: 2) { nodes { id } } }`;
    const cached = await stack.gql(query);
    expect(cached.errors).toBeUndefined();
    await sleep(1_100); // tickets by id are kept 1 s here; the page (5 minutes) is still fresh
    unavailable();
    const result = await stack.gql(query);
    expect(result.errors).toBeUndefined();
    expect(result.data).toEqual(cached.data);
    const notes = staleOf(result);
    expect(notes.map((note) => note.path)).toEqual([['ticket']]);
    expect(notes[0]?.ageSeconds).toBeGreaterThanOrEqual(1);
  });

  it('a read the cache never had fails as before, and the rest of the query still resolves', async () => {
    const [kept, never] = firstTicketPage(stack.emulator.data, 6).slice(4) as TicketRecord[];
    await stack.gql(`{ ticket(id: "${kept?.id}") { id } }`);
    await sleep(1_100);
    unavailable();
    const result = await stack.gql(
      `{ kept: ticket(id: "${kept?.id}") { id } never: ticket(id: "${never?.id}") { id } }`,
    );
    expect(result.data).toEqual({ kept: { id: String(kept?.id) }, never: null });
    expect(result.errors?.map((e) => [e.path, e.extensions?.code])).toEqual([
      [['never'], 'SERVICE_UNAVAILABLE'],
    ]);
    expect(staleOf(result).map((note) => note.path)).toEqual([['kept']]);
  });

  it('a refused key (401) is never answered from the cache', async () => {
    const ticket = firstTicketPage(stack.emulator.data, 8)[7] as TicketRecord;
    await stack.gql(`{ ticket(id: "${ticket.id}") { id } }`);
    await sleep(1_100);
    stack.emulator.setFaults({ errors: { '*': { rate: 1, status: 401 } } });
    const result = await stack.gql(`{ ticket(id: "${ticket.id}") { id } }`);
    expect(result.data).toEqual({ ticket: null });
    expect(result.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    expect(staleOf(result)).toEqual([]);
  });
});

describe("with the account's budget spent", () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({
      emulator: { plan: { total: 8 }, windowMs: 60_000, tickets: 40 },
      env: {
        FRESHDESK_PLAN: 'total=8',
        DESKGRAPH_QUOTA_WINDOW_MS: '60000',
        DESKGRAPH_OPERATION_DEADLINE_MS: '2000',
        DESKGRAPH_CACHE_MAX_AGES: 'tickets=1,ticket-lists=1',
      },
    });
  });
  afterAll(() => stack.close());

  it('a cached query is answered from the cache, marked stale, instead of QUOTA_EXCEEDED', async () => {
    const tickets = firstTicketPage(stack.emulator.data, 30);
    const query = `{ ticket(id: "${tickets[0]?.id}") { id subject } tickets(first: 3) { nodes { id subject } } }`;
    const cached = await stack.gql(query);
    expect(cached.errors).toBeUndefined();
    // Other reads spend the rest of the minute's budget.
    let refused = false;
    for (const ticket of tickets.slice(1)) {
      const result = await stack.gql(`{ ticket(id: "${ticket.id}") { id } }`);
      if (result.errors?.[0]?.extensions?.code === 'QUOTA_EXCEEDED') {
        refused = true;
        break;
      }
    }
    expect(refused).toBe(true);
    await sleep(1_100); // what the query cached is past its age now
    stack.emulator.resetStats();
    const result = await stack.gql(query);
    expect(result.errors).toBeUndefined();
    expect(result.data).toEqual(cached.data);
    expect(
      staleOf(result)
        .map((note) => note.path.join('.'))
        .sort(),
    ).toEqual(['ticket', 'tickets']);
    expect(stack.emulator.stats().totalCalls).toBe(0);
    expect(result.extensions?.cost).toMatchObject({ estimated: 0, spent: 0 });
  });
});

describe('past the deadline', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({
      emulator: { rateLimit: false, tickets: 20 },
      env: {
        DESKGRAPH_OPERATION_DEADLINE_MS: '1000',
        DESKGRAPH_UPSTREAM_TIMEOUT_MS: '600',
        DESKGRAPH_CACHE_MAX_AGES: 'tickets=1',
      },
    });
  });
  afterAll(() => stack.close());

  it('a read Freshdesk does not answer in time is answered from the cache, marked stale', async () => {
    const ticket = firstTicketPage(stack.emulator.data, 1)[0] as TicketRecord;
    const query = `{ ticket(id: "${ticket.id}") { id subject } }`;
    const cached = await stack.gql(query);
    expect(cached.errors).toBeUndefined();
    await sleep(1_100);
    stack.emulator.setFaults({ latencyMs: 3_000 });
    try {
      const result = await stack.gql(query);
      expect(result.errors).toBeUndefined();
      expect(result.data).toEqual(cached.data);
      expect(staleOf(result).map((note) => note.path)).toEqual([['ticket']]);
    } finally {
      stack.emulator.setFaults({});
    }
  });
});
