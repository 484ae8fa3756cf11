/**
 * The knowledge base: categories and each category's folders are few and slow-changing, so they
 * load as whole lists kept per credential for `REFERENCE_TTL_MS`; a folder needed alone is read from
 * its category's list when the category is known, so siblings and later look-ups cost nothing more.
 * Articles load by id (deduplicated per request) or by the page of their folder, which primes them.
 */
import DataLoader from 'dataloader';
import { type Context, perRequest, slot } from '../context.ts';
import { CATEGORIES, foldersOf } from '../plan/entries.ts';
import { planWindow } from '../plan/windows.ts';
import {
  type ArticleModel,
  getArticle,
  getCategory,
  getFolder,
  listArticles,
  listCategories,
  listFolders,
  type SolutionCategoryModel,
  type SolutionFolderModel,
} from '../upstream/solutions.ts';
import { asError } from './limit.ts';
import { cachedReference, peekReference } from './references.ts';

/** Every category of the account (one call per 100, then reused). */
export const loadCategories = (ctx: Context): Promise<SolutionCategoryModel[]> =>
  cachedReference(ctx, CATEGORIES, listCategories);

/** A category by id from the list; fetched alone only if the list does not have it. */
export async function loadCategory(ctx: Context, id: string): Promise<SolutionCategoryModel> {
  const found = (await loadCategories(ctx)).find((category) => category.id === id);
  return found ?? getCategory(ctx.freshdesk, id);
}

/** The full category, when this request (or a recent one) holds the list; no call is made. */
export const knownCategory = (ctx: Context, id: string): SolutionCategoryModel | undefined =>
  peekReference(ctx, CATEGORIES)?.find((category) => category.id === id);

/** A category's folders, sub-folders included (one call per 100, then reused). */
export const loadFolders = (ctx: Context, categoryId: string): Promise<SolutionFolderModel[]> =>
  cachedReference(ctx, foldersOf(categoryId), (session) => listFolders(session, categoryId));

/** Full folders this request already holds, by id (from single fetches). */
const HELD_FOLDERS = slot('solutions:held-folders', () => new Map<string, SolutionFolderModel>());

/** Folders fetched one by one, when their category is unknown; deduplicated per request. */
const FOLDER_BY_ID = slot(
  'solutions:folder',
  (ctx) =>
    new DataLoader<string, SolutionFolderModel>((ids) =>
      Promise.all(
        ids.map((id) =>
          getFolder(ctx.freshdesk, id).then((folder) => {
            perRequest(ctx, HELD_FOLDERS).set(folder.id, folder);
            return folder;
          }, asError),
        ),
      ),
    ),
);

/** The full folder, when this request (or a recent one) already holds it; no call is made. */
export const knownFolder = (
  ctx: Context,
  id: string,
  categoryId: string,
): SolutionFolderModel | undefined =>
  perRequest(ctx, HELD_FOLDERS).get(id) ??
  peekReference(ctx, foldersOf(categoryId))?.find((folder) => folder.id === id);

/** A folder by id: from its category's list when the category is known, else fetched alone. */
export async function loadFolder(
  ctx: Context,
  id: string,
  categoryId?: string,
): Promise<SolutionFolderModel> {
  const held = perRequest(ctx, HELD_FOLDERS).get(id);
  if (held) {
    return held;
  }
  if (categoryId !== undefined) {
    const found = (await loadFolders(ctx, categoryId)).find((folder) => folder.id === id);
    if (found) {
      return found;
    }
  }
  return perRequest(ctx, FOLDER_BY_ID).load(id);
}

/** Articles by id, deduplicated within the operation; primed from lists and writes. */
const ARTICLE_BY_ID = slot(
  'solutions:article',
  (ctx) =>
    new DataLoader<string, ArticleModel>((ids) =>
      Promise.all(ids.map((id) => getArticle(ctx.freshdesk, id).catch(asError))),
    ),
);

export const loadArticle = (ctx: Context, id: string): Promise<ArticleModel> =>
  perRequest(ctx, ARTICLE_BY_ID).load(id);

/** Lets later look-ups of this article in the same request reuse it (`fresh`: replace). */
export function primeArticle(ctx: Context, article: ArticleModel, fresh = false): void {
  const loader = perRequest(ctx, ARTICLE_BY_ID);
  if (fresh) {
    loader.clear(article.id);
  }
  loader.prime(article.id, article);
}

/** An article answer that lacked the HTML (none of Freshdesk's do today) is completed once. */
export const articleDetail = (
  ctx: Context,
  article: ArticleModel,
): Promise<ArticleModel> | ArticleModel =>
  article.description === undefined || article.descriptionText === undefined
    ? perRequest(ctx, ARTICLE_BY_ID).clear(article.id).load(article.id)
    : article;

/**
 * One window of a folder's articles: the plan's page window (one call whenever some page size
 * holds it); `more` comes from the page itself or its `Link` header, never from an extra call.
 */
export async function folderArticles(
  ctx: Context,
  folderId: string,
  offset: number,
  first: number,
): Promise<{ articles: ArticleModel[]; more: boolean }> {
  const plan = planWindow(offset, first);
  if (plan === undefined) {
    return { articles: [], more: false };
  }
  const collected: ArticleModel[] = [];
  let more = false;
  for (const call of plan.calls) {
    const result = await listArticles(ctx.freshdesk, folderId, call.page, call.perPage);
    collected.push(...result.articles);
    more = result.nextPage !== undefined;
    if (!more) {
      break;
    }
  }
  const window = collected.slice(plan.skip, plan.skip + first);
  for (const article of window) {
    primeArticle(ctx, article);
  }
  return { articles: window, more: collected.length > plan.skip + first || more };
}
