/**
 * A connection window over a plain Freshdesk list (`page`/`per_page`, `Link` for the next page), for
 * lists served page by page rather than from a cached whole list. Cursors hold the position (`o`);
 * the pages are the plan's window (`planWindow`): one call whenever some page size holds the window.
 */
import { planWindow } from '../plan/windows.ts';
import { type ConnectionResult, encodeCursor, offsetAfter, readFirst } from './connection.ts';

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
  const plan = planWindow(offset, first);
  const collected: T[] = [];
  let more = false;
  for (const call of plan?.calls ?? []) {
    const result = await fetchPage(call.page, call.perPage);
    collected.push(...result.items);
    more = result.nextPage !== undefined;
    if (!more) {
      break;
    }
  }
  const skip = plan?.skip ?? 0;
  const slice = collected.slice(skip, skip + first);
  return {
    edges: slice.map((node, i) => ({ node, cursor: encodeCursor({ o: offset + i }) })),
    hasNextPage: collected.length > skip + first || (more && slice.length === first),
  };
}
