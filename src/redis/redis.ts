/**
 * The Redis connection manager: the one place that connects to Redis (`REDIS_URL`), for everything
 * gateway replicas share. Without `REDIS_URL` nothing creates one and every module keeps its
 * in-process state. Used by the freshness stores (`src/freshness/shared-stores.ts`, `lease.ts`) and
 * meant for the shared quota and cache invalidation too.
 *
 * What it promises its users:
 * - **No waiting on Redis.** Commands fail at once while the connection is down (ioredis' offline
 *   queue is off) and after `commandTimeoutMs` when Redis is slow (`DESKGRAPH_REDIS_TIMEOUT_MS`,
 *   250 ms by default). Both connections are pinged every `heartbeatMs` (4 × the timeout, at least
 *   1 s); a socket that leaves a command unanswered that long is dropped and reconnected, so a
 *   Redis that stops answering (a network partition) shows as down within about two heartbeats,
 *   even while idle. Callers catch the rejection and fall back to their local state.
 * - **Reconnects forever**, with exponential backoff (100 ms doubling to `MAX_BACKOFF_MS`, with
 *   jitter), so a replica rejoins on its own when Redis returns.
 * - **A health state**, `up` / `down` / `connecting` with the time it last changed (`health()`, on
 *   `/ready`, with what each user of Redis reports there: `report('quota', () => ...)`), and
 *   listeners told of each change (`onHealth`). It is `up` only while every
 *   connection it made is ready (the command connection, and the pub/sub one once `pubsub` is used).
 *   The changes are logged: a warning when Redis goes, an info line when it returns.
 * - **Key names under one prefix** (`DESKGRAPH_REDIS_PREFIX`, default `deskgraph:`), so deployments
 *   or test runs sharing one Redis never collide: `key('quota', accountTag(origin), 'window')`.
 *   Scope per-account state with `accountTag` (two gateways for two Freshdesk accounts can share a
 *   Redis and a prefix).
 * - **Lua scripts** (`script(lua, keys)`): EVALSHA, loaded on first use and again after a Redis
 *   restart (NOSCRIPT), so atomic read-modify-write costs one round trip.
 * - **Pub/sub across replicas** (`pubsub`): an `EventTarget` from `@graphql-yoga/redis-event-target`
 *   over a second connection. `dispatchEvent(new CustomEvent(topic, { detail }))` publishes (JSON;
 *   fire-and-forget: dropped while Redis is down); `addEventListener(topic, …)` hears what every
 *   replica publishes on `topic`, this one included. Topics are channel names: build them with `key()`.
 *
 * Part of a user's code, e.g. a shared counter with a local fallback:
 * ```ts
 * const incr = redis.script("return redis.call('INCRBY', KEYS[1], ARGV[1])", 1);
 * const spent = redis.isUp()
 *   ? await incr.run([redis.key('spent')], [1]).catch(() => local.spend(1))
 *   : local.spend(1);
 * ```
 */
import { createHash, randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { createRedisEventTarget } from '@graphql-yoga/redis-event-target';
import { Redis, type RedisOptions } from 'ioredis';
import type { Logger } from '../logger.ts';

export type RedisStatus = 'up' | 'down' | 'connecting';

export interface RedisHealth {
  status: RedisStatus;
  /** ISO-8601: when `status` last changed. */
  since: string;
  /** Why the last connection attempt failed or the connection was lost (no credentials in it). */
  lastError?: string;
}

export interface RedisManagerOptions {
  url: string;
  /** Every key and channel name starts with it. @default 'deskgraph:' */
  prefix?: string;
  /** How long any command may take before it is given up. @default 250 */
  commandTimeoutMs?: number;
  logger: Logger;
  /** Told to Redis as the connections' names (`CLIENT LIST`). @default 'deskgraph' */
  name?: string;
}

/** A Lua script run with EVALSHA (loaded on first use, and again when Redis lost it). */
export interface RedisScript {
  run(keys: readonly string[], args: readonly (string | number)[]): Promise<unknown>;
}

export interface RedisManager {
  /** The key prefix (`DESKGRAPH_REDIS_PREFIX`). */
  readonly prefix: string;
  /** This process among the replicas: `<host>:<pid>:<random>` (lease holders, logs). */
  readonly replicaId: string;
  /** The command connection. Commands reject at once while down, and after the timeout. */
  readonly client: Redis;
  /** Cross-replica pub/sub (a second connection, made on first use); see the module comment. */
  readonly pubsub: EventTarget;
  /** `prefix` + the parts joined by `:`. */
  key(...parts: string[]): string;
  script(lua: string, numberOfKeys: number): RedisScript;
  isUp(): boolean;
  health(): RedisHealth;
  /** Called with the new health at each change of `status`; returns the function that stops it. */
  onHealth(listener: (health: RedisHealth) => void): () => void;
  /**
   * Adds what `describe` returns to `health()` under `name` (how a user of Redis is doing: e.g. the
   * quota shared, or local while Redis is away); returns the function that removes it.
   */
  report(name: string, describe: () => unknown): () => void;
  /** Resolves true once up, or false when `timeoutMs` passes first (or the manager is closed). */
  ready(timeoutMs: number): Promise<boolean>;
  close(): Promise<void>;
}

export const DEFAULT_PREFIX = 'deskgraph:';
export const DEFAULT_COMMAND_TIMEOUT_MS = 250;
/** The longest pause between two reconnection attempts. */
export const MAX_BACKOFF_MS = 2_000;

/** A short stable tag for a Freshdesk account (its API origin), for per-account key names. */
export function accountTag(origin: string): string {
  return createHash('sha256').update(origin).digest('base64url').slice(0, 12);
}

/** The delay before reconnection attempt `times` (1, 2, …): 100 ms doubling to the cap, ±25%. */
export function backoff(times: number, random: () => number = Math.random): number {
  const base = Math.min(100 * 2 ** Math.min(times - 1, 10), MAX_BACKOFF_MS);
  return Math.round(base * (0.75 + random() / 2));
}

/** The error's message without the URL's credentials (ioredis does not put them there, but a URL could). */
const describe = (error: unknown): string =>
  (error instanceof Error ? error.message : String(error)).replace(/\/\/[^@/\s]*@/g, '//');

export function createRedisManager(options: RedisManagerOptions): RedisManager {
  const { url, logger } = options;
  const prefix = options.prefix ?? DEFAULT_PREFIX;
  const commandTimeout = options.commandTimeoutMs ?? DEFAULT_COMMAND_TIMEOUT_MS;
  const name = options.name ?? 'deskgraph';
  const replicaId = `${hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`;
  // A password in the URL (redis://:secret@host) is never logged.
  try {
    const { password } = new URL(url);
    logger.addSecret(password ? decodeURIComponent(password) : undefined);
  } catch {
    // ioredis reports a URL it cannot use.
  }
  const heartbeatMs = Math.max(1_000, commandTimeout * 4);
  const common: RedisOptions = {
    connectionName: name,
    connectTimeout: heartbeatMs,
    // A dead socket (no answer to a pending command, the heartbeat's included) is dropped and reconnected.
    socketTimeout: heartbeatMs,
    retryStrategy: (times) => backoff(times),
    keepAlive: 10_000,
  };
  const client = new Redis(url, {
    ...common,
    commandTimeout,
    enableOfflineQueue: false,
    // Commands caught by a disconnect fail at once instead of waiting for reconnection.
    maxRetriesPerRequest: 0,
  });

  let closed = false;
  let subscriber: Redis | undefined;
  let pubsub: EventTarget | undefined;
  let state: RedisHealth = { status: 'connecting', since: new Date().toISOString() };
  let everUp = false;
  /** Connections that have been ready once: one of them not ready now means Redis is down. */
  const wereReady = new WeakSet<Redis>();
  /**
   * Connections that still look ready while another was lost: they may be just as dead (the same
   * partition) without knowing it yet, so they count as up again only once they answer a ping or
   * connect anew. (Otherwise `up` could be reported while the pub/sub socket is dead, and what is
   * published meanwhile would never arrive.)
   */
  const doubted = new Set<Redis>();
  const listeners = new Set<(health: RedisHealth) => void>();
  const reports = new Map<string, () => unknown>();

  const connectionsReady = (): boolean =>
    client.status === 'ready' &&
    (subscriber === undefined || subscriber.status === 'ready') &&
    doubted.size === 0;

  const update = (error?: unknown): void => {
    if (error !== undefined) {
      state = { ...state, lastError: describe(error) };
    }
    if (closed) {
      return;
    }
    const connections = subscriber ? [client, subscriber] : [client];
    for (const connection of connections) {
      if (connection.status === 'ready') {
        wereReady.add(connection);
      }
    }
    const lost = connections.some((c) => wereReady.has(c) && c.status !== 'ready');
    if (lost) {
      for (const connection of connections) {
        if (connection.status === 'ready' && !doubted.has(connection)) {
          doubted.add(connection);
          connection.ping().then(
            () => {
              doubted.delete(connection);
              update();
            },
            // It fails, closes and connects anew ('ready' clears the doubt).
            () => undefined,
          );
        }
      }
    }
    const status: RedisStatus = connectionsReady()
      ? 'up'
      : lost || doubted.size > 0
        ? 'down'
        : 'connecting';
    if (status === state.status) {
      return;
    }
    const previous = state;
    state = { status, since: new Date().toISOString() };
    if (previous.lastError !== undefined && status !== 'up') {
      state.lastError = previous.lastError;
    }
    if (status === 'up' && previous.status === 'down') {
      logger.info('redis is back: sharing state again', {
        prefix,
        downMs: Date.parse(state.since) - Date.parse(previous.since),
      });
    } else if (status === 'up' && !everUp) {
      logger.info('redis connected', { prefix });
    } else if (status === 'down') {
      logger.warn('redis unreachable: each replica uses its local state until it returns', {
        prefix,
        error: state.lastError,
      });
    }
    everUp ||= status === 'up';
    for (const listener of [...listeners]) {
      try {
        listener({ ...state });
      } catch (listenerError) {
        logger.error('redis health listener failed', { error: listenerError });
      }
    }
  };

  const watch = (connection: Redis): void => {
    // Without an 'error' listener ioredis' errors would be unhandled; they are health changes.
    connection.on('error', (error: unknown) => {
      state = { ...state, lastError: describe(error) };
      logger.debug('redis connection error', { error: describe(error) });
    });
    connection.on('ready', () => {
      doubted.delete(connection);
      update();
    });
    connection.on('close', () => update());
    connection.on('end', () => update());
    connection.on('reconnecting', () => update());
  };
  watch(client);

  const heartbeat = setInterval(() => {
    for (const connection of subscriber ? [client, subscriber] : [client]) {
      if (connection.status === 'ready') {
        connection.ping().catch(() => undefined);
      }
    }
  }, heartbeatMs);
  heartbeat.unref();

  const key = (...parts: string[]): string => prefix + parts.join(':');

  const onHealth = (listener: (health: RedisHealth) => void): (() => void) => {
    listeners.add(listener);
    return () => {
      listeners.delete(listener);
    };
  };

  const script = (lua: string, numberOfKeys: number): RedisScript => {
    const sha = createHash('sha1').update(lua).digest('hex');
    return {
      async run(keys, args) {
        if (keys.length !== numberOfKeys) {
          throw new Error(`this script takes ${numberOfKeys} keys; got ${keys.length}`);
        }
        try {
          return await client.evalsha(sha, numberOfKeys, ...keys, ...args);
        } catch (error) {
          if (error instanceof Error && error.message.startsWith('NOSCRIPT')) {
            return await client.eval(lua, numberOfKeys, ...keys, ...args);
          }
          throw error;
        }
      },
    };
  };

  const makePubsub = (): EventTarget => {
    const connection = new Redis(url, {
      ...common,
      // Only SUBSCRIBE goes here: queued until connected, resubscribed after each reconnect.
      enableOfflineQueue: true,
      maxRetriesPerRequest: null,
      autoResubscribe: true,
    });
    subscriber = connection;
    watch(connection);
    update();
    // The event target leaves ioredis' promises unawaited; these facades catch their rejections
    // (a publish while Redis is down is dropped, as pub/sub drops it for an absent listener).
    const publishClient = {
      publish: (channel: string, message: string) =>
        client.publish(channel, message).catch((error: unknown) => {
          logger.debug('redis publish dropped', { channel, error: describe(error) });
          return 0;
        }),
    };
    const subscribeClient = {
      on: (event: string, listener: (channel: string, message: string) => void) => {
        connection.on(event, listener);
        return subscribeClient;
      },
      subscribe: (channel: string) =>
        connection.subscribe(channel).catch((error: unknown) => {
          if (!closed) {
            logger.warn('redis subscribe failed', { channel, error: describe(error) });
          }
          return 0;
        }),
      unsubscribe: (channel: string) => connection.unsubscribe(channel).catch(() => 0),
    };
    return createRedisEventTarget({
      publishClient: publishClient as unknown as Redis,
      subscribeClient: subscribeClient as unknown as Redis,
      serializer: {
        stringify: (value) => JSON.stringify(value),
        // A message that is not JSON (not ours) arrives as null rather than throwing in ioredis.
        parse: (text) => {
          try {
            return JSON.parse(text);
          } catch {
            return null;
          }
        },
      },
    }) as unknown as EventTarget;
  };

  return {
    prefix,
    replicaId,
    client,
    get pubsub() {
      pubsub ??= makePubsub();
      return pubsub;
    },
    key,
    script,
    isUp: () => !closed && connectionsReady(),
    health: () => {
      const health: RedisHealth & Record<string, unknown> = { ...state };
      for (const [name, describe] of reports) {
        health[name] = describe();
      }
      return health;
    },
    onHealth,
    report(name, describe) {
      reports.set(name, describe);
      return () => {
        if (reports.get(name) === describe) {
          reports.delete(name);
        }
      };
    },
    ready(timeoutMs) {
      if (connectionsReady()) {
        return Promise.resolve(true);
      }
      return new Promise((resolve) => {
        const timer = setTimeout(() => {
          off();
          resolve(false);
        }, timeoutMs);
        timer.unref();
        const off = onHealth((health) => {
          if (health.status === 'up') {
            clearTimeout(timer);
            off();
            resolve(true);
          }
        });
      });
    },
    async close() {
      if (closed) {
        return;
      }
      closed = true;
      clearInterval(heartbeat);
      listeners.clear();
      const quit = async (connection: Redis): Promise<void> => {
        if (connection.status === 'ready') {
          // QUIT lets replies in flight arrive, for as long as any command may take.
          let timer: NodeJS.Timeout | undefined;
          await Promise.race([
            connection.quit().catch(() => undefined),
            new Promise((resolve) => {
              timer = setTimeout(resolve, commandTimeout);
            }),
          ]);
          clearTimeout(timer);
        }
        connection.disconnect();
      };
      await Promise.all([quit(client), subscriber ? quit(subscriber) : undefined]);
    },
  };
}
