/**
 * The one page planner: maps a connection window (`offset`, `count`) onto Freshdesk's page/per_page
 * paging, for every paged list (tickets, search, contacts, conversations, articles). Freshdesk pages
 * start at multiples of `per_page`; choosing `per_page` per window lets any `first` in 1..100 be
 * served by one call whenever some page size holds the whole window. Search has a fixed page size.
 */

/** Freshdesk's largest page. */
export const MAX_PER_PAGE = 100;

export interface PageCall {
  page: number;
  perPage: number;
}

export interface WindowPlan {
  /** Consecutive pages of one size. */
  calls: PageCall[];
  /** Where the window starts in the concatenated results of `calls`. */
  skip: number;
  /** True when part of the window lies beyond `maxPage` (only the reachable part is planned). */
  truncated: boolean;
}

export interface WindowLimits {
  /** The last page Freshdesk serves (300 for the ticket list, 10 for search). */
  maxPage?: number;
  /** @default 100 */
  maxPerPage?: number;
  /** A page size Freshdesk does not let the caller choose (search: 30). */
  fixedPerPage?: number;
}

/**
 * The cheapest calls that return items `offset .. offset+count-1`: one call with the smallest page
 * size that holds the window, else two pages. Undefined when even the first item is beyond
 * `maxPage`.
 */
export function planWindow(
  offset: number,
  count: number,
  limits: WindowLimits = {},
): WindowPlan | undefined {
  const maxPage = limits.maxPage ?? Number.POSITIVE_INFINITY;
  if (limits.fixedPerPage !== undefined) {
    return fixedWindow(offset, count, limits.fixedPerPage, maxPage);
  }
  const maxPerPage = limits.maxPerPage ?? MAX_PER_PAGE;
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
  return fixedWindow(offset, count, maxPerPage, maxPage);
}

function fixedWindow(
  offset: number,
  count: number,
  perPage: number,
  maxPage: number,
): WindowPlan | undefined {
  const start = Math.floor(offset / perPage);
  if (start + 1 > maxPage) {
    return undefined;
  }
  const end = Math.floor((offset + count - 1) / perPage);
  const last = Math.min(end, maxPage - 1);
  const calls: PageCall[] = [];
  for (let page = start; page <= last; page++) {
    calls.push({ page: page + 1, perPage });
  }
  return { calls, skip: offset - start * perPage, truncated: end > last };
}
