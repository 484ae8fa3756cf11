/**
 * `Article` (a knowledge-base article), its enums and connection, `article(id)`, and the
 * `createArticle` / `updateArticle` mutations. An article's folder and category come from what the
 * request already holds (its `hierarchy`, or the cached category and folder lists), not refetched.
 */
import { builder } from '../../builder.ts';
import type { Context } from '../../context.ts';
import { loadAgent } from '../../loaders/people.ts';
import {
  articleDetail,
  knownCategory,
  knownFolder,
  loadArticle,
  loadCategory,
  loadFolder,
  primeArticle,
} from '../../loaders/solutions.ts';
import {
  type ArticleModel,
  createArticle,
  type SolutionCategoryModel,
  type SolutionFolderModel,
  updateArticle,
} from '../../upstream/solutions.ts';
import { idArg, MAX_TAG_LENGTH } from '../field-errors.ts';
import { Agent, Article, SolutionCategory, SolutionFolder } from '../refs.ts';
import { articleWrite, ARTICLE_TITLE_MAX_LENGTH as TITLE_MAX_LENGTH } from '../validation.ts';

export const ArticleStatus = builder.enumType('ArticleStatus', {
  description: "An article's publication state.",
  values: {
    DRAFT: { value: 1, description: 'Not visible in the portal (Freshdesk status 1).' },
    PUBLISHED: { value: 2, description: 'Visible in the portal (Freshdesk status 2).' },
  } as const,
});

export const ArticleType = builder.enumType('ArticleType', {
  description: 'What kind of answer an article gives.',
  values: {
    PERMANENT: { value: 1, description: 'A lasting solution (Freshdesk type 1).' },
    WORKAROUND: { value: 2, description: 'A temporary workaround (Freshdesk type 2).' },
  } as const,
});

function articleFolder(
  ctx: Context,
  article: ArticleModel,
): SolutionFolderModel | Promise<SolutionFolderModel> {
  const known = knownFolder(ctx, article.folderId, article.categoryId);
  if (known) {
    return known;
  }
  if (article.folderRef) {
    // Id and name come with the article; the folder's description loads only if selected.
    return { ...article.folderRef, description: undefined, categoryId: article.categoryId };
  }
  return loadFolder(ctx, article.folderId, article.categoryId);
}

function articleCategory(
  ctx: Context,
  article: ArticleModel,
): SolutionCategoryModel | Promise<SolutionCategoryModel> {
  const known = knownCategory(ctx, article.categoryId);
  if (known) {
    return known;
  }
  if (article.categoryRef) {
    return { ...article.categoryRef, description: undefined };
  }
  return loadCategory(ctx, article.categoryId);
}

Article.implement({
  description: 'A knowledge-base (solutions) article.',
  fields: (t) => ({
    id: t.exposeID('id', { description: "The article's Freshdesk id (a decimal string)." }),
    title: t.exposeString('title', { description: "The article's title." }),
    description: t.string({
      description: 'The body as HTML, exactly as stored in Freshdesk (inline images included).',
      resolve: async (article, _args, ctx) => (await articleDetail(ctx, article)).description ?? '',
    }),
    descriptionText: t.string({
      description: 'The body as plain text, as Freshdesk derives it from the HTML.',
      resolve: async (article, _args, ctx) =>
        (await articleDetail(ctx, article)).descriptionText ?? '',
    }),
    status: t.field({
      type: ArticleStatus,
      description: 'DRAFT or PUBLISHED.',
      resolve: (article) => (article.statusCode === 2 ? 2 : 1),
    }),
    type: t.field({
      type: ArticleType,
      description: 'PERMANENT or WORKAROUND.',
      resolve: (article) => (article.typeCode === 2 ? 2 : 1),
    }),
    tags: t.exposeStringList('tags', { description: "The article's tags." }),
    folder: t.field({
      type: SolutionFolder,
      description: 'The folder holding the article.',
      resolve: (article, _args, ctx) => articleFolder(ctx, article),
    }),
    category: t.field({
      type: SolutionCategory,
      description: "The category of the article's folder.",
      resolve: (article, _args, ctx) => articleCategory(ctx, article),
    }),
    author: t.field({
      type: Agent,
      nullable: true,
      description: 'The agent who wrote the article; null when that agent no longer exists.',
      resolve: (article, _args, ctx) =>
        article.agentId === null ? null : loadAgent(ctx, article.agentId),
    }),
    hits: t.exposeInt('hits', { description: 'How many times the article was viewed.' }),
    thumbsUp: t.exposeInt('thumbsUp', { description: 'Readers who found it helpful.' }),
    thumbsDown: t.exposeInt('thumbsDown', { description: 'Readers who did not.' }),
    createdAt: t.field({
      type: 'DateTime',
      description: 'When the article was created (UTC).',
      resolve: (article) => article.createdAt,
    }),
    updatedAt: t.field({
      type: 'DateTime',
      description: 'When the article last changed (UTC).',
      resolve: (article) => article.updatedAt,
    }),
  }),
});

builder.queryField('article', (t) =>
  t.field({
    type: Article,
    nullable: true,
    description: 'One article by id; null (with a NOT_FOUND error) when it does not exist.',
    args: { id: t.arg.id({ required: true, description: "The article's id." }) },
    resolve: (_root, { id }, ctx) => loadArticle(ctx, idArg(id, 'An article')),
  }),
);

// --- Mutations -----------------------------------------------------------------------------

export const CreateArticleInput = builder.inputType('CreateArticleInput', {
  description: 'A new article. `description` is HTML and is stored exactly as given.',
  fields: (t) => ({
    title: t.string({
      required: true,
      description: `Not blank; at most ${TITLE_MAX_LENGTH} characters.`,
    }),
    description: t.string({ required: true, description: 'The body as HTML; not blank.' }),
    status: t.field({ type: ArticleStatus, required: true, description: 'DRAFT or PUBLISHED.' }),
    type: t.field({
      type: ArticleType,
      description: "PERMANENT (Freshdesk's default) or WORKAROUND.",
    }),
    tags: t.stringList({ description: `Each at most ${MAX_TAG_LENGTH} characters.` }),
  }),
});

export const UpdateArticleInput = builder.inputType('UpdateArticleInput', {
  description:
    'Changes to an article: give at least one field; omitted fields stay as they are. `status: DRAFT` unpublishes; `tags: []` removes every tag.',
  fields: (t) => ({
    title: t.string({ description: `Not blank; at most ${TITLE_MAX_LENGTH} characters.` }),
    description: t.string({ description: 'The body as HTML; not blank.' }),
    status: t.field({ type: ArticleStatus, description: 'DRAFT or PUBLISHED.' }),
    type: t.field({ type: ArticleType, description: 'PERMANENT or WORKAROUND.' }),
    tags: t.stringList({ description: `Each at most ${MAX_TAG_LENGTH} characters.` }),
  }),
});

builder.mutationField('createArticle', (t) =>
  t.field({
    type: Article,
    description: 'Creates an article in a folder. The HTML description is kept byte-for-byte.',
    args: {
      folderId: t.arg.id({ required: true, description: 'The folder to create the article in.' }),
      input: t.arg({
        type: CreateArticleInput,
        required: true,
        description: 'The new article; its HTML body is kept byte for byte.',
      }),
    },
    resolve: async (_root, { folderId, input }, ctx) => {
      const folder = idArg(folderId, 'A folder');
      const article = await createArticle(ctx.freshdesk, folder, articleWrite(input, 'create'));
      primeArticle(ctx, article);
      return article;
    },
  }),
);

builder.mutationField('updateArticle', (t) =>
  t.field({
    type: Article,
    description:
      'Changes an article; only the given fields are sent. `status: DRAFT` unpublishes it.',
    args: {
      id: t.arg.id({ required: true, description: "The article's id." }),
      input: t.arg({
        type: UpdateArticleInput,
        required: true,
        description: 'The fields to change; the others stay as they are.',
      }),
    },
    resolve: async (_root, { id, input }, ctx) => {
      const articleId = idArg(id, 'An article');
      const article = await updateArticle(ctx.freshdesk, articleId, articleWrite(input, 'update'));
      primeArticle(ctx, article, true);
      return article;
    },
  }),
);
