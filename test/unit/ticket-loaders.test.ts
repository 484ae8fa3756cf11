/** Per-ticket calls share one bounded limiter: many tickets never mean many calls in flight. */
import { expect, it } from 'vitest';
import type { Context } from '../../src/context.ts';
import { conversationPageLoader } from '../../src/loaders/ticket-conversations.ts';
import { TICKET_CALL_CONCURRENCY } from '../../src/loaders/tickets.ts';
import type { FreshdeskSession } from '../../src/upstream/freshdesk-client.ts';

it("fetches 50 tickets' conversations in 50 calls, at most 8 at a time", async () => {
  let inFlight = 0;
  let peak = 0;
  const paths: string[] = [];
  const session = {
    get: async (path: string) => {
      paths.push(path);
      inFlight += 1;
      peak = Math.max(peak, inFlight);
      await new Promise((resolve) => setImmediate(resolve));
      inFlight -= 1;
      return {
        status: 200,
        data: [],
        nextPage: undefined,
        requestId: undefined,
        credits: 1,
        headers: {},
      };
    },
  } as unknown as FreshdeskSession;
  const ctx = { freshdesk: session, loaders: new Map() } as unknown as Context;
  const loader = conversationPageLoader(ctx);
  const keys = Array.from({ length: 50 }, (_, i) => ({
    ticketId: String(i + 1),
    page: 1,
    perPage: 3,
  }));
  await Promise.all([...keys, ...keys].map((key) => loader.load(key)));
  expect(paths).toHaveLength(50);
  expect(peak).toBe(TICKET_CALL_CONCURRENCY);
  expect(TICKET_CALL_CONCURRENCY).toBeLessThanOrEqual(8);
});
