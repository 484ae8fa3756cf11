/**
 * `SolutionFolder`: a knowledge-base folder and its paged `articles`. A category's folders load as
 * one list (reused across requests like the categories); a folder needed alone is read from its
 * category's list when the category is known, so siblings and later look-ups cost nothing more.
 */
import DataLoader from 'dataloader';
import { builder } from '../../builder.ts';
import { type Context, perRequest } from '../../context.ts';
import { badUserInput } from '../../errors.ts';
import { pathId } from '../../upstream/ids.ts';
import {
  type ArticleModel,
  getFolder,
  listArticles,
  listFolders,
  planPages,
  type SolutionFolderModel,
} from '../../upstream/solutions.ts';
import { type ConnectionResult, decodeCursor, encodeCursor, readFirst } from '../connection.ts';
import { ArticleConnection, primeArticle } from './article.ts';
import {
  knownCategory,
  loadCategory,
  referenceList,
  SolutionCategory,
} from './solution-category.ts';

/** A category's folders (one call per 100, then reused). */
export const foldersOf = (ctx: Context, categoryId: string) =>
  referenceList(ctx, `folders:${categoryId}`, (session) => listFolders(session, categoryId));

/** Full folders this request already holds, by id (from lists and from single fetches). */
const heldFolders = (ctx: Context) =>
  perRequest(ctx, 'solutions:held-folders', () => new Map<string, SolutionFolderModel>());

/** Folders fetched one by one, when their category is unknown; deduplicated per request. */
const folderLoader = (ctx: Context) =>
  perRequest(
    ctx,
    'solutions:folder',
    () =>
      new DataLoader<string, SolutionFolderModel>((ids) =>
        Promise.all(
          ids.map((id) =>
            getFolder(ctx.freshdesk, id).then(
              (folder) => {
                heldFolders(ctx).set(folder.id, folder);
                return folder;
              },
              (e: Error) => e,
            ),
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
  heldFolders(ctx).get(id) ??
  foldersOf(ctx, categoryId)
    .peek()
    ?.find((folder) => folder.id === id);

/** A folder by id: from its category's list when the category is known, else fetched alone. */
export async function loadFolder(
  ctx: Context,
  id: string,
  categoryId?: string,
): Promise<SolutionFolderModel> {
  const held = heldFolders(ctx).get(id);
  if (held) {
    return held;
  }
  if (categoryId !== undefined) {
    const found = (await foldersOf(ctx, categoryId).get()).find((folder) => folder.id === id);
    if (found) {
      return found;
    }
  }
  return folderLoader(ctx).load(id);
}

interface ArticleCursor {
  /** The folder the cursor belongs to. */
  f: string;
  /** The article's position in the folder. */
  o: number;
}

const isArticleCursor = (value: unknown): value is ArticleCursor =>
  typeof value === 'object' &&
  value !== null &&
  typeof (value as ArticleCursor).f === 'string' &&
  Number.isInteger((value as ArticleCursor).o) &&
  (value as ArticleCursor).o >= 0;

/**
 * One window of a folder's articles. `planPages` picks `per_page` so the window is a single call
 * whenever possible; `hasNextPage` comes from the page itself or its `Link` header, never from an
 * extra call.
 */
async function folderArticles(
  ctx: Context,
  folderId: string,
  first: number,
  after: string | null | undefined,
): Promise<ConnectionResult<ArticleModel>> {
  let offset = 0;
  if (after) {
    const cursor = decodeCursor(after, isArticleCursor);
    if (cursor.f !== folderId) {
      throw badUserInput('The `after` cursor belongs to another folder.');
    }
    offset = cursor.o + 1;
  }
  const plan = planPages(offset, first);
  const collected: ArticleModel[] = [];
  let more = false;
  for (const page of plan.pages) {
    const result = await listArticles(ctx.freshdesk, folderId, page, plan.perPage);
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
  return {
    edges: window.map((node, i) => ({
      node,
      cursor: encodeCursor({ f: folderId, o: offset + i } satisfies ArticleCursor),
    })),
    hasNextPage: collected.length > plan.skip + first || more,
  };
}

export const SolutionFolder = builder.objectRef<SolutionFolderModel>('SolutionFolder');

SolutionFolder.implement({
  description: 'A knowledge-base folder inside a category, holding articles.',
  fields: (t) => ({
    id: t.exposeID('id', { description: "The folder's Freshdesk id (a decimal string)." }),
    name: t.exposeString('name', { description: "The folder's name." }),
    description: t.string({
      nullable: true,
      description: "The folder's description, if any.",
      resolve: async (folder, _args, ctx) =>
        folder.description !== undefined
          ? folder.description
          : ((await loadFolder(ctx, folder.id, folder.categoryId)).description ?? null),
    }),
    category: t.field({
      type: SolutionCategory,
      description: 'The category the folder belongs to.',
      resolve: (folder, _args, ctx) =>
        knownCategory(ctx, folder.categoryId) ?? loadCategory(ctx, folder.categoryId),
    }),
    articles: t.field({
      type: ArticleConnection,
      description: "The folder's articles, in Freshdesk's order, paged.",
      args: {
        first: t.arg.int({ description: 'Page size, 1..100 (default 30).' }),
        after: t.arg.string({ description: 'The `endCursor` of the previous page.' }),
      },
      resolve: (folder, args, ctx) =>
        folderArticles(ctx, folder.id, readFirst(args.first), args.after),
    }),
  }),
});

builder.queryField('solutionFolder', (t) =>
  t.field({
    type: SolutionFolder,
    nullable: true,
    description:
      'One knowledge-base folder by id (to page its articles directly); null (with a NOT_FOUND error) when it does not exist.',
    args: { id: t.arg.id({ required: true, description: "The folder's id." }) },
    resolve: (_root, { id }, ctx) => {
      const folderId = pathId(id);
      if (folderId === undefined) {
        throw badUserInput(`A folder id is a decimal number; got "${id}".`);
      }
      return loadFolder(ctx, folderId);
    },
  }),
);
