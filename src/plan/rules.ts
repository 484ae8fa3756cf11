/**
 * The loading plan's rules: which Freshdesk calls a selection needs and how they are shaped
 * (embeds, page sizes, whole-list reads, list scans). Each rule is a pure function of a
 * `Selection` and the `PlanState`; the resolvers and loaders follow them, and the cost estimate
 * (`estimate.ts`) sums the calls they imply, so the two cannot disagree.
 */
import type { TicketInclude } from '../upstream/tickets.ts';
import { COMPANIES, type ListSize, sizeOf } from './entries.ts';
import { conditionsFor, type Selection } from './selection.ts';
import type { PlanState } from './state.ts';

/** A connection's page when `first` is omitted; the largest `first`. */
export const DEFAULT_FIRST = 30;
export const MAX_FIRST = 100;
/** Freshdesk refuses `page` above 300 on the ticket list. */
export const MAX_TICKET_PAGE = 300;
/** `include=conversations` embeds at most this many, oldest first. */
export const MAX_EMBEDDED_CONVERSATIONS = 10;
/** Pages of `GET /companies` read to find out whether the list is small. */
export const COMPANY_LIST_MAX_PAGES = 3;
/** Most pages of `GET /contacts` one scan reads (1,000 contacts). */
export const CONTACT_SCAN_MAX_PAGES = 10;
/** A contact scan of a list of known size must cost at most 1/this of the by-id calls it replaces. */
export const CONTACT_SCAN_ADVANTAGE = 2;
/**
 * Fewest distinct contacts worth a first scan while the list's size is unknown. A first scan reads
 * up to `CONTACT_SCAN_MAX_PAGES` (it stops at the list's end), so it covers any list a scan may
 * cover, and what it learns of the size serves later operations for 15 minutes: at worst it costs
 * about what loading these contacts by id would.
 */
export const CONTACT_SCAN_MIN_UNKNOWN = 12;

/** Fields every source knows without a call. */
export const ID_ONLY_FIELDS: ReadonlySet<string> = new Set(['id', '__typename']);
/** Requester fields a ticket call can embed (`include=requester`). */
export const EMBEDDED_REQUESTER_FIELDS: ReadonlySet<string> = new Set([
  'id',
  'name',
  'email',
  'mobile',
  'phone',
  '__typename',
]);
/** Company fields a ticket call can embed (`include=company`). */
export const EMBEDDED_COMPANY_FIELDS: ReadonlySet<string> = new Set(['id', 'name', '__typename']);
/** Contact fields answered from the contact's id alone (its tickets are listed by requester id). */
const CONTACT_BY_ID: ReadonlySet<string> = new Set(['id', '__typename', 'tickets']);
const CONTACT_EMBEDDED: ReadonlySet<string> = new Set([...EMBEDDED_REQUESTER_FIELDS, 'tickets']);

export const CONTACT = conditionsFor('Contact');
export const AGENT = conditionsFor('Agent');

/**
 * How much of a person or company a selection needs: `id` (the id the parent carries),
 * `embedded` (what a ticket call can embed), or `full` (a call for the record itself).
 */
export type Need = 'id' | 'embedded' | 'full';

/** What the selection below a contact needs. */
export function contactNeed(contact: Selection): Need {
  if (contact.onlyFrom(CONTACT_BY_ID)) {
    return 'id';
  }
  return contact.onlyFrom(CONTACT_EMBEDDED) ? 'embedded' : 'full';
}

/** What the selection below a company needs. */
export function companyNeed(company: Selection): Need {
  if (company.onlyFrom(ID_ONLY_FIELDS)) {
    return 'id';
  }
  return company.onlyFrom(EMBEDDED_COMPANY_FIELDS) ? 'embedded' : 'full';
}

/** `first` as the plan counts it (the resolvers validate it; a bad one costs nothing). */
export function firstOf(args: Readonly<Record<string, unknown>>): number {
  const first = args.first;
  return typeof first === 'number' && Number.isInteger(first)
    ? Math.min(MAX_FIRST, Math.max(1, first))
    : DEFAULT_FIRST;
}

export const hasCursor = (args: Readonly<Record<string, unknown>>): boolean =>
  args.after !== undefined && args.after !== null;

/**
 * Whether a ticket's conversations come embedded (`include=conversations`): the first page of at
 * most 10, without a cursor.
 */
export const conversationsEmbeddable = (args: Readonly<Record<string, unknown>>): boolean =>
  !hasCursor(args) && firstOf(args) <= MAX_EMBEDDED_CONVERSATIONS;

/**
 * Whether an embedded first page of conversations needs one look past it: exactly 10 asked, and
 * `pageInfo.hasNextPage` selected (only a look can tell whether an 11th exists).
 */
export const conversationsProbe = (
  args: Readonly<Record<string, unknown>>,
  connection: Selection,
): boolean =>
  firstOf(args) === MAX_EMBEDDED_CONVERSATIONS && connection.below('pageInfo').has('hasNextPage');

const descriptionWanted = (ticket: Selection): boolean =>
  ticket.has('description') || ticket.has('descriptionText');

/**
 * Whether a scan of at most `maxPages` pages is worth trying given what is known: a list known to
 * fit gets its exact page count, one known to be larger than `maxPages` none (0), an unknown one
 * `maxPages`.
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
 * Pages a company scan reads for `wanted` companies now: 0 when the list is cached (nothing to
 * read) or known to be too large (then companies load by id or come embedded).
 */
export function companyPlan(
  state: PlanState,
  wanted: number,
): { directory: 'cached' | 'scan' | 'none'; pages: number } {
  if (state.peek(COMPANIES)) {
    return { directory: 'cached', pages: 0 };
  }
  const pages = scanPages(
    state.peek(sizeOf('companies')),
    Math.min(COMPANY_LIST_MAX_PAGES, wanted),
  );
  return pages > 0 ? { directory: 'scan', pages } : { directory: 'none', pages: 0 };
}

/** True when this credential's account is known to have too many companies to list. */
export const companyListTooLarge = (state: PlanState): boolean =>
  companyPlan(state, COMPANY_LIST_MAX_PAGES).directory === 'none';

/**
 * Pages a contact scan reads for `wanted` distinct contacts (0: load them by id), given what is
 * known of the list's size and the credits left on the contacts-list sub-limit (not known: room):
 * the whole list when it is known to be small enough to pay for itself, up to
 * `CONTACT_SCAN_MAX_PAGES` while its size is unknown.
 */
export function contactScanPages(state: PlanState, wanted: number): number {
  const size = state.peek(sizeOf('contacts'));
  let pages = 0;
  if (size === undefined) {
    pages = wanted >= CONTACT_SCAN_MIN_UNKNOWN ? CONTACT_SCAN_MAX_PAGES : 0;
  } else if (size.complete && size.pages <= CONTACT_SCAN_MAX_PAGES) {
    pages = wanted >= size.pages * CONTACT_SCAN_ADVANTAGE ? size.pages : 0;
  }
  if (pages === 0) {
    return 0;
  }
  const room = state.remaining('contacts_list');
  return room === null || room === undefined || room >= pages ? pages : 0;
}

/**
 * The fewest distinct contacts one batch must need for a scan (beyond the by-id loads it saves);
 * infinite when the list is known to be too large to scan.
 */
export function contactScanThreshold(state: PlanState): number {
  const size = state.peek(sizeOf('contacts'));
  if (size === undefined) {
    return CONTACT_SCAN_MIN_UNKNOWN;
  }
  if (!size.complete || size.pages > CONTACT_SCAN_MAX_PAGES) {
    return Number.POSITIVE_INFINITY;
  }
  return size.pages * CONTACT_SCAN_ADVANTAGE;
}

/**
 * The embeds of a ticket-list page for the selection below its tickets: `description` when
 * selected; `requester` when only embedded requester fields are selected and the page may hold two
 * or more tickets (+2 a page instead of a call per requester); `company` likewise, only for
 * accounts known to have too many companies to list. Otherwise companies come from the company
 * list, read beside the page (`prefetchCompanies`). Search cannot embed.
 */
export function ticketListPlan(
  ticket: Selection,
  first: number,
  state: PlanState,
): { include: TicketInclude[]; prefetchCompanies: boolean } {
  const include: TicketInclude[] = [];
  if (descriptionWanted(ticket)) {
    include.push('description');
  }
  if (
    first >= 2 &&
    ticket.has('requester') &&
    contactNeed(ticket.below('requester', CONTACT)) === 'embedded'
  ) {
    include.push('requester');
  }
  let prefetchCompanies = false;
  const company = ticket.has('company') ? companyNeed(ticket.below('company')) : 'id';
  if (company !== 'id') {
    if (companyListTooLarge(state)) {
      if (first >= 2 && company === 'embedded') {
        include.push('company');
      }
    } else {
      prefetchCompanies = true;
    }
  }
  return { include, prefetchCompanies };
}

/**
 * The embeds of `ticket(id)`: the requester and the company (+1 each instead of a call each, unless
 * the company list is at hand), and the first page of conversations when it fits the embed.
 */
export function singleTicketIncludes(ticket: Selection, state: PlanState): TicketInclude[] {
  const include: TicketInclude[] = [];
  if (ticket.has('requester') && contactNeed(ticket.below('requester', CONTACT)) === 'embedded') {
    include.push('requester');
  }
  if (
    ticket.has('company') &&
    companyNeed(ticket.below('company')) === 'embedded' &&
    !state.peek(COMPANIES)
  ) {
    include.push('company');
  }
  if (ticket.all('conversations').some((field) => conversationsEmbeddable(field.args))) {
    include.push('conversations');
  }
  return include;
}
