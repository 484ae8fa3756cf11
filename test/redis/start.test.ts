/**
 * A gateway started while Redis is unreachable: the start does not hang on it, the gateway serves
 * from its local state (and says so on /ready and in its log), and joins the other replicas as soon
 * as Redis answers.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import { WEBHOOK_PATH } from '../../src/freshness/receiver.ts';
import { createLogger } from '../../src/logger.ts';
import { type Gateway, startGateway } from '../../src/server.ts';
import {
  EVENT_FIELDS,
  eventsOf,
  SECRET,
  startFreshStack,
  subscribe,
} from '../freshness/helpers.ts';
import type { Stack } from '../helpers/gateway.ts';
import { UNTHROTTLED } from '../helpers/gateway.ts';
import {
  deleteKeys,
  REDIS_URL,
  startTcpProxy,
  type TcpProxy,
  testPrefix,
} from '../helpers/redis.ts';
import { getJson, postWebhookTo } from '../helpers/replicas.ts';

const SUBSCRIPTION = `subscription { ticketEvents { ${EVENT_FIELDS} } }`;
const prefix = testPrefix('start');
let link: TcpProxy;
let stack: Stack;
let other: Gateway | undefined;

beforeAll(async () => {
  link = await startTcpProxy(REDIS_URL);
  link.cut();
  stack = await startFreshStack({ REDIS_URL: link.url, DESKGRAPH_REDIS_PREFIX: prefix });
});
afterAll(async () => {
  await other?.close();
  await stack?.close();
  await link?.close();
  await deleteKeys(prefix);
});

const webhookOf = (origin: string) => ({ webhookUrl: `${origin}${WEBHOOK_PATH}` });
const change = async (index: number): Promise<string> => {
  const ticket = [...stack.emulator.data.tickets.values()].filter((t) => !t.deleted && !t.spam)[
    index
  ]!;
  ticket.updated_at = new Date(Date.now() + 1_000 * (index + 1))
    .toISOString()
    .replace(/\.\d{3}Z$/, 'Z');
  return String(ticket.id);
};

it('starts without Redis, serves locally, says so; joins the others once Redis answers', async () => {
  const { origin } = stack.gateway;
  const ready = await getJson({ origin }, '/ready');
  expect(ready.status).toBe(200);
  expect(ready.body.redis).toMatchObject({ status: 'connecting', lastError: expect.any(String) });
  expect(stack.logs.some((l) => l.includes('redis not reachable at start'))).toBe(true);

  const sse = await subscribe(stack.gateway.url, SUBSCRIPTION);
  try {
    const alone = await change(0);
    expect((await postWebhookTo(webhookOf(origin), { ticket_id: alone }, SECRET)).status).toBe(202);
    expect(eventsOf(await sse.waitFor(1))[0]).toMatchObject({ ticketId: alone });

    // Redis answers: this gateway connects, and a second one (straight to Redis) shares with it.
    link.restore();
    expect(await stack.gateway.redis!.ready(10_000)).toBe(true);
    expect((await getJson({ origin }, '/ready')).body.redis).toMatchObject({ status: 'up' });
    const config = loadConfig({
      ...UNTHROTTLED.env,
      FRESHDESK_BASE_URL: stack.emulator.origin,
      FRESHDESK_API_KEY: stack.emulator.apiKeys.admin,
      PORT: '0',
      DESKGRAPH_RECONCILE_INTERVAL_MS: '0',
      DESKGRAPH_WEBHOOK_SECRET: SECRET,
      REDIS_URL,
      DESKGRAPH_REDIS_PREFIX: prefix,
    });
    other = await startGateway({
      config,
      upstreamOrigin: stack.emulator.origin,
      logger: createLogger({ level: 'silent' }),
    });
    const shared = await change(1);
    expect(
      (await postWebhookTo(webhookOf(other.origin), { ticket_id: shared }, SECRET)).status,
    ).toBe(202);
    expect(eventsOf(await sse.waitFor(2, 2_000))[1]).toMatchObject({ ticketId: shared });
  } finally {
    sse.close();
  }
});
