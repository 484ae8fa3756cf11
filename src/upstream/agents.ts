/**
 * Agents in Freshdesk's shape, the gateway's model and the calls that read them
 * (freshdesk-api.md section 2.4). The list and show are admin-only; `/agents/me` is not.
 */
import type { FreshdeskSession, UpstreamResponse } from './freshdesk-client.ts';
import { idString, type RawId } from './ids.ts';

export interface RawAgent {
  id: RawId;
  available: boolean;
  occasional: boolean;
  group_ids?: RawId[];
  created_at: string;
  updated_at: string;
  contact: {
    name: string;
    email: string;
    phone?: string | null;
    mobile?: string | null;
    active?: boolean;
  };
}

export interface AgentModel {
  id: string;
  name: string;
  email: string;
  available: boolean;
  occasional: boolean;
  groupIds: string[];
  createdAt: string;
  updatedAt: string;
}

export function toAgentModel(raw: RawAgent): AgentModel {
  return {
    id: idString(raw.id),
    name: raw.contact?.name ?? '',
    email: raw.contact?.email ?? '',
    available: raw.available === true,
    occasional: raw.occasional === true,
    groupIds: (raw.group_ids ?? []).map(idString),
    createdAt: raw.created_at,
    updatedAt: raw.updated_at,
  };
}

/** Freshdesk's largest page. */
const PER_PAGE = 100;

/** Every agent: all pages of `GET /agents` at 100 a page (one call per page). */
export async function listAllAgents(session: FreshdeskSession): Promise<AgentModel[]> {
  const agents: AgentModel[] = [];
  let page: number | undefined = 1;
  while (page !== undefined) {
    const response: UpstreamResponse<RawAgent[]> = await session.get<RawAgent[]>('/api/v2/agents', {
      page,
      per_page: PER_PAGE,
    });
    agents.push(...(response.data ?? []).map(toAgentModel));
    page =
      response.nextPage !== undefined && response.nextPage > page ? response.nextPage : undefined;
  }
  return agents;
}

export async function getAgent(session: FreshdeskSession, id: string): Promise<AgentModel> {
  const response = await session.get<RawAgent>(`/api/v2/agents/${id}`);
  return toAgentModel(response.data);
}

/** The agent who owns the API key; allowed for every agent, admin or not. */
export async function getMe(session: FreshdeskSession): Promise<AgentModel> {
  const response = await session.get<RawAgent>('/api/v2/agents/me');
  return toAgentModel(response.data);
}
