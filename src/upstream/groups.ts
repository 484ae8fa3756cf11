/**
 * Groups in Freshdesk's shape, the gateway's model and the calls that read them
 * (freshdesk-api.md section 2.6). The list omits `agent_ids`; show carries them.
 */
import type { FreshdeskSession, UpstreamResponse } from './freshdesk-client.ts';
import { idString, type RawId } from './ids.ts';
import * as shape from './shape.ts';

export interface RawGroup {
  id: RawId;
  name: string;
  description: string | null;
  agent_ids?: RawId[];
  created_at?: string | null;
  updated_at?: string | null;
}

/**
 * What `toGroupModel` reads of a group (freshdesk-api.md section 2.6). Its times are not shown by
 * the schema: checked when present, not required.
 */
export const checkGroup: shape.Check = shape.record(
  (g) =>
    shape.id(g.id, 'id') ??
    shape.text(g.name, 'name') ??
    shape.optionalText(g.description, 'description') ??
    shape.optionalIdList(g.agent_ids, 'agent_ids') ??
    shape.optionalInstant(g.created_at, 'created_at') ??
    shape.optionalInstant(g.updated_at, 'updated_at'),
);

const GROUP_PAGE = shape.list(checkGroup);

export interface GroupModel {
  id: string;
  name: string;
  description: string | null;
  /** Only when the source was `GET /groups/:id`; the list leaves them out. */
  agentIds: string[] | undefined;
  /** Not shown by the schema; null when Freshdesk left it out. */
  createdAt: string | null;
  updatedAt: string | null;
}

/** The model of a group that passed `checkGroup`. */
export function toGroupModel(raw: RawGroup): GroupModel {
  return {
    id: idString(raw.id),
    name: raw.name,
    description: raw.description ?? null,
    agentIds: raw.agent_ids?.map(idString),
    createdAt: raw.created_at ?? null,
    updatedAt: raw.updated_at ?? null,
  };
}

const PER_PAGE = 100;

/** Every group: all pages of `GET /groups` at 100 a page. */
export async function listAllGroups(session: FreshdeskSession): Promise<GroupModel[]> {
  const groups: GroupModel[] = [];
  let page: number | undefined = 1;
  while (page !== undefined) {
    const response: UpstreamResponse<unknown> = await session.get<unknown>('/api/v2/groups', {
      page,
      per_page: PER_PAGE,
    });
    for (const raw of shape.checked<RawGroup[]>(response, GROUP_PAGE)) {
      groups.push(toGroupModel(raw));
    }
    page =
      response.nextPage !== undefined && response.nextPage > page ? response.nextPage : undefined;
  }
  return groups;
}

export async function getGroup(session: FreshdeskSession, id: string): Promise<GroupModel> {
  const response = await session.get<unknown>(`/api/v2/groups/${id}`);
  return toGroupModel(shape.checked<RawGroup>(response, checkGroup));
}
