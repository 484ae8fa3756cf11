/** The shape of `bench/results/latest.json`. */
import type { ContenderKind } from '../procs/contender.ts';
import type { Cost, Floor, Sizes } from './floor.ts';
import type { LoadResult, OpenLoopResult } from './load.ts';
import type { Machine } from './machine.ts';
import type { Spread } from './stats.ts';

export const CONTENDER_NAMES: Record<ContenderKind, string> = {
  A: '(A) REST aggregator',
  B: '(B) naive GraphQL',
  C: '(C) deskgraph cold',
  D: '(D) deskgraph',
};

export interface Profile {
  warmupMs: number;
  runMs: number;
  runs: number;
  openMs: number;
  soakMs: number;
  probes: number;
  levelLatencyMs: number;
  openLoopShare: number;
  soakPlan: string;
  soakRate: number;
  replicasMs?: number;
  replicasWindowMs?: number;
  replicasDeadlineMs?: number;
  freshWarmupMs?: number;
  freshMs?: number;
  freshPlan?: string;
  freshRate?: number;
  freshWorkingSet?: number;
  freshChangeEveryMs?: number;
  freshSweepMs?: number;
  freshWithinMs?: number;
  saturationWarmupMs?: number;
  saturationMs?: number;
  saturationSliceMs?: number;
}

export interface Probe extends Cost {
  /** Median single-request latency with no added upstream latency (ms). */
  soloMs: number;
  errors: number;
  /** First error body seen, if any (for diagnosis). */
  error?: string;
}

export interface ScenarioResult {
  id: string;
  title: string;
  connections: number;
  latencies: number[];
  floor: Floor;
  probes: Partial<Record<ContenderKind, Probe>>;
}

export interface LoadCell {
  scenario: string;
  latencyMs: number;
  contender: ContenderKind;
  connections: number;
  closed: {
    runs: (LoadResult & {
      callsPerQuery: number;
      creditsPerQuery: number;
      cpuUsPerQuery?: number;
    })[];
    rps: Spread;
    p50: Spread;
    p99: Spread;
    errors: number;
    callsPerQuery: number;
    creditsPerQuery: number;
    /** The contender's CPU time (user + system) per answered query, µs: the median of the runs. */
    cpuUsPerQuery?: number;
  };
  open: OpenLoopResult;
  peakRssMb: number;
}

export interface SoakResult {
  contender: ContenderKind;
  rate: number;
  durationMs: number;
  open: OpenLoopResult;
  clientRateLimited: number;
  quotaExceeded: number;
  upstream429: number;
  upstreamCalls: number;
  upstreamCredits: number;
  rssStartMb: number;
  rssEndMb: number;
  rssDriftMb: number;
  peakRssMb: number;
}

/** Scenario 7: N replicas of deskgraph (sharing the budget through Redis when N > 1) on one plan. */
export interface ReplicasResult {
  replicas: number;
  /** The offered rate, and what it is against what the plan sustains for this query. */
  rate: number;
  load: number;
  durationMs: number;
  windowMs: number;
  planPerWindow: number;
  open: OpenLoopResult;
  quotaExceeded: number;
  upstream429: number;
  upstreamCalls: number;
  upstreamCredits: number;
  /** The most credits Freshdesk (the emulator) counted in one of its windows. */
  busiestWindow: number;
  /** Credits per full window, on average over the windows of the run. */
  meanWindow: number;
}

/** Scenario 8: user queries a minute one plan serves with fresh data. */
export interface FreshResult {
  contender: ContenderKind;
  offeredPerMinute: number;
  durationMs: number;
  open: OpenLoopResult;
  /** Answers without errors. */
  answered: number;
  /** Of those, answers nothing in which had changed longer than `freshWithinMs` before. */
  fresh: number;
  freshPerMinute: number;
  /** Answers carrying `extensions.stale` (served from the cache because Freshdesk could not). */
  markedStale: number;
  /** The oldest outdated data any answer showed (seconds since the change it missed). */
  maxStaleSeconds: number;
  upstreamCalls: number;
  upstreamCredits: number;
  upstream429: number;
}

/**
 * Scenario 9: deskgraph as shipped at saturation (closed loop) for a minute or more, throughput per
 * slice: does it decay as the quota window fills?
 */
export interface SaturationResult {
  /** `shipped` (the defaults), or `uncached` (ticket reads kept out of the read cache, so every query goes through the quota gate to Freshdesk). */
  variant: string;
  /** Extra configuration for this variant (none for `shipped`). */
  env: Record<string, string>;
  scenario: string;
  connections: number;
  durationMs: number;
  sliceMs: number;
  rps: number;
  p50: number;
  p99: number;
  errors: number;
  /** Requests/s per slice, in order. */
  slices: number[];
  /** Upstream calls per slice (the emulator's counter read at each slice's end). */
  callsPerSlice: number[];
  /** (last slice − first slice) / first slice, in percent. */
  firstToLastPct: number;
  peakRssMb: number;
}

export interface BenchResults {
  quick: boolean;
  machine: Machine;
  profile: Profile;
  sizes: Sizes & { tickets: number };
  scenarios: ScenarioResult[];
  cells: LoadCell[];
  soak: SoakResult[];
  /** Scenario 7 (absent in runs made before it existed). */
  replicas?: ReplicasResult[];
  /** Scenario 8 (absent in runs made before it existed). */
  fresh?: FreshResult[];
  /** Scenario 9 (absent in runs made before it existed). */
  saturation?: SaturationResult[];
  totalSeconds: number;
}

/**
 * The account's plan where the emulator's limits are off (scenarios 1-5, the saturation run): a
 * custom plan Freshdesk would grant no one, a billion credits a minute. The emulator reports it in
 * its headers (`X-RateLimit-Total`, which deskgraph trusts over what it was told) and deskgraph is
 * told it, so its quota gate is in on every call and never binds.
 */
export const BENCH_PLAN_TOTAL = 1_000_000_000;

/**
 * deskgraph's configuration in the bench where the emulator's limits are off: the plan above, and
 * the cap on one operation's credits raised (the dashboard costs more than the default 100).
 */
export const BENCH_DESKGRAPH_ENV: Readonly<Record<string, string>> = {
  FRESHDESK_PLAN: `total=${BENCH_PLAN_TOTAL}`,
  DESKGRAPH_MAX_OPERATION_CREDITS: '1000',
};
