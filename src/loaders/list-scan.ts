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
import { referenceValue, rememberReference } from './reference-cache.ts';

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

/**
 * A list's size as far as is known: exactly `pages` pages when `complete`, else more than `pages`
 * pages (a scan stopped there).
 */
export interface ListSize {
  pages: number;
  complete: boolean;
}

const sizeKey = (list: string): string => `${list}:size`;

/** The learned size of `list` for this credential's caches (`ctx.shared`), if any. */
export function knownListSize(shared: Map<string, unknown>, list: string): ListSize | undefined {
  return referenceValue<ListSize>(shared, sizeKey(list));
}

/** Remembers what a scan learned of `list`'s size. */
export function rememberListSize(ctx: Context, list: string, size: ListSize): void {
  rememberReference(
    ctx,
    sizeKey(list),
    { pages: size.pages, complete: size.complete },
    LIST_SIZE_TTL_MS,
  );
}

/**
 * Whether a scan of at most `maxPages` pages is worth trying given what is known: a list known to
 * fit gets its exact page count, one known to be larger than `maxPages` none (0), an unknown one
 * `maxPages`. Pure, so cost estimation uses the same rule as the loaders.
 */
export function scanPages(size: ListSize | undefined, maxPages: number): number {
  if (maxPages < 1) {
    return 0;
  }
  if (size === undefined) {
    return maxPages;
  }
  if (size.complete) {
    return size.pages <= maxPages ? size.pages : 0;
  }
  return size.pages < maxPages ? maxPages : 0;
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
  list: string,
  fetchPage: (params: { page: number; per_page: number }) => Promise<ListPage<T>>,
  maxPages: number,
): Promise<ScanResult<T>> {
  const known = knownListSize(ctx.shared, list);
  const scan = await scanList(
    (page) => fetchPage({ page, per_page: LIST_PAGE_SIZE }),
    maxPages,
    known?.complete ? known.pages : undefined,
  );
  rememberListSize(ctx, list, scan);
  return scan;
}
