/**
 * The export run: which traversals a run makes, where each starts (first run, next run from a
 * finished checkpoint, or resuming an interrupted one), and the commit protocol that makes it exactly
 * once: for every page, the records are appended to the outputs and fsynced, and only then the
 * checkpoint (durably replaced) moves the positions and counts the new bytes.
 *
 * Traversals:
 * - tickets (and their conversations): `tickets(filter: {updatedSince, orderBy: UPDATED_AT,
 *   orderDirection: ASC})`, the gateway's keyset list that passes Freshdesk's 300-page wall. The
 *   position is the last committed `updated_at` with the records written at that instant; a run
 *   starting there skips exactly those (unchanged) records, however many share the instant.
 *   A ticket met again in a newer version changed after the run passed it, which shifted the
 *   positions behind it: the tail is read again from its old place for tickets stepped over.
 *   The conversations of the tickets a page adds (not those it skips) follow in operations of
 *   aliased `ticketConversations`, one call per ticket; tickets and conversations in one run list
 *   every ticket page once.
 * - deleted and spam tickets: the same keyset over `predefined: DELETED` / `SPAM`; reported (as
 *   records with `deleted: true` / `spam: true`) from the second run on. The first run reads
 *   neither list (no list call beyond the ticket pages): the next run starts them at the first
 *   run's start, less the clock margin, so a ticket deleted in the minutes before the first run
 *   may be reported once.
 * - contacts, companies, ratings: page by page (their order is not by time), filtered by the time
 *   the previous run started (less a margin for clock skew; companies are all read and filtered
 *   here, as older accounts' company list has no time filter); records the previous run already
 *   wrote inside that margin are skipped. A resumed run reads the last committed page again and skips the
 *   records it holds.
 */
import { existsSync } from 'node:fs';
import { resolve as resolvePath } from 'node:path';
import {
  type CheckpointData,
  type KeysetState,
  type OutputState,
  type PagedState,
  readCheckpoint,
  type TraversalState,
  writeCheckpoint,
} from './checkpoint.ts';
import { type GatewayClient, type GraphQLError, OperationTooLarge } from './client.ts';
import { EXIT, ExportError } from './errors.ts';
import { csvEncoder, type Encoder, ndjsonEncoder } from './format.ts';
import { type Output, openFileOutput, stdoutOutput } from './output.ts';
import type { Progress, ProgressState } from './progress.ts';
import {
  csvColumns,
  type ExportRecord,
  type Format,
  fingerprint,
  mapKeysOf,
  type StreamName,
  selection,
  toRecord,
} from './records.ts';

/**
 * How far back a page-ordered traversal looks before the previous run's start: the exporter's clock
 * and Freshdesk's may disagree by this much without a change being missed. @default 600000
 */
export const CLOCK_MARGIN_MS = 10 * 60_000;
/** Freshdesk's largest page. */
const MAX_PAGE = 100;
/** Passes over the tail of the ticket list when tickets change under a run (each one rarer). */
const MAX_REREADS = 3;

export interface ExportOptions {
  streams: readonly StreamName[];
  format: Format;
  /** A file path, a template with `{stream}` (several streams), or null for stdout. */
  out: string | null;
  checkpoint: string | null;
  /** ISO instant: the first run exports what changed since then (ignored once a checkpoint exists). */
  since: string | null;
  client: GatewayClient;
  progress: Progress;
  signal?: AbortSignal;
  now?: () => number;
}

export interface ExportSummary {
  /** Records written per stream by this run. */
  records: Partial<Record<StreamName, number>>;
  /** `first`, `next` (from a finished checkpoint) or `resumed`. */
  mode: 'first' | 'next' | 'resumed';
}

interface Sink {
  stream: StreamName;
  output: Output;
  encoder: Encoder | undefined;
  state: OutputState;
  written: number;
}

type Traversal =
  | { key: string; kind: 'keyset'; label: string; predefined?: 'DELETED' | 'SPAM' }
  | {
      key: string;
      kind: 'paged';
      label: string;
      stream: StreamName;
      /** `incremental`: only reported from the second run on (deleted contacts). */
      incremental?: boolean;
    };

const iso = (ms: number): string => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

/** The traversals a set of streams needs, in the order they run. */
function plan(streams: readonly StreamName[]): Traversal[] {
  const has = (stream: StreamName) => streams.includes(stream);
  const traversals: Traversal[] = [];
  if (has('tickets') || has('conversations')) {
    const label = [has('tickets') ? 'tickets' : '', has('conversations') ? 'conversations' : '']
      .filter(Boolean)
      .join('+');
    traversals.push({ key: 'tickets', kind: 'keyset', label });
  }
  if (has('tickets')) {
    traversals.push({
      key: 'tickets:deleted',
      kind: 'keyset',
      label: 'tickets (deleted)',
      predefined: 'DELETED',
    });
    traversals.push({
      key: 'tickets:spam',
      kind: 'keyset',
      label: 'tickets (spam)',
      predefined: 'SPAM',
    });
  }
  if (has('contacts')) {
    traversals.push({ key: 'contacts', kind: 'paged', label: 'contacts', stream: 'contacts' });
    traversals.push({
      key: 'contacts:deleted',
      kind: 'paged',
      label: 'contacts (deleted)',
      stream: 'contacts',
      incremental: true,
    });
  }
  if (has('companies')) {
    traversals.push({ key: 'companies', kind: 'paged', label: 'companies', stream: 'companies' });
  }
  if (has('ratings')) {
    traversals.push({ key: 'ratings', kind: 'paged', label: 'ratings', stream: 'ratings' });
  }
  return traversals;
}

/** The output path of a stream: the template with `{stream}` filled in, or the one path. */
export function outPath(out: string | null, stream: StreamName): string | null {
  return out === null ? null : resolvePath(out.replaceAll('{stream}', stream));
}

export async function runExport(options: ExportOptions): Promise<ExportSummary> {
  const now = options.now ?? Date.now;
  const streams = [...new Set(options.streams)].sort() as StreamName[];
  const previous = options.checkpoint ? readCheckpoint(options.checkpoint) : undefined;
  if (previous) {
    if (previous.format !== options.format) {
      throw new ExportError(
        `the checkpoint ${options.checkpoint} belongs to a ${previous.format} export; run with --format ${previous.format}, or use another checkpoint file`,
        EXIT.failed,
      );
    }
    if ([...previous.streams].sort().join(',') !== streams.join(',')) {
      throw new ExportError(
        `the checkpoint ${options.checkpoint} belongs to an export of ${previous.streams.join(', ')}; export ${streams.join(', ')} with another checkpoint file`,
        EXIT.failed,
      );
    }
  }
  if (previous && options.since !== null) {
    options.progress.note('--since is ignored: the checkpoint says where this run starts');
  }
  const mode: ExportSummary['mode'] = !previous
    ? 'first'
    : previous.run.finishedAt === null
      ? 'resumed'
      : 'next';
  const startedAt = mode === 'resumed' && previous ? previous.run.startedAt : iso(now());
  const traversals = plan(streams);
  const data: CheckpointData = {
    version: 1,
    format: options.format,
    streams,
    run: { startedAt, finishedAt: null },
    outputs: {},
    traversals: {},
  };
  const clockMargin = iso(Date.parse(startedAt) - CLOCK_MARGIN_MS);
  for (const traversal of traversals) {
    data.traversals[traversal.key] = startState(
      traversal,
      mode,
      previous,
      options.since,
      clockMargin,
    );
  }

  const sinks = new Map<StreamName, Sink>();
  const outputStreams = streams;
  try {
    for (const stream of outputStreams) {
      sinks.set(stream, openSink(stream, options, mode, previous));
    }
    for (const sink of sinks.values()) {
      data.outputs[sink.stream] = sink.state;
    }
    const save = () => {
      if (options.checkpoint) {
        writeCheckpoint(options.checkpoint, data);
      }
    };
    save();
    const run = new Run(options, data, sinks, save, now);
    for (const traversal of traversals) {
      await run.traverse(traversal);
    }
    run.headerOnly();
    data.run.finishedAt = iso(now());
    save();
    const records: Partial<Record<StreamName, number>> = {};
    for (const sink of sinks.values()) {
      records[sink.stream] = sink.written;
    }
    return { records, mode };
  } finally {
    for (const sink of sinks.values()) {
      sink.output.close();
    }
  }
}

/** Where a traversal starts in this run. */
function startState(
  traversal: Traversal,
  mode: ExportSummary['mode'],
  previous: CheckpointData | undefined,
  since: string | null,
  clockMargin: string,
): TraversalState {
  const before = previous?.traversals[traversal.key];
  if (mode === 'resumed' && before && before.kind === traversal.kind) {
    return before;
  }
  if (traversal.kind === 'keyset') {
    if (mode === 'next' && before?.kind === 'keyset') {
      return { kind: 'keyset', from: before.at, at: before.at, ids: before.ids, done: false };
    }
    if (traversal.predefined) {
      // A first run reports no deletions: the next one starts where this one started.
      return { kind: 'keyset', from: clockMargin, at: clockMargin, ids: {}, done: true };
    }
    return { kind: 'keyset', from: since, at: since, ids: {}, done: false };
  }
  if (mode === 'next' && before?.kind === 'paged' && previous) {
    return {
      kind: 'paged',
      since: iso(Date.parse(previous.run.startedAt) - CLOCK_MARGIN_MS),
      after: null,
      lastIds: [],
      skip: before.recent,
      recent: {},
      done: false,
    };
  }
  return {
    kind: 'paged',
    // Deleted contacts: nothing to report on a first run; the next starts where this one started.
    since: traversal.incremental ? clockMargin : since,
    after: null,
    lastIds: [],
    skip: {},
    recent: {},
    done: traversal.incremental === true,
  };
}

function openSink(
  stream: StreamName,
  options: ExportOptions,
  mode: ExportSummary['mode'],
  previous: CheckpointData | undefined,
): Sink {
  const path = outPath(options.out, stream);
  if (path === null) {
    return {
      stream,
      output: stdoutOutput(),
      encoder: options.format === 'ndjson' ? ndjsonEncoder : undefined,
      state: { path: null, bytes: 0, columns: null },
      written: 0,
    };
  }
  const before = previous?.outputs[stream];
  // The checkpoint's file continues (a resumed run, or the next run into the same file); any
  // other path is started afresh.
  const continues = before !== undefined && before.path === path && mode !== 'first';
  let committed = continues ? before.bytes : undefined;
  if (continues && mode === 'next' && !existsSync(path)) {
    // The previous run's file was loaded and removed: start a new one.
    committed = undefined;
  }
  const output = openFileOutput(path, committed);
  const columns = committed !== undefined && committed > 0 ? (before?.columns ?? null) : null;
  return {
    stream,
    output,
    encoder:
      options.format === 'ndjson'
        ? ndjsonEncoder
        : columns
          ? csvEncoder(stream, columns)
          : undefined,
    state: { path, bytes: output.bytes, columns },
    written: 0,
  };
}

interface TicketNode {
  id: string;
  updatedAt: string;
  [field: string]: unknown;
}

interface Connection<T> {
  nodes: T[];
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
}

/** `ticketConversations` for several tickets in one operation, one alias (and call) each. */
const conversationsDocument = (count: number): string => {
  const vars = Array.from({ length: count }, (_, i) => `$t${i}: ID!, $a${i}: String`).join(', ');
  const fields = Array.from(
    { length: count },
    (_, i) =>
      `c${i}: ticketConversations(ticketId: $t${i}, first: 100, after: $a${i}) { nodes { ${selection('conversations')} } pageInfo { hasNextPage endCursor } }`,
  ).join(' ');
  return `query ExportConversations(${vars}) { ${fields} }`;
};

class Run {
  readonly #options: ExportOptions;
  readonly #data: CheckpointData;
  readonly #sinks: Map<StreamName, Sink>;
  readonly #save: () => void;
  readonly #now: () => number;
  /** Records per page; lowered once if the gateway's per-operation cap asks for smaller operations. */
  #pageSize = MAX_PAGE;
  /** Conversations written by this process (a ticket changed during the run is met twice). */
  readonly #conversationsSeen = new Set<string>();

  constructor(
    options: ExportOptions,
    data: CheckpointData,
    sinks: Map<StreamName, Sink>,
    save: () => void,
    now: () => number,
  ) {
    this.#options = options;
    this.#data = data;
    this.#sinks = sinks;
    this.#save = save;
    this.#now = now;
  }

  async traverse(traversal: Traversal): Promise<void> {
    const state = this.#data.traversals[traversal.key] as TraversalState;
    if (state.done) {
      return;
    }
    const progress: ProgressState = {
      label: traversal.label,
      records: 0,
      pages: 0,
      credits: this.#options.client.totals.credits,
      waitingMs: this.#options.client.totals.waitingMs,
      fraction: 0,
      startedAt: this.#now(),
    };
    const creditsBefore = this.#options.client.totals.credits;
    const waitingBefore = this.#options.client.totals.waitingMs;
    const tick = (records: number, fraction: number | undefined) => {
      progress.records += records;
      progress.pages += 1;
      progress.credits = this.#options.client.totals.credits - creditsBefore;
      progress.waitingMs = this.#options.client.totals.waitingMs - waitingBefore;
      progress.fraction = fraction;
      this.#options.progress.update(progress);
    };
    this.#options.progress.begin(traversal.label);
    if (traversal.kind === 'keyset') {
      await this.#keyset(traversal, state as KeysetState, tick);
    } else {
      await this.#paged(traversal, state as PagedState, tick);
    }
    progress.credits = this.#options.client.totals.credits - creditsBefore;
    progress.waitingMs = this.#options.client.totals.waitingMs - waitingBefore;
    progress.fraction = 1;
    this.#options.progress.end(progress);
  }

  #checkStop(): void {
    if (this.#options.signal?.aborted) {
      throw new ExportError('interrupted', EXIT.interrupted);
    }
  }

  /** Runs `query` with the current page size, lowering it when the gateway says the operation is too large. */
  async #page<T>(
    build: (first: number) => [string, Record<string, unknown>],
    accept?: (error: GraphQLError) => boolean,
  ): Promise<T> {
    for (;;) {
      const [document, variables] = build(this.#pageSize);
      try {
        return await this.#options.client.query<T>(document, variables, accept);
      } catch (error) {
        if (!(error instanceof OperationTooLarge) || this.#pageSize <= 1) {
          throw error;
        }
        const next = Math.max(
          1,
          Math.min(
            this.#pageSize - 1,
            Math.floor((this.#pageSize * error.maxCredits) / error.estimate) - 1,
          ),
        );
        this.#options.progress.note(
          `operations of about ${error.estimate} credits do not fit (the gateway allows ${error.maxCredits}): pages of ${next} instead of ${this.#pageSize}`,
        );
        this.#pageSize = next;
      }
    }
  }

  /** Appends records to a stream's output (writing the CSV header first in a new file). */
  #emit(stream: StreamName, records: readonly ExportRecord[]): void {
    const sink = this.#sinks.get(stream);
    if (!sink || records.length === 0) {
      return;
    }
    if (!sink.encoder) {
      const columns = csvColumns(stream, mapKeysOf(stream, records));
      sink.encoder = csvEncoder(stream, columns);
      sink.state.columns = columns;
      sink.output.write(sink.encoder.header);
    }
    for (const record of records) {
      sink.output.write(sink.encoder.encode(record));
    }
    sink.written += records.length;
  }

  /**
   * A new CSV file that got no record still gets its header (the stream's own columns; custom
   * fields would go to the JSON column should a later run continue the file).
   */
  headerOnly(): void {
    let wrote = false;
    for (const sink of this.#sinks.values()) {
      if (this.#data.format === 'csv' && !sink.encoder && sink.state.bytes === 0) {
        const columns = csvColumns(sink.stream, {});
        sink.encoder = csvEncoder(sink.stream, columns);
        sink.state.columns = columns;
        sink.output.write(sink.encoder.header);
        wrote = true;
      }
    }
    if (wrote) {
      this.#commit();
    }
  }

  /** Makes the page durable: outputs first, then the checkpoint that counts them. */
  #commit(): void {
    for (const sink of this.#sinks.values()) {
      sink.state.bytes = sink.output.commit();
    }
    this.#save();
  }

  async #keyset(
    traversal: Extract<Traversal, { kind: 'keyset' }>,
    state: KeysetState,
    tick: (records: number, fraction: number | undefined) => void,
  ): Promise<void> {
    const withTickets = this.#sinks.has('tickets');
    const withConversations = !traversal.predefined && this.#sinks.has('conversations');
    const fields = withTickets ? selection('tickets') : 'id updatedAt';
    const document = `query ExportTickets($first: Int!, $after: String, $filter: TicketFilter!) { tickets(first: $first, after: $after, filter: $filter) { nodes { ${fields} } pageInfo { hasNextPage endCursor } } }`;
    const marks =
      traversal.predefined === 'DELETED'
        ? { deleted: true }
        : traversal.predefined === 'SPAM'
          ? { spam: true }
          : {};
    // The gateway's cursor is followed within this process; a new process starts again at `at`.
    let after: string | null = null;
    let origin: number | undefined = state.from ? Date.parse(state.from) : undefined;
    const filter = {
      ...(traversal.predefined ? { predefined: traversal.predefined } : {}),
      orderBy: 'UPDATED_AT',
      orderDirection: 'ASC',
    };
    let base = state.at;
    // What this chain has passed (id → updatedAt), to notice a ticket met again in a newer version:
    // it changed after the chain passed it, so every ticket behind it moved one place forward and
    // the page boundaries read since may have stepped over one (Freshdesk pages by position).
    const passed = new Map<string, string>(
      Object.keys(state.ids).map((id) => [id, state.at as string]),
    );
    /** `id@updatedAt` of the versions this chain wrote (or found written). */
    const written = new Set<string>();
    let rereadFrom: string | undefined;
    let rereads = 0;
    for (;;) {
      this.#checkStop();
      const result = await this.#page<{ tickets: Connection<TicketNode> }>((first) => [
        document,
        { first, after, filter: { ...filter, ...(base ? { updatedSince: base } : {}) } },
      ]);
      const tickets: ExportRecord[] = [];
      const changed: string[] = [];
      for (const node of result.tickets.nodes) {
        const record = withTickets
          ? toRecord('tickets', node, marks)
          : { id: node.id, updatedAt: node.updatedAt };
        const print = fingerprint(record);
        const before = passed.get(node.id);
        if (before !== undefined && before < node.updatedAt) {
          rereadFrom = rereadFrom === undefined || before < rereadFrom ? before : rereadFrom;
        }
        passed.set(node.id, node.updatedAt);
        const version = `${node.id}@${node.updatedAt}`;
        if (
          written.has(version) ||
          (state.at !== null && node.updatedAt === state.at && state.ids[node.id] === print)
        ) {
          written.add(version);
          continue; // Written by an earlier run or page, unchanged.
        }
        written.add(version);
        if (state.at === null || node.updatedAt > state.at) {
          state.at = node.updatedAt;
          state.ids = {};
        }
        if (node.updatedAt === state.at) {
          state.ids[node.id] = print;
        }
        if (withTickets) {
          tickets.push(record);
        }
        changed.push(node.id);
      }
      const conversations = withConversations
        ? await this.#conversationsOf(changed, state.from)
        : [];
      this.#emit('tickets', tickets);
      this.#emit('conversations', conversations);
      const more = result.tickets.pageInfo.hasNextPage;
      state.done = !more;
      this.#commit();
      if (origin === undefined && result.tickets.nodes[0]) {
        origin = Date.parse(result.tickets.nodes[0].updatedAt);
      }
      const end = this.#now();
      const fraction =
        state.at && origin !== undefined && end > origin
          ? Math.min(1, Math.max(0, (Date.parse(state.at) - origin) / (end - origin)))
          : undefined;
      tick(tickets.length + conversations.length, more ? fraction : 1);
      if (more) {
        after = result.tickets.pageInfo.endCursor;
        continue;
      }
      if (rereadFrom === undefined) {
        return;
      }
      if (rereads >= MAX_REREADS) {
        this.#options.progress.note(
          `tickets kept changing while the export paged past them: a ticket next to one that changed may be missing; it comes with the next run once it changes`,
        );
        return;
      }
      // Read again from where the first changed ticket was: only tickets not met yet are written.
      this.#options.progress.note(
        `tickets changed while the export paged past them: reading again from ${rereadFrom} for any ticket a page boundary stepped over`,
      );
      rereads += 1;
      base = rereadFrom;
      rereadFrom = undefined;
      after = null;
    }
  }

  /**
   * The conversations changed since `from` of these tickets: one call per ticket (more only past
   * 100 conversations), in operations of up to a page's size. A ticket deleted since its page was
   * listed has none (its deletion is reported with the tickets).
   */
  async #conversationsOf(
    ticketIds: readonly string[],
    from: string | null,
  ): Promise<ExportRecord[]> {
    const nodes: Record<string, unknown>[] = [];
    let pending = ticketIds.map((id) => ({ id, after: null as string | null }));
    while (pending.length > 0) {
      this.#checkStop();
      const batch = pending.slice(0, this.#pageSize);
      const result = await this.#page<Record<string, Connection<Record<string, unknown>> | null>>(
        (size) => {
          const part = batch.slice(0, size);
          const variables: Record<string, unknown> = {};
          part.forEach((ticket, i) => {
            variables[`t${i}`] = ticket.id;
            variables[`a${i}`] = ticket.after;
          });
          return [conversationsDocument(part.length), variables];
        },
        (error) => error.extensions?.code === 'NOT_FOUND',
      );
      const done = Object.keys(result).length;
      const next: typeof pending = [];
      for (let i = 0; i < done; i++) {
        const connection = result[`c${i}`];
        const ticket = batch[i];
        if (!connection || !ticket) {
          continue;
        }
        nodes.push(...connection.nodes);
        if (connection.pageInfo.hasNextPage) {
          next.push({ id: ticket.id, after: connection.pageInfo.endCursor });
        }
      }
      pending = [...next, ...pending.slice(done)];
    }
    const records: ExportRecord[] = [];
    for (const conversation of nodes) {
      const record = toRecord('conversations', conversation);
      const updatedAt = String(record.updatedAt);
      const key = `${record.id}@${updatedAt}`;
      if ((from !== null && updatedAt < from) || this.#conversationsSeen.has(key)) {
        continue;
      }
      this.#conversationsSeen.add(key);
      records.push(record);
    }
    return records;
  }

  async #paged(
    traversal: Extract<Traversal, { kind: 'paged' }>,
    state: PagedState,
    tick: (records: number, fraction: number | undefined) => void,
  ): Promise<void> {
    const { stream } = traversal;
    const deleted = traversal.key === 'contacts:deleted';
    const timeField = stream === 'ratings' ? 'createdAt' : 'updatedAt';
    const recentFrom = iso(Date.parse(this.#data.run.startedAt) - CLOCK_MARGIN_MS);
    const root = stream === 'ratings' ? 'satisfactionRatings' : stream;
    const filterType =
      stream === 'ratings'
        ? 'SatisfactionRatingFilter'
        : stream === 'companies'
          ? 'CompanyFilter'
          : 'ContactFilter';
    const filter: Record<string, unknown> = {};
    // Companies: Freshdesk's older company list has no `updated_since` (and accounts hold few
    // companies): every page is read and the time is checked here.
    if (state.since && stream !== 'companies') {
      filter[stream === 'ratings' ? 'createdSince' : 'updatedSince'] = state.since;
    }
    if (deleted) {
      filter.state = 'DELETED';
    }
    const document = `query ExportList($first: Int!, $after: String, $filter: ${filterType}) { ${root}(first: $first, after: $after, filter: $filter) { nodes { ${selection(stream)} } pageInfo { hasNextPage endCursor } } }`;
    let after = state.after;
    // A resumed run reads its last committed page again: skip what that page held.
    let again = new Set(state.lastIds);
    for (;;) {
      this.#checkStop();
      const result = await this.#page<Record<string, Connection<Record<string, unknown>>>>(
        (first) => [document, { first, after, filter }],
      );
      const connection = result[root] as Connection<Record<string, unknown>>;
      const records: ExportRecord[] = [];
      for (const node of connection.nodes) {
        const record = toRecord(stream, node, deleted ? { deleted: true } : {});
        const id = String(record.id);
        const time = String(record[timeField] ?? '');
        if (
          again.has(id) ||
          state.skip[id] === time ||
          (state.since !== null && time < state.since)
        ) {
          continue;
        }
        if (time >= recentFrom) {
          state.recent[id] = time;
        }
        records.push(record);
      }
      again = new Set();
      this.#emit(stream, records);
      state.after = after;
      state.lastIds = connection.nodes.map((node) => String(node.id));
      const more = connection.pageInfo.hasNextPage;
      state.done = !more;
      this.#commit();
      tick(records.length, more ? undefined : 1);
      if (!more) {
        return;
      }
      after = connection.pageInfo.endCursor;
    }
  }
}
