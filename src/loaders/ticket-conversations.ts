/**
 * Pages of a ticket's conversations (`GET /tickets/:id/conversations`), deduplicated per request
 * and sharing the operation's call limit, so 50 tickets' first conversations are exactly 50 calls,
 * a bounded number at a time.
 */
import DataLoader from 'dataloader';
import { type Context, perRequest, slot } from '../context.ts';
import { type ConversationPage, listConversations } from '../upstream/conversations.ts';
import { asError, operationLimit } from './limit.ts';

export interface ConversationPageKey {
  ticketId: string;
  page: number;
  perPage: number;
}

const PAGES = slot('tickets:conversationPages', (ctx) => {
  const limit = operationLimit(ctx);
  return new DataLoader<ConversationPageKey, ConversationPage, string>(
    (keys) =>
      Promise.all(
        keys.map((key) =>
          limit(() => listConversations(ctx.freshdesk, key.ticketId, key.page, key.perPage)).catch(
            asError,
          ),
        ),
      ),
    { cacheKeyFn: (key) => `${key.ticketId}|${key.page}|${key.perPage}` },
  );
});

export const conversationPageLoader = (
  ctx: Context,
): DataLoader<ConversationPageKey, ConversationPage, string> => perRequest(ctx, PAGES);
