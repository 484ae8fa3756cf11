/**
 * The sweep lease against the real Redis: one holder at a time, renewed while it lives, handed over
 * when it stops or dies (with the cursor it left), and every replica sweeping on its own while Redis
 * does not answer.
 */
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { createSweepLease } from '../../src/freshness/lease.ts';
import type { SweepCoordinator, SweepState } from '../../src/freshness/sweep.ts';
import { createLogger } from '../../src/logger.ts';
import { createRedisManager, type RedisManager } from '../../src/redis/redis.ts';
import { deleteKeys, REDIS_URL, startTcpProxy, testPrefix } from '../helpers/redis.ts';

const ACCOUNT = 'https://acme.freshdesk.com';
const prefix = testPrefix('lease');
const cleanups: (() => Promise<unknown> | undefined)[] = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) {
    await cleanup();
  }
  await deleteKeys(prefix);
});
afterAll(() => deleteKeys(prefix));

async function replica(
  url = REDIS_URL,
  leaseMs = 600,
): Promise<{
  redis: RedisManager;
  lease: SweepCoordinator;
}> {
  const logger = createLogger({ level: 'silent' });
  const redis = createRedisManager({ url, prefix, commandTimeoutMs: 200, logger });
  expect(await redis.ready(5_000)).toBe(true);
  const lease = createSweepLease({ redis, account: ACCOUNT, intervalMs: 1_000, logger, leaseMs });
  cleanups.push(() => redis.close());
  cleanups.push(() => lease.close());
  return { redis, lease };
}

const state = (cursor: string, ...atCursor: string[]): SweepState => ({
  cursor,
  atCursor,
  page: 1,
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('the sweep lease', () => {
  it('one holder at a time; the others stand by and read the state it saves', async () => {
    const [a, b, c] = [await replica(), await replica(), await replica()];
    const turns = await Promise.all([a.lease.turn(), b.lease.turn(), c.lease.turn()]);
    expect(turns.filter((t) => t.run)).toHaveLength(1);
    const holder = [a, b, c][turns.findIndex((t) => t.run)]!;
    const others = [a, b, c].filter((r) => r !== holder);
    expect(holder.lease.role()).toBe('holder');
    await holder.lease.save(state('2026-03-01T12:00:00Z', '7'));
    // A standby may not overwrite it.
    await others[0]!.lease.save(state('2020-01-01T00:00:00Z'));
    for (const other of others) {
      expect(await other.lease.turn()).toEqual({
        run: false,
        state: state('2026-03-01T12:00:00Z', '7'),
      });
      expect(other.lease.role()).toBe('standby');
    }
    // Renewed while it lives, well past the lease's length.
    await sleep(1_500);
    expect((await holder.lease.turn()).run).toBe(true);
    for (const other of others) {
      expect((await other.lease.turn()).run).toBe(false);
    }
  });

  it('a holder that stops gives the lease up at once; the next replica to ask takes it', async () => {
    const [a, b] = [await replica(), await replica()];
    expect((await a.lease.turn()).run).toBe(true);
    expect((await b.lease.turn()).run).toBe(false);
    await a.lease.close();
    expect((await b.lease.turn()).run).toBe(true);
    expect(b.lease.role()).toBe('holder');
  });

  it('a holder that dies (no renewal, no release) loses the lease when it expires; the state stays', async () => {
    const link = await startTcpProxy(REDIS_URL);
    cleanups.push(() => link.close());
    const a = await replica(link.url);
    const b = await replica();
    expect((await a.lease.turn()).run).toBe(true);
    await a.lease.save(state('2026-03-01T12:00:00Z', '1', '2'));
    link.cut('blackhole');
    expect((await b.lease.turn()).run).toBe(false);
    const deadline = Date.now() + 5_000;
    let taken = false;
    while (!taken && Date.now() < deadline) {
      await sleep(100);
      const turn = await b.lease.turn();
      taken = turn.run;
      if (taken) {
        expect(turn.state).toEqual(state('2026-03-01T12:00:00Z', '1', '2'));
      }
    }
    expect(taken).toBe(true);
    // Cut off, the old holder sweeps on its own (as a single gateway would) rather than not at all.
    expect((await a.lease.turn()).run).toBe(true);
    expect(a.lease.role()).toBe('local');
  });

  it('with Redis down, every replica runs its own sweep, and rejoins the lease when Redis returns', async () => {
    const link = await startTcpProxy(REDIS_URL);
    cleanups.push(() => link.close());
    const [a, b] = [await replica(link.url), await replica(link.url)];
    expect((await a.lease.turn()).run).toBe(true);
    expect((await b.lease.turn()).run).toBe(false);
    link.cut();
    await sleep(100);
    expect(await Promise.all([a.lease.turn(), b.lease.turn()])).toEqual([
      { run: true, state: undefined },
      { run: true, state: undefined },
    ]);
    link.restore();
    expect(await a.redis.ready(10_000)).toBe(true);
    expect(await b.redis.ready(10_000)).toBe(true);
    const turns = await Promise.all([a.lease.turn(), b.lease.turn()]);
    expect(turns.filter((t) => t.run)).toHaveLength(1);
  });
});
