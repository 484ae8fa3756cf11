/**
 * `SolutionCategory`, the top of the knowledge base, and `solutionCategories`. Categories (and each
 * category's folders) are few and slow-changing: they load as whole lists, once per request, and
 * are kept per credential for `REFERENCE_TTL_MS` so that repeated queries do not refetch them.
 */
import { builder } from '../../builder.ts';
import type { Context } from '../../context.ts';
import { cachedReference, peekReference } from '../../loaders/reference-cache.ts';
import type { FreshdeskSession } from '../../upstream/freshdesk-client.ts';
import {
  getCategory,
  listCategories,
  type SolutionCategoryModel,
} from '../../upstream/solutions.ts';
import { foldersOf, SolutionFolder } from './solution-folder.ts';

/** A whole list, loaded once per `REFERENCE_TTL_MS` per credential (see loaders/reference-cache.ts). */
export interface ReferenceList<T> {
  /** The list, when this request or a recent one already holds it; no call is made. */
  peek(): T | undefined;
  get(): Promise<T>;
}

export function referenceList<T>(
  ctx: Context,
  key: string,
  load: (session: FreshdeskSession) => Promise<T>,
): ReferenceList<T> {
  const cacheKey = `solutions:${key}`;
  return {
    peek: () => peekReference<T>(ctx, cacheKey),
    get: () => cachedReference(ctx, cacheKey, load),
  };
}

/** Every category of the account (one call per 100, then reused). */
export const categoriesList = (ctx: Context) => referenceList(ctx, 'categories', listCategories);

/** A category by id from the list; fetched alone only if the list does not have it. */
export async function loadCategory(ctx: Context, id: string): Promise<SolutionCategoryModel> {
  const found = (await categoriesList(ctx).get()).find((category) => category.id === id);
  return found ?? getCategory(ctx.freshdesk, id);
}

/** The full category, when this request (or a recent one) holds the list; no call is made. */
export const knownCategory = (ctx: Context, id: string): SolutionCategoryModel | undefined =>
  categoriesList(ctx)
    .peek()
    ?.find((category) => category.id === id);

export const SolutionCategory = builder.objectRef<SolutionCategoryModel>('SolutionCategory');

SolutionCategory.implement({
  description: 'A knowledge-base category: the top level, holding folders of articles.',
  fields: (t) => ({
    id: t.exposeID('id', { description: "The category's Freshdesk id (a decimal string)." }),
    name: t.exposeString('name', { description: "The category's name." }),
    description: t.string({
      nullable: true,
      description: "The category's description, if any.",
      resolve: async (category, _args, ctx) =>
        category.description !== undefined
          ? category.description
          : ((await loadCategory(ctx, category.id)).description ?? null),
    }),
    folders: t.field({
      type: [SolutionFolder],
      description: "The category's folders, sub-folders included, in Freshdesk's order.",
      resolve: (category, _args, ctx) => foldersOf(ctx, category.id).get(),
    }),
  }),
});

builder.queryField('solutionCategories', (t) =>
  t.field({
    type: [SolutionCategory],
    description:
      'Every knowledge-base category; walk `folders` then `articles` to reach every article.',
    resolve: (_root, _args, ctx) => categoriesList(ctx).get(),
  }),
);
