/**
 * Company: a customer organisation. Loaded through `companyLoader` (src/loaders/companies.ts): from
 * the account's company list when it is small (cached per credential), else by id, deduplicated per
 * request with bounded concurrency. A partial source (the company embedded in a ticket with
 * `include=company`, or only the id a ticket carries) answers the fields it holds and loads the full
 * company only for the others.
 */
import { builder } from '../../builder.ts';
import type { Context } from '../../context.ts';
import { companyLoader } from '../../loaders/companies.ts';
import type { CompanyModel } from '../../upstream/companies.ts';
import { idArg } from '../field-errors.ts';
import { Company, type CompanySource, isPartial } from '../refs.ts';

/** The full company behind a source (no call when the source is already full). */
const full = (ctx: Context, source: CompanySource): CompanyModel | Promise<CompanyModel> =>
  isPartial(source) ? companyLoader(ctx).load(source.id) : source;

/** A field of the full company: read synchronously when the source is full, else after one load. */
function fromFull<K extends keyof CompanyModel>(
  ctx: Context,
  source: CompanySource,
  key: K,
): CompanyModel[K] | Promise<CompanyModel[K]> {
  const company = full(ctx, source);
  return company instanceof Promise ? company.then((c) => c[key]) : company[key];
}

Company.implement({
  description: 'A customer company; contacts and tickets may belong to one.',
  fields: (t) => ({
    id: t.exposeID('id', { description: "The company's id (a decimal string)." }),
    name: t.string({
      description: "The company's name (unique in the account).",
      resolve: (company, _args, ctx) =>
        isPartial(company) && company.name !== undefined
          ? company.name
          : fromFull(ctx, company, 'name'),
    }),
    description: t.string({
      nullable: true,
      description: "The company's description, if any.",
      resolve: (company, _args, ctx) => fromFull(ctx, company, 'description'),
    }),
    domains: t.stringList({
      description: 'E-mail domains whose senders are associated with the company.',
      resolve: (company, _args, ctx) => fromFull(ctx, company, 'domains'),
    }),
    customFields: t.field({
      type: 'JSON',
      description: 'Custom company field values keyed by field name (no `cf_` prefix).',
      resolve: (company, _args, ctx) => fromFull(ctx, company, 'customFields'),
    }),
    createdAt: t.field({
      type: 'DateTime',
      description: 'When the company was created (UTC).',
      resolve: (company, _args, ctx) => fromFull(ctx, company, 'createdAt'),
    }),
    updatedAt: t.field({
      type: 'DateTime',
      description: 'When the company was last changed (UTC).',
      resolve: (company, _args, ctx) => fromFull(ctx, company, 'updatedAt'),
    }),
  }),
});

builder.queryField('company', (t) =>
  t.field({
    type: Company,
    nullable: true,
    description: 'One company by id; null (with a NOT_FOUND error) when there is no such company.',
    args: { id: t.arg.id({ required: true, description: "The company's id." }) },
    resolve: (_root, { id }, ctx) => companyLoader(ctx).load(idArg(id, 'A company')),
  }),
);
