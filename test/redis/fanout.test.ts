/**
 * The change feed across replicas, with the real Redis (`REDIS_URL`): two replicas in one process,
 * each a `createFreshness` with a connection manager and a change feed of its own (as two processes
 * have). A change one replica learns of reaches the other's feed, once, naming the replica that saw
 * it; one learned while Redis was away reaches it when Redis is back.
 */
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import { type Emulator, startEmulator } from '../../src/emulator/index.ts';
import { createChangeFeed, type TicketChange } from '../../src/freshness/change-feed.ts';
import { createFreshness, type Freshness } from '../../src/freshness/freshness.ts';
import { createLogger } from '../../src/logger.ts';
import type { RedisManager } from '../../src/redis/redis.ts';
import { FreshdeskClient } from '../../src/upstream/freshdesk-client.ts';
import { cleanupsPerTest, quotaManager } from '../helpers/quota.ts';
import { startTcpProxy, type TcpProxy, testPrefix } from '../helpers/redis.ts';

const cleanups = cleanupsPerTest();

interface Replica {
  freshness: Freshness;
  redis: RedisManager;
  link: TcpProxy;
  /** What this replica's change feed heard. */
  heard: TicketChange[];
}

async function replicas(count: number): Promise<{ emulator: Emulator; all: Replica[] }> {
  const emulator = await startEmulator({ port: 0, tickets: 20, rateLimit: false });
  cleanups.push(() => emulator.close());
  const config = loadConfig({
    FRESHDESK_BASE_URL: emulator.origin,
    FRESHDESK_API_KEY: emulator.apiKeys.admin,
    DESKGRAPH_RECONCILE_INTERVAL_MS: '0',
  });
  const prefix = testPrefix('fanout');
  const all: Replica[] = [];
  for (let i = 0; i < count; i++) {
    const link = await startTcpProxy();
    cleanups.push(() => link.close());
    const redis = await quotaManager(cleanups, { prefix, url: link.url });
    const client = new FreshdeskClient({ origin: emulator.origin });
    cleanups.push(() => client.close());
    const feed = createChangeFeed();
    const heard: TicketChange[] = [];
    feed.subscribe((change) => heard.push(change));
    const freshness = createFreshness({
      config,
      client,
      logger: createLogger({ level: 'silent' }),
      redis,
      feed,
    });
    cleanups.push(() => freshness.close());
    void redis.pubsub;
    expect(await redis.ready(5_000)).toBe(true);
    all.push({ freshness, redis, link, heard });
  }
  return { emulator, all };
}

const until = async (what: string, check: () => boolean, timeoutMs = 2_000): Promise<void> => {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) {
      throw new Error(`timed out waiting for ${what}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
};

describe('the change feed across replicas', () => {
  it("a change one replica learns of reaches every other replica's feed within 2 s, once, naming who saw it", async () => {
    const { all } = await replicas(3);
    const [a, b, c] = all as [Replica, Replica, Replica];
    // Subscribed on every replica (pub/sub subscriptions are made as the feeds start).
    await new Promise((resolve) => setTimeout(resolve, 200));
    a.freshness.recordWrite({
      ticketId: '7',
      updatedAt: '2026-03-01T12:00:00Z',
      kind: 'updated',
    });
    // At once on A, its own feed; then on B and C.
    expect(a.heard).toMatchObject([
      { ticketId: '7', source: 'gateway', updatedAt: '2026-03-01T12:00:00Z' },
    ]);
    await until('B and C to hear it', () => b.heard.length > 0 && c.heard.length > 0);
    for (const other of [b, c]) {
      expect(other.heard).toEqual([{ ...a.heard[0], replica: a.redis.replicaId } as TicketChange]);
    }
    await new Promise((resolve) => setTimeout(resolve, 300));
    // Nothing comes back to A, nothing twice anywhere.
    expect(all.map((r) => r.heard.length)).toEqual([1, 1, 1]);
  });

  it('a change learned while Redis was away reaches the others when it is back', async () => {
    const { all } = await replicas(2);
    const [a, b] = all as [Replica, Replica];
    await new Promise((resolve) => setTimeout(resolve, 200));
    a.link.cut();
    await until('A to see Redis down', () => !a.redis.isUp());
    a.freshness.recordWrite({
      ticketId: '3',
      updatedAt: '2026-03-01T12:00:00Z',
      kind: 'note_added',
    });
    a.freshness.recordWrite({ ticketId: '3', updatedAt: '2026-03-01T12:05:00Z', kind: 'updated' });
    expect(a.heard).toHaveLength(2);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(b.heard).toEqual([]);
    a.link.restore();
    // The newest sighting of the ticket is forwarded.
    await until('B to hear it', () => b.heard.length > 0, 10_000);
    expect(b.heard).toMatchObject([{ ticketId: '3', updatedAt: '2026-03-01T12:05:00Z' }]);
  });
});
