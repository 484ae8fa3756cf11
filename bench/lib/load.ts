/**
 * Load drivers.
 *
 * - `closedLoop`: autocannon with a fixed number of connections, each sending its next request
 *   when the previous answer arrives (requests per second, latency at fixed concurrency). Latencies
 *   come from autocannon's `response` events as exact floats (its histogram rounds to whole ms).
 * - `openLoop`: a fixed arrival rate, our own driver over an undici pool: request i is due at
 *   t0 + i / rate and its latency is measured from that scheduled time, not from when it could be
 *   sent, so a stalled server's queueing shows up in the figures (coordinated-omission-safe).
 */
import { performance } from 'node:perf_hooks';
import autocannon from 'autocannon';
import { Pool } from 'undici';
import { percentile, sortNumbers } from './stats.ts';

export interface HttpRequest {
  method: 'GET' | 'POST';
  path: string;
  body?: string;
}

export type RequestMaker = () => HttpRequest;

export interface LoadResult {
  /** Completed responses (any status). */
  completed: number;
  /** Completed per second of the run. */
  rps: number;
  p50: number;
  p99: number;
  /** Transport errors, timeouts, non-2xx, and 2xx bodies carrying GraphQL `errors`. */
  errors: number;
  durationMs: number;
  /** With `sliceMs`: requests/s answered in each consecutive slice of the run (a last partial slice left out). */
  slices?: number[];
}

const JSON_HEADERS: Readonly<Record<string, string>> = {
  'content-type': 'application/json',
  accept: 'application/json',
};

/** Whether an answer carries errors (GraphQL-style bodies for every contender). */
export const hasErrors = (body: string): boolean => body.includes('"errors"');

export function closedLoop(options: {
  origin: string;
  connections: number;
  durationMs: number;
  next: RequestMaker;
  /** Count answers per slice of this length too (throughput over time). */
  sliceMs?: number;
}): Promise<LoadResult> {
  const latencies: number[] = [];
  const sliceMs = options.sliceMs;
  const perSlice: number[] = [];
  let errors = 0;
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const instance = autocannon(
      {
        url: options.origin,
        connections: options.connections,
        duration: options.durationMs / 1000,
        timeout: 30,
        // autocannon notices the end of `duration` on its sampling tick: tick often.
        sampleInt: 100,
        headers: { ...JSON_HEADERS },
        requests: [
          {
            setupRequest: (request) => {
              const next = options.next();
              // A fresh headers object each time: autocannon writes Content-Length into it.
              return { ...request, ...next, headers: { ...JSON_HEADERS } };
            },
          },
        ],
        verifyBody: (body) => !hasErrors(body),
      },
      (error, result) => {
        if (error) {
          reject(error);
          return;
        }
        const durationMs = performance.now() - started;
        const sorted = sortNumbers(latencies);
        errors += result.errors + result.timeouts + result.non2xx;
        const whole = sliceMs ? Math.floor(durationMs / sliceMs) : 0;
        resolve({
          completed: latencies.length,
          rps: latencies.length / (durationMs / 1000),
          p50: percentile(sorted, 50),
          p99: percentile(sorted, 99),
          errors,
          durationMs,
          ...(sliceMs
            ? {
                slices: Array.from(
                  { length: whole },
                  (_, i) => (perSlice[i] ?? 0) / (sliceMs / 1000),
                ),
              }
            : {}),
        });
      },
    );
    instance.on('response', (_client: unknown, _status: number, _bytes: number, ms: number) => {
      latencies.push(ms);
      if (sliceMs) {
        const slice = Math.floor((performance.now() - started) / sliceMs);
        perSlice[slice] = (perSlice[slice] ?? 0) + 1;
      }
    });
    instance.on('reqMismatch', () => {
      errors += 1;
    });
  });
}

export interface OpenLoopResult {
  rate: number;
  scheduled: number;
  completed: number;
  /** Not sent because `maxInFlight` requests were already waiting (the server could not keep up). */
  dropped: number;
  p50: number;
  p99: number;
  max: number;
  errors: number;
  /** `extensions.code` of every error seen, counted. */
  codes: Record<string, number>;
  durationMs: number;
}

/**
 * A fixed arrival rate for `durationMs`; latencies from each request's scheduled send time. With
 * several origins (replicas), requests go to each in turn, as a round-robin load balancer sends them.
 */
export async function openLoop(options: {
  origin: string | readonly string[];
  rate: number;
  durationMs: number;
  next: RequestMaker;
  /** @default 256 */
  maxInFlight?: number;
  /** How long to wait for stragglers after the last send. @default 15000 */
  drainMs?: number;
  /** Called about once a second (e.g. to sample RSS). */
  onSecond?: (elapsedMs: number) => void;
  /** Every answer's body, with the request it answers, as it arrives (e.g. to check freshness). */
  onAnswer?: (request: HttpRequest, body: string, error: boolean) => void;
}): Promise<OpenLoopResult> {
  const maxInFlight = options.maxInFlight ?? 256;
  const origins = typeof options.origin === 'string' ? [options.origin] : options.origin;
  const pools = origins.map(
    (origin) =>
      new Pool(origin, {
        connections: maxInFlight,
        pipelining: 1,
        keepAliveTimeout: 30_000,
      }),
  );
  const total = Math.max(1, Math.round((options.rate * options.durationMs) / 1000));
  const interval = 1000 / options.rate;
  const latencies: number[] = [];
  const codes: Record<string, number> = {};
  let errors = 0;
  let dropped = 0;
  let inFlight = 0;
  let sent = 0;
  const t0 = performance.now() + 20;
  let lastSecond = 0;

  const fire = (scheduledAt: number): Promise<void> => {
    const request = options.next();
    const pool = pools[sent % pools.length] as Pool;
    inFlight += 1;
    return pool
      .request({
        method: request.method,
        path: request.path,
        headers: { ...JSON_HEADERS },
        body: request.body,
        headersTimeout: 30_000,
        bodyTimeout: 30_000,
      })
      .then(async (response) => {
        const text = await response.body.text();
        latencies.push(performance.now() - scheduledAt);
        const failed = response.statusCode !== 200 || hasErrors(text);
        options.onAnswer?.(request, text, failed);
        if (failed) {
          errors += 1;
          for (const match of text.matchAll(/"code":"([A-Z_]+)"/g)) {
            const code = match[1] as string;
            codes[code] = (codes[code] ?? 0) + 1;
          }
          if (response.statusCode !== 200) {
            const key = `HTTP_${response.statusCode}`;
            codes[key] = (codes[key] ?? 0) + 1;
          }
        }
      })
      .catch(() => {
        latencies.push(performance.now() - scheduledAt);
        errors += 1;
        codes.TRANSPORT = (codes.TRANSPORT ?? 0) + 1;
      })
      .finally(() => {
        inFlight -= 1;
      });
  };

  const pending: Promise<void>[] = [];
  await new Promise<void>((resolve) => {
    const tick = () => {
      const now = performance.now();
      while (sent < total && t0 + sent * interval <= now) {
        const scheduledAt = t0 + sent * interval;
        sent += 1;
        if (inFlight >= maxInFlight) {
          dropped += 1;
          continue;
        }
        pending.push(fire(scheduledAt));
      }
      const elapsed = now - t0;
      if (options.onSecond && elapsed >= (lastSecond + 1) * 1000) {
        lastSecond = Math.floor(elapsed / 1000);
        options.onSecond(elapsed);
      }
      if (sent >= total) {
        resolve();
        return;
      }
      const wait = Math.max(0, t0 + sent * interval - performance.now());
      setTimeout(tick, Math.min(wait, 50));
    };
    setTimeout(tick, 20);
  });
  const drainMs = options.drainMs ?? 15_000;
  let drainTimer: ReturnType<typeof setTimeout> | undefined;
  await Promise.race([
    Promise.allSettled(pending),
    new Promise<void>((resolve) => {
      drainTimer = setTimeout(resolve, drainMs);
    }),
  ]);
  clearTimeout(drainTimer);
  const durationMs = performance.now() - t0;
  const unanswered = total - dropped - latencies.length;
  await Promise.all(pools.map((pool) => pool.destroy()));
  // Requests never sent (or never answered) count as infinitely late, so a saturated contender's
  // percentiles say so instead of describing only the lucky requests.
  const lost = dropped + Math.max(0, unanswered);
  const sorted = sortNumbers([...latencies, ...new Array<number>(lost).fill(Infinity)]);
  return {
    rate: options.rate,
    scheduled: total,
    completed: latencies.length,
    dropped: lost,
    p50: percentile(sorted, 50),
    p99: percentile(sorted, 99),
    max: latencies.length > 0 ? Math.max(...latencies) : Number.NaN,
    errors,
    codes,
    durationMs,
  };
}
