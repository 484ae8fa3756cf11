/**
 * Runs the whole stack as a user would: the emulator on a loopback port, the gateway on another,
 * and GraphQL over HTTP between the test and the gateway.
 */

import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { type DocumentNode, print } from 'graphql';
import { request } from 'undici';
import { afterAll, beforeAll, beforeEach, expect } from 'vitest';
import { type Config, loadConfig } from '../../src/config.ts';
import { type Emulator, startEmulator } from '../../src/emulator/index.ts';
import { createLogger, type Logger } from '../../src/logger.ts';
import { type Gateway, startGateway } from '../../src/server.ts';

export interface Stack {
  emulator: Emulator;
  gateway: Gateway;
  config: Config;
  /** Every log line the gateway wrote during the test. */
  logs: string[];
  gql<TData = Record<string, unknown>, TVars = Record<string, unknown>>(
    document: string | DocumentNode | TypedDocumentNode<TData, TVars>,
    variables?: TVars,
    headers?: Record<string, string>,
  ): Promise<GraphQLResponse<TData>>;
  close(): Promise<void>;
}

export interface GraphQLResponse<TData> {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  data?: TData | null;
  errors?: { message: string; path?: (string | number)[]; extensions?: Record<string, unknown> }[];
  extensions?: Record<string, unknown>;
}

/** An answer's `extensions.cost` (the part tests compare with counts). */
export interface Cost {
  estimated: number;
  spent: number;
  calls: number;
  cacheHits: number;
}

export const costOf = (result: { extensions?: Record<string, unknown> }): Cost =>
  result.extensions?.cost as Cost;

export interface StackOptions {
  emulator?: Parameters<typeof startEmulator>[0];
  /** Extra environment for `loadConfig` (FRESHDESK_BASE_URL and the key are set for you). */
  env?: Record<string, string>;
}

/**
 * Rate limits far above what a suite spends, on both sides (emulator and the gateway's quota
 * shaping), for suites that test something other than quota: no case waits or is refused.
 */
export const UNTHROTTLED = {
  emulator: {
    rateLimit: false,
    plan: { total: 1_000_000, ticketsList: 1_000_000 },
    windowMs: 1_000,
  },
  env: { FRESHDESK_PLAN: 'enterprise', DESKGRAPH_QUOTA_WINDOW_MS: '1000' },
} satisfies StackOptions;

export async function startStack(options: StackOptions = {}): Promise<Stack> {
  const emulator = await startEmulator({ port: 0, ...options.emulator });
  const config = loadConfig({
    FRESHDESK_BASE_URL: emulator.origin,
    FRESHDESK_API_KEY: emulator.apiKeys.admin,
    PORT: '0',
    LOG_LEVEL: 'debug',
    // No background sweep unless a test asks for one: it would add list calls to exact counts.
    DESKGRAPH_RECONCILE_INTERVAL_MS: '0',
    ...options.env,
  });
  const logs: string[] = [];
  const logger: Logger = createLogger({
    level: 'debug',
    secrets: [config.apiKey],
    write: (line) => logs.push(line),
  });
  const gateway = await startGateway({ config, upstreamOrigin: emulator.origin, logger });
  return {
    emulator,
    gateway,
    config,
    logs,
    gql: (document, variables, headers) => postGraphQL(gateway.url, document, variables, headers),
    close: async () => {
      await gateway.close();
      await emulator.close();
    },
  };
}

/**
 * One stack for the enclosing `describe` (or file): started before its tests and handed to `use`,
 * its emulator counters reset and its read cache emptied before each test (each test counts the
 * calls of its own reads; the per-credential reference lists stay, as in a running gateway),
 * closed after the last; and no request of those tests may have sent Freshdesk a field it refuses
 * (`invalid_field`).
 */
export function withStack(options: StackOptions, use: (stack: Stack) => void): void {
  let stack: Stack | undefined;
  beforeAll(async () => {
    stack = await startStack(options);
    use(stack);
  });
  afterAll(async () => {
    const invalid = stack?.emulator.stats().invalidFieldErrors;
    await stack?.close();
    expect(invalid).toBe(0);
  });
  beforeEach(() => {
    stack?.emulator.resetStats();
    stack?.gateway.app.readCache.clear();
  });
}

/**
 * Counters reset and the read cache emptied: the next query reads what it needs afresh (the
 * per-credential reference lists, and what the gateway learned of list sizes, stay).
 */
export function coldReads(stack: Stack): void {
  stack.emulator.resetStats();
  stack.gateway.app.readCache.clear();
}

export async function postGraphQL<TData>(
  url: string,
  document: string | DocumentNode,
  variables?: unknown,
  headers: Record<string, string> = {},
): Promise<GraphQLResponse<TData>> {
  const query = typeof document === 'string' ? document : print(document);
  const response = await request(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json', ...headers },
    body: JSON.stringify({ query, variables }),
  });
  const text = await response.body.text();
  let body: Omit<GraphQLResponse<TData>, 'status' | 'headers'>;
  try {
    body = JSON.parse(text);
  } catch {
    throw new Error(`gateway answered ${response.statusCode} with non-JSON: ${text.slice(0, 200)}`);
  }
  return { status: response.statusCode, headers: response.headers, ...body };
}
