/**
 * Groups in Freshdesk's shape, the gateway's model and the calls that read them
 * (freshdesk-api.md section 2.6). The list omits `agent_ids`; show carries them.
 */
import type { FreshdeskSession, UpstreamResponse } from './freshdesk-client.ts';
import { idString, type RawId } from './ids.ts';

export interface RawGroup {
  id: RawId;
  name: string;
  description: string | null;
  agent_ids?: RawId[];
  created_at: string;
  updated_at: string;
}

export interface GroupModel {
  id: string;
  name: string;
  description: string | null;
  /** Only when the source was `GET /groups/:id`; the list leaves them out. */
  agentIds: string[] | undefined;
  createdAt: string;
  updatedAt: string;
}

export function toGroupModel(raw: RawGroup): GroupModel {
  return {
    id: idString(raw.id),
    name: raw.name ?? '',
    description: raw.description ?? null,
    agentIds: raw.agent_ids?.map(idString),
    createdAt: raw.created_at,
    updatedAt: raw.updated_at,
  };
}

const PER_PAGE = 100;

/** Every group: all pages of `GET /groups` at 100 a page. */
export async function listAllGroups(session: FreshdeskSession): Promise<GroupModel[]> {
  const groups: GroupModel[] = [];
  let page: number | undefined = 1;
  while (page !== undefined) {
    const response: UpstreamResponse<RawGroup[]> = await session.get<RawGroup[]>('/api/v2/groups', {
      page,
      per_page: PER_PAGE,
    });
    groups.push(...(response.data ?? []).map(toGroupModel));
    page =
      response.nextPage !== undefined && response.nextPage > page ? response.nextPage : undefined;
  }
  return groups;
}

export async function getGroup(session: FreshdeskSession, id: string): Promise<GroupModel> {
  const response = await session.get<RawGroup>(`/api/v2/groups/${id}`);
  return toGroupModel(response.data);
}
