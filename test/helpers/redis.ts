/**
 * Redis for tests: the shared server at `REDIS_URL` (CI sets it; 127.0.0.1:6379 otherwise, as on
 * every machine of this project), a key prefix per test run so parallel runs never collide
 * (`testPrefix`, removed again with `deleteKeys`), and a TCP proxy in front of Redis that a test can
 * cut and restore (`startTcpProxy`): Redis made unreachable for one gateway, or all, without
 * stopping the server everyone shares.
 *
 * ```ts
 * const link = await startTcpProxy(REDIS_URL);
 * const prefix = testPrefix('quota');
 * // give the gateway REDIS_URL=link.url and DESKGRAPH_REDIS_PREFIX=prefix, then:
 * link.cut();                 // connections reset, new ones refused
 * link.cut('blackhole');      // connections stay open, nothing gets through (timeouts)
 * link.restore();
 * await link.close(); await deleteKeys(prefix);
 * ```
 */
import { randomBytes } from 'node:crypto';
import { createServer, type Server, Socket } from 'node:net';
import { Redis } from 'ioredis';

export const REDIS_URL = process.env.REDIS_URL || 'redis://127.0.0.1:6379';

/** A prefix no other run uses: `deskgraph-test:<label>:<pid>:<random>:`. */
export function testPrefix(label = 'run'): string {
  return `deskgraph-test:${label}:${process.pid}:${randomBytes(4).toString('hex')}:`;
}

/** Deletes every key under `prefix` (SCAN, not KEYS: the server is shared); returns how many. */
export async function deleteKeys(prefix: string, url: string = REDIS_URL): Promise<number> {
  if (!prefix.startsWith('deskgraph-test:')) {
    throw new Error(`refusing to delete keys outside a test prefix: ${prefix}`);
  }
  const keys = await keysUnder(prefix, url);
  if (keys.length === 0) {
    return 0;
  }
  const redis = new Redis(url, { maxRetriesPerRequest: 1 });
  try {
    return await redis.unlink(...keys);
  } finally {
    redis.disconnect();
  }
}

/** The keys under `prefix` (tests that look at what was stored). */
export async function keysUnder(prefix: string, url: string = REDIS_URL): Promise<string[]> {
  const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1 });
  await redis.connect();
  try {
    const found: string[] = [];
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(
        cursor,
        'MATCH',
        `${escapeGlob(prefix)}*`,
        'COUNT',
        500,
      );
      cursor = next;
      found.push(...keys);
    } while (cursor !== '0');
    return found.sort();
  } finally {
    redis.disconnect();
  }
}

const escapeGlob = (text: string): string => text.replace(/[*?[\]\\]/g, '\\$&');

export type CutMode = 'refuse' | 'blackhole';

export interface TcpProxy {
  /** `redis://127.0.0.1:<port>`: what to give a gateway as `REDIS_URL`. */
  readonly url: string;
  readonly port: number;
  /** Connections passing through now. */
  readonly connections: number;
  /**
   * `refuse` (default): open connections are reset and new ones closed at once (Redis stopped).
   * `blackhole`: connections stay open but nothing passes, and new ones hang (a network partition).
   */
  cut(mode?: CutMode): void;
  /** Lets new connections through again (cut ones stay cut; clients reconnect). */
  restore(): void;
  close(): Promise<void>;
}

/** A TCP proxy on a free loopback port to the host and port of `target` (a redis:// URL). */
export async function startTcpProxy(target: string = REDIS_URL): Promise<TcpProxy> {
  const { hostname, port } = new URL(target);
  const upstreamHost = hostname || '127.0.0.1';
  const upstreamPort = Number(port || 6379);
  let mode: CutMode | undefined;
  const pairs = new Set<[Socket, Socket]>();
  const held = new Set<Socket>();

  const server: Server = createServer((client) => {
    if (mode === 'refuse') {
      client.destroy();
      return;
    }
    if (mode === 'blackhole') {
      held.add(client);
      client.on('error', () => undefined);
      client.on('close', () => held.delete(client));
      return;
    }
    const upstream = new Socket();
    const pair: [Socket, Socket] = [client, upstream];
    pairs.add(pair);
    const drop = (): void => {
      pairs.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    client.on('error', drop);
    upstream.on('error', drop);
    client.on('close', drop);
    upstream.on('close', drop);
    upstream.connect(upstreamPort, upstreamHost, () => {
      client.pipe(upstream);
      upstream.pipe(client);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  const listening = typeof address === 'object' && address ? address.port : 0;

  return {
    url: `redis://127.0.0.1:${listening}`,
    port: listening,
    get connections() {
      return pairs.size;
    },
    cut(how: CutMode = 'refuse') {
      mode = how;
      for (const pair of [...pairs]) {
        const [client, upstream] = pair;
        if (how === 'refuse') {
          client.resetAndDestroy();
          upstream.destroy();
          pairs.delete(pair);
        } else {
          // Nothing more gets through either way; the sockets stay open.
          client.unpipe(upstream);
          upstream.unpipe(client);
          client.pause();
          upstream.pause();
          held.add(client);
          held.add(upstream);
          pairs.delete(pair);
        }
      }
    },
    restore() {
      mode = undefined;
    },
    async close() {
      for (const [client, upstream] of pairs) {
        client.destroy();
        upstream.destroy();
      }
      for (const socket of held) {
        socket.destroy();
      }
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
