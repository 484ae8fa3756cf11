/**
 * Ticket writes: `createTicket`, `updateTicket`, `replyToTicket`, `addNote` and
 * `createSatisfactionRating`.
 *
 * Input is checked before anything is sent (`src/schema/validation.ts`): every problem at once,
 * BAD_USER_INPUT with `extensions.fieldErrors`.
 */
import { builder } from '../../builder.ts';
import { conversationAdded, ticketWritten } from '../../freshness/writes.ts';
import { forgetTicket, replaceTicket } from '../../loaders/tickets.ts';
import { createNote, createReply } from '../../upstream/conversations.ts';
import { createSatisfactionRating } from '../../upstream/satisfaction-ratings.ts';
import { createTicket, updateTicket } from '../../upstream/tickets.ts';
import { idArg } from '../field-errors.ts';
import { Conversation, SatisfactionRating, Ticket } from '../refs.ts';
import { noteBody, ratingBody, replyBody, ticketWrite } from '../validation.ts';
import { TicketPriority, TicketSource, TicketStatus } from './ticket.ts';

const ticketFields =
  (required: boolean) => (t: PothosSchemaTypes.InputFieldBuilder<Types, 'InputObject'>) => ({
    subject: t.string({ required, description: 'The subject line (at most 255 characters).' }),
    description: t.string({ required, description: 'The HTML description.' }),
    requesterId: t.id({ description: 'The requester, an existing contact.' }),
    email: t.string({ description: 'The requester by e-mail (a contact is created if new).' }),
    name: t.string({ description: "The requester's name (needed with `phone` alone)." }),
    phone: t.string({ description: 'The requester by phone number.' }),
    status: t.field({ type: TicketStatus, description: 'The status; CUSTOM needs `statusCode`.' }),
    statusCode: t.int({ description: 'A status code (for custom statuses, 6 and up).' }),
    priority: t.field({ type: TicketPriority, description: 'The priority (default LOW).' }),
    source: t.field({ type: TicketSource, description: 'The channel (default PORTAL).' }),
    type: t.string({ description: "One of the account's ticket types." }),
    tags: t.stringList({ description: 'Tags (each at most 32 characters).' }),
    groupId: t.id({ description: 'The group to assign.' }),
    responderId: t.id({ description: 'The agent to assign.' }),
    companyId: t.id({ description: "The requester's company for this ticket." }),
    customFields: t.field({
      type: 'JSON',
      description:
        'Custom field values by name (`cf_...`); a dependent (nested) field is set by giving each level its own key.',
    }),
  });

type Types = typeof builder extends PothosSchemaTypes.SchemaBuilder<infer S> ? S : never;

export const CreateTicketInput = builder.inputType('CreateTicketInput', {
  description: 'A new ticket. Name the requester with one of requesterId, email or phone (+ name).',
  fields: ticketFields(true),
});

export const UpdateTicketInput = builder.inputType('UpdateTicketInput', {
  description:
    'Changes to a ticket: only the fields given change (null clears type and assignments).',
  fields: ticketFields(false),
});

export const ReplyInput = builder.inputType('ReplyInput', {
  description: 'A reply e-mailed to the requester.',
  fields: (t) => ({
    body: t.string({ required: true, description: 'The HTML body.' }),
    ccEmails: t.stringList({ description: 'Addresses to copy.' }),
    bccEmails: t.stringList({ description: 'Addresses to blind-copy.' }),
    fromEmail: t.string({ description: 'The support address to send from.' }),
    userId: t.id({ description: 'The agent replying (default: the API key owner).' }),
  }),
});

export const NoteInput = builder.inputType('NoteInput', {
  description: 'A note on a ticket.',
  fields: (t) => ({
    body: t.string({ required: true, description: 'The HTML body.' }),
    private: t.boolean({ description: 'Visible to agents only (default true).' }),
    incoming: t.boolean({ description: 'Shown as coming from outside (default false).' }),
    notifyEmails: t.stringList({ description: 'Agent addresses to notify.' }),
    userId: t.id({ description: 'The author (default: the API key owner).' }),
  }),
});

export const SatisfactionRatingInput = builder.inputType('SatisfactionRatingInput', {
  description: "A customer's answer to the satisfaction survey.",
  fields: (t) => ({
    ratings: t.field({
      type: 'JSON',
      required: true,
      description:
        'Answers by question id; `default_question` is required: `{"default_question": 103}` (103 … -103, or classic 1-3).',
    }),
    feedback: t.string({ description: "The customer's comment." }),
  }),
});

builder.mutationField('createTicket', (t) =>
  t.field({
    type: Ticket,
    description: 'Creates a ticket.',
    args: { input: t.arg({ type: CreateTicketInput, required: true, description: 'The ticket.' }) },
    resolve: async (_root, { input }, ctx) => {
      const body = await ticketWrite(ctx, input, 'create');
      const ticket = await createTicket(ctx.freshdesk, body);
      replaceTicket(ctx, ticket);
      ticketWritten(ctx, ticket, 'created');
      return ticket;
    },
  }),
);

builder.mutationField('updateTicket', (t) =>
  t.field({
    type: Ticket,
    description: 'Changes a ticket (METHOD_NOT_ALLOWED for spam or deleted tickets).',
    args: {
      id: t.arg.id({ required: true, description: "The ticket's id." }),
      input: t.arg({ type: UpdateTicketInput, required: true, description: 'The changes.' }),
    },
    resolve: async (_root, { id, input }, ctx) => {
      const ticketId = idArg(id, 'A ticket');
      const body = await ticketWrite(ctx, input, 'update', ticketId);
      const ticket = await updateTicket(ctx.freshdesk, ticketId, body);
      replaceTicket(ctx, ticket);
      ticketWritten(ctx, ticket, 'updated');
      return ticket;
    },
  }),
);

builder.mutationField('replyToTicket', (t) =>
  t.field({
    type: Conversation,
    description: 'Replies to the requester on a ticket.',
    args: {
      ticketId: t.arg.id({ required: true, description: "The ticket's id." }),
      input: t.arg({ type: ReplyInput, required: true, description: 'The reply.' }),
    },
    resolve: async (_root, { ticketId, input }, ctx) => {
      const id = idArg(ticketId, 'A ticket');
      const body = replyBody(input);
      const conversation = await createReply(ctx.freshdesk, id, body);
      forgetTicket(ctx, id);
      conversationAdded(ctx, id, conversation, 'reply_sent');
      return conversation;
    },
  }),
);

builder.mutationField('addNote', (t) =>
  t.field({
    type: Conversation,
    description: 'Adds a note to a ticket (private unless `private: false`).',
    args: {
      ticketId: t.arg.id({ required: true, description: "The ticket's id." }),
      input: t.arg({ type: NoteInput, required: true, description: 'The note.' }),
    },
    resolve: async (_root, { ticketId, input }, ctx) => {
      const id = idArg(ticketId, 'A ticket');
      const body = noteBody(input);
      const conversation = await createNote(ctx.freshdesk, id, body);
      forgetTicket(ctx, id);
      conversationAdded(ctx, id, conversation, 'note_added');
      return conversation;
    },
  }),
);

builder.mutationField('createSatisfactionRating', (t) =>
  t.field({
    type: SatisfactionRating,
    description:
      "Records a customer's satisfaction rating on a ticket (needs the Surveys feature).",
    args: {
      ticketId: t.arg.id({ required: true, description: "The ticket's id." }),
      input: t.arg({ type: SatisfactionRatingInput, required: true, description: 'The rating.' }),
    },
    resolve: async (_root, { ticketId, input }, ctx) => {
      const id = idArg(ticketId, 'A ticket');
      const body = ratingBody(input);
      return createSatisfactionRating(ctx.freshdesk, id, body);
    },
  }),
);
