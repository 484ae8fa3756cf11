/**
 * Small exact statistics: the benchmark keeps every sample (at most a few hundred thousand), so
 * percentiles are read from the sorted samples (nearest rank), not from a histogram.
 */

/** The value at percentile `p` (0..100) of `sorted` (ascending), nearest-rank; NaN when empty. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) {
    return Number.NaN;
  }
  const rank = Math.ceil((p / 100) * sorted.length);
  const index = Math.min(sorted.length - 1, Math.max(0, rank - 1));
  return sorted[index] as number;
}

export function sortNumbers(values: readonly number[]): number[] {
  return [...values].sort((a, b) => a - b);
}

export function median(values: readonly number[]): number {
  return percentile(sortNumbers(values), 50);
}

/** `{ median, min, max, spreadPct }`: spread is (max - min) / median, in percent. */
export interface Spread {
  median: number;
  min: number;
  max: number;
  spreadPct: number;
}

export function spread(values: readonly number[]): Spread {
  if (values.length === 0) {
    return { median: Number.NaN, min: Number.NaN, max: Number.NaN, spreadPct: Number.NaN };
  }
  const sorted = sortNumbers(values);
  const mid = percentile(sorted, 50);
  const min = sorted[0] as number;
  const max = sorted[sorted.length - 1] as number;
  return { median: mid, min, max, spreadPct: mid === 0 ? 0 : ((max - min) / mid) * 100 };
}

/** Rounds to `digits` decimals (for the JSON output). */
export function round(value: number, digits = 2): number {
  if (!Number.isFinite(value)) {
    return value;
  }
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

/**
 * A Zipf(s) sampler over ranks 1..n using an inverse CDF table and a seeded PRNG, so every run draws
 * the same id sequence.
 */
export function zipfSampler(n: number, s: number, seed: number): () => number {
  const cdf = new Float64Array(n);
  let total = 0;
  for (let k = 1; k <= n; k += 1) {
    total += 1 / k ** s;
    cdf[k - 1] = total;
  }
  const random = mulberry32(seed);
  return () => {
    const u = random() * total;
    let lo = 0;
    let hi = n - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((cdf[mid] as number) < u) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    return lo;
  };
}

/** mulberry32: a tiny seeded PRNG in [0, 1). */
export function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
