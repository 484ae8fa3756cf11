/**
 * Cost before execution: the credits an operation will spend upstream, summed from the loading
 * plan's own rules (`rules.ts`, `windows.ts`) over the operation's selection, before any resolver
 * runs. It is an upper bound for the plan as executed: every list is counted as full (`first`
 * rows), every per-record call as made, whatever is already held for the credential (whole lists)
 * as free.
 *
 * How it walks: one position per distinct path of field names and arguments (aliases and repeated
 * fragments share a position, as they share their reads when executed: the operation makes each
 * read once, `FreshdeskSession.read`); each position's selection is visited once, fragments
 * expanded once per selection, so the work is linear in the document (and bounded by
 * `MAX_POSITIONS`). Back-references are followed to the objects they return: a conversation's
 * ticket is the ticket it was listed under, a requester listed under a contact's tickets is that
 * contact, an article's folder the folder it was listed in.
 */
import type { BudgetName } from '../quota/plans.ts';
import type { Estimate } from '../quota/use-quota-gate.ts';
import { contactRead } from '../upstream/contacts.ts';
import type { MeteredEndpoint } from '../upstream/credits.ts';
import { pathId } from '../upstream/ids.ts';
import type { ReadRequest } from '../upstream/request-key.ts';
import { articleRead, folderRead } from '../upstream/solutions.ts';
import { ticketRead } from '../upstream/tickets.ts';
import {
  AGENTS,
  CATEGORIES,
  type CacheEntry,
  foldersOf,
  GROUPS,
  ME,
  sizeOf,
  TICKET_FIELDS,
} from './entries.ts';
import {
  AGENT,
  CONTACT,
  companyNeed,
  companyPlan,
  contactNeed,
  contactScanPages,
  contactScanThreshold,
  conversationsEmbeddable,
  conversationsProbe,
  firstOf,
  hasCursor,
  MAX_TICKET_PAGE,
  type Need,
  singleTicketIncludes,
  ticketListPlan,
} from './rules.ts';
import { Selection } from './selection.ts';
import type { PlanState } from './state.ts';
import { planWindow } from './windows.ts';

export type { Estimate } from '../quota/use-quota-gate.ts';

/** Distinct positions an estimate walks at most; beyond, the operation is too complex to cost. */
export const MAX_POSITIONS = 5_000;
/**
 * Share of a contact scan's contacts assumed missing from the list (blocked or deleted contacts,
 * agents as requesters), loaded by id after it.
 */
const SCAN_MISSES = 0.05;
/** Folders assumed per category while the category's folder list is not held. */
const ASSUMED_FOLDERS = 5;
/** Categories assumed while the category list is not held. */
const ASSUMED_CATEGORIES = 5;
/** Upper bound on a multiplier (keeps deep nesting finite). */
const MAX_COUNT = 1e12;

/** Where objects sit in the operation: an identity (path and arguments) and how many at most. */
interface Position {
  id: string;
  n: number;
}

/** What ticket objects at a position carry without another call. */
interface TicketShape {
  description: boolean;
  requester: boolean;
  company: boolean;
  conversations: boolean;
  /** When listed under a contact's tickets: that contact (every ticket's requester). */
  requesterOf?: { position: Position; shape: ContactShape };
}

/** What contact objects at a position carry: just the id, the embedded fields, or everything. */
type ContactShape = Need;

const LIST_ROW = (include: readonly string[]): TicketShape => ({
  description: include.includes('description'),
  requester: include.includes('requester'),
  company: include.includes('company'),
  conversations: false,
});
/** A ticket read by id without embeds, or a write's answer. */
const DETAIL: TicketShape = {
  description: true,
  requester: false,
  company: false,
  conversations: false,
};
/** Search hits carry the description (freshdesk-api.md section 4), nothing embedded. */
const SEARCH_HIT = DETAIL;

const argsKey = (args: Readonly<Record<string, unknown>>): string =>
  JSON.stringify(
    Object.keys(args)
      .sort()
      .map((name) => [name, args[name]]),
  );

const times = (a: number, b: number): number => Math.min(MAX_COUNT, a * b);

/** A root field's `id` argument as it goes into a path (a bad one reads nothing anyway). */
const idOf = (args: Readonly<Record<string, unknown>>): string =>
  pathId(String(args.id ?? '')) ?? String(args.id ?? '');

/**
 * A connection's node selections, one per response path (`nodes`, `edges { node }`, aliases):
 * each is resolved on its own, so each is walked on its own (their reads shared where equal).
 */
function nodeSelections(connection: Selection, types?: readonly string[]): Selection[] {
  const out: Selection[] = [];
  for (const field of connection.fields) {
    if (field.name === 'nodes') {
      out.push(connection.child(field, types));
    } else if (field.name === 'edges') {
      const edges = connection.child(field);
      for (const node of edges.all('node')) {
        out.push(edges.child(node, types));
      }
    }
  }
  return out;
}

class Tally {
  readonly state: PlanState;
  credits = 0;
  calls = 0;
  readonly budgets: Partial<Record<BudgetName, number>> = { total: 0 };
  overflow = false;
  #reads = new Set<string>();
  #visited = new Set<string>();
  #contactScan = 0;

  constructor(state: PlanState) {
    this.state = state;
  }

  /** `count` calls of `creditsEach`, counted once per operation under `key`. */
  read(key: string, count: number, creditsEach = 1, endpoint?: MeteredEndpoint): void {
    if (count <= 0 || this.#reads.has(key)) {
      return;
    }
    this.#reads.add(key);
    const credits = times(count, creditsEach);
    this.calls += count;
    this.credits += credits;
    this.budgets.total = (this.budgets.total ?? 0) + credits;
    if (endpoint) {
      this.budgets[endpoint] = (this.budgets[endpoint] ?? 0) + credits;
    }
  }

  /** A whole list kept per credential: free while held, else its pages, once. */
  list(entry: CacheEntry<unknown>, pages = 1): void {
    if (this.state.peek(entry) === undefined) {
      this.read(`list:${entry.name}`, pages);
    }
  }

  /** Whether this exact read is already answered (costs nothing). */
  cached(request: ReadRequest): boolean {
    return this.state.cachedRead(request);
  }

  contactScan(pages: number): void {
    this.#contactScan = Math.max(this.#contactScan, pages);
  }

  /** False when this position was already walked with this selection (or the walk is too big). */
  enter(position: Position, selection: Selection, shape: string): boolean {
    if (position.n <= 0 || this.overflow) {
      return false;
    }
    const key = `${position.id}|${shape}|${selection.signature()}`;
    if (this.#visited.has(key)) {
      return false;
    }
    this.#visited.add(key);
    if (this.#visited.size > MAX_POSITIONS) {
      this.overflow = true;
      return false;
    }
    return true;
  }

  finish(): Estimate {
    this.read('scan:contacts', this.#contactScan, 1, 'contacts_list');
    if (this.overflow) {
      return { credits: Number.POSITIVE_INFINITY, calls: this.calls, budgets: this.budgets };
    }
    return { credits: this.credits, calls: this.calls, budgets: this.budgets };
  }
}

/** `position.n` contacts loaded in full: a contact-list scan when it pays, else one call each. */
function loadContacts(tally: Tally, position: Position): void {
  const pages = contactScanPages(tally.state, position.n);
  if (pages > 0) {
    // The scan, and what it misses; or, when fewer distinct contacts than the scan needs turn
    // up (the same requester on several tickets), as many as that by id.
    tally.contactScan(pages);
    const byId = Math.min(position.n, contactScanThreshold(tally.state) - 1);
    tally.read(
      `${position.id}|contact-misses`,
      Math.max(Math.ceil(position.n * SCAN_MISSES), byId - pages),
    );
  } else {
    tally.read(`${position.id}|contact`, position.n);
  }
}

/** `position.n` companies beyond their id: from the company list, else one call each. */
function loadCompanies(tally: Tally, position: Position): void {
  const plan = companyPlan(tally.state, position.n);
  if (plan.directory === 'scan') {
    // Size not known yet: most accounts' company list is one page (one found larger spends more,
    // once, and is remembered).
    const known = tally.state.peek(sizeOf('companies'));
    tally.read('list:companies', known ? plan.pages : 1);
  } else if (plan.directory === 'none') {
    tally.read(`${position.id}|company`, position.n);
  }
}

function walkTickets(tally: Tally, sel: Selection, at: Position, shape: TicketShape): void {
  const shapeKey = `t${+shape.description}${+shape.requester}${+shape.company}${+shape.conversations}`;
  if (!tally.enter(at, sel, shapeKey)) {
    return;
  }
  for (const field of sel.fields) {
    switch (field.name) {
      case 'statusLabel':
        tally.list(TICKET_FIELDS);
        break;
      case 'description':
      case 'descriptionText':
        if (!shape.description) {
          tally.read(`${at.id}|detail`, at.n);
        }
        break;
      case 'requester':
        walkRequester(tally, sel.child(field, CONTACT), at, shape);
        break;
      case 'responder':
        tally.list(AGENTS);
        walkAgents(tally, sel.child(field, AGENT));
        break;
      case 'group':
        tally.list(GROUPS);
        walkGroups(tally, sel.child(field));
        break;
      case 'company': {
        const need = companyNeed(sel.child(field));
        if (need === 'full' || (need === 'embedded' && !shape.company)) {
          loadCompanies(tally, { id: `${at.id}/company`, n: at.n });
        }
        break;
      }
      case 'conversations': {
        const connection = sel.child(field);
        const first = firstOf(field.args);
        const conversations: Position = {
          id: `${at.id}/conversations${argsKey(field.args)}`,
          n: times(at.n, first),
        };
        if (shape.conversations && conversationsEmbeddable(field.args)) {
          if (conversationsProbe(field.args, connection)) {
            tally.read(`${at.id}|conversations-probe`, at.n);
          }
        } else {
          tally.read(`${conversations.id}|pages`, times(at.n, pagesFor(field.args)));
        }
        for (const nodes of nodeSelections(connection)) {
          walkConversations(tally, nodes, conversations, { at, shape });
        }
        break;
      }
      case 'satisfactionRatings': {
        const ratings: Position = { id: `${at.id}/ratings`, n: at.n };
        tally.read(`${ratings.id}|list`, at.n);
        walkRatings(tally, sel.child(field), ratings, { at, shape });
        break;
      }
      default:
        break;
    }
  }
}

function walkRequester(
  tally: Tally,
  contact: Selection,
  ticket: Position,
  shape: TicketShape,
): void {
  const need = contactNeed(contact);
  if (shape.requesterOf) {
    // Listed under a contact's tickets: every requester is that contact.
    const parent = shape.requesterOf;
    const loads = need === 'full' && parent.shape !== 'full';
    if (loads) {
      loadContacts(tally, parent.position);
    }
    walkContacts(tally, contact, parent.position, loads ? 'full' : parent.shape);
    return;
  }
  const at: Position = { id: `${ticket.id}/requester`, n: ticket.n };
  const loads = need === 'full' || (need === 'embedded' && !shape.requester);
  if (loads) {
    loadContacts(tally, at);
  }
  walkContacts(tally, contact, at, loads ? 'full' : need);
}

function walkContacts(tally: Tally, sel: Selection, at: Position, shape: ContactShape): void {
  if (!tally.enter(at, sel, `c${shape}`)) {
    return;
  }
  for (const field of sel.fields) {
    switch (field.name) {
      case 'company':
        if (companyNeed(sel.child(field)) !== 'id') {
          loadCompanies(tally, { id: `${at.id}/company`, n: at.n });
        }
        break;
      case 'tickets':
        walkTicketList(tally, sel.child(field), field.args, at, { position: at, shape });
        break;
      default:
        break;
    }
  }
}

/** A page of the ticket list per parent (`tickets`, `Contact.tickets`). */
function walkTicketList(
  tally: Tally,
  connection: Selection,
  args: Readonly<Record<string, unknown>>,
  parent: Position,
  requesterOf?: TicketShape['requesterOf'],
): void {
  const first = firstOf(args);
  const nodes = connection.nodes();
  const plan = ticketListPlan(nodes, first, tally.state);
  const at: Position = { id: `${parent.id}/tickets${argsKey(args)}`, n: times(parent.n, first) };
  tally.read(
    `${at.id}|pages|${plan.include.join(',')}`,
    times(parent.n, pagesFor(args, MAX_TICKET_PAGE)),
    1 + 2 * plan.include.length,
    'tickets_list',
  );
  if (plan.prefetchCompanies) {
    loadCompanies(tally, { id: `${at.id}/company`, n: at.n });
  }
  for (const rows of nodeSelections(connection)) {
    walkTickets(tally, rows, at, { ...LIST_ROW(plan.include), requesterOf });
  }
}

/** Pages one window takes: the planner's calls from the start, or two from an unknown cursor. */
function pagesFor(args: Readonly<Record<string, unknown>>, maxPage?: number): number {
  if (hasCursor(args)) {
    return 2;
  }
  return planWindow(0, firstOf(args), { maxPage })?.calls.length ?? 0;
}

function walkAgents(tally: Tally, sel: Selection): void {
  if (sel.has('groups')) {
    tally.list(GROUPS);
  }
}

function walkGroups(tally: Tally, sel: Selection): void {
  if (sel.has('agents')) {
    tally.list(AGENTS);
  }
}

interface TicketParent {
  at: Position;
  shape: TicketShape;
  /** Not read yet (known by id only): reaching it costs its read, once. */
  unread?: boolean;
}

function walkConversations(
  tally: Tally,
  sel: Selection,
  at: Position,
  parent: TicketParent | undefined,
): void {
  if (!tally.enter(at, sel, 'v')) {
    return;
  }
  for (const field of sel.fields) {
    if (field.name === 'ticket') {
      walkParentTicket(tally, sel.child(field), at, parent);
    } else if (field.name === 'author') {
      walkAuthors(tally, sel, field, { id: `${at.id}/author`, n: at.n });
    }
  }
}

/** A conversation's or rating's ticket: the one it was listed under, else one read each. */
function walkParentTicket(
  tally: Tally,
  sel: Selection,
  at: Position,
  parent: TicketParent | undefined,
): void {
  if (parent) {
    if (parent.unread) {
      tally.read(`${parent.at.id}|detail`, parent.at.n);
    }
    walkTickets(tally, sel, parent.at, parent.shape);
    return;
  }
  const ticket: Position = { id: `${at.id}/ticket`, n: at.n };
  tally.read(`${ticket.id}|detail`, at.n);
  walkTickets(tally, sel, ticket, DETAIL);
}

function walkAuthors(
  tally: Tally,
  sel: Selection,
  field: Selection['fields'][number],
  at: Position,
): void {
  const asContact = sel.child(field, CONTACT);
  const asAgent = sel.child(field, AGENT);
  const agents = tally.state.peek(AGENTS);
  if (agents?.forbidden) {
    // A key that may not list agents: its own agent is known, every other author is asked for as
    // a contact (what is not one is reported as forbidden).
    tally.list(ME);
    loadContacts(tally, at);
    walkContacts(tally, asContact, at, 'full');
  } else {
    tally.list(AGENTS);
    const need = contactNeed(asContact);
    if (need !== 'id') {
      loadContacts(tally, at);
    }
    walkContacts(tally, asContact, at, need === 'id' ? 'id' : 'full');
  }
  walkAgents(tally, asAgent);
}

function walkRatings(tally: Tally, sel: Selection, at: Position, parent: TicketParent | undefined) {
  if (!tally.enter(at, sel, 'r')) {
    return;
  }
  for (const field of sel.fields) {
    if (field.name === 'ticket') {
      walkParentTicket(tally, sel.child(field), at, parent);
    } else if (field.name === 'agent') {
      tally.list(AGENTS);
      walkAgents(tally, sel.child(field));
    }
  }
}

// --- Knowledge base ---------------------------------------------------------------------------

/**
 * For a category whose id is not known before execution: whether its folder list needs a read (not
 * when every category's list is held) and how many folders it has at most.
 */
function anyCategoryFolders(state: PlanState): { read: boolean; folders: number } {
  const categories = state.peek(CATEGORIES);
  const lists = (categories ?? []).map((category) => state.peek(foldersOf(category.id)));
  const held = lists.filter((list) => list !== undefined);
  return {
    read: held.length === 0 || held.length < lists.length,
    // The largest held list: the account's categories tend to be alike.
    folders: held.length > 0 ? Math.max(...held.map((list) => list?.length ?? 0)) : ASSUMED_FOLDERS,
  };
}

interface CategoryShape {
  /** Came from the category list (descriptions known). */
  listed: boolean;
  /** The ids, when known (the held category list). */
  ids?: readonly string[];
}

function walkCategories(tally: Tally, sel: Selection, at: Position, shape: CategoryShape): void {
  if (!tally.enter(at, sel, `k${+shape.listed}`)) {
    return;
  }
  for (const field of sel.fields) {
    if (field.name === 'description' && !shape.listed) {
      tally.list(CATEGORIES);
    } else if (field.name === 'folders') {
      let folders = 0;
      if (shape.ids) {
        for (const id of shape.ids) {
          const entry = foldersOf(id);
          folders += tally.state.peek(entry)?.length ?? ASSUMED_FOLDERS;
          tally.list(entry);
        }
      } else {
        const any = anyCategoryFolders(tally.state);
        folders = times(at.n, any.folders);
        if (any.read) {
          tally.read(`${at.id}|folders`, at.n);
        }
      }
      walkFolders(tally, sel.child(field), { id: `${at.id}/folders`, n: folders }, true, {
        at,
        shape,
      });
    }
  }
}

interface CategoryParent {
  at: Position;
  shape: CategoryShape;
}

function walkFolders(
  tally: Tally,
  sel: Selection,
  at: Position,
  listed: boolean,
  category: CategoryParent | undefined,
): void {
  if (!tally.enter(at, sel, `f${+listed}`)) {
    return;
  }
  for (const field of sel.fields) {
    switch (field.name) {
      case 'description':
        if (!listed && anyCategoryFolders(tally.state).read) {
          // The folder's category's folder list.
          tally.read(`${at.id}|folder-list`, at.n);
        }
        break;
      case 'category':
        if (category) {
          walkCategories(tally, sel.child(field), category.at, category.shape);
        } else {
          tally.list(CATEGORIES);
          walkCategories(
            tally,
            sel.child(field),
            { id: `${at.id}/category`, n: at.n },
            { listed: true },
          );
        }
        break;
      case 'articles': {
        const articles: Position = {
          id: `${at.id}/articles${argsKey(field.args)}`,
          n: times(at.n, firstOf(field.args)),
        };
        tally.read(`${articles.id}|pages`, times(at.n, pagesFor(field.args)));
        for (const nodes of nodeSelections(sel.child(field))) {
          walkArticles(tally, nodes, articles, { at, listed, category });
        }
        break;
      }
      default:
        break;
    }
  }
}

interface FolderParent {
  at: Position;
  listed: boolean;
  category: CategoryParent | undefined;
}

function walkArticles(
  tally: Tally,
  sel: Selection,
  at: Position,
  folder: FolderParent | undefined,
) {
  if (!tally.enter(at, sel, 'a')) {
    return;
  }
  for (const field of sel.fields) {
    switch (field.name) {
      case 'author':
        tally.list(AGENTS);
        walkAgents(tally, sel.child(field));
        break;
      case 'folder':
        if (folder) {
          walkFolders(tally, sel.child(field), folder.at, folder.listed, folder.category);
        } else {
          walkFolders(
            tally,
            sel.child(field),
            { id: `${at.id}/folder`, n: at.n },
            false,
            undefined,
          );
        }
        break;
      case 'category': {
        if (folder?.category) {
          walkCategories(tally, sel.child(field), folder.category.at, folder.category.shape);
        } else {
          const held = tally.state.peek(CATEGORIES) !== undefined;
          walkCategories(
            tally,
            sel.child(field),
            { id: `${at.id}/category`, n: at.n },
            { listed: held },
          );
        }
        break;
      }
      default:
        break;
    }
  }
}

// --- Roots ----------------------------------------------------------------------------------------

function walkQuery(tally: Tally, root: Selection): void {
  for (const field of root.fields) {
    const sel = root.child(field);
    const at: Position = { id: `/${field.name}${argsKey(field.args)}`, n: 1 };
    switch (field.name) {
      case 'ticket': {
        const include = singleTicketIncludes(sel, tally.state);
        if (!tally.cached(ticketRead(idOf(field.args), include))) {
          tally.read(`${at.id}|read|${include.join(',')}`, 1, 1 + include.length);
        }
        walkTickets(tally, sel, at, {
          ...DETAIL,
          requester: include.includes('requester'),
          company: include.includes('company'),
          conversations: include.includes('conversations'),
        });
        break;
      }
      case 'tickets':
        walkTicketList(tally, sel, field.args, { id: at.id, n: 1 });
        break;
      case 'searchTickets': {
        const first = firstOf(field.args);
        const pages = hasCursor(field.args)
          ? Math.ceil(first / 30) + 1
          : (planWindow(0, first, { fixedPerPage: 30, maxPage: 10 })?.calls.length ?? 1);
        tally.read(`${at.id}|pages`, pages);
        for (const nodes of nodeSelections(sel)) {
          walkTickets(tally, nodes, { id: `${at.id}/nodes`, n: first }, SEARCH_HIT);
        }
        break;
      }
      case 'contact':
        if (!tally.cached(contactRead(idOf(field.args)))) {
          tally.read(`${at.id}|read`, 1);
        }
        walkContacts(tally, root.child(field, CONTACT), at, 'full');
        break;
      case 'contacts': {
        const first = firstOf(field.args);
        tally.read(`${at.id}|pages`, pagesFor(field.args), 1, 'contacts_list');
        for (const nodes of nodeSelections(sel, CONTACT)) {
          walkContacts(tally, nodes, { id: `${at.id}/nodes`, n: first }, 'full');
        }
        break;
      }
      case 'agent':
      case 'agents': {
        tally.list(AGENTS);
        for (const agents of field.name === 'agents' ? nodeSelections(sel) : [sel]) {
          walkAgents(tally, agents);
        }
        break;
      }
      case 'me':
        tally.list(ME);
        walkAgents(tally, sel);
        break;
      case 'company':
        loadCompanies(tally, at);
        break;
      case 'companies':
        tally.read(`${at.id}|pages`, pagesFor(field.args));
        break;
      case 'ticketConversations': {
        // One ticket's conversations without loading it: its one read comes only if asked for.
        const first = firstOf(field.args);
        const conversations: Position = { id: `${at.id}/nodes`, n: first };
        const ticket: TicketParent = {
          at: { id: `${at.id}/ticket`, n: 1 },
          shape: DETAIL,
          unread: true,
        };
        tally.read(`${at.id}|pages`, pagesFor(field.args));
        for (const nodes of nodeSelections(sel)) {
          walkConversations(tally, nodes, conversations, ticket);
        }
        break;
      }
      case 'satisfactionRatings': {
        const ratings: Position = { id: `${at.id}/nodes`, n: firstOf(field.args) };
        tally.read(`${at.id}|pages`, pagesFor(field.args));
        for (const nodes of nodeSelections(sel)) {
          walkRatings(tally, nodes, ratings, undefined);
        }
        break;
      }
      case 'groups':
        tally.list(GROUPS);
        walkGroups(tally, sel);
        break;
      case 'ticketFields':
        tally.list(TICKET_FIELDS);
        break;
      case 'article':
        if (!tally.cached(articleRead(idOf(field.args)))) {
          tally.read(`${at.id}|read`, 1);
        }
        walkArticles(tally, sel, at, undefined);
        break;
      case 'solutionCategories': {
        const held = tally.state.peek(CATEGORIES);
        tally.list(CATEGORIES);
        const n = held?.length ?? ASSUMED_CATEGORIES;
        walkCategories(tally, sel, { id: at.id, n }, { listed: true, ids: held?.map((c) => c.id) });
        break;
      }
      case 'solutionFolder':
        if (!tally.cached(folderRead(idOf(field.args)))) {
          tally.read(`${at.id}|read`, 1);
        }
        walkFolders(tally, sel, at, true, undefined);
        break;
      case 'quota':
        if (!tally.state.verified) {
          tally.list(ME);
        } else if (tally.state.remaining('total') == null) {
          tally.read('quota:probe', 1);
        }
        break;
      default:
        break;
    }
  }
}

function walkMutation(tally: Tally, root: Selection): void {
  for (const field of root.fields) {
    const sel = root.child(field);
    const at: Position = { id: `!${field.key}`, n: 1 };
    // Every write is its own call: never deduplicated against another.
    const write = (endpoint?: MeteredEndpoint) => tally.read(`${at.id}|write`, 1, 1, endpoint);
    switch (field.name) {
      case 'createTicket':
      case 'updateTicket': {
        write(field.name === 'createTicket' ? 'ticket_create' : 'ticket_update');
        const input = field.args.input as Record<string, unknown> | undefined;
        if (
          field.name === 'createTicket' ||
          ['status', 'statusCode', 'type', 'customFields'].some((key) => input?.[key] != null)
        ) {
          tally.list(TICKET_FIELDS);
        }
        walkTickets(tally, sel, at, DETAIL);
        break;
      }
      case 'replyToTicket':
      case 'addNote':
        write();
        walkConversations(tally, sel, at, undefined);
        break;
      case 'createContact':
      case 'updateContact':
        write();
        walkContacts(tally, root.child(field, CONTACT), at, 'full');
        break;
      case 'createArticle':
      case 'updateArticle':
        write();
        walkArticles(tally, sel, at, undefined);
        break;
      case 'createSatisfactionRating':
        write();
        walkRatings(tally, sel, at, undefined);
        break;
      default:
        if (!field.name.startsWith('__')) {
          write();
        }
        break;
    }
  }
}

/** Estimates the upstream credits of one operation; zero for subscriptions and introspection. */
export function estimateOperation(
  document: Parameters<typeof Selection.ofOperation>[0],
  operationName: string | null | undefined,
  variables: Readonly<Record<string, unknown>> | null | undefined,
  state: PlanState,
): Estimate {
  const tally = new Tally(state);
  const root = Selection.ofOperation(document, operationName, variables);
  if (root?.operation.operation === 'query') {
    walkQuery(tally, root.selection);
  } else if (root?.operation.operation === 'mutation') {
    walkMutation(tally, root.selection);
  }
  return tally.finish();
}
