/**
 * Issue 10, "garbage from upstream gets a clear, coded error": every endpoint the gateway reads (and
 * every write whose answer it reads) answers a 2xx of the wrong shape, through a proxy that rewrites
 * the emulator's real answer for that one endpoint: a list where an object belongs (or the reverse),
 * a missing, non-numeric, textual or unsafe (past 2^53) id, a string where a number belongs, null
 * for a required string, a list of garbage, an empty body. Every answer is BAD_GATEWAY on the field
 * that needed the call, with `upstream` (status, method, path, requestId) and `retryable` (true for
 * reads, false for writes, which did happen), never INTERNAL_SERVER_ERROR and never a crash. And
 * what Freshdesk legitimately varies still passes: extra fields, nulls, absent optional fields,
 * custom field values of any type, ids up to 2^53 - 1.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import { type Emulator, startEmulator } from '../../src/emulator/index.ts';
import { createLogger } from '../../src/logger.ts';
import { type Gateway, startGateway } from '../../src/server.ts';
import { type GraphQLResponse, postGraphQL, UNTHROTTLED } from '../helpers/gateway.ts';
import { type ManglingProxy, startManglingProxy } from '../helpers/mangling-proxy.ts';

type Json = Record<string, unknown>;
type Body = 'list' | 'object' | 'search';

interface Endpoint {
  method: 'GET' | 'POST' | 'PUT';
  /** Freshdesk's route, for the test's name. */
  name: string;
  route: RegExp;
  body: Body;
  /** The operation that makes the gateway read this endpoint. */
  operation: () => { query: string; variables?: Json };
  /** A string the record must carry (dotted path into the record), set to null by one case. */
  requiredString: string;
  /** A number (not an id) of the record, sent as a string by one case. */
  number?: string;
  /**
   * The cost estimate reads this list ahead (src/schema/cost.ts); a failed read ahead is not kept,
   * so the resolver asks once more.
   */
  readAhead?: true;
  /** Valid answers of other endpoints that steer the gateway to this one (e.g. an empty list). */
  steer?: { method: string; route: RegExp; body: string }[];
}

/** A corruption of the emulator's real answer; `record` is where one record sits in the body. */
interface Corruption {
  name: string;
  applies?: (endpoint: Endpoint) => boolean;
  mangle: (body: unknown, endpoint: Endpoint) => unknown;
}

const UNSAFE_ID = '9007199254740993'; // 2^53 + 1: a double cannot hold it
const UNSAFE_MARK = '__unsafe_id__';

function recordOf(body: unknown, kind: Body): Json {
  const record =
    kind === 'list'
      ? (body as Json[])[0]
      : kind === 'search'
        ? ((body as { results: Json[] }).results[0] as Json)
        : (body as Json);
  if (record === undefined) {
    throw new Error('the emulator answered no record to corrupt');
  }
  return record;
}

function setPath(record: Json, path: string, value: unknown): void {
  const keys = path.split('.');
  let at = record;
  for (const key of keys.slice(0, -1)) {
    at = at[key] as Json;
  }
  at[keys.at(-1) as string] = value;
}

const inRecord =
  (change: (record: Json, endpoint: Endpoint) => void) =>
  (body: unknown, endpoint: Endpoint): unknown => {
    change(recordOf(body, endpoint.body), endpoint);
    return body;
  };

const CORRUPTIONS: Corruption[] = [
  {
    name: 'an object where a list belongs',
    applies: (e) => e.body !== 'object',
    mangle: (body, e) =>
      e.body === 'list' ? recordOf(body, 'list') : { ...(body as Json), results: {} },
  },
  {
    name: 'a list where an object belongs',
    applies: (e) => e.body === 'object',
    mangle: (body) => [body],
  },
  { name: 'a missing id', mangle: inRecord((r) => delete r.id) },
  {
    name: 'a non-numeric id',
    mangle: inRecord((r) => {
      r.id = 'abc';
    }),
  },
  {
    name: 'an id as a string',
    mangle: inRecord((r) => {
      r.id = String(r.id);
    }),
  },
  {
    name: 'an unsafe integer id past 2^53',
    mangle: inRecord((r) => {
      r.id = UNSAFE_MARK;
    }),
  },
  {
    name: 'a string where a number belongs',
    applies: (e) => e.number !== undefined,
    mangle: inRecord((r, e) => setPath(r, e.number as string, '2')),
  },
  {
    name: 'null for a required string',
    mangle: inRecord((r, e) => setPath(r, e.requiredString, null)),
  },
  {
    name: 'a list of garbage',
    mangle: (body, e) =>
      e.body === 'search' ? { ...(body as Json), results: [1, 'two', null] } : [1, 'two', null],
  },
  { name: 'an empty body', mangle: () => undefined },
];

const serialize = (value: unknown): string =>
  value === undefined ? '' : JSON.stringify(value).replace(`"${UNSAFE_MARK}"`, UNSAFE_ID);

let emulator: Emulator;
let proxy: ManglingProxy;
let gateway: Gateway | undefined;
let seq = 0;

beforeAll(async () => {
  emulator = await startEmulator({ port: 0, seed: 7, ...UNTHROTTLED.emulator });
  proxy = await startManglingProxy(emulator.origin);
});

afterEach(async () => {
  proxy.rules = [];
  await gateway?.close({ graceMs: 0 });
  gateway = undefined;
});

afterAll(async () => {
  await proxy?.close();
  await emulator?.close();
});

/** A gateway of its own per case: nothing cached from the case before. */
async function ask(operation: { query: string; variables?: Json }): Promise<GraphQLResponse<Json>> {
  const config = loadConfig({
    FRESHDESK_BASE_URL: proxy.origin,
    FRESHDESK_API_KEY: emulator.apiKeys.admin,
    PORT: '0',
    DESKGRAPH_RECONCILE_INTERVAL_MS: '0',
    ...UNTHROTTLED.env,
  });
  gateway = await startGateway({
    config,
    upstreamOrigin: proxy.origin,
    logger: createLogger({ level: 'silent' }),
  });
  return postGraphQL<Json>(gateway.url, operation.query, operation.variables);
}

const data = () => emulator.data;
const live = <T extends { deleted?: boolean | true; spam?: boolean }>(records: Iterable<T>) =>
  [...records].filter((r) => !r.deleted && !r.spam);
const aTicket = () => {
  const ticket = live(data().tickets.values()).find(
    (t) =>
      (data().conversations.get(t.id)?.length ?? 0) > 0 &&
      t.group_id !== null &&
      [...data().ratings.values()].some((r) => r.ticket_id === t.id),
  );
  if (!ticket) {
    throw new Error('no ticket with conversations, a group and a rating in the seed');
  }
  return String(ticket.id);
};
const first = <T extends { id: number }>(records: Map<number, T>) =>
  String([...records.values()][0]?.id);
const aContact = () => String(live(data().contacts.values())[0]?.id);
const aFolder = () => first(data().folders);
const anArticle = () => first(data().articles);
const anAgent = () => first(data().agents);
const aCompany = () => first(data().companies);
const EMPTY_LIST = (method: string, route: RegExp) => ({ method, route, body: '[]' });

const ENDPOINTS: Endpoint[] = [
  {
    method: 'GET',
    name: '/tickets/:id',
    route: /^\/api\/v2\/tickets\/\d+$/,
    body: 'object',
    operation: () => ({
      query: 'query ($id: ID!) { ticket(id: $id) { id subject } }',
      variables: { id: aTicket() },
    }),
    requiredString: 'subject',
    number: 'status',
  },
  {
    method: 'GET',
    name: '/tickets',
    route: /^\/api\/v2\/tickets$/,
    body: 'list',
    operation: () => ({ query: '{ tickets(first: 3) { nodes { id subject } } }' }),
    requiredString: 'subject',
    number: 'priority',
  },
  {
    method: 'GET',
    name: '/search/tickets',
    route: /^\/api\/v2\/search\/tickets$/,
    body: 'search',
    operation: () => ({
      query: '{ searchTickets(query: "priority:1 OR priority:2", first: 3) { nodes { id } } }',
    }),
    requiredString: 'subject',
    number: 'source',
  },
  {
    method: 'GET',
    name: '/tickets/:id/conversations',
    route: /^\/api\/v2\/tickets\/\d+\/conversations$/,
    body: 'list',
    operation: () => ({
      query:
        'query ($id: ID!) { ticketConversations(ticketId: $id, first: 30, after: null) { nodes { id body } } }',
      variables: { id: aTicket() },
    }),
    requiredString: 'body',
    number: 'source',
  },
  {
    method: 'GET',
    name: '/tickets/:id/satisfaction_ratings',
    route: /^\/api\/v2\/tickets\/\d+\/satisfaction_ratings$/,
    body: 'list',
    operation: () => ({
      query: 'query ($id: ID!) { ticket(id: $id) { id satisfactionRatings { id } } }',
      variables: { id: aTicket() },
    }),
    requiredString: 'created_at',
  },
  {
    method: 'GET',
    name: '/surveys/satisfaction_ratings',
    route: /^\/api\/v2\/surveys\/satisfaction_ratings$/,
    body: 'list',
    operation: () => ({ query: '{ satisfactionRatings(first: 3) { nodes { id feedback } } }' }),
    requiredString: 'created_at',
  },
  {
    method: 'GET',
    name: '/contacts/:id',
    route: /^\/api\/v2\/contacts\/\d+$/,
    body: 'object',
    operation: () => ({
      query: 'query ($id: ID!) { contact(id: $id) { id name } }',
      variables: { id: aContact() },
    }),
    requiredString: 'name',
    steer: [EMPTY_LIST('GET', /^\/api\/v2\/contacts$/)],
  },
  {
    method: 'GET',
    name: '/contacts',
    route: /^\/api\/v2\/contacts$/,
    body: 'list',
    operation: () => ({ query: '{ contacts(first: 3) { nodes { id name email } } }' }),
    requiredString: 'name',
  },
  {
    method: 'GET',
    name: '/agents',
    route: /^\/api\/v2\/agents$/,
    body: 'list',
    operation: () => ({ query: '{ agents(first: 3) { nodes { id name email } } }' }),
    requiredString: 'contact.name',
  },
  {
    method: 'GET',
    name: '/agents/:id',
    route: /^\/api\/v2\/agents\/\d+$/,
    body: 'object',
    operation: () => ({
      query: 'query ($id: ID!) { agent(id: $id) { id name } }',
      variables: { id: anAgent() },
    }),
    requiredString: 'contact.email',
    steer: [EMPTY_LIST('GET', /^\/api\/v2\/agents$/)],
  },
  {
    method: 'GET',
    name: '/agents/me',
    route: /^\/api\/v2\/agents\/me$/,
    body: 'object',
    operation: () => ({ query: '{ me { id name } }' }),
    requiredString: 'contact.name',
  },
  {
    method: 'GET',
    name: '/groups',
    route: /^\/api\/v2\/groups$/,
    body: 'list',
    operation: () => ({ query: '{ groups { id name } }' }),
    requiredString: 'name',
  },
  {
    method: 'GET',
    name: '/groups/:id',
    route: /^\/api\/v2\/groups\/\d+$/,
    body: 'object',
    operation: () => ({
      query: 'query ($id: ID!) { ticket(id: $id) { id group { id name } } }',
      variables: { id: aTicket() },
    }),
    requiredString: 'name',
    steer: [EMPTY_LIST('GET', /^\/api\/v2\/groups$/)],
  },
  {
    method: 'GET',
    name: '/companies/:id',
    route: /^\/api\/v2\/companies\/\d+$/,
    body: 'object',
    operation: () => ({
      query: 'query ($id: ID!) { company(id: $id) { id name } }',
      variables: { id: aCompany() },
    }),
    requiredString: 'name',
    steer: [EMPTY_LIST('GET', /^\/api\/v2\/companies$/)],
  },
  {
    method: 'GET',
    name: '/companies',
    route: /^\/api\/v2\/companies$/,
    body: 'list',
    operation: () => ({ query: '{ companies(first: 3) { nodes { id name } } }' }),
    requiredString: 'name',
  },
  {
    method: 'GET',
    name: '/solutions/categories',
    route: /^\/api\/v2\/solutions\/categories$/,
    body: 'list',
    operation: () => ({ query: '{ solutionCategories { id name } }' }),
    requiredString: 'name',
    readAhead: true,
  },
  {
    method: 'GET',
    name: '/solutions/categories/:id',
    route: /^\/api\/v2\/solutions\/categories\/\d+$/,
    body: 'object',
    operation: () => ({
      query: 'query ($id: ID!) { solutionFolder(id: $id) { id category { id name } } }',
      variables: { id: aFolder() },
    }),
    requiredString: 'name',
    steer: [EMPTY_LIST('GET', /^\/api\/v2\/solutions\/categories$/)],
  },
  {
    method: 'GET',
    name: '/solutions/categories/:id/folders',
    route: /^\/api\/v2\/solutions\/categories\/\d+\/folders$/,
    body: 'list',
    operation: () => ({ query: '{ solutionCategories { id folders { id name } } }' }),
    requiredString: 'name',
    readAhead: true,
  },
  {
    method: 'GET',
    name: '/solutions/folders/:id',
    route: /^\/api\/v2\/solutions\/folders\/\d+$/,
    body: 'object',
    operation: () => ({
      query: 'query ($id: ID!) { solutionFolder(id: $id) { id name } }',
      variables: { id: aFolder() },
    }),
    requiredString: 'name',
  },
  {
    method: 'GET',
    name: '/solutions/folders/:id/articles',
    route: /^\/api\/v2\/solutions\/folders\/\d+\/articles$/,
    body: 'list',
    operation: () => ({
      query:
        'query ($id: ID!) { solutionFolder(id: $id) { id articles(first: 3) { nodes { id title } } } }',
      variables: { id: aFolder() },
    }),
    requiredString: 'title',
    number: 'hits',
  },
  {
    method: 'GET',
    name: '/solutions/articles/:id',
    route: /^\/api\/v2\/solutions\/articles\/\d+$/,
    body: 'object',
    operation: () => ({
      query: 'query ($id: ID!) { article(id: $id) { id title } }',
      variables: { id: anArticle() },
    }),
    requiredString: 'title',
    number: 'status',
  },
  {
    method: 'GET',
    name: '/ticket_fields',
    route: /^\/api\/v2\/ticket_fields$/,
    body: 'list',
    operation: () => ({ query: '{ ticketFields { id name } }' }),
    requiredString: 'type',
    number: 'position',
  },
  {
    method: 'POST',
    name: '/tickets',
    route: /^\/api\/v2\/tickets$/,
    body: 'object',
    operation: () => ({
      query:
        'mutation { createTicket(input: { subject: "s", description: "d", email: "shapes@example.com" }) { id } }',
    }),
    requiredString: 'subject',
    number: 'status',
  },
  {
    method: 'PUT',
    name: '/tickets/:id',
    route: /^\/api\/v2\/tickets\/\d+$/,
    body: 'object',
    operation: () => ({
      query: 'mutation ($id: ID!) { updateTicket(id: $id, input: { priority: HIGH }) { id } }',
      variables: { id: aTicket() },
    }),
    requiredString: 'subject',
    number: 'priority',
  },
  {
    method: 'POST',
    name: '/tickets/:id/reply',
    route: /^\/api\/v2\/tickets\/\d+\/reply$/,
    body: 'object',
    operation: () => ({
      query: 'mutation ($id: ID!) { replyToTicket(ticketId: $id, input: { body: "r" }) { id } }',
      variables: { id: aTicket() },
    }),
    requiredString: 'body_text',
  },
  {
    method: 'POST',
    name: '/tickets/:id/notes',
    route: /^\/api\/v2\/tickets\/\d+\/notes$/,
    body: 'object',
    operation: () => ({
      query: 'mutation ($id: ID!) { addNote(ticketId: $id, input: { body: "n" }) { id } }',
      variables: { id: aTicket() },
    }),
    requiredString: 'body',
  },
  {
    method: 'POST',
    name: '/contacts',
    route: /^\/api\/v2\/contacts$/,
    body: 'object',
    operation: () => ({
      query:
        'mutation ($email: String!) { createContact(input: { name: "n", email: $email }) { id } }',
      variables: { email: `shape-${++seq}@example.com` },
    }),
    requiredString: 'name',
  },
  {
    method: 'PUT',
    name: '/contacts/:id',
    route: /^\/api\/v2\/contacts\/\d+$/,
    body: 'object',
    operation: () => ({
      query: 'mutation ($id: ID!) { updateContact(id: $id, input: { name: "Renamed" }) { id } }',
      variables: { id: aContact() },
    }),
    requiredString: 'name',
  },
  {
    method: 'POST',
    name: '/solutions/folders/:id/articles',
    route: /^\/api\/v2\/solutions\/folders\/\d+\/articles$/,
    body: 'object',
    operation: () => ({
      query: `mutation ($id: ID!, $title: String!) { createArticle(folderId: $id, input: { title: $title, description: "d", status: DRAFT }) { id } }`,
      variables: { id: aFolder(), title: `Shapes ${++seq}` },
    }),
    requiredString: 'title',
    number: 'type',
  },
  {
    method: 'PUT',
    name: '/solutions/articles/:id',
    route: /^\/api\/v2\/solutions\/articles\/\d+$/,
    body: 'object',
    operation: () => ({
      query: 'mutation ($id: ID!) { updateArticle(id: $id, input: { tags: ["x"] }) { id } }',
      variables: { id: anArticle() },
    }),
    requiredString: 'title',
  },
  {
    method: 'POST',
    name: '/tickets/:id/satisfaction_ratings',
    route: /^\/api\/v2\/tickets\/\d+\/satisfaction_ratings$/,
    body: 'object',
    operation: () => ({
      query:
        'mutation ($id: ID!) { createSatisfactionRating(ticketId: $id, input: { ratings: { default_question: 103 } }) { id } }',
      variables: { id: aTicket() },
    }),
    requiredString: 'created_at',
  },
];

const CASES = ENDPOINTS.flatMap((endpoint) =>
  CORRUPTIONS.filter((c) => c.applies?.(endpoint) ?? true).map(
    (corruption) =>
      [`${endpoint.method} ${endpoint.name}`, corruption.name, endpoint, corruption] as const,
  ),
);

describe('a 2xx answer of the wrong shape', () => {
  it.each(CASES)(
    '%s, %s → BAD_GATEWAY with upstream',
    async (_name, _what, endpoint, corruption) => {
      proxy.rules = [
        {
          method: endpoint.method,
          route: endpoint.route,
          mangle: (body) => serialize(corruption.mangle(body, endpoint)),
        },
        ...(endpoint.steer ?? []).map((s) => ({ ...s, mangle: () => s.body })),
      ];
      proxy.requests.length = 0;
      const response = await ask(endpoint.operation());
      const mangled = proxy.requests.filter(
        (r) =>
          r.startsWith(`${endpoint.method} `) &&
          endpoint.route.test(r.split(' ')[1]?.split('?')[0] ?? ''),
      );
      // The operation did reach the endpoint (else this case would test nothing).
      expect(mangled, JSON.stringify(proxy.requests)).not.toHaveLength(0);
      expect(response.status).toBe(200);
      const codes = (response.errors ?? []).map((e) => e.extensions?.code);
      expect(codes, JSON.stringify(response.errors)).not.toContain('INTERNAL_SERVER_ERROR');
      const error = response.errors?.find((e) =>
        (e.extensions?.upstream as { path?: string } | undefined)?.path
          ?.split('?')[0]
          ?.match(endpoint.route),
      );
      expect(error, JSON.stringify(response)).toBeDefined();
      expect(error?.extensions).toMatchObject({
        code: 'BAD_GATEWAY',
        upstream: {
          status: endpoint.method === 'POST' ? 201 : 200,
          method: endpoint.method,
          requestId: expect.any(String),
        },
        retryable: endpoint.method === 'GET',
      });
      expect(error?.message).toMatch(/invalid answer/);
      // Not retried (a garbled body is, 3 times): the same answer would most likely come back,
      // and cost credits again.
      const asks = new Map<string, number>();
      for (const call of mangled) {
        asks.set(call, (asks.get(call) ?? 0) + 1);
      }
      expect(Math.max(...asks.values()), JSON.stringify(proxy.requests)).toBe(
        endpoint.readAhead ? 2 : 1,
      );
    },
  );
});

describe('what Freshdesk legitimately varies still passes', () => {
  const LARGEST_SAFE_ID = '9007199254740991'; // 2^53 - 1
  const CUSTOM = { cf_text: 'x', cf_number: 3, cf_flag: true, cf_none: null, cf_list: [1, 'a'] };

  it('extra fields, nulls, absent optional fields, any custom field values, ids up to 2^53 - 1', async () => {
    const id = aTicket();
    proxy.rules = [
      {
        method: 'GET',
        route: /^\/api\/v2\/tickets\/\d+$/,
        mangle: (body) => {
          const ticket = body as Json;
          delete ticket.description;
          delete ticket.description_text;
          delete ticket.deleted;
          return JSON.stringify({
            ...ticket,
            brand_new_field: { nested: [1, 2] },
            type: null,
            responder_id: null,
            due_by: null,
            tags: null,
            custom_fields: CUSTOM,
            requester_id: '__largest__',
            created_at: '2026-01-31T17:30:00+05:30',
          }).replace('"__largest__"', LARGEST_SAFE_ID);
        },
      },
    ];
    const response = await ask({
      query:
        'query ($id: ID!) { ticket(id: $id) { id description type dueBy tags customFields requesterId createdAt responder { id } } }',
      variables: { id },
    });
    expect(response.errors).toBeUndefined();
    expect(response.data?.ticket).toEqual({
      id,
      description: null,
      type: null,
      dueBy: null,
      tags: [],
      customFields: CUSTOM,
      requesterId: LARGEST_SAFE_ID,
      createdAt: '2026-01-31T12:00:00Z',
      responder: null,
    });
  });

  it('a list whose records leave out what Freshdesk may leave out', async () => {
    proxy.rules = [
      {
        method: 'GET',
        route: /^\/api\/v2\/contacts$/,
        mangle: (body) =>
          JSON.stringify(
            (body as Json[]).map((contact) => {
              const { tags: _tags, custom_fields: _custom, deleted: _deleted, ...rest } = contact;
              return {
                ...rest,
                email: null,
                phone: null,
                mobile: null,
                company_id: null,
                avatar: null,
              };
            }),
          ),
      },
    ];
    const response = await ask({
      query: '{ contacts(first: 3) { nodes { id name email tags customFields company { id } } } }',
    });
    expect(response.errors).toBeUndefined();
    const nodes = (response.data?.contacts as { nodes: Json[] } | undefined)?.nodes ?? [];
    expect(nodes).toHaveLength(3);
    for (const node of nodes) {
      expect(node).toMatchObject({ email: null, tags: [], customFields: {}, company: null });
    }
  });
});
