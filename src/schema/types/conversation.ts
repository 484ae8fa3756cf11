/**
 * Conversation: a reply or note on a ticket. Pages of them come from `Ticket.conversations`
 * (embedded in the ticket call when few are asked for, else the paged conversations endpoint).
 */
import type { GraphQLResolveInfo } from 'graphql';
import { builder } from '../../builder.ts';
import type { Context } from '../../context.ts';
import { loadAgent } from '../../loaders/people.ts';
import { ticketLoader } from '../../loaders/tickets.ts';
import type { ConversationModel } from '../../upstream/conversations.ts';
import { defineConnection } from '../connection.ts';
import { onlyFrom, selectedNames } from '../lookahead.ts';
import type { AgentModel } from './agent.ts';
import { type ContactSource, contactLoader } from './contact.ts';
import { Person } from './person.ts';
import { agentSources, ID_ONLY_FIELDS, Ticket } from './ticket.ts';

export const Conversation = builder.objectRef<ConversationModel>('Conversation');

export const ConversationConnection = defineConnection('Conversation', Conversation);

Conversation.implement({
  description: 'A reply or a note on a ticket.',
  fields: (t) => ({
    id: t.exposeID('id', { description: "The conversation's id (a decimal string)." }),
    ticketId: t.exposeID('ticketId', {
      description: "The ticket's id, without loading the ticket.",
    }),
    userId: t.exposeID('userId', {
      nullable: true,
      description:
        "The author's user id (an agent or a contact), without finding out which: no call at all.",
    }),
    body: t.exposeString('body', { description: 'The HTML body.' }),
    bodyText: t.exposeString('bodyText', { description: 'The body as plain text.' }),
    incoming: t.exposeBoolean('incoming', {
      description: 'True when it came from outside (e.g. the requester), false when from an agent.',
    }),
    private: t.exposeBoolean('private', {
      description: 'True for a private note, visible to agents only.',
    }),
    fromEmail: t.exposeString('fromEmail', {
      nullable: true,
      description: 'The sender address of an e-mail reply (null for notes).',
    }),
    toEmails: t.exposeStringList('toEmails', {
      description: 'The addresses it went to (a note: the agents notified).',
    }),
    createdAt: t.field({
      type: 'DateTime',
      description: 'When it was added (UTC).',
      resolve: (c) => c.createdAt,
    }),
    updatedAt: t.field({
      type: 'DateTime',
      description: 'When it was last edited (UTC).',
      resolve: (c) => c.updatedAt,
    }),
    ticket: t.field({
      type: Ticket,
      description: 'The ticket it belongs to (no call when the request already holds it).',
      resolve: (c, _args, ctx) => ticketLoader(ctx).load(c.ticketId),
    }),
    author: t.field({
      type: Person,
      nullable: true,
      description:
        "Who wrote it: an Agent when the user id is in the account's agent list, otherwise a Contact.",
      resolve: (c, _args, ctx, info) => authorOf(ctx, c, info),
    }),
  }),
});

async function authorOf(
  ctx: Context,
  conversation: ConversationModel,
  info: GraphQLResolveInfo,
): Promise<AgentModel | ContactSource | null> {
  const userId = conversation.userId;
  if (userId === null) {
    return null;
  }
  const agent = await loadAgent(ctx, userId);
  if (agent) {
    agentSources.add(agent);
    return agent;
  }
  const wanted = selectedNames(info, info.fieldNodes, ['Contact', 'Person']);
  if (onlyFrom(wanted, ID_ONLY_FIELDS)) {
    return { partial: true, id: userId };
  }
  return contactLoader(ctx).load(userId);
}
