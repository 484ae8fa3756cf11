/**
 * What the read cache keeps, by kind of upstream read, and for how long. A read's kind comes from
 * its path; reads of no kind are not kept (the whole lists kept per credential in
 * `loaders/credential-cache.ts`: agents, groups, ticket fields, the caller's own agent, the
 * knowledge base's categories and folder lists; automation rules).
 *
 * Each kind has its own maximum age (`DESKGRAPH_CACHE_MAX_AGES` overrides it). Ticket data is
 * kept true by change sightings (webhooks, the sweep, the gateway's own writes: `read-cache.ts`),
 * so its age is only a backstop; what belongs to a ticket (conversations, ratings) is reused only
 * while the ticket's `updated_at` is unchanged; contacts, companies, agents and groups have no
 * change feed, so their ages are as short as the reference lists'.
 */

export type CacheKind =
  | 'tickets'
  | 'ticket-lists'
  | 'search'
  | 'conversations'
  | 'ratings'
  | 'rating-lists'
  | 'contacts'
  | 'contact-lists'
  | 'companies'
  | 'company-lists'
  | 'agents'
  | 'groups'
  | 'solutions';

export const CACHE_KINDS: readonly CacheKind[] = [
  'tickets',
  'ticket-lists',
  'search',
  'conversations',
  'ratings',
  'rating-lists',
  'contacts',
  'contact-lists',
  'companies',
  'company-lists',
  'agents',
  'groups',
  'solutions',
];

/** Seconds each kind is reused at most (before a change outdates it, if one does). */
export const DEFAULT_MAX_AGES: Readonly<Record<CacheKind, number>> = {
  tickets: 600,
  'ticket-lists': 300,
  search: 60,
  conversations: 1800,
  ratings: 600,
  'rating-lists': 60,
  contacts: 60,
  'contact-lists': 60,
  companies: 60,
  // As long as the company list kept per credential (which reads through these pages).
  'company-lists': 60,
  agents: 60,
  groups: 60,
  solutions: 300,
};

/** Kinds whose freshness rests on change sightings (webhooks, sweep, own writes). */
export const TICKET_KINDS: ReadonlySet<CacheKind> = new Set([
  'tickets',
  'ticket-lists',
  'search',
  'conversations',
  'ratings',
]);

/**
 * Seconds ticket data is reused at most when nothing reports changes (no sweep and no webhooks):
 * then only the gateway's own writes outdate it.
 */
export const UNWATCHED_MAX_AGE = 60;

/** A read as the cache files it: its kind, and the ticket (or contact) it is about, if one. */
export interface ReadClass {
  kind: CacheKind;
  /** Tickets by id, a ticket's conversations and ratings: the ticket's id. */
  ticketId?: string;
  /** A contact by id: its id. */
  contactId?: string;
}

const ONE_TICKET = /^\/api\/v2\/tickets\/(\d+)$/;
const TICKET_CHILD = /^\/api\/v2\/tickets\/(\d+)\/(conversations|satisfaction_ratings)$/;
const ONE_CONTACT = /^\/api\/v2\/contacts\/(\d+)$/;
const BY_ID = /^\/api\/v2\/(companies|agents|groups)\/\d+$/;
const SOLUTIONS =
  /^\/api\/v2\/solutions\/(articles\/\d+|folders\/\d+(\/articles)?|categories\/\d+)$/;

/** The kind of a read, or undefined for reads the cache does not keep. */
export function classify(path: string): ReadClass | undefined {
  if (path === '/api/v2/tickets') {
    return { kind: 'ticket-lists' };
  }
  if (path === '/api/v2/search/tickets') {
    return { kind: 'search' };
  }
  let match = ONE_TICKET.exec(path);
  if (match) {
    return { kind: 'tickets', ticketId: match[1] };
  }
  match = TICKET_CHILD.exec(path);
  if (match) {
    return {
      kind: match[2] === 'conversations' ? 'conversations' : 'ratings',
      ticketId: match[1],
    };
  }
  if (path === '/api/v2/contacts') {
    return { kind: 'contact-lists' };
  }
  if (path === '/api/v2/companies') {
    return { kind: 'company-lists' };
  }
  if (path === '/api/v2/surveys/satisfaction_ratings') {
    return { kind: 'rating-lists' };
  }
  match = ONE_CONTACT.exec(path);
  if (match) {
    return { kind: 'contacts', contactId: match[1] };
  }
  match = BY_ID.exec(path);
  if (match) {
    return { kind: match[1] as 'companies' | 'agents' | 'groups' };
  }
  if (SOLUTIONS.test(path)) {
    return { kind: 'solutions' };
  }
  return undefined;
}

/**
 * Reads `DESKGRAPH_CACHE_MAX_AGES`: `kind=seconds` pairs separated by commas
 * (`tickets=300,search=30`); `0` keeps a kind out of the cache.
 */
export function readMaxAges(
  text: string | undefined,
): { ages: Partial<Record<CacheKind, number>> } | { problems: string[] } {
  const ages: Partial<Record<CacheKind, number>> = {};
  const problems: string[] = [];
  for (const part of (text ?? '').split(',')) {
    const item = part.trim();
    if (item === '') {
      continue;
    }
    const match = /^([a-z-]+)\s*=\s*(\d+)$/.exec(item);
    const kind = match?.[1] as CacheKind | undefined;
    if (!match || kind === undefined || !CACHE_KINDS.includes(kind)) {
      problems.push(`"${item}" is not kind=seconds with a kind among ${CACHE_KINDS.join(', ')}`);
      continue;
    }
    const seconds = Number(match[2]);
    if (seconds > 86_400) {
      problems.push(`${kind} may be kept at most 86400 seconds; got ${seconds}`);
      continue;
    }
    ages[kind] = seconds;
  }
  return problems.length > 0 ? { problems } : { ages };
}
