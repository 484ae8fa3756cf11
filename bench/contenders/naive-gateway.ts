/**
 * Contender (B): a naive GraphQL gateway. graphql-yoga with plain resolvers over a reduced SDL that
 * covers the benchmark queries with deskgraph's field names: every resolver makes its own upstream
 * call (no batching, no deduplication, no cache), which is what a first GraphQL wrapper over a
 * REST API usually looks like.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { GraphQLError } from 'graphql';
import { createSchema, createYoga } from 'graphql-yoga';
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

const typeDefs = /* GraphQL */ `
  scalar DateTime
  enum TicketStatus { OPEN PENDING RESOLVED CLOSED CUSTOM }
  enum TicketPriority { LOW MEDIUM HIGH URGENT }
  enum TicketSource {
    EMAIL PORTAL PHONE FORUM TWITTER FACEBOOK CHAT MOBIHELP FEEDBACK_WIDGET OUTBOUND_EMAIL
    ECOMMERCE BOT WHATSAPP OTHER
  }
  type Query {
    ticket(id: ID!): Ticket
    tickets(first: Int, after: String): TicketConnection!
  }
  type PageInfo { hasNextPage: Boolean! endCursor: String }
  type TicketConnection { nodes: [Ticket!]! pageInfo: PageInfo! }
  type Ticket {
    id: ID!
    subject: String!
    description: String
    descriptionText: String
    status: TicketStatus!
    statusCode: Int!
    statusLabel: String!
    priority: TicketPriority!
    source: TicketSource!
    type: String
    tags: [String!]!
    createdAt: DateTime!
    updatedAt: DateTime!
    dueBy: DateTime
    frDueBy: DateTime
    requester: Contact
    responder: Agent
    company: Company
    conversations(first: Int): ConversationConnection!
  }
  type Contact { id: ID! name: String! email: String phone: String mobile: String company: Company }
  type Agent { id: ID! name: String! email: String! }
  type Company { id: ID! name: String! }
  type Conversation {
    id: ID!
    bodyText: String!
    incoming: Boolean!
    private: Boolean!
    createdAt: DateTime!
  }
  type ConversationConnection { nodes: [Conversation!]! pageInfo: PageInfo! }
`;

type Ctx = Record<string, unknown> & { api: Upstream };

/** Upstream failures become coded GraphQL errors on the field (404 on a nested object: null). */
async function call<T>(promise: Promise<T>, nullOn404 = false): Promise<T | null> {
  try {
    return await promise;
  } catch (error) {
    if (error instanceof UpstreamFailure) {
      if (nullOn404 && error.status === 404) {
        return null;
      }
      throw new GraphQLError(error.message, { extensions: { code: codeFor(error.status) } });
    }
    throw error;
  }
}

const resolvers = {
  Query: {
    ticket: (_: unknown, args: { id: string }, ctx: Ctx) =>
      call(ctx.api.get<RawTicket>(`/tickets/${encodeURIComponent(args.id)}`)),
    tickets: async (_: unknown, args: { first?: number | null }, ctx: Ctx) => {
      const first = Math.min(100, Math.max(1, args.first ?? 30));
      const nodes = await call(
        ctx.api.get<RawTicket[]>(`/tickets?per_page=${first}&updated_since=${ALL_TIME}`),
      );
      return { nodes, pageInfo: { hasNextPage: true, endCursor: null } };
    },
  },
  Ticket: {
    ...TICKET_SCALARS,
    requester: async (t: RawTicket, _: unknown, ctx: Ctx) =>
      call(ctx.api.get<RawContact>(`/contacts/${t.requester_id}`), true),
    responder: async (t: RawTicket, _: unknown, ctx: Ctx) =>
      t.responder_id === null
        ? null
        : call(ctx.api.get<RawAgent>(`/agents/${t.responder_id}`), true).then((a) =>
            a ? agentView(a) : null,
          ),
    company: async (t: RawTicket, _: unknown, ctx: Ctx) =>
      t.company_id === null
        ? null
        : call(ctx.api.get<RawCompany>(`/companies/${t.company_id}`), true).then((c) =>
            c ? companyView(c) : null,
          ),
    conversations: async (t: RawTicket, args: { first?: number | null }, ctx: Ctx) => {
      const perPage = Math.min(100, Math.max(1, args.first ?? 30));
      const list = await call(
        ctx.api.get<RawConversation[]>(`/tickets/${t.id}/conversations?per_page=${perPage}`),
      );
      return {
        nodes: (list ?? []).map(conversationView),
        pageInfo: { hasNextPage: false, endCursor: null },
      };
    },
  },
  Contact: {
    id: (c: RawContact) => String(c.id),
    company: async (c: RawContact, _: unknown, ctx: Ctx) =>
      c.company_id === null
        ? null
        : call(ctx.api.get<RawCompany>(`/companies/${c.company_id}`), true).then((co) =>
            co ? companyView(co) : null,
          ),
  },
};

export interface NaiveGateway {
  url: string;
  close(): Promise<void>;
}

export async function startNaiveGateway(options: {
  upstreamOrigin: string;
  apiKey: string;
  port?: number;
}): Promise<NaiveGateway> {
  // One keep-alive pool (a naive wrapper still reuses connections: Node's fetch/undici does).
  const api = upstream(options.upstreamOrigin, options.apiKey, 128);
  const yoga = createYoga<Record<string, unknown>, Ctx>({
    schema: createSchema<Ctx>({ typeDefs, resolvers }),
    graphqlEndpoint: '/graphql',
    graphiql: false,
    landingPage: false,
    logging: false,
    context: () => ({ api }),
  });
  const server: Server = createServer(yoga);
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/graphql`,
    close: async () => {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await api.close();
    },
  };
}
