/**
 * Maps a connection window (`offset`, `count`) onto Freshdesk's page/per_page paging. Freshdesk
 * pages start at multiples of `per_page`; choosing `per_page` per window lets any `first` in 1..100
 * be served by one call whenever some page size holds the whole window.
 */

export const MAX_PER_PAGE = 100;

export interface PageCall {
  page: number;
  perPage: number;
}

export interface WindowPlan {
  /** One or two consecutive pages of one size. */
  calls: PageCall[];
  /** Where the window starts in the concatenated results of `calls`. */
  skip: number;
  /** True when part of the window lies beyond `maxPage` (only the reachable part is planned). */
  truncated: boolean;
}

/**
 * The cheapest calls that return items `offset .. offset+count-1`: one call with the smallest page
 * size that holds the window, else two pages. Undefined when even the first item is beyond
 * `maxPage` at the largest page size.
 */
export function planWindow(
  offset: number,
  count: number,
  maxPage = Number.POSITIVE_INFINITY,
  maxPerPage = MAX_PER_PAGE,
): WindowPlan | undefined {
  const last = offset + count - 1;
  for (let perPage = Math.min(count, maxPerPage); perPage <= maxPerPage; perPage++) {
    const start = Math.floor(offset / perPage);
    if (Math.floor(last / perPage) === start && start + 1 <= maxPage) {
      return {
        calls: [{ page: start + 1, perPage }],
        skip: offset - start * perPage,
        truncated: false,
      };
    }
  }
  for (const perPage of [Math.min(count, maxPerPage), maxPerPage]) {
    const start = Math.floor(offset / perPage);
    if (start + 2 <= maxPage) {
      return {
        calls: [
          { page: start + 1, perPage },
          { page: start + 2, perPage },
        ],
        skip: offset - start * perPage,
        truncated: false,
      };
    }
  }
  const start = Math.floor(offset / maxPerPage);
  if (start + 1 > maxPage) {
    return undefined;
  }
  return {
    calls: [{ page: start + 1, perPage: maxPerPage }],
    skip: offset - start * maxPerPage,
    truncated: true,
  };
}
