/**
 * Agents and groups: both come as whole lists (all pages, 100 a page), reused per credential for
 * `REFERENCE_TTL_MS`, never one call per id. An id missing from the list (created since it was
 * loaded, or unknown) falls back to one deduplicated `GET /:id`. A key that may not list them (a
 * plain agent's: 403) is remembered as such, and only its own agent (`/agents/me`) is within reach.
 */
import type { Context } from '../context.ts';
import { perRequest } from '../context.ts';
import { AGENTS, type CacheEntry, type Directory, GROUPS, ME } from '../plan/entries.ts';
import { type AgentModel, getAgent, getMe, listAllAgents } from '../upstream/agents.ts';
import type { FreshdeskSession } from '../upstream/freshdesk-client.ts';
import { type GroupModel, getGroup, listAllGroups } from '../upstream/groups.ts';
import { pathId } from '../upstream/ids.ts';
import { isHttpStatus } from '../upstream/upstream-error.ts';
import { byIdSlot } from './limit.ts';
import { cachedReference } from './references.ts';

async function directory<T extends { id: string }>(
  ctx: Context,
  entry: CacheEntry<Directory<T>>,
  list: (session: FreshdeskSession) => Promise<T[]>,
): Promise<Directory<T>> {
  return cachedReference(ctx, entry, async (session): Promise<Directory<T>> => {
    try {
      const all = await list(session);
      return { all, byId: new Map(all.map((item) => [item.id, item])), forbidden: undefined };
    } catch (error) {
      // Remembered like a list: asking again within the TTL would be refused again.
      if (isHttpStatus(error, 403)) {
        return { all: [], byId: new Map(), forbidden: error };
      }
      throw error;
    }
  });
}

/** Every agent of the account (cached per credential); `forbidden` for non-admin keys. */
export const agentDirectory = (ctx: Context): Promise<Directory<AgentModel>> =>
  directory(ctx, AGENTS, listAllAgents);

/** Every group of the account (cached per credential); `forbidden` for non-admin keys. */
export const groupDirectory = (ctx: Context): Promise<Directory<GroupModel>> =>
  directory(ctx, GROUPS, listAllGroups);

/** The agent who owns the caller's key (`GET /agents/me`, allowed for all; cached per credential). */
export const loadMe = (ctx: Context): Promise<AgentModel> => cachedReference(ctx, ME, getMe);

const AGENT_BY_ID = byIdSlot('agent-by-id', (ctx, id) => getAgent(ctx.freshdesk, id));
const GROUP_BY_ID = byIdSlot('group-by-id', (ctx, id) => getGroup(ctx.freshdesk, id));

/** One agent; rejects with Freshdesk's error (404, 403) when it cannot be had. */
export async function fetchAgent(ctx: Context, id: string): Promise<AgentModel> {
  const agent = await listedAgent(ctx, id);
  if (agent) {
    return agent;
  }
  const agents = await agentDirectory(ctx);
  if (agents.forbidden) {
    // `/agents/:id` is admin-only too: only the caller's own agent is within reach.
    throw agents.forbidden;
  }
  return perRequest(ctx, AGENT_BY_ID).load(id);
}

/**
 * The agent with this id from the cached list alone, never a per-id call: the agent, null when the
 * complete list lacks the id (e.g. a conversation author who is a contact), or undefined when this
 * key may not list agents and the id is not its own. For telling agents from contacts (the
 * `Person` union) without asking Freshdesk about ids that are not agents.
 */
export async function listedAgent(
  ctx: Context,
  id: string,
): Promise<AgentModel | null | undefined> {
  const agents = await agentDirectory(ctx);
  if (agents.forbidden) {
    const me = await loadMe(ctx);
    return me.id === id ? me : undefined;
  }
  return agents.byId.get(id) ?? null;
}

/**
 * One agent, or null when Freshdesk has no such agent. Other failures reject. An id missing from the
 * list costs one `GET /agents/:id`: to ask "is this user an agent?" use `listedAgent` instead.
 */
export async function loadAgent(ctx: Context, id: string): Promise<AgentModel | null> {
  if (pathId(id) === undefined) {
    return null;
  }
  return fetchAgent(ctx, id).catch((error: unknown) => {
    if (isHttpStatus(error, 404)) {
      return null;
    }
    throw error;
  });
}

/** One group; rejects with Freshdesk's error (404, 403) when it cannot be had. */
export async function fetchGroup(ctx: Context, id: string): Promise<GroupModel> {
  const groups = await groupDirectory(ctx);
  const listed = groups.byId.get(id);
  if (listed) {
    return listed;
  }
  if (groups.forbidden) {
    throw groups.forbidden;
  }
  return perRequest(ctx, GROUP_BY_ID).load(id);
}

/** One group, or null when Freshdesk has no such group. Other failures reject. */
export async function loadGroup(ctx: Context, id: string): Promise<GroupModel | null> {
  if (pathId(id) === undefined) {
    return null;
  }
  return fetchGroup(ctx, id).catch((error: unknown) => {
    if (isHttpStatus(error, 404)) {
      return null;
    }
    throw error;
  });
}

/**
 * A group's members. The group list omits `agent_ids`, but every listed agent carries its
 * `group_ids`, so membership comes from the cached agent list: no call per group.
 */
export async function groupMembers(ctx: Context, group: GroupModel): Promise<AgentModel[]> {
  if (group.agentIds !== undefined) {
    const agents = await Promise.all(group.agentIds.map((id) => loadAgent(ctx, id)));
    return agents.filter((agent): agent is AgentModel => agent !== null);
  }
  const agents = await agentDirectory(ctx);
  if (agents.forbidden) {
    throw agents.forbidden;
  }
  return agents.all.filter((agent) => agent.groupIds.includes(group.id));
}
