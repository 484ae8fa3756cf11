/**
 * Helpers for the freshness suites: an SSE client for `ticketEvents` (as a browser's EventSource
 * would read Yoga's `text/event-stream`), a webhook poster, and a stack with webhooks on.
 */
import { request } from 'undici';
import { expect } from 'vitest';
import { WEBHOOK_PATH } from '../../src/freshness/receiver.ts';
import { installRules } from '../../src/freshness/rules.ts';
import { type Stack, type StackOptions, startStack, UNTHROTTLED } from '../helpers/gateway.ts';

export const SECRET = 'test-webhook-secret-0123456789';

export interface EventResult {
  data?: { ticketEvents: Record<string, unknown> } | null;
  errors?: { message: string; extensions?: Record<string, unknown> }[];
}

export interface Sse {
  /** Every `next` payload so far, in order. */
  results: EventResult[];
  /** True once the server sent `complete` or closed the stream. */
  readonly completed: boolean;
  /** Resolves once `count` results have arrived (rejects after `timeoutMs`). */
  waitFor(count: number, timeoutMs?: number): Promise<EventResult[]>;
  /** Resolves once the stream has ended. */
  ended(timeoutMs?: number): Promise<void>;
  close(): void;
}

/** Opens an SSE subscription; resolves once the gateway has answered (the subscription is live). */
export async function subscribe(
  url: string,
  query: string,
  variables: Record<string, unknown> = {},
  headers: Record<string, string> = {},
): Promise<Sse> {
  const abort = new AbortController();
  const response = await request(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'text/event-stream', ...headers },
    body: JSON.stringify({ query, variables }),
    signal: abort.signal,
  });
  expect(response.headers['content-type']).toMatch(/text\/event-stream/);
  const results: EventResult[] = [];
  let completed = false;
  let wake: (() => void)[] = [];
  const notify = (): void => {
    const waiting = wake;
    wake = [];
    for (const resolve of waiting) {
      resolve();
    }
  };
  void (async () => {
    let buffer = '';
    try {
      for await (const chunk of response.body) {
        buffer += chunk.toString();
        let at = buffer.indexOf('\n\n');
        while (at !== -1) {
          const block = buffer.slice(0, at);
          buffer = buffer.slice(at + 2);
          const lines = block.split('\n');
          const event = lines
            .find((l) => l.startsWith('event:'))
            ?.slice(6)
            .trim();
          const data = lines
            .filter((l) => l.startsWith('data:'))
            .map((l) => l.slice(5).trim())
            .join('\n');
          if (event === 'next' && data) {
            results.push(JSON.parse(data) as EventResult);
          } else if (event === 'complete') {
            completed = true;
          }
          notify();
          at = buffer.indexOf('\n\n');
        }
      }
    } catch {
      // Closed by us.
    }
    completed = true;
    notify();
  })();
  const until = async (ready: () => boolean, timeoutMs: number, what: string): Promise<void> => {
    const deadline = Date.now() + timeoutMs;
    while (!ready()) {
      const left = deadline - Date.now();
      if (left <= 0) {
        throw new Error(`timed out waiting for ${what}; got ${JSON.stringify(results)}`);
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        wake.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  };
  return {
    results,
    get completed() {
      return completed;
    },
    async waitFor(count, timeoutMs = 10_000) {
      await until(() => results.length >= count, timeoutMs, `${count} events`);
      return results;
    },
    async ended(timeoutMs = 10_000) {
      await until(() => completed, timeoutMs, 'the end of the stream');
    },
    close: () => abort.abort(),
  };
}

export const EVENT_FIELDS = 'id kind ticketId source origin triggeredEvent updatedAt receivedAt';

/** The event objects of `results` (throws on an error result). */
export function eventsOf(results: EventResult[]): Record<string, unknown>[] {
  return results.map((result) => {
    if (!result.data?.ticketEvents) {
      throw new Error(`not an event: ${JSON.stringify(result)}`);
    }
    return result.data.ticketEvents;
  });
}

/** The gateway's webhook URL as the emulator reaches it. */
export const webhookUrl = (stack: Stack): string =>
  `http://127.0.0.1:${new URL(stack.gateway.origin).port}${WEBHOOK_PATH}`;

export interface PostResult {
  status: number;
  body: Record<string, unknown> | undefined;
  text: string;
}

/** POSTs a webhook body to the gateway; `secret: null` sends none. */
export async function postWebhook(
  stack: Stack,
  body: string | Record<string, unknown>,
  options: { secret?: string | null; contentType?: string; headers?: Record<string, string> } = {},
): Promise<PostResult> {
  const headers: Record<string, string> = {
    'content-type': options.contentType ?? 'application/json',
    'user-agent': 'Freshdesk',
    ...options.headers,
  };
  const secret = options.secret === undefined ? SECRET : options.secret;
  if (secret !== null) {
    headers['x-webhook-secret'] = secret;
  }
  const response = await request(webhookUrl(stack), {
    method: 'POST',
    headers,
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await response.body.text();
  let parsed: Record<string, unknown> | undefined;
  try {
    parsed = JSON.parse(text) as Record<string, unknown>;
  } catch {
    parsed = undefined;
  }
  return { status: response.statusCode, body: parsed, text };
}

/** A stack (small emulator, no rate limits) with webhooks on; the sweep only when asked. */
export function startFreshStack(
  env: Record<string, string> = {},
  emulator: StackOptions['emulator'] = {},
): Promise<Stack> {
  return startStack({
    emulator: { ...UNTHROTTLED.emulator, tickets: 60, ...emulator },
    env: { ...UNTHROTTLED.env, DESKGRAPH_WEBHOOK_SECRET: SECRET, ...env },
  });
}

/** Installs the two rules in the stack's emulator, pointing at its gateway. */
export async function installStackRules(stack: Stack): Promise<void> {
  await installRules(
    stack.gateway.client.session({
      apiKey: stack.emulator.apiKeys.admin,
      deadline: Date.now() + 10_000,
    }),
    { url: webhookUrl(stack), secret: SECRET },
  );
}
