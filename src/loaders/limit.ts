/**
 * Bounded concurrency and by-id loaders. Freshdesk has no "get many by id" endpoint, so a batch of
 * ids becomes that many GETs. Every such fan-out call of one operation (tickets, conversation pages,
 * ratings, contacts, companies, agents and groups by id) goes through one limiter, so an operation
 * never has more than `operationConcurrency` calls in flight: one query cannot take every upstream
 * connection or burst the account's budget (the quota scheduler meters what it spends).
 */
import DataLoader from 'dataloader';
import { type Context, perRequest, type Slot, slot } from '../context.ts';

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

/** A rejection as an Error: what a DataLoader batch returns for a key that failed. */
export const asError = (error: unknown): Error =>
  error instanceof Error ? error : new Error(String(error));

/** Fan-out calls one operation may have in flight (`DESKGRAPH_OPERATION_CONCURRENCY`). @default 16 */
export const DEFAULT_OPERATION_CONCURRENCY = 16;

type Limit = ReturnType<typeof createLimiter>;

const LIMIT = slot('operation:limit', (ctx) =>
  createLimiter(ctx.config?.operationConcurrency ?? DEFAULT_OPERATION_CONCURRENCY),
);

/** The one limiter every fan-out call of the operation goes through (wrap leaf calls only). */
export const operationLimit = (ctx: Context): Limit => perRequest(ctx, LIMIT);

/**
 * The slot of a per-request DataLoader over a one-id fetch: ids are deduplicated within the
 * operation and fetched through the operation's limiter; a failed id yields its own error, the
 * others resolve. With `lookup`, each batch first asks it for the records it can give at once (a
 * whole-list scan); only the ids it does not answer are fetched one by one. A failed lookup falls
 * back to fetching.
 */
export function byIdSlot<T>(
  name: string,
  fetchOne: (ctx: Context, id: string) => Promise<T>,
  lookup?: (ctx: Context, ids: readonly string[]) => Promise<ReadonlyMap<string, T> | undefined>,
): Slot<DataLoader<string, T>> {
  return slot(name, (ctx) => {
    const limit = operationLimit(ctx);
    return new DataLoader<string, T>(async (ids) => {
      const found = lookup ? await lookup(ctx, ids).catch(() => undefined) : undefined;
      return Promise.all(
        ids.map((id) => found?.get(id) ?? limit(() => fetchOne(ctx, id)).catch(asError)),
      );
    });
  });
}
