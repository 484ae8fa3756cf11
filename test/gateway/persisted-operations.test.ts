/**
 * Issue 13: persisted operations (src/persisted-operations.ts). The committed manifest is what
 * `npm run codegen` makes of `operations/`; with it, manifest operations run by id (GraphQL over
 * HTTP's `documentId`, or Apollo's `extensions.persistedQuery`), with their variables; an unknown
 * id is refused with a code and no upstream call; a document sent as text is refused in
 * persisted-only mode and runs in the mixed mode. A manifest that does not validate stops the start.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generate } from '@graphql-codegen/cli';
import { request } from 'undici';
import { describe, expect, it } from 'vitest';
import codegen from '../../codegen.ts';
import {
  QuotaDocument,
  TicketsChangedSinceDocument,
  TicketsWithPeopleDocument,
  TicketThreadDocument,
} from '../../operations/generated/graphql.ts';
import { createApp } from '../../src/app.ts';
import { ConfigError, loadConfig } from '../../src/config.ts';
import { createLogger } from '../../src/logger.ts';
import { FreshdeskClient } from '../../src/upstream/freshdesk-client.ts';
import { type Stack, UNTHROTTLED, withStack } from '../helpers/gateway.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const TARGET = 'operations/generated/';
const MANIFEST = join(ROOT, TARGET, 'persisted-documents.json');

/** The id codegen gave a generated document (`sha256:<hex>`). */
const idOf = (document: unknown): string =>
  (document as { __meta__: { hash: string } }).__meta__.hash;

interface Answer {
  status: number;
  body: {
    data?: Record<string, unknown> | null;
    errors?: { message: string; extensions?: { code?: string } }[];
  };
}

async function post(stack: Stack, body: Record<string, unknown>): Promise<Answer> {
  const response = await request(stack.gateway.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: response.statusCode, body: (await response.body.json()) as Answer['body'] };
}

const ticketsOf = (answer: Answer): unknown[] | undefined =>
  (answer.body.data?.tickets as { nodes?: unknown[] } | undefined)?.nodes;

const codeOf = (answer: Answer): string | undefined => answer.body.errors?.[0]?.extensions?.code;

describe('the committed manifest', () => {
  it('is what npm run codegen makes of operations/ (ids are the hashes of the documents)', async () => {
    const target = codegen.generates[TARGET];
    expect(target).toBeDefined();
    const outputs = await generate(
      { ...codegen, cwd: ROOT, silent: true, generates: { [TARGET]: target ?? {} } },
      false,
    );
    const files = outputs as { filename: string; content: string }[];
    expect(files.map((file) => file.filename)).toContain(`${TARGET}persisted-documents.json`);
    for (const file of files) {
      expect(readFileSync(join(ROOT, file.filename), 'utf8'), file.filename).toBe(file.content);
    }
    const manifest = JSON.parse(readFileSync(MANIFEST, 'utf8')) as Record<string, string>;
    expect(Object.keys(manifest)).toHaveLength(5);
  });
});

describe('persisted-only mode', () => {
  let stack: Stack;
  withStack(
    { ...UNTHROTTLED, env: { ...UNTHROTTLED.env, DESKGRAPH_PERSISTED_OPERATIONS: MANIFEST } },
    (s) => {
      stack = s;
    },
  );

  it('runs a manifest operation by documentId, with its variables', async () => {
    const answer = await post(stack, {
      documentId: idOf(TicketsWithPeopleDocument),
      variables: { first: 3 },
    });
    expect(answer.status).toBe(200);
    expect(answer.body.errors).toBeUndefined();
    const tickets = answer.body.data?.tickets as {
      nodes: { subject: string; requester: unknown }[];
    };
    expect(tickets.nodes).toHaveLength(3);
    expect(tickets.nodes[0]?.requester).toMatchObject({ name: expect.any(String) });
    expect(stack.emulator.stats().totalCalls).toBeGreaterThan(0);
  });

  it("runs one by Apollo's extensions.persistedQuery hash (bare hex), over POST and GET", async () => {
    const sha256Hash = idOf(TicketThreadDocument).replace(/^sha256:/, '');
    const extensions = { persistedQuery: { version: 1, sha256Hash } };
    const answer = await post(stack, { extensions, variables: { id: '1' } });
    expect(answer.body.errors).toBeUndefined();
    const ticket = answer.body.data?.ticket as { id: string; conversations: { nodes: unknown[] } };
    expect(ticket.id).toBe('1');
    expect(ticket.conversations.nodes.length).toBeGreaterThan(0);

    const url = new URL(stack.gateway.url);
    url.searchParams.set('extensions', JSON.stringify(extensions));
    url.searchParams.set('variables', JSON.stringify({ id: '2' }));
    const byGet = await request(url, { headers: { accept: 'application/json' } });
    const got = (await byGet.body.json()) as Answer['body'];
    expect(got.errors).toBeUndefined();
    expect(got.data?.ticket).toMatchObject({ id: '2' });
  });

  it('takes documentId in the query string of a GET', async () => {
    const url = new URL(stack.gateway.url);
    url.searchParams.set('documentId', idOf(QuotaDocument));
    const answer = await request(url, { headers: { accept: 'application/json' } });
    const body = (await answer.body.json()) as Answer['body'];
    expect(body.errors).toBeUndefined();
    expect(body.data?.quota).toMatchObject({ budgets: expect.any(Array) });
  });

  it('a variable of the wrong type is the usual coded refusal', async () => {
    const answer = await post(stack, {
      documentId: idOf(TicketsChangedSinceDocument),
      variables: { since: 'yesterday' },
    });
    expect(codeOf(answer)).toBe('BAD_USER_INPUT');
    expect(stack.emulator.stats().totalCalls).toBe(0);
  });

  it('refuses an unknown id: 404 PERSISTED_QUERY_NOT_FOUND, no upstream call', async () => {
    for (const documentId of [`sha256:${'0'.repeat(64)}`, 'not-a-hash']) {
      const answer = await post(stack, { documentId });
      expect(answer.status).toBe(404);
      expect(codeOf(answer)).toBe('PERSISTED_QUERY_NOT_FOUND');
    }
    expect(stack.emulator.stats().totalCalls).toBe(0);
  });

  it('refuses a document sent as text: 400 PERSISTED_QUERY_ONLY, no upstream call', async () => {
    const answer = await post(stack, { query: '{ tickets(first: 5) { nodes { id } } }' });
    expect(answer.status).toBe(400);
    expect(codeOf(answer)).toBe('PERSISTED_QUERY_ONLY');
    expect(answer.body.data ?? null).toBeNull();
    // The manifest's own text is no way around it either: only ids run.
    const manifest = JSON.parse(readFileSync(MANIFEST, 'utf8')) as Record<string, string>;
    const known = await post(stack, { query: Object.values(manifest)[0] });
    expect(codeOf(known)).toBe('PERSISTED_QUERY_ONLY');
    expect(stack.emulator.stats().totalCalls).toBe(0);
  });

  it('says so in the log at start', () => {
    const line = stack.logs.find((entry) => entry.includes('persisted operations only'));
    expect(JSON.parse(line ?? '{}')).toMatchObject({ manifest: MANIFEST, operations: 5 });
  });

  it('refuses a request with neither: 400 PERSISTED_QUERY_ID_REQUIRED', async () => {
    const answer = await post(stack, { variables: {} });
    expect(answer.status).toBe(400);
    expect(codeOf(answer)).toBe('PERSISTED_QUERY_ID_REQUIRED');
  });
});

describe('mixed mode (DESKGRAPH_PERSISTED_ONLY=false)', () => {
  let stack: Stack;
  withStack(
    {
      ...UNTHROTTLED,
      env: {
        ...UNTHROTTLED.env,
        DESKGRAPH_PERSISTED_OPERATIONS: MANIFEST,
        DESKGRAPH_PERSISTED_ONLY: 'false',
      },
    },
    (s) => {
      stack = s;
    },
  );

  it('runs documents sent as text and manifest operations by id; unknown ids are still refused', async () => {
    const text = await post(stack, { query: '{ tickets(first: 2) { nodes { id } } }' });
    expect(text.body.errors).toBeUndefined();
    expect(ticketsOf(text)).toHaveLength(2);
    const byId = await post(stack, {
      documentId: idOf(TicketsWithPeopleDocument),
      variables: { first: 2 },
    });
    expect(ticketsOf(byId)).toHaveLength(2);
    const unknown = await post(stack, { documentId: `sha256:${'f'.repeat(64)}` });
    expect(codeOf(unknown)).toBe('PERSISTED_QUERY_NOT_FOUND');
  });
});

describe('configuration', () => {
  const base = { FRESHDESK_BASE_URL: 'http://127.0.0.1:9', FRESHDESK_API_KEY: 'k' };

  it('a missing manifest, or persisted-only mode without one, stops the start', () => {
    expect(() =>
      loadConfig({ ...base, DESKGRAPH_PERSISTED_OPERATIONS: join(ROOT, 'no-such.json') }),
    ).toThrow(/DESKGRAPH_PERSISTED_OPERATIONS: no file/);
    expect(() => loadConfig({ ...base, DESKGRAPH_PERSISTED_ONLY: 'true' })).toThrow(
      /DESKGRAPH_PERSISTED_ONLY needs DESKGRAPH_PERSISTED_OPERATIONS/,
    );
  });

  it('a manifest document that does not validate stops the start, naming it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'deskgraph-manifest-'));
    const cases: [unknown, RegExp][] = [
      [
        { [`sha256:${'a'.repeat(64)}`]: '{ tickets { nodes { noSuchField } } }' },
        /does not validate/,
      ],
      [{ [`sha256:${'b'.repeat(64)}`]: '{ tickets(' }, /does not parse/],
      [{ 'my-query': '{ quota { plan } }' }, /not a sha256 document id/],
      [['{ quota { plan } }'], /not a persisted-operations manifest/],
    ];
    for (const [manifest, problem] of cases) {
      const path = join(dir, 'manifest.json');
      writeFileSync(path, JSON.stringify(manifest));
      const config = loadConfig({ ...base, DESKGRAPH_PERSISTED_OPERATIONS: path });
      const logger = createLogger({ level: 'silent' });
      const client = new FreshdeskClient({ origin: base.FRESHDESK_BASE_URL, logger });
      expect(() => createApp({ config, client, logger })).toThrow(ConfigError);
      expect(() => createApp({ config, client, logger })).toThrow(problem);
    }
  });

  it("reads Apollo's persisted-query manifest format", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'deskgraph-manifest-'));
    const path = join(dir, 'apollo.json');
    const id = 'c'.repeat(64);
    writeFileSync(
      path,
      JSON.stringify({
        format: 'apollo-persisted-query-manifest',
        version: 1,
        operations: [{ id, name: 'Hello', type: 'query', body: 'query Hello { __typename }' }],
      }),
    );
    const config = loadConfig({ ...base, DESKGRAPH_PERSISTED_OPERATIONS: path });
    const logger = createLogger({ level: 'silent' });
    const client = new FreshdeskClient({ origin: base.FRESHDESK_BASE_URL, logger });
    const app = createApp({ config, client, logger });
    const response = await app.yoga.fetch('http://127.0.0.1/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ documentId: id }),
    });
    const body = (await response.json()) as Answer['body'];
    expect(body.errors).toBeUndefined();
    expect(body.data).toEqual({ __typename: 'Query' });
  });
});
