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
 *   next run lists them again (a ticket changed later in that same second is still reported).
 *   Once that second is `SETTLED_AFTER_MS` in the past and fully read, the cursor moves one second
 *   on, so a bulk import's block is not listed again and again.
 * - The 300-page wall: a run reads at most `MAX_PAGES_PER_RUN` pages and carries on from its cursor
 *   next time; if a whole run's pages share the cursor's second (a bulk import), the next run
 *   continues at the following page of that second, and at page 300 it gives up on that second
 *   (logged) rather than loop.
 * - Spam and deleted tickets are never listed: the sweep cannot see deletions (webhooks and the
 *   gateway's own writes can).
 *
 * The first cursor is the start time (whole seconds): the sweep reports changes from then on, not
 * history. Its calls spend the webhook share of the quota (`priority: 'webhook'`).
 */
import type { Logger } from '../logger.ts';
import type { FreshdeskClient } from '../upstream/freshdesk-client.ts';
import { listTickets, type TicketModel } from '../upstream/tickets.ts';

export const SWEEP_PAGE_SIZE = 100;
/** Pages one run may read (each a tickets-list call, 20 a minute on Growth). */
export const MAX_PAGES_PER_RUN = 5;
const MAX_TICKET_PAGE = 300;
/**
 * A second this far in the past is settled: no ticket can still be stamped with it (allowing for
 * clock skew between the gateway and Freshdesk, and for a list that lags a write).
 */
export const SETTLED_AFTER_MS = 120_000;

export interface SweepOptions {
  client: FreshdeskClient;
  apiKey: string;
  intervalMs: number;
  logger: Logger;
  /** Each ticket changed since the cursor (oldest change first). */
  report(ticket: TicketModel): void;
  now?: () => number;
}

export interface SweepStatus {
  intervalMs: number;
  /** The `updated_since` of the next run. */
  cursor: string;
  lastRunAt: string | null;
  lastError: string | null;
  runs: number;
  reported: number;
}

export interface Sweep {
  start(): void;
  /** One run now (tests, and the timer). Never rejects. */
  runOnce(): Promise<void>;
  status(): SweepStatus;
  stop(): Promise<void>;
}

const isoSeconds = (ms: number): string => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

export function createSweep(options: SweepOptions): Sweep {
  const { client, apiKey, intervalMs, logger, report } = options;
  const now = options.now ?? Date.now;
  let cursor = isoSeconds(Math.floor(now() / 1000) * 1000);
  /** Ids already reported whose `updated_at` equals the cursor. */
  let atCursor = new Set<string>();
  /** The page to start from next time: 1, unless the cursor's second filled every page of a run. */
  let page = 1;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  let stopped = false;
  const abort = new AbortController();
  const stats = {
    lastRunAt: null as string | null,
    lastError: null as string | null,
    runs: 0,
    reported: 0,
  };

  const run = async (): Promise<void> => {
    const session = client.session({
      apiKey,
      priority: 'webhook',
      deadline: Date.now() + Math.max(10_000, Math.min(intervalMs, 60_000)),
      signal: abort.signal,
    });
    const startCursor = cursor;
    const startedAt = now();
    let lastPageFull = false;
    let pages = 0;
    for (; pages < MAX_PAGES_PER_RUN && !stopped; pages++) {
      const { tickets } = await listTickets(session, {
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
    if (!lastPageFull && atCursor.size > 0 && Date.parse(cursor) + SETTLED_AFTER_MS < startedAt) {
      // Every ticket of the cursor's second has been read, and that second is long past: no
      // ticket can still get that updated_at, so the next run need not list them again.
      cursor = isoSeconds(Date.parse(cursor) + 1000);
      atCursor = new Set();
      page = 1;
    } else if (lastPageFull && cursor === startCursor) {
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

  const runOnce = (): Promise<void> => {
    running ??= run()
      .then(
        () => {
          stats.lastError = null;
        },
        (error: unknown) => {
          stats.lastError = error instanceof Error ? error.message : String(error);
          logger.warn('reconciliation sweep failed; retrying at the next interval', {
            error: stats.lastError,
          });
        },
      )
      .finally(() => {
        stats.runs++;
        stats.lastRunAt = new Date(now()).toISOString();
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
      if (timer === undefined && !stopped) {
        schedule();
      }
    },
    runOnce,
    status: () => ({ intervalMs, cursor, ...stats }),
    async stop() {
      stopped = true;
      clearTimeout(timer);
      abort.abort();
      await running;
    },
  };
}
