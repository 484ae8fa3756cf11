/** The shape of `bench/results/soak.json` (`npm run soak`). */
import type { FaultOptions } from '../../src/emulator/index.ts';
import type { Machine } from './machine.ts';

export type WriteKind = 'createTicket' | 'updateTicket' | 'addNote';
export type OpKind = 'ticket' | 'list' | 'conversations' | 'search' | WriteKind;

export interface RssSample {
  /** Since the gateway was ready. */
  tSeconds: number;
  rssMb: number;
  /** The machine's 1-minute load average then. */
  load1m: number;
}

/** One write as the client saw it. */
export interface WriteOutcome {
  kind: WriteKind;
  marker: string;
  attempts: number;
  /**
   * `ok`: answered without errors (perhaps after retries); `ambiguous`: an error not marked
   * retryable (it may have been made); `refused`: retryable errors until the attempts ran out.
   */
  result: 'ok' | 'ambiguous' | 'refused';
  /** Every error code the attempts got, in order. */
  codes: string[];
}

/** The audit of one kind of write. */
export interface AuditRow {
  writes: number;
  /** The client saw it succeed. */
  succeeded: number;
  /** Sent more than once (retryable errors first). */
  retried: number;
  /** Succeeded and found exactly once. */
  exactlyOnce: number;
  /** Succeeded and not found. */
  lost: number;
  /** Found more than once (or found although refused as retryable). */
  duplicated: number;
  /** Retryable errors until the attempts ran out (found: counted under `duplicated`). */
  refused: number;
  /** By the last error code: found (the change was made) or not. */
  ambiguous: Record<string, { made: number; notMade: number }>;
}

export interface SoakReport {
  date: string;
  machine: Machine;
  loadAverage1m: { start: number; end: number };
  settings: {
    durationSeconds: number;
    ratePerSecond: number;
    mix: OpKind[];
    sampleSeconds: number;
    warmupSeconds: number;
    windowSeconds: number;
    maxWriteAttempts: number;
    plan: Record<string, number>;
    faults: FaultOptions;
    gateway: string;
  };
  rss: {
    samples: RssSample[];
    /** Median over the window after the warm-up. */
    afterWarmupMb: number;
    /** Median over the last window. */
    lastMb: number;
    growthPct: number;
    peakMb: number;
    pass: boolean;
  };
  requests: {
    /** HTTP requests (a retried write counts each attempt). */
    sent: number;
    answeredWithoutErrors: number;
    withErrors: number;
    /** Due while `maxInFlight` operations were under way: not sent. */
    skippedOverloaded: number;
    byKind: Partial<
      Record<
        OpKind,
        { sent: number; ok: number; withErrors: number; codes: Record<string, number> }
      >
    >;
    /** Every error by `extensions.code` (`CLIENT_TIMEOUT`, `CLIENT_TRANSPORT`: no answer). */
    errorsByCode: Record<string, number>;
    latencyMs: { p50: number; p99: number; max: number };
    /** How long answers still under way took after the last operation was sent. */
    drainSeconds: number;
  };
  writes: {
    audit: Record<WriteKind, AuditRow>;
    /** The first 50 lost or duplicated writes. */
    problems: string[];
    pass: boolean;
  };
  /** The emulator's exact counters over the run. */
  upstream: {
    calls: number;
    credits: number;
    status: Record<string, number>;
    faults: Record<string, number>;
    writes: Record<string, number>;
  };
  /** The gateway's exit code on SIGTERM (0: a clean stop). */
  gatewayExit: number | null;
  pass: boolean;
}
