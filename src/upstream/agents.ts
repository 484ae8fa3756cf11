/**
 * Agents in Freshdesk's shape, the gateway's model and the calls that read them
 * (freshdesk-api.md section 2.4). The list and show are admin-only; `/agents/me` is not.
 */
import type { FreshdeskSession, UpstreamResponse } from './freshdesk-client.ts';
import { idString, type RawId } from './ids.ts';
import * as shape from './shape.ts';

export interface RawAgent {
  id: RawId;
  available: boolean;
  occasional: boolean;
  group_ids?: RawId[];
  created_at: string;
  updated_at?: string | null;
  contact: {
    name: string;
    email: string;
    phone?: string | null;
    mobile?: string | null;
    active?: boolean;
  };
}

const checkAgentContact = shape.record(
  (c) =>
    shape.text(c.name, 'name') ??
    shape.text(c.email, 'email') ??
    shape.optionalText(c.phone, 'phone') ??
    shape.optionalText(c.mobile, 'mobile') ??
    shape.optionalFlag(c.active, 'active'),
);

/** What `toAgentModel` reads of an agent (freshdesk-api.md section 2.4). */
export const checkAgent: shape.Check = shape.record(
  (a) =>
    shape.id(a.id, 'id') ??
    shape.flag(a.available, 'available') ??
    shape.flag(a.occasional, 'occasional') ??
    shape.optionalIdList(a.group_ids, 'group_ids') ??
    shape.instant(a.created_at, 'created_at') ??
    shape.optionalInstant(a.updated_at, 'updated_at') ??
    shape.nested(a.contact, 'contact', checkAgentContact),
);

const AGENT_PAGE = shape.list(checkAgent);

export interface AgentModel {
  id: string;
  name: string;
  email: string;
  available: boolean;
  occasional: boolean;
  groupIds: string[];
  createdAt: string;
  /** Not shown by the schema; null when Freshdesk left it out. */
  updatedAt: string | null;
}

/** The model of an agent that passed `checkAgent`. */
export function toAgentModel(raw: RawAgent): AgentModel {
  return {
    id: idString(raw.id),
    name: raw.contact.name,
    email: raw.contact.email,
    available: raw.available,
    occasional: raw.occasional,
    groupIds: (raw.group_ids ?? []).map(idString),
    createdAt: raw.created_at,
    updatedAt: raw.updated_at ?? null,
  };
}

/** Freshdesk's largest page. */
const PER_PAGE = 100;

/** Every agent: all pages of `GET /agents` at 100 a page (one call per page). */
export async function listAllAgents(session: FreshdeskSession): Promise<AgentModel[]> {
  const agents: AgentModel[] = [];
  let page: number | undefined = 1;
  while (page !== undefined) {
    const response: UpstreamResponse<unknown> = await session.get<unknown>('/api/v2/agents', {
      page,
      per_page: PER_PAGE,
    });
    for (const raw of shape.checked<RawAgent[]>(response, AGENT_PAGE)) {
      agents.push(toAgentModel(raw));
    }
    page =
      response.nextPage !== undefined && response.nextPage > page ? response.nextPage : undefined;
  }
  return agents;
}

export async function getAgent(session: FreshdeskSession, id: string): Promise<AgentModel> {
  const response = await session.get<unknown>(`/api/v2/agents/${id}`);
  return toAgentModel(shape.checked<RawAgent>(response, checkAgent));
}

/** The agent who owns the API key; allowed for every agent, admin or not. */
export async function getMe(session: FreshdeskSession): Promise<AgentModel> {
  const response = await session.get<unknown>('/api/v2/agents/me');
  return toAgentModel(shape.checked<RawAgent>(response, checkAgent));
}
