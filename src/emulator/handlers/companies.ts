/** Companies (freshdesk-api.md section 2.5): the list, ordered by name, and show. */
import {
  type EmuReply,
  type EmuRequest,
  paginate,
  type Route,
  type RouteContext,
  readPage,
} from '../http.ts';
import { byNameThenId, findById, readDateParam } from './shared.ts';

function listCompanies(req: EmuRequest, ctx: RouteContext): EmuReply {
  const since = readDateParam(req.query, 'updated_since');
  const page = readPage(req.query);
  const matches = [...ctx.data.companies.values()].filter(
    (company) => since === undefined || Date.parse(company.updated_at) >= since,
  );
  matches.sort(byNameThenId);
  return paginate(matches, req, page);
}

export const routes: Route[] = [
  {
    method: 'GET',
    path: '/companies',
    query: ['updated_since', 'page', 'per_page'],
    handler: listCompanies,
  },
  {
    method: 'GET',
    path: '/companies/:id',
    handler: (req, ctx) => ({ status: 200, body: findById(ctx.data.companies, req.params.id) }),
  },
];
