/**
 * Conversation: a reply or note on a ticket. Pages of them come from `Ticket.conversations`
 * (embedded in the ticket call when few are asked for, else the paged conversations endpoint).
 *
 * The author is told apart from agents by the agent list the gateway holds anyway (no call per
 * author, never `GET /agents/:id` for a contact). With a key that may not list agents, the key's
 * own agent is known (`/agents/me`); any other author is asked for as a contact, and one that is
 * not a contact is an agent this key may not see: that author alone fails with FORBIDDEN.
 */
import type { GraphQLResolveInfo } from 'graphql';
import type { Context } from '../../context.ts';
import { contactLoader } from '../../loaders/contacts.ts';
import { agentDirectory, listedAgent } from '../../loaders/people.ts';
import { loadTicket } from '../../loaders/tickets.ts';
import { CONTACT, contactNeed } from '../../plan/rules.ts';
import { Selection } from '../../plan/selection.ts';
import type { AgentModel } from '../../upstream/agents.ts';
import type { ConversationModel } from '../../upstream/conversations.ts';
import { isHttpStatus } from '../../upstream/upstream-error.ts';
import { agentSources, type ContactSource, Conversation, Ticket } from '../refs.ts';
import { Person } from './person.ts';

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
      resolve: (c, _args, ctx) => loadTicket(ctx, c.ticketId),
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
  const agent = await listedAgent(ctx, userId);
  if (agent) {
    agentSources.add(agent);
    return agent;
  }
  if (agent === null) {
    // Not in the complete agent list: a contact.
    return contactNeed(Selection.of(info, CONTACT)) === 'id'
      ? { partial: true, id: userId }
      : contactLoader(ctx).load(userId);
  }
  // This key may not list agents: a contact it can read, or an agent it may not see.
  try {
    return await contactLoader(ctx).load(userId);
  } catch (error) {
    const agents = await agentDirectory(ctx);
    if (isHttpStatus(error, 404) && agents.forbidden) {
      throw agents.forbidden;
    }
    throw error;
  }
}
