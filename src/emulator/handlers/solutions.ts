/**
 * The knowledge base (freshdesk-api.md section 2.7): categories → folders → articles, read-only for
 * categories and folders; articles can be created in a folder and updated. Article HTML is stored
 * byte-for-byte (inline `<img>`s included); `description_text` is derived from it.
 */
import {
  checkBodyFields,
  type EmuReply,
  type EmuRequest,
  isoSeconds,
  paginate,
  type Route,
  type RouteContext,
  readPage,
} from '../http.ts';
import type {
  ArticleRecord,
  EmulatorData,
  SolutionCategoryRecord,
  SolutionFolderRecord,
} from '../records.ts';
import { BodyCheck, created, findById, MAX_TAG_LENGTH, requireSomeParams } from './shared.ts';

/** One step of an article's or folder's path, as Freshdesk's `hierarchy[]` shows it. */
interface HierarchyEntry {
  level: number;
  type: 'category' | 'folder';
  data: { id: number; name: string; language: string };
}

// The emulated account has a single language; Freshdesk names it in every hierarchy entry.
const LANGUAGE = 'en';

const ARTICLE_FIELDS = ['title', 'description', 'status', 'type', 'tags', 'seo_data', 'agent_id'];
const SEO_FIELDS = ['meta_title', 'meta_description', 'meta_keywords'] as const;
const TITLE_MAX_LENGTH = 240;

/**
 * An article's `description_text`: tags are dropped where they stand, as in Freshdesk's sample
 * (`some <b> HTML Content </b>` → `some  HTML Content `), and line and block breaks become a space,
 * as in the seeded articles (ticket bodies keep line breaks instead: see tickets.ts).
 */
function articleText(html: string): string {
  return html
    .replace(/<(script|style)[^>]*>[\s\S]*?<\/\1>/gi, '')
    .replace(/<br\s*\/?>|<\/(p|div|li|h[1-6]|tr|blockquote|pre)>/gi, ' ')
    .replace(/<[^>]*>/g, '')
    .replace(/&nbsp;/g, ' ')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&')
    .trim();
}

/** The category, then each folder from the top down to `folder` itself. */
function hierarchyOf(data: EmulatorData, folder: SolutionFolderRecord): HierarchyEntry[] {
  const folders: SolutionFolderRecord[] = [];
  const seen = new Set<number>();
  let current: SolutionFolderRecord | undefined = folder;
  while (current !== undefined && !seen.has(current.id)) {
    seen.add(current.id);
    folders.unshift(current);
    current =
      current.parent_folder_id === null ? undefined : data.folders.get(current.parent_folder_id);
  }
  const category = data.categories.get(folder.category_id);
  const entries: HierarchyEntry[] = [];
  if (category !== undefined) {
    entries.push({ level: 0, type: 'category', data: entryData(category) });
  }
  folders.forEach((f, index) => {
    entries.push({ level: index + 1, type: 'folder', data: entryData(f) });
  });
  return entries;
}

const entryData = ({ id, name }: { id: number; name: string }) => ({
  id,
  name,
  language: LANGUAGE,
});

function categoryView(category: SolutionCategoryRecord) {
  return category;
}

/** The folder in Freshdesk's shape: counts and hierarchy added, `company_ids` only when relevant. */
function folderView(data: EmulatorData, folder: SolutionFolderRecord) {
  let articles = 0;
  for (const article of data.articles.values()) {
    if (article.folder_id === folder.id) {
      articles++;
    }
  }
  let subFolders = 0;
  for (const other of data.folders.values()) {
    if (other.parent_folder_id === folder.id) {
      subFolders++;
    }
  }
  const { company_ids, created_at, updated_at, ...rest } = folder;
  return {
    id: rest.id,
    name: rest.name,
    description: rest.description,
    parent_folder_id: rest.parent_folder_id,
    hierarchy: hierarchyOf(data, folder),
    articles_count: articles,
    sub_folders_count: subFolders,
    visibility: rest.visibility,
    category_id: rest.category_id,
    // Freshdesk shows company_ids only for folders visible to selected companies.
    ...(rest.visibility === 4 ? { company_ids } : {}),
    created_at,
    updated_at,
  };
}

/** The article with its `hierarchy`, placed after `folder_id` as in Freshdesk's samples. */
function articleView(data: EmulatorData, article: ArticleRecord) {
  const folder = data.folders.get(article.folder_id);
  const { id, type, category_id, folder_id, ...rest } = article;
  return {
    id,
    type,
    category_id,
    folder_id,
    hierarchy: folder === undefined ? [] : hierarchyOf(data, folder),
    ...rest,
  };
}

function listFolders(req: EmuRequest, ctx: RouteContext): EmuReply {
  const category = findById(ctx.data.categories, req.params.id);
  const page = readPage(req.query);
  // Every folder of the category, sub-folders included (as Freshdesk's sample shows), so that a
  // client walking categories → folders → articles reaches every article.
  const folders = [...ctx.data.folders.values()]
    .filter((folder) => folder.category_id === category.id)
    .sort((a, b) => a.id - b.id);
  return paginate(
    folders.map((folder) => folderView(ctx.data, folder)),
    req,
    page,
  );
}

function listArticles(req: EmuRequest, ctx: RouteContext): EmuReply {
  const folder = findById(ctx.data.folders, req.params.id);
  const page = readPage(req.query);
  // Creation order: the emulator keeps no manual article positions.
  const articles = [...ctx.data.articles.values()]
    .filter((article) => article.folder_id === folder.id)
    .sort((a, b) => a.id - b.id);
  return paginate(
    articles.map((article) => articleView(ctx.data, article)),
    req,
    page,
  );
}

type ArticleChanges = Partial<
  Pick<
    ArticleRecord,
    'title' | 'description' | 'status' | 'type' | 'tags' | 'agent_id' | 'seo_data'
  >
>;

function readArticleBody(
  body: Record<string, unknown>,
  data: EmulatorData,
  existing: ArticleRecord | undefined,
): ArticleChanges {
  const check = new BodyCheck(body);
  const out: ArticleChanges = {};
  if (existing === undefined) {
    check.required('title');
    check.required('description');
    check.required('status');
  }
  const title = check.string('title', { max: TITLE_MAX_LENGTH, nullable: false });
  if (typeof title === 'string') {
    if (title.trim() === '' && existing !== undefined) {
      check.add('title', 'It should not be blank as this is a mandatory field', 'missing_field');
    } else {
      out.title = title;
    }
  }
  const description = check.string('description', {
    max: Number.MAX_SAFE_INTEGER,
    nullable: false,
  });
  if (typeof description === 'string') {
    if (description.trim() === '' && existing !== undefined) {
      check.add(
        'description',
        'It should not be blank as this is a mandatory field',
        'missing_field',
      );
    } else {
      out.description = description;
    }
  }
  const status = check.choice('status', [1, 2]);
  if (status !== undefined) {
    out.status = status as 1 | 2;
  }
  const type = check.choice('type', [1, 2]);
  if (type !== undefined) {
    out.type = type as 1 | 2;
  }
  const tags = check.stringArray('tags', MAX_TAG_LENGTH);
  if (tags !== undefined) {
    out.tags = tags;
  }
  const agentId = check.id('agent_id', { nullable: false });
  if (typeof agentId === 'number') {
    if (data.agents.has(agentId)) {
      out.agent_id = agentId;
    } else {
      check.add('agent_id', 'There is no agent matching the given agent_id');
    }
  }
  const seo = check.object('seo_data');
  if (seo !== undefined) {
    const unknown = Object.keys(seo).filter(
      (key) => !(SEO_FIELDS as readonly string[]).includes(key),
    );
    for (const key of unknown) {
      check.add(key, 'Unexpected/invalid field in request', 'invalid_field');
    }
    const merged = {
      ...(existing?.seo_data ?? { meta_title: null, meta_description: null, meta_keywords: null }),
    };
    for (const key of SEO_FIELDS) {
      const value = seo[key];
      if (value === undefined) {
        continue;
      }
      // Freshdesk stores keywords as one comma-separated string, also when sent as an array.
      if (
        key === 'meta_keywords' &&
        Array.isArray(value) &&
        value.every((v) => typeof v === 'string')
      ) {
        merged[key] = value.join(',');
      } else if (value === null || typeof value === 'string') {
        merged[key] = value;
      } else {
        check.add(key, 'It should be a/an String', 'datatype_mismatch');
      }
    }
    out.seo_data = merged;
  }
  check.throwIfAny();
  return out;
}

function createArticle(req: EmuRequest, ctx: RouteContext): EmuReply {
  const folder = findById(ctx.data.folders, req.params.id);
  const body = checkBodyFields(req.body, ARTICLE_FIELDS);
  const fields = readArticleBody(body, ctx.data, undefined);
  const now = isoSeconds(ctx.now());
  const id = ctx.data.nextId++;
  const description = fields.description ?? '';
  const article: ArticleRecord = {
    id,
    title: fields.title ?? '',
    description,
    description_text: articleText(description),
    status: fields.status ?? 1,
    type: fields.type ?? 1,
    agent_id: fields.agent_id ?? req.agent.id,
    category_id: folder.category_id,
    folder_id: folder.id,
    thumbs_up: 0,
    thumbs_down: 0,
    hits: 0,
    tags: fields.tags ?? [],
    seo_data: fields.seo_data ?? { meta_title: null, meta_description: null, meta_keywords: null },
    created_at: now,
    updated_at: now,
  };
  ctx.data.articles.set(id, article);
  return created(req, `/solutions/articles/${id}`, articleView(ctx.data, article));
}

function updateArticle(req: EmuRequest, ctx: RouteContext): EmuReply {
  const article = findById(ctx.data.articles, req.params.id);
  requireSomeParams(req.body);
  const body = checkBodyFields(req.body, ARTICLE_FIELDS);
  const fields = readArticleBody(body, ctx.data, article);
  Object.assign(article, fields, { updated_at: isoSeconds(ctx.now()) });
  if (fields.description !== undefined) {
    article.description_text = articleText(fields.description);
  }
  return { status: 200, body: articleView(ctx.data, article) };
}

const PAGING = ['page', 'per_page'] as const;

export const routes: Route[] = [
  {
    method: 'GET',
    path: '/solutions/categories',
    query: PAGING,
    handler: (req, ctx) =>
      paginate(
        [...ctx.data.categories.values()].sort((a, b) => a.id - b.id).map(categoryView),
        req,
        readPage(req.query),
      ),
  },
  {
    method: 'GET',
    path: '/solutions/categories/:id',
    handler: (req, ctx) => ({
      status: 200,
      body: categoryView(findById(ctx.data.categories, req.params.id)),
    }),
  },
  { method: 'GET', path: '/solutions/categories/:id/folders', query: PAGING, handler: listFolders },
  {
    method: 'GET',
    path: '/solutions/folders/:id',
    handler: (req, ctx) => ({
      status: 200,
      body: folderView(ctx.data, findById(ctx.data.folders, req.params.id)),
    }),
  },
  { method: 'GET', path: '/solutions/folders/:id/articles', query: PAGING, handler: listArticles },
  { method: 'POST', path: '/solutions/folders/:id/articles', handler: createArticle },
  {
    method: 'GET',
    path: '/solutions/articles/:id',
    handler: (req, ctx) => ({
      status: 200,
      body: articleView(ctx.data, findById(ctx.data.articles, req.params.id)),
    }),
  },
  { method: 'PUT', path: '/solutions/articles/:id', handler: updateArticle },
];
