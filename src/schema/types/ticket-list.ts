/**
 * Ticket lists: `tickets(filter)`, `searchTickets(query)` and `Contact.tickets`, as connections over
 * Freshdesk's pages.
 *
 * - Cursors are opaque and hold positions, not Freshdesk page numbers, so `first` may be any value
 *   1..100: each window is served by one call with a `per_page` that holds it when one exists.
 * - No 30-day window: a list with no window filter sends `updated_since` at the epoch.
 * - `UPDATED_AT ASC` is a keyset traversal: the cursor remembers the base `updated_since`, the
 *   position within it, and the last `updated_at` with how many tickets at that instant were already
 *   returned. When the next window would pass Freshdesk's 300-page wall, it restarts from that
 *   `updated_at` and skips the tickets already returned there, so every ticket comes exactly once
 *   however many share one `updated_at`. Other orderings stop at the wall with a warning.
 * - The selection decides the embeds: `include=description` only when the description is selected;
 *   `include=requester` when the requester selection needs only embedded fields and the page holds
 *   two or more tickets (+2 credits instead of one call per distinct requester). Companies come
 *   from the company list when the account's is small (read beside the page, cached per
 *   credential); `include=company` only when the account has too many companies to list and only
 *   the company's id and name are selected. Search cannot embed.
 * - Every ticket a page returns primes the per-request ticket loaders.
 */
import type { GraphQLResolveInfo } from 'graphql';
import { builder } from '../../builder.ts';
import type { Context } from '../../context.ts';
import { badUserInput } from '../../errors.ts';
import { prefetchCompanies } from '../../loaders/companies.ts';
import { planState } from '../../loaders/references.ts';
import { primeTickets } from '../../loaders/tickets.ts';
import { MAX_TICKET_PAGE, ticketListPlan } from '../../plan/rules.ts';
import { Selection } from '../../plan/selection.ts';
import { MAX_PER_PAGE, planWindow, type WindowPlan } from '../../plan/windows.ts';
import { pathId } from '../../upstream/ids.ts';
import {
  listTickets,
  SEARCH_MAX_PAGE,
  SEARCH_MAX_QUERY_LENGTH,
  SEARCH_PAGE_SIZE,
  searchTickets,
  type TicketInclude,
  type TicketListParams,
  type TicketModel,
} from '../../upstream/tickets.ts';
import { type ConnectionResult, decodeCursor, encodeCursor, readFirst } from '../connection.ts';
import { Contact, TicketConnection } from '../refs.ts';

/** `updated_since` at the epoch lifts Freshdesk's 30-day default window. */
const ALL_TIME = '1970-01-01T00:00:00Z';

export const TicketPredefinedFilter = builder.enumType('TicketPredefinedFilter', {
  description: "Freshdesk's predefined ticket views.",
  values: {
    NEW_AND_MY_OPEN: {
      value: 'new_and_my_open',
      description: 'Open tickets that are unassigned or assigned to the caller.',
    },
    WATCHING: { value: 'watching', description: 'Tickets the caller watches.' },
    SPAM: { value: 'spam', description: 'Tickets marked as spam (otherwise always left out).' },
    DELETED: { value: 'deleted', description: 'Deleted tickets (otherwise always left out).' },
  } as const,
});

export const TicketOrderField = builder.enumType('TicketOrderField', {
  description: 'What a ticket list is ordered by.',
  values: {
    CREATED_AT: { value: 'created_at', description: 'Creation time (the default).' },
    UPDATED_AT: {
      value: 'updated_at',
      description:
        "Last change. With `ASC`, the list reaches every ticket however many there are (it carries on past Freshdesk's 300-page wall).",
    },
    PRIORITY: { value: 'priority', description: 'Priority.' },
    STATUS: { value: 'status', description: 'Status code.' },
    DUE_BY: { value: 'due_by', description: 'Resolution due time (needs the SLA feature).' },
  } as const,
});

export const OrderDirection = builder.enumType('OrderDirection', {
  description: 'Sort direction.',
  values: {
    ASC: { value: 'asc', description: 'Smallest or oldest first.' },
    DESC: { value: 'desc', description: 'Largest or newest first (the default).' },
  } as const,
});

export const TicketFilter = builder.inputType('TicketFilter', {
  description:
    'Narrows and orders a ticket list. Spam and deleted tickets are left out unless `predefined` asks for them.',
  fields: (t) => ({
    requesterId: t.id({ description: "Only this contact's tickets." }),
    companyId: t.id({ description: "Only this company's tickets." }),
    email: t.string({ description: 'Only tickets of the requester with this e-mail address.' }),
    updatedSince: t.field({
      type: 'DateTime',
      description: 'Only tickets changed at or after this instant.',
    }),
    predefined: t.field({ type: TicketPredefinedFilter, description: 'A predefined view.' }),
    orderBy: t.field({ type: TicketOrderField, description: 'Sort key (default CREATED_AT).' }),
    orderDirection: t.field({
      type: OrderDirection,
      description: 'Sort direction (default DESC).',
    }),
  }),
});

interface TicketFilterInput {
  requesterId?: string | null;
  companyId?: string | null;
  email?: string | null;
  updatedSince?: string | null;
  predefined?: 'new_and_my_open' | 'watching' | 'spam' | 'deleted' | null;
  orderBy?: TicketListParams['order_by'] | null;
  orderDirection?: 'asc' | 'desc' | null;
}

type BaseParams = Omit<TicketListParams, 'page' | 'per_page' | 'include'>;

/** The `/tickets` parameters a filter stands for (without paging and embeds). */
export function listParams(
  filter: TicketFilterInput | null | undefined,
  fixed: Partial<BaseParams> = {},
): BaseParams {
  const id = (value: string | null | undefined, name: string): string | undefined => {
    if (value === null || value === undefined) {
      return undefined;
    }
    const parsed = pathId(value);
    if (parsed === undefined) {
      throw badUserInput(`filter.${name} is a decimal id; got "${value}".`);
    }
    return parsed;
  };
  const params: BaseParams = {
    filter: filter?.predefined ?? undefined,
    requester_id: id(filter?.requesterId, 'requesterId'),
    company_id: id(filter?.companyId, 'companyId'),
    email: filter?.email ?? undefined,
    updated_since: filter?.updatedSince ?? undefined,
    order_by: filter?.orderBy ?? 'created_at',
    order_type: filter?.orderDirection ?? 'desc',
    ...fixed,
  };
  const windowed =
    params.filter === undefined &&
    params.requester_id === undefined &&
    params.company_id === undefined &&
    params.email === undefined &&
    params.updated_since === undefined;
  if (windowed || (params.order_by === 'updated_at' && params.order_type === 'asc')) {
    params.updated_since ??= ALL_TIME;
  }
  return params;
}

/**
 * The embeds a list page needs for the selection below the connection (`ticketListPlan`); starts
 * reading the company list beside the page when the plan says so.
 */
function listIncludes(ctx: Context, info: GraphQLResolveInfo, first: number): TicketInclude[] {
  const plan = ticketListPlan(Selection.of(info).nodes(), first, planState(ctx));
  if (plan.prefetchCompanies) {
    prefetchCompanies(ctx, first);
  }
  return plan.include;
}

/** A short fingerprint of a list's parameters, so a cursor is not reused on another list. */
function fingerprint(value: unknown): string {
  let hash = 0x811c9dc5;
  for (const ch of JSON.stringify(value)) {
    hash = Math.imul(hash ^ ch.charCodeAt(0), 0x01000193) >>> 0;
  }
  return hash.toString(36);
}

const responsePath = (info: GraphQLResolveInfo): (string | number)[] => {
  const path: (string | number)[] = [];
  for (let p: GraphQLResolveInfo['path'] | undefined = info.path; p; p = p.prev) {
    path.unshift(p.key);
  }
  return path;
};

interface FetchedWindow {
  items: TicketModel[];
  /** Whether Freshdesk holds more tickets after the window. */
  more: boolean;
}

async function fetchWindow(
  ctx: Context,
  params: BaseParams,
  include: TicketInclude[],
  plan: WindowPlan,
  count: number,
): Promise<FetchedWindow> {
  const pages = await Promise.all(
    plan.calls.map((call) =>
      listTickets(ctx.freshdesk, { ...params, include, page: call.page, per_page: call.perPage }),
    ),
  );
  const all = primeTickets(
    ctx,
    pages.flatMap((page) => page.tickets),
  );
  const end = plan.skip + count;
  const more = all.length > end || (all.length >= end && pages.at(-1)?.nextPage !== undefined);
  return { items: all.slice(plan.skip, end), more };
}

interface OffsetCursor {
  q: string;
  p: number;
}
const isOffsetCursor = (v: unknown): v is OffsetCursor =>
  typeof v === 'object' &&
  v !== null &&
  typeof (v as OffsetCursor).q === 'string' &&
  Number.isInteger((v as OffsetCursor).p) &&
  (v as OffsetCursor).p >= 0 &&
  !('s' in v);

interface KeysetCursor {
  q: string;
  /** The base `updated_since`. */
  s: string;
  /** The edge's position in the list from `s`. */
  p: number;
  /** The edge's `updated_at`. */
  t: string;
  /** How many tickets at `t`, this one included, the traversal has returned. */
  c: number;
}
const isKeysetCursor = (v: unknown): v is KeysetCursor =>
  typeof v === 'object' &&
  v !== null &&
  typeof (v as KeysetCursor).q === 'string' &&
  typeof (v as KeysetCursor).s === 'string' &&
  typeof (v as KeysetCursor).t === 'string' &&
  Number.isInteger((v as KeysetCursor).p) &&
  Number.isInteger((v as KeysetCursor).c) &&
  (v as KeysetCursor).p >= 0 &&
  (v as KeysetCursor).c >= 1;

function readCursor<T extends { q: string }>(
  after: string,
  check: (v: unknown) => v is T,
  q: string,
): T {
  const cursor = decodeCursor(after, check);
  if (cursor.q !== q) {
    throw badUserInput('The `after` cursor belongs to a list with another filter or order.');
  }
  return cursor;
}

export interface ListArgs {
  first?: number | null;
  after?: string | null;
  filter?: TicketFilterInput | null;
}

/** Resolves a ticket list connection (`tickets`, `Contact.tickets`). */
export async function resolveTicketList(
  ctx: Context,
  info: GraphQLResolveInfo,
  args: ListArgs,
  fixed: Partial<BaseParams> = {},
): Promise<ConnectionResult<TicketModel>> {
  const first = readFirst(args.first);
  const params = listParams(args.filter, fixed);
  const include = listIncludes(ctx, info, first);
  const q = fingerprint(params);
  if (params.order_by === 'updated_at' && params.order_type === 'asc') {
    return keysetList(ctx, params, include, first, args.after ?? undefined, q);
  }
  const start = args.after ? readCursor(args.after, isOffsetCursor, q).p + 1 : 0;
  const truncated = () =>
    ctx.warnings.push({
      code: 'TICKET_LIST_TRUNCATED',
      message: `Freshdesk lists at most ${MAX_TICKET_PAGE} pages of ${MAX_PER_PAGE} tickets; this order cannot reach the rest. Order by UPDATED_AT ASC (or narrow the filter) to reach every ticket.`,
      path: responsePath(info),
    });
  const plan = planWindow(start, first, { maxPage: MAX_TICKET_PAGE });
  if (plan === undefined) {
    truncated();
    return { edges: [], hasNextPage: false };
  }
  const fetched = await fetchWindow(ctx, params, include, plan, first);
  let hasNextPage = fetched.more;
  const next = start + fetched.items.length;
  if (
    (plan.truncated && fetched.items.length < first && fetched.more) ||
    (hasNextPage && planWindow(next, 1, { maxPage: MAX_TICKET_PAGE }) === undefined)
  ) {
    truncated();
    hasNextPage = false;
  }
  return {
    edges: fetched.items.map((node, i) => ({ node, cursor: encodeCursor({ q, p: start + i }) })),
    hasNextPage,
  };
}

async function keysetList(
  ctx: Context,
  params: BaseParams,
  include: TicketInclude[],
  first: number,
  after: string | undefined,
  q: string,
): Promise<ConnectionResult<TicketModel>> {
  const previous = after ? readCursor(after, isKeysetCursor, q) : undefined;
  let since = previous?.s ?? params.updated_since ?? ALL_TIME;
  let start = previous ? previous.p + 1 : 0;
  let count = first;
  let plan = planWindow(start, count, { maxPage: MAX_TICKET_PAGE });
  if ((plan === undefined || plan.truncated) && previous) {
    // The wall: restart from the last `updated_at` returned, past the tickets already returned
    // at that instant, and end this window on a page boundary so later windows take one call.
    since = previous.t;
    start = previous.c;
    count = Math.min(first, MAX_PER_PAGE - (start % MAX_PER_PAGE));
    plan = planWindow(start, count, { maxPage: MAX_TICKET_PAGE });
  }
  if (plan === undefined || plan.truncated) {
    throw badUserInput(
      'More tickets share one updated_at than Freshdesk can page through; narrow the filter.',
    );
  }
  const fetched = await fetchWindow(ctx, { ...params, updated_since: since }, include, plan, count);
  let lastAt = previous?.t;
  let atCount = previous?.c ?? 0;
  const edges = fetched.items.map((node, i) => {
    if (node.updatedAt === lastAt) {
      atCount += 1;
    } else {
      lastAt = node.updatedAt;
      atCount = 1;
    }
    return { node, cursor: encodeCursor({ q, s: since, p: start + i, t: lastAt, c: atCount }) };
  });
  return { edges, hasNextPage: fetched.more };
}

builder.queryField('tickets', (t) =>
  t.field({
    type: TicketConnection,
    description:
      "Tickets, newest first unless `filter` orders them otherwise. Unlike Freshdesk's own list, no 30-day window applies: paging to the end returns every ticket (ordered by UPDATED_AT ASC, however many there are).",
    args: {
      first: t.arg.int({ description: 'Page size, 1..100 (default 30).' }),
      after: t.arg.string({ description: 'The `endCursor` of the previous page.' }),
      filter: t.arg({ type: TicketFilter, description: 'Narrows and orders the list.' }),
    },
    resolve: (_root, args, ctx, info) => resolveTicketList(ctx, info, args),
  }),
);

builder.objectField(Contact, 'tickets', (t) =>
  t.field({
    type: TicketConnection,
    description: "The contact's tickets as requester, newest first.",
    args: {
      first: t.arg.int({ description: 'Page size, 1..100 (default 30).' }),
      after: t.arg.string({ description: 'The `endCursor` of the previous page.' }),
    },
    resolve: (contact, args, ctx, info) =>
      resolveTicketList(
        ctx,
        info,
        { first: args.first, after: args.after },
        {
          requester_id: contact.id,
        },
      ),
  }),
);

/** Search cap: 10 pages of 30. */
const SEARCH_REACHABLE = SEARCH_PAGE_SIZE * SEARCH_MAX_PAGE;

/** The query without outer quotes (added when calling), checked for Freshdesk's length limit. */
export function searchExpression(query: string): string {
  let expression = query.trim();
  if (expression.length >= 2 && expression.startsWith('"') && expression.endsWith('"')) {
    expression = expression.slice(1, -1).trim();
  }
  if (expression === '') {
    throw badUserInput('query must not be empty, e.g. "priority:3 AND status:2".');
  }
  if (expression.length > SEARCH_MAX_QUERY_LENGTH) {
    throw badUserInput(
      `query has ${expression.length} characters; Freshdesk allows at most ${SEARCH_MAX_QUERY_LENGTH}.`,
    );
  }
  return expression;
}

builder.queryField('searchTickets', (t) =>
  t.field({
    type: TicketConnection,
    description:
      "Tickets matching a Freshdesk search expression (without the outer quotes), e.g. `priority:3 AND status:2`. `totalCount` is Freshdesk's full count; Freshdesk returns only the first 300 matches, and says so in `extensions.warnings` (SEARCH_TRUNCATED) when that cuts the result.",
    args: {
      query: t.arg.string({ required: true, description: 'The search expression.' }),
      first: t.arg.int({ description: 'Page size, 1..100 (default 30).' }),
      after: t.arg.string({ description: 'The `endCursor` of the previous page.' }),
    },
    resolve: async (_root, args, ctx, info): Promise<ConnectionResult<TicketModel>> => {
      const first = readFirst(args.first);
      const expression = searchExpression(args.query);
      const q = fingerprint(expression);
      const start = args.after ? readCursor(args.after, isOffsetCursor, q).p + 1 : 0;
      const warn = (total: number) =>
        ctx.warnings.push({
          code: 'SEARCH_TRUNCATED',
          message: `Freshdesk search returns at most ${SEARCH_REACHABLE} results; ${total} tickets match. Narrow the query (e.g. by created_at ranges) to reach the rest.`,
          path: responsePath(info),
        });
      const firstPage = Math.min(Math.floor(start / SEARCH_PAGE_SIZE) + 1, SEARCH_MAX_PAGE);
      const opening = await searchTickets(ctx.freshdesk, expression, firstPage);
      const total = opening.total;
      const reachable = Math.min(total, SEARCH_REACHABLE);
      const end = Math.min(start + first, reachable);
      const lastPage = Math.max(firstPage, Math.ceil(end / SEARCH_PAGE_SIZE));
      const rest = await Promise.all(
        Array.from({ length: lastPage - firstPage }, (_, i) =>
          searchTickets(ctx.freshdesk, expression, firstPage + 1 + i),
        ),
      );
      const all = primeTickets(
        ctx,
        [opening, ...rest].flatMap((page) => page.tickets),
      );
      const skip = start - (firstPage - 1) * SEARCH_PAGE_SIZE;
      const window = start >= reachable ? [] : all.slice(skip, skip + (end - start));
      if (total > SEARCH_REACHABLE) {
        warn(total);
      }
      return {
        edges: window.map((node, i) => ({ node, cursor: encodeCursor({ q, p: start + i }) })),
        hasNextPage: start + window.length < reachable,
        totalCount: total,
      };
    },
  }),
);
