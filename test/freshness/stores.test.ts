/**
 * The in-memory stores behind `ticketEvents`: the replay log (ids, bounds, floor), deduplication,
 * the change feed, and the pipeline's subscriptions (replay then live, once; slow consumers cut off).
 */
import { describe, expect, it } from 'vitest';
import { createChangeFeed, type TicketChange } from '../../src/freshness/change-feed.ts';
import { MemoryChangeDedup } from '../../src/freshness/dedup.ts';
import { isOverflow } from '../../src/freshness/event-bus.ts';
import { compareEventIds, MemoryEventLog } from '../../src/freshness/event-log.ts';
import { createEventPipeline, memoryStores } from '../../src/freshness/pipeline.ts';
import { replayError, sampleChange, sampleEvent } from '../helpers/events.ts';

/** A clock the test moves. */
function clock(start = 1_000_000) {
  let now = start;
  return { now: () => now, set: (ms: number) => (now = ms), add: (ms: number) => (now += ms) };
}

describe('MemoryEventLog', () => {
  it('issues strictly increasing ids, even within one ms or when the clock goes back', async () => {
    const time = clock();
    const log = new MemoryEventLog({ maxEvents: 100, maxAgeMs: 60_000, now: time.now });
    const ids: string[] = [];
    for (const step of [0, 0, 5, -3, 0, 1_000]) {
      time.add(step);
      ids.push((await log.append(sampleEvent('1'))).id);
    }
    for (let i = 1; i < ids.length; i++) {
      expect(compareEventIds(ids[i - 1]!, ids[i]!)).toBeLessThan(0);
    }
    expect(ids[0]).toBe('1000000-1');
    expect(await log.head()).toBe(ids.at(-1));
  });

  it('replays what came after an id, from its floor up; below it EVENTS_EXPIRED, above the newest EVENT_ID_UNKNOWN', async () => {
    const time = clock();
    const log = new MemoryEventLog({ maxEvents: 3, maxAgeMs: 60_000, now: time.now });
    const start = await log.head();
    const ids: string[] = [];
    for (const ticket of ['1', '2', '3']) {
      time.add(10);
      ids.push((await log.append(sampleEvent(ticket))).id);
    }
    expect((await log.since(start)).map((e) => e.ticketId)).toEqual(['1', '2', '3']);
    expect((await log.since(ids[0]!)).map((e) => e.ticketId)).toEqual(['2', '3']);
    expect(await log.since(ids[2]!)).toEqual([]);
    // A fourth event pushes the first out: the floor rises to it.
    time.add(10);
    await log.append(sampleEvent('4'));
    expect((await replayError(log.since(start))).code).toBe('EVENTS_EXPIRED');
    expect((await log.since(ids[0]!)).map((e) => e.ticketId)).toEqual(['2', '3', '4']);
    const unknown = await replayError(log.since('99999999-0'));
    expect(unknown.code).toBe('EVENT_ID_UNKNOWN');
    expect(unknown.floor).toBe(ids[0]);
    expect((await replayError(log.since('garbage'))).code).toBe('EVENTS_EXPIRED');
  });

  it('drops events past their age, and says so to a subscriber that was further behind', async () => {
    const time = clock();
    const log = new MemoryEventLog({ maxEvents: 100, maxAgeMs: 1_000, now: time.now });
    const old = await log.append(sampleEvent('1'));
    time.add(500);
    const recent = await log.append(sampleEvent('2'));
    time.add(700);
    expect((await log.since(old.id)).map((e) => e.id)).toEqual([recent.id]);
    expect((await replayError(log.since('1000000-0'))).code).toBe('EVENTS_EXPIRED');
    time.add(1_000);
    expect(await log.since(recent.id)).toEqual([]);
  });

  it('stays within its bound over many events', async () => {
    const log = new MemoryEventLog({ maxEvents: 50, maxAgeMs: 3_600_000 });
    let last = '';
    for (let i = 0; i < 10_000; i++) {
      last = (await log.append(sampleEvent(String(i)))).id;
    }
    const head = await log.head();
    expect(head).toBe(last);
    const kept = await log.since((await replayError(log.since('0-0'))).floor);
    expect(kept).toHaveLength(50);
    expect(kept[0]!.ticketId).toBe('9950');
  });
});

describe('MemoryChangeDedup', () => {
  it('claims a ticket version only when it is newer than every version seen', async () => {
    const dedup = new MemoryChangeDedup();
    expect(await dedup.claim('7', 1_000)).toBe(true);
    expect(await dedup.claim('7', 1_000)).toBe(false);
    expect(await dedup.claim('7', 500)).toBe(false);
    expect(await dedup.claim('7', 2_000)).toBe(true);
    expect(await dedup.claim('8', 500)).toBe(true);
  });

  it('remembers unversioned keys for their time only', async () => {
    const dedup = new MemoryChangeDedup();
    expect(await dedup.once('k', 30)).toBe(true);
    expect(await dedup.once('k', 30)).toBe(false);
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(await dedup.once('k', 30)).toBe(true);
  });
});

describe('the change feed', () => {
  it('tells every listener in order, survives a throwing one, and unsubscribes', () => {
    const feed = createChangeFeed();
    const seen: string[] = [];
    const off = feed.subscribe((change) => seen.push(`a:${change.ticketId}`));
    feed.subscribe(() => {
      throw new Error('listener bug');
    });
    feed.subscribe((change) => seen.push(`c:${change.ticketId}`));
    const change: TicketChange = {
      account: 'https://acme.freshdesk.com',
      ticketId: '5',
      updatedAt: undefined,
      source: 'gateway',
      kind: 'updated',
      receivedAt: 0,
    };
    feed.publish(change);
    off();
    feed.publish({ ...change, ticketId: '6' });
    expect(seen).toEqual(['a:5', 'c:5', 'c:6']);
  });
});

describe('pipeline subscriptions', () => {
  it('one event per (ticket, updated_at); unversioned sightings by their key', async () => {
    const pipeline = createEventPipeline(memoryStores({ maxEvents: 100, maxAgeMs: 60_000 }));
    expect(await pipeline.ingest(sampleChange('1', '2026-03-01T12:00:00Z'))).not.toBeNull();
    expect(await pipeline.ingest(sampleChange('1', '2026-03-01T12:00:00Z'))).toBeNull();
    expect(await pipeline.ingest(sampleChange('1', '2026-03-01T12:00:01Z'))).not.toBeNull();
    expect(
      await pipeline.ingest({ ...sampleChange('1', undefined), sightingKey: 'a' }),
    ).not.toBeNull();
    expect(await pipeline.ingest({ ...sampleChange('1', undefined), sightingKey: 'a' })).toBeNull();
    expect(
      await pipeline.ingest({ ...sampleChange('1', undefined), sightingKey: 'b' }),
    ).not.toBeNull();
  });

  it('replays then goes live with no duplicate and no gap, even for events appended meanwhile', async () => {
    const pipeline = createEventPipeline(memoryStores({ maxEvents: 100, maxAgeMs: 60_000 }));
    const first = await pipeline.ingest(sampleChange('1', '2026-03-01T12:00:00Z'));
    await pipeline.ingest(sampleChange('2', '2026-03-01T12:00:00Z'));
    const subscription = await pipeline.subscribe({ after: first!.id });
    await pipeline.ingest(sampleChange('3', '2026-03-01T12:00:00Z'));
    const got: string[] = [];
    for (let i = 0; i < 2; i++) {
      const { value } = await subscription.next();
      got.push(isOverflow(value!) ? 'overflow' : value!.ticketId);
    }
    expect(got).toEqual(['2', '3']);
    await subscription.return?.();
    expect((await subscription.next()).done).toBe(true);
  });

  it('return() ends a quiet subscription at once (no listener left behind)', async () => {
    const stores = memoryStores({ maxEvents: 100, maxAgeMs: 60_000 });
    const pipeline = createEventPipeline(stores);
    const subscription = await pipeline.subscribe({ ticketId: '42' });
    const pending = subscription.next();
    await subscription.return?.();
    expect((await pending).done).toBe(true);
    // Published after the end: nobody is listening any more.
    let listeners = 0;
    const off = stores.bus.listen(() => listeners++);
    await pipeline.ingest(sampleChange('42', '2026-03-01T12:00:00Z'));
    off();
    expect(listeners).toBe(1);
  });

  it('a consumer too far behind is cut off with the id to resume from, and resuming loses nothing', async () => {
    const pipeline = createEventPipeline(memoryStores({ maxEvents: 1_000, maxAgeMs: 60_000 }));
    const slow = await pipeline.subscribe({ backlog: 5 });
    const ids: string[] = [];
    for (let i = 0; i < 20; i++) {
      ids.push((await pipeline.ingest(sampleChange(String(i), '2026-03-01T12:00:00Z')))!.id);
    }
    const received: string[] = [];
    let resumeFrom: string | undefined;
    for (;;) {
      const { value, done } = await slow.next();
      if (done) {
        break;
      }
      if (isOverflow(value)) {
        resumeFrom = value.lastEventId;
        continue;
      }
      received.push(value.id);
    }
    expect(received).toEqual(ids.slice(0, 5));
    expect(resumeFrom).toBe(ids[4]);
    const resumed = await pipeline.subscribe({ after: resumeFrom });
    const rest: string[] = [];
    for (let i = 0; i < 15; i++) {
      const { value } = await resumed.next();
      rest.push(isOverflow(value!) ? 'overflow' : value!.id);
    }
    expect(rest).toEqual(ids.slice(5));
    await resumed.return?.();
  });

  it('a live event arriving after a newer one (a replica regaining Redis) is still delivered, once; replayed ones are not repeated', async () => {
    const stores = memoryStores({ maxEvents: 100, maxAgeMs: 60_000 });
    const pipeline = createEventPipeline(stores);
    const start = await stores.log.head();
    const [ms] = start.split('-').map(Number) as [number, number];
    const record = (id: string) => ({ ...sampleEvent('9'), id });
    const subscription = await pipeline.subscribe({});
    stores.bus.publish(record(`${ms + 20}-0`));
    stores.bus.publish(record(`${ms + 10}-3`));
    stores.bus.publish(record(`${ms + 20}-0`));
    stores.bus.publish(record(`${ms - 5}-0`));
    stores.bus.publish(record(`${ms + 30}-0`));
    const got: string[] = [];
    for (let i = 0; i < 3; i++) {
      const { value } = await subscription.next();
      got.push(isOverflow(value!) ? 'overflow' : value!.id);
    }
    // Before the start: not new. The repeat of an id already given: not given again.
    expect(got).toEqual([`${ms + 20}-0`, `${ms + 10}-3`, `${ms + 30}-0`]);
    await subscription.return?.();
  });
});

describe('MemoryEventLog as a fallback log', () => {
  it('marks its ids with seqBase and, after reset, replays exactly from the new floor, above every id before', async () => {
    const time = clock();
    const log = new MemoryEventLog({
      maxEvents: 100,
      maxAgeMs: 60_000,
      now: time.now,
      seqBase: 500,
    });
    const a = await log.append(sampleEvent('1'));
    expect(a.id).toBe('1000000-500');
    time.add(5);
    expect((await log.append(sampleEvent('2'))).id).toBe('1000005-500');
    // Heard a shared id from a clock ahead of ours: local ids continue above it.
    log.reset('1000050-7');
    expect(log.floor()).toBe('1000050-7');
    expect((await replayError(log.since(a.id))).code).toBe('EVENTS_EXPIRED');
    const b = await log.append(sampleEvent('3'));
    expect(b.id).toBe('1000050-500');
    expect((await log.since('1000050-7')).map((e) => e.id)).toEqual([b.id]);
  });
});
