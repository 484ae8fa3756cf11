/**
 * The knowledge base in Freshdesk's shape (`RawSolutionCategory`, `RawSolutionFolder`, `RawArticle`),
 * the gateway's models and the calls that fetch and write them (freshdesk-api.md section 2.7).
 * Nothing here knows GraphQL.
 */
import type { FreshdeskSession, UpstreamResponse } from './freshdesk-client.ts';
import { idString, optionalId, type RawId } from './ids.ts';
import type { ReadRequest } from './request-key.ts';
import * as shape from './shape.ts';

export interface RawSolutionCategory {
  id: RawId;
  name: string;
  description: string | null;
  created_at?: string;
  updated_at?: string;
}

export interface RawHierarchyEntry {
  level: number;
  type: 'category' | 'folder';
  data: { id: RawId; name: string; language?: string };
}

export interface RawSolutionFolder {
  id: RawId;
  name: string;
  description: string | null;
  category_id: RawId;
  parent_folder_id?: RawId | null;
  articles_count?: number;
}

export interface RawArticle {
  id: RawId;
  title: string;
  description?: string | null;
  description_text?: string | null;
  status: number;
  type?: number | null;
  agent_id: RawId | null;
  category_id: RawId;
  folder_id: RawId;
  hierarchy?: RawHierarchyEntry[] | null;
  thumbs_up?: number | null;
  thumbs_down?: number | null;
  hits?: number | null;
  tags?: string[] | null;
  created_at: string;
  updated_at: string;
}

/** What `toCategoryModel` reads of a category (freshdesk-api.md section 2.7). */
export const checkCategory: shape.Check = shape.record(
  (c) =>
    shape.id(c.id, 'id') ??
    shape.text(c.name, 'name') ??
    shape.optionalText(c.description, 'description'),
);

/** What `toFolderModel` reads of a folder. */
export const checkFolder: shape.Check = shape.record(
  (f) =>
    shape.id(f.id, 'id') ??
    shape.text(f.name, 'name') ??
    shape.optionalText(f.description, 'description') ??
    shape.id(f.category_id, 'category_id') ??
    shape.optionalId(f.parent_folder_id, 'parent_folder_id'),
);

/** A `hierarchy[]` entry: `{level, type, data: {id, name}}`. */
const checkHierarchyEntry = shape.record(
  (h) =>
    shape.text(h.type, 'type') ??
    shape.nested(
      h.data,
      'data',
      shape.record((d) => shape.id(d.id, 'id') ?? shape.text(d.name, 'name')),
    ),
);
const HIERARCHY = shape.list(checkHierarchyEntry);

/** What `toArticleModel` reads of an article. */
export const checkArticle: shape.Check = shape.record(
  (a) =>
    shape.id(a.id, 'id') ??
    shape.text(a.title, 'title') ??
    shape.optionalText(a.description, 'description') ??
    shape.optionalText(a.description_text, 'description_text') ??
    shape.int(a.status, 'status') ??
    // Not in Freshdesk's documented field table (freshdesk-api.md 2.7): 1 (permanent) when absent.
    shape.optionalInt(a.type, 'type') ??
    shape.optionalId(a.agent_id, 'agent_id') ??
    shape.id(a.category_id, 'category_id') ??
    shape.id(a.folder_id, 'folder_id') ??
    shape.nested(a.hierarchy, 'hierarchy', HIERARCHY, true) ??
    shape.optionalInt(a.thumbs_up, 'thumbs_up') ??
    shape.optionalInt(a.thumbs_down, 'thumbs_down') ??
    shape.optionalInt(a.hits, 'hits') ??
    shape.optionalTextList(a.tags, 'tags') ??
    shape.instant(a.created_at, 'created_at') ??
    shape.instant(a.updated_at, 'updated_at'),
);

const CATEGORY_LIST = shape.list(checkCategory);
const FOLDER_LIST = shape.list(checkFolder);
const ARTICLE_LIST = shape.list(checkArticle);

export interface SolutionCategoryModel {
  id: string;
  name: string;
  /** Undefined when only the name is known (taken from an article's `hierarchy`). */
  description: string | null | undefined;
}

export interface SolutionFolderModel {
  id: string;
  name: string;
  /** Undefined when only the name is known (taken from an article's `hierarchy`). */
  description: string | null | undefined;
  categoryId: string;
}

export interface ArticleModel {
  id: string;
  title: string;
  /** HTML, byte-for-byte as Freshdesk holds it; undefined if the answer did not carry it. */
  description: string | undefined;
  descriptionText: string | undefined;
  /** 1 draft, 2 published. */
  statusCode: number;
  /** 1 permanent, 2 workaround. */
  typeCode: number;
  agentId: string | null;
  folderId: string;
  categoryId: string;
  /** Id and name of the article's folder and category, when the answer carried `hierarchy`. */
  folderRef: { id: string; name: string } | undefined;
  categoryRef: { id: string; name: string } | undefined;
  tags: string[];
  hits: number;
  thumbsUp: number;
  thumbsDown: number;
  createdAt: string;
  updatedAt: string;
}

export function toCategoryModel(raw: RawSolutionCategory): SolutionCategoryModel {
  return { id: idString(raw.id), name: raw.name, description: raw.description ?? null };
}

export function toFolderModel(raw: RawSolutionFolder): SolutionFolderModel {
  return {
    id: idString(raw.id),
    name: raw.name,
    description: raw.description ?? null,
    categoryId: idString(raw.category_id),
  };
}

export function toArticleModel(raw: RawArticle): ArticleModel {
  const folderId = idString(raw.folder_id);
  const categoryId = idString(raw.category_id);
  const hierarchy = raw.hierarchy ?? [];
  const folderEntry = hierarchy.find(
    (entry) => entry.type === 'folder' && idString(entry.data.id) === folderId,
  );
  const categoryEntry = hierarchy.find(
    (entry) => entry.type === 'category' && idString(entry.data.id) === categoryId,
  );
  return {
    id: idString(raw.id),
    title: raw.title,
    description: raw.description ?? undefined,
    descriptionText: raw.description_text ?? undefined,
    statusCode: raw.status,
    typeCode: raw.type ?? 1,
    agentId: optionalId(raw.agent_id),
    folderId,
    categoryId,
    folderRef: folderEntry ? { id: folderId, name: folderEntry.data.name } : undefined,
    categoryRef: categoryEntry ? { id: categoryId, name: categoryEntry.data.name } : undefined,
    tags: raw.tags ?? [],
    hits: raw.hits ?? 0,
    thumbsUp: raw.thumbs_up ?? 0,
    thumbsDown: raw.thumbs_down ?? 0,
    createdAt: raw.created_at,
    updatedAt: raw.updated_at,
  };
}

/** Freshdesk's largest page. */
const MAX_PER_PAGE = 100;

/**
 * Every page of a short list (categories, a category's folders), each checked: one call per 100
 * records.
 */
async function listAll<T>(
  session: FreshdeskSession,
  path: string,
  check: shape.Check,
): Promise<T[]> {
  const out: T[] = [];
  let page: number | undefined = 1;
  while (page !== undefined) {
    const response: UpstreamResponse<unknown> = await session.get<unknown>(path, {
      page,
      per_page: MAX_PER_PAGE,
    });
    for (const raw of shape.checked<T[]>(response, check)) {
      out.push(raw);
    }
    // Only forward: a `Link` naming this page or an earlier one again would never end.
    page =
      response.nextPage !== undefined && response.nextPage > page ? response.nextPage : undefined;
  }
  return out;
}

export async function listCategories(session: FreshdeskSession): Promise<SolutionCategoryModel[]> {
  const raw = await listAll<RawSolutionCategory>(
    session,
    '/api/v2/solutions/categories',
    CATEGORY_LIST,
  );
  return raw.map(toCategoryModel);
}

export async function getCategory(
  session: FreshdeskSession,
  id: string,
): Promise<SolutionCategoryModel> {
  const response = await session.get<unknown>(`/api/v2/solutions/categories/${id}`);
  return toCategoryModel(shape.checked<RawSolutionCategory>(response, checkCategory));
}

/** A category's folders, sub-folders included. */
export async function listFolders(
  session: FreshdeskSession,
  categoryId: string,
): Promise<SolutionFolderModel[]> {
  const raw = await listAll<RawSolutionFolder>(
    session,
    `/api/v2/solutions/categories/${categoryId}/folders`,
    FOLDER_LIST,
  );
  return raw.map(toFolderModel);
}

/** The read of one folder (what `getFolder` sends). */
export const folderRead = (id: string): ReadRequest => ({
  path: `/api/v2/solutions/folders/${id}`,
});

export async function getFolder(
  session: FreshdeskSession,
  id: string,
): Promise<SolutionFolderModel> {
  const response = await session.read<unknown>(folderRead(id));
  return toFolderModel(shape.checked<RawSolutionFolder>(response, checkFolder));
}

/** The read of one article (what `getArticle` sends). */
export const articleRead = (id: string): ReadRequest => ({
  path: `/api/v2/solutions/articles/${id}`,
});

export async function getArticle(session: FreshdeskSession, id: string): Promise<ArticleModel> {
  const response = await session.read<unknown>(articleRead(id));
  return toArticleModel(shape.checked<RawArticle>(response, checkArticle));
}

export interface ArticlePage {
  articles: ArticleModel[];
  nextPage: number | undefined;
}

export async function listArticles(
  session: FreshdeskSession,
  folderId: string,
  page: number,
  perPage: number,
): Promise<ArticlePage> {
  const response = await session.get<unknown>(`/api/v2/solutions/folders/${folderId}/articles`, {
    page,
    per_page: perPage,
  });
  return {
    articles: shape.checked<RawArticle[]>(response, ARTICLE_LIST).map(toArticleModel),
    nextPage: response.nextPage,
  };
}

/** The pages to read for records `offset .. offset + first - 1` of a paged list. */
/** The fields Freshdesk accepts on an article create or update (nothing read-only). */
export interface ArticleWrite {
  title?: string;
  description?: string;
  status?: 1 | 2;
  type?: 1 | 2;
  tags?: string[];
}

export async function createArticle(
  session: FreshdeskSession,
  folderId: string,
  body: ArticleWrite,
): Promise<ArticleModel> {
  const response = await session.post<unknown>(
    `/api/v2/solutions/folders/${folderId}/articles`,
    body,
  );
  return toArticleModel(shape.checked<RawArticle>(response, checkArticle));
}

export async function updateArticle(
  session: FreshdeskSession,
  id: string,
  body: ArticleWrite,
): Promise<ArticleModel> {
  const response = await session.put<unknown>(`/api/v2/solutions/articles/${id}`, body);
  return toArticleModel(shape.checked<RawArticle>(response, checkArticle));
}
