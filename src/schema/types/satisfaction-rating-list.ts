/**
 * `satisfactionRatings`: every survey answer of the account page by page
 * (`GET /surveys/satisfaction_ratings`), one call per 100 ratings instead of one call per ticket.
 */
import { builder } from '../../builder.ts';
import { listSatisfactionRatings } from '../../upstream/satisfaction-ratings.ts';
import { defineConnection } from '../connection.ts';
import { pagedConnection } from '../paged-list.ts';
import { SatisfactionRating } from '../refs.ts';

export const SatisfactionRatingConnection = defineConnection(
  'SatisfactionRating',
  SatisfactionRating,
);

export const SatisfactionRatingFilter = builder.inputType('SatisfactionRatingFilter', {
  description: 'Narrows `satisfactionRatings`.',
  fields: (t) => ({
    createdSince: t.field({
      type: 'DateTime',
      description: 'Only ratings given at or after this instant.',
    }),
  }),
});

builder.queryField('satisfactionRatings', (t) =>
  t.field({
    type: SatisfactionRatingConnection,
    description:
      "The account's satisfaction ratings in Freshdesk's order, one call per page of up to 100 (needs the Surveys feature).",
    args: {
      first: t.arg.int({ description: 'Page size, 1..100 (default 30).' }),
      after: t.arg.string({ description: 'The `endCursor` of the previous page.' }),
      filter: t.arg({ type: SatisfactionRatingFilter, description: 'Which ratings to list.' }),
    },
    resolve: (_root, args, ctx) =>
      pagedConnection(args, async (page, perPage) => {
        const result = await listSatisfactionRatings(ctx.freshdesk, {
          page,
          per_page: perPage,
          created_since: args.filter?.createdSince ?? undefined,
        });
        return { items: result.ratings, nextPage: result.nextPage };
      }),
  }),
);
