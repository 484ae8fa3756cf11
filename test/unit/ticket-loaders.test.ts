/** An operation's fan-out calls share one bounded limiter: many tickets never mean many calls in flight. */
import { expect, it } from 'vitest';
import type { Context } from '../../src/context.ts';
import { contactLoader } from '../../src/loaders/contacts.ts';
import { CredentialCache } from '../../src/loaders/credential-cache.ts';
import { DEFAULT_OPERATION_CONCURRENCY } from '../../src/loaders/limit.ts';
import { rememberListSize } from '../../src/loaders/list-scan.ts';
import { conversationPageLoader } from '../../src/loaders/ticket-conversations.ts';
import { CONTACT_SCAN_MAX_PAGES } from '../../src/plan/rules.ts';
import type { FreshdeskSession } from '../../src/upstream/freshdesk-client.ts';

it("fetches 50 tickets' conversations and 20 contacts in 70 calls, at most 16 at a time", async () => {
  let inFlight = 0;
  let peak = 0;
  const paths: string[] = [];
  const get = async (path: string) => {
    paths.push(path);
    inFlight += 1;
    peak = Math.max(peak, inFlight);
    await new Promise((resolve) => setImmediate(resolve));
    inFlight -= 1;
    const contact = {
      id: Number(path.split('/').at(-1)),
      name: 'A contact',
      active: true,
      created_at: '2026-01-01T00:00:00Z',
      updated_at: '2026-01-01T00:00:00Z',
    };
    return {
      method: 'GET',
      path,
      status: 200,
      data: path.includes('/contacts/') ? contact : [],
      nextPage: undefined,
      requestId: undefined,
      credits: 1,
      headers: {},
    };
  };
  const session = {
    get,
    read: (request: { path: string }) => get(request.path),
  } as unknown as FreshdeskSession;
  const ctx = {
    freshdesk: session,
    loaders: new Map(),
    shared: new CredentialCache(),
    quota: { credentialState: () => 'verified' },
  } as unknown as Context;
  // An account known to have more contacts than a scan reads: contacts load by id.
  rememberListSize(ctx, 'contacts', { pages: CONTACT_SCAN_MAX_PAGES, complete: false });
  const loader = conversationPageLoader(ctx);
  const keys = Array.from({ length: 50 }, (_, i) => ({
    ticketId: String(i + 1),
    page: 1,
    perPage: 3,
  }));
  const contacts = Array.from({ length: 20 }, (_, i) => String(1000 + i));
  const contactsLoaded = Promise.all(contacts.map((id) => contactLoader(ctx).load(id)));
  await Promise.all([...keys, ...keys].map((key) => loader.load(key)));
  await contactsLoaded;
  expect(paths.filter((p) => p.includes('/conversations'))).toHaveLength(50);
  expect(paths.filter((p) => p.includes('/contacts/'))).toHaveLength(20);
  expect(peak).toBe(DEFAULT_OPERATION_CONCURRENCY);
});
