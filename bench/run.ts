/**
 * `npm run bench` (`tsx bench/run.ts [--quick] [--only s1,s3,s7,s8,s9] [--contenders A,D] [--no-soak]
 * [--no-replicas] [--no-fresh] [--no-saturation]`, or `--render` to rewrite latest.md from latest.json):
 * deskgraph side by side with a hand-written REST aggregator (A), a naive GraphQL gateway (B),
 * deskgraph with its cross-request caches off (C) and deskgraph as shipped (D), against the
 * emulator, in one run on one machine. Writes `bench/results/latest.json` and `latest.md`.
 *
 * Processes: this one drives the load (autocannon, closed loop; our own open-loop driver); the
 * emulator and each contender run in their own child process, so RSS is per contender and the
 * emulator does not share the gateway's event loop. Everything is on loopback, and every loop is
 * bounded in count and time.
 */
import { readFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { request } from 'undici';
import { buildDist, NODE_FLAGS } from '../scripts/build.ts';
import { PLAN_PRESETS } from '../src/quota/plans.ts';
import { type Child, startChild } from './lib/child.ts';
import {
  dashboardFloor,
  type Floor,
  oracle,
  type Sizes,
  ticketFloor,
  ticketPeopleFloor,
  ticketsPeopleFloor,
} from './lib/floor.ts';
import {
  closedLoop,
  type HttpRequest,
  hasErrors,
  type OpenLoopResult,
  openLoop,
  type RequestMaker,
} from './lib/load.ts';
import { machine } from './lib/machine.ts';
import { BENCH_REDIS_URL, deleteUnder, redisAnswers } from './lib/redis.ts';
import { renderMarkdown } from './lib/report.ts';
import { median, mulberry32, round, spread, zipfSampler } from './lib/stats.ts';
import {
  BENCH_DESKGRAPH_ENV,
  BENCH_PLAN_TOTAL,
  type BenchResults,
  CONTENDER_NAMES,
  type FreshResult,
  type LoadCell,
  type Probe,
  type ReplicasResult,
  type SaturationResult,
  type ScenarioResult,
  type SoakResult,
} from './lib/types.ts';
import type { ContenderKind, ContenderReady, ContenderSpec, RssReport } from './procs/contender.ts';
import type { EmulatorReady } from './procs/emulator.ts';
import { queryVariants } from './queries/variants.ts';

// ---------------------------------------------------------------------------------------------
// Settings

const argv = process.argv.slice(2);
const flag = (name: string) => argv.includes(name);
const listArg = (name: string): string[] | undefined => {
  const index = argv.indexOf(name);
  return index === -1 ? undefined : (argv[index + 1] ?? '').split(',').filter(Boolean);
};
const QUICK = flag('--quick');

const PROFILE = QUICK
  ? {
      warmupMs: 300,
      runMs: 500,
      runs: 3,
      openMs: 1_000,
      soakMs: 20_000,
      probes: 3,
      replicasMs: 8_000,
      replicasWindowMs: 2_000,
      freshWarmupMs: 20_000,
      freshMs: 20_000,
      saturationWarmupMs: 5_000,
      saturationMs: 20_000,
      saturationSliceMs: 5_000,
    }
  : {
      warmupMs: 1_000,
      runMs: 2_000,
      runs: 3,
      openMs: 3_000,
      soakMs: 90_000,
      probes: 5,
      replicasMs: 30_000,
      replicasWindowMs: 10_000,
      freshWarmupMs: 120_000,
      freshMs: 60_000,
      saturationWarmupMs: 10_000,
      saturationMs: 60_000,
      saturationSliceMs: 10_000,
    };
/** Added upstream latency while measuring round-trip levels (large against the noise). */
const LEVEL_LATENCY_MS = 40;
/** The fixed arrival rate of the open-loop runs: this share of the slowest contender's closed-loop rate. */
const OPEN_LOOP_SHARE = 0.5;
/** Scenario 6: the account's plan, and the arrival rate (about 77% of it at 2 credits a query). */
const SOAK_PLAN = 'enterprise';
const SOAK_RATE = 4.5;
/**
 * Scenario 7: deskgraph as shipped, 1 replica against 3 sharing the budget through Redis, on the
 * same plan (its per-minute limit on, the window shortened to `replicasWindowMs` on both sides), at
 * two fixed arrival rates of the scenario-4 query: below what the plan sustains, and above it.
 */
const REPLICAS_PLAN = 'enterprise' as const;
const REPLICA_COUNTS = [1, 3];
const REPLICAS_LOADS = [0.8, 1.5];
/** The scenario-4 query warm: the ticket with its requester embedded (2 credits), agents cached. */
const REPLICAS_CREDITS_PER_QUERY = 2;
/** Queued requests give up sooner than the default 30 s, so a run over the plan drains quickly. */
const REPLICAS_DEADLINE_MS = 10_000;
/**
 * Scenario 8 ("fresh data on one Growth plan"): the plan, the offered rate (user queries a second:
 * half the newest page of 30 tickets with people, half one ticket of the working set over Zipf
 * ids), the working set (the newest tickets, the ones agents work on), how often an agent changes
 * one of them in Freshdesk's UI (no webhook: only the sweep tells), and deskgraph's sweep interval.
 */
const FRESH_PLAN = 'growth';
const FRESH_RATE = 30;
const FRESH_WORKING_SET = 200;
const FRESH_CHANGE_EVERY_MS = 3_000;
const FRESH_SWEEP_MS = 15_000;
/** An answer counts as fresh when nothing it shows changed more than this long before it arrived. */
const FRESH_WITHIN_MS = FRESH_SWEEP_MS + 2_000;

const ALL_CONTENDERS: ContenderKind[] = ['A', 'B', 'C', 'D'];
const CONTENDERS = (listArg('--contenders') ?? ALL_CONTENDERS) as ContenderKind[];

const here = new URL('.', import.meta.url);
const query = (file: string) => readFileSync(new URL(`queries/${file}`, here), 'utf8');
const QUERIES = {
  freshTicket: query('fresh-ticket.graphql'),
  ticket: query('ticket.graphql'),
  ticketsPeople: query('tickets-people.graphql'),
  dashboard: query('dashboard.graphql'),
  ticketPeople: query('ticket-people.graphql'),
};
const VARIANTS = queryVariants(1_200);

// ---------------------------------------------------------------------------------------------
// Scenarios

interface Scenario {
  id: string;
  title: string;
  latencies: number[];
  connections: number;
  /** A fresh request stream for one contender (seeded: every contender sees the same sequence). */
  stream(kind: ContenderKind): RequestMaker;
  floor(): Promise<Floor>;
}

/** Zipf-distributed picks from `ids` (ranks mapped to ids through a fixed shuffle). */
function zipfFor(ids: readonly number[], seed: number): () => number {
  const shuffled = [...ids];
  const random = mulberry32(seed + 1);
  for (let i = shuffled.length - 1; i > 0; i -= 1) {
    const j = Math.floor(random() * (i + 1));
    [shuffled[i], shuffled[j]] = [shuffled[j] as number, shuffled[i] as number];
  }
  const rank = zipfSampler(shuffled.length, 1, seed);
  return () => shuffled[rank()] as number;
}

const gql = (body: object): HttpRequest => ({
  method: 'POST',
  path: '/graphql',
  body: JSON.stringify(body),
});

function scenarios(emu: EmulatorReady, sizes: Sizes): Scenario[] {
  const ids = emu.ticketIds;
  const get = oracle(emu.origin, emu.adminKey);
  const uniform = (seed: number) => {
    const random = mulberry32(seed);
    return () => ids[Math.floor(random() * ids.length)] as number;
  };
  // Ranks map to ids through a fixed shuffle, so the popular tickets are spread over the range.
  const zipf = (seed: number) => zipfFor(ids, seed);
  const firstIds = (pick: () => number, n: number) => Array.from({ length: n }, pick);

  const page = (id: string, first: number, title: string): Scenario => ({
    id,
    title,
    latencies: [0, 5],
    connections: 10,
    stream: (kind) => () =>
      kind === 'A'
        ? { method: 'GET', path: `/tickets-people?first=${first}` }
        : gql({ query: QUERIES.ticketsPeople, variables: { first } }),
    floor: () => ticketsPeopleFloor(get, first, sizes),
  });
  const zipfScenario = (connections: number): Scenario => ({
    id: `s4-${connections}`,
    title: `4. ${connections} clients, Zipf ids (ticket + requester + responder)`,
    latencies: [5],
    connections,
    stream: (kind) => {
      const next = zipf(4);
      return () => {
        const id = next();
        return kind === 'A'
          ? { method: 'GET', path: `/ticket-people/${id}` }
          : gql({ query: QUERIES.ticketPeople, variables: { id: String(id) } });
      };
    },
    floor: () => ticketPeopleFloor(get, firstIds(zipf(4), PROFILE.probes), sizes),
  });
  return [
    {
      id: 's1',
      title: '1. One ticket by id',
      latencies: [0, 5],
      connections: 10,
      stream: (kind) => {
        const next = uniform(1);
        return () => {
          const id = next();
          return kind === 'A'
            ? { method: 'GET', path: `/ticket/${id}` }
            : gql({ query: QUERIES.ticket, variables: { id: String(id) } });
        };
      },
      floor: async () => ticketFloor(),
    },
    page('s2-30', 30, '2. 30 tickets + requester, company, responder'),
    page('s2-100', 100, '2. 100 tickets + requester, company, responder'),
    {
      id: 's3',
      title: '3. Dashboard: 100 tickets + conversations + requester company',
      latencies: [0, 5],
      connections: 10,
      stream: (kind) => () =>
        kind === 'A'
          ? { method: 'GET', path: '/dashboard?first=100' }
          : gql({ query: QUERIES.dashboard, variables: { first: 100 } }),
      floor: () => dashboardFloor(get, 100, sizes),
    },
    zipfScenario(50),
    zipfScenario(200),
    {
      id: 's5',
      title: `5. ${VARIANTS.length.toLocaleString('en-US')} distinct documents (ticket by id)`,
      latencies: [0],
      connections: 10,
      stream: (kind) => {
        const next = uniform(5);
        let k = 0;
        return () => {
          const variant = VARIANTS[k % VARIANTS.length] as (typeof VARIANTS)[number];
          k += 1;
          const id = next();
          return kind === 'A'
            ? { method: 'GET', path: `/ticket/${id}?fields=${variant.fields.join(',')}` }
            : gql({ query: variant.query, variables: { id: String(id) } });
        };
      },
      floor: async () => ticketFloor(),
    },
  ];
}

// ---------------------------------------------------------------------------------------------
// Processes

interface EmuStats {
  totalCalls: number;
  totalCredits: number;
  status: Record<string, number>;
  rejected: number;
}

interface Running {
  kind: ContenderKind;
  child: Child<ContenderReady>;
  origin: string;
}

const emulatorFile = new URL('procs/emulator.ts', here);
/**
 * Every contender runs as compiled JavaScript (`procs/contender.ts` bundled by `scripts/build.ts`,
 * rebuilt at the start of each run) with the Node flags `npm start` uses: deskgraph as shipped, and
 * (A) and (B) on the same footing. No TypeScript loader in a measured process; the emulator and
 * this driver still run under tsx.
 */
const contenderFile = new URL('../dist/bench/contender.js', here);
/** Where the contenders' log lines (stderr) go: one file per bench run, in the temp directory. */
const CONTENDER_LOG = join(tmpdir(), `deskgraph-bench-contenders-${process.pid}.log`);

function startEmulatorProcess(options: Record<string, unknown>, label: string) {
  return startChild<EmulatorReady>(emulatorFile, [JSON.stringify(options)], label);
}

async function startContender(
  kind: ContenderKind,
  emu: EmulatorReady,
  env: Record<string, string> = {},
): Promise<Running> {
  const spec: ContenderSpec = {
    kind,
    upstreamOrigin: emu.origin,
    apiKey: emu.adminKey,
    env: { ...BENCH_DESKGRAPH_ENV, ...env },
  };
  const child = await startChild<ContenderReady>(
    contenderFile,
    [JSON.stringify(spec)],
    CONTENDER_NAMES[kind],
    NODE_FLAGS,
    // deskgraph logs as `npm start` does (LOG_LEVEL's default, info: a line per request) to a file.
    CONTENDER_LOG,
  );
  return { kind, child, origin: new URL(child.ready.url).origin };
}

async function send(origin: string, req: HttpRequest): Promise<{ ms: number; body: string }> {
  const started = performance.now();
  const response = await request(`${origin}${req.path}`, {
    method: req.method,
    headers: { 'content-type': 'application/json', accept: 'application/json' },
    body: req.body,
  });
  const body = await response.body.text();
  return { ms: performance.now() - started, body };
}

/**
 * Waits until the emulator has seen no new call for 250 ms (at most 20 s): a closed-loop run ends
 * with requests still in flight, and their upstream work must not leak into the next measurement.
 */
async function settle(emulator: Child<EmulatorReady>): Promise<void> {
  const deadline = Date.now() + 20_000;
  let last = -1;
  while (Date.now() < deadline) {
    const { totalCalls } = await emulator.call<EmuStats>('stats');
    if (totalCalls === last) {
      return;
    }
    last = totalCalls;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

// ---------------------------------------------------------------------------------------------
// Measurements

/**
 * Calls and credits per query from the emulator's exact counters (after one discarded warm-up
 * query: for D that is the warm state), and round-trip levels: the extra end-to-end time when every
 * upstream answer is delayed by LEVEL_LATENCY_MS, divided by it.
 */
async function probe(
  run: Running,
  scenario: Scenario,
  emulator: Child<EmulatorReady>,
): Promise<Probe> {
  const stream = scenario.stream(run.kind);
  const requests = Array.from({ length: PROFILE.probes }, stream);
  await emulator.call('faults', {});
  await settle(emulator);
  await send(run.origin, requests[0] as HttpRequest);
  await emulator.call('reset');
  const solo: number[] = [];
  let errors = 0;
  let error: string | undefined;
  for (const req of requests) {
    const { ms, body } = await send(run.origin, req);
    solo.push(ms);
    if (hasErrors(body)) {
      errors += 1;
      error ??= body.slice(0, 400);
    }
  }
  const stats = await emulator.call<EmuStats>('stats');
  await emulator.call('faults', { latencyMs: LEVEL_LATENCY_MS });
  const slow: number[] = [];
  for (const req of requests) {
    slow.push((await send(run.origin, req)).ms);
  }
  await emulator.call('faults', {});
  const soloMs = median(solo);
  return {
    calls: stats.totalCalls / requests.length,
    credits: stats.totalCredits / requests.length,
    levels: Math.max(0, Math.round((median(slow) - soloMs) / LEVEL_LATENCY_MS)),
    soloMs,
    errors,
    error,
  };
}

/** Closed loop at the scenario's connections: warm-up, then `runs` measured runs; peak RSS. */
async function closedCell(
  run: Running,
  scenario: Scenario,
  latencyMs: number,
  emulator: Child<EmulatorReady>,
): Promise<Omit<LoadCell, 'open'>> {
  await emulator.call('faults', latencyMs > 0 ? { latencyMs } : {});
  await run.child.call('reset-rss');
  const closedOptions = {
    origin: run.origin,
    connections: scenario.connections,
    next: scenario.stream(run.kind),
  };
  await closedLoop({ ...closedOptions, durationMs: PROFILE.warmupMs });
  const runs: LoadCell['closed']['runs'] = [];
  for (let i = 0; i < PROFILE.runs; i += 1) {
    await settle(emulator);
    await emulator.call('reset');
    const cpuBefore = await run.child.call<number>('cpu');
    const result = await closedLoop({ ...closedOptions, durationMs: PROFILE.runMs });
    const cpuUs = (await run.child.call<number>('cpu')) - cpuBefore;
    const stats = await emulator.call<EmuStats>('stats');
    runs.push({
      ...result,
      cpuUsPerQuery: cpuUs / Math.max(1, result.completed),
      callsPerQuery: stats.totalCalls / Math.max(1, result.completed),
      creditsPerQuery: stats.totalCredits / Math.max(1, result.completed),
    });
  }
  const rss = await run.child.call<RssReport>('rss');
  await settle(emulator);
  await emulator.call('faults', {});
  return {
    scenario: scenario.id,
    latencyMs,
    contender: run.kind,
    connections: scenario.connections,
    closed: {
      runs,
      rps: spread(runs.map((r) => r.rps)),
      p50: spread(runs.map((r) => r.p50)),
      p99: spread(runs.map((r) => r.p99)),
      errors: runs.reduce((n, r) => n + r.errors, 0),
      callsPerQuery: median(runs.map((r) => r.callsPerQuery)),
      creditsPerQuery: median(runs.map((r) => r.creditsPerQuery)),
      cpuUsPerQuery: median(runs.map((r) => r.cpuUsPerQuery ?? 0)),
    },
    peakRssMb: rss.peak / 2 ** 20,
  };
}

/** The fixed arrival rate run (coordinated-omission-safe latencies). */
async function openCell(
  run: Running,
  scenario: Scenario,
  latencyMs: number,
  emulator: Child<EmulatorReady>,
  rate: number,
): Promise<OpenLoopResult> {
  await settle(emulator);
  await emulator.call('faults', latencyMs > 0 ? { latencyMs } : {});
  const open = await openLoop({
    origin: run.origin,
    rate,
    durationMs: PROFILE.openMs,
    next: scenario.stream(run.kind),
    drainMs: 10_000,
  });
  await emulator.call('faults', {});
  return open;
}

/**
 * Each contender against its own emulator (its own account) with `plan`'s per-minute limits on;
 * deskgraph told the plan (and `env`), shaping on.
 */
function ownAccounts(
  kinds: ContenderKind[],
  plan: string,
  label: string,
  env: Record<string, string> = {},
): Promise<{ kind: ContenderKind; emulator: Child<EmulatorReady>; run: Running }[]> {
  return Promise.all(
    kinds.map(async (kind) => {
      const emulator = await startEmulatorProcess(
        { plan, rateLimit: true },
        `${label} emulator ${kind}`,
      );
      const run = await startContender(kind, emulator.ready, {
        FRESHDESK_PLAN: plan,
        ...env,
      });
      return { kind, emulator, run };
    }),
  );
}

const stopAccounts = (pairs: { emulator: Child<EmulatorReady>; run: Running }[]) =>
  Promise.all(pairs.flatMap(({ emulator, run }) => [run.child.stop(), emulator.stop()]));

/**
 * Scenario 6: every contender at once, each against its own emulator (its own account) with the
 * per-minute limit on, at a fixed arrival rate of the scenario-4 query over Zipf ids.
 */
async function soak(kinds: ContenderKind[]): Promise<SoakResult[]> {
  const pairs = await ownAccounts(kinds, SOAK_PLAN, 'soak');
  try {
    const emu = pairs[0]?.emulator.ready as EmulatorReady;
    const zipfScenario = scenarios(emu, { contacts: 0, companies: 0, agents: 0 }).find(
      (s) => s.id === 's4-50',
    ) as Scenario;
    return await Promise.all(
      pairs.map(async ({ kind, emulator, run }) => {
        await run.child.call('reset-rss');
        const samples: number[] = [];
        const sample = () =>
          run.child.call<RssReport>('rss').then(
            (r) => samples.push(r.current),
            () => {},
          );
        const open = await openLoop({
          origin: run.origin,
          rate: SOAK_RATE,
          durationMs: PROFILE.soakMs,
          next: zipfScenario.stream(kind),
          drainMs: 35_000,
          onSecond: () => void sample(),
        });
        await sample();
        const rss = await run.child.call<RssReport>('rss');
        const stats = await emulator.call<EmuStats>('stats');
        // Drift: the end of the run against its first third's end (the warm-up is behind it by
        // then), each the median of three one-second samples.
        const third = Math.floor(samples.length / 3);
        const start = median(samples.slice(Math.max(0, third - 1), third + 2));
        const end = median(samples.slice(-3));
        return {
          contender: kind,
          rate: SOAK_RATE,
          durationMs: PROFILE.soakMs,
          open,
          clientRateLimited: open.codes.RATE_LIMITED ?? 0,
          quotaExceeded: open.codes.QUOTA_EXCEEDED ?? 0,
          upstream429: stats.status['429'] ?? 0,
          upstreamCalls: stats.totalCalls,
          upstreamCredits: stats.totalCredits,
          rssStartMb: start / 2 ** 20,
          rssEndMb: end / 2 ** 20,
          rssDriftMb: (end - start) / 2 ** 20,
          peakRssMb: rss.peak / 2 ** 20,
        };
      }),
    );
  } finally {
    await stopAccounts(pairs);
  }
}

/** One ticket version an answer showed: its id and `updatedAt`. */
type Shown = [id: string, updatedAt: string];

/** The tickets (id, updatedAt) a scenario-7 answer shows: a page's nodes, or one ticket. */
function shownIn(body: string): Shown[] {
  let parsed: { data?: Record<string, unknown> | null };
  try {
    parsed = JSON.parse(body) as typeof parsed;
  } catch {
    return [];
  }
  const data = parsed.data ?? {};
  const nodes =
    (data.tickets as { nodes?: { id: string; updatedAt: string }[] } | undefined)?.nodes ??
    (data.ticket ? [data.ticket as { id: string; updatedAt: string }] : []);
  return nodes.map((node) => [node.id, node.updatedAt]);
}

/**
 * Scenario 8: how many user queries a minute one Growth plan (200 credits, 20 ticket-list calls)
 * serves with fresh data. Each contender against its own emulator (its own account, limits on),
 * at the same offered rate over the same working set, while agents change tickets in Freshdesk's
 * UI every few seconds (the ones users look at: the newest page and the most viewed). deskgraph runs as shipped with the
 * plan told and its sweep at FRESH_SWEEP_MS (no webhooks: the sweep is all that tells it). An
 * answer is fresh when none of the tickets it shows had changed more than FRESH_WITHIN_MS before
 * it arrived, and it carries no `extensions.stale`. A warm-up first (not counted), then one
 * measured run.
 */
async function fresh(kinds: ContenderKind[]): Promise<FreshResult[]> {
  const pairs = await ownAccounts(kinds, FRESH_PLAN, 'fresh', {
    DESKGRAPH_RECONCILE_INTERVAL_MS: String(FRESH_SWEEP_MS),
  });
  try {
    return await Promise.all(
      pairs.map(async ({ kind, emulator, run }) => {
        // The working set: the newest tickets (display ids grow with creation).
        const ids = [...emulator.ready.ticketIds].sort((a, b) => b - a).slice(0, FRESH_WORKING_SET);
        const zipfNext = zipfFor(ids, 7);
        // The tickets users look at most: the newest (the page) and the most viewed ids.
        const viewed = new Map<number, number>();
        const sampler = zipfFor(ids, 7);
        for (let i = 0; i < 2_000; i += 1) {
          const id = sampler();
          viewed.set(id, (viewed.get(id) ?? 0) + 1);
        }
        const popular = [...viewed.entries()].sort((a, b) => b[1] - a[1]).map(([id]) => id);
        const newest = ids.slice(0, 30);
        const hot = [...newest, ...popular.slice(0, 30)];
        const changes = new Map<string, { updatedAt: string; at: number }[]>();
        const random = mulberry32(70);
        const change = async () => {
          const id = hot[Math.floor(random() * hot.length)] as number;
          const done = await emulator.call<{ id: number; updatedAt: string } | null>('touch', {
            id,
          });
          if (done) {
            const list = changes.get(String(done.id)) ?? [];
            list.push({ updatedAt: done.updatedAt, at: performance.now() });
            changes.set(String(done.id), list);
          }
        };
        let k = 0;
        const next: RequestMaker = () => {
          k += 1;
          if (k % 2 === 0) {
            return kind === 'A'
              ? { method: 'GET', path: '/tickets-people?first=30' }
              : gql({ query: QUERIES.ticketsPeople, variables: { first: 30 } });
          }
          const id = zipfNext();
          return kind === 'A'
            ? { method: 'GET', path: `/ticket-people/${id}?updatedAt=1` }
            : gql({ query: QUERIES.freshTicket, variables: { id: String(id) } });
        };
        const changer = setInterval(() => void change().catch(() => {}), FRESH_CHANGE_EVERY_MS);
        try {
          await openLoop({
            origin: run.origin,
            rate: FRESH_RATE,
            durationMs: PROFILE.freshWarmupMs,
            next,
            drainMs: 35_000,
          });
          await emulator.call('reset');
          let ok = 0;
          let freshAnswers = 0;
          let markedStale = 0;
          let maxStaleMs = 0;
          const open = await openLoop({
            origin: run.origin,
            rate: FRESH_RATE,
            durationMs: PROFILE.freshMs,
            next,
            drainMs: 35_000,
            onAnswer: (_request, body, failed) => {
              if (failed) {
                return;
              }
              ok += 1;
              const now = performance.now();
              let staleMs = 0;
              for (const [id, updatedAt] of shownIn(body)) {
                // The first change after the version shown: since then, the answer was outdated.
                const after = changes.get(id)?.find((c) => c.updatedAt > updatedAt);
                if (after) {
                  staleMs = Math.max(staleMs, now - after.at);
                }
              }
              maxStaleMs = Math.max(maxStaleMs, staleMs);
              const marked = body.includes('"stale":[');
              markedStale += marked ? 1 : 0;
              freshAnswers += staleMs <= FRESH_WITHIN_MS && !marked ? 1 : 0;
            },
          });
          const stats = await emulator.call<EmuStats>('stats');
          const minutes = PROFILE.freshMs / 60_000;
          return {
            contender: kind,
            offeredPerMinute: FRESH_RATE * 60,
            durationMs: PROFILE.freshMs,
            open,
            answered: ok,
            fresh: freshAnswers,
            freshPerMinute: freshAnswers / minutes,
            markedStale,
            maxStaleSeconds: maxStaleMs / 1000,
            upstreamCalls: stats.totalCalls,
            upstreamCredits: stats.totalCredits,
            upstream429: stats.status['429'] ?? 0,
          };
        } finally {
          clearInterval(changer);
        }
      }),
    );
  } finally {
    await stopAccounts(pairs);
  }
}

/**
 * Scenario 7: N replicas of deskgraph on one account and plan, behind a round-robin load balancer
 * (the open-loop driver sends to each in turn); with N > 1 they share the budget through Redis, as
 * deployed. The emulator's windows say what Freshdesk would have counted.
 */
async function replicasScenario(log: (line: string) => void): Promise<ReplicasResult[]> {
  if (!(await redisAnswers())) {
    log(`s7: skipped: no Redis answers at ${BENCH_REDIS_URL} (set REDIS_URL)`);
    return [];
  }
  const windowMs = PROFILE.replicasWindowMs;
  const planPerWindow = PLAN_PRESETS[REPLICAS_PLAN].total;
  // Interactive work may spend 90% of the plan (the webhook share is kept).
  const sustainable = (0.9 * planPerWindow) / (windowMs / 1000) / REPLICAS_CREDITS_PER_QUERY;
  const results: ReplicasResult[] = [];
  for (const load of REPLICAS_LOADS) {
    for (const count of REPLICA_COUNTS) {
      const emulator = await startEmulatorProcess(
        { plan: REPLICAS_PLAN, rateLimit: true, windowMs },
        `s7 emulator ${count}`,
      );
      const prefix = `deskgraph-bench:${process.pid}:${Date.now()}:`;
      const env: Record<string, string> = {
        FRESHDESK_PLAN: REPLICAS_PLAN,
        DESKGRAPH_QUOTA_WINDOW_MS: String(windowMs),
        DESKGRAPH_OPERATION_DEADLINE_MS: String(REPLICAS_DEADLINE_MS),
        ...(count > 1 ? { REDIS_URL: BENCH_REDIS_URL, DESKGRAPH_REDIS_PREFIX: prefix } : {}),
      };
      const runs = await Promise.all(
        Array.from({ length: count }, () => startContender('D', emulator.ready, env)),
      );
      try {
        const zipfScenario = scenarios(emulator.ready, {
          contacts: 0,
          companies: 0,
          agents: 0,
        }).find((s) => s.id === 's4-50') as Scenario;
        const rate = Math.max(1, Math.round(sustainable * load));
        const open = await openLoop({
          origin: runs.map((run) => run.origin),
          rate,
          durationMs: PROFILE.replicasMs,
          next: zipfScenario.stream('D'),
          drainMs: REPLICAS_DEADLINE_MS + 5_000,
        });
        const stats = await emulator.call<EmuStats>('stats');
        const windows = await emulator.call<{ credits: number }[]>('windows');
        const full = windows.length > 1 ? windows.slice(0, -1) : windows;
        results.push({
          replicas: count,
          rate,
          load,
          durationMs: PROFILE.replicasMs,
          windowMs,
          planPerWindow,
          open,
          quotaExceeded: open.codes.QUOTA_EXCEEDED ?? 0,
          upstream429: stats.status['429'] ?? 0,
          upstreamCalls: stats.totalCalls,
          upstreamCredits: stats.totalCredits,
          busiestWindow: Math.max(0, ...windows.map((w) => w.credits)),
          meanWindow: full.reduce((sum, w) => sum + w.credits, 0) / Math.max(1, full.length),
        });
        const r = results.at(-1) as ReplicasResult;
        log(
          `s7 ${count} replica(s) at ${rate}/s (${load}x the plan): ${open.completed - open.errors}/${open.scheduled} answered, ` +
            `${r.quotaExceeded} refused, ${r.upstream429} upstream 429s, busiest window ${r.busiestWindow}/${planPerWindow}, ` +
            `p50 ${round(open.p50)} ms, p99 ${round(open.p99)} ms`,
        );
      } finally {
        await Promise.all(runs.map((run) => run.child.stop()));
        await emulator.stop();
        if (count > 1) {
          await deleteUnder(prefix);
        }
      }
    }
  }
  return results;
}

/**
 * Scenario 9: deskgraph as shipped, closed loop on the scenario-1 query for `saturationMs` (a
 * minute: the quota window fills up), requests/s per `saturationSliceMs` slice, after a warm-up
 * long enough to fill the read cache with the 2,000 tickets and to let V8 optimise the hot paths
 * (with a short one, the first slice measures those instead: +57-214% from first to last in a
 * quick run). Twice: with the
 * defaults (after the warm-up nearly every ticket is in the read cache: the cheap path), and with
 * ticket reads kept out of the read cache (`DESKGRAPH_CACHE_MAX_AGES=tickets=0`), so every query
 * goes through the quota gate to Freshdesk and the budget's window holds every call of the last
 * minute (about the issue's decay: 757 → 302 req/s in 12 s when the bookkeeping walked them).
 */
async function saturationScenario(
  emu: EmulatorReady,
  emulator: Child<EmulatorReady>,
  log: (line: string) => void,
): Promise<SaturationResult[]> {
  const s1 = scenarios(emu, { contacts: 0, companies: 0, agents: 0 }).find(
    (s) => s.id === 's1',
  ) as Scenario;
  const variants: [string, Record<string, string>][] = [
    ['shipped', {}],
    ['uncached', { DESKGRAPH_CACHE_MAX_AGES: 'tickets=0' }],
  ];
  const results: SaturationResult[] = [];
  for (const [variant, env] of variants) {
    const run = await startContender('D', emu, env);
    try {
      await settle(emulator);
      const next = s1.stream('D');
      await closedLoop({
        origin: run.origin,
        connections: s1.connections,
        durationMs: PROFILE.saturationWarmupMs,
        next,
      });
      await settle(emulator);
      await run.child.call('reset-rss');
      await emulator.call('reset');
      const sliceMs = PROFILE.saturationSliceMs;
      const callsAt: number[] = [];
      const sampler = setInterval(() => {
        void emulator.call<EmuStats>('stats').then(
          (stats) => callsAt.push(stats.totalCalls),
          () => {},
        );
      }, sliceMs);
      let result: Awaited<ReturnType<typeof closedLoop>>;
      try {
        result = await closedLoop({
          origin: run.origin,
          connections: s1.connections,
          durationMs: PROFILE.saturationMs,
          next,
          sliceMs,
        });
      } finally {
        clearInterval(sampler);
      }
      const rss = await run.child.call<RssReport>('rss');
      const slices = result.slices ?? [];
      const first = slices[0] ?? 0;
      const last = slices.at(-1) ?? 0;
      results.push({
        variant,
        env,
        scenario: s1.id,
        connections: s1.connections,
        durationMs: PROFILE.saturationMs,
        sliceMs,
        rps: result.rps,
        p50: result.p50,
        p99: result.p99,
        errors: result.errors,
        slices,
        callsPerSlice: callsAt
          .slice(0, slices.length)
          .map((calls, i) => calls - (i === 0 ? 0 : (callsAt[i - 1] as number))),
        firstToLastPct: first > 0 ? (100 * (last - first)) / first : 0,
        peakRssMb: rss.peak / 2 ** 20,
      });
      const r = results.at(-1) as SaturationResult;
      log(
        `s9 ${variant}: ${round(r.rps, 0)} rps over ${PROFILE.saturationMs / 1000} s, per ${sliceMs / 1000} s: ` +
          `${r.slices.map((x) => round(x, 0)).join(', ')} (first to last ${round(r.firstToLastPct, 1)}%), ` +
          `upstream calls per slice ${r.callsPerSlice.join(', ')}, ${r.errors} errors`,
      );
    } finally {
      await run.child.stop();
    }
  }
  return results;
}

// ---------------------------------------------------------------------------------------------
// Main

async function main(): Promise<void> {
  const started = performance.now();
  const log = (line: string) => {
    const t = ((performance.now() - started) / 1000).toFixed(0).padStart(4);
    process.stdout.write(`[${t}s] ${line}\n`);
  };
  const only = listArg('--only');
  const host = machine();
  log(`deskgraph bench${QUICK ? ' (quick)' : ''}: ${host.cpu}, ${host.cores} cores, ${host.node}`);
  log(`contenders' log lines: ${CONTENDER_LOG}`);

  await buildDist();
  const emulator = await startEmulatorProcess(
    { rateLimit: false, plan: { total: BENCH_PLAN_TOTAL } },
    'emulator',
  );
  const emu = emulator.ready;
  const sizes: Sizes = {
    contacts: emu.counts.contacts,
    companies: emu.counts.companies,
    agents: emu.counts.agents,
  };
  const running: Running[] = [];
  const results: BenchResults = {
    quick: QUICK,
    machine: host,
    profile: {
      ...PROFILE,
      levelLatencyMs: LEVEL_LATENCY_MS,
      openLoopShare: OPEN_LOOP_SHARE,
      soakPlan: SOAK_PLAN,
      soakRate: SOAK_RATE,
      replicasDeadlineMs: REPLICAS_DEADLINE_MS,
      freshPlan: FRESH_PLAN,
      freshRate: FRESH_RATE,
      freshWorkingSet: FRESH_WORKING_SET,
      freshChangeEveryMs: FRESH_CHANGE_EVERY_MS,
      freshSweepMs: FRESH_SWEEP_MS,
      freshWithinMs: FRESH_WITHIN_MS,
    },
    saturation: [],
    replicas: [],
    sizes: { ...sizes, tickets: emu.counts.tickets },
    scenarios: [],
    cells: [],
    soak: [],
    fresh: [],
    totalSeconds: 0,
  };
  try {
    log(`emulator ${emu.origin} (${emu.ticketIds.length} live tickets)`);
    for (const scenario of scenarios(emu, sizes)) {
      if (only && !only.some((prefix) => scenario.id.startsWith(prefix))) {
        continue;
      }
      // Fresh contender processes per scenario: RSS and warm state belong to this scenario only.
      await Promise.all(running.splice(0).map((run) => run.child.stop()));
      running.push(...(await Promise.all(CONTENDERS.map((kind) => startContender(kind, emu)))));
      const floor = await scenario.floor();
      const entry: ScenarioResult = {
        id: scenario.id,
        title: scenario.title,
        connections: scenario.connections,
        latencies: scenario.latencies,
        floor,
        probes: {},
      };
      results.scenarios.push(entry);
      for (const run of running) {
        const p = await probe(run, scenario, emulator);
        entry.probes[run.kind] = p;
        log(
          `${scenario.id} ${run.kind}: ${round(p.calls)} calls, ${round(p.credits)} credits, ` +
            `${p.levels} levels (floor ${round(floor.calls)}/${round(floor.credits)}/${floor.levels})` +
            `${p.errors ? `, ${p.errors} errors: ${p.error}` : ''}`,
        );
      }
      for (const latencyMs of scenario.latencies) {
        const closed: Omit<LoadCell, 'open'>[] = [];
        for (const run of running) {
          const cell = await closedCell(run, scenario, latencyMs, emulator);
          closed.push(cell);
          log(
            `${scenario.id} +${latencyMs}ms ${run.kind}: ${round(cell.closed.rps.median, 0)} rps ` +
              `(spread ${round(cell.closed.rps.spreadPct, 0)}%), p50 ${round(cell.closed.p50.median)} ms, ` +
              `p99 ${round(cell.closed.p99.median)} ms, ${round(cell.closed.callsPerQuery, 1)} calls/q, ` +
              `${round(cell.closed.cpuUsPerQuery ?? 0, 0)} µs CPU/q, ` +
              `${round(cell.peakRssMb, 0)} MB, ${cell.closed.errors} errors`,
          );
        }
        // One arrival rate for everyone: a share of the slowest contender's closed-loop rate, so
        // every contender can keep up and the latencies compare like for like.
        const slowest = Math.min(...closed.map((c) => c.closed.rps.median));
        const rate = Math.max(1, Math.round(slowest * OPEN_LOOP_SHARE));
        for (const [i, run] of running.entries()) {
          const open = await openCell(run, scenario, latencyMs, emulator, rate);
          results.cells.push({ ...(closed[i] as Omit<LoadCell, 'open'>), open });
          log(
            `${scenario.id} +${latencyMs}ms ${run.kind} at ${rate}/s: p50 ${round(open.p50)} ms, ` +
              `p99 ${round(open.p99)} ms, ${open.errors} errors, ${open.dropped} not served`,
          );
        }
      }
    }
    await Promise.all(running.splice(0).map((run) => run.child.stop()));
    if (!flag('--no-saturation') && (!only || only.includes('s9'))) {
      log(
        `s9: deskgraph as shipped at saturation for ${PROFILE.saturationMs / 1000} s (scenario 1)`,
      );
      results.saturation = await saturationScenario(emu, emulator, log);
    }
  } finally {
    await Promise.all(running.map((run) => run.child.stop()));
    await emulator.stop();
  }
  if (!flag('--no-soak') && (!only || only.includes('s6'))) {
    log(`s6: soak at ${SOAK_RATE}/s for ${PROFILE.soakMs / 1000} s, plan ${SOAK_PLAN}, limits on`);
    results.soak = await soak(CONTENDERS);
    for (const s of results.soak) {
      log(
        `s6 ${s.contender}: ${s.clientRateLimited} client 429s, ${s.quotaExceeded} refused, ` +
          `${s.upstream429} upstream 429s, p99 ${round(s.open.p99)} ms, RSS drift ` +
          `${round(s.rssDriftMb, 1)} MB, peak ${round(s.peakRssMb, 0)} MB`,
      );
    }
  }
  if (!flag('--no-replicas') && (!only || only.includes('s7'))) {
    log(`s7: ${REPLICA_COUNTS.join(' and ')} replicas on one ${REPLICAS_PLAN} plan`);
    results.replicas = await replicasScenario(log);
  }
  if (!flag('--no-fresh') && (!only || only.includes('s8'))) {
    log(
      `s8: fresh data on one ${FRESH_PLAN} plan, ${FRESH_RATE} queries/s, a ticket changed every ` +
        `${FRESH_CHANGE_EVERY_MS / 1000} s, sweep every ${FRESH_SWEEP_MS / 1000} s, limits on`,
    );
    results.fresh = await fresh(CONTENDERS);
    for (const f of results.fresh) {
      log(
        `s8 ${f.contender}: ${round(f.freshPerMinute, 0)} fresh queries/min of ${f.offeredPerMinute} offered ` +
          `(${f.answered} answered, ${f.open.errors} errors ${JSON.stringify(f.open.codes)}, ` +
          `${f.markedStale} marked stale, oldest ${round(f.maxStaleSeconds, 1)} s), ` +
          `${f.upstreamCalls} calls, ${f.upstream429} upstream 429s`,
      );
    }
  }
  results.totalSeconds = (performance.now() - started) / 1000;
  // A quick smoke run is not for publishing: it goes to the temp directory, not bench/results.
  const out = QUICK
    ? join(tmpdir(), 'deskgraph-bench-quick')
    : fileURLToPath(new URL('results/', here));
  await mkdir(out, { recursive: true });
  await writeFile(join(out, 'latest.json'), `${JSON.stringify(results, jsonNumbers, 2)}\n`);
  await writeFile(join(out, 'latest.md'), renderMarkdown(results));
  log(`done in ${round(results.totalSeconds, 0)} s: ${join(out, 'latest.{json,md}')}`);
}

/** Rounds floats for the JSON file and writes non-finite numbers (saturated percentiles) as null. */
function jsonNumbers(_key: string, value: unknown): unknown {
  if (typeof value === 'number') {
    return Number.isFinite(value) ? round(value, 3) : null;
  }
  return value;
}

if (flag('--render')) {
  // Re-renders latest.md from latest.json (after a change to the report's layout).
  const dir = fileURLToPath(new URL('results/', here));
  const saved = JSON.parse(readFileSync(join(dir, 'latest.json'), 'utf8')) as BenchResults;
  await writeFile(join(dir, 'latest.md'), renderMarkdown(saved));
} else {
  await main();
}
