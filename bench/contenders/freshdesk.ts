/**
 * What contenders (A) and (B) share: a minimal Freshdesk GET over an undici pool, and the mapping
 * of Freshdesk's JSON to the GraphQL field names the benchmark queries ask for. Deliberately small:
 * these are the competitors, not deskgraph.
 */
import { Pool } from 'undici';

export interface RawTicket {
  id: number;
  subject: string;
  description?: string;
  description_text?: string;
  status: number;
  priority: number;
  source: number;
  type: string | null;
  tags?: string[];
  requester_id: number;
  responder_id: number | null;
  company_id: number | null;
  created_at: string;
  updated_at: string;
  due_by: string | null;
  fr_due_by: string | null;
  requester?: { id: number; name: string; email: string | null };
}

export interface RawContact {
  id: number;
  name: string;
  email: string | null;
  phone: string | null;
  mobile: string | null;
  company_id: number | null;
}

export interface RawAgent {
  id: number;
  contact: { name: string; email: string };
}

export interface RawCompany {
  id: number;
  name: string;
}

export interface RawConversation {
  id: number;
  body_text: string;
  incoming: boolean;
  private: boolean;
  created_at: string;
}

/** A failed upstream call, turned into a GraphQL-style error by the contender. */
export class UpstreamFailure extends Error {
  readonly status: number;
  constructor(status: number, path: string) {
    super(`Freshdesk answered ${status} to GET ${path}`);
    this.status = status;
  }
}

export const codeFor = (status: number): string =>
  status === 404
    ? 'NOT_FOUND'
    : status === 429
      ? 'RATE_LIMITED'
      : status === 401
        ? 'UNAUTHENTICATED'
        : status === 403
          ? 'FORBIDDEN'
          : 'UPSTREAM_ERROR';

export interface Upstream {
  get<T>(path: string): Promise<T>;
  close(): Promise<void>;
}

/** GETs below `/api/v2` with Basic auth, through one keep-alive pool of `connections`. */
export function upstream(origin: string, apiKey: string, connections: number): Upstream {
  const pool = new Pool(origin, { connections, keepAliveTimeout: 10_000 });
  const authorization = `Basic ${Buffer.from(`${apiKey}:X`).toString('base64')}`;
  return {
    async get<T>(path: string): Promise<T> {
      const response = await pool.request({
        method: 'GET',
        path: `/api/v2${path}`,
        headers: { authorization, accept: 'application/json' },
      });
      const text = await response.body.text();
      if (response.statusCode !== 200) {
        throw new UpstreamFailure(response.statusCode, path);
      }
      return JSON.parse(text) as T;
    },
    close: () => pool.close(),
  };
}

const STATUS: Record<number, string> = { 2: 'OPEN', 3: 'PENDING', 4: 'RESOLVED', 5: 'CLOSED' };
const STATUS_LABEL: Record<number, string> = {
  2: 'Open',
  3: 'Pending',
  4: 'Resolved',
  5: 'Closed',
};
const PRIORITY: Record<number, string> = { 1: 'LOW', 2: 'MEDIUM', 3: 'HIGH', 4: 'URGENT' };
// biome-ignore format: a table
const SOURCE: Record<number, string> = {
  1: 'EMAIL', 2: 'PORTAL', 3: 'PHONE', 4: 'FORUM', 5: 'TWITTER', 6: 'FACEBOOK', 7: 'CHAT',
  8: 'MOBIHELP', 9: 'FEEDBACK_WIDGET', 10: 'OUTBOUND_EMAIL', 11: 'ECOMMERCE', 12: 'BOT',
  13: 'WHATSAPP',
};

/** Every scalar ticket field the benchmark queries may select, by GraphQL name. */
export const TICKET_SCALARS: Record<string, (t: RawTicket) => unknown> = {
  id: (t) => String(t.id),
  subject: (t) => t.subject,
  status: (t) => STATUS[t.status] ?? 'CUSTOM',
  statusCode: (t) => t.status,
  statusLabel: (t) => STATUS_LABEL[t.status] ?? `Status ${t.status}`,
  priority: (t) => PRIORITY[t.priority] ?? 'LOW',
  source: (t) => SOURCE[t.source] ?? 'OTHER',
  type: (t) => t.type,
  tags: (t) => t.tags ?? [],
  createdAt: (t) => t.created_at,
  updatedAt: (t) => t.updated_at,
  dueBy: (t) => t.due_by,
  frDueBy: (t) => t.fr_due_by,
  description: (t) => t.description ?? null,
  descriptionText: (t) => t.description_text ?? null,
};

export const agentView = (a: RawAgent) => ({
  id: String(a.id),
  name: a.contact.name,
  email: a.contact.email,
});

export const companyView = (c: RawCompany) => ({ id: String(c.id), name: c.name });

export const conversationView = (c: RawConversation) => ({
  id: String(c.id),
  bodyText: c.body_text,
  incoming: c.incoming,
  private: c.private,
  createdAt: c.created_at,
});

/** Every ticket ever (lifts Freshdesk's 30-day default window, as deskgraph does). */
export const ALL_TIME = encodeURIComponent('1970-01-01T00:00:00Z');
