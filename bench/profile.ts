/**
 * `npm run bench:profile -- [--scenario s1|s2-30|s2-100|s3|s4] [--contender D] [--seconds 10]
 * [--latency 0] [--connections 10] [--top 25] [--no-prof]`: where a contender's CPU goes under load. Builds
 * `dist/`, starts the emulator (limits off) and one contender process under `node --cpu-prof` with
 * `npm start`'s flags, drives it closed loop (autocannon) after a warm-up, stops it, and prints the
 * requests/s, its CPU time per request, and the top frames by self time (with the package or source file each is in). The
 * `.cpuprofile` stays in the temp directory for a closer look (Chrome DevTools, speedscope).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildDist, NODE_FLAGS } from '../scripts/build.ts';
import { startChild } from './lib/child.ts';
import { closedLoop, type RequestMaker } from './lib/load.ts';
import { mulberry32 } from './lib/stats.ts';
import { BENCH_DESKGRAPH_ENV, BENCH_PLAN_TOTAL } from './lib/types.ts';
import type { ContenderKind, ContenderReady, ContenderSpec } from './procs/contender.ts';
import type { EmulatorReady } from './procs/emulator.ts';

const argv = process.argv.slice(2);
const arg = (name: string, fallback: string): string => {
  const index = argv.indexOf(name);
  return index === -1 ? fallback : (argv[index + 1] ?? fallback);
};
const scenario = arg('--scenario', 's1');
const kind = arg('--contender', 'D') as ContenderKind;
const seconds = Number(arg('--seconds', '10'));
const latencyMs = Number(arg('--latency', '0'));
const connections = Number(arg('--connections', scenario.startsWith('s4') ? '50' : '10'));
const top = Number(arg('--top', '25'));
/** `--no-prof`: no profiler (clean CPU time per request; the profiler adds its own). */
const profiling = !argv.includes('--no-prof');

const here = new URL('.', import.meta.url);
const query = (file: string) => readFileSync(new URL(`queries/${file}`, here), 'utf8');
const gql = (body: object) => ({
  method: 'POST' as const,
  path: '/graphql',
  body: JSON.stringify(body),
});

function stream(ids: readonly number[]): RequestMaker {
  const random = mulberry32(1);
  const id = () => String(ids[Math.floor(random() * ids.length)]);
  switch (scenario) {
    case 's1': {
      const q = query('ticket.graphql');
      return () =>
        kind === 'A'
          ? { method: 'GET', path: `/ticket/${id()}` }
          : gql({ query: q, variables: { id: id() } });
    }
    case 's2-30':
    case 's2-100': {
      const first = Number(scenario.slice(3));
      const q = query('tickets-people.graphql');
      return () =>
        kind === 'A'
          ? { method: 'GET', path: `/tickets-people?first=${first}` }
          : gql({ query: q, variables: { first } });
    }
    case 's3': {
      const q = query('dashboard.graphql');
      return () =>
        kind === 'A'
          ? { method: 'GET', path: '/dashboard?first=100' }
          : gql({ query: q, variables: { first: 100 } });
    }
    case 's4': {
      const q = query('ticket-people.graphql');
      return () =>
        kind === 'A'
          ? { method: 'GET', path: `/ticket-people/${id()}` }
          : gql({ query: q, variables: { id: id() } });
    }
    default:
      throw new Error(`unknown scenario ${scenario}`);
  }
}

interface CpuProfile {
  nodes: {
    id: number;
    callFrame: { functionName: string; url: string; lineNumber: number };
  }[];
  samples: number[];
  timeDeltas: number[];
}

/** Where a frame's code lives: a package, our bundle, Node's internals, or the VM itself. */
function areaOf(url: string): string {
  if (url.includes('/node_modules/')) {
    const rest = url.slice(url.lastIndexOf('/node_modules/') + 14).split('/');
    return rest[0]?.startsWith('@') ? `${rest[0]}/${rest[1]}` : (rest[0] ?? url);
  }
  if (url.includes('/dist/')) {
    return 'deskgraph (dist)';
  }
  return url.startsWith('node:') ? 'node internals' : '(native, GC, idle)';
}

type CallFrame = CpuProfile['nodes'][number]['callFrame'];

/** Self time summed per `keyOf(frame)`, the `count` largest, as shares of all samples. */
function topBy(profile: CpuProfile, count: number, keyOf: (frame: CallFrame) => string): string[] {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const self = new Map<string, number>();
  let total = 0;
  profile.samples.forEach((id, i) => {
    const delta = profile.timeDeltas[i] ?? 0;
    const frame = byId.get(id)?.callFrame;
    total += delta;
    if (frame) {
      const key = keyOf(frame);
      self.set(key, (self.get(key) ?? 0) + delta);
    }
  });
  return [...self.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, count)
    .map(([key, us]) => `${((100 * us) / total).toFixed(1).padStart(5)}%  ${key}`);
}

/** Self time per area (package), largest first. */
export const topAreas = (profile: CpuProfile, count: number): string[] =>
  topBy(profile, count, (frame) => areaOf(frame.url));

/** Self time per frame (function, where), largest first. */
export const topFrames = (profile: CpuProfile, count: number): string[] =>
  topBy(profile, count, (frame) => {
    const where = frame.url.includes('/node_modules/')
      ? frame.url.slice(frame.url.lastIndexOf('/node_modules/') + 14)
      : frame.url.replace(/^.*\/(dist|src)\//, '$1/');
    return `${frame.functionName || '(anonymous)'}  ${where ? `${where}:${frame.lineNumber + 1}` : ''}`;
  });

async function main(): Promise<void> {
  await buildDist();
  const dir = await mkdtemp(join(tmpdir(), 'deskgraph-profile-'));
  const emulator = await startChild<EmulatorReady>(
    new URL('procs/emulator.ts', here),
    [JSON.stringify({ rateLimit: false, plan: { total: BENCH_PLAN_TOTAL } })],
    'emulator',
  );
  const spec: ContenderSpec = {
    kind,
    upstreamOrigin: emulator.ready.origin,
    apiKey: emulator.ready.adminKey,
    env: BENCH_DESKGRAPH_ENV,
  };
  const contender = await startChild<ContenderReady>(
    new URL('../dist/bench/contender.js', here),
    [JSON.stringify(spec)],
    'contender',
    profiling ? [...NODE_FLAGS, '--cpu-prof', `--cpu-prof-dir=${dir}`] : NODE_FLAGS,
    join(dir, 'contender.log'),
  );
  try {
    if (latencyMs > 0) {
      await emulator.call('faults', { latencyMs });
    }
    const origin = new URL(contender.ready.url).origin;
    const next = stream(emulator.ready.ticketIds);
    await closedLoop({ origin, connections, durationMs: 2_000, next });
    const cpuBefore = await contender.call<number>('cpu');
    const result = await closedLoop({ origin, connections, durationMs: seconds * 1000, next });
    const cpuUs = (await contender.call<number>('cpu')) - cpuBefore;
    process.stdout.write(
      `${scenario} (${kind}, +${latencyMs} ms, ${connections} connections): ${result.rps.toFixed(0)} req/s, ` +
        `p50 ${result.p50.toFixed(2)} ms, ${(cpuUs / Math.max(1, result.completed)).toFixed(0)} µs CPU a request, ` +
        `${result.errors} errors\n`,
    );
  } finally {
    await contender.stop();
    await emulator.stop();
  }
  if (!profiling) {
    return;
  }
  const file = readdirSync(dir).find((name) => name.endsWith('.cpuprofile'));
  if (!file) {
    throw new Error(`no profile written in ${dir}`);
  }
  const profile = JSON.parse(readFileSync(join(dir, file), 'utf8')) as CpuProfile;
  process.stdout.write(`self time by area (${join(dir, file)}):\n`);
  for (const line of topAreas(profile, 12)) {
    process.stdout.write(`${line}\n`);
  }
  process.stdout.write(`top ${top} frames by self time:\n`);
  for (const line of topFrames(profile, top)) {
    process.stdout.write(`${line}\n`);
  }
}

await main();
