/**
 * Bounded concurrency and by-id loaders. Freshdesk has no "get many by id" endpoint, so a batch of
 * ids becomes that many GETs: they run at most `concurrency` at a time, so that one query cannot
 * spend the account's per-minute budget in a burst.
 */
import DataLoader from 'dataloader';
import { type Context, perRequest } from '../context.ts';

/** Runs tasks with at most `max` in flight; the rest wait in arrival order. */
export function createLimiter(max: number): <T>(task: () => Promise<T>) => Promise<T> {
  let active = 0;
  const waiting: (() => void)[] = [];
  const release = (): void => {
    active -= 1;
    waiting.shift()?.();
  };
  return async <T>(task: () => Promise<T>): Promise<T> => {
    if (active >= max) {
      await new Promise<void>((resolve) => waiting.push(resolve));
    }
    active += 1;
    try {
      return await task();
    } finally {
      release();
    }
  };
}

/** Parallel by-id GETs per loader in one operation. @default 5 */
export const BY_ID_CONCURRENCY = 5;

/**
 * A per-request DataLoader over a one-id fetch: ids are deduplicated within the operation and
 * fetched at most `concurrency` at a time; a failed id yields its own error, the others resolve.
 * With `lookup`, each batch first asks it for the records it can give at once (a whole-list scan);
 * only the ids it does not answer are fetched one by one. A failed lookup falls back to fetching.
 */
export function byIdLoader<T>(
  ctx: Context,
  key: string,
  fetchOne: (id: string) => Promise<T>,
  options: {
    concurrency?: number;
    lookup?: (ids: readonly string[]) => Promise<ReadonlyMap<string, T> | undefined>;
  } = {},
): DataLoader<string, T> {
  const { concurrency = BY_ID_CONCURRENCY, lookup } = options;
  return perRequest(ctx, key, () => {
    const limit = createLimiter(concurrency);
    return new DataLoader<string, T>(async (ids) => {
      const found = lookup ? await lookup(ids).catch(() => undefined) : undefined;
      return Promise.all(
        ids.map(
          (id) =>
            found?.get(id) ??
            limit(() => fetchOne(id)).catch((error: unknown) =>
              error instanceof Error ? error : new Error(String(error)),
            ),
        ),
      );
    });
  });
}
