/**
 * Starts the gateway: the Freshdesk client, the app, and an HTTP server. Used by `npm start` and by
 * tests, which run the gateway exactly as users do, on a real socket.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type App, createApp } from './app.ts';
import type { Config } from './config.ts';
import { createFreshness } from './freshness/freshness.ts';
import { createLogger, type Logger } from './logger.ts';
import { CredentialRegistry } from './quota/credentials.ts';
import { createQuotaScheduler, type QuotaScheduler } from './quota/scheduler.ts';
import { accountTag, createRedisManager, type RedisManager } from './redis/redis.ts';
import { FreshdeskClient } from './upstream/freshdesk-client.ts';

export interface Gateway {
  /** `http://host:port`. */
  origin: string;
  /** `http://host:port/graphql`. */
  url: string;
  app: App;
  client: FreshdeskClient;
  /** The account's quota scheduler (budget, queue); what the `quota` query reports. */
  quota: QuotaScheduler;
  /** The Redis connections shared state goes through; undefined without `REDIS_URL`. */
  redis: RedisManager | undefined;
  /**
   * Stops gracefully: no new connections, every response from now on closes its connection,
   * requests under way get up to `graceMs` (default `DESKGRAPH_SHUTDOWN_GRACE_MS`) to finish; then
   * what is left is cut (which aborts those operations: no upstream call starts for them), and the
   * upstream pool and Redis are closed.
   */
  close(options?: { graceMs?: number }): Promise<void>;
}

/** The quota scheduler's settings from the configuration (the plan, the window, the shares). */
export function quotaSettings(config: Config) {
  return {
    plan: config.plan,
    windowMs: config.quotaWindowMs,
    bulkReservePercent: config.quotaBulkReservePercent,
    webhookSharePercent: config.quotaWebhookSharePercent,
    unverifiedSharePercent: config.quotaUnverifiedSharePercent,
  };
}

/** How long a start waits for Redis before going on with local state (it joins when Redis answers). */
export const REDIS_START_WAIT_MS = 2_000;

export interface StartGatewayOptions {
  config: Config;
  /** The upstream origin (for the embedded emulator, its address). */
  upstreamOrigin: string;
  logger?: Logger;
}

export async function startGateway(options: StartGatewayOptions): Promise<Gateway> {
  const { config } = options;
  const logger =
    options.logger ??
    createLogger({ level: config.logLevel, secrets: [config.apiKey, config.webhookSecret] });
  const redis = config.redisUrl
    ? createRedisManager({
        url: config.redisUrl,
        prefix: config.redisPrefix,
        commandTimeoutMs: config.redisTimeoutMs,
        logger,
      })
    : undefined;
  const quota = createQuotaScheduler({
    ...quotaSettings(config),
    credentials: config.auth === 'passthrough' ? new CredentialRegistry() : undefined,
    shared: redis && {
      redis,
      account: accountTag(options.upstreamOrigin),
      replicas: config.replicas,
      logger,
    },
    onError: (error) => logger.error('quota store failed', { error }),
  });
  const client = new FreshdeskClient({
    origin: options.upstreamOrigin,
    timeoutMs: config.upstreamTimeoutMs,
    connections: config.upstreamConnections,
    quota,
    logger,
  });
  const freshness = createFreshness({ config, client, logger, redis });
  const app = createApp({ config, client, logger, quota, freshness, redis });
  if (redis && !(await redis.ready(REDIS_START_WAIT_MS))) {
    logger.warn('redis not reachable at start: using local state until it answers', {
      error: redis.health().lastError,
    });
  }
  const server = createServer(app.handler);
  await listen(server, config.port, config.host);
  await freshness.start();
  const { port } = server.address() as AddressInfo;
  const host = config.host.includes(':') ? `[${config.host}]` : config.host;
  const origin = `http://${host === '127.0.0.1' || host === '0.0.0.0' ? 'localhost' : host}:${port}`;
  return {
    origin,
    url: `${origin}/graphql`,
    app,
    client,
    quota,
    redis,
    close: async ({ graceMs = config.shutdownGraceMs } = {}) => {
      app.drain();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      const pending = app.inFlight();
      if (pending > 0) {
        logger.info('stopping: waiting for requests under way', { requests: pending, graceMs });
        const finished = await drained(app, graceMs);
        if (!finished) {
          logger.warn('stopping: cutting requests still under way after the grace period', {
            requests: app.inFlight(),
            graceMs,
          });
        }
      }
      // Cuts what is left, subscription streams included (clients resume them with `after`).
      server.closeAllConnections();
      await closed;
      await freshness.close();
      quota.close();
      await client.close();
      await redis?.close();
    },
  };
}

/** Resolves true once no request is under way, or false after `graceMs`. */
async function drained(app: App, graceMs: number): Promise<boolean> {
  const end = Date.now() + graceMs;
  while (app.inFlight() > 0) {
    if (Date.now() >= end) {
      return false;
    }
    await new Promise((resolve) => setTimeout(resolve, Math.min(DRAIN_POLL_MS, end - Date.now())));
  }
  return true;
}

/** How often a graceful stop looks whether the requests under way have finished. */
const DRAIN_POLL_MS = 20;

function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
}
