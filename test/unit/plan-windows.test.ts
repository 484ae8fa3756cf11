import { describe, expect, it } from 'vitest';
import { planWindow } from '../../src/plan/windows.ts';

describe('planWindow', () => {
  it('serves an aligned window with one page of its own size', () => {
    expect(planWindow(0, 30)).toEqual({
      calls: [{ page: 1, perPage: 30 }],
      skip: 0,
      truncated: false,
    });
    expect(planWindow(60, 30)).toEqual({
      calls: [{ page: 3, perPage: 30 }],
      skip: 0,
      truncated: false,
    });
  });

  it('finds a larger page size that holds a misaligned window', () => {
    // Items 45..74 lie in page 2 of 38 (38..75): the smallest page size that holds them.
    expect(planWindow(45, 30)).toEqual({
      calls: [{ page: 2, perPage: 38 }],
      skip: 7,
      truncated: false,
    });
  });

  it('falls back to two pages when no page size holds the window', () => {
    expect(planWindow(1, 100)).toEqual({
      calls: [
        { page: 1, perPage: 100 },
        { page: 2, perPage: 100 },
      ],
      skip: 1,
      truncated: false,
    });
  });

  it('respects the page wall: larger pages reach further, then nothing', () => {
    // Page 301 of 30 is refused; items 9000..9029 are page 258 of 35.
    expect(planWindow(9_000, 30, { maxPage: 300 })?.calls).toEqual([{ page: 258, perPage: 35 }]);
    expect(planWindow(29_950, 100, { maxPage: 300 })).toEqual({
      calls: [{ page: 300, perPage: 100 }],
      skip: 50,
      truncated: true,
    });
    expect(planWindow(30_000, 1, { maxPage: 300 })).toBeUndefined();
  });
});
