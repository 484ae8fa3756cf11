/**
 * A small seeded PRNG (mulberry32) with the helpers the emulator needs. The emulator never uses
 * `Math.random`, so that the same seed always gives the same data and the same fault schedule.
 */

export interface Random {
  /** A float in [0, 1). */
  next(): number;
  /** An integer in [min, max], both inclusive. */
  int(min: number, max: number): number;
  /** True with probability `p`. */
  chance(p: number): boolean;
  /** One element of a non-empty array. */
  pick<T>(items: readonly T[]): T;
  /** One element chosen by weight (`[value, weight]` pairs, weights > 0). */
  weighted<T>(entries: readonly (readonly [T, number])[]): T;
  /** `count` distinct elements (or all of them, when fewer), in random order. */
  sample<T>(items: readonly T[], count: number): T[];
  /** A new array in random order (Fisher-Yates); the input is left alone. */
  shuffle<T>(items: readonly T[]): T[];
  /** A hex string of `length` characters. */
  hex(length: number): string;
}

/** mulberry32: 32-bit state, fast, and good enough for test data (not for cryptography). */
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

/** Creates a seeded `Random`. Seeds are taken modulo 2^32. */
export function createRandom(seed: number): Random {
  const next = mulberry32(seed);
  const int = (min: number, max: number): number => min + Math.floor(next() * (max - min + 1));
  const pick = <T>(items: readonly T[]): T => {
    if (items.length === 0) {
      throw new TypeError('pick() needs a non-empty array');
    }
    return items[Math.floor(next() * items.length)] as T;
  };
  const shuffle = <T>(items: readonly T[]): T[] => {
    const out = items.slice();
    for (let i = out.length - 1; i > 0; i--) {
      const j = Math.floor(next() * (i + 1));
      const tmp = out[i] as T;
      out[i] = out[j] as T;
      out[j] = tmp;
    }
    return out;
  };
  return {
    next,
    int,
    chance: (p) => next() < p,
    pick,
    weighted: <T>(entries: readonly (readonly [T, number])[]): T => {
      let total = 0;
      for (const [, weight] of entries) {
        total += weight;
      }
      let roll = next() * total;
      for (const [value, weight] of entries) {
        roll -= weight;
        if (roll < 0) {
          return value;
        }
      }
      const last = entries[entries.length - 1];
      if (last === undefined) {
        throw new TypeError('weighted() needs at least one entry');
      }
      return last[0];
    },
    sample: (items, count) => shuffle(items).slice(0, count),
    shuffle,
    hex: (length) => {
      let out = '';
      while (out.length < length) {
        out += Math.floor(next() * 0x100000000)
          .toString(16)
          .padStart(8, '0');
      }
      return out.slice(0, length);
    },
  };
}
