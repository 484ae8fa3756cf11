/**
 * The event pipeline of one gateway: a change sighting becomes a `ticketEvents` event unless the same
 * change was already reported (`dedup.ts`), is appended to the replay log (`event-log.ts`) and
 * published to live subscribers (`event-bus.ts`). `subscribe` joins the two for a subscriber: what the
 * log holds after `after`, then live events, each exactly once.
 *
 * The three stores are interfaces with in-memory implementations; replicas sharing Redis swap in
 * shared ones (`EventStores`, `shared-stores.ts`) and nothing else changes.
 */
import type { TicketChange } from './change-feed.ts';
import { type ChangeDedup, MemoryChangeDedup } from './dedup.ts';
import {
  BoundedQueue,
  createEventBus,
  type Delivery,
  type EventBus,
  isOverflow,
} from './event-bus.ts';
import {
  compareEventIds,
  type EventLog,
  MemoryEventLog,
  type TicketEventRecord,
} from './event-log.ts';

export interface EventStores {
  dedup: ChangeDedup;
  log: EventLog;
  bus: EventBus;
}

/**
 * How long a sighting without a version is remembered: Freshdesk retries a failed webhook at +5, +30
 * and +60 minutes, so two hours cover every redelivery.
 */
export const UNVERSIONED_DEDUP_MS = 2 * 3_600_000;

/** Undelivered events a subscriber may fall behind by before it is cut off (and told where to resume). */
export const SUBSCRIBER_BACKLOG = 1_000;

/** Live ids a subscription remembers having delivered. */
const RECENT_IDS = 1_000;

export interface SubscribeOptions {
  /** Only this ticket's events. */
  ticketId?: string;
  /** Replay what came after this id first (throws `ReplayError` when the log cannot). */
  after?: string;
  /** @default SUBSCRIBER_BACKLOG */
  backlog?: number;
}

export interface EventPipeline {
  /** Resolves with the new event, or null when the change was already reported. */
  ingest(change: TicketChange): Promise<TicketEventRecord | null>;
  subscribe(options: SubscribeOptions): Promise<AsyncIterableIterator<Delivery>>;
}

export function memoryStores(options: { maxEvents: number; maxAgeMs: number }): EventStores {
  return {
    dedup: new MemoryChangeDedup(),
    log: new MemoryEventLog(options),
    bus: createEventBus(),
  };
}

export function createEventPipeline(stores: EventStores): EventPipeline {
  const { dedup, log, bus } = stores;
  return {
    async ingest(change) {
      const version = change.updatedAt === undefined ? Number.NaN : Date.parse(change.updatedAt);
      const fresh = Number.isNaN(version)
        ? await dedup.once(
            `${change.ticketId}|${change.sightingKey ?? change.kind}`,
            UNVERSIONED_DEDUP_MS,
          )
        : await dedup.claim(change.ticketId, version);
      if (!fresh) {
        return null;
      }
      const event = await log.append({
        kind: change.kind,
        ticketId: change.ticketId,
        updatedAt: Number.isNaN(version) ? null : (change.updatedAt as string),
        source: change.source,
        triggeredEvent: change.triggeredEvent ?? null,
        receivedAt: new Date(change.receivedAt).toISOString(),
      });
      bus.publish(event);
      return event;
    },

    async subscribe({ ticketId, after, backlog = SUBSCRIBER_BACKLOG }) {
      // Listen first, so nothing published while the log is read is missed; ids sort out overlaps.
      const queue = new BoundedQueue(backlog, () => unlisten());
      const unlisten = bus.listen((event) => {
        if (ticketId === undefined || event.ticketId === ticketId) {
          queue.push(event);
        }
      });
      let replay: TicketEventRecord[];
      let start: string;
      try {
        if (after === undefined) {
          replay = [];
          start = await log.head();
        } else {
          replay = await log.since(after);
          start = after;
        }
      } catch (error) {
        await queue.return();
        throw error;
      }
      return new Subscription(queue, replay, start, ticketId);
    },
  };
}

/**
 * Replay, then live events, each id once. A plain iterator rather than an async generator: a
 * generator suspended on `await` handles `return()` only once its pending step settles, and a quiet
 * subscription would keep its listener until the next event; here `return()` ends it at once.
 *
 * A live event is new when its id is above the *horizon*: the start (`after`, or the log's head)
 * raised by each replayed event. Live events arrive in id order (one process, or replicas sharing
 * Redis, whose log publishes in id order), except at the moment a replica loses or regains Redis;
 * one arriving late then is still delivered, not dropped for being below the last one.
 */
class Subscription implements AsyncIterableIterator<Delivery> {
  readonly #queue: BoundedQueue;
  readonly #replay: readonly TicketEventRecord[];
  readonly #ticketId: string | undefined;
  #replayed = 0;
  /** Live events at or below it were replayed (or came before the start). */
  #horizon: string;
  /** The newest id this subscriber has been brought up to (where it resumes after an overflow). */
  #last: string;
  /** Live ids delivered lately (so one arriving twice is not delivered twice). */
  readonly #recent = new Set<string>();
  #done = false;

  constructor(
    queue: BoundedQueue,
    replay: readonly TicketEventRecord[],
    start: string,
    ticketId: string | undefined,
  ) {
    this.#queue = queue;
    this.#replay = replay;
    this.#horizon = start;
    this.#last = start;
    this.#ticketId = ticketId;
  }

  async next(): Promise<IteratorResult<Delivery>> {
    while (!this.#done && this.#replayed < this.#replay.length) {
      const event = this.#replay[this.#replayed++]!;
      this.#horizon = event.id;
      this.#last = event.id;
      if (this.#ticketId === undefined || event.ticketId === this.#ticketId) {
        return { value: event, done: false };
      }
    }
    while (!this.#done) {
      const result = await this.#queue.next();
      if (result.done) {
        break;
      }
      const delivery = result.value;
      if (isOverflow(delivery)) {
        await this.return();
        return { value: { overflow: true, lastEventId: this.#last }, done: false };
      }
      if (compareEventIds(delivery.id, this.#horizon) > 0 && !this.#recent.has(delivery.id)) {
        this.#remember(delivery.id);
        return { value: delivery, done: false };
      }
    }
    return { value: undefined, done: true };
  }

  #remember(id: string): void {
    if (compareEventIds(id, this.#last) > 0) {
      this.#last = id;
    }
    this.#recent.add(id);
    if (this.#recent.size > RECENT_IDS) {
      this.#recent.delete(this.#recent.values().next().value as string);
    }
  }

  async return(): Promise<IteratorResult<Delivery>> {
    this.#done = true;
    await this.#queue.return();
    return { value: undefined, done: true };
  }

  [Symbol.asyncIterator](): AsyncIterableIterator<Delivery> {
    return this;
  }
}

/**
 * `source` with a step before each event: `prepare` runs for every event (in order, one at a time,
 * as the consumer asks) and says whether to deliver it. Overflow markers pass through untouched.
 * `return()` goes straight to the source.
 */
export function prepareEach(
  source: AsyncIterableIterator<Delivery>,
  prepare: (event: TicketEventRecord) => Promise<boolean>,
): AsyncIterableIterator<Delivery> {
  const iterator: AsyncIterableIterator<Delivery> = {
    async next() {
      for (;;) {
        const result = await source.next();
        if (result.done || isOverflow(result.value) || (await prepare(result.value))) {
          return result;
        }
      }
    },
    return: () => source.return?.() ?? Promise.resolve({ value: undefined, done: true }),
    [Symbol.asyncIterator]: () => iterator,
  };
  return iterator;
}
