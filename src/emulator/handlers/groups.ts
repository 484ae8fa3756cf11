/**
 * Groups (freshdesk-api.md section 2.6). Admin-only, like agents and fields ("Admin-only APIs
 * return 403"). The list leaves out `agent_ids`, as the doc's sample does; show includes it.
 */
import {
  type EmuReply,
  type EmuRequest,
  paginate,
  type Route,
  type RouteContext,
  readPage,
} from '../http.ts';
import type { GroupRecord } from '../records.ts';
import { byNameThenId, findById } from './shared.ts';

function withoutAgentIds({
  agent_ids: _omitted,
  ...rest
}: GroupRecord): Omit<GroupRecord, 'agent_ids'> {
  return rest;
}

function listGroups(req: EmuRequest, ctx: RouteContext): EmuReply {
  const page = readPage(req.query);
  const groups = [...ctx.data.groups.values()].sort(byNameThenId);
  return paginate(groups.map(withoutAgentIds), req, page);
}

export const routes: Route[] = [
  { method: 'GET', path: '/groups', query: ['page', 'per_page'], admin: true, handler: listGroups },
  {
    method: 'GET',
    path: '/groups/:id',
    admin: true,
    handler: (req, ctx) => ({ status: 200, body: findById(ctx.data.groups, req.params.id) }),
  },
];
