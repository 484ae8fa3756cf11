/**
 * The gateway's own writes, reported the moment Freshdesk confirms them (one call per mutation): to
 * the change feed (the cache forgets the ticket) and as a `ticketEvents` event (source WEBHOOK, origin GATEWAY_WRITE). The
 * webhook Freshdesk sends for the same write is then recognised as the same change.
 */
import type { ConversationModel } from '../upstream/conversations.ts';
import type { TicketModel } from '../upstream/tickets.ts';
import type { Freshness } from './freshness.ts';

/** What a resolver's context offers (the GraphQL `Context` has it). */
interface WithFreshness {
  freshness?: Freshness;
}

/** `createTicket` / `updateTicket`: the answer carries the ticket's new `updated_at`. */
export function ticketWritten(
  ctx: WithFreshness,
  ticket: TicketModel,
  kind: 'created' | 'updated',
): void {
  ctx.freshness?.recordWrite({ ticketId: ticket.id, updatedAt: ticket.updatedAt, kind, ticket });
}

/**
 * `replyToTicket` / `addNote`: the answer is the conversation; Freshdesk stamps the ticket's
 * `updated_at` with the conversation's `created_at`, which is the change's version. (Were the two
 * ever a second apart, the webhook would add a second event, never lose one.)
 */
export function conversationAdded(
  ctx: WithFreshness,
  ticketId: string,
  conversation: ConversationModel,
  kind: 'reply_sent' | 'note_added',
): void {
  ctx.freshness?.recordWrite({ ticketId, updatedAt: conversation.createdAt, kind });
}
