/**
 * The reconciliation sweep: every `intervalMs`, one call asking Freshdesk what changed since the last
 * change the sweep saw,
 * `GET /api/v2/tickets?updated_since=<cursor>&order_by=updated_at&order_type=asc&per_page=100`,
 * and more pages only while they come back full. It finds what webhooks missed (Freshdesk postpones
 * them past the account's limit, drops them after 24 h, gives up after three failed deliveries, and
 * sends only what a rule was set up for) and serves accounts with no rules at all.
 *
 * Freshdesk's list facts it minds (freshdesk-api.md section 3):
 * - `updated_since` matches `>=`, and many tickets can share one `updated_at`: the cursor is the
 *   newest `updated_at` seen, and the ids already seen at exactly that second are skipped when the
 *   next run lists them again (a ticket changed later in that same second is still reported). So
 *   a block of more than 100 tickets sharing the cursor's second (a bulk import) is listed again by
 *   each run until a newer change moves the cursor: the cursor never moves on by the gateway's own
 *   clock, which need not agree with Freshdesk's.
 * - The 300-page wall: a run reads at most `MAX_PAGES_PER_RUN` pages and carries on from its cursor
 *   next time; if a whole run's pages share the cursor's second (a bulk import), the next run
 *   continues at the following page of that second, and at page 300 it gives up on that second
 *   (logged) rather than loop.
 * - Spam and deleted tickets are never listed: the sweep cannot see deletions (webhooks and the
 *   gateway's own writes can).
 *
 * The sweep reports changes from its start on, not history. `start()` takes the first cursor from
 * Freshdesk's own data, not from the gateway's clock: one call,
 * `GET /api/v2/tickets?updated_since=2000-01-01T00:00:00Z&order_by=updated_at&order_type=desc&per_page=100`,
 * whose first ticket is the newest change (those sharing its second count as seen); an empty account
 * starts from 2000. When that call fails, the start time (whole seconds) is the cursor. Its calls
 * spend the webhook share of the quota (`priority: 'webhook'`).
 *
 * Replicas sharing Redis sweep one at a time: a `SweepCoordinator` (`lease.ts`) says before each
 * run whether this replica runs it, and hands over the cursor the last run left (`SweepState`), so a
 * replica taking over carries on where the previous holder stopped; the runner stores its state
 * after each run. The first cursor is then read once for all replicas (by the holder, when Redis
 * holds none yet).
 */
import type { Logger } from '../logger.ts';
import type { FreshdeskClient } from '../upstream/freshdesk-client.ts';
import { listTickets, type TicketModel } from '../upstream/tickets.ts';

export const SWEEP_PAGE_SIZE = 100;
/** Pages one run may read (each a tickets-list call, 20 a minute on Growth). */
export const MAX_PAGES_PER_RUN = 5;
const MAX_TICKET_PAGE = 300;
/** Before any ticket: where the cursor of an account with no tickets starts. */
const BEGINNING = '2000-01-01T00:00:00Z';
/** How long `start()` waits for the first cursor before the gateway goes on starting. */
export const BASELINE_WAIT_MS = 5_000;

/** Where a sweep stands: what a replica taking over the sweep carries on from. */
export interface SweepState {
  /** The `updated_since` of the next run (`YYYY-MM-DDTHH:MM:SSZ`, Freshdesk's clock). */
  cursor: string;
  /** Ids already reported whose `updated_at` equals the cursor. */
  atCursor: string[];
  /** The page the next run starts from. */
  page: number;
}

export type SweepRole = 'holder' | 'standby' | 'local';

/** Decides which replica sweeps (see the module comment). Its methods never reject. */
export interface SweepCoordinator {
  /** Before a run: whether this replica runs it, and the state the last run (anywhere) left. */
  turn(): Promise<{ run: boolean; state: SweepState | undefined }>;
  /** After a run here: keeps its state for whoever runs next. */
  save(state: SweepState): Promise<void>;
  /** holder (runs, lease held), standby (another replica runs), local (Redis down: runs alone). */
  role(): SweepRole;
  close(): Promise<void>;
}

export interface SweepOptions {
  client: FreshdeskClient;
  apiKey: string;
  intervalMs: number;
  logger: Logger;
  /** Each ticket changed since the cursor (oldest change first). */
  report(ticket: TicketModel): void;
  /** Replicas sharing Redis: who runs each interval. @default every run is this process's */
  coordinator?: SweepCoordinator;
  now?: () => number;
}

export interface SweepStatus {
  intervalMs: number;
  /** The `updated_since` of the next run. */
  cursor: string;
  lastRunAt: string | null;
  lastError: string | null;
  runs: number;
  /** Intervals another replica's turn (it held the sweep). */
  skipped: number;
  reported: number;
  /** With a coordinator (replicas sharing Redis). */
  role?: SweepRole;
}

export interface Sweep {
  /**
   * Sets the first cursor from Freshdesk's newest change, then runs every interval. Resolves once
   * the cursor is set (at most `BASELINE_WAIT_MS`). Never rejects.
   */
  start(): Promise<void>;
  /** One run now (tests, and the timer). Never rejects. */
  runOnce(): Promise<void>;
  status(): SweepStatus;
  stop(): Promise<void>;
}

const isoSeconds = (ms: number): string => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

export function createSweep(options: SweepOptions): Sweep {
  const { client, apiKey, intervalMs, logger, report, coordinator } = options;
  const now = options.now ?? Date.now;
  let cursor = isoSeconds(Math.floor(now() / 1000) * 1000);
  /** True while the cursor is the gateway's clock, not yet a change Freshdesk reported. */
  let provisional = true;
  /** Ids already reported whose `updated_at` equals the cursor. */
  let atCursor = new Set<string>();
  /** The page to start from next time: 1, unless the cursor's second filled every page of a run. */
  let page = 1;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  let starting: Promise<void> | undefined;
  let stopped = false;
  const abort = new AbortController();
  const stats = {
    lastRunAt: null as string | null,
    lastError: null as string | null,
    runs: 0,
    skipped: 0,
    reported: 0,
  };

  const snapshot = (): SweepState => ({ cursor, atCursor: [...atCursor], page });
  /** Takes a state another run left, when it is further on than this one (or this one is a guess). */
  const adopt = (state: SweepState | undefined): void => {
    if (state === undefined) {
      return;
    }
    if (provisional || state.cursor > cursor) {
      cursor = state.cursor;
      atCursor = new Set(state.atCursor);
      page = state.page;
      provisional = false;
    } else if (state.cursor === cursor) {
      for (const id of state.atCursor) {
        atCursor.add(id);
      }
      page = Math.max(page, state.page);
    }
  };

  const session = () =>
    client.session({
      apiKey,
      priority: 'webhook',
      deadline: Date.now() + Math.max(10_000, Math.min(intervalMs, 60_000)),
      signal: abort.signal,
    });

  /** The first cursor: Freshdesk's newest `updated_at`, its tickets counted as seen. */
  const baseline = async (): Promise<void> => {
    try {
      const { tickets } = await listTickets(session(), {
        updated_since: BEGINNING,
        order_by: 'updated_at',
        order_type: 'desc',
        page: 1,
        per_page: SWEEP_PAGE_SIZE,
      });
      const newest = tickets[0] ? isoSeconds(Date.parse(tickets[0].updatedAt)) : BEGINNING;
      if (stats.runs === 0) {
        provisional = false;
        cursor = newest;
        atCursor = new Set(
          tickets.filter((t) => isoSeconds(Date.parse(t.updatedAt)) === newest).map((t) => t.id),
        );
      }
    } catch (error) {
      logger.warn('reconciliation sweep: could not read the newest change; starting from now', {
        error: error instanceof Error ? error.message : String(error),
      });
    }
  };

  /** The first cursor with replicas: the shared one, else (the holder) Freshdesk's newest change. */
  const coordinatedBaseline = async (shared: SweepCoordinator): Promise<void> => {
    const turn = await shared.turn();
    if (turn.state) {
      adopt(turn.state);
    } else if (turn.run) {
      await baseline();
      if (shared.role() === 'holder') {
        await shared.save(snapshot());
      }
    }
  };

  const run = async (): Promise<void> => {
    const listing = session();
    const startCursor = cursor;
    let lastPageFull = false;
    let pages = 0;
    for (; pages < MAX_PAGES_PER_RUN && !stopped; pages++) {
      const { tickets } = await listTickets(listing, {
        updated_since: startCursor,
        order_by: 'updated_at',
        order_type: 'asc',
        page: page + pages,
        per_page: SWEEP_PAGE_SIZE,
      });
      for (const ticket of tickets) {
        const updatedAt = isoSeconds(Date.parse(ticket.updatedAt));
        if (updatedAt < cursor || (updatedAt === cursor && atCursor.has(ticket.id))) {
          continue;
        }
        if (updatedAt > cursor) {
          cursor = updatedAt;
          atCursor = new Set();
        }
        atCursor.add(ticket.id);
        stats.reported++;
        report(ticket);
      }
      lastPageFull = tickets.length >= SWEEP_PAGE_SIZE;
      if (!lastPageFull) {
        pages++;
        break;
      }
    }
    if (lastPageFull && cursor === startCursor) {
      // Every page of this run shares the cursor's second: read on from where it stopped.
      page += pages;
      if (page > MAX_TICKET_PAGE) {
        logger.error('reconciliation sweep: more than 30,000 tickets share one updated_at', {
          updatedAt: cursor,
        });
        cursor = isoSeconds(Date.parse(cursor) + 1000);
        atCursor = new Set();
        page = 1;
      }
    } else {
      page = 1;
    }
  };

  /** This replica's turn (with a coordinator), then the run; false when another replica has it. */
  const turnAndRun = async (): Promise<boolean> => {
    if (coordinator) {
      const turn = await coordinator.turn();
      adopt(turn.state);
      if (!turn.run) {
        return false;
      }
    }
    try {
      await run();
    } finally {
      if (coordinator?.role() === 'holder') {
        await coordinator.save(snapshot());
      }
    }
    return true;
  };

  const runOnce = (): Promise<void> => {
    const ran = (): void => {
      stats.runs++;
      stats.lastRunAt = new Date(now()).toISOString();
    };
    running ??= turnAndRun()
      .then(
        (didRun) => {
          if (didRun) {
            stats.lastError = null;
            ran();
          } else {
            stats.skipped++;
          }
        },
        (error: unknown) => {
          stats.lastError = error instanceof Error ? error.message : String(error);
          logger.warn('reconciliation sweep failed; retrying at the next interval', {
            error: stats.lastError,
          });
          ran();
        },
      )
      .finally(() => {
        running = undefined;
      });
    return running;
  };

  const schedule = (): void => {
    if (stopped) {
      return;
    }
    timer = setTimeout(() => {
      void runOnce().then(schedule);
    }, intervalMs);
    timer.unref();
  };

  return {
    start() {
      if (starting === undefined && !stopped) {
        starting = (coordinator ? coordinatedBaseline(coordinator) : baseline()).then(schedule);
      }
      return Promise.race([
        starting ?? Promise.resolve(),
        new Promise<void>((resolve) => setTimeout(resolve, BASELINE_WAIT_MS).unref()),
      ]);
    },
    runOnce,
    status: () => ({
      intervalMs,
      cursor,
      ...stats,
      ...(coordinator ? { role: coordinator.role() } : {}),
    }),
    async stop() {
      stopped = true;
      clearTimeout(timer);
      abort.abort();
      await starting;
      await running;
      await coordinator?.close();
    },
  };
}
