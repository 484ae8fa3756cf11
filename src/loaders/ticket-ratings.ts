/** A ticket's satisfaction ratings, one deduplicated call per ticket within the operation's limit. */
import DataLoader from 'dataloader';
import { type Context, perRequest, slot } from '../context.ts';
import {
  listTicketSatisfactionRatings,
  type SatisfactionRatingModel,
} from '../upstream/satisfaction-ratings.ts';
import { asError, operationLimit } from './limit.ts';

const RATINGS = slot('tickets:ratings', (ctx) => {
  const limit = operationLimit(ctx);
  return new DataLoader<string, SatisfactionRatingModel[]>((ids) =>
    Promise.all(
      ids.map((id) => limit(() => listTicketSatisfactionRatings(ctx.freshdesk, id)).catch(asError)),
    ),
  );
});

export const ticketRatingsLoader = (ctx: Context): DataLoader<string, SatisfactionRatingModel[]> =>
  perRequest(ctx, RATINGS);
