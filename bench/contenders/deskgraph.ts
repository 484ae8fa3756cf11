/**
 * Contenders (C) and (D): deskgraph itself, built from `src/` exactly as `npm start` builds it, quota
 * gate, cost estimate, `extensions.cost` and caches in, in every scenario, logging at `npm start`'s
 * level (the bench sends the lines to a file).
 *
 * - (D) shipped: `startGateway` itself, untouched (the read cache, the reference lists per
 *   credential, the quota scheduler, the reconciliation sweep).
 * - (C) cold: the same app with the same quota scheduler, but its `sharedCaches` map and its read
 *   cache are emptied before every request, so no request ever sees what another read (`createApp`
 *   takes both from its caller, which is how the bench turns caching off; `DESKGRAPH_CACHE_MAX_MB=0`
 *   would also skip the probe, which is part of what the cold contender must pay for).
 *
 * Where the emulator's limits are off (scenarios 1-5 and the saturation run) deskgraph is told a
 * custom plan far above any rate this machine reaches (`BENCH_DESKGRAPH_ENV` in bench/lib/types.ts), so its gate never
 * binds but every call still goes through it; scenarios with limits on tell it their plan instead.
 */

import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createApp } from '../../src/app.ts';
import { readCacheFor } from '../../src/cache/read-cache.ts';
import { loadConfig } from '../../src/config.ts';
import { changeFeed } from '../../src/freshness/change-feed.ts';
import type { CredentialCache } from '../../src/loaders/credential-cache.ts';
import { createLogger } from '../../src/logger.ts';
import { createQuotaScheduler } from '../../src/quota/scheduler.ts';
import { quotaSettings, startGateway } from '../../src/server.ts';
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
  /** Extra environment for `loadConfig`. */
  env?: Record<string, string>;
}

export async function startDeskgraph(options: DeskgraphOptions): Promise<DeskgraphContender> {
  const config = loadConfig({
    FRESHDESK_BASE_URL: options.upstreamOrigin,
    FRESHDESK_API_KEY: options.apiKey,
    PORT: '0',
    ...options.env,
  });
  if (!options.cold) {
    const gateway = await startGateway({ config, upstreamOrigin: options.upstreamOrigin });
    return { url: gateway.url, close: () => gateway.close() };
  }
  const logger = createLogger({ level: config.logLevel, secrets: [config.apiKey] });
  const quota = createQuotaScheduler(quotaSettings(config));
  const client = new FreshdeskClient({
    origin: options.upstreamOrigin,
    timeoutMs: config.upstreamTimeoutMs,
    connections: config.upstreamConnections,
    quota,
    logger,
  });
  // A map and a read cache of its own to empty before every request.
  const sharedCaches = new Map<string, CredentialCache>();
  const readCache = readCacheFor(config, client.origin, changeFeed);
  const app = createApp({ config, client, logger, sharedCaches, readCache, quota });
  const server: Server = createServer((req, res) => {
    sharedCaches.clear();
    readCache.clear();
    app.handler(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/graphql`,
    close: async () => {
      quota.close();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await client.close();
    },
  };
}
