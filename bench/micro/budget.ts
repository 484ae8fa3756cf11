/**
 * Micro-benchmark of the quota budget's bookkeeping: the cost of one reserve + settle (and of one
 * snapshot) with 100, 10,000 and 100,000 calls counted in the window. Constant-time accounting
 * costs the same at every size. The sizes take turns, round after round, and each reports its
 * median round, so a machine busy with other work skews them alike. A few seconds:
 * `npm run bench:budget`.
 */
import { BudgetModel } from '../../src/quota/budget.ts';

const WINDOW_MS = 60_000;
const SIZES = [100, 10_000, 100_000];
const PER_ROUND = 50_000;
const ROUNDS = 15;

interface Subject {
  size: number;
  call(): void;
  model: BudgetModel;
  rounds: number[];
}

function subject(size: number): Subject {
  const clock = { now: 0 };
  const step = WINDOW_MS / size;
  const model = new BudgetModel({
    plan: { name: 'custom', limits: { total: 1e12, tickets_list: 1e12, contacts_list: 1e12 } },
    windowMs: WINDOW_MS,
    now: () => clock.now,
  });
  const headers = { 'x-ratelimit-used-currentrequest': '1' };
  let i = 0;
  const call = (): void => {
    clock.now += step;
    i += 1;
    const grant = model.reserve({
      endpoint: i % 3 === 0 ? 'tickets_list' : undefined,
      credits: 1,
      priority: 'interactive',
    });
    if (grant.ok) {
      model.settle(grant.id, { status: 200, headers });
    }
  };
  // Two windows of steady traffic first: the window then holds `size` calls.
  for (let n = 0; n < 2 * size; n++) {
    call();
  }
  return { size, call, model, rounds: [] };
}

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] as number;
};

const subjects = SIZES.map(subject);
for (let round = 0; round < ROUNDS; round++) {
  for (const s of subjects) {
    const started = process.hrtime.bigint();
    for (let n = 0; n < PER_ROUND; n++) {
      s.call();
    }
    s.rounds.push(Number(process.hrtime.bigint() - started) / PER_ROUND);
  }
}
const rows = subjects.map((s) => {
  const used = s.model.used('total');
  if (Math.abs(used - s.size) > s.size * 0.05 + 2) {
    throw new Error(`the window holds ${used} calls, not ${s.size}`);
  }
  const started = process.hrtime.bigint();
  for (let n = 0; n < 20_000; n++) {
    s.model.snapshot();
  }
  return {
    size: s.size,
    ns: median(s.rounds.slice(3)),
    snapshotNs: Number(process.hrtime.bigint() - started) / 20_000,
  };
});
const base = rows[0]?.ns ?? 1;
process.stdout.write(
  `calls in the window | reserve + settle (ns, median) | vs 100 | snapshot (ns)\n${rows
    .map(
      (row) =>
        `${row.size.toLocaleString('en-US')} | ${row.ns.toFixed(0)} | ${(row.ns / base).toFixed(2)}x | ${row.snapshotNs.toFixed(0)}`,
    )
    .join('\n')}\n`,
);
