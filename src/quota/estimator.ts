/**
 * Cost before execution: the credits an operation will spend upstream, read from its selection set
 * and arguments before any resolver runs. It mirrors deskgraph's loading plan (src/loaders and the
 * type files), which decides the calls:
 * - ticket lists ask for `first` rows in one page (a second page when a cursor may straddle two),
 *   embedding `requester` (+2 a page) when only id/name/email/mobile/phone are selected below it,
 *   `company` (+2 a page) when only id/name are selected below it and the account is known to
 *   have too many companies to list (the id alone needs nothing), and `description` (+2) when the
 *   description is selected; search pages hold 30 and embed nothing;
 * - `ticket(id)` embeds `conversations` (first <= 10, no cursor), the small requester and, unless
 *   the company list is cached, the company's id/name (+1 each);
 * - companies come from the company list (free while cached; else the pages a scan would read,
 *   `companyPlan`), or by id for accounts with too many; contacts are one call per id, or the pages
 *   of a contact-list scan when enough are needed at once (`contactScanPages`); tickets by id are
 *   one call each (counted per parent: an upper bound); a ticket's conversations and ratings are
 *   one call per ticket and page;
 * - agents, groups and ticket fields are whole lists (one call per 100) cached per credential, so
 *   they cost nothing while cached;
 * - the `companies` and `satisfactionRatings` lists, and `ticketConversations`, are one call per page.
 * A list whose size is not known yet is counted as what a scan would read for the need; an account
 * found larger then spends more, once, than estimated.
 * When the loading plan changes, this table must follow; the canonical-query test holds the two
 * together (estimate between spent and twice spent).
 */
import {
  type DirectiveNode,
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  Kind,
  type OperationDefinitionNode,
  type SelectionSetNode,
  valueFromASTUntyped,
} from 'graphql';
import { COMPANY_LIST, companyPlan } from '../loaders/companies.ts';
import { CONTACT_LIST, contactScanPages } from '../loaders/contacts.ts';
import type { ListSize } from '../loaders/list-scan.ts';
import type { MeteredEndpoint } from '../upstream/credits.ts';
import type { BudgetName } from './plans.ts';

export interface Estimate {
  /** Credits on the account total. */
  credits: number;
  /** Upstream calls. */
  calls: number;
  /** Credits per budget (`total` plus the metered endpoints touched). */
  budgets: Partial<Record<BudgetName, number>>;
}

export interface EstimateOptions {
  /** Whole lists cached for this credential right now (`agents`, `groups`, `ticket-fields`, `agents:me`). */
  cached?: (list: string) => boolean;
  /** What is known of a scanned list's size for this credential (`companies`, `contacts`). */
  listSize?: (list: string) => ListSize | undefined;
  /** Credits left on a budget now (null or undefined: not known); plans that avoid a full one follow it. */
  remaining?: (budget: BudgetName) => number | null | undefined;
  /** True when the quota state is known (the `quota` query then costs nothing). */
  quotaKnown?: boolean;
}

/** Default page size of every connection (`first` omitted). */
const DEFAULT_FIRST = 30;
const MAX_FIRST = 100;
const SEARCH_PAGE = 30;
const MAX_EMBEDDED_CONVERSATIONS = 10;
/** How many children an unbounded list (categories, folders) is assumed to hold. */
const UNBOUNDED_FANOUT = 5;
const EMBEDDED_REQUESTER = new Set(['id', 'name', 'email', 'mobile', 'phone', '__typename']);
const EMBEDDED_COMPANY = new Set(['id', 'name', '__typename']);
const ID_ONLY = new Set(['id', '__typename']);

type Variables = Record<string, unknown>;

/** The merged selection below one or more field nodes (fragments flattened, @skip/@include honoured). */
class Selection {
  readonly #fragments: Record<string, FragmentDefinitionNode>;
  readonly #variables: Variables;
  readonly fields: FieldNode[];

  constructor(
    sets: readonly (SelectionSetNode | undefined)[],
    fragments: Record<string, FragmentDefinitionNode>,
    variables: Variables,
    typeNames?: readonly string[],
  ) {
    this.#fragments = fragments;
    this.#variables = variables;
    this.fields = [];
    for (const set of sets) {
      this.#collect(set, typeNames, this.fields, new Set());
    }
  }

  /** Every selected node of field `name`. */
  all(name: string): FieldNode[] {
    return this.fields.filter((field) => field.name.value === name);
  }

  has(name: string): boolean {
    return this.fields.some((field) => field.name.value === name);
  }

  names(): Set<string> {
    return new Set(this.fields.map((field) => field.name.value));
  }

  /** The selection below every node of field `name` (optionally only fragments on `typeNames`). */
  below(name: string, typeNames?: readonly string[]): Selection {
    return new Selection(
      this.all(name).map((field) => field.selectionSet),
      this.#fragments,
      this.#variables,
      typeNames,
    );
  }

  /** A connection's node selection: under `nodes` and under `edges.node`. */
  nodes(name: string): Selection {
    const connection = this.below(name);
    const sets = [
      ...connection.all('nodes').map((field) => field.selectionSet),
      ...connection
        .below('edges')
        .all('node')
        .map((field) => field.selectionSet),
    ];
    return new Selection(sets, this.#fragments, this.#variables);
  }

  args(field: FieldNode): Record<string, unknown> {
    const args: Record<string, unknown> = {};
    for (const arg of field.arguments ?? []) {
      args[arg.name.value] = valueFromASTUntyped(arg.value, this.#variables);
    }
    return args;
  }

  #collect(
    set: SelectionSetNode | undefined,
    typeNames: readonly string[] | undefined,
    out: FieldNode[],
    seen: Set<string>,
  ): void {
    for (const selection of set?.selections ?? []) {
      if (!this.#included(selection.directives ?? [])) {
        continue;
      }
      if (selection.kind === Kind.FIELD) {
        out.push(selection);
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        const on = selection.typeCondition?.name.value;
        if (on === undefined || typeNames === undefined || typeNames.includes(on)) {
          this.#collect(selection.selectionSet, typeNames, out, seen);
        }
      } else {
        const name = selection.name.value;
        const fragment = this.#fragments[name];
        const on = fragment?.typeCondition.name.value;
        if (
          fragment &&
          !seen.has(name) &&
          (typeNames === undefined || typeNames.includes(on ?? ''))
        ) {
          seen.add(name);
          this.#collect(fragment.selectionSet, typeNames, out, seen);
          seen.delete(name);
        }
      }
    }
  }

  #included(directives: readonly DirectiveNode[]): boolean {
    for (const directive of directives) {
      const name = directive.name.value;
      if (name !== 'skip' && name !== 'include') {
        continue;
      }
      const arg = directive.arguments?.find((a) => a.name.value === 'if');
      const value = arg ? valueFromASTUntyped(arg.value, this.#variables) : undefined;
      if ((name === 'skip' && value === true) || (name === 'include' && value !== true)) {
        return false;
      }
    }
    return true;
  }
}

/** Accumulates calls and credits; whole lists count once per operation. */
class Tally {
  readonly estimate: Estimate = { credits: 0, calls: 0, budgets: { total: 0 } };
  readonly #lists = new Set<string>();
  readonly cached: (list: string) => boolean;
  readonly listSize: (list: string) => ListSize | undefined;
  readonly remaining: (budget: BudgetName) => number | null | undefined;

  constructor(options: EstimateOptions) {
    this.cached = options.cached ?? (() => false);
    this.listSize = options.listSize ?? (() => undefined);
    this.remaining = options.remaining ?? (() => undefined);
  }

  call(count: number, creditsEach: number, endpoint?: MeteredEndpoint): void {
    if (count <= 0) {
      return;
    }
    const credits = count * creditsEach;
    this.estimate.calls += count;
    this.estimate.credits += credits;
    this.estimate.budgets.total = (this.estimate.budgets.total ?? 0) + credits;
    if (endpoint) {
      this.estimate.budgets[endpoint] = (this.estimate.budgets[endpoint] ?? 0) + credits;
    }
  }

  /** A whole list (agents, groups...): `pages` calls unless cached or already counted. */
  list(key: string, pages = 1): void {
    if (this.#lists.has(key) || this.cached(key)) {
      return;
    }
    this.#lists.add(key);
    this.call(pages, 1);
  }
}

/** `n` companies beyond their id: from the company list (cached, or a scan), else one call each. */
function companies(tally: Tally, n: number): void {
  const size = tally.listSize(COMPANY_LIST);
  const plan = companyPlan(tally.cached(COMPANY_LIST), size, n);
  if (plan.directory === 'scan') {
    // Not known yet: most accounts' company list is one page.
    tally.list(COMPANY_LIST, size?.complete ? plan.pages : 1);
  } else if (plan.directory === 'none') {
    tally.call(n, 1);
  }
}

/** True when the account is known to have too many companies to list (then lists embed them). */
const companiesTooMany = (tally: Tally): boolean =>
  companyPlan(tally.cached(COMPANY_LIST), tally.listSize(COMPANY_LIST), Number.POSITIVE_INFINITY)
    .directory === 'none';

/** `n` full contacts: a contact-list scan when the need pays for one, else one call each. */
function contacts(tally: Tally, n: number): void {
  const pages = contactScanPages(tally.listSize(CONTACT_LIST), n, tally.remaining('contacts_list'));
  if (pages > 0) {
    tally.call(pages, 1, 'contacts_list');
  } else {
    tally.call(n, 1);
  }
}

const firstOf = (args: Record<string, unknown>): number => {
  const first = args.first;
  return typeof first === 'number' && Number.isFinite(first)
    ? Math.min(MAX_FIRST, Math.max(0, Math.floor(first)))
    : DEFAULT_FIRST;
};

const hasCursor = (args: Record<string, unknown>): boolean =>
  args.after !== undefined && args.after !== null;

/** Pages for a window of `first` rows: one, or two when a cursor may make it straddle pages. */
const pagesFor = (args: Record<string, unknown>, pageSize = MAX_FIRST): number => {
  const first = firstOf(args);
  if (first === 0) {
    return 0;
  }
  return Math.ceil(first / pageSize) + (hasCursor(args) ? 1 : 0);
};

const onlyFrom = (names: Set<string>, allowed: Set<string>): boolean =>
  [...names].every((name) => allowed.has(name));

/**
 * How tickets reached this selection: a list row, a search hit, a single ticket by id, or the
 * answer of a write (which embeds nothing).
 */
type TicketSource = 'list' | 'search' | 'single' | 'write';

function requesterEmbeddable(sel: Selection): boolean {
  if (!sel.has('requester')) {
    return false;
  }
  const names = sel.below('requester', ['Contact']).names();
  return onlyFrom(names, EMBEDDED_REQUESTER) && !onlyFrom(names, ID_ONLY);
}

function companyEmbeddable(sel: Selection): boolean {
  if (!sel.has('company')) {
    return false;
  }
  const names = sel.below('company', ['Company']).names();
  return onlyFrom(names, EMBEDDED_COMPANY) && !onlyFrom(names, ID_ONLY);
}

function conversationsEmbeddable(sel: Selection): boolean {
  return sel.all('conversations').some((field) => {
    const args = sel.args(field);
    return !hasCursor(args) && firstOf(args) <= MAX_EMBEDDED_CONVERSATIONS;
  });
}

/** What the ticket call embeds for the selection below its tickets. */
interface Embeds {
  requester: boolean;
  company: boolean;
  conversations: boolean;
}

const NO_EMBEDS: Embeds = { requester: false, company: false, conversations: false };

/**
 * A list page embeds the requester only when it may hold two or more tickets; the company too, and
 * only for accounts with too many companies to list.
 */
const listEmbeds = (tally: Tally, sel: Selection, first: number): Embeds => ({
  requester: first >= 2 && requesterEmbeddable(sel),
  company: first >= 2 && companyEmbeddable(sel) && companiesTooMany(tally),
  conversations: false,
});

const singleEmbeds = (tally: Tally, sel: Selection): Embeds => ({
  requester: requesterEmbeddable(sel),
  company: companyEmbeddable(sel) && !tally.cached(COMPANY_LIST),
  conversations: conversationsEmbeddable(sel),
});

/** The list pages for `first` rows: +2 credits a page per embed (`description` included). */
function ticketListCall(
  tally: Tally,
  sel: Selection,
  pages: number,
  embeds: Embeds,
  endpoint?: MeteredEndpoint,
): void {
  let includes = 0;
  if (embeds.requester) {
    includes += 1;
  }
  if (embeds.company) {
    includes += 1;
  }
  if (sel.has('description') || sel.has('descriptionText')) {
    includes += 1;
  }
  tally.call(pages, 1 + 2 * includes, endpoint);
}

function walkTicket(
  tally: Tally,
  sel: Selection,
  n: number,
  source: TicketSource,
  embeds: Embeds,
): void {
  if (n <= 0) {
    return;
  }
  if (source === 'search' && (sel.has('description') || sel.has('descriptionText'))) {
    tally.call(n, 1); // search hits lack the description: one full ticket each
  }
  if (sel.has('requester')) {
    const requester = sel.below('requester', ['Contact']);
    const names = requester.names();
    if (!embeds.requester && !onlyFrom(names, ID_ONLY)) {
      contacts(tally, n);
    }
    walkContact(tally, requester, n);
  }
  if (sel.has('responder')) {
    tally.list('agents');
    walkAgent(tally, sel.below('responder'), n);
  }
  if (sel.has('group')) {
    tally.list('groups');
    walkGroup(tally, sel.below('group'), n);
  }
  if (sel.has('company')) {
    const company = sel.below('company', ['Company']);
    if (!embeds.company && !onlyFrom(company.names(), ID_ONLY)) {
      companies(tally, n);
    }
  }
  for (const field of sel.all('conversations')) {
    const args = sel.args(field);
    const embedded =
      embeds.conversations && !hasCursor(args) && firstOf(args) <= MAX_EMBEDDED_CONVERSATIONS;
    if (!embedded) {
      tally.call(n * pagesFor(args), 1);
    }
    walkConversation(tally, sel.nodes('conversations'), n * firstOf(args));
  }
  if (sel.has('satisfactionRatings')) {
    tally.call(n, 1);
  }
}

function walkContact(tally: Tally, sel: Selection, n: number): void {
  if (n <= 0) {
    return;
  }
  if (sel.has('company')) {
    // Contact.company loads the company even when only its id is selected.
    companies(tally, n);
  }
  for (const field of sel.all('tickets')) {
    const args = sel.args(field);
    const nodes = sel.nodes('tickets');
    const embeds = listEmbeds(tally, nodes, firstOf(args));
    ticketListCall(tally, nodes, n * pagesFor(args), embeds, 'tickets_list');
    walkTicket(tally, nodes, n * firstOf(args), 'list', embeds);
  }
}

function walkAgent(tally: Tally, sel: Selection, _n: number): void {
  if (sel.has('groups')) {
    tally.list('groups');
  }
}

function walkGroup(tally: Tally, sel: Selection, _n: number): void {
  if (sel.has('agents')) {
    tally.list('agents');
  }
}

function walkConversation(tally: Tally, sel: Selection, n: number): void {
  if (n <= 0) {
    return;
  }
  if (sel.has('author')) {
    const contact = sel.below('author', ['Contact']);
    const agent = sel.below('author', ['Agent']);
    if (agent.fields.length > 0) {
      tally.list('agents');
    }
    if (!onlyFrom(contact.names(), ID_ONLY)) {
      contacts(tally, n);
    }
  }
  if (sel.has('ticket')) {
    // The parent ticket is already loaded in this request.
  }
}

function walkArticles(tally: Tally, sel: Selection, n: number): void {
  if (sel.has('author')) {
    tally.list('agents');
  }
  if (sel.has('folder') || sel.has('category')) {
    tally.call(n, 1);
  }
}

function walkFolders(tally: Tally, sel: Selection, n: number): void {
  for (const field of sel.all('articles')) {
    const args = sel.args(field);
    tally.call(n * pagesFor(args), 1);
    walkArticles(tally, sel.nodes('articles'), n * firstOf(args));
  }
}

function walkQuery(tally: Tally, root: Selection, options: EstimateOptions): void {
  for (const field of root.fields) {
    const args = root.args(field);
    const sel = root.below(field.name.value);
    switch (field.name.value) {
      case 'ticket': {
        const embeds = singleEmbeds(tally, sel);
        const includes = Object.values(embeds).filter(Boolean).length;
        tally.call(1, 1 + includes);
        walkTicket(tally, sel, 1, 'single', embeds);
        break;
      }
      case 'tickets': {
        const nodes = root.nodes('tickets');
        const embeds = listEmbeds(tally, nodes, firstOf(args));
        ticketListCall(tally, nodes, pagesFor(args), embeds, 'tickets_list');
        walkTicket(tally, nodes, firstOf(args), 'list', embeds);
        break;
      }
      case 'searchTickets': {
        tally.call(pagesFor(args, SEARCH_PAGE), 1);
        walkTicket(tally, root.nodes('searchTickets'), firstOf(args), 'search', NO_EMBEDS);
        break;
      }
      case 'contact':
        tally.call(1, 1);
        walkContact(tally, sel, 1);
        break;
      case 'contacts':
        tally.call(pagesFor(args), 1, 'contacts_list');
        walkContact(tally, root.nodes('contacts'), firstOf(args));
        break;
      case 'agent':
      case 'agents':
        tally.list('agents');
        walkAgent(tally, field.name.value === 'agents' ? root.nodes('agents') : sel, 1);
        break;
      case 'me':
        tally.list('agents:me');
        walkAgent(tally, sel, 1);
        break;
      case 'company':
        companies(tally, 1);
        break;
      case 'companies':
        tally.call(pagesFor(args), 1);
        break;
      case 'ticketConversations':
        tally.call(pagesFor(args), 1);
        walkConversation(tally, root.nodes('ticketConversations'), firstOf(args));
        break;
      case 'satisfactionRatings': {
        // One list page per window; `ticket` on each rating is one ticket call each.
        tally.call(pagesFor(args), 1);
        const ratings = root.nodes('satisfactionRatings');
        if (ratings.has('ticket')) {
          walkTicket(tally, ratings.below('ticket'), firstOf(args), 'single', NO_EMBEDS);
          tally.call(firstOf(args), 1);
        }
        if (ratings.has('agent')) {
          tally.list('agents');
        }
        break;
      }
      case 'groups':
        tally.list('groups');
        walkGroup(tally, sel, 1);
        break;
      case 'ticketFields':
        tally.list('ticket-fields');
        break;
      case 'article':
        tally.call(1, 1);
        walkArticles(tally, sel, 1);
        break;
      case 'solutionCategories': {
        tally.list('solutions:categories');
        if (sel.has('folders')) {
          // One folder list per category (cached per category; counted as uncached).
          tally.call(UNBOUNDED_FANOUT, 1);
          walkFolders(tally, sel.below('folders'), UNBOUNDED_FANOUT * UNBOUNDED_FANOUT);
        }
        break;
      }
      case 'solutionFolder':
        tally.call(1, 1);
        walkFolders(tally, sel, 1);
        break;
      case 'quota':
        if (!options.quotaKnown) {
          tally.call(1, 1);
        }
        break;
      default:
        break;
    }
  }
}

function walkMutation(tally: Tally, root: Selection): void {
  for (const field of root.fields) {
    const sel = root.below(field.name.value);
    switch (field.name.value) {
      case 'createTicket':
        tally.call(1, 1, 'ticket_create');
        walkTicket(tally, sel, 1, 'write', NO_EMBEDS);
        break;
      case 'updateTicket':
        tally.call(1, 1, 'ticket_update');
        walkTicket(tally, sel, 1, 'write', NO_EMBEDS);
        break;
      case 'replyToTicket':
      case 'addNote':
        tally.call(1, 1);
        walkConversation(tally, sel, 1);
        break;
      case 'createContact':
      case 'updateContact':
        tally.call(1, 1);
        walkContact(tally, sel, 1);
        break;
      default:
        if (!field.name.value.startsWith('__')) {
          tally.call(1, 1);
        }
        break;
    }
  }
}

/** The operation `operationName` picks (or the only one). */
function pickOperation(
  document: DocumentNode,
  operationName: string | null | undefined,
): OperationDefinitionNode | undefined {
  const operations = document.definitions.filter(
    (definition): definition is OperationDefinitionNode =>
      definition.kind === Kind.OPERATION_DEFINITION,
  );
  if (operationName) {
    return operations.find((operation) => operation.name?.value === operationName);
  }
  return operations.length === 1 ? operations[0] : undefined;
}

/** Estimates the upstream credits of one operation; zero for subscriptions and introspection. */
export function estimateOperation(
  document: DocumentNode,
  operationName: string | null | undefined,
  variables: Variables | null | undefined,
  options: EstimateOptions = {},
): Estimate {
  const tally = new Tally(options);
  const operation = pickOperation(document, operationName);
  if (!operation) {
    return tally.estimate;
  }
  const fragments: Record<string, FragmentDefinitionNode> = {};
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) {
      fragments[definition.name.value] = definition;
    }
  }
  const root = new Selection([operation.selectionSet], fragments, variables ?? {});
  if (operation.operation === 'query') {
    walkQuery(tally, root, options);
  } else if (operation.operation === 'mutation') {
    walkMutation(tally, root);
  }
  return tally.estimate;
}
