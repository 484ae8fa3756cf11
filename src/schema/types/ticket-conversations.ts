/**
 * `ticketConversations(ticketId)`: a ticket's replies and notes without loading the ticket, one
 * call per page of up to 100. Aliased many times in one operation, it reads the conversations of
 * many tickets at one call each (what an export of changed tickets needs); `ticket(id) {
 * conversations }` costs a ticket call more.
 */
import { builder } from '../../builder.ts';
import { idArg } from '../field-errors.ts';
import { ConversationConnection } from '../refs.ts';
import { conversationsOf } from './ticket.ts';

builder.queryField('ticketConversations', (t) =>
  t.field({
    type: ConversationConnection,
    nullable: true,
    description:
      "A ticket's replies and notes, oldest first, without loading the ticket: one call per page of up to 100. Null (with a NOT_FOUND error) when the ticket does not exist, is deleted or is spam.",
    args: {
      ticketId: t.arg.id({ required: true, description: "The ticket's id." }),
      first: t.arg.int({ description: 'Page size, 1..100 (default 30).' }),
      after: t.arg.string({ description: 'The `endCursor` of the previous page.' }),
    },
    resolve: (_root, args, ctx, info) =>
      conversationsOf(
        ctx,
        { id: idArg(args.ticketId, 'A ticket'), conversations: undefined },
        { first: args.first, after: args.after },
        info,
      ),
  }),
);
