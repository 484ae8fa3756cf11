/**
 * Shared-quota tests: connection managers on the real Redis under test prefixes (removed after the
 * file), their log lines kept.
 */
import { expect } from 'vitest';
import { createLogger } from '../../src/logger.ts';
import { createRedisManager, type RedisManager } from '../../src/redis/redis.ts';
import { deleteKeys, REDIS_URL, testPrefix } from './redis.ts';

export interface LogLine {
  level: string;
  message: string;
  [key: string]: unknown;
}

const prefixes = new Set<string>();

/** Deletes the keys of every prefix `quotaManager` used (call in `afterAll`). */
export const sharedPrefixes = {
  async clean(): Promise<void> {
    for (const prefix of prefixes) {
      await deleteKeys(prefix);
    }
    prefixes.clear();
  },
};

/**
 * A manager on `url` (REDIS_URL) under `prefix` (a fresh one by default), up before it returns,
 * closed by `cleanups`.
 */
export async function quotaManager(
  cleanups: (() => Promise<void> | void)[],
  options: { prefix?: string; url?: string; timeoutMs?: number; wait?: boolean } = {},
): Promise<RedisManager & { lines: LogLine[] }> {
  const prefix = options.prefix ?? testPrefix('quota');
  prefixes.add(prefix);
  const lines: LogLine[] = [];
  const redis = createRedisManager({
    url: options.url ?? REDIS_URL,
    prefix,
    commandTimeoutMs: options.timeoutMs ?? 250,
    logger: createLogger({ level: 'debug', write: (line) => lines.push(JSON.parse(line)) }),
  });
  cleanups.push(() => redis.close());
  if (options.wait !== false) {
    expect(await redis.ready(5_000)).toBe(true);
  }
  return Object.assign(redis, { lines });
}
