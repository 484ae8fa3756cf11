/**
 * The emulator's read-mostly resources over a real socket: agents, companies, groups, ticket
 * fields, the knowledge base and satisfaction ratings, including admin-only 403s and article HTML
 * kept byte-for-byte.
 */
import { describe, expect, it } from 'vitest';
import { type ApiCall, api, withEmulator } from '../helpers/emulator.ts';

interface Invalid {
  description?: string;
  errors: { field: string; nested_field?: string; message: string; code: string }[];
  code?: string;
  message?: string;
}

interface Agent {
  id: number;
  occasional: boolean;
  ticket_scope: number;
  group_ids: number[];
  contact: { name: string; email: string };
}

interface Named {
  id: number;
  name: string;
  updated_at: string;
}

interface Group extends Named {
  agent_ids?: number[];
}

interface Hierarchy {
  level: number;
  type: string;
  data: { id: number; name: string; language: string };
}

interface Folder extends Named {
  category_id: number;
  hierarchy: Hierarchy[];
  articles_count: number;
}

interface Article {
  id: number;
  title: string;
  description: string;
  description_text: string;
  status: number;
  type: number;
  folder_id: number;
  category_id: number;
  agent_id: number;
  hierarchy: Hierarchy[];
  seo_data: Record<string, unknown>;
  created_at: string;
  updated_at: string;
}

interface Rating {
  id: number;
  ticket_id: number;
  user_id: number;
  survey_id: number;
  ratings: Record<string, number>;
  feedback: string | null;
  created_at: string;
}

const sortedByName = (names: string[]) =>
  [...names].sort((a, b) => a.localeCompare(b, 'en', { sensitivity: 'base' }));

const ACCESS_DENIED = {
  code: 'access_denied',
  message: 'You are not authorized to perform this action.',
};

const emulator = withEmulator({ port: 0, tickets: 300, rateLimit: false, log: () => {} });

/** One API call as the admin unless `key` says otherwise. */
const call = <T = unknown>(method: string, path: string, options: ApiCall = {}) =>
  api<T>(emulator.current, method, path, options);

describe('agents', () => {
  it('lists agents alphabetically by contact name, without emulator-only fields', async () => {
    const reply = await call<Agent[]>('GET', '/agents?per_page=100');
    expect(reply.status).toBe(200);
    expect(reply.body.length).toBeGreaterThan(2);
    const names = reply.body.map((agent) => agent.contact.name);
    expect(names).toEqual(sortedByName(names));
    expect(reply.body[0]).not.toHaveProperty('_admin');
  });

  it('filters by email and state, and refuses other states', async () => {
    const byEmail = await call<Agent[]>('GET', '/agents?email=agent%40acme.example');
    expect(byEmail.body.map((agent) => agent.contact.email)).toEqual(['agent@acme.example']);
    const occasional = await call<Agent[]>('GET', '/agents?state=occasional&per_page=100');
    expect(occasional.body.every((agent) => agent.occasional)).toBe(true);
    const bad = await call<Invalid>('GET', '/agents?state=parttime');
    expect(bad.status).toBe(400);
    expect(bad.body.errors[0]).toEqual({
      field: 'state',
      message: "It should be one of these values: 'fulltime,occasional'",
      code: 'invalid_value',
    });
  });

  it('is admin-only for list and show, while /agents/me serves any agent', async () => {
    const list = await call('GET', '/agents', { key: emulator.current.apiKeys.agent });
    expect(list.status).toBe(403);
    expect(list.body).toEqual(ACCESS_DENIED);
    const me = await call<Agent>('GET', '/agents/me', { key: emulator.current.apiKeys.agent });
    expect(me.status).toBe(200);
    expect(me.body.contact.email).toBe('agent@acme.example');
    const show = await call('GET', `/agents/${me.body.id}`, {
      key: emulator.current.apiKeys.agent,
    });
    expect(show.status).toBe(403);
    const asAdmin = await call<Agent>('GET', `/agents/${me.body.id}`);
    expect(asAdmin.body).toEqual(me.body);
    expect((await call('GET', '/agents/123')).status).toBe(404);
  });
});

describe('companies', () => {
  it('lists by name with Link paging and shows one', async () => {
    const first = await call<Named[]>('GET', '/companies?per_page=5');
    expect(first.status).toBe(200);
    expect(first.body).toHaveLength(5);
    expect(first.body.map((c) => c.name)).toEqual(sortedByName(first.body.map((c) => c.name)));
    expect(first.headers.link).toBe(
      `<${emulator.current.origin}/api/v2/companies?per_page=5&page=2>; rel="next"`,
    );
    const second = await call<Named[]>('GET', '/companies?per_page=5&page=2');
    expect(second.body[0]!.name.localeCompare(first.body[4]!.name)).toBeGreaterThanOrEqual(0);
    const shown = await call<Named>('GET', `/companies/${first.body[0]!.id}`);
    expect(shown.body).toEqual(first.body[0]);
  });

  it('filters by updated_since and refuses unknown parameters', async () => {
    const all = await call<Named[]>('GET', '/companies?per_page=100');
    const median = all.body.map((c) => c.updated_at).sort()[Math.floor(all.body.length / 2)]!;
    const recent = await call<Named[]>('GET', `/companies?per_page=100&updated_since=${median}`);
    expect(recent.body.length).toBeGreaterThan(0);
    expect(recent.body.length).toBeLessThan(all.body.length);
    expect(recent.body.every((c) => c.updated_at >= median)).toBe(true);
    const bad = await call<Invalid>('GET', '/companies?domain=acme');
    expect(bad.status).toBe(400);
    expect(bad.body.errors[0]!.code).toBe('invalid_field');
  });
});

describe('groups', () => {
  it('lists groups without agent_ids and shows one with them', async () => {
    const list = await call<Group[]>('GET', '/groups');
    expect(list.status).toBe(200);
    expect(list.body.length).toBeGreaterThan(0);
    expect(list.body.every((group) => !('agent_ids' in group))).toBe(true);
    const shown = await call<Group>('GET', `/groups/${list.body[0]!.id}`);
    expect(shown.body).toMatchObject(list.body[0]!);
    expect(shown.body.agent_ids).toEqual(expect.any(Array));
  });

  it('is admin-only', async () => {
    const reply = await call('GET', '/groups', { key: emulator.current.apiKeys.agent });
    expect(reply.status).toBe(403);
    expect(reply.body).toEqual(ACCESS_DENIED);
  });
});

describe('ticket fields', () => {
  it('serves every agent and filters by type', async () => {
    const all = await call<{ type: string; choices?: unknown }[]>('GET', '/ticket_fields', {
      key: emulator.current.apiKeys.agent,
    });
    expect(all.status).toBe(200);
    expect(all.body.map((field) => field.type)).toContain('default_status');
    const status = await call<{ type: string; choices: Record<string, string[]> }[]>(
      'GET',
      '/ticket_fields?type=default_status',
    );
    expect(status.body).toHaveLength(1);
    expect(status.body[0]!.choices['2']).toEqual(expect.arrayContaining(['Open']));
    const bad = await call<Invalid>('GET', '/ticket_fields?type=default_nonsense');
    expect(bad.status).toBe(400);
    expect(bad.body.errors[0]!.field).toBe('type');
  });
});

describe('solutions', () => {
  it('walks categories → folders → articles with hierarchies', async () => {
    const categories = await call<Named[]>('GET', '/solutions/categories');
    expect(categories.status).toBe(200);
    const category = categories.body[0]!;
    expect((await call<Named>('GET', `/solutions/categories/${category.id}`)).body).toEqual(
      category,
    );

    const folders = await call<Folder[]>('GET', `/solutions/categories/${category.id}/folders`);
    const folder = folders.body[0]!;
    expect(folder.category_id).toBe(category.id);
    expect(folder.hierarchy).toEqual([
      {
        level: 0,
        type: 'category',
        data: { id: category.id, name: category.name, language: 'en' },
      },
      { level: 1, type: 'folder', data: { id: folder.id, name: folder.name, language: 'en' } },
    ]);
    expect((await call<Folder>('GET', `/solutions/folders/${folder.id}`)).body).toEqual(folder);

    const page1 = await call<Article[]>(
      'GET',
      `/solutions/folders/${folder.id}/articles?per_page=3`,
    );
    expect(page1.body).toHaveLength(3);
    expect(page1.headers.link).toContain('page=2');
    const article = page1.body[0]!;
    expect(article).toMatchObject({ folder_id: folder.id, category_id: category.id });
    expect(article.hierarchy).toEqual(folder.hierarchy);
    expect((await call<Article>('GET', `/solutions/articles/${article.id}`)).body).toEqual(article);

    let total = 0;
    for (let page = 1; ; page++) {
      const reply = await call<Article[]>(
        'GET',
        `/solutions/folders/${folder.id}/articles?per_page=3&page=${page}`,
      );
      total += reply.body.length;
      if (reply.headers.link === undefined) {
        break;
      }
    }
    expect(total).toBe(folder.articles_count);
    expect((await call('GET', '/solutions/folders/42/articles')).status).toBe(404);
  });

  it('creates an article keeping its HTML (inline images included) byte for byte', async () => {
    const [category] = (await call<Named[]>('GET', '/solutions/categories')).body;
    const [folder] = (await call<Folder[]>('GET', `/solutions/categories/${category!.id}/folders`))
      .body;
    const html =
      '<h2>Reset &amp; retry</h2><p>Click <b>Reset</b>:</p>' +
      '<p><img src="https://acme.freshdesk.com/inline/attachment?token=abc123&amp;size=original" ' +
      'alt="reset button" data-id="90001" style="width: 300px"></p><p>Done.</p>';
    const reply = await call<Article>('POST', `/solutions/folders/${folder!.id}/articles`, {
      body: { title: 'Resetting', description: html, status: 2, tags: ['howto'] },
    });
    expect(reply.status).toBe(201);
    expect(reply.headers.location).toBe(
      `${emulator.current.origin}/api/v2/solutions/articles/${reply.body.id}`,
    );
    expect(reply.body).toMatchObject({
      title: 'Resetting',
      description: html,
      status: 2,
      type: 1,
      folder_id: folder!.id,
      category_id: category!.id,
      thumbs_up: 0,
      hits: 0,
      tags: ['howto'],
    });
    // Tags are dropped where they stand (the image's empty paragraph leaves its space), as in
    // Freshdesk's own sample ("some <b> HTML Content </b>" → "some  HTML Content").
    expect(reply.body.description_text).toBe('Reset & retry Click Reset:  Done.');
    expect(reply.body.hierarchy.at(-1)!.data.id).toBe(folder!.id);
    const shown = await call<Article>('GET', `/solutions/articles/${reply.body.id}`);
    expect(shown.body.description).toBe(html);
  });

  it('validates article bodies strictly', async () => {
    const [folder] = (
      await call<Folder[]>(
        'GET',
        `/solutions/categories/${(await call<Named[]>('GET', '/solutions/categories')).body[0]!.id}/folders`,
      )
    ).body;
    const missing = await call<Invalid>('POST', `/solutions/folders/${folder!.id}/articles`, {
      body: { title: 'Only a title' },
    });
    expect(missing.status).toBe(400);
    expect(missing.body.errors.map((e) => [e.field, e.code])).toEqual([
      ['description', 'missing_field'],
      ['status', 'missing_field'],
    ]);
    const badStatus = await call<Invalid>('POST', `/solutions/folders/${folder!.id}/articles`, {
      body: { title: 'T', description: 'D', status: 3, folder_id: 1 },
    });
    expect(badStatus.body.errors).toEqual([
      { field: 'folder_id', message: 'Unexpected/invalid field in request', code: 'invalid_field' },
    ]);
    const badValue = await call<Invalid>('POST', `/solutions/folders/${folder!.id}/articles`, {
      body: { title: 'T', description: 'D', status: 3 },
    });
    expect(badValue.body.errors).toEqual([
      {
        field: 'status',
        message: "It should be one of these values: '1,2'",
        code: 'invalid_value',
      },
    ]);
  });

  it('unpublishes with {"status":1} and bumps updated_at', async () => {
    const [category] = (await call<Named[]>('GET', '/solutions/categories')).body;
    const [folder] = (await call<Folder[]>(`GET`, `/solutions/categories/${category!.id}/folders`))
      .body;
    const articles = await call<Article[]>('GET', `/solutions/folders/${folder!.id}/articles`);
    const published = articles.body.find((a) => a.status === 2)!;
    const reply = await call<Article>('PUT', `/solutions/articles/${published.id}`, {
      body: { status: 1 },
    });
    expect(reply.status).toBe(200);
    expect(reply.body).toMatchObject({ id: published.id, status: 1, title: published.title });
    expect(reply.body.updated_at >= published.updated_at).toBe(true);
    expect(reply.body.created_at).toBe(published.created_at);
    const empty = await call<Invalid>('PUT', `/solutions/articles/${published.id}`, { body: {} });
    expect(empty.status).toBe(400);
    expect(empty.body.code).toBe('missing_params');
    const readOnly = await call<Invalid>('PUT', `/solutions/articles/${published.id}`, {
      body: { hits: 5 },
    });
    expect(readOnly.body.errors[0]).toMatchObject({ field: 'hits', code: 'invalid_field' });
  });
});

describe('satisfaction ratings', () => {
  it('lists ratings with paging and filters', async () => {
    const page = await call<Rating[]>('GET', '/surveys/satisfaction_ratings?per_page=5');
    expect(page.status).toBe(200);
    expect(page.body).toHaveLength(5);
    expect(page.headers.link).toContain('page=2');
    const sample = page.body[0]!;
    const byUser = await call<Rating[]>(
      'GET',
      `/surveys/satisfaction_ratings?user_id=${sample.user_id}&per_page=100`,
    );
    expect(byUser.body.map((r) => r.id)).toContain(sample.id);
    expect(byUser.body.every((r) => r.user_id === sample.user_id)).toBe(true);
    const since = await call<Rating[]>(
      'GET',
      `/surveys/satisfaction_ratings?created_since=${sample.created_at}&per_page=100`,
    );
    expect(since.body.every((r) => r.created_at >= sample.created_at)).toBe(true);
    const bad = await call<Invalid>('GET', '/surveys/satisfaction_ratings?ticket_id=1');
    expect(bad.status).toBe(400);
    expect(bad.body.errors[0]!.code).toBe('invalid_field');
  });

  it("creates a rating on a ticket and lists the ticket's ratings", async () => {
    const [existing] = (await call<Rating[]>('GET', '/surveys/satisfaction_ratings')).body;
    const ticketId = existing!.ticket_id;
    const reply = await call<Rating>('POST', `/tickets/${ticketId}/satisfaction_ratings`, {
      body: { ratings: { default_question: 103, question_2: -102 }, feedback: 'Quick and kind' },
    });
    expect(reply.status).toBe(201);
    expect(reply.body).toMatchObject({
      ticket_id: ticketId,
      survey_id: existing!.survey_id,
      ratings: { default_question: 103, question_2: -102 },
      feedback: 'Quick and kind',
    });
    const forTicket = await call<Rating[]>('GET', `/tickets/${ticketId}/satisfaction_ratings`);
    expect(forTicket.body.map((r) => r.id)).toEqual(
      expect.arrayContaining([existing!.id, reply.body.id]),
    );
  });

  it('refuses bad ratings, extra fields and unknown tickets', async () => {
    const [existing] = (await call<Rating[]>('GET', '/surveys/satisfaction_ratings')).body;
    const path = `/tickets/${existing!.ticket_id}/satisfaction_ratings`;
    const badValue = await call<Invalid>('POST', path, {
      body: { ratings: { default_question: 5 } },
    });
    expect(badValue.status).toBe(400);
    expect(badValue.body.errors[0]).toMatchObject({
      field: 'ratings',
      nested_field: 'ratings.default_question',
      code: 'invalid_value',
    });
    const missing = await call<Invalid>('POST', path, { body: { feedback: 'no ratings' } });
    expect(missing.body.errors[0]).toMatchObject({ field: 'ratings', code: 'missing_field' });
    const extra = await call<Invalid>('POST', path, {
      body: { ratings: { default_question: 100 }, score: 1 },
    });
    expect(extra.body.errors).toEqual([
      { field: 'score', message: 'Unexpected/invalid field in request', code: 'invalid_field' },
    ]);
    const unknown = await call('POST', '/tickets/99999/satisfaction_ratings', {
      body: { ratings: { default_question: 100 } },
    });
    expect(unknown.status).toBe(404);
  });
});
