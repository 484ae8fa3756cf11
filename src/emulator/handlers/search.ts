/**
 * The search API (freshdesk-api.md section 4): `GET /search/tickets` and `GET /search/contacts`.
 * Fixed pages of 30, `page` 1..10 only (so at most 300 results are reachable while `total` tells
 * the full count), no `per_page` (the route's allow-list refuses it) and no `Link` header.
 */
import {
  type EmuReply,
  type EmuRequest,
  fieldError,
  publicView,
  type Route,
  type RouteContext,
} from '../http.ts';
import type { ContactRecord, TicketRecord } from '../records.ts';
import { compileSearch } from '../search.ts';
import { canSeeTicket, ticketListView } from './tickets.ts';

/** Results per search page, fixed (Freshdesk's `ApiSearchConstants::MAX_ITEMS_PER_PAGE`). */
export const SEARCH_PAGE_SIZE = 30;
/** The last reachable search page (`ApiSearchConstants::MAX_PAGE`): 300 results at most. */
export const SEARCH_MAX_PAGE = 10;

const PAGE_MESSAGE = `It should be a Positive Integer less than or equal to ${SEARCH_MAX_PAGE}`;

function readSearchPage(query: URLSearchParams): number {
  const raw = query.get('page');
  if (raw === null) {
    return 1;
  }
  if (!/^-?\d+$/.test(raw)) {
    throw fieldError('page', PAGE_MESSAGE, 'datatype_mismatch');
  }
  const page = Number(raw);
  if (page < 1 || page > SEARCH_MAX_PAGE) {
    throw fieldError('page', PAGE_MESSAGE, 'invalid_value');
  }
  return page;
}

function readQuery(query: URLSearchParams): string {
  const raw = query.get('query');
  if (raw === null) {
    throw fieldError('query', 'Mandatory attribute missing', 'missing_field');
  }
  return raw;
}

/**
 * Freshdesk does not document the order of search results; the emulator uses the most recently
 * updated first (ties: the higher id first), so that results are deterministic.
 */
const newestFirst = (
  a: { updated_at: string; id: number },
  b: { updated_at: string; id: number },
): number => (a.updated_at === b.updated_at ? b.id - a.id : a.updated_at < b.updated_at ? 1 : -1);

/** `{total, results}`: the full match count, and one page of results serialised by `view`. */
function searchPage<T>(
  items: readonly T[],
  pageNumber: number,
  view: (item: T) => Record<string, unknown>,
): EmuReply {
  const offset = (pageNumber - 1) * SEARCH_PAGE_SIZE;
  const results = items.slice(offset, offset + SEARCH_PAGE_SIZE).map(view);
  return { status: 200, body: { total: items.length, results } };
}

function searchTickets(req: EmuRequest, ctx: RouteContext): EmuReply {
  const pageNumber = readSearchPage(req.query);
  const matches = compileSearch('tickets', readQuery(req.query), ctx.data);
  const hits: TicketRecord[] = [];
  for (const ticket of ctx.data.tickets.values()) {
    if (
      !ticket.spam &&
      !ticket.deleted &&
      canSeeTicket(req.agent, ticket) &&
      matches(ticket, ctx.data)
    ) {
      hits.push(ticket);
    }
  }
  hits.sort(newestFirst);
  // A hit is the list-ticket shape plus `description` and `description_text`.
  return searchPage(hits, pageNumber, (ticket) =>
    ticketListView(ticket, ctx.data, ['description']),
  );
}

function searchContacts(req: EmuRequest, ctx: RouteContext): EmuReply {
  const pageNumber = readSearchPage(req.query);
  const matches = compileSearch('contacts', readQuery(req.query), ctx.data);
  const hits: ContactRecord[] = [];
  for (const contact of ctx.data.contacts.values()) {
    if (contact._state !== 'deleted' && matches(contact, ctx.data)) {
      hits.push(contact);
    }
  }
  hits.sort(newestFirst);
  return searchPage(hits, pageNumber, publicView);
}

export const routes: Route[] = [
  { method: 'GET', path: '/search/tickets', query: ['query', 'page'], handler: searchTickets },
  { method: 'GET', path: '/search/contacts', query: ['query', 'page'], handler: searchContacts },
];
