/**
 * `companies`: the account's companies page by page, in Freshdesk's order (by name), optionally
 * only those changed since an instant (for incremental exports). One call per page of up to 100.
 */
import { builder } from '../../builder.ts';
import { listCompanies } from '../../upstream/companies.ts';
import { defineConnection } from '../connection.ts';
import { pagedConnection } from '../paged-list.ts';
import { Company, type CompanySource } from '../refs.ts';

export const CompanyConnection = defineConnection<CompanySource>('Company', Company);

export const CompanyFilter = builder.inputType('CompanyFilter', {
  description: 'Narrows `companies`.',
  fields: (t) => ({
    updatedSince: t.field({
      type: 'DateTime',
      description: 'Only companies changed at or after this instant.',
    }),
  }),
});

builder.queryField('companies', (t) =>
  t.field({
    type: CompanyConnection,
    description:
      "The account's companies in Freshdesk's order (by name), one call per page of up to 100. Deleted companies are gone from Freshdesk and never listed.",
    args: {
      first: t.arg.int({ description: 'Page size, 1..100 (default 30).' }),
      after: t.arg.string({ description: 'The `endCursor` of the previous page.' }),
      filter: t.arg({ type: CompanyFilter, description: 'Which companies to list.' }),
    },
    resolve: (_root, args, ctx) =>
      pagedConnection<CompanySource>(args, async (page, perPage) => {
        const result = await listCompanies(ctx.freshdesk, {
          page,
          per_page: perPage,
          updated_since: args.filter?.updatedSince ?? undefined,
        });
        return { items: result.companies, nextPage: result.nextPage };
      }),
  }),
);
