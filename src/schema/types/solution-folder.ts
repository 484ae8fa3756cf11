/**
 * `SolutionFolder`: a knowledge-base folder and its paged `articles` (loading: src/loaders/solutions.ts).
 */
import { builder } from '../../builder.ts';
import { badUserInput } from '../../errors.ts';
import {
  folderArticles,
  knownCategory,
  loadCategory,
  loadFolder,
} from '../../loaders/solutions.ts';
import type { ArticleModel } from '../../upstream/solutions.ts';
import { type ConnectionResult, decodeCursor, encodeCursor, readFirst } from '../connection.ts';
import { idArg } from '../field-errors.ts';
import { ArticleConnection, SolutionCategory, SolutionFolder } from '../refs.ts';

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

/** One window of a folder's articles, as a connection. */
async function articlesOf(
  ctx: Parameters<typeof folderArticles>[0],
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
  const { articles, more } = await folderArticles(ctx, folderId, offset, first);
  return {
    edges: articles.map((node, i) => ({
      node,
      cursor: encodeCursor({ f: folderId, o: offset + i } satisfies ArticleCursor),
    })),
    hasNextPage: more,
  };
}

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
      resolve: (folder, args, ctx) => articlesOf(ctx, folder.id, readFirst(args.first), args.after),
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
    resolve: (_root, { id }, ctx) => loadFolder(ctx, idArg(id, 'A folder')),
  }),
);
