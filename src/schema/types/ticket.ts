import DataLoader from 'dataloader';
import { builder } from '../../builder.ts';
import { type Context, perRequest } from '../../context.ts';
import { badUserInput } from '../../errors.ts';
import { pathId } from '../../upstream/ids.ts';
import { getTicket, listTickets, type TicketModel } from '../../upstream/tickets.ts';
import {
  type ConnectionResult,
  decodeCursor,
  defineConnection,
  encodeCursor,
  readFirst,
} from '../connection.ts';

export const TicketStatus = builder.enumType('TicketStatus', {
  description:
    "A ticket's status. Account-defined statuses (ids 6 and up) are `CUSTOM`: see `statusCode` and `statusLabel`.",
  values: {
    OPEN: { value: 2, description: 'Status 2.' },
    PENDING: { value: 3, description: 'Status 3.' },
    RESOLVED: { value: 4, description: 'Status 4.' },
    CLOSED: { value: 5, description: 'Status 5.' },
    CUSTOM: { value: 0, description: 'An account-defined status (id 6 and up).' },
  } as const,
});

export const TicketPriority = builder.enumType('TicketPriority', {
  description: "A ticket's priority.",
  values: {
    LOW: { value: 1 },
    MEDIUM: { value: 2 },
    HIGH: { value: 3 },
    URGENT: { value: 4 },
  } as const,
});

export const TicketSource = builder.enumType('TicketSource', {
  description:
    'The channel a ticket came in through. Account-defined sources (100 and up) are `OTHER`.',
  values: {
    EMAIL: { value: 1 },
    PORTAL: { value: 2 },
    PHONE: { value: 3 },
    FORUM: { value: 4 },
    TWITTER: { value: 5 },
    FACEBOOK: { value: 6 },
    CHAT: { value: 7 },
    MOBIHELP: { value: 8 },
    FEEDBACK_WIDGET: { value: 9 },
    OUTBOUND_EMAIL: { value: 10 },
    ECOMMERCE: { value: 11 },
    BOT: { value: 12 },
    WHATSAPP: { value: 13 },
    OTHER: {
      value: 0,
      description: 'A source this schema has no name for (custom sources are 100 and up).',
    },
  } as const,
});

const DEFAULT_STATUS_LABELS: Record<number, string> = {
  2: 'Open',
  3: 'Pending',
  4: 'Resolved',
  5: 'Closed',
};

export const Ticket = builder.objectRef<TicketModel>('Ticket').implement({
  description: 'A Freshdesk ticket.',
  fields: (t) => ({
    id: t.exposeID('id', { description: "The ticket's display id (a decimal string)." }),
    subject: t.exposeString('subject'),
    description: t.string({
      nullable: true,
      description: 'The HTML description.',
      resolve: (ticket, _args, ctx) =>
        loadDetail(ctx, ticket).then((full) => full.description ?? null),
    }),
    descriptionText: t.string({
      nullable: true,
      description: 'The description as plain text.',
      resolve: (ticket, _args, ctx) =>
        loadDetail(ctx, ticket).then((full) => full.descriptionText ?? null),
    }),
    status: t.field({
      type: TicketStatus,
      description: 'OPEN, PENDING, RESOLVED, CLOSED, or CUSTOM for account-defined statuses.',
      resolve: (ticket) =>
        (ticket.statusCode >= 2 && ticket.statusCode <= 5 ? ticket.statusCode : 0) as 0,
    }),
    statusCode: t.exposeInt('statusCode', {
      description: "Freshdesk's numeric status (2-5, or 6+ for custom).",
    }),
    statusLabel: t.string({
      description: "The status's agent-facing label.",
      resolve: (ticket) =>
        DEFAULT_STATUS_LABELS[ticket.statusCode] ?? `Status ${ticket.statusCode}`,
    }),
    priority: t.field({ type: TicketPriority, resolve: (ticket) => ticket.priority as 1 }),
    source: t.field({
      type: TicketSource,
      resolve: (ticket) => (ticket.source >= 1 && ticket.source <= 13 ? ticket.source : 0) as 0,
    }),
    type: t.exposeString('type', {
      nullable: true,
      description: "The account's ticket type, if set.",
    }),
    tags: t.exposeStringList('tags'),
    customFields: t.field({
      type: 'JSON',
      description: 'Custom field values keyed by field name (`cf_...`).',
      resolve: (ticket) => ticket.customFields,
    }),
    createdAt: t.field({ type: 'DateTime', resolve: (ticket) => ticket.createdAt }),
    updatedAt: t.field({ type: 'DateTime', resolve: (ticket) => ticket.updatedAt }),
    dueBy: t.field({ type: 'DateTime', nullable: true, resolve: (ticket) => ticket.dueBy }),
    frDueBy: t.field({
      type: 'DateTime',
      nullable: true,
      description: 'When the first response is due.',
      resolve: (ticket) => ticket.frDueBy,
    }),
  }),
});

/** Tickets by id, deduplicated within the operation. */
export const ticketLoader = (ctx: Context) =>
  perRequest(
    ctx,
    'ticket',
    () =>
      new DataLoader<string, TicketModel>(
        (ids) => Promise.all(ids.map((id) => getTicket(ctx.freshdesk, id).catch((e: Error) => e))),
        { maxBatchSize: 10 },
      ),
  );

/** A ticket from a list may lack the description: fetch the full ticket once when asked for it. */
async function loadDetail(ctx: Context, ticket: TicketModel): Promise<TicketModel> {
  return ticket.description === undefined ? ticketLoader(ctx).load(ticket.id) : ticket;
}

builder.queryField('ticket', (t) =>
  t.field({
    type: Ticket,
    nullable: true,
    description: 'One ticket by id; null (with a NOT_FOUND error) when it does not exist.',
    args: { id: t.arg.id({ required: true }) },
    resolve: (_root, { id }, ctx) => {
      const ticketId = pathId(id);
      if (ticketId === undefined) {
        throw badUserInput(`A ticket id is a decimal number; got "${id}".`);
      }
      return ticketLoader(ctx).load(ticketId);
    },
  }),
);

export const TicketConnection = defineConnection('Ticket', Ticket);

interface OffsetCursor {
  o: number;
}
const isOffsetCursor = (v: unknown): v is OffsetCursor =>
  typeof v === 'object' &&
  v !== null &&
  Number.isInteger((v as OffsetCursor).o) &&
  (v as OffsetCursor).o >= 0;

/** Every ticket ever created: `updated_since` at the epoch lifts Freshdesk's 30-day default window. */
const ALL_TIME = '1970-01-01T00:00:00Z';

builder.queryField('tickets', (t) =>
  t.field({
    type: TicketConnection,
    description:
      "Tickets, newest first. Unlike Freshdesk's own list, no 30-day window applies: paging to the end returns every ticket.",
    args: {
      first: t.arg.int({ description: 'Page size, 1..100 (default 30).' }),
      after: t.arg.string({ description: 'The `endCursor` of the previous page.' }),
    },
    resolve: async (_root, args, ctx): Promise<ConnectionResult<TicketModel>> => {
      const first = readFirst(args.first);
      const offset = args.after ? decodeCursor(args.after, isOffsetCursor).o + 1 : 0;
      const perPage = 100;
      const startPage = Math.floor(offset / perPage) + 1;
      const collected: TicketModel[] = [];
      let page = startPage;
      let more = true;
      // One page usually suffices; a window straddling two Freshdesk pages needs the next one too.
      while (collected.length < offset - (startPage - 1) * perPage + first + 1 && more) {
        const result = await listTickets(ctx.freshdesk, {
          updated_since: ALL_TIME,
          page,
          per_page: perPage,
        });
        collected.push(...result.tickets);
        more = result.nextPage !== undefined;
        page += 1;
      }
      const skip = offset - (startPage - 1) * perPage;
      const slice = collected.slice(skip, skip + first);
      return {
        edges: slice.map((node, i) => ({ node, cursor: encodeCursor({ o: offset + i }) })),
        hasNextPage: collected.length > skip + first || (more && collected.length >= skip + first),
      };
    },
  }),
);
