/**
 * The knowledge base through the gateway, over real sockets against the emulator: values match the
 * emulator's data, and every upstream call is counted with `emulator.stats()`.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ArticleRecord } from '../../src/emulator/records.ts';
import { planWindow } from '../../src/plan/windows.ts';

/** The plan's window as pages of one size (what the articles list reads). */
function planPages(offset: number, first: number) {
  const plan = planWindow(offset, first);
  if (plan === undefined) {
    throw new Error('no plan');
  }
  return {
    perPage: (plan.calls[0] as { perPage: number }).perPage,
    pages: plan.calls.map((call) => call.page),
    skip: plan.skip,
  };
}

import {
  ArticleByIdDocument,
  ArticleTitleDocument,
  CreateArticleDocument,
  FolderArticlesDocument,
  type FolderArticlesQuery,
  SolutionTreeDocument,
  UpdateArticleDocument,
} from '../gql/graphql.ts';
import { type GraphQLResponse, type Stack, startStack } from '../helpers/gateway.ts';

const STACK = { emulator: { tickets: 50, rateLimit: false } };

const ARTICLES = 'GET /solutions/folders/:id/articles';
const ARTICLE = 'GET /solutions/articles/:id';
const CATEGORIES = 'GET /solutions/categories';
const FOLDERS = 'GET /solutions/categories/:id/folders';
const FOLDER = 'GET /solutions/folders/:id';

const byId = (a: { id: number }, b: { id: number }) => a.id - b.id;

/** An HTML body with an inline image (a data URI) and characters JSON and HTML both care about. */
const INLINE_IMAGE_HTML =
  '<p>Step 1 \u2014 open \u201cSettings\u201d &amp; click <b>Save</b></p>\n' +
  '<p><img src="data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==" alt="pixel" width="1" height="1" style="border: 0; float:left"></p>' +
  '<p>Unicode \u2713 \u65e5\u672c\u8a9e \ud83d\ude00, a backslash \\ and "quotes" &lt;kept&gt;</p>\r\n';

function articlesIn(stack: Stack, folderId: number): ArticleRecord[] {
  return [...stack.emulator.data.articles.values()]
    .filter((article) => article.folder_id === folderId)
    .sort(byId);
}

function expectedArticle(stack: Stack, article: ArticleRecord) {
  const { data } = stack.emulator;
  const folder = data.folders.get(article.folder_id);
  const category = data.categories.get(article.category_id);
  const agent = data.agents.get(article.agent_id);
  return {
    id: String(article.id),
    title: article.title,
    description: article.description,
    descriptionText: article.description_text,
    status: article.status === 2 ? 'PUBLISHED' : 'DRAFT',
    type: article.type === 2 ? 'WORKAROUND' : 'PERMANENT',
    tags: article.tags,
    hits: article.hits,
    thumbsUp: article.thumbs_up,
    thumbsDown: article.thumbs_down,
    createdAt: article.created_at,
    updatedAt: article.updated_at,
    author: agent ? { id: String(agent.id), name: agent.contact.name } : null,
    folder: {
      id: String(folder?.id),
      name: folder?.name,
      description: folder?.description,
      category: { id: String(category?.id), name: category?.name },
    },
    category: {
      id: String(category?.id),
      name: category?.name,
      description: category?.description,
    },
  };
}

describe('knowledge base', () => {
  let stack: Stack;

  beforeAll(async () => {
    stack = await startStack(STACK);
  });

  afterAll(async () => {
    // No request in this file was refused for an unknown field.
    expect(stack.emulator.stats().invalidFieldErrors).toBe(0);
    await stack.close();
  });

  it('resolves every Article field with the emulator values', async () => {
    const { data } = stack.emulator;
    const withImage = [...data.articles.values()].find((a) => a.description.includes('<img'));
    expect(withImage).toBeDefined();
    const article = withImage as ArticleRecord;
    expect(article.id).toBeGreaterThan(2 ** 32);

    stack.emulator.resetStats();
    const result = await stack.gql(ArticleByIdDocument, { id: String(article.id) });
    expect(result.errors).toBeUndefined();
    expect(result.data?.article).toEqual(expectedArticle(stack, article));
    const calls = stack.emulator.stats().calls;
    // The article, its category's folders (folder description), the category list (category
    // description) and the agent list (author): nothing twice.
    expect(calls[ARTICLE]).toBe(1);
    expect(calls[FOLDERS]).toBe(1);
    expect(calls[CATEGORIES]).toBe(1);
    expect(calls[FOLDER]).toBeUndefined();
    expect(calls['GET /agents/:id']).toBeUndefined();
  });

  it('takes folder and category names from the article itself: one call', async () => {
    const article = [...stack.emulator.data.articles.values()].sort(byId)[5] as ArticleRecord;
    stack.emulator.resetStats();
    const result = await stack.gql(ArticleTitleDocument, { id: String(article.id) });
    expect(result.errors).toBeUndefined();
    const expected = expectedArticle(stack, article);
    expect(result.data?.article).toEqual({
      id: expected.id,
      title: expected.title,
      folder: { id: expected.folder.id, name: expected.folder.name },
      category: { id: expected.category.id, name: expected.category.name },
    });
    expect(stack.emulator.stats().totalCalls).toBe(1);
  });

  it('answers null + NOT_FOUND for an unknown article, BAD_USER_INPUT for a non-numeric id', async () => {
    stack.emulator.resetStats();
    const missing = await stack.gql(ArticleByIdDocument, { id: '12345' });
    expect(missing.data?.article).toBeNull();
    expect(missing.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    expect(missing.errors?.[0]?.path).toEqual(['article']);
    expect(stack.emulator.stats().calls[ARTICLE]).toBe(1);

    stack.emulator.resetStats();
    const bad = await stack.gql(ArticleByIdDocument, { id: 'kb-7' });
    expect(bad.data?.article).toBeNull();
    expect(bad.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(stack.emulator.stats().totalCalls).toBe(0);
  });

  it('pages a folder to its end, each article exactly once, one call per page', async () => {
    const { data } = stack.emulator;
    const folder = [...data.folders.values()]
      .sort(byId)
      .reduce((best, f) =>
        articlesIn(stack, f.id).length > articlesIn(stack, best.id).length ? f : best,
      );
    const expected = articlesIn(stack, folder.id);
    expect(expected.length).toBeGreaterThan(5);

    stack.emulator.resetStats();
    const seen: string[] = [];
    let after: string | null = null;
    let requests = 0;
    // Changing page sizes on the way: every window must still be a single upstream call.
    const sizes = [3, 2, 5, 1, 4];
    for (;;) {
      const first = sizes[requests % sizes.length] as number;
      const result: GraphQLResponse<FolderArticlesQuery> = await stack.gql(FolderArticlesDocument, {
        id: String(folder.id),
        first,
        after,
      });
      requests++;
      expect(result.errors).toBeUndefined();
      const connection = result.data?.solutionFolder?.articles;
      expect(connection).toBeDefined();
      for (const edge of connection?.edges ?? []) {
        seen.push(edge.node.id);
        // The folder the request already holds: no other call for it.
        expect(edge.node.folder).toEqual({
          id: String(folder.id),
          name: folder.name,
          description: folder.description,
        });
      }
      expect(connection?.pageInfo.endCursor).toBe(connection?.edges.at(-1)?.cursor ?? null);
      if (!connection?.pageInfo.hasNextPage) {
        break;
      }
      after = connection.pageInfo.endCursor ?? null;
      expect(requests).toBeLessThan(100);
    }
    expect(seen).toEqual(expected.map((a) => String(a.id)));
    const calls = stack.emulator.stats().calls;
    expect(calls[ARTICLES]).toBe(requests);
    expect(calls[FOLDER]).toBe(requests);
    expect(stack.emulator.stats().totalCalls).toBe(2 * requests);
  });

  it('rejects a cursor from another folder', async () => {
    const [a, b] = [...stack.emulator.data.folders.values()].sort(byId);
    const page = await stack.gql(FolderArticlesDocument, { id: String(a?.id), first: 1 });
    const cursor = page.data?.solutionFolder?.articles.pageInfo.endCursor;
    expect(cursor).toBeTruthy();
    const other = await stack.gql(FolderArticlesDocument, {
      id: String(b?.id),
      first: 1,
      after: cursor,
    });
    expect(other.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  });

  it('createArticle keeps an HTML body with an inline image byte-for-byte', async () => {
    const { data } = stack.emulator;
    const folder = [...data.folders.values()].sort(byId)[1];
    stack.emulator.resetStats();
    const result = await stack.gql(CreateArticleDocument, {
      folderId: String(folder?.id),
      input: {
        title: 'Exporting reports as PDF',
        description: INLINE_IMAGE_HTML,
        status: 'PUBLISHED',
        type: 'WORKAROUND',
        tags: ['export', 'pdf'],
      },
    });
    expect(result.errors).toBeUndefined();
    const created = result.data?.createArticle;
    expect(created?.description).toBe(INLINE_IMAGE_HTML);
    const stored = data.articles.get(Number(created?.id));
    expect(stored?.description).toBe(INLINE_IMAGE_HTML);
    expect(stored).toMatchObject({
      title: 'Exporting reports as PDF',
      status: 2,
      type: 2,
      tags: ['export', 'pdf'],
      folder_id: folder?.id,
    });
    expect(created).toEqual(expectedArticle(stack, stored as ArticleRecord));
    expect(stack.emulator.stats().writes['POST /solutions/folders/:id/articles']).toBe(1);

    // Read back through the gateway: still the same bytes.
    const again = await stack.gql(ArticleByIdDocument, { id: String(created?.id) });
    expect(again.data?.article?.description).toBe(INLINE_IMAGE_HTML);
  });

  it('updateArticle with status DRAFT unpublishes and changes nothing else', async () => {
    const { data } = stack.emulator;
    const published = [...data.articles.values()].sort(byId).find((a) => a.status === 2);
    expect(published).toBeDefined();
    const before = structuredClone(published as ArticleRecord);
    stack.emulator.resetStats();
    const result = await stack.gql(UpdateArticleDocument, {
      id: String(before.id),
      input: { status: 'DRAFT' },
    });
    expect(result.errors).toBeUndefined();
    expect(result.data?.updateArticle.status).toBe('DRAFT');
    const after = data.articles.get(before.id);
    expect(after?.status).toBe(1);
    expect(after).toMatchObject({
      title: before.title,
      description: before.description,
      type: before.type,
      tags: before.tags,
    });
    expect(result.data?.updateArticle).toEqual(expectedArticle(stack, after as ArticleRecord));
    expect(stack.emulator.stats().writes['PUT /solutions/articles/:id']).toBe(1);

    const edited = await stack.gql(UpdateArticleDocument, {
      id: String(before.id),
      input: { title: 'Renamed', tags: [] },
    });
    expect(edited.errors).toBeUndefined();
    expect(data.articles.get(before.id)).toMatchObject({ title: 'Renamed', tags: [], status: 1 });
  });

  it('validates article input like Freshdesk, before any call', async () => {
    const folder = [...stack.emulator.data.folders.values()].sort(byId)[0];
    stack.emulator.resetStats();
    const blank = await stack.gql(CreateArticleDocument, {
      folderId: String(folder?.id),
      input: {
        title: '  ',
        description: '<p>x</p>',
        status: 'DRAFT',
        tags: ['a'.repeat(33)],
      },
    });
    expect(blank.data).toBeNull();
    expect(blank.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    const fieldErrors = (blank.errors?.[0]?.extensions?.fieldErrors ?? []) as { field: string }[];
    const fields = fieldErrors.map((f) => f.field);
    expect(fields).toEqual(['title', 'tags']);

    const empty = await stack.gql(UpdateArticleDocument, { id: '1', input: {} });
    expect(empty.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    const nulled = await stack.gql(UpdateArticleDocument, { id: '1', input: { title: null } });
    expect(nulled.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    const badFolder = await stack.gql(CreateArticleDocument, {
      folderId: 'general',
      input: { title: 't', description: 'd', status: 'DRAFT' },
    });
    expect(badFolder.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(stack.emulator.stats().totalCalls).toBe(0);

    const missingFolder = await stack.gql(CreateArticleDocument, {
      folderId: '999',
      input: { title: 't', description: 'd', status: 'DRAFT' },
    });
    expect(missingFolder.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
  });
});

describe('solutionCategories', () => {
  let stack: Stack;

  beforeAll(async () => {
    // The gateway's pre-execution estimate assumes 10 categories x 10 folders when it cannot know
    // them, which exceeds the default 100-credit cap for this tree; what it really spends is
    // asserted below.
    stack = await startStack({ ...STACK, env: { DESKGRAPH_MAX_OPERATION_CREDITS: '1000' } });
  });

  afterAll(async () => {
    expect(stack.emulator.stats().invalidFieldErrors).toBe(0);
    await stack.close();
  });

  it('costs 1 + categories + folders calls (plus the agent list) cold, and only the folders warm', async () => {
    const { data } = stack.emulator;
    const categories = [...data.categories.values()].sort(byId);
    const folders = [...data.folders.values()].sort(byId);
    const agentPages = Math.ceil(data.agents.size / 100);

    const expected = categories.map((category) => ({
      id: String(category.id),
      name: category.name,
      description: category.description,
      folders: folders
        .filter((f) => f.category_id === category.id)
        .map((folder) => {
          const articles = articlesIn(stack, folder.id);
          return {
            id: String(folder.id),
            name: folder.name,
            description: folder.description,
            category: { id: String(category.id), name: category.name },
            articles: {
              nodes: articles.slice(0, 5).map((a) => ({
                title: a.title,
                author: { name: data.agents.get(a.agent_id)?.contact.name },
              })),
              hasNextPage: articles.length > 5,
            },
          };
        }),
    }));

    stack.emulator.resetStats();
    const cold = await stack.gql(SolutionTreeDocument, { first: 5 });
    expect(cold.errors).toBeUndefined();
    const simplify = (result: typeof cold) =>
      result.data?.solutionCategories.map((category) => ({
        ...category,
        folders: category.folders.map((folder) => ({
          ...folder,
          articles: {
            nodes: folder.articles.nodes,
            hasNextPage: folder.articles.pageInfo.hasNextPage,
          },
        })),
      }));
    expect(simplify(cold)).toEqual(expected);
    const coldCalls = stack.emulator.stats().calls;
    expect(coldCalls).toEqual({
      [CATEGORIES]: 1,
      [FOLDERS]: categories.length,
      [ARTICLES]: folders.length,
      'GET /agents': agentPages,
    });
    expect(stack.emulator.stats().credits[ARTICLES]).toBe(folders.length);

    stack.emulator.resetStats();
    const warm = await stack.gql(SolutionTreeDocument, { first: 5 });
    expect(simplify(warm)).toEqual(expected);
    expect(stack.emulator.stats().calls).toEqual({ [ARTICLES]: folders.length });
    expect(warm.extensions?.cost).toMatchObject({ calls: folders.length });
  });
});

describe('planWindow for article pages', () => {
  it('covers any window of 1..100 in one Freshdesk page when possible, never more than two', () => {
    const wrong: string[] = [];
    for (let offset = 0; offset <= 450; offset++) {
      for (let first = 1; first <= 100; first++) {
        const { perPage, pages, skip } = planPages(offset, first);
        const ok =
          perPage >= first &&
          perPage <= 100 &&
          ((pages[0] as number) - 1) * perPage + skip === offset &&
          pages.length * perPage - skip >= first &&
          pages.length <= 2 &&
          (offset % first !== 0 || pages.length === 1);
        if (!ok) {
          wrong.push(`offset ${offset}, first ${first}`);
        }
      }
    }
    expect(wrong).toEqual([]);
    expect(planPages(0, 5)).toEqual({ perPage: 5, pages: [1], skip: 0 });
    expect(planPages(3, 5)).toEqual({ perPage: 8, pages: [1], skip: 3 });
    expect(planPages(150, 100)).toEqual({ perPage: 100, pages: [2, 3], skip: 50 });
  });
});
