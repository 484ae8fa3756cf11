/**
 * Prometheus metrics for one gateway (`GET /metrics`), on a registry of its own (not prom-client's
 * global one: tests run several gateways in one process). It knows nothing of GraphQL: the app
 * tells it what happened (an upstream attempt, an operation's type, duration and error codes, a
 * refusal, a webhook delivery, a subscription opened), and on each scrape it reads what is kept
 * elsewhere (the quota budget and queue, the read cache's counters, the sweep, Redis).
 *
 * Label sets are bounded: an upstream endpoint is its route template (`GET /tickets/:id`, never an
 * id, a query string or a URL), codes are upper-case words and at most `MAX_LABEL_VALUES` distinct
 * per family (past that, `OTHER`), and no label ever holds a key or a credential's hash.
 */
import {
  Counter,
  collectDefaultMetrics,
  Gauge,
  Histogram,
  type LabelValues,
  Registry,
} from 'prom-client';
import { meteredEndpoint } from '../upstream/credits.ts';
import type { ObservedCall } from '../upstream/freshdesk-client.ts';

/** Distinct values one label may take (endpoints, error codes, refusal reasons); then `OTHER`. */
export const MAX_LABEL_VALUES = 100;
export const OTHER = 'OTHER';

/** An upstream attempt, as the Freshdesk client reports it (path with or without its query). */
export type UpstreamAttempt = Pick<
  ObservedCall,
  'method' | 'path' | 'status' | 'credits' | 'durationMs' | 'queuedMs' | 'priority'
>;

/** One GraphQL request, once answered. */
export interface OperationRecord {
  /** `query`, `mutation`, `subscription`, or `unknown` (not parsed). */
  type: string;
  durationMs: number;
  /** `extensions.code` of each error in the answer. */
  errorCodes: readonly string[];
  /** Set when the operation was refused before it ran: the refusal's code. */
  refused?: string;
}

/** What is read on each scrape. Each is optional (an app without Redis has no Redis state). */
/** What the quota scheduler's status says (`QuotaScheduler.status()`). */
export interface QuotaView {
  budgets: readonly { name: string; limit: number | null; remaining: number | null }[];
  queued: Readonly<Record<string, number>>;
}

export interface MetricsSources {
  quota?: () => Promise<QuotaView>;
  cache?: () => {
    entries: number;
    bytes: number;
    kinds: Readonly<Record<string, { hits: number; misses: number; stale: number }>>;
  };
  sweep?: () => { runs: number; reported: number; skipped: number } | undefined;
  /** `redis.health()`: `status` up/down/connecting, and the shared quota's report under `quota`. */
  redis?: () => { status: string; quota?: unknown } | undefined;
}

export interface Metrics {
  /** This gateway's own families (the process metrics are added at scrape). */
  readonly registry: Registry;
  upstream(call: UpstreamAttempt): void;
  operation(record: OperationRecord): void;
  /** A request refused before it became an operation (browser guard): its code. */
  refused(reason: string): void;
  /** A webhook delivery answered with `status`. */
  webhookDelivery(status: number): void;
  /** A subscription opened; call the returned function when it ends (once). */
  subscriptionOpened(): () => void;
  /** The Prometheus text exposition. */
  scrape(): Promise<{ contentType: string; body: string }>;
}

const SECONDS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];
const WAIT_SECONDS = [0.001, 0.01, 0.05, 0.1, 0.5, 1, 2.5, 5, 10, 30, 60];
const OPERATION_TYPES = new Set(['query', 'mutation', 'subscription']);
const CODE = /^[A-Z][A-Z0-9_]{0,63}$/;
/** A path segment kept in an endpoint label: a resource name; anything else is an id. */
const NAME_SEGMENT = /^[a-z][a-z_]{0,39}$/;

/**
 * Process metrics (CPU, memory, heap, event-loop lag, GC) are the process's, not one gateway's: one
 * registry for them, made on first use and merged into every gateway's scrape (each collector
 * holds a GC observer and an event-loop monitor, not to be made again per gateway).
 */
let processRegistry: Registry | undefined;

function processMetrics(): Registry {
  if (processRegistry === undefined) {
    processRegistry = new Registry();
    collectDefaultMetrics({ register: processRegistry, prefix: 'deskgraph_' });
  }
  return processRegistry;
}

export function createMetrics(sources: MetricsSources = {}): Metrics {
  const registry = new Registry();
  const registers = [registry];
  const perProcess = processMetrics();

  const upstreamCalls = new Counter({
    name: 'deskgraph_upstream_calls_total',
    help: 'Freshdesk attempts by endpoint (route template) and HTTP status ("none": no answer).',
    labelNames: ['endpoint', 'status'],
    registers,
  });
  const upstreamSeconds = new Histogram({
    name: 'deskgraph_upstream_duration_seconds',
    help: 'Freshdesk attempt latency by endpoint (route template), quota wait excluded.',
    labelNames: ['endpoint'],
    buckets: SECONDS,
    registers,
  });
  const credits = new Counter({
    name: 'deskgraph_upstream_credits_total',
    help: 'Freshdesk credits spent, by endpoint class (its per-minute sub-limit, or "other": the account total only).',
    labelNames: ['endpoint_class'],
    registers,
  });
  const queueWait = new Histogram({
    name: 'deskgraph_quota_wait_seconds',
    help: 'How long upstream calls waited for quota budget, by priority class.',
    labelNames: ['priority'],
    buckets: WAIT_SECONDS,
    registers,
  });
  const operationSeconds = new Histogram({
    name: 'deskgraph_operation_duration_seconds',
    help: 'GraphQL request latency by operation type (query, mutation, subscription, unknown).',
    labelNames: ['operation_type'],
    buckets: SECONDS,
    registers,
  });
  const graphqlErrors = new Counter({
    name: 'deskgraph_graphql_errors_total',
    help: 'Errors in GraphQL answers, by extensions.code.',
    labelNames: ['code'],
    registers,
  });
  const refusals = new Counter({
    name: 'deskgraph_operations_refused_total',
    help: 'Requests refused before running, by reason (QUOTA_EXCEEDED, OPERATION_LIMIT_EXCEEDED, CSRF_HEADER_REQUIRED, ...).',
    labelNames: ['reason'],
    registers,
  });
  const webhooks = new Counter({
    name: 'deskgraph_webhook_deliveries_total',
    help: 'Webhook deliveries by outcome (accepted, unauthorized, rejected, overloaded).',
    labelNames: ['outcome'],
    registers,
  });
  const subscriptions = new Gauge({
    name: 'deskgraph_subscriptions_open',
    help: 'GraphQL subscriptions open now.',
    registers,
  });

  // The quota status is read once per scrape (in `scrape`), then each family takes its part.
  let quota: QuotaView | undefined;
  const budgetGauge = (name: string, help: string, pick: 'remaining' | 'limit'): void => {
    new Gauge({
      name,
      help,
      labelNames: ['budget'],
      registers,
      collect() {
        this.reset();
        for (const budget of quota?.budgets ?? []) {
          const value = budget[pick];
          if (value !== null) {
            this.set({ budget: budget.name }, value);
          }
        }
      },
    });
  };
  budgetGauge(
    'deskgraph_quota_remaining_credits',
    'Credits left in the current window, per budget (total and the per-endpoint sub-limits); absent while unknown.',
    'remaining',
  );
  budgetGauge(
    'deskgraph_quota_limit_credits',
    'Credits per window, per budget; absent while the plan is unknown.',
    'limit',
  );
  new Gauge({
    name: 'deskgraph_quota_queue_depth',
    help: 'Upstream calls waiting for quota budget now, by priority class.',
    labelNames: ['priority'],
    registers,
    collect() {
      for (const [priority, depth] of Object.entries(quota?.queued ?? {})) {
        this.set({ priority }, depth);
      }
    },
  });

  const cacheSeen = new Map<string, number>();
  new Counter({
    name: 'deskgraph_cache_reads_total',
    help: 'Read-cache lookups by kind and outcome (hit, miss, stale: a kept answer served because Freshdesk could not answer).',
    labelNames: ['kind', 'outcome'],
    registers,
    collect() {
      const stats = sources.cache?.();
      for (const [kind, counts] of Object.entries(stats?.kinds ?? {})) {
        for (const [outcome, value] of [
          ['hit', counts.hits],
          ['miss', counts.misses],
          ['stale', counts.stale],
        ] as const) {
          increase(this, cacheSeen, { kind, outcome }, value);
        }
      }
    },
  });
  new Gauge({
    name: 'deskgraph_cache_entries',
    help: 'Answers in the read cache.',
    registers,
    collect() {
      this.set(sources.cache?.().entries ?? 0);
    },
  });
  new Gauge({
    name: 'deskgraph_cache_bytes',
    help: 'Estimated heap bytes held by the read cache.',
    registers,
    collect() {
      this.set(sources.cache?.().bytes ?? 0);
    },
  });

  const sweepSeen = new Map<string, number>();
  new Counter({
    name: 'deskgraph_sweep_runs_total',
    help: 'Reconciliation sweep runs by this replica.',
    registers,
    collect() {
      increase(this, sweepSeen, {}, sources.sweep?.()?.runs ?? 0, 'runs');
    },
  });
  new Counter({
    name: 'deskgraph_sweep_findings_total',
    help: 'Changes the reconciliation sweep found and reported.',
    registers,
    collect() {
      increase(this, sweepSeen, {}, sources.sweep?.()?.reported ?? 0, 'reported');
    },
  });

  if (sources.redis) {
    const redis = sources.redis;
    new Gauge({
      name: 'deskgraph_redis_up',
      help: '1 while Redis answers, 0 while it is down or connecting (the replica serves from local state).',
      registers,
      collect() {
        this.set(redis()?.status === 'up' ? 1 : 0);
      },
    });
    new Gauge({
      name: 'deskgraph_quota_shared',
      help: '1 while the quota budget is shared through Redis, 0 while this replica spends its local share.',
      registers,
      collect() {
        const quota = redis()?.quota as { mode?: string } | undefined;
        this.set(quota?.mode === 'shared' ? 1 : 0);
      },
    });
  }

  const endpoints = new Bounded();
  const codes = new Bounded();
  const reasons = new Bounded();
  return {
    registry,
    upstream(call) {
      const endpoint = endpoints.value(endpointOf(call.method, call.path), `${call.method} other`);
      upstreamCalls.inc({ endpoint, status: call.status === undefined ? 'none' : statusOf(call) });
      upstreamSeconds.observe({ endpoint }, call.durationMs / 1000);
      if (call.credits > 0) {
        const bare = barePath(call.path);
        credits.inc(
          { endpoint_class: meteredEndpoint(call.method, bare) ?? 'other' },
          call.credits,
        );
      }
      if (call.queuedMs !== undefined) {
        queueWait.observe({ priority: priorityOf(call.priority) }, call.queuedMs / 1000);
      }
    },
    operation(record) {
      const type = OPERATION_TYPES.has(record.type) ? record.type : 'unknown';
      operationSeconds.observe({ operation_type: type }, record.durationMs / 1000);
      for (const code of record.errorCodes) {
        graphqlErrors.inc({ code: codes.value(codeOf(code), OTHER) });
      }
      if (record.refused !== undefined) {
        refusals.inc({ reason: reasons.value(codeOf(record.refused), OTHER) });
      }
    },
    refused(reason) {
      refusals.inc({ reason: reasons.value(codeOf(reason), OTHER) });
    },
    webhookDelivery(status) {
      webhooks.inc({ outcome: deliveryOutcome(status) });
    },
    subscriptionOpened() {
      subscriptions.inc();
      let open = true;
      return () => {
        if (open) {
          open = false;
          subscriptions.dec();
        }
      };
    },
    async scrape() {
      quota = await sources.quota?.();
      // Merged at each scrape: a merge holds the metrics registered by then.
      const exposed = Registry.merge([registry, perProcess]);
      return { contentType: exposed.contentType, body: await exposed.metrics() };
    },
  };
}

/** `GET /tickets/:id/conversations`: the method and the path below `/api/v2` with ids replaced. */
export function endpointOf(method: string, path: string): string {
  const segments = barePath(path)
    .replace(/^\/api\/v2(?=\/|$)/, '')
    .split('/')
    .map((segment) => (segment === '' || NAME_SEGMENT.test(segment) ? segment : ':id'));
  return `${method.toUpperCase()} ${segments.join('/') || '/'}`;
}

function barePath(path: string): string {
  const query = path.indexOf('?');
  return query < 0 ? path : path.slice(0, query);
}

function statusOf(call: UpstreamAttempt): string {
  const status = call.status ?? 0;
  return status >= 100 && status <= 599 ? String(status) : 'other';
}

function priorityOf(priority: string): string {
  return ['webhook', 'interactive', 'explorer', 'bulk'].includes(priority) ? priority : 'other';
}

function codeOf(code: string): string {
  return CODE.test(code) ? code : OTHER;
}

function deliveryOutcome(status: number): string {
  if (status >= 200 && status < 300) {
    return 'accepted';
  }
  if (status === 401) {
    return 'unauthorized';
  }
  return status === 503 ? 'overloaded' : 'rejected';
}

/**
 * Adds to `counter` what a cumulative count kept elsewhere gained since the last scrape (`seen`
 * remembers it per label set; a count that went back, its keeper reset, starts over). Adding 0
 * exposes the series from the first scrape, so rates start from a known point.
 */
function increase<T extends string>(
  counter: Counter<T>,
  seen: Map<string, number>,
  labels: LabelValues<T>,
  current: number,
  name = '',
): void {
  const key = `${name}|${JSON.stringify(labels)}`;
  const before = seen.get(key) ?? 0;
  seen.set(key, current);
  counter.inc(labels, current >= before ? current - before : current);
}

/** The distinct values one label has taken; past `MAX_LABEL_VALUES`, new ones become `fallback`. */
class Bounded {
  readonly #seen = new Set<string>();

  value(value: string, fallback: string): string {
    if (this.#seen.has(value)) {
      return value;
    }
    if (this.#seen.size >= MAX_LABEL_VALUES) {
      return fallback;
    }
    this.#seen.add(value);
    return value;
  }
}
