/**
 * Agents (freshdesk-api.md section 2.4): the admin-only list and show, and `/agents/me`, the one
 * agent endpoint every agent may call.
 */
import {
  type EmuReply,
  type EmuRequest,
  paginate,
  publicView,
  type Route,
  type RouteContext,
  readPage,
} from '../http.ts';
import type { AgentRecord } from '../records.ts';
import { byNameThenId, findById, readChoiceParam, sameEmail } from './shared.ts';

const STATES = ['fulltime', 'occasional'] as const;

/** Agents sort by their contact's name, as Freshdesk's "alphabetical" list does. */
const byContactName = (a: AgentRecord, b: AgentRecord): number =>
  byNameThenId({ name: a.contact.name, id: a.id }, { name: b.contact.name, id: b.id });

function listAgents(req: EmuRequest, ctx: RouteContext): EmuReply {
  const { query } = req;
  const email = query.get('email');
  const phone = query.get('phone');
  const mobile = query.get('mobile');
  const state = readChoiceParam(query, 'state', STATES);
  const page = readPage(query);
  const matches = [...ctx.data.agents.values()].filter(
    (agent) =>
      (email === null || sameEmail(agent.contact.email, email)) &&
      (phone === null || agent.contact.phone === phone) &&
      (mobile === null || agent.contact.mobile === mobile) &&
      (state === undefined || agent.occasional === (state === 'occasional')),
  );
  matches.sort(byContactName);
  return paginate(matches.map(publicView), req, page);
}

export const routes: Route[] = [
  {
    method: 'GET',
    path: '/agents',
    query: ['email', 'mobile', 'phone', 'state', 'page', 'per_page'],
    admin: true,
    handler: listAgents,
  },
  // Before `/agents/:id` so that `me` is never taken for an id.
  {
    method: 'GET',
    path: '/agents/me',
    handler: (req) => ({ status: 200, body: publicView(req.agent) }),
  },
  {
    method: 'GET',
    path: '/agents/:id',
    admin: true,
    handler: (req, ctx) => ({
      status: 200,
      body: publicView(findById(ctx.data.agents, req.params.id)),
    }),
  },
];
