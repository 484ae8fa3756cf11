/**
 * Child processes for the benchmark: the emulator and every contender run in their own Node process
 * (so RSS is per contender and none steals another's event loop). Parent and child talk over the IPC
 * channel with numbered request/response messages.
 */
import { type ChildProcess, fork } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';

export interface IpcRequest {
  id: number;
  type: string;
  payload?: unknown;
}

export interface IpcResponse {
  id: number;
  ok: boolean;
  result?: unknown;
  error?: string;
}

export interface Child<Ready> {
  pid: number;
  ready: Ready;
  call<T>(type: string, payload?: unknown, timeoutMs?: number): Promise<T>;
  stop(): Promise<void>;
}

const READY_TIMEOUT_MS = 60_000;

/**
 * The environment a child gets: this process's, without its Redis settings (`REDIS_URL`,
 * `DESKGRAPH_REDIS_*`, `DESKGRAPH_REPLICAS`: set on a machine for the tests, they would make every
 * deskgraph run share state through Redis). A scenario that means Redis passes it explicitly.
 */
export function childEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const name of Object.keys(env)) {
    if (
      name === 'REDIS_URL' ||
      name.startsWith('DESKGRAPH_REDIS_') ||
      name === 'DESKGRAPH_REPLICAS'
    ) {
      delete env[name];
    }
  }
  return { ...env, ...extra, NODE_ENV: 'production' };
}

/**
 * Forks `file` and waits for its `{ type: 'ready' }` message. By default the file is TypeScript,
 * run through tsx; a bundle from `scripts/build.ts` runs with the Node flags it is given instead
 * (plain Node, no loader thread).
 */
export async function startChild<Ready>(
  file: URL,
  args: readonly string[],
  label: string,
  execArgv: readonly string[] = ['--import', 'tsx'],
  /** A file for the child's stderr (its log lines), instead of this process's stderr. */
  stderrFile?: string,
): Promise<Child<Ready>> {
  const stderr = stderrFile === undefined ? 'inherit' : openSync(stderrFile, 'a');
  const child: ChildProcess = fork(file, [...args], {
    execArgv: [...execArgv],
    stdio: ['ignore', 'inherit', stderr, 'ipc'],
    env: childEnv(),
  });
  if (typeof stderr === 'number') {
    closeSync(stderr);
  }
  const pending = new Map<number, { resolve(v: unknown): void; reject(e: Error): void }>();
  let nextId = 1;
  let exited = false;

  const ready = await new Promise<Ready>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${label}: not ready within ${READY_TIMEOUT_MS} ms`));
    }, READY_TIMEOUT_MS);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`${label}: exited before ready (code ${code}, signal ${signal})`));
    });
    child.on('message', (message: unknown) => {
      const m = message as { type?: string; id?: number; ready?: Ready };
      if (m.type === 'ready') {
        clearTimeout(timer);
        resolve(m.ready as Ready);
        return;
      }
      const response = message as IpcResponse;
      const waiter = pending.get(response.id);
      if (waiter) {
        pending.delete(response.id);
        if (response.ok) {
          waiter.resolve(response.result);
        } else {
          waiter.reject(new Error(`${label}: ${response.error}`));
        }
      }
    });
  });
  child.removeAllListeners('exit');
  child.once('exit', () => {
    exited = true;
    for (const waiter of pending.values()) {
      waiter.reject(new Error(`${label}: exited`));
    }
    pending.clear();
  });

  return {
    pid: child.pid ?? -1,
    ready,
    call<T>(type: string, payload?: unknown, timeoutMs = 30_000): Promise<T> {
      if (exited) {
        return Promise.reject(new Error(`${label}: not running`));
      }
      const id = nextId;
      nextId += 1;
      return new Promise<T>((resolve, reject) => {
        const timer = setTimeout(() => {
          pending.delete(id);
          reject(new Error(`${label}: '${type}' got no answer within ${timeoutMs} ms`));
        }, timeoutMs);
        pending.set(id, {
          resolve: (value) => {
            clearTimeout(timer);
            resolve(value as T);
          },
          reject: (error) => {
            clearTimeout(timer);
            reject(error);
          },
        });
        child.send({ id, type, payload } satisfies IpcRequest);
      });
    },
    async stop(): Promise<void> {
      if (exited) {
        return;
      }
      const gone = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await gone;
      clearTimeout(timer);
    },
  };
}

/** The child side: answers requests with `handlers`, announces `ready`, exits on SIGTERM. */
export function serveParent(
  ready: unknown,
  handlers: Record<string, (payload: unknown) => unknown>,
  onStop: () => Promise<void>,
): void {
  process.on('message', (message: unknown) => {
    const request = message as IpcRequest;
    const handler = handlers[request.type];
    const reply = (response: IpcResponse) => process.send?.(response);
    if (!handler) {
      reply({ id: request.id, ok: false, error: `unknown request '${request.type}'` });
      return;
    }
    Promise.resolve()
      .then(() => handler(request.payload))
      .then(
        (result) => reply({ id: request.id, ok: true, result }),
        (error: unknown) =>
          reply({
            id: request.id,
            ok: false,
            error: error instanceof Error ? error.message : String(error),
          }),
      );
  });
  let stopping = false;
  const stop = () => {
    if (stopping) {
      return;
    }
    stopping = true;
    const hardExit = setTimeout(() => process.exit(0), 3_000);
    hardExit.unref();
    onStop().finally(() => process.exit(0));
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  process.on('disconnect', stop);
  process.send?.({ type: 'ready', ready });
}

/** RSS sampling inside a child: the peak since the last reset, sampled every 25 ms. */
export function rssSampler(): { peak(): number; reset(): void; current(): number } {
  let peak = process.memoryUsage.rss();
  const timer = setInterval(() => {
    const rss = process.memoryUsage.rss();
    if (rss > peak) {
      peak = rss;
    }
  }, 25);
  timer.unref();
  return {
    peak: () => Math.max(peak, process.memoryUsage.rss()),
    reset: () => {
      peak = process.memoryUsage.rss();
    },
    current: () => process.memoryUsage.rss(),
  };
}
