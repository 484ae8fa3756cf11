/**
 * Redis for the bench's replicas scenario (scenario 7): whether it answers, and removing what a run
 * left under its own key prefix. Only that scenario gives its contenders `REDIS_URL`
 * (`childEnv` keeps the machine's own setting from every child).
 */
import { Redis } from 'ioredis';

export const BENCH_REDIS_URL = process.env.REDIS_URL || 'redis://127.0.0.1:6379';

/** True when Redis answers a PING within a second. */
export async function redisAnswers(url: string = BENCH_REDIS_URL): Promise<boolean> {
  const redis = new Redis(url, {
    lazyConnect: true,
    connectTimeout: 1_000,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
  redis.on('error', () => undefined);
  try {
    await redis.connect();
    return (await redis.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    redis.disconnect();
  }
}

/** Deletes every key under `prefix` (SCAN, not KEYS: the server may be shared). */
export async function deleteUnder(prefix: string, url: string = BENCH_REDIS_URL): Promise<void> {
  if (!prefix.startsWith('deskgraph-bench:')) {
    throw new Error(`refusing to delete keys outside a bench prefix: ${prefix}`);
  }
  const redis = new Redis(url, { maxRetriesPerRequest: 1 });
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500);
      cursor = next;
      if (keys.length > 0) {
        await redis.unlink(...keys);
      }
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}
