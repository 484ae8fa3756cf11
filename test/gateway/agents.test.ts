/**
 * Agents and groups over real sockets: every field against the emulator's data, and the loading
 * plan (whole lists per credential, reused across requests; never one call per id).
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { AgentRecord, EmulatorData, GroupRecord } from '../../src/emulator/records.ts';
import { seedData } from '../../src/emulator/seed.ts';
import {
  AgentByIdDocument,
  AgentsPageDocument,
  GroupsDocument,
  MeDocument,
} from '../gql/graphql.ts';
import { type Stack, startStack } from '../helpers/gateway.ts';

const callsOf = (stack: Stack) => stack.emulator.stats();

/** Seeded data plus extra agents and groups, so that each list takes two pages of 100. */
function bigDirectoryData(): EmulatorData {
  const data = seedData({ seed: 7, tickets: 20 });
  const [template] = data.agents.values();
  const [groupTemplate] = data.groups.values();
  if (!template || !groupTemplate) {
    throw new Error('seed has no agents or groups');
  }
  for (let i = 0; i < 110; i++) {
    const id = data.nextId++;
    const group: GroupRecord = { ...groupTemplate, id, name: `Extra group ${i}`, agent_ids: [] };
    data.groups.set(id, group);
  }
  const groupIds = [...data.groups.keys()];
  for (let i = 0; i < 105; i++) {
    const id = data.nextId++;
    const memberOf = [groupIds[i % groupIds.length] as number];
    const agent: AgentRecord = {
      ...template,
      id,
      group_ids: memberOf,
      _admin: false,
      contact: { ...template.contact, name: `Extra Agent ${i}`, email: `extra${i}@agents.test` },
    };
    data.agents.set(id, agent);
    for (const groupId of memberOf) {
      data.groups.get(groupId)?.agent_ids.push(id);
    }
  }
  return data;
}

const agentAliases = (ids: readonly number[]) =>
  `{ ${ids.map((id, i) => `a${i}: agent(id: "${id}") { id name groups { id name } }`).join(' ')} }`;

describe('agents and groups (seeded emulator)', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ emulator: { tickets: 20, rateLimit: false } });
  });
  afterAll(async () => {
    expect(stack.emulator.stats().invalidFieldErrors).toBe(0);
    await stack.close();
  });
  beforeEach(() => stack.emulator.resetStats());

  it('resolves every Agent field with the emulator values, ids as exact strings', async () => {
    const agents = [...stack.emulator.data.agents.values()];
    const result = await stack.gql(AgentsPageDocument, { first: 100 });
    expect(result.errors).toBeUndefined();
    const nodes = result.data?.agents.edges.map((e) => e.node) ?? [];
    expect(nodes).toHaveLength(agents.length);
    for (const node of nodes) {
      const agent = stack.emulator.data.agents.get(Number(node.id));
      expect(agent, node.id).toBeDefined();
      if (!agent) {
        continue;
      }
      expect(Number(node.id)).toBeGreaterThan(2 ** 32);
      expect(node.id).toBe(String(agent.id));
      expect(node).toMatchObject({
        name: agent.contact.name,
        email: agent.contact.email,
        available: agent.available,
        occasional: agent.occasional,
        createdAt: agent.created_at,
      });
      expect(node.createdAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
      expect(node.groups.map((g) => g.id).sort()).toEqual(agent.group_ids.map(String).sort());
      for (const group of node.groups) {
        expect(group.name).toBe(stack.emulator.data.groups.get(Number(group.id))?.name);
      }
    }
    expect(result.data?.agents.pageInfo.hasNextPage).toBe(false);
    // One agents page and one groups page, whatever the number of agents and memberships.
    expect(callsOf(stack).calls).toEqual({ 'GET /agents': 1, 'GET /groups': 1 });
  });

  it('serves agent(id), agents paging and groups from the warm lists without any call', async () => {
    const [first] = stack.emulator.data.agents.values();
    await stack.gql(AgentsPageDocument, { first: 1 });
    stack.emulator.resetStats();
    const one = await stack.gql(AgentByIdDocument, { id: String(first?.id) });
    expect(one.data?.agent?.name).toBe(first?.contact.name);
    const seen: string[] = [];
    let after: string | null | undefined;
    do {
      const page = await stack.gql(AgentsPageDocument, { first: 7, after });
      seen.push(...(page.data?.agents.edges.map((e) => e.node.id) ?? []));
      after = page.data?.agents.pageInfo.hasNextPage ? page.data.agents.pageInfo.endCursor : null;
    } while (after);
    expect(new Set(seen).size).toBe(stack.emulator.data.agents.size);
    expect(seen).toHaveLength(stack.emulator.data.agents.size);
    const groups = await stack.gql(GroupsDocument);
    expect(groups.errors).toBeUndefined();
    expect(callsOf(stack).totalCalls).toBe(0);
  });

  it('resolves every Group field, members included, from the lists alone', async () => {
    const result = await stack.gql(GroupsDocument);
    expect(result.errors).toBeUndefined();
    const groups = result.data?.groups ?? [];
    expect(groups).toHaveLength(stack.emulator.data.groups.size);
    for (const group of groups) {
      const record = stack.emulator.data.groups.get(Number(group.id));
      expect(record).toBeDefined();
      expect(group).toMatchObject({ name: record?.name, description: record?.description });
      expect(group.agents.map((a) => a.id).sort()).toEqual(
        (record?.agent_ids ?? []).map(String).sort(),
      );
    }
    expect(callsOf(stack).calls['GET /groups/:id']).toBeUndefined();
  });

  it('returns null with NOT_FOUND for an unknown agent, after one show call', async () => {
    await stack.gql(AgentsPageDocument, { first: 1 });
    stack.emulator.resetStats();
    const result = await stack.gql(AgentByIdDocument, { id: '99999999999' });
    expect(result.data?.agent).toBeNull();
    expect(result.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    expect(callsOf(stack).calls).toEqual({ 'GET /agents/:id': 1 });
    const bad = await stack.gql(AgentByIdDocument, { id: 'abc' });
    expect(bad.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  });

  it('answers me with the key owner', async () => {
    const adminId = stack.emulator.data.apiKeys.get(stack.emulator.apiKeys.admin);
    const result = await stack.gql(MeDocument);
    expect(result.data?.me?.id).toBe(String(adminId));
    expect(result.data?.me?.email).toBe(
      stack.emulator.data.agents.get(adminId ?? 0)?.contact.email,
    );
  });
});

describe('agent and group lookups by id (two list pages each)', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ emulator: { data: bigDirectoryData(), rateLimit: false } });
  });
  afterAll(async () => {
    expect(stack.emulator.stats().invalidFieldErrors).toBe(0);
    await stack.close();
  });

  it('costs one call per list page cold and nothing warm for 30 distinct agents and their groups', async () => {
    const ids = [...stack.emulator.data.agents.keys()].slice(-30);
    expect(new Set(ids).size).toBe(30);
    stack.emulator.resetStats();
    const cold = await stack.gql(agentAliases(ids));
    expect(cold.errors).toBeUndefined();
    ids.forEach((id, i) => {
      const node = cold.data?.[`a${i}`] as { id: string; name: string; groups: { id: string }[] };
      const record = stack.emulator.data.agents.get(id);
      expect(node.id).toBe(String(id));
      expect(node.name).toBe(record?.contact.name);
      expect(node.groups.map((g) => g.id)).toEqual(record?.group_ids.map(String));
    });
    // 130 agents and 118 groups: two pages of 100 each.
    expect(callsOf(stack).calls).toEqual({ 'GET /agents': 2, 'GET /groups': 2 });

    stack.emulator.resetStats();
    const warm = await stack.gql(agentAliases(ids));
    expect(warm.data).toEqual(cold.data);
    expect(callsOf(stack).totalCalls).toBe(0);
    expect((warm.extensions?.cost as { cacheHits: number } | undefined)?.cacheHits).toBeGreaterThan(
      0,
    );
  });
});

describe('concurrent cold requests', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ emulator: { tickets: 20, rateLimit: false } });
  });
  afterAll(async () => {
    await stack.close();
  });

  it('share one in-flight load of each list', async () => {
    stack.emulator.resetStats();
    const results = await Promise.all(
      Array.from({ length: 6 }, () =>
        stack.gql('{ agents(first: 5) { nodes { id groups { name } } } groups { id } }'),
      ),
    );
    for (const result of results) {
      expect(result.errors).toBeUndefined();
    }
    expect(callsOf(stack).calls).toEqual({ 'GET /agents': 1, 'GET /groups': 1 });
  });
});

describe('reference caches per credential (passthrough keys)', () => {
  let stack: Stack;
  const as = (key: string) => ({ 'x-freshdesk-api-key': key });
  beforeAll(async () => {
    stack = await startStack({
      emulator: { tickets: 20, rateLimit: false },
      env: { DESKGRAPH_AUTH: 'passthrough' },
    });
  });
  afterAll(async () => {
    expect(stack.emulator.stats().invalidFieldErrors).toBe(0);
    await stack.close();
  });
  beforeEach(() => stack.emulator.resetStats());

  it('never serves one key the agents another key loaded', async () => {
    const { admin, restricted } = stack.emulator.apiKeys;
    const restrictedId = String(stack.emulator.data.apiKeys.get(restricted));
    const asAdmin = await stack.gql(AgentsPageDocument, { first: 100 }, as(admin));
    expect(asAdmin.errors).toBeUndefined();
    expect(callsOf(stack).calls['GET /agents']).toBe(1);

    stack.emulator.resetStats();
    const asRestricted = await stack.gql(AgentsPageDocument, { first: 100 }, as(restricted));
    expect(asRestricted.data).toBeNull();
    expect(asRestricted.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    // The restricted key asked Freshdesk itself (and was refused), instead of reading the admin's list.
    expect(callsOf(stack).calls['GET /agents']).toBe(1);

    stack.emulator.resetStats();
    // Groups are admin-only, so the restricted key asks for agent fields only.
    const me = await stack.gql<{ me: { id: string } | null }>(
      '{ me { id name email } }',
      {},
      as(restricted),
    );
    expect(me.data?.me?.id).toBe(restrictedId);
    const own = await stack.gql<{ agent: { id: string } | null }>(
      `{ agent(id: "${restrictedId}") { id name } }`,
      {},
      as(restricted),
    );
    expect(own.data?.agent?.id).toBe(restrictedId);
    const adminId = String(stack.emulator.data.apiKeys.get(admin));
    const other = await stack.gql(`{ agent(id: "${adminId}") { id } }`, {}, as(restricted));
    expect(other.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    // `/agents/me` once; the refused list is remembered, so no further list or show calls.
    expect(callsOf(stack).calls).toEqual({ 'GET /agents/me': 1 });

    stack.emulator.resetStats();
    const again = await stack.gql(AgentsPageDocument, { first: 100 }, as(admin));
    expect(again.data?.agents.edges).toHaveLength(stack.emulator.data.agents.size);
    expect(callsOf(stack).totalCalls).toBe(0);
  });
});
