/** A ticket's satisfaction ratings, one deduplicated call per ticket within the operation's limit. */
import DataLoader from 'dataloader';
import { type Context, perRequest, slot } from '../context.ts';
import {
  listTicketSatisfactionRatings,
  type SatisfactionRatingModel,
} from '../upstream/satisfaction-ratings.ts';
import { asError, operationLimit } from './limit.ts';

/** A ticket, and its `updated_at` as the operation holds it (freshness by evidence). */
export interface RatingsKey {
  ticketId: string;
  updatedAt?: string;
}

const RATINGS = slot('tickets:ratings', (ctx) => {
  const limit = operationLimit(ctx);
  return new DataLoader<RatingsKey, SatisfactionRatingModel[], string>(
    (keys) =>
      Promise.all(
        keys.map((key) =>
          limit(() =>
            listTicketSatisfactionRatings(ctx.freshdesk, key.ticketId, key.updatedAt),
          ).catch(asError),
        ),
      ),
    { cacheKeyFn: (key) => key.ticketId },
  );
});

export const ticketRatingsLoader = (
  ctx: Context,
): DataLoader<RatingsKey, SatisfactionRatingModel[], string> => perRequest(ctx, RATINGS);
