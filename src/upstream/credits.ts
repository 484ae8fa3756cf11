/**
 * What a Freshdesk call costs and which per-minute sub-limit it counts against
 * (freshdesk-api.md section 5). Shared by the client, the quota scheduler and cost estimation.
 */

/** Endpoints with their own per-minute sub-limit besides the account total. */
export type MeteredEndpoint = 'ticket_create' | 'ticket_update' | 'tickets_list' | 'contacts_list';

/** The sub-limit a call counts against, if any. `path` is below the origin, without query. */
export function meteredEndpoint(method: string, path: string): MeteredEndpoint | undefined {
  if (method === 'POST' && path === '/api/v2/tickets') {
    return 'ticket_create';
  }
  if (method === 'PUT' && /^\/api\/v2\/tickets\/\d+$/.test(path)) {
    return 'ticket_update';
  }
  if (method === 'GET' && path === '/api/v2/tickets') {
    return 'tickets_list';
  }
  if (method === 'GET' && path === '/api/v2/contacts') {
    return 'contacts_list';
  }
  return undefined;
}

/**
 * Credits a call will cost: 1, plus 2 per `include` item on the tickets list, plus 1 per item on a
 * single ticket.
 */
export function creditsFor(method: string, path: string, include: string | undefined): number {
  const items = include ? include.split(',').filter((s) => s.trim() !== '').length : 0;
  if (items === 0 || method !== 'GET') {
    return 1;
  }
  if (path === '/api/v2/tickets') {
    return 1 + 2 * items;
  }
  if (/^\/api\/v2\/tickets\/\d+$/.test(path)) {
    return 1 + items;
  }
  return 1;
}
