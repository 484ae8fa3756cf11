/**
 * Ticket: the type, its enums and `ticket(id)`. Lists and search live in `ticket-list.ts`, writes in
 * `ticket-mutations.ts`.
 *
 * Loading plan for one ticket (`singleTicketIncludes` in src/plan/rules.ts): the root resolver
 * looks ahead at the selection and asks Freshdesk for the embeds that save calls
 * (`include=requester` when only embedded requester fields are selected, `include=company` when
 * only the company's id and name are selected and the company list is not cached,
 * `include=conversations` when `conversations(first <= 10)` is selected without `after`): +1 credit
 * each, instead of a separate call each.
 */
import type { GraphQLResolveInfo } from 'graphql';
import { builder } from '../../builder.ts';
import type { Context } from '../../context.ts';
import { companyLoader } from '../../loaders/companies.ts';
import { contactLoader } from '../../loaders/contacts.ts';
import { loadAgent, loadGroup } from '../../loaders/people.ts';
import { planState } from '../../loaders/references.ts';
import { conversationPageLoader } from '../../loaders/ticket-conversations.ts';
import { statusLabel } from '../../loaders/ticket-fields.ts';
import { ticketRatingsLoader } from '../../loaders/ticket-ratings.ts';
import { loadTicketDetail, loadTicketWith } from '../../loaders/tickets.ts';
import {
  CONTACT,
  companyNeed,
  contactNeed,
  conversationsEmbeddable,
  conversationsProbe,
  MAX_EMBEDDED_CONVERSATIONS,
  singleTicketIncludes,
} from '../../plan/rules.ts';
import { Selection } from '../../plan/selection.ts';
import { planWindow } from '../../plan/windows.ts';
import type { ConversationModel } from '../../upstream/conversations.ts';
import type { TicketModel } from '../../upstream/tickets.ts';
import { type ConnectionResult, encodeCursor, offsetAfter, readFirst } from '../connection.ts';
import { idArg } from '../field-errors.ts';
import {
  Agent,
  Company,
  type CompanySource,
  Contact,
  type ContactSource,
  ConversationConnection,
  Group,
  SatisfactionRating,
  Ticket,
} from '../refs.ts';

export const TicketStatus = builder.enumType('TicketStatus', {
  description:
    "A ticket's status. Account-defined statuses (ids 6 and up) are `CUSTOM`: see `statusCode` and `statusLabel`.",
  values: {
    OPEN: { value: 2, description: 'Status 2: open.' },
    PENDING: { value: 3, description: 'Status 3: pending.' },
    RESOLVED: { value: 4, description: 'Status 4: resolved.' },
    CLOSED: { value: 5, description: 'Status 5: closed.' },
    CUSTOM: {
      value: 0,
      description: 'An account-defined status (id 6 and up): `statusCode` says which.',
    },
  } as const,
});

export const TicketPriority = builder.enumType('TicketPriority', {
  description: "A ticket's priority.",
  values: {
    LOW: { value: 1, description: 'Priority 1.' },
    MEDIUM: { value: 2, description: 'Priority 2.' },
    HIGH: { value: 3, description: 'Priority 3.' },
    URGENT: { value: 4, description: 'Priority 4.' },
  } as const,
});

export const TicketSource = builder.enumType('TicketSource', {
  description:
    'The channel a ticket came in through. Account-defined sources (100 and up) are `OTHER`.',
  values: {
    EMAIL: { value: 1, description: 'Source 1: e-mail.' },
    PORTAL: { value: 2, description: 'Source 2: the support portal.' },
    PHONE: { value: 3, description: 'Source 3: phone.' },
    FORUM: { value: 4, description: 'Source 4: forum (cannot be set on create).' },
    TWITTER: { value: 5, description: 'Source 5: Twitter (cannot be set on update).' },
    FACEBOOK: { value: 6, description: 'Source 6: Facebook (cannot be set on update).' },
    CHAT: { value: 7, description: 'Source 7: chat.' },
    MOBIHELP: { value: 8, description: 'Source 8: Mobihelp.' },
    FEEDBACK_WIDGET: { value: 9, description: 'Source 9: the feedback widget.' },
    OUTBOUND_EMAIL: {
      value: 10,
      description: 'Source 10: outbound e-mail (cannot be set on create).',
    },
    ECOMMERCE: { value: 11, description: 'Source 11: e-commerce.' },
    BOT: { value: 12, description: 'Source 12: bot (cannot be set on create).' },
    WHATSAPP: {
      value: 13,
      description: 'Source 13: WhatsApp (cannot be set on create or update).',
    },
    OTHER: {
      value: 0,
      description: 'A source this schema has no name for (custom sources are 100 and up).',
    },
  } as const,
});

Ticket.implement({
  description: 'A Freshdesk ticket.',
  fields: (t) => ({
    id: t.exposeID('id', { description: "The ticket's display id (a decimal string)." }),
    subject: t.exposeString('subject', { description: "The ticket's subject line." }),
    description: t.string({
      nullable: true,
      description:
        'The HTML description. In lists it costs `include=description` (+2 credits a page), asked only when selected.',
      resolve: async (ticket, _args, ctx) =>
        (await withDescription(ctx, ticket)).description ?? null,
    }),
    descriptionText: t.string({
      nullable: true,
      description: 'The description as plain text (same cost as `description`).',
      resolve: async (ticket, _args, ctx) =>
        (await withDescription(ctx, ticket)).descriptionText ?? null,
    }),
    status: t.field({
      type: TicketStatus,
      description: 'OPEN, PENDING, RESOLVED, CLOSED, or CUSTOM for account-defined statuses.',
      resolve: (ticket) =>
        (ticket.statusCode >= 2 && ticket.statusCode <= 5 ? ticket.statusCode : 0) as 0,
    }),
    statusCode: t.exposeInt('statusCode', {
      description: "Freshdesk's numeric status (2-5, or 6 and up for custom statuses).",
    }),
    statusLabel: t.string({
      description: "The status's agent-facing label, from the account's ticket fields.",
      resolve: (ticket, _args, ctx) => statusLabel(ctx, ticket.statusCode),
    }),
    priority: t.field({
      type: TicketPriority,
      description: "The ticket's priority.",
      resolve: (ticket) => ticket.priority as 1,
    }),
    source: t.field({
      type: TicketSource,
      description: 'The channel the ticket came in through.',
      resolve: (ticket) => (ticket.source >= 1 && ticket.source <= 13 ? ticket.source : 0) as 0,
    }),
    type: t.exposeString('type', {
      nullable: true,
      description: "The account's ticket type (e.g. Question, Incident), if set.",
    }),
    tags: t.exposeStringList('tags', { description: "The ticket's tags." }),
    customFields: t.field({
      type: 'JSON',
      description: 'Custom field values keyed by field name (`cf_...`), dependent levels included.',
      resolve: (ticket) => ticket.customFields,
    }),
    createdAt: t.field({
      type: 'DateTime',
      description: 'When the ticket was created (UTC).',
      resolve: (ticket) => ticket.createdAt,
    }),
    updatedAt: t.field({
      type: 'DateTime',
      description: 'When the ticket last changed (UTC).',
      resolve: (ticket) => ticket.updatedAt,
    }),
    dueBy: t.field({
      type: 'DateTime',
      nullable: true,
      description: 'When the resolution is due under the SLA (UTC).',
      resolve: (ticket) => ticket.dueBy,
    }),
    frDueBy: t.field({
      type: 'DateTime',
      nullable: true,
      description: 'When the first response is due under the SLA (UTC).',
      resolve: (ticket) => ticket.frDueBy,
    }),
    requesterId: t.exposeID('requesterId', {
      description: "The requester's contact id, without loading the contact.",
    }),
    responderId: t.exposeID('responderId', {
      nullable: true,
      description: "The assigned agent's id, without loading the agent list.",
    }),
    groupId: t.exposeID('groupId', {
      nullable: true,
      description: "The assigned group's id, without loading the group list.",
    }),
    companyId: t.exposeID('companyId', {
      nullable: true,
      description: "The company's id, without loading the company.",
    }),
    requester: t.field({
      type: Contact,
      nullable: true,
      description:
        'The contact who raised the ticket. Lists embed it (`include=requester`) when only id, name, email, mobile and phone are selected.',
      resolve: (ticket, _args, ctx, info) => requesterOf(ctx, ticket, info),
    }),
    responder: t.field({
      type: Agent,
      nullable: true,
      description: 'The agent the ticket is assigned to (from the cached agent list).',
      resolve: (ticket, _args, ctx) =>
        ticket.responderId === null ? null : loadAgent(ctx, ticket.responderId),
    }),
    group: t.field({
      type: Group,
      nullable: true,
      description: 'The group the ticket is assigned to (from the cached group list).',
      resolve: (ticket, _args, ctx) =>
        ticket.groupId === null ? null : loadGroup(ctx, ticket.groupId),
    }),
    company: t.field({
      type: Company,
      nullable: true,
      description:
        "The requester's company on this ticket, if any. Comes from the account's company list when it is small (one call per 100 companies, cached for a minute); otherwise lists and `ticket(id)` embed it (`include=company`) when only id and name are selected, and load it by id for other fields.",
      resolve: (ticket, _args, ctx, info) => companyOf(ctx, ticket, info),
    }),
    conversations: t.field({
      type: ConversationConnection,
      description:
        "The ticket's replies and notes, oldest first. On `ticket(id)`, `first <= 10` without `after` comes embedded in the ticket call.",
      args: {
        first: t.arg.int({ description: 'Page size, 1..100 (default 30).' }),
        after: t.arg.string({ description: 'The `endCursor` of the previous page.' }),
      },
      resolve: (ticket, args, ctx, info) => conversationsOf(ctx, ticket, args, info),
    }),
    satisfactionRatings: t.field({
      type: [SatisfactionRating],
      description: 'Satisfaction survey answers about this ticket.',
      resolve: (ticket, _args, ctx) => ticketRatingsLoader(ctx).load(ticket.id),
    }),
  }),
});

/** A ticket from a list may lack the description: fetch the full ticket once when asked for it. */
function withDescription(ctx: Context, ticket: TicketModel): TicketModel | Promise<TicketModel> {
  return ticket.description === undefined ? loadTicketDetail(ctx, ticket.id) : ticket;
}

/** The requester as the plan has it: embedded, just the id, or loaded in full. */
function requesterOf(
  ctx: Context,
  ticket: TicketModel,
  info: GraphQLResolveInfo,
): ContactSource | Promise<ContactSource> {
  const need = contactNeed(Selection.of(info, CONTACT));
  if (need !== 'full' && ticket.requester) {
    return { partial: true, ...ticket.requester };
  }
  if (need === 'id') {
    return { partial: true, id: ticket.requesterId };
  }
  return contactLoader(ctx).load(ticket.requesterId);
}

/** The company as the plan has it: embedded (`{}` means none), just the id, or loaded in full. */
function companyOf(
  ctx: Context,
  ticket: TicketModel,
  info: GraphQLResolveInfo,
): CompanySource | Promise<CompanySource> | null {
  const need = companyNeed(Selection.of(info));
  if (ticket.company !== undefined && need !== 'full') {
    return ticket.company === null ? null : { partial: true, ...ticket.company };
  }
  if (ticket.companyId === null) {
    return null;
  }
  if (need === 'id') {
    return { partial: true, id: ticket.companyId };
  }
  return companyLoader(ctx).load(ticket.companyId);
}

/** A page of a ticket's conversations (embedded ones first when the ticket call carried them). */
export async function conversationsOf(
  ctx: Context,
  ticket: Pick<TicketModel, 'id' | 'conversations'>,
  args: { first?: number | null; after?: string | null },
  info: GraphQLResolveInfo,
): Promise<ConnectionResult<ConversationModel>> {
  const first = readFirst(args.first);
  const start = offsetAfter(args.after);
  const edges = (items: readonly ConversationModel[]) =>
    items.map((node, i) => ({ node, cursor: encodeCursor({ o: start + i }) }));
  const embedded = ticket.conversations;
  if (embedded !== undefined && conversationsEmbeddable(args)) {
    let hasNextPage = embedded.length > first;
    // Exactly 10 embedded and 10 asked: only a look past them can tell whether more exist.
    if (
      !hasNextPage &&
      embedded.length === MAX_EMBEDDED_CONVERSATIONS &&
      conversationsProbe(args, Selection.of(info))
    ) {
      const probe = await conversationPageLoader(ctx).load({
        ticketId: ticket.id,
        page: MAX_EMBEDDED_CONVERSATIONS + 1,
        perPage: 1,
      });
      hasNextPage = probe.conversations.length > 0;
    }
    return { edges: edges(embedded.slice(0, first)), hasNextPage };
  }
  const plan = planWindow(start, first);
  if (plan === undefined) {
    return { edges: [], hasNextPage: false };
  }
  const pages = await Promise.all(
    plan.calls.map((call) =>
      conversationPageLoader(ctx).load({
        ticketId: ticket.id,
        page: call.page,
        perPage: call.perPage,
      }),
    ),
  );
  const all = pages.flatMap((page) => page.conversations);
  const window = all.slice(plan.skip, plan.skip + first);
  const lastPage = pages.at(-1);
  const hasNextPage =
    all.length > plan.skip + first ||
    (all.length === plan.skip + first && lastPage?.nextPage !== undefined);
  return { edges: edges(window), hasNextPage };
}

builder.queryField('ticket', (t) =>
  t.field({
    type: Ticket,
    nullable: true,
    description: 'One ticket by id; null (with a NOT_FOUND error) when it does not exist.',
    args: { id: t.arg.id({ required: true, description: "The ticket's display id." }) },
    resolve: (_root, { id }, ctx, info) =>
      loadTicketWith(
        ctx,
        idArg(id, 'A ticket'),
        singleTicketIncludes(Selection.of(info), planState(ctx)),
      ),
  }),
);
