/**
 * What operators see of one gateway: the metrics (`src/metrics/`) fed from the Freshdesk client's
 * attempts, the operations' reports and the webhook receiver's answers, and read on each scrape
 * from the quota scheduler, the read cache, the sweep and Redis; and the request log, one JSON line
 * per GraphQL request at info (`request`), through the gateway's logger (which redacts keys).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Plugin } from 'graphql-yoga';
import type { ReadCache } from '../cache/read-cache.ts';
import type { Config } from '../config.ts';
import type { Context } from '../context.ts';
import type { Freshness } from '../freshness/freshness.ts';
import type { Logger } from '../logger.ts';
import { createMetrics, type Metrics } from '../metrics/metrics.ts';
import type { QuotaScheduler } from '../quota/scheduler.ts';
import type { RedisManager } from '../redis/redis.ts';
import { currentRequestId } from '../request-scope.ts';
import type { FreshdeskClient } from '../upstream/freshdesk-client.ts';
import { type OperationReport, useOperationReport } from './operation-report.ts';

export const METRICS_PATH = '/metrics';

export interface ObservabilityDeps {
  config: Config;
  client: FreshdeskClient;
  logger: Logger;
  quota: QuotaScheduler;
  readCache: ReadCache;
  freshness: Freshness;
  redis?: RedisManager;
}

export interface Observability {
  /** Undefined with `DESKGRAPH_METRICS=false`. */
  readonly metrics: Metrics | undefined;
  /** The Yoga plugin reporting each GraphQL request (log line and metrics). */
  readonly plugin: Plugin<Record<string, unknown>>;
  /** `GET /metrics`: the Prometheus text (404 while metrics are off, 405 for other methods). */
  serveMetrics(req: IncomingMessage, res: ServerResponse): void;
  /** A webhook request: its answer is counted once sent. */
  watchWebhook(req: IncomingMessage, res: ServerResponse): void;
  /** A request the browser guard refused (`code`), before it reached GraphQL. */
  refused(code: string, status: number, path: string): void;
}

export function createObservability(deps: ObservabilityDeps): Observability {
  const { config, logger, quota, readCache, freshness, redis } = deps;
  const metrics = config.metrics
    ? createMetrics({
        quota: () => quota.status(),
        cache: () => readCache.stats(),
        sweep: () => freshness.sweep?.status(),
        redis:
          redis &&
          (() => redis.health() as ReturnType<RedisManager['health']> & { quota?: unknown }),
      })
    : undefined;
  if (metrics) {
    deps.client.observe((call) => metrics.upstream(call));
  }
  const report = (line: OperationReport): void => {
    logger.info('request', { ...line });
    metrics?.operation({
      type: line.operationType,
      durationMs: line.durationMs,
      errorCodes: line.errorCodes,
      refused: line.refused,
    });
  };
  return {
    metrics,
    plugin: useOperationReport<Context>({
      report,
      costOf: (context) => context.cost,
      subscriptionOpened: metrics && (() => metrics.subscriptionOpened()),
    }),
    serveMetrics(req, res) {
      if (metrics === undefined) {
        send(res, 404, 'application/json; charset=utf-8', '{"error":"metrics are off"}');
        return;
      }
      if (req.method !== 'GET' && req.method !== 'HEAD') {
        res.setHeader('allow', 'GET, HEAD');
        send(res, 405, 'application/json; charset=utf-8', '{"error":"use GET"}');
        return;
      }
      metrics.scrape().then(
        ({ contentType, body }) => send(res, 200, contentType, req.method === 'HEAD' ? '' : body),
        (error: unknown) => {
          logger.error('metrics scrape failed', { error });
          send(res, 500, 'application/json; charset=utf-8', '{"error":"scrape failed"}');
        },
      );
    },
    watchWebhook(req, res) {
      if (metrics !== undefined && req.method === 'POST') {
        res.once('finish', () => metrics.webhookDelivery(res.statusCode));
      }
    },
    refused(code, status, path) {
      metrics?.refused(code);
      logger.info('request refused', {
        requestId: currentRequestId(),
        path,
        status,
        errorCodes: [code],
      });
    },
  };
}

function send(res: ServerResponse, status: number, type: string, body: string): void {
  res.writeHead(status, { 'content-type': type });
  res.end(body);
}
