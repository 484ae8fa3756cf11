/** Whole-list scans: when to scan, how many pages at once, and what a scan learns. */
import { describe, expect, it } from 'vitest';
import { type ListPage, scanList } from '../../src/loaders/list-scan.ts';
import { scanPages } from '../../src/plan/rules.ts';

/** A list of `total` numbers served 100 a page, recording each call and the peak of concurrent calls. */
function fakeList(total: number) {
  const seen: number[] = [];
  let active = 0;
  let peak = 0;
  const fetchPage = async (page: number): Promise<ListPage<number>> => {
    seen.push(page);
    active += 1;
    peak = Math.max(peak, active);
    await new Promise((resolve) => setTimeout(resolve, 1));
    active -= 1;
    const items = Array.from(
      { length: Math.max(0, Math.min(100, total - (page - 1) * 100)) },
      (_, i) => (page - 1) * 100 + i,
    );
    return { items, nextPage: page * 100 < total ? page + 1 : undefined };
  };
  return { fetchPage, seen, peak: () => peak };
}

describe('scanPages', () => {
  it('scans an unknown list up to the cap, a known one for its exact pages, a large one never', () => {
    expect(scanPages(undefined, 10)).toBe(10);
    expect(scanPages(undefined, 0)).toBe(0);
    expect(scanPages({ pages: 5, complete: true }, 10)).toBe(5);
    expect(scanPages({ pages: 5, complete: true }, 4)).toBe(0);
    expect(scanPages({ pages: 3, complete: false }, 3)).toBe(0);
    // Larger than 3 pages is not larger than 10: a wider need may try again.
    expect(scanPages({ pages: 3, complete: false }, 10)).toBe(10);
  });
});

describe('scanList', () => {
  it('reads an unknown list one page at a time to its end', async () => {
    const list = fakeList(450);
    const scan = await scanList(list.fetchPage, 10);
    expect(scan).toMatchObject({ complete: true, pages: 5 });
    expect(scan.items).toEqual(Array.from({ length: 450 }, (_, i) => i));
    expect(list.seen).toEqual([1, 2, 3, 4, 5]);
    expect(list.peak()).toBe(1);
  });

  it('reads the known pages at once, and carries on when the list has grown', async () => {
    const same = fakeList(450);
    expect(await scanList(same.fetchPage, 10, 5)).toMatchObject({ complete: true, pages: 5 });
    expect(same.peak()).toBe(5);
    const grown = fakeList(620);
    const scan = await scanList(grown.fetchPage, 10, 5);
    expect(scan).toMatchObject({ complete: true, pages: 7 });
    expect(scan.items).toHaveLength(620);
    expect(grown.seen.slice(5)).toEqual([6, 7]);
  });

  it('stops at the cap and says the list is larger', async () => {
    const list = fakeList(1_000);
    const scan = await scanList(list.fetchPage, 3);
    expect(scan).toMatchObject({ complete: false, pages: 3 });
    expect(scan.items).toHaveLength(300);
    expect(list.seen).toEqual([1, 2, 3]);
  });
});
