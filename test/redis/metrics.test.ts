/**
 * `/metrics` of a replica sharing Redis: Redis up and the quota shared while Redis answers; both 0
 * while it is cut off (the replica serves from its local share), and back when Redis returns.
 */
import { afterAll, beforeAll, expect, it, vi } from 'vitest';
import { type Stack, startStack, UNTHROTTLED } from '../helpers/gateway.ts';
import { scrape } from '../helpers/metrics.ts';
import { deleteKeys, startTcpProxy, type TcpProxy, testPrefix } from '../helpers/redis.ts';

let stack: Stack;
let link: TcpProxy;
const prefix = testPrefix('metrics');

beforeAll(async () => {
  link = await startTcpProxy();
  stack = await startStack({
    emulator: { ...UNTHROTTLED.emulator, tickets: 10 },
    env: { ...UNTHROTTLED.env, REDIS_URL: link.url, DESKGRAPH_REDIS_PREFIX: prefix },
  });
});

afterAll(async () => {
  await stack?.close();
  await link?.close();
  await deleteKeys(prefix);
});

const gauges = async (): Promise<{ up: number; shared: number }> => {
  const result = await scrape(stack.gateway.origin);
  return {
    up: result.sum('deskgraph_redis_up'),
    shared: result.sum('deskgraph_quota_shared'),
  };
};

it('shows Redis up and the quota shared, then neither while Redis is cut off, then both again', async () => {
  const wait = { timeout: 10_000, interval: 50 };
  // The quota store joins Redis with the first call that needs the budget.
  expect((await stack.gql('{ tickets(first: 1) { nodes { id } } }')).errors).toBeUndefined();
  await vi.waitFor(async () => expect(await gauges()).toEqual({ up: 1, shared: 1 }), wait);
  link.cut();
  await stack.gql('{ tickets(first: 2) { nodes { id } } }');
  await vi.waitFor(async () => expect(await gauges()).toEqual({ up: 0, shared: 0 }), wait);
  link.restore();
  await vi.waitFor(async () => {
    await stack.gql('{ tickets(first: 3) { nodes { id } } }');
    expect(await gauges()).toEqual({ up: 1, shared: 1 });
  }, wait);
});
