/**
 * A connection window over a plain Freshdesk list (`page`/`per_page`, `Link` for the next page), for
 * lists served page by page rather than from a cached whole list. Cursors hold the position (`o`).
 * A client that keeps its page size gets one call per window; otherwise 100-record pages cover it.
 */
import { type ConnectionResult, encodeCursor, offsetAfter, readFirst } from './connection.ts';

/** Freshdesk's largest page. */
const MAX_PER_PAGE = 100;

export interface ListPage<T> {
  items: T[];
  nextPage: number | undefined;
}

export async function pagedConnection<T>(
  args: { first?: number | null; after?: string | null },
  fetchPage: (page: number, perPage: number) => Promise<ListPage<T>>,
): Promise<ConnectionResult<T>> {
  const first = readFirst(args.first);
  const offset = offsetAfter(args.after);
  const perPage = offset % first === 0 ? first : MAX_PER_PAGE;
  const startPage = Math.floor(offset / perPage) + 1;
  const skip = offset - (startPage - 1) * perPage;
  const collected: T[] = [];
  let page: number | undefined = startPage;
  let more = true;
  while (page !== undefined && collected.length < skip + first) {
    const result: ListPage<T> = await fetchPage(page, perPage);
    collected.push(...result.items);
    more = result.nextPage !== undefined;
    page = more ? page + 1 : undefined;
  }
  const slice = collected.slice(skip, skip + first);
  return {
    edges: slice.map((node, i) => ({ node, cursor: encodeCursor({ o: offset + i }) })),
    hasNextPage: collected.length > skip + first || (more && slice.length === first),
  };
}
