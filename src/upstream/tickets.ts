/**
 * Tickets in Freshdesk's shape (`RawTicket`), the gateway's model (`TicketModel`) and the calls that
 * fetch them. Nothing here knows GraphQL.
 */
import type { FreshdeskSession, QueryValue } from './freshdesk-client.ts';
import { idString, optionalId, type RawId } from './ids.ts';

export interface RawEmbeddedRequester {
  id: RawId;
  name: string;
  email: string | null;
  mobile: string | null;
  phone: string | null;
}

export interface RawTicket {
  id: RawId;
  subject: string;
  description?: string;
  description_text?: string;
  status: number;
  priority: number;
  source: number;
  type: string | null;
  requester_id: RawId;
  responder_id: RawId | null;
  group_id: RawId | null;
  company_id: RawId | null;
  tags?: string[];
  custom_fields?: Record<string, unknown>;
  created_at: string;
  updated_at: string;
  due_by: string | null;
  fr_due_by: string | null;
  requester?: RawEmbeddedRequester;
  company?: { id?: RawId; name?: string };
  conversations?: unknown[];
  stats?: Record<string, string | null>;
}

export interface EmbeddedRequester {
  id: string;
  name: string;
  email: string | null;
  mobile: string | null;
  phone: string | null;
}

export interface TicketModel {
  id: string;
  subject: string;
  /** Undefined when the source (a list without `include=description`) did not carry it. */
  description: string | null | undefined;
  descriptionText: string | null | undefined;
  statusCode: number;
  priority: number;
  source: number;
  type: string | null;
  requesterId: string;
  responderId: string | null;
  groupId: string | null;
  companyId: string | null;
  tags: string[];
  customFields: Record<string, unknown>;
  createdAt: string;
  updatedAt: string;
  dueBy: string | null;
  frDueBy: string | null;
  /** Present when the call embedded the requester (`include=requester`). */
  requester: EmbeddedRequester | undefined;
  /** Present when the call embedded up to 10 conversations (`include=conversations`). */
  conversations: unknown[] | undefined;
}

export function toTicketModel(raw: RawTicket): TicketModel {
  return {
    id: idString(raw.id),
    subject: raw.subject ?? '',
    description: raw.description,
    descriptionText: raw.description_text,
    statusCode: raw.status,
    priority: raw.priority,
    source: raw.source,
    type: raw.type ?? null,
    requesterId: idString(raw.requester_id),
    responderId: optionalId(raw.responder_id),
    groupId: optionalId(raw.group_id),
    companyId: optionalId(raw.company_id),
    tags: raw.tags ?? [],
    customFields: raw.custom_fields ?? {},
    createdAt: raw.created_at,
    updatedAt: raw.updated_at,
    dueBy: raw.due_by ?? null,
    frDueBy: raw.fr_due_by ?? null,
    requester: raw.requester
      ? {
          id: idString(raw.requester.id),
          name: raw.requester.name,
          email: raw.requester.email ?? null,
          mobile: raw.requester.mobile ?? null,
          phone: raw.requester.phone ?? null,
        }
      : undefined,
    conversations: raw.conversations,
  };
}

export type TicketInclude = 'requester' | 'stats' | 'description' | 'company' | 'conversations';

export async function getTicket(
  session: FreshdeskSession,
  id: string,
  include: readonly TicketInclude[] = [],
): Promise<TicketModel> {
  const response = await session.get<RawTicket>(`/api/v2/tickets/${id}`, {
    include: include.length > 0 ? include.join(',') : undefined,
  });
  return toTicketModel(response.data);
}

export interface TicketListParams {
  filter?: string;
  requester_id?: string;
  company_id?: string;
  email?: string;
  updated_since?: string;
  order_by?: 'created_at' | 'updated_at' | 'priority' | 'status' | 'due_by';
  order_type?: 'asc' | 'desc';
  include?: readonly TicketInclude[];
  page: number;
  per_page: number;
}

export interface TicketPage {
  tickets: TicketModel[];
  nextPage: number | undefined;
}

export async function listTickets(
  session: FreshdeskSession,
  params: TicketListParams,
): Promise<TicketPage> {
  const { include, ...rest } = params;
  const query: Record<string, QueryValue> = { ...rest };
  if (include && include.length > 0) {
    query.include = include.join(',');
  }
  const response = await session.get<RawTicket[]>('/api/v2/tickets', query);
  return { tickets: (response.data ?? []).map(toTicketModel), nextPage: response.nextPage };
}
