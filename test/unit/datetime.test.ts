/**
 * DateTime's normalisation (`toUtcSeconds`): the shortcut for dates already in Freshdesk's form
 * answers exactly what the full conversion answers, days that do not exist in their month included
 * (the conversion rolls them over; the shortcut must not pass them through).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { toUtcSeconds } from '../../src/schema/types/scalars.ts';

/** The conversion without the shortcut: what every value got before it. */
const converted = (value: string) =>
  new Date(Date.parse(value)).toISOString().replace(/\.\d{3}Z$/, 'Z');

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

describe('DateTime normalisation', () => {
  it('returns a real date in Freshdesk form as it is, and rolls over a day past its month', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1970, max: 2100 }),
        fc.integer({ min: 1, max: 12 }),
        fc.integer({ min: 1, max: 31 }),
        fc.integer({ min: 0, max: 23 }),
        fc.integer({ min: 0, max: 59 }),
        fc.integer({ min: 0, max: 59 }),
        (year, month, day, hour, minute, second) => {
          const value = `${pad(year, 4)}-${pad(month)}-${pad(day)}T${pad(hour)}:${pad(minute)}:${pad(second)}Z`;
          expect(toUtcSeconds(value)).toBe(converted(value));
        },
      ),
      { numRuns: 2_000 },
    );
    expect(toUtcSeconds('2024-02-29T10:00:00Z')).toBe('2024-02-29T10:00:00Z');
    expect(toUtcSeconds('2023-02-29T10:00:00Z')).toBe('2023-03-01T10:00:00Z');
    expect(toUtcSeconds('2024-04-31T00:00:00Z')).toBe('2024-05-01T00:00:00Z');
    expect(toUtcSeconds('2024-12-31T23:59:59Z')).toBe('2024-12-31T23:59:59Z');
  });

  it('still converts other accepted forms and refuses what is not a date', () => {
    expect(toUtcSeconds('2024-06-01T12:00:00+02:00')).toBe('2024-06-01T10:00:00Z');
    expect(toUtcSeconds('2024-06-01T12:00:00.250Z')).toBe('2024-06-01T12:00:00Z');
    expect(toUtcSeconds('2024-06-01')).toBe('2024-06-01T00:00:00Z');
    expect(() => toUtcSeconds('2024-06-01T25:00:00Z')).toThrow(/not a real date/);
    expect(() => toUtcSeconds('yesterday')).toThrow(/ISO-8601/);
  });
});
