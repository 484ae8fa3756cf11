/**
 * Company: a customer organisation. Loaded by id, deduplicated per request, with bounded
 * concurrency (Freshdesk has no "get many" endpoint).
 */
import type DataLoader from 'dataloader';
import { builder } from '../../builder.ts';
import type { Context } from '../../context.ts';
import { byIdLoader } from '../../loaders/limit.ts';
import { type CompanyModel, getCompany } from '../../upstream/companies.ts';
import { requireId } from './agent.ts';

export type { CompanyModel } from '../../upstream/companies.ts';

/** Companies by id for this operation: each id fetched once, at most 5 at a time. */
export const companyLoader = (ctx: Context): DataLoader<string, CompanyModel> =>
  byIdLoader(ctx, 'company', (id) => getCompany(ctx.freshdesk, id));

export const Company = builder.objectRef<CompanyModel>('Company');

Company.implement({
  description: 'A customer company; contacts and tickets may belong to one.',
  fields: (t) => ({
    id: t.exposeID('id', { description: "The company's id (a decimal string)." }),
    name: t.exposeString('name', { description: "The company's name (unique in the account)." }),
    description: t.exposeString('description', {
      nullable: true,
      description: "The company's description, if any.",
    }),
    domains: t.exposeStringList('domains', {
      description: 'E-mail domains whose senders are associated with the company.',
    }),
    customFields: t.field({
      type: 'JSON',
      description: 'Custom company field values keyed by field name (no `cf_` prefix).',
      resolve: (company) => company.customFields,
    }),
    createdAt: t.field({
      type: 'DateTime',
      description: 'When the company was created (UTC).',
      resolve: (company) => company.createdAt,
    }),
    updatedAt: t.field({
      type: 'DateTime',
      description: 'When the company was last changed (UTC).',
      resolve: (company) => company.updatedAt,
    }),
  }),
});

builder.queryField('company', (t) =>
  t.field({
    type: Company,
    nullable: true,
    description: 'One company by id; null (with a NOT_FOUND error) when there is no such company.',
    args: { id: t.arg.id({ required: true, description: "The company's id." }) },
    resolve: (_root, { id }, ctx) => companyLoader(ctx).load(requireId(id, 'A company')),
  }),
);
