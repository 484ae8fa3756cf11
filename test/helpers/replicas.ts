/**
 * N gateway replicas as deployed: real child processes running the esbuild bundle with the Node
 * flags `npm start` uses (`node <NODE_FLAGS> index.js`, built once per set into a directory of its
 * own), each on port 0 and reporting its URL in its ready line, all against one emulator (in this
 * process) and the real Redis at `REDIS_URL`, under a key prefix of their own
 * (`DESKGRAPH_REDIS_PREFIX`, removed at `close`). Each replica reaches Redis through its own TCP
 * proxy (`redisLink`), so a test can cut Redis for one replica or for all (`cutRedis`) while the
 * shared server runs on.
 *
 * ```ts
 * const set = await startReplicas({ count: 3, emulator: { plan: 'growth' }, env: { FRESHDESK_PLAN: 'growth' } });
 * const [a, b] = set.replicas;
 * await postGraphQL(a.url, '{ tickets(first: 5) { nodes { id } } }');
 * set.emulator.stats();                // what Freshdesk saw from all of them
 * set.cutRedis(); set.restoreRedis();  // or a.redisLink.cut() for one
 * await a.kill();                      // SIGKILL: a replica dying
 * a.logs.filter((l) => l.message === 'redis is back: sharing state again');
 * await set.close();
 * ```
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { request } from 'undici';
import { buildDist, NODE_FLAGS } from '../../scripts/build.ts';
import { type Emulator, type EmulatorOptions, startEmulator } from '../../src/emulator/index.ts';
import { WEBHOOK_PATH } from '../../src/freshness/receiver.ts';
import { deleteKeys, REDIS_URL, startTcpProxy, type TcpProxy, testPrefix } from './redis.ts';

const root = fileURLToPath(new URL('../../', import.meta.url));

/** One JSON log line of a replica (stderr). */
export interface LogLine {
  level: string;
  message: string;
  [field: string]: unknown;
}

export interface Replica {
  index: number;
  /** `http://localhost:<port>/graphql`. */
  url: string;
  /** `http://127.0.0.1:<port>`. */
  origin: string;
  /** `http://127.0.0.1:<port>/webhooks/freshdesk`. */
  webhookUrl: string;
  /** This replica's way to Redis: cut it to make Redis unreachable for this replica only. */
  redisLink: TcpProxy;
  process: ChildProcess;
  /** Every log line so far (JSON; lines that are not JSON as `{ level: 'raw', message }`). */
  logs: LogLine[];
  readonly exited: boolean;
  /** Resolves with the first log line matching, waiting up to `timeoutMs`. */
  waitForLog(match: (line: LogLine) => boolean, timeoutMs?: number): Promise<LogLine>;
  /** SIGTERM (a clean stop, as a deploy does) and wait for the exit. */
  stop(): Promise<void>;
  /** SIGKILL (a replica dying: no clean-up) and wait for the exit. */
  kill(): Promise<void>;
}

export interface ReplicaSetOptions {
  count: number;
  /** Options for the emulator started for the set, or a running one (left running at close). */
  emulator?: EmulatorOptions | Emulator;
  /** Environment for every replica (FRESHDESK_BASE_URL, the admin key, PORT, REDIS_URL and the prefix are set). */
  env?: Record<string, string>;
  /** Per replica, on top of `env`. */
  envFor?: (index: number) => Record<string, string>;
  /** @default a fresh `testPrefix('replicas')` */
  prefix?: string;
  /** The Redis the proxies lead to. @default REDIS_URL */
  redisUrl?: string;
  /** How long a replica may take to print its ready line. @default 20000 */
  startTimeoutMs?: number;
}

export interface ReplicaSet {
  emulator: Emulator;
  replicas: Replica[];
  /** `DESKGRAPH_REDIS_PREFIX` of the set. */
  prefix: string;
  redisUrl: string;
  /** Cuts every replica's link to Redis (see `TcpProxy.cut`). */
  cutRedis(mode?: 'refuse' | 'blackhole'): void;
  restoreRedis(): void;
  /** Starts one more replica like the others (index = replicas.length). */
  add(env?: Record<string, string>): Promise<Replica>;
  /** Stops every replica still running (SIGTERM, then SIGKILL after 5 s), the emulator, the proxies; deletes the prefix's keys. */
  close(): Promise<void>;
}

const live = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of live) {
    child.kill('SIGKILL');
  }
});

export async function startReplicas(options: ReplicaSetOptions): Promise<ReplicaSet> {
  const cache = join(root, 'node_modules', '.cache', 'deskgraph');
  await mkdir(cache, { recursive: true });
  const outdir = await mkdtemp(join(cache, 'replicas-'));
  await buildDist({ outdir: relative(root, outdir), entryPoints: { index: 'src/index.ts' } });
  const bundle = join(outdir, 'index.js');

  const given = options.emulator;
  const ownEmulator = !(given && 'origin' in given);
  const emulator: Emulator = ownEmulator
    ? await startEmulator({ port: 0, ...(given as EmulatorOptions | undefined) })
    : (given as Emulator);
  const prefix = options.prefix ?? testPrefix('replicas');
  const redisUrl = options.redisUrl ?? REDIS_URL;
  const replicas: Replica[] = [];

  const launch = async (index: number, extra: Record<string, string> = {}): Promise<Replica> => {
    const redisLink = await startTcpProxy(redisUrl);
    const env: Record<string, string> = {
      PATH: process.env.PATH ?? '',
      PORT: '0',
      HOST: '127.0.0.1',
      LOG_LEVEL: 'info',
      FRESHDESK_BASE_URL: emulator.origin,
      FRESHDESK_API_KEY: emulator.apiKeys.admin,
      ...options.env,
      ...options.envFor?.(index),
      ...extra,
      REDIS_URL: redisLink.url,
      DESKGRAPH_REDIS_PREFIX: prefix,
    };
    const child = spawn(process.execPath, [...NODE_FLAGS, bundle], {
      cwd: root,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    live.add(child);
    const logs: LogLine[] = [];
    let exited = false;
    const exit = new Promise<void>((resolve) => {
      child.once('exit', () => {
        exited = true;
        live.delete(child);
        resolve();
      });
    });
    let waiters: (() => void)[] = [];
    const wake = (): void => {
      const ready = waiters;
      waiters = [];
      for (const resolve of ready) {
        resolve();
      }
    };
    let pending = '';
    child.stderr?.on('data', (chunk: Buffer) => {
      pending += chunk.toString();
      let at = pending.indexOf('\n');
      while (at !== -1) {
        const line = pending.slice(0, at).trim();
        pending = pending.slice(at + 1);
        if (line) {
          try {
            logs.push(JSON.parse(line) as LogLine);
          } catch {
            logs.push({ level: 'raw', message: line });
          }
        }
        at = pending.indexOf('\n');
      }
      wake();
    });
    let stdout = '';
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        reject(
          new Error(
            `replica ${index} printed no ready line in time:\n${stdout}\n${logs.map((l) => JSON.stringify(l)).join('\n')}`,
          ),
        );
      }, options.startTimeoutMs ?? 20_000);
      child.stdout?.on('data', (chunk: Buffer) => {
        stdout += chunk.toString();
        const found = /deskgraph ready at (http:\/\/\S+\/graphql)/.exec(stdout);
        if (found) {
          clearTimeout(timer);
          resolve(found[1]!);
        }
      });
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(
          new Error(
            `replica ${index} exited (${code}) before it was ready:\n${stdout}\n${logs.map((l) => JSON.stringify(l)).join('\n')}`,
          ),
        );
      });
    });
    const port = new URL(url).port;
    const origin = `http://127.0.0.1:${port}`;
    const signal = async (name: NodeJS.Signals): Promise<void> => {
      if (!exited) {
        child.kill(name);
      }
      await exit;
    };
    return {
      index,
      url: `${origin}/graphql`,
      origin,
      webhookUrl: `${origin}${WEBHOOK_PATH}`,
      redisLink,
      process: child,
      logs,
      get exited() {
        return exited;
      },
      async waitForLog(match, timeoutMs = 10_000) {
        const deadline = Date.now() + timeoutMs;
        for (;;) {
          const found = logs.find(match);
          if (found) {
            return found;
          }
          const left = deadline - Date.now();
          if (left <= 0 || exited) {
            throw new Error(
              `replica ${index}: no such log line; it wrote:\n${logs.map((l) => JSON.stringify(l)).join('\n')}`,
            );
          }
          await new Promise<void>((resolve) => {
            const timer = setTimeout(resolve, left);
            waiters.push(() => {
              clearTimeout(timer);
              resolve();
            });
          });
        }
      },
      stop: () => signal('SIGTERM'),
      kill: () => signal('SIGKILL'),
    };
  };

  const set: ReplicaSet = {
    emulator,
    replicas,
    prefix,
    redisUrl,
    cutRedis(mode) {
      for (const replica of replicas) {
        replica.redisLink.cut(mode);
      }
    },
    restoreRedis() {
      for (const replica of replicas) {
        replica.redisLink.restore();
      }
    },
    async add(env) {
      const replica = await launch(replicas.length, env);
      replicas.push(replica);
      return replica;
    },
    async close() {
      await Promise.all(
        replicas.map(async (replica) => {
          const forced = setTimeout(() => replica.process.kill('SIGKILL'), 5_000);
          await replica.stop();
          clearTimeout(forced);
          await replica.redisLink.close();
        }),
      );
      if (ownEmulator) {
        await emulator.close();
      }
      await deleteKeys(prefix, redisUrl);
      await rm(outdir, { recursive: true, force: true });
    },
  };
  try {
    const started = await Promise.all(
      Array.from({ length: options.count }, (_, index) => launch(index)),
    );
    replicas.push(...started);
  } catch (error) {
    await set.close().catch(() => undefined);
    throw error;
  }
  return set;
}

/** POSTs a webhook body to a replica (or any gateway) with the secret (`null`: none). */
export async function postWebhookTo(
  replica: Pick<Replica, 'webhookUrl'>,
  body: Record<string, unknown>,
  secret: string | null,
): Promise<{ status: number; body: unknown; ms: number }> {
  const started = Date.now();
  const response = await request(replica.webhookUrl, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'user-agent': 'Freshdesk',
      ...(secret === null ? {} : { 'x-webhook-secret': secret }),
    },
    body: JSON.stringify(body),
  });
  const text = await response.body.text();
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = text;
  }
  return { status: response.statusCode, body: parsed, ms: Date.now() - started };
}

/** GET a replica's (or any gateway's) path (`/ready`, `/webhooks/freshdesk` with the secret header) as JSON. */
export async function getJson(
  replica: Pick<Replica, 'origin'>,
  path: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await request(`${replica.origin}${path}`, { headers });
  const text = await response.body.text();
  return { status: response.statusCode, body: JSON.parse(text) as Record<string, unknown> };
}
