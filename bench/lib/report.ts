/**
 * Renders `latest.md`: the machine, the cost table (calls, credits, levels against the floor), the
 * load table (closed loop and fixed arrival rate), the soak, and the issue's targets, met or missed.
 */
import type { ContenderKind } from '../procs/contender.ts';
import { type BenchResults, CONTENDER_NAMES, type LoadCell } from './types.ts';

const KINDS: ContenderKind[] = ['A', 'B', 'C', 'D'];

/** The scenarios the issue's throughput and latency targets are set on. */
const TARGET_SCENARIOS = ['s1', 's2-30', 's2-100', 's3'];

/**
 * Where (D)'s CPU goes, per scenario: from `npm run bench:profile -- --scenario <id>` (top frames
 * by self time under closed-loop load; see README, Performance). Written by hand from the latest
 * profiles: a profile is not taken during the bench run (it would slow the contender it measures).
 */
export const WHERE_TIME_GOES: Record<string, string> = {
  s1:
    'answered from the read cache once warm; about 240 µs of CPU a query against (A)’s 72: Yoga’s request ' +
    'plumbing (whatwg-node, envelop) 23%, socket writes 7%, GC 5%, the cost estimate 6%, AsyncLocalStorage’s ' +
    'promise hooks (request and field scopes) 4%; compiled execution took it from about 320 µs',
  's2-30':
    'as for 100 tickets: GC, serialising the answer, AsyncLocalStorage’s promise hooks; execution is compiled',
  's2-100':
    'GC 14%, writing and serialising the answer 15% (writeUtf8String, JSON.stringify), AsyncLocalStorage’s ' +
    'promise hooks 8%, compiled execution 3% (graphql-js walking 100 tickets field by field took it to ' +
    '3.9 ms of CPU a query; compiled 2.3 ms)',
  s3:
    'answered from the read cache once warm (0 calls a query); GC 21%, serialising 9%, conversations and ' +
    'cursors 4%; compiled execution and DateTime as Freshdesk sends it took it from 13.3 to 10.0 ms of CPU a query',
};

/** Short scenario labels for the load table. */
const SHORT: Record<string, string> = {
  s1: '1. ticket by id',
  's2-30': '2. 30 tickets + people',
  's2-100': '2. 100 tickets + people',
  s3: '3. dashboard',
  's4-50': '4. Zipf ids, 50 clients',
  's4-200': '4. Zipf ids, 200 clients',
  s5: '5. 1,200 documents',
};

function num(value: number | null | undefined, digits = 1): string {
  if (value === null || value === undefined || Number.isNaN(value)) {
    return '–';
  }
  if (!Number.isFinite(value)) {
    return 'sat.';
  }
  const rounded = Number(value.toFixed(digits));
  return rounded.toLocaleString('en-US', { maximumFractionDigits: digits });
}

const ms = (value: number | null | undefined) =>
  value !== null && value !== undefined && Number.isFinite(value) && value < 10
    ? num(value, 2)
    : num(value, 1);

const ratio = (value: number, floor: number) => (floor > 0 ? `${num(value / floor, 1)}×` : '–');

function row(cells: (string | number)[]): string {
  return `| ${cells.join(' | ')} |`;
}

export interface Target {
  target: string;
  figure: string;
  met: boolean | null;
}

/** The issue's targets, evaluated on the results (null: not measured in this run). */
export function targets(results: BenchResults): Target[] {
  const out: Target[] = [];
  const scenario = (id: string) => results.scenarios.find((s) => s.id === id);
  const cost = ['s1', 's2-30', 's2-100', 's3']
    .map((id) => {
      const s = scenario(id);
      const c = s?.probes.C;
      return s && c ? { id, c, floor: s.floor } : undefined;
    })
    .filter((x) => x !== undefined);
  if (cost.length > 0) {
    const misses = cost.filter(
      ({ c, floor }) => c.calls > floor.calls + 1e-9 || c.credits > floor.credits + 1e-9,
    );
    out.push({
      target: "deskgraph's calls and credits per query equal the floor in scenarios 1-3, cold (C)",
      figure: cost
        .map(
          ({ id, c, floor }) =>
            `${id}: ${num(c.calls)}/${num(c.credits)} vs ${num(floor.calls)}/${num(floor.credits)}`,
        )
        .join('; '),
      met: misses.length === 0,
    });
  }
  const cell = (id: string, latency: number, kind: ContenderKind) =>
    results.cells.find((c) => c.scenario === id && c.latencyMs === latency && c.contender === kind);
  const pairs: { id: string; latency: number; a: LoadCell; d: LoadCell }[] = [];
  for (const id of TARGET_SCENARIOS) {
    for (const latency of [0, 5]) {
      const a = cell(id, latency, 'A');
      const d = cell(id, latency, 'D');
      if (a && d) {
        pairs.push({ id, latency, a, d });
      }
    }
  }
  if (pairs.length > 0) {
    const rpsRatios = pairs.map((p) => p.d.closed.rps.median / p.a.closed.rps.median);
    const errors = pairs.reduce((n, p) => n + p.d.closed.errors + p.d.open.errors, 0);
    out.push({
      target:
        "deskgraph's (D) requests/s at least 0.7× (A)'s in scenarios 1-3 at 0 and 5 ms, caches warm, zero errors",
      figure: `${pairs.map((p, i) => `${p.id} +${p.latency}ms: ${num(rpsRatios[i], 2)}×`).join('; ')}; ${errors} errors`,
      met: rpsRatios.every((r) => r >= 0.7) && errors === 0,
    });
  }
  const unloaded = TARGET_SCENARIOS.map((id) => {
    const s = results.scenarios.find((x) => x.id === id);
    return { id, a: s?.probes.A, d: s?.probes.D };
  }).filter((x) => x.a !== undefined && x.d !== undefined);
  if (unloaded.length > 0) {
    const gaps = unloaded.map((u) => (u.d?.soloMs ?? 0) - (u.a?.soloMs ?? 0));
    out.push({
      target: "deskgraph's (D) unloaded p50 within 0.3 ms of (A)'s in scenarios 1-3",
      figure: unloaded
        .map(
          (u, i) =>
            `${u.id}: ${gaps[i] !== undefined && gaps[i] >= 0 ? '+' : ''}${num(gaps[i], 2)} ms`,
        )
        .join('; '),
      met: gaps.every((g) => g <= 0.3),
    });
  }
  const saturation = results.saturation ?? [];
  out.push({
    target: `deskgraph's (D) throughput at saturation stays within 10% from the first to the last slice (scenario 9)`,
    figure:
      saturation.length > 0
        ? saturation
            .map(
              (r) =>
                `${r.variant}: ${r.firstToLastPct >= 0 ? '+' : ''}${num(r.firstToLastPct, 1)}%`,
            )
            .join('; ')
        : 'not run',
    met: saturation.length > 0 ? saturation.every((r) => Math.abs(r.firstToLastPct) <= 10) : null,
  });
  const soakD = results.soak.find((s) => s.contender === 'D');
  out.push({
    target: 'zero client-visible 429s in scenario 6 (D)',
    figure: soakD
      ? `${soakD.clientRateLimited} RATE_LIMITED errors, ${soakD.upstream429} upstream 429s, ${soakD.quotaExceeded} QUOTA_EXCEEDED`
      : 'not run',
    met: soakD ? soakD.clientRateLimited === 0 : null,
  });
  const shared = (results.replicas ?? []).filter((r) => r.replicas > 1);
  out.push({
    target: 'replicas sharing one plan (scenario 7): zero upstream 429s, no window over the plan',
    figure:
      shared.length > 0
        ? shared
            .map(
              (r) =>
                `${r.replicas} replicas at ${num(r.load, 1)}× the plan: ${r.upstream429} 429s, busiest window ${r.busiestWindow}/${r.planPerWindow}`,
            )
            .join('; ')
        : 'not run',
    met:
      shared.length > 0
        ? shared.every((r) => r.upstream429 === 0 && r.busiestWindow <= r.planPerWindow)
        : null,
  });
  const rss50 = cell('s4-50', 5, 'D');
  out.push({
    target: 'peak RSS under 200 MB at 50 concurrent clients (D, scenario 4)',
    figure: rss50 ? `${num(rss50.peakRssMb, 0)} MB` : 'not run',
    met: rss50 ? rss50.peakRssMb < 200 : null,
  });
  return out;
}

/** A cell's closed-loop requests/s over (A)'s in the same scenario and latency. */
function versusA(results: BenchResults, c: LoadCell): string {
  const a = results.cells.find(
    (x) => x.scenario === c.scenario && x.latencyMs === c.latencyMs && x.contender === 'A',
  );
  return a && a.closed.rps.median > 0
    ? `${num(c.closed.rps.median / a.closed.rps.median, 2)}×`
    : '–';
}

/** deskgraph (D) against the aggregator (A), per scenario and latency, with where (D)'s time goes. */
function summary(results: BenchResults): string[] {
  const lines: string[] = [];
  const rows: string[] = [];
  for (const s of results.scenarios) {
    for (const latency of s.latencies) {
      const find = (kind: ContenderKind) =>
        results.cells.find(
          (c) => c.scenario === s.id && c.latencyMs === latency && c.contender === kind,
        );
      const a = find('A');
      const d = find('D');
      if (!a || !d) {
        continue;
      }
      const target = TARGET_SCENARIOS.includes(s.id);
      const r = d.closed.rps.median / a.closed.rps.median;
      const solo =
        latency === 0 && s.probes.A && s.probes.D
          ? `${ms(s.probes.D.soloMs)} vs ${ms(s.probes.A.soloMs)}`
          : '–';
      rows.push(
        row([
          SHORT[s.id] ?? s.id,
          latency,
          `${num(r, 2)}×${target ? (r >= 0.7 ? '' : ' **missed**') : ''}`,
          `${ms(d.closed.p50.median)} vs ${ms(a.closed.p50.median)}`,
          solo,
          String(d.closed.errors + d.open.errors),
          WHERE_TIME_GOES[s.id] ?? '',
        ]),
      );
    }
  }
  if (rows.length === 0) {
    return lines;
  }
  lines.push('## deskgraph against the hand-written aggregator');
  lines.push('');
  lines.push(
    "(D)'s closed-loop requests/s over (A)'s (target: at least 0.7× in scenarios 1-3), p50 under that load, " +
      "the unloaded p50 (sequential queries, no added latency; target: within 0.3 ms of (A)'s), (D)'s errors, " +
      "and where (D)'s CPU goes (`npm run bench:profile`: top frames by self time under closed-loop load).",
  );
  lines.push('');
  lines.push(
    row([
      'scenario',
      'upstream +ms',
      '(D)/(A) req/s',
      'p50 (D) vs (A)',
      'unloaded p50 (D) vs (A)',
      'errors',
      'where the time goes (D)',
    ]),
  );
  lines.push(row(Array.from({ length: 7 }, () => '---')));
  lines.push(...rows);
  lines.push('');
  return lines;
}

/** Scenario 9: throughput per slice at saturation. */
function saturationSection(results: BenchResults): string[] {
  const runs = results.saturation ?? [];
  const first = runs[0];
  if (!first) {
    return [];
  }
  const lines: string[] = [];
  lines.push('## Saturation (scenario 9)');
  lines.push('');
  lines.push(
    `deskgraph as shipped (D), closed loop at ${first.connections} connections on the scenario-1 query for ` +
      `${first.durationMs / 1000} s after a ${(results.profile.saturationWarmupMs ?? 0) / 1000} s warm-up, ` +
      `requests/s per ${first.sliceMs / 1000} s slice (upstream calls in the slice below): \`shipped\` with the ` +
      'defaults (nearly every ticket comes from the read cache once warm), `uncached` with ticket reads kept ' +
      'out of the read cache (`DESKGRAPH_CACHE_MAX_AGES=tickets=0`), so every query passes the quota gate to ' +
      "Freshdesk and the budget's window holds every call of the last minute.",
  );
  lines.push('');
  const count = Math.max(...runs.map((r) => r.slices.length));
  lines.push(
    row([
      'variant',
      ...Array.from(
        { length: count },
        (_, i) => `${(i * first.sliceMs) / 1000}-${((i + 1) * first.sliceMs) / 1000} s`,
      ),
      'first → last',
      'p50 / p99 ms',
      'errors',
      'peak RSS MB',
    ]),
  );
  lines.push(row(Array.from({ length: count + 5 }, () => '---')));
  for (const r of runs) {
    lines.push(
      row([
        r.variant,
        ...Array.from({ length: count }, (_, i) => {
          const rps = r.slices[i];
          const calls = r.callsPerSlice[i];
          return rps === undefined
            ? '–'
            : `${num(rps, 0)}${calls === undefined ? '' : ` (${num(calls, 0)})`}`;
        }),
        `${r.firstToLastPct >= 0 ? '+' : ''}${num(r.firstToLastPct, 1)}%`,
        `${ms(r.p50)} / ${ms(r.p99)}`,
        String(r.errors),
        num(r.peakRssMb, 0),
      ]),
    );
  }
  lines.push('');
  return lines;
}

export function renderMarkdown(results: BenchResults): string {
  const m = results.machine;
  const p = results.profile;
  const lines: string[] = [];
  lines.push(
    `# deskgraph benchmark${results.quick ? ' (quick smoke run: not for publishing)' : ''}`,
  );
  lines.push('');
  lines.push(
    `Machine: ${m.cpu}, ${m.cores} cores, ${m.ramGiB} GiB RAM, Node ${m.node}, ${m.platform}; ` +
      `${m.date.slice(0, 10)}; commit ${m.commit}. Whole run: ${num(results.totalSeconds / 60, 1)} min.`,
  );
  lines.push('');
  lines.push(
    `Emulator data: ${results.sizes.tickets.toLocaleString('en-US')} tickets, ${results.sizes.contacts} contacts, ` +
      `${results.sizes.companies} companies, ${results.sizes.agents} agents. Load generator, emulator and ` +
      `contender each run in their own process on the same ${m.cores} cores, over loopback.`,
  );
  lines.push('');

  lines.push('## Upstream cost per query');
  lines.push('');
  lines.push(
    "Calls / credits / round-trip levels, from the emulator's exact counters over " +
      `${p.probes} sequential queries after one discarded warm-up (so (A) and (D) are warm, (C) is cold by construction). ` +
      `Levels: extra end-to-end time with ${p.levelLatencyMs} ms added to every upstream answer, divided by ${p.levelLatencyMs} ms. ` +
      'Ratios: calls and credits over the floor.',
  );
  lines.push('');
  lines.push(row(['scenario', 'floor', ...KINDS.map((k) => CONTENDER_NAMES[k])]));
  lines.push(row(['---', '---', ...KINDS.map(() => '---')]));
  for (const s of results.scenarios) {
    const f = s.floor;
    lines.push(
      row([
        s.title,
        `${num(f.calls)} / ${num(f.credits)} / ${f.levels}`,
        ...KINDS.map((k) => {
          const probe = s.probes[k];
          if (!probe) {
            return '–';
          }
          const errors = probe.errors > 0 ? ` **${probe.errors} errors**` : '';
          return (
            `${num(probe.calls)} / ${num(probe.credits)} / ${probe.levels} ` +
            `(${ratio(probe.calls, f.calls)}, ${ratio(probe.credits, f.credits)})${errors}`
          );
        }),
      ]),
    );
  }
  lines.push('');
  lines.push(
    'Floor plans (fewest credits, then fewest calls, then fewest levels; see `bench/lib/floor.ts`):',
  );
  lines.push('');
  for (const s of results.scenarios) {
    lines.push(`- ${s.title}: ${s.floor.plan.join(' + ')}`);
  }
  lines.push('');

  lines.push(...summary(results));

  lines.push('## Throughput and latency');
  lines.push('');
  lines.push(
    `Closed loop (autocannon, fixed connections): one ${p.warmupMs / 1000} s warm-up discarded, then the median of ` +
      `${p.runs} runs of ${p.runMs / 1000} s; spread = (max − min) / median of the runs' req/s (shown as ± half of it). ` +
      `Fixed arrival rate (own open-loop driver, latency from each request's scheduled send time, so ` +
      `coordinated-omission-safe): ${p.openMs / 1000} s at ${Math.round(p.openLoopShare * 100)}% of the slowest contender's ` +
      "closed-loop rate, the same rate for every contender; 'sat.' = requests the contender could not take in time " +
      '(counted as infinitely late). calls/q = upstream calls per answered query under the closed-loop load; ' +
      "CPU µs/q = the contender process's CPU time (user + system) per answered query, which a busy machine " +
      'changes far less than requests/s. ' +
      'Peak RSS: the contender process during the closed-loop runs (a fresh process per scenario). Latencies in ms.',
  );
  lines.push('');
  lines.push(
    row([
      'scenario',
      'upstream +ms',
      'contender',
      'conns',
      'req/s (spread)',
      '× (A)',
      'p50',
      'p99',
      'fixed rate/s',
      'p50 @rate',
      'p99 @rate',
      'calls/q',
      'CPU µs/q',
      'peak RSS MB',
      'errors',
    ]),
  );
  lines.push(row(Array.from({ length: 15 }, () => '---')));
  for (const c of results.cells) {
    lines.push(
      row([
        SHORT[c.scenario] ?? c.scenario,
        c.latencyMs,
        CONTENDER_NAMES[c.contender],
        c.connections,
        `${num(c.closed.rps.median, 0)} (±${num(c.closed.rps.spreadPct / 2, 0)}%)`,
        versusA(results, c),
        ms(c.closed.p50.median),
        ms(c.closed.p99.median),
        num(c.open.rate, 0),
        ms(c.open.p50),
        ms(c.open.p99),
        num(c.closed.callsPerQuery, 1),
        num(c.closed.cpuUsPerQuery, 0),
        num(c.peakRssMb, 0),
        String(c.closed.errors + c.open.errors),
      ]),
    );
  }
  lines.push('');

  if (results.soak.length > 0) {
    const s0 = results.soak[0];
    lines.push('## Soak (scenario 6)');
    lines.push('');
    lines.push(
      `Each contender against its own emulator with the ${p.soakPlan} plan's per-minute limit on ` +
        `(${s0 ? s0.durationMs / 1000 : '?'} s at a fixed ${p.soakRate} req/s of the scenario-4 query over Zipf ids; ` +
        'all four at once, each its own account). deskgraph runs exactly as shipped (`startGateway`, quota shaping on, ' +
        '`FRESHDESK_PLAN` set). RSS drift: the end of the run against the end of its first third ' +
        '(each the median of three one-second samples; the warm-up is behind it by then).',
    );
    lines.push('');
    lines.push(
      row([
        'contender',
        'answered',
        'client 429s (RATE_LIMITED)',
        'refused (QUOTA_EXCEEDED)',
        'other errors',
        'upstream 429s',
        'credits/q',
        'p50 ms',
        'p99 ms',
        'RSS start → end (drift) MB',
        'peak RSS MB',
      ]),
    );
    lines.push(row(Array.from({ length: 11 }, () => '---')));
    for (const s of results.soak) {
      lines.push(
        row([
          CONTENDER_NAMES[s.contender],
          `${s.open.completed}/${s.open.scheduled}`,
          s.clientRateLimited,
          s.quotaExceeded,
          s.open.errors - s.clientRateLimited - s.quotaExceeded,
          s.upstream429,
          num(s.upstreamCredits / Math.max(1, s.open.completed), 2),
          ms(s.open.p50),
          ms(s.open.p99),
          `${num(s.rssStartMb, 0)} → ${num(s.rssEndMb, 0)} (${s.rssDriftMb >= 0 ? '+' : ''}${num(s.rssDriftMb, 1)})`,
          num(s.peakRssMb, 0),
        ]),
      );
    }
    lines.push('');
  }

  const replicas = results.replicas ?? [];
  if (replicas.length > 0) {
    const r0 = replicas[0] as NonNullable<BenchResults['replicas']>[number];
    lines.push('## Replicas sharing one plan (scenario 7)');
    lines.push('');
    lines.push(
      'deskgraph as shipped (quota shaping on, `FRESHDESK_PLAN=enterprise`): one replica alone, ' +
        'against three sharing the budget through Redis (`REDIS_URL`), on the same plan of one emulator ' +
        `(its limit on; the window shortened to ${r0.windowMs / 1000} s on both sides: ${r0.planPerWindow} credits a window), ` +
        `behind a round-robin load balancer. ${r0.durationMs / 1000} s at a fixed rate of the scenario-4 query (Zipf ids, ` +
        '2 credits warm), below and above what the plan sustains for interactive work (90% of it); ' +
        `requests wait for budget up to their deadline (\`DESKGRAPH_OPERATION_DEADLINE_MS=${p.replicasDeadlineMs ?? '?'}\`). Windows: the emulator's own, as Freshdesk counts.`,
    );
    lines.push('');
    lines.push(
      row([
        'replicas',
        'rate/s (× plan)',
        'answered',
        'refused (QUOTA_EXCEEDED)',
        'other errors',
        'upstream 429s',
        'busiest window (credits / plan)',
        'mean window',
        'credits/q',
        'p50 ms',
        'p99 ms',
      ]),
    );
    lines.push(row(Array.from({ length: 11 }, () => '---')));
    for (const r of replicas) {
      const answered = r.open.completed - r.open.errors;
      lines.push(
        row([
          r.replicas === 1 ? '1' : `${r.replicas} (Redis)`,
          `${r.rate} (${num(r.load, 1)}×)`,
          `${answered}/${r.open.scheduled}`,
          r.quotaExceeded,
          r.open.errors - r.quotaExceeded,
          r.upstream429,
          `${r.busiestWindow} / ${r.planPerWindow}`,
          num(r.meanWindow, 0),
          num(r.upstreamCredits / Math.max(1, answered), 2),
          ms(r.open.p50),
          ms(r.open.p99),
        ]),
      );
    }
    lines.push('');
  }

  const fresh = results.fresh ?? [];
  if (fresh.length > 0) {
    const f0 = fresh[0];
    lines.push('## Fresh data on one plan (scenario 8)');
    lines.push('');
    lines.push(
      `How many user queries a minute one ${p.freshPlan ?? '?'} plan serves with fresh data. Each contender ` +
        `against its own emulator (its own account, the plan's per-minute limits on), offered ${p.freshRate ?? '?'} ` +
        'queries a second (half the newest page of 30 tickets with requester, company and responder, half ' +
        `one ticket with its people over Zipf ids among the ${p.freshWorkingSet ?? '?'} newest) for ${f0 ? f0.durationMs / 1000 : '?'} s after a warm-up of ` +
        `${(p.freshWarmupMs ?? 0) / 1000} s, while an agent changes one of the tickets users look at ` +
        `every ${(p.freshChangeEveryMs ?? 0) / 1000} s in Freshdesk's UI (no webhook). deskgraph runs as shipped ` +
        `(\`startGateway\`, \`FRESHDESK_PLAN\` set) with its reconciliation sweep every ${(p.freshSweepMs ?? 0) / 1000} s. ` +
        `An answer is fresh when nothing it shows had changed more than ${(p.freshWithinMs ?? 0) / 1000} s before it arrived ` +
        'and it carries no `extensions.stale`.',
    );
    lines.push('');
    lines.push(
      row([
        'contender',
        'fresh queries/min',
        'offered/min',
        'answered',
        'errors (codes)',
        'marked stale',
        'oldest outdated data s',
        'upstream calls',
        'credits',
        'upstream 429s',
        'p50 ms',
        'p99 ms',
      ]),
    );
    lines.push(row(Array.from({ length: 12 }, () => '---')));
    for (const f of fresh) {
      const codes = Object.entries(f.open.codes)
        .map(([code, count]) => `${code} ${count}`)
        .join(', ');
      lines.push(
        row([
          CONTENDER_NAMES[f.contender],
          `**${num(f.freshPerMinute, 0)}**`,
          f.offeredPerMinute,
          `${f.answered}/${f.open.scheduled}`,
          `${f.open.errors}${codes ? ` (${codes})` : ''}`,
          f.markedStale,
          num(f.maxStaleSeconds, 1),
          f.upstreamCalls,
          f.upstreamCredits,
          f.upstream429,
          ms(f.open.p50),
          ms(f.open.p99),
        ]),
      );
    }
    lines.push('');
  }

  lines.push(...saturationSection(results));

  lines.push('## Targets');
  lines.push('');
  lines.push(row(['target', 'measured', 'met?']));
  lines.push(row(['---', '---', '---']));
  for (const t of targets(results)) {
    lines.push(
      row([t.target, t.figure, t.met === null ? 'not run' : t.met ? 'met' : '**missed**']),
    );
  }
  lines.push('');
  return `${lines.join('\n')}\n`;
}
