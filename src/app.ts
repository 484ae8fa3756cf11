/**
 * Builds the gateway (no listening): the Yoga GraphQL handler plus the plain HTTP routes
 * (`/health`, `/ready`, `/metrics`), as one node:http request listener. Every request but `/health` passes the
 * browser guard (Host and Origin, src/http/browser-guard.ts) before anything else; GraphQL requests
 * then pass the CSRF check, the body limit and the operation limits (src/limits/) before the cost
 * estimate and any upstream call.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import { GraphQLError } from 'graphql';
import { createYoga, type Plugin, type YogaServerInstance } from 'graphql-yoga';
import { LRUCache } from 'lru-cache';
import { useRequestBodyLimit } from './body-limit.ts';
import { type ReadCache, readCacheFor } from './cache/read-cache.ts';
import { type Config, isLoopbackHost } from './config.ts';
import {
  type Context,
  newCostTracker,
  operationCache,
  recordCall,
  type StaleNote,
} from './context.ts';
import { createMaskError } from './errors.ts';
import { changeFeed } from './freshness/change-feed.ts';
import { createFreshness, type Freshness } from './freshness/freshness.ts';
import { WEBHOOK_PATH } from './freshness/receiver.ts';
import { corsFor, refuseRequest, useCsrfPrevention } from './http/browser-guard.ts';
import { graphiqlOptions, renderGraphiQL } from './http/graphiql.ts';
import { createObservability, METRICS_PATH, type Observability } from './http/observability.ts';
import { useRequestParseErrors } from './http/request-errors.ts';
import { useOperationLimits } from './limits/operation-limits.ts';
import { useResultBound, withResultBound } from './limits/result-bound.ts';
import { CredentialCache } from './loaders/credential-cache.ts';
import type { Logger } from './logger.ts';
import { persistedOperations } from './persisted-operations.ts';
import { CredentialRegistry } from './quota/credentials.ts';
import type { Priority } from './quota/quota-gate.ts';
import { createQuotaScheduler, type QuotaScheduler } from './quota/scheduler.ts';
import { useQuotaGate } from './quota/use-quota-gate.ts';
import type { RedisManager } from './redis/redis.ts';
import { currentRequestId, requestScope } from './request-scope.ts';
import { useCompiledExecution } from './schema/compiled.ts';
import { estimateCost, useCachedAnswers } from './schema/cost.ts';
import { schema } from './schema/index.ts';
import type { FreshdeskClient } from './upstream/freshdesk-client.ts';

export interface AppDeps {
  config: Config;
  client: FreshdeskClient;
  logger: Logger;
  /** Cross-request caches per credential (reference data); created by the caller so tests can share or reset it. */
  sharedCaches?: Map<string, CredentialCache>;
  /**
   * The account's quota scheduler, the same the client asks before each call. Without one, cost
   * is still estimated and capped, against an idle budget.
   */
  quota?: QuotaScheduler;
  /** Webhooks, sweep and `ticketEvents`; one without a running sweep is made when not given. */
  freshness?: Freshness;
  /** Replicas sharing Redis: its health is part of `/ready` (which stays 200 while Redis is down). */
  redis?: RedisManager;
  /** The read cache across operations; one sized by the config (watching the change feed) when not given. */
  readCache?: ReadCache;
}

export interface App {
  yoga: YogaServerInstance<Record<string, unknown>, Context>;
  handler: RequestListener;
  freshness: Freshness;
  /** Freshdesk's answers kept across operations (`src/cache/`): statistics for metrics. */
  readCache: ReadCache;
  /** Metrics (`/metrics`) and the request log (`src/http/observability.ts`). */
  observability: Observability;
  /** Requests being served now, subscription streams aside (a graceful stop waits for them). */
  inFlight(): number;
  /** From now on every response asks the client to close its connection (a stop is under way). */
  drain(): void;
}

/** The schema with every list field counting into its operation's result budget. */
const boundedSchema = withResultBound(schema);

/** Classes a caller may ask for in `X-Deskgraph-Priority`; `webhook` is the gateway's own. */
const PRIORITIES: readonly Priority[] = ['interactive', 'explorer', 'bulk'];

/** Distinct credentials whose caches are kept at once. @default 1000 */
const MAX_CREDENTIALS = 1_000;
/** A credential's caches are dropped after this long unused. @default 3600000 */
const CREDENTIAL_IDLE_MS = 3_600_000;
const REQUEST_ID = /^[\w.:-]{1,128}$/;

export function createApp(deps: AppDeps): App {
  const { config, client, logger } = deps;
  // Bounded: in passthrough mode every caller brings a key, and idle credentials must not pile up.
  const shared =
    deps.sharedCaches ??
    new LRUCache<string, CredentialCache>({ max: MAX_CREDENTIALS, ttl: CREDENTIAL_IDLE_MS });
  const sharedFor = (apiKey: string): CredentialCache => {
    let cache = shared.get(apiKey);
    if (!cache) {
      cache = new CredentialCache();
      shared.set(apiKey, cache);
    }
    return cache;
  };

  const quota =
    deps.quota ??
    createQuotaScheduler({
      plan: config.plan,
      windowMs: config.quotaWindowMs,
      bulkReservePercent: config.quotaBulkReservePercent,
      webhookSharePercent: config.quotaWebhookSharePercent,
      unverifiedSharePercent: config.quotaUnverifiedSharePercent,
      credentials: config.auth === 'passthrough' ? new CredentialRegistry() : undefined,
    });

  const freshness = deps.freshness ?? createFreshness({ config, client, logger });
  const readCache = deps.readCache ?? readCacheFor(config, client.origin, changeFeed);
  const observability = createObservability({ ...deps, quota, freshness, readCache });

  const guard = {
    corsOrigins: config.corsOrigins,
    allowedHosts: config.allowedHosts,
    loopback: isLoopbackHost(config.host),
  };
  const { limits } = config;
  const yoga = createYoga<Record<string, unknown>, Context>({
    schema: boundedSchema,
    graphqlEndpoint: '/graphql',
    landingPage: false,
    graphiql: config.graphiql ? graphiqlOptions() : false,
    renderGraphiQL,
    maskedErrors: { maskError: createMaskError(logger) },
    logging: false,
    cors: corsFor(guard),
    // No file uploads in the schema: a multipart body is only a way around CORS preflights.
    multipart: false,
    batching: limits.batch > 1 ? { limit: limits.batch } : false,
    // Enforced by useRequestBodyLimit below (same limit and errors, without a stream per request).
    maxRequestBodySize: false,
    // Cheapest refusals first: CSRF and body size before the body is read, operation limits before
    // validation, the quota gate before any resolver.
    plugins: [
      // First: it times the whole request and hears every refusal after it.
      observability.plugin,
      useCsrfPrevention(),
      useRequestParseErrors(),
      useRequestBodyLimit(config.maxBodyBytes),
      ...persistedOperations(config.persistedOperations, boundedSchema, logger),
      useOperationLimits({ limits, introspection: config.introspection }),
      useResultBound<Context>({
        maxItems: limits.resultItems,
        deadline: (ctx) => ctx.freshdesk.options.deadline,
        deadlineMs: config.operationDeadlineMs,
      }),
      // Compiled execution of documents seen before (graphql-js for the rest), below the cached
      // answers: before the gate (whose estimate tries the caches), what the caches answered
      // whole is the answer, not executed again.
      useCompiledExecution(),
      useCachedAnswers(),
      useQuotaGate<Context>({
        scheduler: quota,
        maxOperationCredits: config.maxOperationCredits,
        describe: (ctx) => ({
          priority: ctx.freshdesk.options.priority ?? 'interactive',
          deadline: ctx.freshdesk.options.deadline,
          credential: ctx.freshdesk.credential,
          estimate: (status, request) => estimateCost(ctx, status, request),
          cost: ctx.cost,
        }),
      }),
      useCostExtensions(),
    ],
    context: ({ request }): Context => {
      // The id the HTTP handler chose (and sent back in `x-request-id`), so logs and errors agree.
      const requestId = currentRequestId() ?? randomUUID();
      const apiKey = credentialFor(config, request);
      logger.addSecret(apiKey);
      const priority = priorityOf(request);
      const cost = newCostTracker();
      const stale: StaleNote[] = [];
      return {
        requestId,
        config,
        logger,
        apiKey,
        shared: sharedFor(apiKey),
        cache: readCache,
        loaders: new Map(),
        quota,
        cost,
        warnings: [],
        stale,
        freshness,
        freshdesk: client.session({
          apiKey,
          priority,
          deadline: Date.now() + config.operationDeadlineMs,
          signal: request.signal,
          onCall: (call) => recordCall(cost, call),
          cache: operationCache(readCache, cost, stale),
        }),
      };
    },
  });

  let active = 0;
  let draining = false;
  const handler: RequestListener = (req, res) => {
    // A subscription stream never finishes on its own: a stop does not wait for it.
    if (!headerValue(req, 'accept')?.includes('text/event-stream')) {
      active += 1;
      res.once('close', () => {
        active -= 1;
      });
    }
    if (draining) {
      res.shouldKeepAlive = false;
    }
    // A caller's id is echoed only when it is a plain token; anything else gets a fresh one.
    const offered = headerValue(req, 'x-request-id');
    const requestId = offered && REQUEST_ID.test(offered) ? offered : randomUUID();
    res.setHeader('x-request-id', requestId);
    requestScope.run({ requestId }, () => {
      const path = (req.url ?? '/').split('?')[0] ?? '/';
      if (path === '/health') {
        sendJson(res, 200, { status: 'ok' });
        return;
      }
      // Webhooks are Freshdesk's server-to-server calls, not GraphQL: their own module answers
      // (404 while DESKGRAPH_WEBHOOK_SECRET is unset, as for any unknown path). They pass no
      // browser guard (no page sends them, the secret authenticates them, and a tunnel or proxy
      // forwards them under its own Host name); their module limits their bodies.
      if (path === WEBHOOK_PATH && freshness.receiver) {
        observability.watchWebhook(req, res);
        freshness.receiver.handle(req, res);
        return;
      }
      const refusal = refuseRequest(req, guard);
      if (refusal) {
        observability.refused(refusal.code, refusal.status, path);
        sendJson(res, refusal.status, {
          errors: [{ message: refusal.message, extensions: { code: refusal.code } }],
        });
        return;
      }
      if (path === '/ready') {
        void checkReady(deps).then(({ status, body }) =>
          sendJson(res, status, deps.redis ? { ...body, redis: deps.redis.health() } : body),
        );
        return;
      }
      if (path === METRICS_PATH) {
        observability.serveMetrics(req, res);
        return;
      }
      void yoga(req, res);
    });
  };
  return {
    yoga,
    handler,
    freshness,
    readCache,
    observability,
    inFlight: () => active,
    drain: () => {
      draining = true;
    },
  };
}

/**
 * The request's priority class: `X-Deskgraph-Priority` (interactive, explorer, bulk) when given;
 * `explorer` for GraphiQL (its page is served at /graphql, so its calls carry that Referer);
 * otherwise interactive.
 */
function priorityOf(request: Request): Priority {
  const asked = request.headers.get('x-deskgraph-priority')?.trim().toLowerCase();
  if (asked && (PRIORITIES as readonly string[]).includes(asked)) {
    return asked as Priority;
  }
  const referer = request.headers.get('referer');
  if (referer) {
    try {
      const from = new URL(referer);
      const to = new URL(request.url);
      if (from.host === to.host && from.pathname === to.pathname) {
        return 'explorer';
      }
    } catch {
      // Not a URL: not GraphiQL.
    }
  }
  return 'interactive';
}

/** The Freshdesk key for this request: the service key, or (passthrough) the caller's own. */
function credentialFor(config: Config, request: Request): string {
  if (config.auth === 'passthrough') {
    const key = request.headers.get('x-freshdesk-api-key')?.trim();
    if (!key) {
      throw new GraphQLError(
        'This gateway needs your Freshdesk API key in the X-Freshdesk-Api-Key header.',
        {
          extensions: { code: 'UNAUTHENTICATED', http: { status: 401 } },
        },
      );
    }
    return key;
  }
  return config.apiKey ?? '';
}

/** Adds `extensions.cost` (and warnings / stale notes, when any) to every GraphQL response. */
function useCostExtensions(): Plugin<Context> {
  return {
    onExecute() {
      return {
        onExecuteDone({ result, setResult, args }) {
          const ctx = args.contextValue as Context;
          if (!('data' in result || 'errors' in result)) {
            return;
          }
          const extensions: Record<string, unknown> = {
            ...result.extensions,
            cost: { ...ctx.cost },
          };
          if (ctx.warnings.length > 0) {
            extensions.warnings = ctx.warnings;
          }
          if (ctx.stale.length > 0) {
            extensions.stale = ctx.stale;
          }
          setResult({ ...result, extensions });
        },
      };
    },
  };
}

async function checkReady(
  deps: AppDeps,
): Promise<{ status: number; body: Record<string, unknown> }> {
  const { config, client } = deps;
  const upstream = client.origin;
  if (config.auth === 'passthrough' && !config.apiKey) {
    return { status: 200, body: { status: 'ready', upstream, credentials: 'per-request' } };
  }
  try {
    await client
      .session({
        apiKey: config.apiKey ?? '',
        deadline: Date.now() + 5_000,
        priority: 'interactive',
      })
      .get('/api/v2/agents/me');
    return { status: 200, body: { status: 'ready', upstream } };
  } catch (error) {
    const reason = error instanceof Error ? error.message : 'unknown';
    return { status: 503, body: { status: 'unavailable', upstream, reason } };
  }
}

function headerValue(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
  res.end(JSON.stringify(body));
}
