/**
 * Test helpers for the emulator: `withEmulator()` starts one per test file (beforeAll/afterAll),
 * and `api()` talks to it over a real socket with Basic auth.
 */
import { request } from 'undici';
import { afterAll, beforeAll } from 'vitest';
import { type Emulator, type EmulatorOptions, startEmulator } from '../../src/emulator/index.ts';

/** Starts an emulator before the file's tests and closes it after; read `.current` inside tests. */
export function withEmulator(options: EmulatorOptions | (() => EmulatorOptions) = {}): {
  readonly current: Emulator;
} {
  let emulator: Emulator | undefined;
  beforeAll(async () => {
    emulator = await startEmulator(typeof options === 'function' ? options() : options);
  });
  afterAll(async () => {
    await emulator?.close();
  });
  return {
    get current(): Emulator {
      if (!emulator) {
        throw new Error('The emulator is not running (use it inside a test)');
      }
      return emulator;
    },
  };
}

export interface ApiCall {
  /** API key; `null` sends no Authorization. @default the admin key */
  key?: string | null;
  /** A raw `Authorization` header (overrides `key`). */
  authorization?: string;
  /** JSON body (sent with `Content-Type: application/json` unless `headers` says otherwise). */
  body?: unknown;
  /** A raw body, sent as is (no Content-Type added). */
  rawBody?: string;
  headers?: Record<string, string>;
  /** Client-side timeouts, for fault tests. */
  timeoutMs?: number;
}

export interface ApiReply<T = unknown> {
  status: number;
  headers: Record<string, string>;
  text: string;
  /** The parsed body, or `undefined` when it is empty or not JSON. */
  body: T;
}

export const basicAuth = (user: string, password = 'X'): string =>
  `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

/** One request to the emulator; `path` is below `/api/v2` unless it starts with `/_emulator`. */
export async function api<T = unknown>(
  emulator: Emulator,
  method: string,
  path: string,
  call: ApiCall = {},
): Promise<ApiReply<T>> {
  const headers: Record<string, string> = {};
  const key = call.key === undefined ? emulator.apiKeys.admin : call.key;
  if (call.authorization !== undefined) {
    headers.authorization = call.authorization;
  } else if (key !== null) {
    headers.authorization = basicAuth(key);
  }
  let body: string | undefined;
  if (call.rawBody !== undefined) {
    body = call.rawBody;
  } else if (call.body !== undefined) {
    body = JSON.stringify(call.body);
    headers['content-type'] = 'application/json';
  }
  Object.assign(headers, call.headers);
  const url = path.startsWith('/_emulator')
    ? `${emulator.origin}${path}`
    : `${emulator.origin}/api/v2${path}`;
  const response = await request(url, {
    method: method as 'GET',
    headers,
    body,
    headersTimeout: call.timeoutMs,
    bodyTimeout: call.timeoutMs,
  });
  const text = await response.body.text();
  const flat: Record<string, string> = {};
  for (const [name, value] of Object.entries(response.headers)) {
    if (value !== undefined) {
      flat[name] = Array.isArray(value) ? value.join(', ') : value;
    }
  }
  let parsed: unknown;
  try {
    parsed = text === '' ? undefined : JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  return { status: response.statusCode, headers: flat, text, body: parsed as T };
}
