/**
 * Contender (A): a hand-written REST aggregator, node:http + undici, with fixed code per benchmark
 * query: the practical limit. Each route makes exactly the calls an expert would (the floor plan,
 * all independent calls in one wave), keeps the account's agent and company lists for 60 s (as any
 * sensible service would), and answers the same JSON a GraphQL server would (`{ data }` or
 * `{ errors }`), so serialisation work is comparable.
 *
 * Routes: `GET /ticket/:id?fields=a,b` (scenarios 1 and 5), `GET /tickets-people?first=N` (2 and
 * 7), `GET /dashboard?first=N` (3), `GET /ticket-people/:id` (4 and 6; `?updatedAt=1` adds the
 * ticket's `updatedAt`: 7).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  ALL_TIME,
  agentView,
  codeFor,
  companyView,
  conversationView,
  type RawAgent,
  type RawCompany,
  type RawContact,
  type RawConversation,
  type RawTicket,
  TICKET_SCALARS,
  type Upstream,
  UpstreamFailure,
  upstream,
} from './freshdesk.ts';

const LIST_TTL_MS = 60_000;
const DEFAULT_FIELDS = ['id', 'subject', 'status', 'priority', 'createdAt', 'updatedAt'];

export interface RestAggregator {
  url: string;
  close(): Promise<void>;
}

/** A whole reference list, loaded page by page, kept for `LIST_TTL_MS`, one load in flight. */
function cachedList<T>(api: Upstream, path: string): () => Promise<T[]> {
  let value: Promise<T[]> | undefined;
  let loadedAt = 0;
  return () => {
    if (value === undefined || Date.now() - loadedAt > LIST_TTL_MS) {
      loadedAt = Date.now();
      value = (async () => {
        const all: T[] = [];
        for (let page = 1; page <= 50; page += 1) {
          const batch = await api.get<T[]>(`${path}?per_page=100&page=${page}`);
          all.push(...batch);
          if (batch.length < 100) {
            break;
          }
        }
        return all;
      })();
      value.catch(() => {
        value = undefined;
      });
    }
    return value;
  };
}

function byId<T extends { id: number }>(items: readonly T[]): Map<number, T> {
  return new Map(items.map((item) => [item.id, item]));
}

function project(ticket: RawTicket, fields: readonly string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const field of fields) {
    const read = TICKET_SCALARS[field];
    if (read) {
      out[field] = read(ticket);
    }
  }
  return out;
}

export async function startRestAggregator(options: {
  upstreamOrigin: string;
  apiKey: string;
  port?: number;
}): Promise<RestAggregator> {
  const api = upstream(options.upstreamOrigin, options.apiKey, 128);
  const agents = cachedList<RawAgent>(api, '/agents');
  const companies = cachedList<RawCompany>(api, '/companies');

  async function ticket(id: string, fields: readonly string[]) {
    const raw = await api.get<RawTicket>(`/tickets/${id}`);
    return { ticket: project(raw, fields) };
  }

  async function ticketsPeople(first: number) {
    const [tickets, agentList, companyList] = await Promise.all([
      api.get<RawTicket[]>(
        `/tickets?per_page=${first}&updated_since=${ALL_TIME}&include=requester`,
      ),
      agents(),
      companies(),
    ]);
    const agentMap = byId(agentList);
    const companyMap = byId(companyList);
    return {
      tickets: {
        nodes: tickets.map((t) => {
          const responder = t.responder_id === null ? undefined : agentMap.get(t.responder_id);
          const company = t.company_id === null ? undefined : companyMap.get(t.company_id);
          return {
            id: String(t.id),
            subject: t.subject,
            status: TICKET_SCALARS.status?.(t),
            priority: TICKET_SCALARS.priority?.(t),
            updatedAt: t.updated_at,
            requester: t.requester
              ? { id: String(t.requester.id), name: t.requester.name, email: t.requester.email }
              : null,
            company: company ? companyView(company) : null,
            responder: responder ? agentView(responder) : null,
          };
        }),
      },
    };
  }

  async function dashboard(first: number) {
    const [tickets, companyList] = await Promise.all([
      api.get<RawTicket[]>(`/tickets?per_page=${first}&updated_since=${ALL_TIME}`),
      companies(),
    ]);
    const companyMap = byId(companyList);
    const requesterIds = [...new Set(tickets.map((t) => t.requester_id))];
    const [contacts, conversations] = await Promise.all([
      Promise.all(
        requesterIds.map((id) =>
          api.get<RawContact>(`/contacts/${id}`).catch((error: unknown) => {
            // A requester that is no contact (an agent) has no company to show.
            if (error instanceof UpstreamFailure && error.status === 404) {
              return undefined;
            }
            throw error;
          }),
        ),
      ),
      Promise.all(
        tickets.map((t) =>
          api.get<RawConversation[]>(`/tickets/${t.id}/conversations?per_page=10`),
        ),
      ),
    ]);
    const contactMap = new Map<number, RawContact>();
    for (const contact of contacts) {
      if (contact) {
        contactMap.set(contact.id, contact);
      }
    }
    return {
      tickets: {
        nodes: tickets.map((t, i) => {
          const contact = contactMap.get(t.requester_id);
          const company =
            contact?.company_id === null || contact === undefined
              ? undefined
              : companyMap.get(contact.company_id);
          return {
            id: String(t.id),
            subject: t.subject,
            status: TICKET_SCALARS.status?.(t),
            priority: TICKET_SCALARS.priority?.(t),
            createdAt: t.created_at,
            requester: contact
              ? {
                  id: String(contact.id),
                  name: contact.name,
                  company: company ? companyView(company) : null,
                }
              : null,
            conversations: { nodes: (conversations[i] ?? []).map(conversationView) },
          };
        }),
      },
    };
  }

  async function ticketPeople(id: string, withUpdatedAt: boolean) {
    const [t, agentList] = await Promise.all([
      api.get<RawTicket>(`/tickets/${id}?include=requester`),
      agents(),
    ]);
    const responder = t.responder_id === null ? undefined : byId(agentList).get(t.responder_id);
    return {
      ticket: {
        id: String(t.id),
        subject: t.subject,
        status: TICKET_SCALARS.status?.(t),
        requester: t.requester
          ? { id: String(t.requester.id), name: t.requester.name, email: t.requester.email }
          : null,
        responder: responder ? { id: String(responder.id), name: responder.contact.name } : null,
        ...(withUpdatedAt ? { updatedAt: t.updated_at } : {}),
      },
    };
  }

  function route(url: URL): Promise<unknown> | undefined {
    const parts = url.pathname.split('/').filter(Boolean);
    const first = Math.min(100, Math.max(1, Number(url.searchParams.get('first') ?? 30)));
    if (parts[0] === 'ticket' && parts[1]) {
      const fields = url.searchParams.get('fields')?.split(',') ?? DEFAULT_FIELDS;
      return ticket(parts[1], fields);
    }
    if (parts[0] === 'tickets-people') {
      return ticketsPeople(first);
    }
    if (parts[0] === 'dashboard') {
      return dashboard(first);
    }
    if (parts[0] === 'ticket-people' && parts[1]) {
      return ticketPeople(parts[1], url.searchParams.get('updatedAt') === '1');
    }
    return undefined;
  }

  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const work = route(url);
    // Drain any request body; every route is a GET.
    req.resume();
    if (!work) {
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end('{"errors":[{"message":"no such route"}]}');
      return;
    }
    work.then(
      (data) => send(res, { data }),
      (error: unknown) => {
        const status = error instanceof UpstreamFailure ? error.status : 500;
        send(res, {
          data: null,
          errors: [
            {
              message: error instanceof Error ? error.message : 'Unexpected error.',
              extensions: { code: codeFor(status) },
            },
          ],
        });
      },
    );
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: async () => {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await api.close();
    },
  };
}

function send(res: ServerResponse, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(200, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
  });
  res.end(text);
}
