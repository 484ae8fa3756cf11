/**
 * The cross-request read cache: Freshdesk's answers to reads, shared by every operation of one
 * gateway, so that a query repeated by many people costs Freshdesk nothing while what it shows
 * has not changed.
 *
 * - **Keys.** The read's normalised key (`requestKey`: method, path, sorted query, and a hash of
 *   the credential, never the key): an answer is only ever served to the credential that received
 *   it. In `passthrough` mode a restricted agent never sees what only an admin may.
 * - **Bounded.** One LRU over all credentials, weighed in bytes (about what the parsed answer
 *   occupies on the heap, with its bookkeeping): `DESKGRAPH_CACHE_MAX_MB`.
 * - **Kept true.** Each kind of read has its own maximum age (`kinds.ts`). Ticket data is outdated
 *   the moment the gateway hears of a change (`noteChange`, fed by the change feed: webhooks, the
 *   reconciliation sweep, its own writes) or sees a newer version of the ticket in any answer
 *   ("evidence"); a ticket's conversations and ratings are reused only for the ticket version they
 *   were read with; every write the gateway sends outdates what it may change (`wrote`). A change
 *   that lands while a read is under way keeps that read's answer out of the cache.
 * - **One read for many.** Operations asking at once for a read none has yet join the one under
 *   way (`join`, `share`).
 * - **Stale over failure.** An answer past its age or outdated is kept (until
 *   `staleMaxAgeMs`, or until the bytes are needed) and served, noted stale with its age, when
 *   Freshdesk cannot answer the read now (5xx, 429, no answer, quota spent, deadline passed);
 *   an outdated one not in `passthrough` mode (`keepOutdated`).
 *
 * Nothing here knows GraphQL: operations use it through `forOperation` (the session's
 * `SessionCache`), and metrics read `stats()` or `observe()`.
 */
import { LRUCache } from 'lru-cache';
import type { Config } from '../config.ts';
import type { ChangeFeed, TicketChange } from '../freshness/change-feed.ts';
import type {
  KeptAnswer,
  ReadEvidence,
  SessionCache,
  UpstreamResponse,
} from '../upstream/freshdesk-client.ts';
import type { ReadRequest } from '../upstream/request-key.ts';
import { UpstreamError } from '../upstream/upstream-error.ts';
import {
  CACHE_KINDS,
  type CacheKind,
  classify,
  DEFAULT_MAX_AGES,
  TICKET_KINDS,
  UNWATCHED_MAX_AGE,
} from './kinds.ts';

export interface ReadCacheOptions {
  /** The bound, in bytes; 0 turns the cache off. */
  maxBytes: number;
  /** Seconds per kind (defaults: `DEFAULT_MAX_AGES`); 0 keeps a kind out. */
  maxAges?: Partial<Record<CacheKind, number>>;
  /** How long an answer may still be served stale. @default 86400000 (a day) */
  staleMaxAgeMs?: number;
  /**
   * Nothing reports changes (no sweep, no webhooks): ticket data is kept at most
   * `UNWATCHED_MAX_AGE` seconds.
   */
  unwatched?: boolean;
  /** The Freshdesk origin served: changes of other accounts are ignored. */
  account?: string;
  /**
   * Whether an answer known to be outdated (a change was reported) may still stand in when
   * Freshdesk cannot answer. Not in `passthrough` mode: the change may have taken the ticket out
   * of the caller's reach (another group, another agent), and only Freshdesk can tell. Answers
   * merely past their age may stand in either way. @default true
   */
  keepOutdated?: boolean;
  now?: () => number;
}

/** Counters per kind, since the cache was made. */
export interface KindCounts {
  /** Reads answered from the cache. */
  hits: number;
  /** Reads of this kind the cache could not answer fresh (sent to Freshdesk). */
  misses: number;
  /** Reads answered with a kept answer because Freshdesk could not answer. */
  stale: number;
  /** Answers stored. */
  stored: number;
  /** Answers outdated by a change or a write. */
  outdated: number;
  /** Answers dropped to stay within the bound (or past the stale age). */
  evicted: number;
}

export interface CacheStats {
  entries: number;
  bytes: number;
  maxBytes: number;
  kinds: Record<CacheKind, KindCounts>;
}

export type CacheOutcome = keyof KindCounts;

/** One counted event, for observers (metrics). */
export interface CacheEvent {
  kind: CacheKind;
  outcome: CacheOutcome;
}

/** What an operation's view of the cache reports back (its cost, its stale notes). */
export interface OperationHooks {
  /** A read answered from the cache. */
  hit?(kind: CacheKind): void;
  /** A kept answer served because Freshdesk could not answer. */
  stale?(ageMs: number, kind: CacheKind): void;
  /** Count in the cache's own statistics. @default true */
  counted?: boolean;
}

/** How a list page is ordered, for deciding whether a change elsewhere can move into it. */
interface ListShape {
  /** Ordered by creation time with no filter that an update could change: membership is fixed. */
  stable: boolean;
  descending: boolean;
  /** The page's first and last creation times (page order). */
  firstCreated?: string;
  lastCreated?: string;
  /** The first page (nothing before it) / the last page (nothing after it). */
  opensList: boolean;
  closesList: boolean;
}

interface Entry {
  credential: string;
  /** Path and query as sent (what an error about the answer names). */
  target: string;
  kind: CacheKind;
  data: unknown;
  nextPage: number | undefined;
  size: number;
  storedAt: number;
  freshUntil: number;
  /** Outdated by a change: served only when Freshdesk cannot answer. */
  outdated: boolean;
  /** Tickets by id, conversations, ratings: the ticket. */
  ticketId?: string;
  /** A ticket: its `updated_at`; its conversations and ratings: the ticket version read with. */
  version?: string;
  /** Ticket lists and search: the tickets on the page and their `updated_at`. */
  rows?: Map<string, string>;
  list?: ListShape;
  tags: string[];
}

/** Tags (what an entry is filed under for invalidation). */
const ticketTag = (id: string): string => `t:${id}`;
const contactTag = (id: string): string => `c:${id}`;
const LISTS = 'lists';
const CONTACT_LISTS = 'contact-lists';
const RATING_LISTS = 'rating-lists';
const REQUESTERS = 'embeds-requester';
const KNOWLEDGE_BASE = 'kb';

/** Bytes per character of an answer as parsed (measured ~1.2 for Freshdesk JSON; two-byte text is 2). */
const BYTES_PER_CHAR = 2;
/** Bytes an entry costs besides its data: the entry, its key, LRU slots. */
const ENTRY_OVERHEAD = 600;
/** Bytes one index membership costs. */
const TAG_OVERHEAD = 80;
/**
 * Recent invalidations and ticket versions remembered (to keep reads under way from storing what
 * they outdate): one per 8 KiB of the bound, 1,000 to 20,000 (about 200 bytes each, within the
 * bound's margin: answers are weighed at 2 bytes a character, about 1.2 measured).
 */
const recentChanges = (maxBytes: number): number =>
  Math.max(1_000, Math.min(20_000, Math.floor(maxBytes / 8192)));
const EPOCH = '1970-01-01T00:00:00Z';

const UPDATE_KINDS = new Set(['updated', 'note_added', 'reply_sent']);
const WRITE_TICKET = /^\/api\/v2\/tickets\/(\d+)(?:\/.*)?$/;
const WRITE_CONTACT = /^\/api\/v2\/contacts(?:\/(\d+))?(?:\/.*)?$/;

const zero = (): KindCounts => ({
  hits: 0,
  misses: 0,
  stale: 0,
  stored: 0,
  outdated: 0,
  evicted: 0,
});

/** Whether a failure is one a kept answer may stand in for: Freshdesk could not answer now. */
export function servesStale(error: unknown): boolean {
  if (!(error instanceof UpstreamError)) {
    return false;
  }
  if (error.kind !== 'http') {
    return true;
  }
  const status = error.status ?? 0;
  return status === 429 || status >= 500;
}

/** Freezes what is stored, so no reader can change what others will be served. */
function deepFreeze(value: unknown): void {
  if (typeof value !== 'object' || value === null || Object.isFrozen(value)) {
    return;
  }
  Object.freeze(value);
  for (const child of Object.values(value)) {
    deepFreeze(child);
  }
}

interface RawRow {
  id?: unknown;
  updated_at?: unknown;
  created_at?: unknown;
}

const rowsOf = (data: unknown): (RawRow | null)[] => {
  if (Array.isArray(data)) {
    return data as RawRow[];
  }
  const results = (data as { results?: unknown } | null)?.results;
  return Array.isArray(results) ? (results as RawRow[]) : [];
};

export class ReadCache {
  readonly maxBytes: number;
  readonly #maxAgesMs: Record<CacheKind, number>;
  readonly #staleMaxAgeMs: number;
  readonly #account: string | undefined;
  readonly #keepOutdated: boolean;
  readonly #now: () => number;
  readonly #entries: LRUCache<string, Entry>;
  /** Keys by tag. */
  readonly #index = new Map<string, Set<string>>();
  /** Entries per credential. */
  readonly #perCredential = new Map<string, number>();
  /** Per tag: the sequence number of its last invalidation, and the newest ticket version known. */
  readonly #recent: LRUCache<string, { seq: number; version?: string }>;
  #seq = 0;
  readonly #counts: Record<CacheKind, KindCounts>;
  readonly #observers = new Set<(event: CacheEvent) => void>();
  /** Reads under way, by key: an operation asking for one meanwhile joins it. */
  readonly #underWay = new Map<string, Promise<UpstreamResponse<unknown>>>();

  constructor(options: ReadCacheOptions) {
    this.maxBytes = Math.max(0, Math.floor(options.maxBytes));
    this.#staleMaxAgeMs = options.staleMaxAgeMs ?? 86_400_000;
    this.#recent = new LRUCache({ max: recentChanges(this.maxBytes) });
    this.#account = options.account;
    this.#keepOutdated = options.keepOutdated ?? true;
    this.#now = options.now ?? Date.now;
    const ages = { ...DEFAULT_MAX_AGES, ...options.maxAges };
    this.#maxAgesMs = Object.fromEntries(
      CACHE_KINDS.map((kind) => {
        const seconds =
          options.unwatched && TICKET_KINDS.has(kind)
            ? Math.min(ages[kind], UNWATCHED_MAX_AGE)
            : ages[kind];
        return [kind, seconds * 1000];
      }),
    ) as Record<CacheKind, number>;
    this.#counts = Object.fromEntries(CACHE_KINDS.map((kind) => [kind, zero()])) as Record<
      CacheKind,
      KindCounts
    >;
    this.#entries = new LRUCache<string, Entry>({
      maxSize: Math.max(1, this.maxBytes),
      sizeCalculation: (entry) => entry.size,
      ttl: this.#staleMaxAgeMs,
      ttlAutopurge: false,
      dispose: (entry, key, reason) => {
        this.#unindex(key, entry);
        if (reason === 'evict' || reason === 'expire') {
          this.#count(entry.kind, 'evicted');
        }
      },
    });
  }

  get enabled(): boolean {
    return this.maxBytes > 0;
  }

  /** The maximum age of a kind, in ms (0: not kept). */
  maxAgeMs(kind: CacheKind): number {
    return this.#maxAgesMs[kind];
  }

  // --- What operations use --------------------------------------------------------------------

  /** The cache as one operation's session uses it; `hooks` hear of its hits and stale answers. */
  forOperation(hooks: OperationHooks = {}): SessionCache {
    const counted = hooks.counted !== false;
    const view: SessionCache = {
      lookup: (key, request, evidence) => {
        const found = this.#fresh(key, request, evidence, counted);
        if (found === undefined) {
          return undefined;
        }
        if (counted) {
          this.#count(found.kind, 'hits');
        }
        hooks.hit?.(found.kind);
        return this.#answer(found);
      },
      holds: (key, request, evidence) => this.#fresh(key, request, evidence, false) !== undefined,
      begin: () => this.#seq,
      store: (key, request, response, evidence, token) => {
        try {
          this.#store(key, request, response, evidence, token);
        } catch {
          // Keeping an answer is an optimisation: whatever it met, the read has its answer.
        }
      },
      // What was kept stands in whatever ticket version the caller holds: it is marked stale.
      fallback: (key, _request, error) => {
        const kept = this.#kept(key, error);
        if (kept === undefined) {
          return undefined;
        }
        if (counted) {
          this.#count(kept.entry.kind, 'stale');
        }
        hooks.stale?.(kept.ageMs, kept.entry.kind);
        return { response: this.#answer(kept.entry), ageMs: kept.ageMs } satisfies KeptAnswer;
      },
      wrote: (method, path) => this.wrote(method, path),
      discard: (key) => {
        this.#entries.delete(key);
      },
      join: (key, request, evidence) => {
        const read = this.enabled ? this.#underWay.get(key) : undefined;
        if (read === undefined) {
          return undefined;
        }
        const kind = classify(request.path)?.kind;
        return read.then(
          (answer) => {
            if (kind !== undefined) {
              if (counted) {
                this.#count(kind, 'hits');
              }
              hooks.hit?.(kind);
            }
            return { ...answer };
          },
          (error: unknown) => {
            const kept = view.fallback(key, request, error, evidence);
            if (kept === undefined) {
              throw error;
            }
            return kept.response;
          },
        );
      },
      share: (key, read) => {
        if (!this.enabled) {
          return;
        }
        this.#underWay.set(key, read);
        const done = (): void => {
          if (this.#underWay.get(key) === read) {
            this.#underWay.delete(key);
          }
        };
        read.then(done, done);
      },
    };
    return view;
  }

  /** Whether this credential holds anything (fresh or not). */
  holdsFor(credential: string): boolean {
    return (this.#perCredential.get(credential) ?? 0) > 0;
  }

  /** Counts what a probe served, once its answer is the operation's (see `forOperation`). */
  record(kind: CacheKind, outcome: CacheOutcome, times = 1): void {
    for (let i = 0; i < times; i++) {
      this.#count(kind, outcome);
    }
  }

  #fresh(
    key: string,
    request: ReadRequest,
    evidence: ReadEvidence | undefined,
    counted: boolean,
  ): Entry | undefined {
    if (!this.enabled) {
      return undefined;
    }
    const entry = this.#entries.get(key);
    const miss = (): undefined => {
      if (counted) {
        const kind = entry?.kind ?? classify(request.path)?.kind;
        if (kind !== undefined && this.#maxAgesMs[kind] > 0) {
          this.#count(kind, 'misses');
        }
      }
      return undefined;
    };
    if (entry === undefined || entry.outdated || this.#now() > entry.freshUntil) {
      return miss();
    }
    if (evidence !== undefined && entry.version !== evidence.updatedAt) {
      // Read for another version of the ticket than the caller holds.
      if (entry.version !== undefined && entry.version < evidence.updatedAt) {
        this.#outdate(key, entry);
      }
      return miss();
    }
    return entry;
  }

  #answer(entry: Entry): UpstreamResponse<unknown> {
    return {
      method: 'GET',
      path: entry.target,
      status: 200,
      data: entry.data,
      nextPage: entry.nextPage,
      requestId: undefined,
      credits: 0,
      headers: {},
      size: 0,
    };
  }

  #kept(key: string, error: unknown): { entry: Entry; ageMs: number } | undefined {
    if (!this.enabled || !servesStale(error)) {
      return undefined;
    }
    const entry = this.#entries.get(key);
    if (entry === undefined || (entry.outdated && !this.#keepOutdated)) {
      return undefined;
    }
    return { entry, ageMs: Math.max(0, this.#now() - entry.storedAt) };
  }

  #store(
    key: string,
    request: ReadRequest,
    response: UpstreamResponse<unknown>,
    evidence: ReadEvidence | undefined,
    token: number,
  ): void {
    if (!this.enabled) {
      return;
    }
    const cls = classify(request.path);
    if (cls === undefined || this.#maxAgesMs[cls.kind] <= 0) {
      return;
    }
    const credential = key.slice(key.lastIndexOf(' ') + 1);
    const now = this.#now();
    const entry: Entry = {
      credential,
      target: response.path,
      kind: cls.kind,
      data: response.data,
      nextPage: response.nextPage,
      size: 0,
      storedAt: now,
      freshUntil: now + this.#maxAgesMs[cls.kind],
      outdated: false,
      tags: [],
    };
    const seen: [string, string][] = [];
    switch (cls.kind) {
      case 'tickets': {
        const row = response.data as RawRow | null;
        const id = cls.ticketId as string;
        entry.ticketId = id;
        entry.version = typeof row?.updated_at === 'string' ? row.updated_at : undefined;
        entry.tags.push(ticketTag(id));
        if (entry.version !== undefined) {
          seen.push([id, entry.version]);
        }
        break;
      }
      case 'ticket-lists':
      case 'search': {
        entry.rows = new Map();
        for (const row of rowsOf(response.data)) {
          // Whatever Freshdesk sent (garbage is the shape check's to report): rows it can file.
          if (typeof row !== 'object' || row === null || typeof row.updated_at !== 'string') {
            continue;
          }
          if (typeof row.id !== 'number' && typeof row.id !== 'string') {
            continue;
          }
          const id = String(row.id);
          entry.rows.set(id, row.updated_at);
          entry.tags.push(ticketTag(id));
          seen.push([id, row.updated_at]);
        }
        entry.tags.push(LISTS);
        if (cls.kind === 'ticket-lists') {
          entry.list = listShape(request, response);
        }
        break;
      }
      case 'conversations':
      case 'ratings': {
        const id = cls.ticketId as string;
        entry.ticketId = id;
        entry.version = evidence?.updatedAt ?? this.#recent.get(ticketTag(id))?.version;
        entry.tags.push(ticketTag(id));
        break;
      }
      case 'contacts':
        entry.tags.push(contactTag(cls.contactId as string));
        break;
      case 'contact-lists':
        entry.tags.push(CONTACT_LISTS);
        break;
      case 'rating-lists':
        entry.tags.push(RATING_LISTS);
        break;
      case 'solutions':
        entry.tags.push(KNOWLEDGE_BASE);
        break;
      default:
        break;
    }
    const include = request.query?.include;
    if (typeof include === 'string' && include.split(',').includes('requester')) {
      entry.tags.push(REQUESTERS);
    }
    // What this answer shows of tickets outdates older answers about them, and what is already
    // known to be newer (or changed since this read began) keeps this answer out.
    let current = true;
    for (const tag of entry.tags) {
      const recent = this.#recent.get(tag);
      if (recent !== undefined && recent.seq > token) {
        current = false;
      }
    }
    for (const [id, version] of seen) {
      const known = this.#recent.get(ticketTag(id))?.version;
      if (known !== undefined && version < known) {
        current = false;
      } else {
        this.#observe(id, version);
      }
    }
    if (!current) {
      return;
    }
    deepFreeze(entry.data);
    entry.size =
      BYTES_PER_CHAR * (response.size ?? 0) + ENTRY_OVERHEAD + TAG_OVERHEAD * entry.tags.length;
    if (entry.size > this.maxBytes) {
      return;
    }
    this.#entries.delete(key);
    this.#entries.set(key, entry);
    if (this.#entries.peek(key) !== entry) {
      return;
    }
    for (const tag of entry.tags) {
      let keys = this.#index.get(tag);
      if (keys === undefined) {
        keys = new Set();
        this.#index.set(tag, keys);
      }
      keys.add(key);
    }
    this.#perCredential.set(credential, (this.#perCredential.get(credential) ?? 0) + 1);
    this.#count(entry.kind, 'stored');
  }

  #unindex(key: string, entry: Entry): void {
    for (const tag of entry.tags) {
      const keys = this.#index.get(tag);
      keys?.delete(key);
      if (keys?.size === 0) {
        this.#index.delete(tag);
      }
    }
    const left = (this.#perCredential.get(entry.credential) ?? 1) - 1;
    if (left > 0) {
      this.#perCredential.set(entry.credential, left);
    } else {
      this.#perCredential.delete(entry.credential);
    }
  }

  // --- Keeping it true ------------------------------------------------------------------------

  /** Hears the change feed (weakly: a cache no longer used is not kept alive by the feed). */
  watch(feed: ChangeFeed): () => void {
    const ref = new WeakRef(this);
    const stop = feed.subscribe((change) => {
      const cache = ref.deref();
      if (cache === undefined) {
        stop();
      } else {
        cache.noteChange(change);
      }
    });
    return stop;
  }

  /**
   * A ticket changed (a webhook, the sweep, the gateway's own write): outdates what shows an
   * older version of it, and the lists it may have entered or left.
   */
  noteChange(change: TicketChange): void {
    if (this.#account !== undefined && change.account !== this.#account) {
      return;
    }
    const id = change.ticketId;
    const version = change.updatedAt;
    const removed = change.kind === 'deleted' || change.kind === 'spam';
    this.#bump(ticketTag(id), removed ? undefined : version);
    for (const key of this.#keys(ticketTag(id))) {
      const entry = this.#entries.peek(key);
      if (entry === undefined || entry.rows !== undefined) {
        continue;
      }
      if (
        removed ||
        version === undefined ||
        entry.version === undefined ||
        entry.version < version
      ) {
        this.#outdate(key, entry);
      }
    }
    let listsTouched = false;
    for (const key of this.#keys(LISTS)) {
      const entry = this.#entries.peek(key);
      if (entry?.rows === undefined) {
        continue;
      }
      if (this.#listKeeps(entry, id, version, change)) {
        continue;
      }
      this.#outdate(key, entry);
      listsTouched = true;
    }
    if (listsTouched || change.kind === 'created' || removed) {
      this.#bump(LISTS);
    }
  }

  /** Whether a list page still holds after `change` to ticket `id`. */
  #listKeeps(entry: Entry, id: string, version: string | undefined, change: TicketChange): boolean {
    const row = entry.rows?.get(id);
    const removed = change.kind === 'deleted' || change.kind === 'spam';
    if (row !== undefined) {
      // On the page: only an answer already showing this version (or a newer one) holds.
      return !removed && version !== undefined && row >= version;
    }
    if (entry.kind === 'search' || !entry.list?.stable || !UPDATE_KINDS.has(change.kind)) {
      return false;
    }
    // Ordered by creation time, unfiltered: an update moves no ticket in or out, unless the
    // ticket belongs within the page's span (it was restored, or the page missed it).
    const createdAt = change.ticket?.createdAt;
    return createdAt === undefined || !withinSpan(entry.list, createdAt);
  }

  /**
   * The gateway sent a write (whatever became of it): outdates, for every credential, what it may
   * have changed. Ticket writes are also reported by the change feed, with the new version.
   */
  wrote(method: string, path: string): void {
    const ticket = WRITE_TICKET.exec(path);
    if (path === '/api/v2/tickets' && method === 'POST') {
      this.#outdateTag(LISTS);
      return;
    }
    if (ticket) {
      const id = ticket[1] as string;
      this.#outdateTag(ticketTag(id));
      if (path.endsWith('/satisfaction_ratings')) {
        this.#outdateTag(RATING_LISTS);
      }
      // Its `updated_at` moved: lists showing it, or that it may now enter, are outdated.
      this.noteChange({
        account: this.#account ?? '',
        ticketId: id,
        updatedAt: undefined,
        source: 'gateway',
        kind: 'updated',
        receivedAt: this.#now(),
      });
      return;
    }
    const contact = WRITE_CONTACT.exec(path);
    if (contact) {
      if (contact[1] !== undefined) {
        this.#outdateTag(contactTag(contact[1]));
      }
      this.#outdateTag(CONTACT_LISTS);
      // Tickets that embed their requester show its name, e-mail and phone.
      this.#outdateTag(REQUESTERS);
      return;
    }
    if (path.startsWith('/api/v2/solutions/')) {
      this.#outdateTag(KNOWLEDGE_BASE);
    }
  }

  /** An answer shows ticket `id` at `version`: older answers about it are outdated. */
  #observe(id: string, version: string): void {
    const tag = ticketTag(id);
    const known = this.#recent.get(tag);
    if (known?.version !== undefined && known.version >= version) {
      return;
    }
    this.#recent.set(tag, { seq: known?.seq ?? 0, version });
    for (const key of this.#keys(tag)) {
      const entry = this.#entries.peek(key);
      if (entry === undefined || entry.outdated) {
        continue;
      }
      const shown = entry.rows?.get(id) ?? entry.version;
      if (shown !== undefined && shown < version) {
        this.#outdate(key, entry);
      }
    }
  }

  #bump(tag: string, version?: string): void {
    this.#seq += 1;
    const known = this.#recent.get(tag)?.version;
    this.#recent.set(tag, {
      seq: this.#seq,
      version: version !== undefined && (known === undefined || version > known) ? version : known,
    });
  }

  #outdateTag(tag: string): void {
    this.#bump(tag);
    for (const key of this.#keys(tag)) {
      const entry = this.#entries.peek(key);
      if (entry !== undefined) {
        this.#outdate(key, entry);
      }
    }
  }

  #outdate(_key: string, entry: Entry): void {
    if (!entry.outdated) {
      entry.outdated = true;
      this.#count(entry.kind, 'outdated');
    }
  }

  #keys(tag: string): string[] {
    const keys = this.#index.get(tag);
    return keys === undefined ? [] : [...keys];
  }

  // --- Housekeeping and statistics --------------------------------------------------------------

  /** Forgets everything (the counters stay). */
  clear(): void {
    this.#entries.clear();
    this.#index.clear();
    this.#perCredential.clear();
  }

  /** Entries, bytes and per-kind counters (for metrics). */
  stats(): CacheStats {
    return {
      entries: this.#entries.size,
      bytes: this.#entries.calculatedSize ?? 0,
      maxBytes: this.maxBytes,
      kinds: Object.fromEntries(
        CACHE_KINDS.map((kind) => [kind, { ...this.#counts[kind] }]),
      ) as Record<CacheKind, KindCounts>,
    };
  }

  /** Hears every counted event (hits, misses, stale answers...); the returned function stops it. */
  observe(listener: (event: CacheEvent) => void): () => void {
    this.#observers.add(listener);
    return () => {
      this.#observers.delete(listener);
    };
  }

  #count(kind: CacheKind, outcome: CacheOutcome): void {
    this.#counts[kind][outcome] += 1;
    if (this.#observers.size > 0) {
      for (const observer of this.#observers) {
        try {
          observer({ kind, outcome });
        } catch {
          // An observer's failure is its own.
        }
      }
    }
  }
}

/** Whether a ticket created at `createdAt` belongs within the page's span of creation times. */
function withinSpan(list: ListShape, createdAt: string): boolean {
  if (list.firstCreated === undefined || list.lastCreated === undefined) {
    // An empty page: any ticket may belong.
    return true;
  }
  const [low, high] = list.descending
    ? [list.lastCreated, list.firstCreated]
    : [list.firstCreated, list.lastCreated];
  const belowOpen = list.descending ? list.closesList : list.opensList;
  const aboveOpen = list.descending ? list.opensList : list.closesList;
  return (belowOpen || createdAt >= low) && (aboveOpen || createdAt <= high);
}

/** How a ticket-list page is ordered and bounded (see `ListShape`). */
function listShape(request: ReadRequest, response: UpstreamResponse<unknown>): ListShape {
  const query = request.query ?? {};
  const orderBy = query.order_by ?? 'created_at';
  const filtered =
    query.filter !== undefined ||
    query.requester_id !== undefined ||
    query.company_id !== undefined ||
    query.email !== undefined ||
    (query.updated_since !== undefined && query.updated_since !== EPOCH);
  const rows = rowsOf(response.data);
  const created = (row: RawRow | null | undefined): string | undefined =>
    typeof row?.created_at === 'string' ? row.created_at : undefined;
  return {
    stable: orderBy === 'created_at' && !filtered,
    descending: (query.order_type ?? 'desc') === 'desc',
    firstCreated: created(rows[0]),
    lastCreated: created(rows.at(-1)),
    opensList: Number(query.page ?? 1) <= 1,
    closesList: response.nextPage === undefined,
  };
}

/**
 * The read cache `config` asks for, serving `account` (the Freshdesk origin), watching the
 * process's change feed.
 */
export function readCacheFor(config: Config, account: string, feed?: ChangeFeed): ReadCache {
  // The sweep needs a service key; without it and without webhooks, nothing reports changes.
  const sweeps = config.reconcileIntervalMs > 0 && config.apiKey !== undefined;
  const cache = new ReadCache({
    maxBytes: config.cacheMaxBytes,
    maxAges: config.cacheMaxAges,
    staleMaxAgeMs: config.cacheStaleMaxAgeMs,
    unwatched: !sweeps && config.webhookSecret === undefined,
    keepOutdated: config.auth !== 'passthrough',
    account,
  });
  if (feed !== undefined) {
    cache.watch(feed);
  }
  return cache;
}
