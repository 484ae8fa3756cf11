/**
 * `EventStores` for replicas sharing one Redis (`REDIS_URL`): deduplication and the replay log in
 * Redis (`redis-stores.ts`), live events across replicas over Redis pub/sub (the manager's
 * `@graphql-yoga/redis-event-target`), and behind each a local store that takes over, call by call,
 * whenever Redis cannot answer in time. The pipeline (`pipeline.ts`) sees the same three interfaces
 * as with one process.
 *
 * While Redis answers:
 * - one event per change across all replicas (the claim is one atomic script);
 * - every event is appended and published by one script, so every replica hears all events in id
 *   order, its own included (they come back over pub/sub like the others);
 * - `after` replays from the shared log on any replica.
 * Each replica also keeps its local stores warm from what it hears: every event's version is
 * claimed locally, and the local log restarts just above the newest event heard (`reset`).
 *
 * When Redis is down or slow (any call failing or past `DESKGRAPH_REDIS_TIMEOUT_MS`), each replica
 * goes on alone, without waiting:
 * - it deduplicates against what it heard before the cut plus what it reports since: a change can
 *   become one event on each replica that sees it (its webhook on one, the sweep on every replica,
 *   since every replica sweeps while cut off), never none on a replica that sees it;
 * - its events go to its own subscribers only, with ids from its local log, marked (sequence part
 *   at least `LOCAL_SEQ_BASE`, e.g. `1767225600000-500000000`) and above every id it heard;
 * - `after` is answered from the local log: exactly for ids this replica issued while cut off, or the
 *   newest shared id it heard; an older id is EVENTS_EXPIRED (the replica cannot replay the shared
 *   log without Redis), a newer shared id it never heard is EVENT_ID_UNKNOWN.
 * Events published in the moment the link broke may not reach this replica's subscribers; the
 * sweep, which every replica runs while cut off and which starts from the last shared cursor
 * (`lease.ts`), reports those changes again (as SWEEP events) unless it was a deletion.
 * When Redis answers again, new events are shared again at once; an `after` from a replica's local
 * log is then EVENTS_EXPIRED everywhere (no replica can tell what the others saw meanwhile), so a
 * client reloads rather than miss something silently.
 */
import type { Logger } from '../logger.ts';
import { accountTag, type RedisManager } from '../redis/redis.ts';
import { type ChangeDedup, MemoryChangeDedup } from './dedup.ts';
import { createEventBus, type EventBus } from './event-bus.ts';
import {
  compareEventIds,
  type EventLog,
  MemoryEventLog,
  parseEventId,
  ReplayError,
  type TicketEventRecord,
} from './event-log.ts';
import type { EventStores } from './pipeline.ts';
import { RedisChangeDedup, RedisEventLog } from './redis-stores.ts';

/** The sequence part of ids a replica issues while cut off from Redis starts here. */
export const LOCAL_SEQ_BASE = 500_000_000;

export interface SharedStoresOptions {
  redis: RedisManager;
  /** The Freshdesk origin (keys are per account). */
  account: string;
  maxEvents: number;
  maxAgeMs: number;
  logger: Logger;
}

export interface SharedStoresStatus {
  /** `shared`: through Redis; `local`: this replica alone since `since`. */
  mode: 'shared' | 'local';
  since: string;
  /** Events issued from the local log in the current (or last) local period. */
  localEvents: number;
}

export interface SharedStores extends EventStores {
  status(): SharedStoresStatus;
  /** Stops listening to Redis (the manager is closed by its owner). */
  close(): void;
}

export function createSharedStores(options: SharedStoresOptions): SharedStores {
  const { redis, logger, maxEvents, maxAgeMs } = options;
  const base = redis.key('fresh', accountTag(options.account));
  const channel = `${base}:events`;
  const sharedDedup = new RedisChangeDedup(redis, base);
  const sharedLog = new RedisEventLog({
    redis,
    key: `${base}:log`,
    channel,
    maxEvents,
    maxAgeMs,
    foreignSeqBase: LOCAL_SEQ_BASE,
  });
  /** Redis' clock minus ours, as last heard (so local ids continue from shared ones). */
  let offset = 0;
  const localDedup = new MemoryChangeDedup();
  const localLog = new MemoryEventLog({
    maxEvents,
    maxAgeMs,
    seqBase: LOCAL_SEQ_BASE,
    now: () => Date.now() + offset,
  });
  const localBus = createEventBus();
  /** Events the shared log published: they reach this replica's subscribers over pub/sub. */
  const published = new WeakSet<TicketEventRecord>();
  let state: SharedStoresStatus = {
    mode: 'shared',
    since: new Date().toISOString(),
    localEvents: 0,
  };

  const goneLocal = (error: unknown): void => {
    if (state.mode === 'local') {
      return;
    }
    state = { mode: 'local', since: new Date().toISOString(), localEvents: 0 };
    logger.warn(
      'ticket events: Redis did not answer; this replica deduplicates, logs and delivers on its own',
      { error: error instanceof Error ? error.message : String(error ?? 'redis is down') },
    );
  };
  const backShared = (): void => {
    if (state.mode === 'shared') {
      return;
    }
    logger.info('ticket events: shared through Redis again', {
      localEvents: state.localEvents,
      localSince: state.since,
    });
    state = { ...state, mode: 'shared', since: new Date().toISOString() };
  };

  /** Runs `shared` when Redis is up, `local` when it is down or `shared` fails. */
  const either = async <T>(shared: () => Promise<T>, local: () => Promise<T>): Promise<T> => {
    if (!redis.isUp()) {
      goneLocal(undefined);
      return local();
    }
    try {
      const result = await shared();
      backShared();
      return result;
    } catch (error) {
      if (error instanceof ReplayError) {
        backShared();
        throw error;
      }
      goneLocal(error);
      return local();
    }
  };

  const heard = (event: Event): void => {
    const record = (event as CustomEvent<unknown>).detail as TicketEventRecord | null;
    const parsed =
      record && typeof record === 'object' && typeof record.id === 'string'
        ? parseEventId(record.id)
        : undefined;
    if (!record || !parsed || typeof record.ticketId !== 'string') {
      return;
    }
    offset = parsed[0] - Date.now();
    localLog.reset(record.id);
    const version = record.updatedAt ? Date.parse(record.updatedAt) : Number.NaN;
    if (!Number.isNaN(version)) {
      void localDedup.claim(record.ticketId, version);
    }
    localBus.publish(record);
  };
  redis.pubsub.addEventListener(channel, heard);
  const stopWatching = redis.onHealth((health) => {
    if (health.status === 'up') {
      backShared();
    } else {
      goneLocal(health.lastError);
    }
  });

  const dedup: ChangeDedup = {
    async claim(ticketId, updatedAtMs) {
      const local = await localDedup.claim(ticketId, updatedAtMs);
      return either(
        () => sharedDedup.claim(ticketId, updatedAtMs),
        async () => local,
      );
    },
    async once(key, ttlMs) {
      const local = await localDedup.once(key, ttlMs);
      return either(
        () => sharedDedup.once(key, ttlMs),
        async () => local,
      );
    },
  };

  const localSince = async (after: string): Promise<TicketEventRecord[]> => {
    const parsed = parseEventId(after);
    const floor = localLog.floor();
    if (parsed !== undefined && parsed[1] < LOCAL_SEQ_BASE && compareEventIds(after, floor) > 0) {
      throw new ReplayError(
        'EVENT_ID_UNKNOWN',
        `This gateway replica cannot reach Redis and never received event ${after}; subscribe without \`after\`, or try again when it has rejoined.`,
        floor,
        await localLog.head(),
      );
    }
    return localLog.since(after);
  };

  const log: EventLog = {
    append: (event) =>
      either(
        async () => {
          const record = await sharedLog.append(event);
          published.add(record);
          return record;
        },
        async () => {
          state.localEvents++;
          return localLog.append(event);
        },
      ),
    since: (after) =>
      either(
        () => sharedLog.since(after),
        () => localSince(after),
      ),
    head: () =>
      either(
        () => sharedLog.head(),
        () => localLog.head(),
      ),
  };

  const bus: EventBus = {
    publish(event) {
      if (!published.has(event)) {
        localBus.publish(event);
      }
    },
    listen: (listener) => localBus.listen(listener),
  };

  return {
    dedup,
    log,
    bus,
    // Before the first call or health change (Redis unreachable at start) the mode is what Redis says.
    status: () => ({ ...state, mode: redis.isUp() ? state.mode : 'local' }),
    close() {
      stopWatching();
      redis.pubsub.removeEventListener(channel, heard);
    },
  };
}
