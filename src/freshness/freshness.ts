/**
 * Freshness for one gateway: the webhook receiver's work queue, the reconciliation sweep, the
 * gateway's own writes, and the event pipeline behind `ticketEvents`.
 *
 * Every change sighting, whatever its source, goes the same way (`report`): first to the module's
 * change feed (`change-feed.ts`, synchronously: the cache invalidates there), then through the
 * pipeline (deduplicated by (ticket id, `updated_at`), logged for replay, published to subscribers).
 *
 * How a webhook and the sweep's sighting of the same change are recognised as one: a webhook body
 * names the ticket but not its `updated_at`, so before reporting, the gateway reads the ticket once
 * (`GET /api/v2/tickets/:id` with the service key, at the webhook share of the quota) and reports
 * the version it found. Deliveries for a ticket whose look-up has not started yet share that one
 * look-up. When there is no service key (passthrough mode without `FRESHDESK_API_KEY`) the delivery is
 * reported unversioned, deduplicated by a hash of its body for two hours (Freshdesk's redeliveries);
 * when the look-up fails and the sweep is on, the sweep reports the change; with the sweep off, it is
 * reported unversioned too. A ticket the look-up finds gone (404) is reported `deleted`, once.
 *
 * With a Redis manager (`REDIS_URL`), replicas share all of it: deduplication, the replay log and
 * live events (`shared-stores.ts`), the sweep, run by one replica at a time (`lease.ts`), and the
 * change feed, every sighting reaching every replica's feed (`feed-fanout.ts`); each falls back to
 * its own when Redis does not answer.
 */
import type { Config } from '../config.ts';
import type { Logger } from '../logger.ts';
import type { RedisManager } from '../redis/redis.ts';
import type { FreshdeskClient, FreshdeskSession } from '../upstream/freshdesk-client.ts';
import { checked } from '../upstream/shape.ts';
import {
  checkTicket,
  type RawTicket,
  type TicketModel,
  toTicketModel,
} from '../upstream/tickets.ts';
import { isHttpStatus } from '../upstream/upstream-error.ts';
import { type ChangeFeed, type ChangeKind, changeFeed, type TicketChange } from './change-feed.ts';
import type { Delivery } from './event-bus.ts';
import type { TicketEventRecord } from './event-log.ts';
import { fanOutFeed } from './feed-fanout.ts';
import { createSweepLease } from './lease.ts';
import {
  createEventPipeline,
  type EventStores,
  memoryStores,
  type SubscribeOptions,
} from './pipeline.ts';
import {
  createWebhookReceiver,
  type DeliveryRecord,
  type WebhookReceiver,
  type WebhookSink,
} from './receiver.ts';
import { createSharedStores, type SharedStores } from './shared-stores.ts';
import { createSweep, type Sweep } from './sweep.ts';
import { kindFromTriggeredEvent, type WebhookPayload } from './webhook-payload.ts';

/** Tickets whose look-up may wait at once; past that, deliveries get 503 (Freshdesk retries). */
export const MAX_PENDING_LOOKUPS = 10_000;
/** Look-ups in flight at once. */
export const LOOKUP_CONCURRENCY = 4;
/** A look-up's deadline, queueing for quota included. */
export const LOOKUP_DEADLINE_MS = 60_000;

export interface FreshnessOptions {
  config: Config;
  client: FreshdeskClient;
  logger: Logger;
  /** Dedup, replay log and pub/sub; in-process ones by default (sized by the config). */
  stores?: EventStores;
  /** Replicas sharing Redis: shared stores (unless `stores` is given) and one sweep at a time. */
  redis?: RedisManager;
  /** @default the module's `changeFeed` */
  feed?: ChangeFeed;
  now?: () => number;
}

/** A write the gateway made (`createTicket`, `updateTicket`, `replyToTicket`, `addNote`). */
export interface GatewayWrite {
  ticketId: string;
  /** The ticket's `updated_at` after the write, when the answer says it. */
  updatedAt: string | undefined;
  kind: ChangeKind;
  ticket?: TicketModel;
}

export interface Freshness {
  /** The Freshdesk origin this gateway serves (the `account` of its changes). */
  readonly account: string;
  /** `POST|GET /webhooks/freshdesk`; undefined when webhooks are off (no secret). */
  readonly receiver: WebhookReceiver | undefined;
  /** Reports the gateway's own write at once. Never throws; the event follows asynchronously. */
  recordWrite(write: GatewayWrite): void;
  /** `ticketEvents`: replay after `after`, then live events; rejects with `ReplayError`. */
  subscribe(options: SubscribeOptions): Promise<AsyncIterableIterator<Delivery>>;
  /** The same caller, key and signal with a fresh deadline: for each event of a long subscription. */
  renew(session: FreshdeskSession): FreshdeskSession;
  /** Starts the sweep (resolved once its first cursor is set), or logs why it is off. */
  start(): Promise<void>;
  readonly sweep: Sweep | undefined;
  /** Resolves once no look-up or report is under way (tests). */
  idle(): Promise<void>;
  close(): Promise<void>;
}

interface LookupJob {
  payload: WebhookPayload;
  sightingKey: string;
  records: DeliveryRecord[];
}

type RawTicketState = RawTicket & { deleted?: boolean; spam?: boolean };

export function createFreshness(options: FreshnessOptions): Freshness {
  const { config, client, logger } = options;
  const now = options.now ?? Date.now;
  const account = client.origin;
  const { redis } = options;
  // With replicas, what this one publishes reaches every replica's feed (and theirs this one's).
  const fanOut = redis
    ? fanOutFeed({ redis, account, feed: options.feed ?? changeFeed, logger })
    : undefined;
  const feed = fanOut ?? options.feed ?? changeFeed;
  const bounds = { maxEvents: config.eventLogMaxEvents, maxAgeMs: config.eventLogMaxAgeMs };
  const shared: SharedStores | undefined =
    redis && !options.stores
      ? createSharedStores({ redis, account, logger, ...bounds })
      : undefined;
  const pipeline = createEventPipeline(options.stores ?? shared ?? memoryStores(bounds));
  const serviceKey = config.apiKey;
  const closing = new AbortController();
  const inFlight = new Set<Promise<unknown>>();
  let waiters: (() => void)[] = [];

  const track = <T>(promise: Promise<T>): Promise<T> => {
    inFlight.add(promise);
    void promise.finally(() => {
      inFlight.delete(promise);
      if (inFlight.size === 0 && pending.size === 0) {
        const ready = waiters;
        waiters = [];
        for (const resolve of ready) {
          resolve();
        }
      }
    });
    return promise;
  };

  const report = (change: Omit<TicketChange, 'account' | 'receivedAt'>) => {
    const full: TicketChange = { ...change, account, receivedAt: now() };
    feed.publish(full);
    return track(
      pipeline.ingest(full).catch((error: unknown): TicketEventRecord | null => {
        logger.error('ticket event pipeline failed', { error, ticketId: change.ticketId });
        return null;
      }),
    );
  };

  let sweepOff: string | undefined;
  if (config.reconcileIntervalMs === 0) {
    sweepOff = 'DESKGRAPH_RECONCILE_INTERVAL_MS is 0';
  } else if (!serviceKey) {
    sweepOff = 'passthrough mode without a service key (FRESHDESK_API_KEY)';
  }
  const sweep: Sweep | undefined =
    sweepOff === undefined && serviceKey
      ? createSweep({
          client,
          apiKey: serviceKey,
          intervalMs: config.reconcileIntervalMs,
          logger,
          now,
          ...(redis
            ? {
                coordinator: createSweepLease({
                  redis,
                  account,
                  intervalMs: config.reconcileIntervalMs,
                  logger,
                }),
              }
            : {}),
          report: (ticket) => {
            void report({
              ticketId: ticket.id,
              updatedAt: ticket.updatedAt,
              source: 'sweep',
              kind: ticket.createdAt === ticket.updatedAt ? 'created' : 'updated',
              ticket,
            });
          },
        })
      : undefined;

  // Webhook look-ups, one per ticket still waiting (later deliveries join it).
  const pending = new Map<string, LookupJob>();
  let active = 0;

  const settle = (records: readonly DeliveryRecord[], event: TicketEventRecord | null): void => {
    for (const record of records) {
      record.outcome = event ? 'event' : 'duplicate';
      if (event) {
        record.eventId = event.id;
      }
    }
  };

  const lookUp = async (job: LookupJob): Promise<void> => {
    const { ticketId, triggeredEvent } = job.payload;
    const told = kindFromTriggeredEvent(triggeredEvent);
    let change: Omit<TicketChange, 'account' | 'receivedAt'>;
    try {
      const response = await client
        .session({
          apiKey: serviceKey ?? '',
          priority: 'webhook',
          deadline: Date.now() + LOOKUP_DEADLINE_MS,
          signal: closing.signal,
        })
        .get<unknown>(`/api/v2/tickets/${ticketId}`);
      const raw = checked<RawTicketState>(response, checkTicket);
      const ticket = toTicketModel(raw);
      const kind: ChangeKind = raw.deleted
        ? 'deleted'
        : raw.spam
          ? 'spam'
          : (told ?? (ticket.createdAt === ticket.updatedAt ? 'created' : 'updated'));
      change = { ticketId, updatedAt: ticket.updatedAt, source: 'webhook', kind, ticket };
    } catch (error) {
      if (isHttpStatus(error, 404)) {
        change = { ticketId, updatedAt: undefined, source: 'webhook', kind: 'deleted' };
      } else {
        const reason = error instanceof Error ? error.message : String(error);
        if (closing.signal.aborted) {
          return;
        }
        if (sweep) {
          logger.warn('webhook look-up failed; the sweep will report the change', {
            ticketId,
            error: reason,
          });
          for (const record of job.records) {
            record.outcome = 'failed';
            record.error = reason;
          }
          return;
        }
        logger.warn('webhook look-up failed; reporting the change without its version', {
          ticketId,
          error: reason,
        });
        change = {
          ticketId,
          updatedAt: undefined,
          source: 'webhook',
          kind: told ?? 'updated',
          sightingKey: job.sightingKey,
        };
      }
    }
    if (triggeredEvent !== undefined) {
      change.triggeredEvent = triggeredEvent;
    }
    settle(job.records, await report(change));
  };

  const pump = (): void => {
    while (active < LOOKUP_CONCURRENCY && pending.size > 0 && !closing.signal.aborted) {
      const [ticketId, job] = pending.entries().next().value as [string, LookupJob];
      pending.delete(ticketId);
      active++;
      void track(lookUp(job)).finally(() => {
        active--;
        pump();
      });
    }
  };

  const sink: WebhookSink = {
    accept(payload, sightingKey, record) {
      if (!serviceKey) {
        // Nothing to look the ticket up with: report the delivery itself.
        const change: Omit<TicketChange, 'account' | 'receivedAt'> = {
          ticketId: payload.ticketId,
          updatedAt: undefined,
          source: 'webhook',
          kind: kindFromTriggeredEvent(payload.triggeredEvent) ?? 'updated',
          sightingKey,
        };
        if (payload.triggeredEvent !== undefined) {
          change.triggeredEvent = payload.triggeredEvent;
        }
        void report(change).then((event) => settle([record], event));
        return true;
      }
      const waiting = pending.get(payload.ticketId);
      if (waiting) {
        waiting.records.push(record);
        return true;
      }
      if (pending.size >= MAX_PENDING_LOOKUPS) {
        return false;
      }
      pending.set(payload.ticketId, { payload, sightingKey, records: [record] });
      pump();
      return true;
    },
    status: () => ({
      lookups: { waiting: pending.size, active },
      sweep: sweep ? sweep.status() : { off: sweepOff },
      ...(shared ? { events: shared.status() } : {}),
    }),
  };

  const receiver = config.webhookSecret
    ? createWebhookReceiver({ secret: config.webhookSecret, sink, logger, now })
    : undefined;

  return {
    account,
    receiver,
    sweep,
    recordWrite(write) {
      const change: Omit<TicketChange, 'account' | 'receivedAt'> = {
        ticketId: write.ticketId,
        updatedAt: write.updatedAt,
        source: 'gateway',
        kind: write.kind,
      };
      if (write.ticket) {
        change.ticket = write.ticket;
      }
      void report(change);
    },
    subscribe: (subscribeOptions) => pipeline.subscribe(subscribeOptions),
    renew: (session) =>
      client.session({ ...session.options, deadline: Date.now() + config.operationDeadlineMs }),
    async start() {
      if (!receiver) {
        logger.info(
          'webhooks off: set DESKGRAPH_WEBHOOK_SECRET to accept POST /webhooks/freshdesk',
        );
      }
      if (sweep) {
        logger.info('reconciliation sweep on', { intervalMs: config.reconcileIntervalMs });
        await sweep.start();
      } else {
        logger.info(`reconciliation sweep off: ${sweepOff}`);
      }
    },
    idle() {
      if (inFlight.size === 0 && pending.size === 0) {
        return Promise.resolve();
      }
      return new Promise((resolve) => waiters.push(resolve));
    },
    async close() {
      closing.abort();
      pending.clear();
      await sweep?.stop();
      await Promise.allSettled([...inFlight]);
      shared?.close();
      fanOut?.close();
    },
  };
}
