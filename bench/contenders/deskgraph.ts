/**
 * Contenders (C) and (D): deskgraph itself, built from `src/` exactly as `startGateway` builds it.
 *
 * - (D) shipped: the cross-request caches (reference lists per credential) as they come.
 * - (C) cold: the same app, but its `sharedCaches` map is emptied before every request, so no
 *   request ever sees another's cached lists (deskgraph has no switch for this; `createApp` takes
 *   the map from its caller, which is how the bench turns caching off).
 *
 * `shaping: false` (scenarios 1-5) gives the Freshdesk client no quota gate: the emulator's limits
 * are off there and no real plan allows those rates, so shaping would only measure the plan. With
 * `shaping: true` (scenario 6) and caches on, this is `startGateway` itself, untouched.
 */

import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createApp } from '../../src/app.ts';
import { loadConfig } from '../../src/config.ts';
import type { CredentialCache } from '../../src/loaders/credential-cache.ts';
import { createLogger } from '../../src/logger.ts';
import { createQuotaScheduler } from '../../src/quota/scheduler.ts';
import { startGateway } from '../../src/server.ts';
import { FreshdeskClient } from '../../src/upstream/freshdesk-client.ts';

export interface DeskgraphContender {
  url: string;
  close(): Promise<void>;
}

export interface DeskgraphOptions {
  upstreamOrigin: string;
  apiKey: string;
  /** Empty the cross-request caches before every request (contender C). */
  cold: boolean;
  /** Quota shaping on (the shipped default) or off (unlimited upstream). */
  shaping: boolean;
  /** Extra environment for `loadConfig`. */
  env?: Record<string, string>;
}

export async function startDeskgraph(options: DeskgraphOptions): Promise<DeskgraphContender> {
  const config = loadConfig({
    FRESHDESK_BASE_URL: options.upstreamOrigin,
    FRESHDESK_API_KEY: options.apiKey,
    PORT: '0',
    LOG_LEVEL: 'silent',
    ...options.env,
  });
  if (options.shaping && !options.cold) {
    const gateway = await startGateway({ config, upstreamOrigin: options.upstreamOrigin });
    return { url: gateway.url, close: () => gateway.close() };
  }
  const logger = createLogger({ level: 'silent', secrets: [config.apiKey] });
  const quota = options.shaping
    ? createQuotaScheduler({
        plan: config.plan,
        windowMs: config.quotaWindowMs,
        bulkReservePercent: config.quotaBulkReservePercent,
        webhookSharePercent: config.quotaWebhookSharePercent,
      })
    : undefined;
  const client = new FreshdeskClient({
    origin: options.upstreamOrigin,
    timeoutMs: config.upstreamTimeoutMs,
    quota,
    logger,
  });
  // C gets a map of its own to empty; D keeps the app's own (bounded) per-credential caches.
  const sharedCaches = new Map<string, CredentialCache>();
  const app = createApp({
    config,
    client,
    logger,
    sharedCaches: options.cold ? sharedCaches : undefined,
    quota,
  });
  const server: Server = createServer(
    options.cold
      ? (req, res) => {
          sharedCaches.clear();
          app.handler(req, res);
        }
      : app.handler,
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/graphql`,
    close: async () => {
      quota?.close();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await client.close();
    },
  };
}
