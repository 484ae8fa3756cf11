/**
 * The one place that reads the environment (contract section 2). `loadConfig` collects every problem
 * and throws them together, so a bad start names all of them at once.
 */
import { existsSync } from 'node:fs';
import { isIP } from 'node:net';
import { type CacheKind, readMaxAges } from './cache/kinds.ts';
import { type PlanLimits, readPlan } from './quota/plans.ts';

/** A plan by name (`trial`...`enterprise`, or `custom` for limits Freshdesk granted on request). */
export interface PlanConfig {
  name: string;
  limits: PlanLimits;
}

export type AuthMode = 'service' | 'passthrough';

export type UpstreamConfig =
  /** No Freshdesk configured: `npm start` runs the embedded emulator and points the gateway at it. */
  { kind: 'embedded' } | { kind: 'remote'; origin: string };

export interface Config {
  port: number;
  host: string;
  upstream: UpstreamConfig;
  /** The service API key; never logged, never sent anywhere but Freshdesk's Authorization header. */
  apiKey: string | undefined;
  /**
   * `FRESHDESK_PLAN`: a preset or custom limits (`total=N,...`). `undefined`: learned from
   * `X-RateLimit-Total`, with growth's sub-limits until then.
   */
  plan: PlanConfig | undefined;
  auth: AuthMode;
  webhookSecret: string | undefined;
  redisUrl: string | undefined;
  /**
   * Start of every Redis key and channel name (`DESKGRAPH_REDIS_PREFIX`): deployments, or test runs,
   * sharing one Redis use different ones. @default 'deskgraph:'
   */
  redisPrefix: string;
  /** The longest any Redis command may take before the gateway goes on without it (`DESKGRAPH_REDIS_TIMEOUT_MS`). @default 250 */
  redisTimeoutMs: number;
  /**
   * At least this many replicas share the account (`DESKGRAPH_REPLICAS`): cut off from Redis, a
   * replica spends at most 1/N of the plan, N the larger of this and the replicas Redis last showed.
   */
  replicas: number | undefined;
  /** Refuse operations estimated above this many credits. @default 100 */
  maxOperationCredits: number;
  /** Overall deadline of one GraphQL operation, queueing and retries included. @default 30000 */
  operationDeadlineMs: number;
  /**
   * Freshdesk's rate window (`DESKGRAPH_QUOTA_WINDOW_MS`): per minute in production; short in tests
   * against an emulator with a short window. @default 60000
   */
  quotaWindowMs: number;
  /**
   * Percent of every budget that bulk work (`X-Deskgraph-Priority: bulk`, exports) may not spend, so
   * a BI job never starves interactive users (`DESKGRAPH_QUOTA_BULK_RESERVE`). @default 25
   */
  quotaBulkReservePercent: number;
  /**
   * Percent of every budget kept for webhook-triggered work on the account; only that work may
   * spend it (`DESKGRAPH_QUOTA_WEBHOOK_SHARE`). @default 10
   */
  quotaWebhookSharePercent: number;
  /**
   * Percent of the account total that credentials not yet seen to work may spend (passthrough
   * mode: made-up keys cannot starve real users) (`DESKGRAPH_QUOTA_UNVERIFIED_SHARE`). @default 5
   */
  quotaUnverifiedSharePercent: number;
  /** Per upstream attempt: connect, headers and body timeouts. @default 10000 */
  upstreamTimeoutMs: number;
  /** Connections kept open to Freshdesk (`DESKGRAPH_UPSTREAM_CONNECTIONS`). @default 32 */
  upstreamConnections: number;
  /**
   * Upstream calls one operation may have in flight at once (`DESKGRAPH_OPERATION_CONCURRENCY`):
   * fan-out (a page's conversations, contacts by id) runs at most this wide. @default 16
   */
  operationConcurrency: number;
  /**
   * How often the reconciliation sweep asks Freshdesk what changed since the last change it saw
   * (`DESKGRAPH_RECONCILE_INTERVAL_MS`); 0 turns it off. @default 60000
   */
  reconcileIntervalMs: number;
  /** Events the `ticketEvents` replay log keeps for `after` (`DESKGRAPH_EVENT_LOG_MAX_EVENTS`). @default 10000 */
  eventLogMaxEvents: number;
  /** How long the replay log keeps an event (`DESKGRAPH_EVENT_LOG_MAX_AGE_MS`). @default 3600000 */
  eventLogMaxAgeMs: number;
  /**
   * The read cache's bound in bytes (`DESKGRAPH_CACHE_MAX_MB`, in MiB); 0 turns the cache off.
   * @default 64 MiB
   */
  cacheMaxBytes: number;
  /** Per-kind maximum ages in seconds (`DESKGRAPH_CACHE_MAX_AGES`, `kind=seconds,...`). */
  cacheMaxAges: Partial<Record<CacheKind, number>>;
  /**
   * How long a cached answer may still be served, marked stale, when Freshdesk cannot answer
   * (`DESKGRAPH_CACHE_STALE_MAX_AGE_S`, in seconds). @default 86400000 (a day)
   */
  cacheStaleMaxAgeMs: number;
  logLevel: 'debug' | 'info' | 'warn' | 'error' | 'silent';
  /** What one operation may be, checked before the cost estimate and before any upstream call. */
  limits: OperationLimits;
  /** Largest request body, in bytes (`DESKGRAPH_MAX_BODY_BYTES`). @default 25000000 */
  maxBodyBytes: number;
  /** Schema introspection (`DESKGRAPH_INTROSPECTION`); when off, validation errors suggest no field names. @default true */
  introspection: boolean;
  /** GraphiQL at `/graphql` in a browser (`DESKGRAPH_GRAPHIQL`), served whole by the gateway. @default true */
  graphiql: boolean;
  /** Prometheus metrics at `/metrics` (`DESKGRAPH_METRICS`). @default true */
  metrics: boolean;
  /**
   * Persisted operations (`DESKGRAPH_PERSISTED_OPERATIONS`, the path of a manifest such as
   * `operations/generated/persisted-documents.json`); `only` (`DESKGRAPH_PERSISTED_ONLY`, default
   * true) refuses every document not in it. @default undefined (any document runs)
   */
  persistedOperations?: { manifest: string; only: boolean };
  /**
   * Web origins allowed to call the gateway from a browser (`DESKGRAPH_CORS_ORIGINS`, comma
   * separated, e.g. `https://app.acme.com`). Every other cross-origin request is refused. @default []
   */
  corsOrigins: readonly string[];
  /**
   * Host names accepted in the `Host` header besides loopback ones while the gateway listens on a
   * loopback address (`DESKGRAPH_ALLOWED_HOSTS`): protection from DNS rebinding. @default []
   */
  allowedHosts: readonly string[];
  /** On SIGTERM/SIGINT, how long in-flight operations may take to finish (`DESKGRAPH_SHUTDOWN_GRACE_MS`). @default 10000 */
  shutdownGraceMs: number;
}

/** Per-operation limits (README, "Operation limits"); each has its own variable. */
export interface OperationLimits {
  /** Characters of the GraphQL document (`DESKGRAPH_MAX_DOCUMENT_BYTES`). @default 65536 */
  documentBytes: number;
  /** Lexical tokens of the document (`DESKGRAPH_MAX_TOKENS`). @default 10000 */
  tokens: number;
  /** Field nesting, fragments expanded; also the nesting of list/object literals (`DESKGRAPH_MAX_DEPTH`). @default 16 */
  depth: number;
  /** Aliased fields, fragments expanded (`DESKGRAPH_MAX_ALIASES`). @default 200 */
  aliases: number;
  /** Directives, fragments expanded (`DESKGRAPH_MAX_DIRECTIVES`). @default 50 */
  directives: number;
  /**
   * Fields selected once fragments are expanded, each list counted `first` times when `first` is
   * a literal (`DESKGRAPH_MAX_COMPLEXITY`). @default 250000
   */
  complexity: number;
  /**
   * Fragment spreads once fragments are expanded (a fragment spread twice in a fragment spread
   * twice counts 4, and so on) (`DESKGRAPH_MAX_FRAGMENT_SPREADS`). @default 200
   */
  fragmentSpreads: number;
  /** Operations in one batched request; 1 turns batching off (`DESKGRAPH_MAX_BATCH`). @default 1 */
  batch: number;
  /** Objects in lists one operation may produce, all lists together (`DESKGRAPH_MAX_RESULT_ITEMS`). @default 10000 */
  resultItems: number;
}

/**
 * The plan for the embedded emulator (its `plan` option, camelCase limits): the one told in
 * `FRESHDESK_PLAN`, else Enterprise.
 */
export function embeddedPlan(plan: PlanConfig | undefined):
  | 'enterprise'
  | {
      total: number;
      ticketCreate?: number;
      ticketUpdate?: number;
      ticketsList?: number;
      contactsList?: number;
    } {
  if (plan === undefined) {
    return 'enterprise';
  }
  const { limits } = plan;
  return {
    total: limits.total,
    ticketCreate: limits.ticket_create,
    ticketUpdate: limits.ticket_update,
    ticketsList: limits.tickets_list,
    contactsList: limits.contacts_list,
  };
}

/** The persisted-operations setting: a manifest path that exists, and whether only it runs. */
function persisted(
  manifest: string | undefined,
  only: boolean | undefined,
  problems: string[],
): Config['persistedOperations'] {
  if (manifest === undefined) {
    if (only !== undefined) {
      // Someone meant to lock the gateway down: without a manifest nothing would be.
      problems.push('DESKGRAPH_PERSISTED_ONLY needs DESKGRAPH_PERSISTED_OPERATIONS (a manifest).');
    }
    return undefined;
  }
  if (!existsSync(manifest)) {
    problems.push(`DESKGRAPH_PERSISTED_OPERATIONS: no file "${manifest}".`);
    return undefined;
  }
  return { manifest, only: only ?? true };
}

/** Thrown by `loadConfig` with every problem found. */
export class ConfigError extends Error {
  readonly problems: readonly string[];
  constructor(problems: readonly string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

const LOOPBACK_NAMES = new Set(['localhost', '127.0.0.1', '::1', '[::1]']);

/** True for `localhost`, 127.0.0.0/8 and ::1: the only hosts that may be reached over plain http. */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '');
  if (LOOPBACK_NAMES.has(host)) {
    return true;
  }
  return isIP(host) === 4 && host.startsWith('127.');
}

type Env = Record<string, string | undefined>;

export function loadConfig(env: Env = process.env): Config {
  const problems: string[] = [];
  const read = (name: string): string | undefined => {
    const value = env[name]?.trim();
    return value === undefined || value === '' ? undefined : value;
  };
  const int = (name: string, fallback: number, min: number, max: number): number => {
    const raw = read(name);
    if (raw === undefined) {
      return fallback;
    }
    const value = Number(raw);
    if (!/^\d+$/.test(raw) || value < min || value > max) {
      problems.push(`${name} must be a whole number from ${min} to ${max}; got "${raw}".`);
      return fallback;
    }
    return value;
  };
  const bool = (name: string, fallback: boolean): boolean => {
    const raw = read(name)?.toLowerCase();
    if (raw === undefined) {
      return fallback;
    }
    if (raw === 'true' || raw === '1') {
      return true;
    }
    if (raw === 'false' || raw === '0') {
      return false;
    }
    problems.push(`${name} must be true or false; got "${raw}".`);
    return fallback;
  };
  const list = (name: string): string[] =>
    (read(name) ?? '')
      .split(',')
      .map((item) => item.trim())
      .filter((item) => item !== '');
  const oneOf = <T extends string>(name: string, choices: readonly T[]): T | undefined => {
    const raw = read(name);
    if (raw === undefined) {
      return undefined;
    }
    if (!(choices as readonly string[]).includes(raw)) {
      problems.push(`${name} must be one of ${choices.join(', ')}; got "${raw}".`);
      return undefined;
    }
    return raw as T;
  };

  const upstream = readUpstream(read('FRESHDESK_BASE_URL'), read('FRESHDESK_DOMAIN'), problems);
  const auth = oneOf('DESKGRAPH_AUTH', ['service', 'passthrough'] as const) ?? 'service';
  const apiKey = read('FRESHDESK_API_KEY');
  if (upstream.kind === 'remote' && auth === 'service' && apiKey === undefined) {
    problems.push(
      'FRESHDESK_API_KEY is required with DESKGRAPH_AUTH=service (the default) when Freshdesk is configured.',
    );
  }
  const planText = read('FRESHDESK_PLAN');
  let plan: PlanConfig | undefined;
  if (planText !== undefined) {
    const read = readPlan(planText);
    if ('problems' in read) {
      problems.push(`FRESHDESK_PLAN: ${read.problems.join('; ')}.`);
    } else {
      plan = read;
    }
  }
  const redisUrl = read('REDIS_URL');
  if (redisUrl !== undefined && !/^rediss?:\/\/[^\s]+$/.test(redisUrl)) {
    problems.push('REDIS_URL must look like redis://host:6379 (or rediss:// for TLS).');
  }
  const redisPrefix = read('DESKGRAPH_REDIS_PREFIX') ?? 'deskgraph:';
  if (!/^[\w:.{}-]{1,100}$/.test(redisPrefix)) {
    problems.push(
      `DESKGRAPH_REDIS_PREFIX may hold letters, digits and _ : . - { } (at most 100); got "${redisPrefix}".`,
    );
  }

  const maxAges = readMaxAges(read('DESKGRAPH_CACHE_MAX_AGES'));
  if ('problems' in maxAges) {
    problems.push(`DESKGRAPH_CACHE_MAX_AGES: ${maxAges.problems.join('; ')}.`);
  }

  const config: Config = {
    port: int('PORT', 4000, 0, 65535),
    host: read('HOST') ?? '127.0.0.1',
    upstream,
    apiKey,
    plan,
    auth,
    webhookSecret: read('DESKGRAPH_WEBHOOK_SECRET'),
    redisUrl,
    redisPrefix,
    redisTimeoutMs: int('DESKGRAPH_REDIS_TIMEOUT_MS', 250, 10, 10_000),
    replicas:
      read('DESKGRAPH_REPLICAS') === undefined ? undefined : int('DESKGRAPH_REPLICAS', 1, 1, 1_000),
    maxOperationCredits: int('DESKGRAPH_MAX_OPERATION_CREDITS', 100, 1, 100_000),
    operationDeadlineMs: int('DESKGRAPH_OPERATION_DEADLINE_MS', 30_000, 100, 600_000),
    quotaWindowMs: int('DESKGRAPH_QUOTA_WINDOW_MS', 60_000, 100, 3_600_000),
    quotaBulkReservePercent: int('DESKGRAPH_QUOTA_BULK_RESERVE', 25, 0, 90),
    quotaWebhookSharePercent: int('DESKGRAPH_QUOTA_WEBHOOK_SHARE', 10, 0, 90),
    quotaUnverifiedSharePercent: int('DESKGRAPH_QUOTA_UNVERIFIED_SHARE', 5, 1, 100),
    upstreamTimeoutMs: int('DESKGRAPH_UPSTREAM_TIMEOUT_MS', 10_000, 50, 300_000),
    upstreamConnections: int('DESKGRAPH_UPSTREAM_CONNECTIONS', 32, 1, 1024),
    operationConcurrency: int('DESKGRAPH_OPERATION_CONCURRENCY', 16, 1, 256),
    reconcileIntervalMs: int('DESKGRAPH_RECONCILE_INTERVAL_MS', 60_000, 0, 86_400_000),
    eventLogMaxEvents: int('DESKGRAPH_EVENT_LOG_MAX_EVENTS', 10_000, 1, 1_000_000),
    eventLogMaxAgeMs: int('DESKGRAPH_EVENT_LOG_MAX_AGE_MS', 3_600_000, 1_000, 604_800_000),
    cacheMaxBytes: int('DESKGRAPH_CACHE_MAX_MB', 64, 0, 65_536) * 1024 * 1024,
    cacheMaxAges: 'ages' in maxAges ? maxAges.ages : {},
    cacheStaleMaxAgeMs: int('DESKGRAPH_CACHE_STALE_MAX_AGE_S', 86_400, 0, 604_800) * 1000,
    logLevel: oneOf('LOG_LEVEL', ['debug', 'info', 'warn', 'error', 'silent'] as const) ?? 'info',
    limits: {
      documentBytes: int('DESKGRAPH_MAX_DOCUMENT_BYTES', 65_536, 100, 10_000_000),
      tokens: int('DESKGRAPH_MAX_TOKENS', 10_000, 10, 1_000_000),
      depth: int('DESKGRAPH_MAX_DEPTH', 16, 2, 1_000),
      aliases: int('DESKGRAPH_MAX_ALIASES', 200, 0, 100_000),
      directives: int('DESKGRAPH_MAX_DIRECTIVES', 50, 0, 100_000),
      complexity: int('DESKGRAPH_MAX_COMPLEXITY', 250_000, 1, 100_000_000),
      fragmentSpreads: int('DESKGRAPH_MAX_FRAGMENT_SPREADS', 200, 0, 1_000_000),
      batch: int('DESKGRAPH_MAX_BATCH', 1, 1, 1_000),
      resultItems: int('DESKGRAPH_MAX_RESULT_ITEMS', 10_000, 1, 100_000_000),
    },
    maxBodyBytes: int('DESKGRAPH_MAX_BODY_BYTES', 25_000_000, 1_000, 1_000_000_000),
    introspection: bool('DESKGRAPH_INTROSPECTION', true),
    graphiql: bool('DESKGRAPH_GRAPHIQL', true),
    metrics: bool('DESKGRAPH_METRICS', true),
    persistedOperations: persisted(
      read('DESKGRAPH_PERSISTED_OPERATIONS'),
      read('DESKGRAPH_PERSISTED_ONLY') === undefined
        ? undefined
        : bool('DESKGRAPH_PERSISTED_ONLY', true),
      problems,
    ),
    corsOrigins: readOrigins(list('DESKGRAPH_CORS_ORIGINS'), problems),
    allowedHosts: list('DESKGRAPH_ALLOWED_HOSTS').map((host) => host.toLowerCase()),
    shutdownGraceMs: int('DESKGRAPH_SHUTDOWN_GRACE_MS', 10_000, 0, 600_000),
  };
  if (config.quotaBulkReservePercent + config.quotaWebhookSharePercent >= 100) {
    problems.push(
      `DESKGRAPH_QUOTA_BULK_RESERVE + DESKGRAPH_QUOTA_WEBHOOK_SHARE must stay below 100 (bulk work needs some budget); got ${config.quotaBulkReservePercent} + ${config.quotaWebhookSharePercent}.`,
    );
  }
  if (problems.length > 0) {
    throw new ConfigError(problems);
  }
  return config;
}

/** Browser origins as the `Origin` header spells them: `scheme://host[:port]`, nothing more. */
function readOrigins(origins: readonly string[], problems: string[]): string[] {
  const out: string[] = [];
  for (const origin of origins) {
    let url: URL | undefined;
    try {
      url = new URL(origin);
    } catch {
      url = undefined;
    }
    if (
      url === undefined ||
      (url.protocol !== 'https:' && url.protocol !== 'http:') ||
      url.origin !== origin.replace(/\/$/, '').toLowerCase()
    ) {
      problems.push(
        `DESKGRAPH_CORS_ORIGINS must list origins such as https://app.acme.com (scheme, host and port only; "*" is not allowed); got "${origin}".`,
      );
      continue;
    }
    out.push(url.origin);
  }
  return out;
}

function readUpstream(
  baseUrl: string | undefined,
  domain: string | undefined,
  problems: string[],
): UpstreamConfig {
  if (baseUrl !== undefined) {
    let url: URL;
    try {
      url = new URL(baseUrl);
    } catch {
      problems.push(
        `FRESHDESK_BASE_URL must be an absolute URL such as https://acme.freshdesk.com; got "${baseUrl}".`,
      );
      return { kind: 'embedded' };
    }
    if (url.protocol !== 'https:' && url.protocol !== 'http:') {
      problems.push(
        `FRESHDESK_BASE_URL must use https (or http on a loopback host); got "${url.protocol}".`,
      );
    } else if (url.protocol === 'http:' && !isLoopbackHost(url.hostname)) {
      problems.push(
        `FRESHDESK_BASE_URL may use plain http only for loopback hosts (127.0.0.1, localhost, ::1); got "${url.hostname}". Use https.`,
      );
    }
    if (url.username || url.password) {
      problems.push(
        'FRESHDESK_BASE_URL must not carry credentials; set FRESHDESK_API_KEY instead.',
      );
    }
    if ((url.pathname !== '/' && url.pathname !== '') || url.search || url.hash) {
      problems.push(
        `FRESHDESK_BASE_URL must be an origin only (no path or query); got "${baseUrl}".`,
      );
    }
    return { kind: 'remote', origin: url.origin };
  }
  if (domain !== undefined) {
    const host = domain
      .toLowerCase()
      .replace(/^https?:\/\//, '')
      .replace(/\/+$/, '');
    const subdomain = host.endsWith('.freshdesk.com')
      ? host.slice(0, -'.freshdesk.com'.length)
      : host;
    if (!/^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/.test(subdomain)) {
      problems.push(
        `FRESHDESK_DOMAIN must be your Freshdesk subdomain (acme or acme.freshdesk.com); got "${domain}". Freshdesk's API does not serve vanity domains.`,
      );
      return { kind: 'embedded' };
    }
    return { kind: 'remote', origin: `https://${subdomain}.freshdesk.com` };
  }
  return { kind: 'embedded' };
}
