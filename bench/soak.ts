/**
 * `npm run soak [-- --minutes 10 | --seconds N] [--rate R] [--out DIR]`: deskgraph as `npm start`
 * runs it (the esbuild bundle in plain Node with `NODE_FLAGS`, its own process, so its RSS is the
 * gateway's alone) against the emulator with faults on (slow answers, 5xx, 429s, connection resets,
 * a rare hang; writes performed before their fault, the duplicate-write hazard), driven at a steady
 * rate of mixed reads and writes for the whole run.
 *
 * Every write carries a unique marker. A write answered with an error whose `extensions.retryable`
 * is true is sent again with the same marker (what a careful client does); one refused as not
 * retryable (it may have been made) is not, and is "ambiguous". After the run, with the faults off,
 * the audit counts each marker in the emulator's data: a write the client saw succeed must be there
 * exactly once (0 = lost, 2+ = duplicated); an ambiguous one at most once; one refused as retryable
 * to the end never (the gateway said it was not made).
 *
 * Checks (exit 1 when one fails): RSS growth after warm-up under 10% (the median of the last tenth of
 * the run against the median of the tenth after the warm-up, the first fifth); no write lost or
 * duplicated. Writes `soak.md` and `soak.json` to `--out` (default `bench/results/`).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { Pool } from 'undici';
import { buildDist, NODE_FLAGS } from '../scripts/build.ts';
import { type Emulator, type FaultOptions, startEmulator } from '../src/emulator/index.ts';
import { childEnv } from './lib/child.ts';
import { machine } from './lib/machine.ts';
import { renderSoakMarkdown } from './lib/soak-report.ts';
import type {
  AuditRow,
  OpKind,
  RssSample,
  SoakReport,
  WriteKind,
  WriteOutcome,
} from './lib/soak-types.ts';
import { median, mulberry32, percentile, round, sortNumbers, zipfSampler } from './lib/stats.ts';

const root = fileURLToPath(new URL('..', import.meta.url));

/** The faults of a soak: every kind Freshdesk (or the way to it) may throw at the gateway. */
export const SOAK_FAULTS: FaultOptions = {
  seed: 13,
  // Slow answers: every call waits 0-80 ms.
  latencyMs: { min: 0, max: 80 },
  errors: {
    '*': { rate: 0.02, status: 503, retryAfterSeconds: 1 },
    'GET /tickets/:id': { rate: 0.02, status: 429, retryAfterSeconds: 1 },
    'GET /search/tickets': { rate: 0.03, status: 502 },
    'GET /tickets/:id/conversations': { rate: 0.02, status: 504 },
    'POST /tickets': { rate: 0.03, status: 500, body: 'json' },
    // Refused before any work: the gateway retries these; a client sees RATE_LIMITED (retryable)
    // when every attempt met one, and sends the update again.
    'PUT /tickets/:id': { rate: 0.02, status: 429, retryAfterSeconds: 1 },
    'POST /tickets/:id/notes': { rate: 0.03, status: 503 },
  },
  resetRate: 0.01,
  malformedRate: 0.005,
  hangRate: 0.001,
  // A write that meets a fault is made first: the answer is lost, the ticket or note exists.
  writesBeforeFault: true,
};

/**
 * The emulator's plan: Freshdesk's per-minute limits are on, with a custom total above what the mix
 * spends at the default rate (real 429s stay possible; the injected ones above are certain).
 */
const SOAK_PLAN = { total: 3000, ticketCreate: 600, ticketUpdate: 600 };

export interface SoakOptions {
  /** How long the load runs. */
  durationMs: number;
  /** Operations started per second (open loop: a slow answer does not slow the schedule). */
  rate?: number;
  /** RSS sampling interval. @default 10000 */
  sampleMs?: number;
  /** Directory holding the gateway's bundle (`index.js`); built into `dist/` when unset. */
  bundleDir?: string;
  faults?: FaultOptions;
  /** Most operations in flight; past it a due operation is skipped and counted. @default 256 */
  maxInFlight?: number;
  /** Attempts per write while its errors say retryable. @default 5 */
  maxWriteAttempts?: number;
  seed?: number;
  /** Progress lines (stderr by default; the test passes a no-op). */
  log?: (line: string) => void;
}

/** The mix, in a repeating order of ten: 70% reads, 30% writes. */
const MIX: readonly OpKind[] = [
  'ticket',
  'conversations',
  'createTicket',
  'ticket',
  'list',
  'addNote',
  'ticket',
  'search',
  'updateTicket',
  'conversations',
];

const DOCS: Readonly<Record<OpKind, string>> = {
  ticket:
    'query SoakTicket($id: ID!) { ticket(id: $id) { id subject status priority updatedAt requester { id name email } responder { id name } } }',
  list: 'query SoakTickets($first: Int!) { tickets(first: $first) { nodes { id subject status priority requester { id name email } company { id name } responder { id name } } } }',
  conversations:
    'query SoakThread($id: ID!) { ticket(id: $id) { id subject conversations(first: 10) { nodes { id bodyText private incoming createdAt author { __typename ... on Agent { name } ... on Contact { name } } } } } }',
  search:
    'query SoakSearch($query: String!) { searchTickets(query: $query, first: 30) { totalCount nodes { id subject priority status } } }',
  createTicket:
    'mutation SoakCreate($input: CreateTicketInput!) { createTicket(input: $input) { id subject } }',
  updateTicket:
    'mutation SoakUpdate($id: ID!, $input: UpdateTicketInput!) { updateTicket(id: $id, input: $input) { id subject } }',
  addNote:
    'mutation SoakNote($ticketId: ID!, $input: NoteInput!) { addNote(ticketId: $ticketId, input: $input) { id } }',
};
const SEARCHES = ['priority:1', 'priority:4', 'status:2', 'status:3 OR status:4', 'priority:2'];
const MARKER = /soak-[a-z0-9]+-[cun]\d+/g;

interface GatewayProcess {
  url: string;
  pid: number;
  stop(): Promise<number | null>;
  stderrTail(): string;
}

/** Starts `node NODE_FLAGS <bundle>/index.js`, as `npm start` does, and waits for its ready line. */
async function startGatewayProcess(bundleDir: string, env: Record<string, string>) {
  const proc: ChildProcess = spawn(process.execPath, [...NODE_FLAGS, join(bundleDir, 'index.js')], {
    env: childEnv(env),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  proc.stderr?.on('data', (chunk: Buffer) => {
    // Only the tail is kept: at `info` the gateway logs a line per request.
    stderr = (stderr + chunk.toString()).slice(-8_000);
  });
  const exited = new Promise<number | null>((resolve) => proc.once('exit', resolve));
  // The soak interrupted (a signal, an exception): its gateway does not outlive it.
  const orphaned = () => proc.kill('SIGKILL');
  process.once('exit', orphaned);
  void exited.then(() => process.removeListener('exit', orphaned));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`gateway: no ready line in 30 s\n${stderr}`)),
      30_000,
    );
    proc.stdout?.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      const found = /deskgraph ready at (http:\/\/\S+\/graphql)/.exec(stdout);
      if (found) {
        clearTimeout(timer);
        resolve(found[1] as string);
      }
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`gateway exited (${code}) before its ready line\n${stderr}`));
    });
  });
  const gateway: GatewayProcess = {
    url,
    pid: proc.pid ?? -1,
    stderrTail: () => stderr,
    async stop() {
      if (proc.exitCode !== null) {
        return proc.exitCode;
      }
      proc.kill('SIGTERM');
      const timer = setTimeout(() => proc.kill('SIGKILL'), 15_000);
      const code = await exited;
      clearTimeout(timer);
      return code;
    },
  };
  return gateway;
}

/** Resident memory of a process in bytes (Linux: /proc; elsewhere `ps`). */
async function rssOf(pid: number): Promise<number> {
  try {
    const status = await readFile(`/proc/${pid}/status`, 'utf8');
    const kb = /VmRSS:\s+(\d+) kB/.exec(status)?.[1];
    if (kb) {
      return Number(kb) * 1024;
    }
  } catch {
    // not Linux, or the process is gone
  }
  const { execFileSync } = await import('node:child_process');
  return Number(execFileSync('ps', ['-o', 'rss=', '-p', String(pid)], { encoding: 'utf8' })) * 1024;
}

interface GraphQLAnswer {
  /** The HTTP status, or 0 when no answer came. */
  status: number;
  data?: Record<string, unknown> | null;
  errors: { code: string; retryable: boolean; retryAfter?: number }[];
}

async function post(
  pool: Pool,
  path: string,
  query: string,
  variables: Record<string, unknown>,
): Promise<GraphQLAnswer> {
  try {
    const response = await pool.request({
      method: 'POST',
      path,
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify({ query, variables }),
      signal: AbortSignal.timeout(45_000),
    });
    const text = await response.body.text();
    let body: { data?: Record<string, unknown> | null; errors?: unknown[] };
    try {
      body = JSON.parse(text) as typeof body;
    } catch {
      return {
        status: response.statusCode,
        errors: [{ code: `HTTP_${response.statusCode}`, retryable: false }],
      };
    }
    const errors = (body.errors ?? []).map((raw) => {
      const extensions = ((raw as { extensions?: Record<string, unknown> }).extensions ?? {}) as {
        code?: unknown;
        retryable?: unknown;
        retryAfter?: unknown;
        limit?: unknown;
      };
      const code = typeof extensions.code === 'string' ? extensions.code : 'NO_CODE';
      return {
        // Which limit an OPERATION_LIMIT_EXCEEDED met (`deadline`, `resultItems`...).
        code: typeof extensions.limit === 'string' ? `${code} (${extensions.limit})` : code,
        retryable: extensions.retryable === true,
        ...(typeof extensions.retryAfter === 'number' ? { retryAfter: extensions.retryAfter } : {}),
      };
    });
    return { status: response.statusCode, data: body.data, errors };
  } catch (error) {
    const name = error instanceof Error ? error.name : 'Error';
    return {
      status: 0,
      errors: [
        { code: name === 'TimeoutError' ? 'CLIENT_TIMEOUT' : 'CLIENT_TRANSPORT', retryable: false },
      ],
    };
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Counts each marker in the emulator's records: ticket subjects and conversation bodies. */
export function countMarkers(emulator: Emulator): Map<string, number> {
  const counts = new Map<string, number>();
  const add = (text: string | null | undefined) => {
    if (!text) {
      return;
    }
    // A record counts once per marker, however often its text repeats it.
    for (const marker of new Set(text.match(MARKER) ?? [])) {
      counts.set(marker, (counts.get(marker) ?? 0) + 1);
    }
  };
  for (const ticket of emulator.data.tickets.values()) {
    add(ticket.subject);
  }
  for (const list of emulator.data.conversations.values()) {
    for (const conversation of list) {
      add(conversation.body);
    }
  }
  return counts;
}

/** Runs one soak and returns its report (`report.pass` false when a check failed). */
export async function runSoak(options: SoakOptions): Promise<SoakReport> {
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const rate = options.rate ?? 8;
  const sampleMs = options.sampleMs ?? 10_000;
  const maxInFlight = options.maxInFlight ?? 256;
  const maxWriteAttempts = options.maxWriteAttempts ?? 5;
  const faults = options.faults ?? SOAK_FAULTS;
  const seed = options.seed ?? 1;
  const runId = Date.now().toString(36);
  const machineBefore = machine();

  let bundleDir = options.bundleDir;
  if (!bundleDir) {
    await buildDist({ entryPoints: { index: 'src/index.ts' } });
    bundleDir = join(root, 'dist');
  }

  const emulator = await startEmulator({ port: 0, plan: SOAK_PLAN, seed: 1, log: () => {} });
  const ticketIds = [...emulator.data.tickets.values()]
    .filter((ticket) => !ticket.spam && !ticket.deleted)
    .map((ticket) => ticket.id)
    .sort((a, b) => b - a);
  const gateway = await startGatewayProcess(bundleDir, {
    PORT: '0',
    HOST: '127.0.0.1',
    FRESHDESK_BASE_URL: emulator.origin,
    FRESHDESK_API_KEY: emulator.apiKeys.admin,
  });
  // Faults from the first operation on (the gateway's own start-up check runs without them).
  emulator.setFaults(faults);
  log(
    `soak: gateway pid ${gateway.pid} at ${gateway.url}, ${rate} ops/s for ${options.durationMs / 1000} s`,
  );

  const gatewayUrl = new URL(gateway.url);
  // A connection for every operation that may be under way: none waits in the client for a
  // socket (updates held back by the gateway after a 429 keep theirs for up to 30 s).
  const pool = new Pool(gatewayUrl.origin, { connections: maxInFlight });
  const random = mulberry32(seed);
  const zipf = zipfSampler(ticketIds.length, 1.0, seed + 1);
  const pickTicket = () => ticketIds[zipf()] as number;

  const perKind = new Map<
    OpKind,
    { sent: number; ok: number; withErrors: number; codes: Record<string, number> }
  >();
  const errorsByCode: Record<string, number> = {};
  const latencies: number[] = [];
  const writes: WriteOutcome[] = [];
  let sent = 0;
  let ok = 0;
  let withErrors = 0;
  let skipped = 0;
  let inFlight = 0;
  let updateCursor = 0;
  let writeSeq = 0;

  const request = async (kind: OpKind, variables: Record<string, unknown>) => {
    const started = performance.now();
    const answer = await post(pool, gatewayUrl.pathname, DOCS[kind], variables);
    latencies.push(performance.now() - started);
    const counts = perKind.get(kind) ?? { sent: 0, ok: 0, withErrors: 0, codes: {} };
    perKind.set(kind, counts);
    counts.sent += 1;
    sent += 1;
    if (answer.errors.length === 0 && answer.status === 200) {
      counts.ok += 1;
      ok += 1;
    } else {
      counts.withErrors += 1;
      withErrors += 1;
      for (const error of answer.errors) {
        errorsByCode[error.code] = (errorsByCode[error.code] ?? 0) + 1;
        counts.codes[error.code] = (counts.codes[error.code] ?? 0) + 1;
      }
    }
    return answer;
  };

  const write = async (kind: WriteKind) => {
    writeSeq += 1;
    const letter = kind === 'createTicket' ? 'c' : kind === 'updateTicket' ? 'u' : 'n';
    const marker = `soak-${runId}-${letter}${writeSeq}`;
    let variables: Record<string, unknown>;
    let target: number | undefined;
    if (kind === 'createTicket') {
      variables = {
        input: {
          subject: `Soak ${marker}`,
          description: `<p>Created by the soak, marker ${marker}</p>`,
          email: 'soak.requester@example.com',
          priority: 'LOW',
          status: 'OPEN',
        },
      };
    } else if (kind === 'updateTicket') {
      // Distinct tickets in turn (2,000 of them): no later update overwrites this one's marker.
      target = ticketIds[updateCursor % ticketIds.length] as number;
      updateCursor += 1;
      variables = { id: String(target), input: { subject: `Soak update ${marker}` } };
    } else {
      target = pickTicket();
      variables = {
        ticketId: String(target),
        input: { body: `<p>Soak note ${marker}</p>`, private: true },
      };
    }
    const outcome: WriteOutcome = { kind, marker, attempts: 0, result: 'ok', codes: [] };
    writes.push(outcome);
    for (;;) {
      outcome.attempts += 1;
      const answer = await request(kind, variables);
      if (answer.errors.length === 0 && answer.status === 200) {
        outcome.result = 'ok';
        return;
      }
      outcome.codes.push(...answer.errors.map((error) => error.code));
      const retryable = answer.errors.length > 0 && answer.errors.every((error) => error.retryable);
      if (!retryable) {
        // It may have been made: a careful client checks before sending it again.
        outcome.result = 'ambiguous';
        return;
      }
      if (outcome.attempts >= maxWriteAttempts) {
        outcome.result = 'refused';
        return;
      }
      const wait = Math.max(...answer.errors.map((error) => error.retryAfter ?? 0), 0.5);
      await sleep(Math.min(wait, 5) * 1000);
    }
  };

  const operation = (kind: OpKind): Promise<unknown> => {
    switch (kind) {
      case 'ticket':
        return request(kind, { id: String(pickTicket()) });
      case 'conversations':
        return request(kind, { id: String(pickTicket()) });
      case 'list':
        return request(kind, { first: random() < 0.5 ? 10 : 30 });
      case 'search':
        return request(kind, { query: SEARCHES[Math.floor(random() * SEARCHES.length)] });
      default:
        return write(kind as WriteKind);
    }
  };

  // RSS sampling.
  const samples: RssSample[] = [];
  const t0 = performance.now();
  const sample = async () => {
    try {
      const rss = await rssOf(gateway.pid);
      samples.push({
        tSeconds: round((performance.now() - t0) / 1000, 1),
        rssMb: round(rss / 2 ** 20, 1),
        load1m: round(loadavg()[0] ?? 0, 2),
      });
    } catch {
      // the gateway is gone: its absence shows in the samples
    }
  };
  await sample();
  const sampler = setInterval(() => void sample(), sampleMs);
  const progress = setInterval(() => {
    const last = samples.at(-1);
    log(
      `soak: ${Math.round((performance.now() - t0) / 1000)} s, ${sent} requests, ${withErrors} with errors, ` +
        `${writes.length} writes, RSS ${last?.rssMb ?? '?'} MB, load ${round(loadavg()[0] ?? 0, 2)}`,
    );
  }, 60_000);

  // Open loop: operation i is due at t0 + i / rate.
  const pending = new Set<Promise<unknown>>();
  const total = Math.floor((options.durationMs / 1000) * rate);
  for (let i = 0; i < total; i += 1) {
    const due = t0 + (i * 1000) / rate;
    const wait = due - performance.now();
    if (wait > 0) {
      await sleep(wait);
    }
    const kind = MIX[i % MIX.length] as OpKind;
    if (inFlight >= maxInFlight) {
      skipped += 1;
      continue;
    }
    inFlight += 1;
    const run = operation(kind).finally(() => {
      inFlight -= 1;
      pending.delete(run);
    });
    pending.add(run);
  }
  const loadEnd = performance.now();
  await Promise.allSettled([...pending]);
  clearInterval(sampler);
  clearInterval(progress);
  await sample();
  const drainMs = performance.now() - loadEnd;

  // The audit: faults off, then read what the emulator holds.
  emulator.setFaults({});
  const upstream = emulator.stats();
  const counts = countMarkers(emulator);
  const { audit, problems } = auditWrites(writes, counts);

  const exitCode = await gateway.stop();
  await pool.close();
  await emulator.close();

  const runS = options.durationMs / 1000;
  const growth = rssGrowth(samples, runS, sampleMs / 1000);
  const lostOrDuplicated = Object.values(audit).reduce(
    (sum, row) => sum + row.lost + row.duplicated,
    0,
  );
  const sorted = sortNumbers(latencies);
  const machineAfter = machine();

  const report: SoakReport = {
    date: machineBefore.date,
    machine: machineBefore,
    loadAverage1m: { start: machineBefore.loadAverage1m, end: machineAfter.loadAverage1m },
    settings: {
      durationSeconds: runS,
      ratePerSecond: rate,
      mix: [...MIX],
      sampleSeconds: sampleMs / 1000,
      warmupSeconds: growth.warmupSeconds,
      windowSeconds: growth.windowSeconds,
      maxWriteAttempts,
      plan: SOAK_PLAN,
      faults,
      gateway: `node ${NODE_FLAGS.join(' ')} dist/index.js (default settings; FRESHDESK_BASE_URL: the emulator)`,
    },
    rss: {
      samples,
      afterWarmupMb: growth.afterWarmupMb,
      lastMb: growth.lastMb,
      growthPct: round(growth.growthPct, 1),
      peakMb: Math.max(...samples.map((s) => s.rssMb)),
      pass: growth.pass,
    },
    requests: {
      sent,
      answeredWithoutErrors: ok,
      withErrors,
      skippedOverloaded: skipped,
      byKind: Object.fromEntries(perKind),
      errorsByCode,
      latencyMs: {
        p50: round(percentile(sorted, 50)),
        p99: round(percentile(sorted, 99)),
        max: round(sorted.at(-1) ?? Number.NaN),
      },
      drainSeconds: round(drainMs / 1000, 1),
    },
    writes: { audit, problems: problems.slice(0, 50), pass: lostOrDuplicated === 0 },
    upstream: {
      calls: upstream.totalCalls,
      credits: upstream.totalCredits,
      status: upstream.status,
      faults: upstream.faults,
      writes: upstream.writes,
    },
    gatewayExit: exitCode,
    pass: growth.pass && lostOrDuplicated === 0 && writes.length > 0,
  };
  if (exitCode !== 0) {
    log(`soak: the gateway exited with ${exitCode}; its last log lines:\n${gateway.stderrTail()}`);
  }
  return report;
}

/**
 * The write audit: each write as the client saw it against how often its marker is in the
 * emulator's data. Lost: succeeded, not there. Duplicated: there more than once, or there although
 * every attempt was refused as retryable (a client trusting `retryable` would have made it twice).
 */
export function auditWrites(
  writes: readonly WriteOutcome[],
  counts: ReadonlyMap<string, number>,
): { audit: Record<WriteKind, AuditRow>; problems: string[] } {
  const audit: Record<WriteKind, AuditRow> = {
    createTicket: emptyAudit(),
    updateTicket: emptyAudit(),
    addNote: emptyAudit(),
  };
  const problems: string[] = [];
  for (const w of writes) {
    const found = counts.get(w.marker) ?? 0;
    const row = audit[w.kind];
    row.writes += 1;
    if (w.attempts > 1) {
      row.retried += 1;
    }
    if (w.result === 'ok') {
      row.succeeded += 1;
      if (found === 1) {
        row.exactlyOnce += 1;
      } else if (found === 0) {
        row.lost += 1;
        problems.push(`${w.marker} (${w.kind}) succeeded but is missing`);
      } else {
        row.duplicated += 1;
        problems.push(`${w.marker} (${w.kind}) succeeded and is there ${found} times`);
      }
    } else if (w.result === 'ambiguous') {
      const code = w.codes.at(-1) ?? 'NO_CODE';
      row.ambiguous[code] ??= { made: 0, notMade: 0 };
      const entry = row.ambiguous[code];
      if (found === 0) {
        entry.notMade += 1;
      } else {
        entry.made += 1;
      }
      if (found > 1) {
        row.duplicated += 1;
        problems.push(`${w.marker} (${w.kind}) is there ${found} times`);
      }
    } else {
      row.refused += 1;
      if (found > 0) {
        row.duplicated += 1;
        problems.push(`${w.marker} (${w.kind}) was refused as retryable, yet made ${found} times`);
      }
    }
  }

  return { audit, problems };
}

/**
 * RSS growth after warm-up: the warm-up is the first fifth of the run; the median of the samples in
 * the tenth after it against the median of those in the run's last tenth (load still on: samples
 * taken while the last answers drained are left out). Passes under 10%.
 */
export function rssGrowth(
  samples: readonly RssSample[],
  runSeconds: number,
  sampleSeconds: number,
) {
  const warmupSeconds = runSeconds / 5;
  const windowSeconds = runSeconds / 10;
  const inRange = (from: number, to: number) =>
    samples.filter((s) => s.tSeconds >= from && s.tSeconds <= to).map((s) => s.rssMb);
  const afterWarmupMb = median(inRange(warmupSeconds, warmupSeconds + windowSeconds));
  const lastMb = median(inRange(runSeconds - windowSeconds, runSeconds + sampleSeconds / 2));
  const growthPct = ((lastMb - afterWarmupMb) / afterWarmupMb) * 100;
  return {
    warmupSeconds,
    windowSeconds,
    afterWarmupMb,
    lastMb,
    growthPct,
    pass: Number.isFinite(growthPct) && growthPct < 10,
  };
}

function emptyAudit(): AuditRow {
  return {
    writes: 0,
    succeeded: 0,
    retried: 0,
    exactlyOnce: 0,
    lost: 0,
    duplicated: 0,
    refused: 0,
    ambiguous: {},
  };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      minutes: { type: 'string' },
      seconds: { type: 'string' },
      rate: { type: 'string' },
      out: { type: 'string' },
    },
  });
  const seconds =
    values.seconds !== undefined ? Number(values.seconds) : Number(values.minutes ?? 10) * 60;
  const rate = values.rate === undefined ? undefined : Number(values.rate);
  if (!(seconds > 0) || (rate !== undefined && !(rate > 0))) {
    process.stderr.write(
      'usage: npm run soak -- [--minutes N | --seconds N] [--rate R] [--out DIR]\n',
    );
    process.exit(2);
  }
  const report = await runSoak({
    durationMs: seconds * 1000,
    ...(rate === undefined ? {} : { rate }),
    // Short runs sample more often so the warm-up and last windows still hold samples.
    sampleMs: Math.min(10_000, Math.max(500, (seconds * 1000) / 60)),
  });
  const out = values.out ?? join(root, 'bench', 'results');
  await mkdir(out, { recursive: true });
  await writeFile(join(out, 'soak.json'), `${JSON.stringify(report, null, 2)}\n`);
  await writeFile(join(out, 'soak.md'), renderSoakMarkdown(report));
  process.stdout.write(renderSoakMarkdown(report));
  process.stdout.write(`\nwritten: ${join(out, 'soak.md')}, soak.json\n`);
  process.exit(report.pass ? 0 : 1);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  // Ctrl-C or a kill: exit, so the gateway child is stopped on the way out.
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => process.exit(130));
  }
  await main();
}
