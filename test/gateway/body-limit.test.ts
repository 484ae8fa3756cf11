/**
 * The request body limit (src/body-limit.ts) answers as Yoga's own did: 413 REQUEST_ENTITY_TOO_LARGE
 * past the limit whether the body's length is declared (Content-Length) or not (chunked), 400 for a
 * Content-Length that is not one integer, and bodies within the limit pass untouched.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { connect } from 'node:net';
import { Readable } from 'node:stream';
import { createSchema, createYoga } from 'graphql-yoga';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useRequestBodyLimit } from '../../src/body-limit.ts';
import { type Stack, startStack, UNTHROTTLED } from '../helpers/gateway.ts';

const LIMIT = 200;

/** A raw HTTP/1.1 exchange: what the server answers to exactly these bytes (status line and body). */
function raw(port: number, head: string, body = ''): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => socket.end(`${head}\r\n\r\n${body}`));
    let answer = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      answer += chunk;
    });
    socket.on('error', reject);
    socket.on('close', () => {
      resolve({ status: Number(answer.split(' ')[1]), text: answer.split('\r\n\r\n')[1] ?? '' });
    });
  });
}

describe('a Yoga server with useRequestBodyLimit', () => {
  let server: Server;
  let url: string;
  let port: number;
  beforeAll(async () => {
    const yoga = createYoga({
      schema: createSchema({
        typeDefs: 'type Query { echo(s: String): String }',
        resolvers: { Query: { echo: (_: unknown, { s }: { s: string }) => s } },
      }),
      maxRequestBodySize: false,
      logging: false,
      plugins: [useRequestBodyLimit(LIMIT)],
    });
    server = createServer(yoga);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
    url = `http://127.0.0.1:${port}/graphql`;
  });
  afterAll(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  const QUERY = 'query($s: String) { echo(s: $s) }';
  /** Bytes of the body around the echoed string. */
  const FRAME = JSON.stringify({ query: QUERY, variables: { s: '' } }).length;
  /** A JSON body of exactly `size` bytes. */
  const body = (size: number) =>
    JSON.stringify({ query: QUERY, variables: { s: 'x'.repeat(size - FRAME) } });
  const post = async (payload: string, chunked: boolean) => {
    const response = await request(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      // A stream has no known length: undici sends it chunked, without Content-Length.
      body: chunked ? Readable.from([payload.slice(0, 50), payload.slice(50)]) : payload,
    });
    return {
      status: response.statusCode,
      json: (await response.body.json()) as {
        data?: { echo: string };
        errors?: { message: string; extensions?: { code?: string } }[];
      },
    };
  };

  it.each([false, true])('passes a body at the limit (chunked: %s)', async (chunked) => {
    const payload = body(LIMIT);
    expect(Buffer.byteLength(payload)).toBe(LIMIT);
    const { status, json } = await post(payload, chunked);
    expect(status).toBe(200);
    expect(json.data?.echo).toHaveLength(LIMIT - FRAME);
  });

  it.each([false, true])(
    'refuses a body one byte past the limit with 413 (chunked: %s)',
    async (chunked) => {
      const { status, json } = await post(body(LIMIT + 1), chunked);
      expect(status).toBe(413);
      expect(json.errors?.[0]?.message).toBe('Request body too large');
      expect(json.errors?.[0]?.extensions?.code).toBe('REQUEST_ENTITY_TOO_LARGE');
    },
  );

  it('refuses a declared length past the limit before reading the body', async () => {
    const answer = await raw(
      port,
      `POST /graphql HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${LIMIT + 1}\r\nConnection: close`,
    );
    expect(answer.status).toBe(413);
    expect(answer.text).toContain('REQUEST_ENTITY_TOO_LARGE');
  });
});

describe('the gateway', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack(UNTHROTTLED);
  });
  afterAll(async () => {
    await stack.close();
  });

  it("keeps Yoga's 25 MB limit: a larger declared body is refused with 413 before it is read", async () => {
    const port = Number(new URL(stack.gateway.url).port);
    const answer = await raw(
      port,
      `POST /graphql HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: 25000001\r\nConnection: close`,
    );
    expect(answer.status).toBe(413);
    expect(answer.text).toContain('REQUEST_ENTITY_TOO_LARGE');
  });

  it('serves an ordinary query, with or without a declared length', async () => {
    const payload = JSON.stringify({ query: '{ tickets(first: 1) { nodes { id } } }' });
    for (const chunked of [false, true]) {
      const response = await request(stack.gateway.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json' },
        body: chunked ? Readable.from([payload]) : payload,
      });
      const json = (await response.body.json()) as { data?: { tickets: { nodes: unknown[] } } };
      expect(response.statusCode).toBe(200);
      expect(json.data?.tickets.nodes).toHaveLength(1);
    }
  });
});
