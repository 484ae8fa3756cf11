/**
 * Shared-quota tests: connection managers on the real Redis under test prefixes (removed after the
 * file), their log lines kept.
 */
import { afterAll, afterEach, expect } from 'vitest';
import { createLogger } from '../../src/logger.ts';
import { createRedisManager, type RedisManager } from '../../src/redis/redis.ts';
import { deleteKeys, REDIS_URL, testPrefix } from './redis.ts';

export interface LogLine {
  level: string;
  message: string;
  [key: string]: unknown;
}

const prefixes = new Set<string>();

export type Cleanups = (() => Promise<void> | void)[];

/**
 * What a test opened, closed after it (last opened, first closed); after the file, every key under
 * the prefixes `quotaManager` used is deleted. Call once per file, at its top level.
 */
export function cleanupsPerTest(): Cleanups {
  const cleanups: Cleanups = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) {
      await cleanup();
    }
  });
  afterAll(async () => {
    for (const prefix of prefixes) {
      await deleteKeys(prefix);
    }
    prefixes.clear();
  });
  return cleanups;
}

/**
 * A manager on `url` (REDIS_URL) under `prefix` (a fresh one by default), up before it returns,
 * closed by `cleanups`.
 */
export async function quotaManager(
  cleanups: Cleanups,
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
