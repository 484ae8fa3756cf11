/**
 * Whole-list scans for lists of unknown size (companies, contacts). Freshdesk has no "get many by
 * id": when an operation needs many records of a list that turns out to be small, reading the whole
 * list (one call per 100 records) costs fewer credits than one call per id. A scan is bounded: it
 * stops at `maxPages` and reports the list as larger. What a scan learns of the list's size is
 * remembered per credential for `LIST_SIZE_TTL_MS`, so that later scans fetch the known pages all at
 * once (one round trip) and a list known to be too large is not scanned again.
 *
 * Nothing is lost by a scan: a record it did not see (created, renamed past a page boundary or
 * deleted meanwhile, or listed nowhere, like a blocked contact) is still loaded by id by the caller.
 */
import type { Context } from '../context.ts';
import { type ListSize, type ScannedList, sizeOf } from '../plan/entries.ts';

/** How long a learned list size is trusted. @default 900000 (15 minutes) */
export const LIST_SIZE_TTL_MS = 15 * 60_000;

/** Freshdesk's largest page. */
export const LIST_PAGE_SIZE = 100;

/** One page of a list, as the upstream module returns it. */
export interface ListPage<T> {
  items: T[];
  /** The next page number from the `Link` header; undefined on the last page. */
  nextPage: number | undefined;
}

/** What a scan returned and learned. */
export interface ScanResult<T> {
  items: T[];
  /** True when the scan reached the list's last page. */
  complete: boolean;
  /** Pages read. */
  pages: number;
}

/** Remembers what a scan learned of `list`'s size. */
export function rememberListSize(ctx: Context, list: ScannedList, size: ListSize): void {
  ctx.shared.set(sizeOf(list), { pages: size.pages, complete: size.complete }, LIST_SIZE_TTL_MS);
}

/**
 * Reads `list` from page 1 until its last page or `maxPages`. With `knownPages` (a size learned
 * before), those pages are requested at once; the scan then carries on one page at a time only if
 * the list has grown past them.
 */
export async function scanList<T>(
  fetchPage: (page: number) => Promise<ListPage<T>>,
  maxPages: number,
  knownPages?: number,
): Promise<ScanResult<T>> {
  const items: T[] = [];
  let pages = 0;
  let next: number | undefined = 1;
  if (knownPages !== undefined && knownPages > 1 && knownPages <= maxPages) {
    const first = await Promise.all(Array.from({ length: knownPages }, (_, i) => fetchPage(i + 1)));
    for (const page of first) {
      items.push(...page.items);
    }
    pages = knownPages;
    const last = first.at(-1)?.nextPage;
    next = last !== undefined && last > knownPages ? last : undefined;
  }
  while (next !== undefined && pages < maxPages) {
    const page: ListPage<T> = await fetchPage(next);
    pages += 1;
    items.push(...page.items);
    next = page.nextPage !== undefined && page.nextPage > next ? page.nextPage : undefined;
  }
  return { items, complete: next === undefined, pages };
}

/**
 * Scans `list` with what is known of its size (the known pages at once), for at most `maxPages`
 * pages, and remembers what the scan learned.
 */
export async function scanAndLearn<T>(
  ctx: Context,
  list: ScannedList,
  fetchPage: (params: { page: number; per_page: number }) => Promise<ListPage<T>>,
  maxPages: number,
): Promise<ScanResult<T>> {
  const known = ctx.shared.peek(sizeOf(list));
  const scan = await scanList(
    (page) => fetchPage({ page, per_page: LIST_PAGE_SIZE }),
    maxPages,
    known?.complete ? known.pages : undefined,
  );
  rememberListSize(ctx, list, scan);
  return scan;
}
