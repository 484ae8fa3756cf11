/**
 * Fan-out of `ticketEvents` to live subscribers, over an `EventTarget`: the seam Yoga's
 * `createPubSub` uses, so `@graphql-yoga/redis-event-target` (one target shared by every replica
 * through Redis pub/sub) can replace the in-process one without touching the rest. Events travel as
 * `CustomEvent`s whose `detail` is the JSON-safe `TicketEventRecord`.
 *
 * A subscriber reads through a bounded queue (`subscribe`): a consumer that falls more than
 * `limit` events behind is cut off with an `overflow` marker carrying the last id it received, so
 * it can resubscribe with `after` and replay from the log, instead of the process buffering without
 * bound or dropping events silently.
 */
import type { TicketEventRecord } from './event-log.ts';

const TOPIC = 'ticket-events';

export interface EventBus {
  publish(event: TicketEventRecord): void;
  /** Every event published (by any replica sharing the target); returns the unsubscribe function. */
  listen(listener: (event: TicketEventRecord) => void): () => void;
}

export function createEventBus(target: EventTarget = new EventTarget()): EventBus {
  return {
    publish(event) {
      target.dispatchEvent(new CustomEvent(TOPIC, { detail: event }));
    },
    listen(listener) {
      const handler = (event: Event): void => {
        const detail = (event as CustomEvent<TicketEventRecord>).detail;
        if (detail && typeof detail === 'object') {
          listener(detail);
        }
      };
      target.addEventListener(TOPIC, handler);
      return () => target.removeEventListener(TOPIC, handler);
    },
  };
}

/** Marks the end of a subscription whose consumer fell too far behind. */
export interface Overflow {
  overflow: true;
  /** The last event the consumer was given (undefined when none). */
  lastEventId: string | undefined;
}

export type Delivery = TicketEventRecord | Overflow;

export const isOverflow = (value: Delivery): value is Overflow => 'overflow' in value;

/**
 * An async iterator fed by `push`, holding at most `limit` undelivered items. Past that it ends
 * with an `Overflow` (after the items already queued). `close()` ends it; so does the consumer's
 * `return()`, which also runs `onClose` once.
 */
export class BoundedQueue implements AsyncIterableIterator<Delivery> {
  readonly #limit: number;
  readonly #items: TicketEventRecord[] = [];
  #waiting: ((result: IteratorResult<Delivery>) => void) | undefined;
  #overflowed = false;
  #done = false;
  #lastGiven: string | undefined;
  #onClose: (() => void) | undefined;

  constructor(limit: number, onClose?: () => void) {
    this.#limit = limit;
    this.#onClose = onClose;
  }

  push(item: TicketEventRecord): void {
    if (this.#done || this.#overflowed) {
      return;
    }
    if (this.#waiting) {
      const resolve = this.#waiting;
      this.#waiting = undefined;
      this.#lastGiven = item.id;
      resolve({ value: item, done: false });
      return;
    }
    if (this.#items.length >= this.#limit) {
      this.#overflowed = true;
      return;
    }
    this.#items.push(item);
  }

  next(): Promise<IteratorResult<Delivery>> {
    const item = this.#items.shift();
    if (item !== undefined) {
      this.#lastGiven = item.id;
      return Promise.resolve({ value: item, done: false });
    }
    if (this.#overflowed && !this.#done) {
      this.#finish();
      return Promise.resolve({
        value: { overflow: true, lastEventId: this.#lastGiven },
        done: false,
      });
    }
    if (this.#done) {
      return Promise.resolve({ value: undefined, done: true });
    }
    return new Promise((resolve) => {
      this.#waiting = resolve;
    });
  }

  return(): Promise<IteratorResult<Delivery>> {
    this.#finish();
    this.#items.length = 0;
    return Promise.resolve({ value: undefined, done: true });
  }

  close(): void {
    this.#finish();
  }

  [Symbol.asyncIterator](): AsyncIterableIterator<Delivery> {
    return this;
  }

  #finish(): void {
    if (this.#done) {
      return;
    }
    this.#done = true;
    const waiting = this.#waiting;
    this.#waiting = undefined;
    waiting?.({ value: undefined, done: true });
    const onClose = this.#onClose;
    this.#onClose = undefined;
    onClose?.();
  }
}
