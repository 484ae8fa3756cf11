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
  close(): Promise<void>;
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
    plan: config.plan,
    windowMs: config.quotaWindowMs,
    bulkReservePercent: config.quotaBulkReservePercent,
    webhookSharePercent: config.quotaWebhookSharePercent,
    unverifiedSharePercent: config.quotaUnverifiedSharePercent,
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
    close: async () => {
      await freshness.close();
      quota.close();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await client.close();
      await redis?.close();
    },
  };
}

function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
}
