/**
 * The `ticketEvents` replay log: every event the gateway emitted, kept for a bounded number of events
 * and a bounded age, so a subscriber that reconnects with `after: <last id it saw>` gets exactly what
 * it missed, or a clear error when the log can no longer tell.
 *
 * Event ids are `<ms>-<seq>` (the form Redis stream entries take, so a shared log in Redis can keep
 * them): the append time in epoch ms and a counter within that ms, strictly increasing, compared as a
 * pair of numbers. The log also keeps a *floor*: an id below every event it holds and at or above every
 * event it dropped (at first, its creation time). Replay from `after` is exact when `after` is at or
 * above the floor; below it, events may have been dropped (or emitted by an earlier process) and the
 * log says so (`EVENTS_EXPIRED`) instead of leaving a silent gap. An `after` above the newest id the
 * log ever issued is `EVENT_ID_UNKNOWN` (another process's id, or a made-up one).
 */

/** One `ticketEvents` event, as stored, published and replayed (JSON-safe). */
export interface TicketEventRecord {
  /** `<ms>-<seq>`, orderable with `compareEventIds`. */
  id: string;
  kind: 'created' | 'updated' | 'note_added' | 'reply_sent' | 'deleted' | 'spam';
  ticketId: string;
  /** The ticket's `updated_at` the event is about; null when unknown. */
  updatedAt: string | null;
  source: 'webhook' | 'sweep' | 'gateway';
  triggeredEvent: string | null;
  /** ISO-8601, when the gateway learned of the change. */
  receivedAt: string;
}

export type NewTicketEvent = Omit<TicketEventRecord, 'id'>;

export interface EventLog {
  /** Stores an event under a new id, greater than every id before it. */
  append(event: NewTicketEvent): Promise<TicketEventRecord>;
  /**
   * The events after `after`, oldest first. Rejects with `ReplayError` when `after` is below the
   * floor (`EVENTS_EXPIRED`) or above every id issued (`EVENT_ID_UNKNOWN`).
   */
  since(after: string): Promise<TicketEventRecord[]>;
  /** The newest id issued, or the floor when none: where a subscription without `after` starts. */
  head(): Promise<string>;
}

export type ReplayErrorCode = 'EVENTS_EXPIRED' | 'EVENT_ID_UNKNOWN';

export class ReplayError extends Error {
  readonly code: ReplayErrorCode;
  /** The lowest `after` the log can still replay from. */
  readonly floor: string;
  /** The newest id issued (the floor when none). */
  readonly newest: string;
  constructor(code: ReplayErrorCode, message: string, floor: string, newest: string) {
    super(message);
    this.name = 'ReplayError';
    this.code = code;
    this.floor = floor;
    this.newest = newest;
  }
}

const EVENT_ID = /^(\d{1,16})-(\d{1,9})$/;

/** `[ms, seq]` of a well-formed id, or undefined. */
export function parseEventId(id: string): [number, number] | undefined {
  const match = EVENT_ID.exec(id);
  if (!match) {
    return undefined;
  }
  const ms = Number(match[1]);
  const seq = Number(match[2]);
  return Number.isSafeInteger(ms) && Number.isSafeInteger(seq) ? [ms, seq] : undefined;
}

export const isEventId = (id: string): boolean => parseEventId(id) !== undefined;

/** Negative, zero or positive as `a` is before, equal to or after `b` (both well-formed). */
export function compareEventIds(a: string, b: string): number {
  const [aMs, aSeq] = parseEventId(a) ?? [0, 0];
  const [bMs, bSeq] = parseEventId(b) ?? [0, 0];
  return aMs !== bMs ? aMs - bMs : aSeq - bSeq;
}

export interface MemoryEventLogOptions {
  /** Events kept at most; the oldest go first. */
  maxEvents: number;
  /** Age in ms after which an event is dropped. */
  maxAgeMs: number;
  /** @default Date.now */
  now?: () => number;
  /**
   * Added to the sequence part of every id this log issues. A replica sharing its log through
   * Redis marks the ids of its fallback log so (`LOCAL_SEQ_BASE`), and the shared log can tell them
   * from its own. @default 0
   */
  seqBase?: number;
}

/** The in-process log (one replica). */
export class MemoryEventLog implements EventLog {
  readonly #maxEvents: number;
  readonly #maxAgeMs: number;
  readonly #now: () => number;
  readonly #seqBase: number;
  /** Oldest first; `at` is the append time in ms (the id's ms part, never below the clock's). */
  readonly #events: TicketEventRecord[] = [];
  #head = 0;
  #floor: [number, number];
  #last: [number, number];

  constructor(options: MemoryEventLogOptions) {
    this.#maxEvents = options.maxEvents;
    this.#maxAgeMs = options.maxAgeMs;
    this.#now = options.now ?? Date.now;
    this.#seqBase = options.seqBase ?? 0;
    this.#floor = [this.#now(), 0];
    this.#last = this.#floor;
  }

  async append(event: NewTicketEvent): Promise<TicketEventRecord> {
    const now = this.#now();
    const [lastMs, lastSeq] = this.#last;
    const base = this.#seqBase;
    const next: [number, number] =
      now > lastMs ? [now, base] : [lastMs, Math.max(lastSeq + 1, base)];
    this.#last = next;
    const record: TicketEventRecord = { id: `${next[0]}-${next[1]}`, ...event };
    this.#events.push(record);
    this.#trim(now);
    return record;
  }

  async since(after: string): Promise<TicketEventRecord[]> {
    this.#trim(this.#now());
    const parsed = parseEventId(after);
    const floor = `${this.#floor[0]}-${this.#floor[1]}`;
    const newest = `${this.#last[0]}-${this.#last[1]}`;
    if (parsed === undefined || compareEventIds(after, floor) < 0) {
      throw new ReplayError(
        'EVENTS_EXPIRED',
        `The event log no longer holds what came after ${after} (it keeps ${this.#maxEvents} events for ${Math.round(this.#maxAgeMs / 1000)} s, from this gateway's start). Load current state, then subscribe without \`after\`.`,
        floor,
        newest,
      );
    }
    if (compareEventIds(after, newest) > 0) {
      throw new ReplayError(
        'EVENT_ID_UNKNOWN',
        `This gateway never issued event ${after} (its newest is ${newest}). Subscribe without \`after\`, or with an id it gave you.`,
        floor,
        newest,
      );
    }
    const out: TicketEventRecord[] = [];
    for (let i = this.#head; i < this.#events.length; i++) {
      const event = this.#events[i]!;
      if (compareEventIds(event.id, after) > 0) {
        out.push(event);
      }
    }
    return out;
  }

  async head(): Promise<string> {
    return `${this.#last[0]}-${this.#last[1]}`;
  }

  /** The lowest `after` replay is exact from. */
  floor(): string {
    this.#trim(this.#now());
    return `${this.#floor[0]}-${this.#floor[1]}`;
  }

  /**
   * Forgets every event and starts again from `floor` (a well-formed id): replay is exact from
   * `floor` on, and new ids come after it (and after every id issued before).
   */
  reset(floor: string): void {
    const parsed = parseEventId(floor);
    if (parsed === undefined) {
      return;
    }
    this.#events.length = 0;
    this.#head = 0;
    this.#floor = parsed;
    if (compareEventIds(floor, `${this.#last[0]}-${this.#last[1]}`) > 0) {
      this.#last = parsed;
    }
  }

  /** Drops events over the size or age bound, raising the floor to the newest dropped id. */
  #trim(now: number): void {
    const events = this.#events;
    while (
      this.#head < events.length &&
      (events.length - this.#head > this.#maxEvents ||
        now - parseEventId(events[this.#head]!.id)![0] > this.#maxAgeMs)
    ) {
      this.#floor = parseEventId(events[this.#head]!.id)!;
      events[this.#head] = undefined as unknown as TicketEventRecord;
      this.#head++;
    }
    // Compact now and then rather than shift() per event.
    if (this.#head > 1024 && this.#head * 2 > events.length) {
      events.splice(0, this.#head);
      this.#head = 0;
    }
  }
}
