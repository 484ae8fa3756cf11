/**
 * The shared freshness stores against the real Redis (`REDIS_URL`), in one process: each "replica"
 * is a connection manager of its own under one key prefix. The replay log keeps the in-memory log's
 * contract (ids, floor, EVENTS_EXPIRED / EVENT_ID_UNKNOWN); deduplication and live events span
 * replicas; and with Redis cut (a TCP proxy in between) each replica goes on alone at once.
 */
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { type Delivery, isOverflow } from '../../src/freshness/event-bus.ts';
import {
  compareEventIds,
  parseEventId,
  type TicketEventRecord,
} from '../../src/freshness/event-log.ts';
import { createEventPipeline, type EventPipeline } from '../../src/freshness/pipeline.ts';
import { RedisChangeDedup, RedisEventLog } from '../../src/freshness/redis-stores.ts';
import {
  createSharedStores,
  LOCAL_SEQ_BASE,
  type SharedStores,
} from '../../src/freshness/shared-stores.ts';
import { createLogger } from '../../src/logger.ts';
import { createRedisManager, type RedisManager } from '../../src/redis/redis.ts';
import { ACCOUNT, replayError, sampleChange, sampleEvent } from '../helpers/events.ts';
import {
  deleteKeys,
  keysUnder,
  REDIS_URL,
  startTcpProxy,
  type TcpProxy,
  testPrefix,
} from '../helpers/redis.ts';

const prefixes: string[] = [];
const cleanups: (() => Promise<void> | void)[] = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) {
    await cleanup();
  }
});
afterAll(async () => {
  for (const prefix of prefixes) {
    await deleteKeys(prefix);
  }
});

interface Lines {
  lines: { level: string; message: string; [key: string]: unknown }[];
}

/** A manager under `prefix` (a fresh one by default), closed after the test; its log lines kept. */
async function manager(
  options: { prefix?: string; url?: string; timeoutMs?: number } = {},
): Promise<RedisManager & Lines> {
  const prefix = options.prefix ?? testPrefix('stores');
  if (!prefixes.includes(prefix)) {
    prefixes.push(prefix);
  }
  const lines: Lines['lines'] = [];
  const logger = createLogger({
    level: 'debug',
    write: (line) => lines.push(JSON.parse(line)),
  });
  const redis = createRedisManager({
    url: options.url ?? REDIS_URL,
    prefix,
    commandTimeoutMs: options.timeoutMs ?? 250,
    logger,
  });
  cleanups.push(() => redis.close());
  void redis.pubsub;
  expect(await redis.ready(5_000)).toBe(true);
  return Object.assign(redis, { lines });
}

async function proxy(): Promise<TcpProxy> {
  const link = await startTcpProxy(REDIS_URL);
  cleanups.push(() => link.close());
  return link;
}

function sharedLog(redis: RedisManager, options: { maxEvents?: number; maxAgeMs?: number } = {}) {
  return new RedisEventLog({
    redis,
    key: redis.key('log'),
    channel: redis.key('events'),
    maxEvents: options.maxEvents ?? 100,
    maxAgeMs: options.maxAgeMs ?? 60_000,
    foreignSeqBase: LOCAL_SEQ_BASE,
  });
}

function stores(redis: RedisManager, maxEvents = 1_000): SharedStores {
  const made = createSharedStores({
    redis,
    account: ACCOUNT,
    maxEvents,
    maxAgeMs: 600_000,
    logger: createLogger({ level: 'silent' }),
  });
  cleanups.push(() => made.close());
  return made;
}

/** Reads a subscription: `next` (or a rejection after `ms`), `quiet` (nothing within `ms`). */
interface Reader {
  next(ms?: number): Promise<TicketEventRecord>;
  quiet(ms?: number): Promise<boolean>;
}

const subscribed = async (pipeline: EventPipeline, after?: string): Promise<Reader> => {
  const subscription = await pipeline.subscribe(after === undefined ? {} : { after });
  cleanups.push(async () => {
    await subscription.return?.();
  });
  // A read that timed out stays pending; the next read takes it over, so no event is lost between.
  let pending: Promise<IteratorResult<Delivery>> | undefined;
  const within = async (ms: number): Promise<IteratorResult<Delivery> | 'quiet'> => {
    pending ??= subscription.next();
    let timer: NodeJS.Timeout | undefined;
    const outcome = await Promise.race([
      pending,
      new Promise<'quiet'>((resolve) => {
        timer = setTimeout(() => resolve('quiet'), ms);
      }),
    ]);
    clearTimeout(timer);
    if (outcome !== 'quiet') {
      pending = undefined;
    }
    return outcome;
  };
  return {
    async next(ms = 3_000) {
      const outcome = await within(ms);
      if (outcome === 'quiet') {
        throw new Error(`no event within ${ms} ms`);
      }
      if (outcome.done || isOverflow(outcome.value)) {
        throw new Error('the subscription ended');
      }
      return outcome.value;
    },
    async quiet(ms = 300) {
      return (await within(ms)) === 'quiet';
    },
  };
};

describe('the replay log in Redis', () => {
  it('issues strictly increasing <ms>-<seq> ids from Redis, the first above the floor set at creation', async () => {
    const redis = await manager();
    const log = sharedLog(redis);
    const start = await log.head();
    const ids: string[] = [];
    for (let i = 0; i < 20; i++) {
      ids.push((await log.append(sampleEvent(String(i)))).id);
    }
    expect(compareEventIds(ids[0]!, start)).toBeGreaterThan(0);
    for (let i = 1; i < ids.length; i++) {
      expect(compareEventIds(ids[i - 1]!, ids[i]!)).toBeLessThan(0);
    }
    expect(await log.head()).toBe(ids.at(-1));
    expect((await log.since(start)).map((e) => e.ticketId)).toEqual(ids.map((_, i) => String(i)));
    expect((await log.since(ids[17]!)).map((e) => e.id)).toEqual(ids.slice(18));
  });

  it('keeps maxEvents: the floor rises to the newest dropped; below it EVENTS_EXPIRED, above the newest EVENT_ID_UNKNOWN', async () => {
    const redis = await manager();
    const log = sharedLog(redis, { maxEvents: 3 });
    const start = await log.head();
    const ids: string[] = [];
    for (const ticket of ['1', '2', '3']) {
      ids.push((await log.append(sampleEvent(ticket))).id);
    }
    expect((await log.since(start)).map((e) => e.ticketId)).toEqual(['1', '2', '3']);
    await log.append(sampleEvent('4'));
    const expired = await replayError(log.since(start));
    expect(expired.code).toBe('EVENTS_EXPIRED');
    expect(expired.floor).toBe(ids[0]);
    expect((await log.since(ids[0]!)).map((e) => e.ticketId)).toEqual(['2', '3', '4']);
    const unknown = await replayError(log.since('99999999999999-0'));
    expect(unknown.code).toBe('EVENT_ID_UNKNOWN');
    expect((await replayError(log.since('garbage'))).code).toBe('EVENTS_EXPIRED');
  });

  it('drops events past their age and says so to a subscriber further behind', async () => {
    const redis = await manager();
    const log = sharedLog(redis, { maxAgeMs: 600 });
    const old = await log.append(sampleEvent('1'));
    await new Promise((resolve) => setTimeout(resolve, 700));
    const recent = await log.append(sampleEvent('2'));
    expect((await log.since(old.id)).map((e) => e.id)).toEqual([recent.id]);
    expect((await replayError(log.since(`${parseEventId(old.id)![0] - 1}-0`))).code).toBe(
      'EVENTS_EXPIRED',
    );
  });

  it('a log lost from Redis (flushed, expired) starts again with a new floor: an old `after` is EVENTS_EXPIRED, never a silent gap', async () => {
    const redis = await manager();
    const log = sharedLog(redis);
    const first = await log.append(sampleEvent('1'));
    await log.append(sampleEvent('2'));
    await redis.client.del(redis.key('log'));
    await new Promise((resolve) => setTimeout(resolve, 5));
    await log.append(sampleEvent('3'));
    expect((await replayError(log.since(first.id))).code).toBe('EVENTS_EXPIRED');
  });

  it('ids a replica issued while cut off from Redis are EVENTS_EXPIRED in the shared log', async () => {
    const redis = await manager();
    const log = sharedLog(redis);
    await log.append(sampleEvent('1'));
    const local = `${Date.now()}-${LOCAL_SEQ_BASE + 3}`;
    const error = await replayError(log.since(local));
    expect(error.code).toBe('EVENTS_EXPIRED');
    expect(error.message).toMatch(/could not reach Redis/);
  });

  it('two writers appending at once: every listener hears all events in id order', async () => {
    const prefix = testPrefix('order');
    const [a, b, listener] = [
      await manager({ prefix }),
      await manager({ prefix }),
      await manager({ prefix }),
    ];
    const heard: string[] = [];
    const handler = (e: Event) => heard.push((e as CustomEvent<TicketEventRecord>).detail.id);
    listener.pubsub.addEventListener(listener.key('events'), handler);
    await new Promise((resolve) => setTimeout(resolve, 50));
    const [logA, logB] = [sharedLog(a), sharedLog(b)];
    const appended = await Promise.all(
      Array.from({ length: 100 }, (_, i) => (i % 2 ? logA : logB).append(sampleEvent(String(i)))),
    );
    const deadline = Date.now() + 5_000;
    while (heard.length < 100 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    listener.pubsub.removeEventListener(listener.key('events'), handler);
    expect(heard).toHaveLength(100);
    expect([...heard].sort(compareEventIds)).toEqual(heard);
    expect(new Set(heard)).toEqual(new Set(appended.map((e) => e.id)));
  });
});

describe('deduplication in Redis', () => {
  it('one claim per (ticket, version) across replicas; unversioned keys once for their time', async () => {
    const prefix = testPrefix('dedup');
    const redisA = await manager({ prefix });
    const a = new RedisChangeDedup(redisA, `${prefix}d`);
    const b = new RedisChangeDedup(await manager({ prefix }), `${prefix}d`);
    expect(await a.claim('7', 1_000)).toBe(true);
    expect(await b.claim('7', 1_000)).toBe(false);
    expect(await b.claim('7', 500)).toBe(false);
    expect(await b.claim('7', 2_000)).toBe(true);
    expect(await a.claim('7', 2_000)).toBe(false);
    const racing = await Promise.all(
      Array.from({ length: 20 }, (_, i) => (i % 2 ? a : b).claim('8', 5_000)),
    );
    expect(racing.filter(Boolean)).toHaveLength(1);
    expect(await a.once('k', 200)).toBe(true);
    expect(await b.once('k', 200)).toBe(false);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await b.once('k', 200)).toBe(true);
    // Every key has an expiry: nothing piles up in a shared Redis.
    const keys = await keysUnder(prefix);
    expect(keys.length).toBeGreaterThan(0);
    for (const key of keys) {
      expect(await redisA.client.pttl(key), key).toBeGreaterThan(0);
    }
  });
});

describe('the event pipeline over shared stores (two replicas)', () => {
  it('an event ingested on replica A reaches subscribers on A and B, once each', async () => {
    const prefix = testPrefix('pipeline');
    const a = createEventPipeline(stores(await manager({ prefix })));
    const b = createEventPipeline(stores(await manager({ prefix })));
    const onA = await subscribed(a);
    const onB = await subscribed(b);
    const made = await a.ingest(sampleChange('1', '2026-03-01T12:00:00Z'));
    expect(made).not.toBeNull();
    expect((await onB.next()).id).toBe(made!.id);
    expect((await onA.next()).id).toBe(made!.id);
    expect(await onA.quiet()).toBe(true);
    expect(await onB.quiet()).toBe(true);
  });

  it('the same change reported on both replicas at once makes one event', async () => {
    const prefix = testPrefix('pipeline');
    const a = createEventPipeline(stores(await manager({ prefix })));
    const b = createEventPipeline(stores(await manager({ prefix })));
    const onB = await subscribed(b);
    const made = await Promise.all([
      a.ingest(sampleChange('5', '2026-03-01T12:00:00Z')),
      b.ingest(sampleChange('5', '2026-03-01T12:00:00Z')),
      a.ingest({ ...sampleChange('6', undefined), sightingKey: 'body-hash' }),
      b.ingest({ ...sampleChange('6', undefined), sightingKey: 'body-hash' }),
    ]);
    expect(made.filter((e) => e !== null)).toHaveLength(2);
    await onB.next();
    await onB.next();
    expect(await onB.quiet()).toBe(true);
  });

  it('replica B replays what came after an id that replica A issued', async () => {
    const prefix = testPrefix('pipeline');
    const a = createEventPipeline(stores(await manager({ prefix })));
    const b = createEventPipeline(stores(await manager({ prefix })));
    const first = await a.ingest(sampleChange('1', '2026-03-01T12:00:00Z'));
    const second = await a.ingest(sampleChange('2', '2026-03-01T12:00:00Z'));
    const third = await b.ingest(sampleChange('3', '2026-03-01T12:00:00Z'));
    const resumed = await subscribed(b, first!.id);
    expect((await resumed.next()).id).toBe(second!.id);
    expect((await resumed.next()).id).toBe(third!.id);
    const live = await a.ingest(sampleChange('4', '2026-03-01T12:00:00Z'));
    expect((await resumed.next()).id).toBe(live!.id);
    expect(await resumed.quiet()).toBe(true);
  });
});

describe('with Redis cut (a proxy between the replica and Redis)', () => {
  it('the manager says down at once, fails commands at once, logs it, and is up again when Redis returns', async () => {
    const link = await proxy();
    const redis = await manager({ url: link.url });
    expect(redis.health().status).toBe('up');
    link.cut();
    const down = Date.now();
    while (redis.isUp() && Date.now() - down < 2_000) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    expect(redis.health()).toMatchObject({ status: 'down' });
    const started = Date.now();
    await expect(redis.client.ping()).rejects.toThrow();
    expect(Date.now() - started).toBeLessThan(100);
    expect(redis.lines.some((l) => l.level === 'warn' && /redis unreachable/.test(l.message))).toBe(
      true,
    );
    link.restore();
    expect(await redis.ready(10_000)).toBe(true);
    expect(await redis.client.ping()).toBe('PONG');
    expect(redis.lines.some((l) => l.message === 'redis is back: sharing state again')).toBe(true);
  });

  it('a Redis that stops answering (blackhole): a command gives up after the timeout, and the connection is dropped and retried', async () => {
    const link = await proxy();
    const redis = await manager({ url: link.url, timeoutMs: 200 });
    link.cut('blackhole');
    const started = Date.now();
    await expect(redis.client.ping()).rejects.toThrow(/timed out/i);
    expect(Date.now() - started).toBeLessThan(1_000);
    const deadline = Date.now() + 5_000;
    while (redis.isUp() && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(redis.health().status).toBe('down');
    link.restore();
    expect(await redis.ready(10_000)).toBe(true);
  });

  it('each replica goes on alone (marked local ids, its own subscribers, no wait), and rejoins when Redis returns', async () => {
    const prefix = testPrefix('cut');
    const link = await proxy();
    const redisA = await manager({ prefix, url: link.url, timeoutMs: 200 });
    const storesA = stores(redisA);
    const a = createEventPipeline(storesA);
    const b = createEventPipeline(stores(await manager({ prefix })));
    const onA = await subscribed(a);
    const onB = await subscribed(b);
    const before = await b.ingest(sampleChange('1', '2026-03-01T12:00:00Z'));
    expect((await onA.next()).id).toBe(before!.id);
    await onB.next();

    link.cut('blackhole');
    // The first call after the cut waits at most the timeout; the next ones not at all once down.
    const started = Date.now();
    const alone = await a.ingest(sampleChange('2', '2026-03-01T12:00:00Z'));
    expect(Date.now() - started).toBeLessThan(1_500);
    expect(alone).not.toBeNull();
    expect(parseEventId(alone!.id)![1]).toBeGreaterThanOrEqual(LOCAL_SEQ_BASE);
    expect(compareEventIds(alone!.id, before!.id)).toBeGreaterThan(0);
    expect((await onA.next()).id).toBe(alone!.id);
    expect(storesA.status().mode).toBe('local');
    // What A heard before the cut is still known: the same change is no new event.
    expect(await a.ingest(sampleChange('1', '2026-03-01T12:00:00Z'))).toBeNull();
    // Replay from A's own ids works while cut off.
    const more = await a.ingest(sampleChange('3', '2026-03-01T12:00:00Z'));
    await onA.next();
    const resumedOnA = await subscribed(a, alone!.id);
    expect((await resumedOnA.next()).id).toBe(more!.id);
    // B did not hear A's events (documented: one replica's own subscribers only).
    expect(await onB.quiet()).toBe(true);

    link.restore();
    expect(await redisA.ready(10_000)).toBe(true);
    const rejoined = await a.ingest(sampleChange('4', '2026-03-01T12:00:00Z'));
    expect(parseEventId(rejoined!.id)![1]).toBeLessThan(LOCAL_SEQ_BASE);
    expect((await onB.next()).id).toBe(rejoined!.id);
    expect((await onA.next()).id).toBe(rejoined!.id);
    expect(storesA.status().mode).toBe('shared');
    // An id issued while cut off cannot be replayed from the shared log: said, not skipped.
    await expect(b.subscribe({ after: alone!.id })).rejects.toMatchObject({
      code: 'EVENTS_EXPIRED',
    });
  });
});

describe('the connection manager', () => {
  it("makes REDIS_URL's password a secret of the log: never written, whoever logs it", async () => {
    const lines: string[] = [];
    const logger = createLogger({ level: 'debug', write: (line) => lines.push(line) });
    const redis = createRedisManager({
      url: 'redis://:hunter2-sekrit@127.0.0.1:1',
      prefix: testPrefix('secret'),
      logger,
    });
    cleanups.push(() => redis.close());
    expect(await redis.ready(1_500)).toBe(false);
    logger.warn('a careless line', { url: 'redis://:hunter2-sekrit@127.0.0.1:1' });
    expect(lines.length).toBeGreaterThan(1);
    expect(lines.join('\n')).not.toContain('hunter2-sekrit');
    expect(JSON.stringify(redis.health())).not.toContain('hunter2-sekrit');
  });
});
