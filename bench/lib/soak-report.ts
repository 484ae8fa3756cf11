/** `bench/results/soak.md` from a soak report. */
import type { SoakReport, WriteKind } from './soak-types.ts';

const BARS = '▁▂▃▄▅▆▇█';

/** One character per sample, scaled between the run's lowest and highest RSS. */
export function sparkline(values: readonly number[]): string {
  const low = Math.min(...values);
  const high = Math.max(...values);
  return values
    .map((value) => {
      const step =
        high === low ? 0 : Math.round(((value - low) / (high - low)) * (BARS.length - 1));
      return BARS[step];
    })
    .join('');
}

const fmt = (value: number): string =>
  Number.isFinite(value) ? value.toLocaleString('en-US', { maximumFractionDigits: 2 }) : 'n/a';

const verdict = (pass: boolean): string => (pass ? 'pass' : '**FAIL**');

export function renderSoakMarkdown(report: SoakReport): string {
  const s = report.settings;
  const r = report.rss;
  const q = report.requests;
  const lines: string[] = [];
  lines.push('# Soak: deskgraph as `npm start` runs it, emulator faults on');
  lines.push('');
  lines.push(
    `\`npm run soak\` (bench/soak.ts). ${fmt(s.durationSeconds / 60)} min at ${fmt(s.ratePerSecond)} operations/s ` +
      `(open loop), ${s.gateway}. Machine: ${report.machine.cpu}, ${report.machine.cores} cores, ` +
      `${report.machine.ramGiB} GiB RAM, Node ${report.machine.node}; ${report.date}; commit ${report.machine.commit}. ` +
      `Load average (1 min) ${fmt(report.loadAverage1m.start)} at the start, ${fmt(report.loadAverage1m.end)} at the end ` +
      `(the machine is shared; other work ran meanwhile).`,
  );
  lines.push('');
  lines.push('| check | measured | result |');
  lines.push('| --- | --- | --- |');
  lines.push(
    `| RSS growth after warm-up under 10% | ${fmt(r.afterWarmupMb)} MB → ${fmt(r.lastMb)} MB (${r.growthPct >= 0 ? '+' : ''}${fmt(r.growthPct)}%) | ${verdict(r.pass)} |`,
  );
  const rows = Object.values(report.writes.audit);
  const lost = rows.reduce((sum, row) => sum + row.lost, 0);
  const duplicated = rows.reduce((sum, row) => sum + row.duplicated, 0);
  const succeeded = rows.reduce((sum, row) => sum + row.succeeded, 0);
  lines.push(
    `| every write the client saw succeed exists exactly once; none duplicated | ${succeeded} succeeded: ${lost} lost, ${duplicated} duplicated | ${verdict(report.writes.pass)} |`,
  );
  lines.push('');
  lines.push(`Overall: ${report.pass ? 'pass' : '**FAIL**'}.`);
  lines.push('');

  lines.push('## Resident memory of the gateway process');
  lines.push('');
  lines.push(
    `Sampled every ${fmt(s.sampleSeconds)} s from /proc (VmRSS). Warm-up: the first ${fmt(s.warmupSeconds)} s; ` +
      `growth compares the median of the ${fmt(s.windowSeconds)} s after it with the median of the last ${fmt(s.windowSeconds)} s. Peak ${fmt(r.peakMb)} MB.`,
  );
  lines.push('');
  lines.push(
    `\`${sparkline(r.samples.map((x) => x.rssMb))}\` (${fmt(Math.min(...r.samples.map((x) => x.rssMb)))}-${fmt(r.peakMb)} MB)`,
  );
  lines.push('');
  lines.push('| t (s) | RSS MB | load 1m |');
  lines.push('| --- | --- | --- |');
  for (const sample of r.samples) {
    lines.push(`| ${fmt(sample.tSeconds)} | ${fmt(sample.rssMb)} | ${fmt(sample.load1m)} |`);
  }
  lines.push('');

  lines.push('## Requests');
  lines.push('');
  lines.push(
    `${fmt(q.sent)} HTTP requests (each attempt of a retried write counts): ${fmt(q.answeredWithoutErrors)} answered without errors, ` +
      `${fmt(q.withErrors)} with errors; ${fmt(q.skippedOverloaded)} operations not sent (too many under way). ` +
      `Latency p50 ${fmt(q.latencyMs.p50)} ms, p99 ${fmt(q.latencyMs.p99)} ms, max ${fmt(q.latencyMs.max)} ms. ` +
      `Answers still under way after the last send took ${fmt(q.drainSeconds)} s.`,
  );
  lines.push('');
  lines.push('| operation | sent | without errors | with errors | errors by code |');
  lines.push('| --- | --- | --- | --- | --- |');
  for (const [kind, counts] of Object.entries(q.byKind)) {
    const codes =
      Object.entries(counts.codes)
        .sort((a, b) => b[1] - a[1])
        .map(([code, n]) => `${code} ${fmt(n)}`)
        .join(', ') || '-';
    lines.push(
      `| ${kind} | ${fmt(counts.sent)} | ${fmt(counts.ok)} | ${fmt(counts.withErrors)} | ${codes} |`,
    );
  }
  lines.push('');
  lines.push('| `extensions.code` | errors |');
  lines.push('| --- | --- |');
  const codes = Object.entries(q.errorsByCode).sort((a, b) => b[1] - a[1]);
  for (const [code, count] of codes) {
    lines.push(`| ${code} | ${fmt(count)} |`);
  }
  if (codes.length === 0) {
    lines.push('| (none) | 0 |');
  }
  lines.push('');

  lines.push('## Write audit');
  lines.push('');
  lines.push(
    'Each write carries a unique marker (subject of a created or updated ticket, body of a note). Errors marked ' +
      `\`retryable\` are retried with the same marker (up to ${s.maxWriteAttempts} attempts); an error not marked retryable ` +
      "ends the write as *ambiguous* (it may have been made). After the run, faults off, the emulator's tickets and " +
      'conversations are searched for every marker.',
  );
  lines.push('');
  lines.push(
    '| write | sent | succeeded | of them retried | exactly once | lost | duplicated | refused (retryable to the end) | ambiguous: made / not made, by code |',
  );
  lines.push('| --- | --- | --- | --- | --- | --- | --- | --- | --- |');
  for (const [kind, row] of Object.entries(report.writes.audit) as [
    WriteKind,
    (typeof rows)[number],
  ][]) {
    const ambiguous =
      Object.entries(row.ambiguous)
        .map(([code, found]) => `${code} ${found.made} / ${found.notMade}`)
        .join(', ') || '-';
    lines.push(
      `| ${kind} | ${row.writes} | ${row.succeeded} | ${row.retried} | ${row.exactlyOnce} | ${row.lost} | ${row.duplicated} | ${row.refused} | ${ambiguous} |`,
    );
  }
  if (report.writes.problems.length > 0) {
    lines.push('');
    for (const problem of report.writes.problems) {
      lines.push(`- ${problem}`);
    }
  }
  lines.push('');

  lines.push("## Upstream (the emulator's counters)");
  lines.push('');
  const u = report.upstream;
  const entries = (record: Record<string, number>) =>
    Object.entries(record)
      .map(([key, value]) => `${key}: ${fmt(value)}`)
      .join(', ');
  lines.push(`${fmt(u.calls)} calls, ${fmt(u.credits)} credits. Statuses: ${entries(u.status)}.`);
  lines.push(`Faults injected: ${entries(u.faults)}. Writes made: ${entries(u.writes)}.`);
  lines.push('');
  lines.push(
    `Plan (credits a minute): ${entries(s.plan)}. Faults: \`${JSON.stringify(s.faults)}\`. ` +
      `Mix, in turn: ${s.mix.join(', ')}. The gateway exited with ${report.gatewayExit} on SIGTERM.`,
  );
  lines.push('');
  return lines.join('\n');
}
