/**
 * Tickets in Freshdesk's shape (`RawTicket`), the gateway's model (`TicketModel`) and the calls that
 * fetch them. Nothing here knows GraphQL.
 */
import {
  type ConversationModel,
  checkConversation,
  type RawConversation,
  toConversationModel,
} from './conversations.ts';
import type { FreshdeskSession, QueryValue } from './freshdesk-client.ts';
import { idString, optionalId, type RawId } from './ids.ts';
import type { ReadRequest } from './request-key.ts';
import * as shape from './shape.ts';

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
  /** `{}` when the ticket has no company. */
  company?: { id?: RawId; name?: string } | null;
  conversations?: RawConversation[];
  stats?: Record<string, string | null>;
  /** Present (and true) only for a deleted ticket. */
  deleted?: boolean;
  spam?: boolean;
}

const PRIORITIES = 'one of 1, 2, 3, 4 (low, medium, high, urgent)';
const CONVERSATION_LIST = shape.list(checkConversation);

const checkEmbeddedRequester = shape.record(
  (r) =>
    shape.id(r.id, 'id') ??
    shape.text(r.name, 'name') ??
    shape.optionalText(r.email, 'email') ??
    shape.optionalText(r.mobile, 'mobile') ??
    shape.optionalText(r.phone, 'phone'),
);

/** `include=company`: `{id, name}`, or `{}` when the ticket has no company. */
const checkEmbeddedCompany = shape.record((c) =>
  c.id === undefined && Object.keys(c).length === 0
    ? undefined
    : (shape.id(c.id, 'id') ?? shape.text(c.name, 'name')),
);

/**
 * What `toTicketModel` reads of a ticket (show, list, search hit, create and update answers;
 * freshdesk-api.md section 2.1). See `shape.ts` for what is tolerated.
 */
export const checkTicket: shape.Check = shape.record(
  (t) =>
    shape.id(t.id, 'id') ??
    shape.text(t.subject, 'subject') ??
    shape.optionalText(t.description, 'description') ??
    shape.optionalText(t.description_text, 'description_text') ??
    shape.int(t.status, 'status') ??
    (t.priority === 1 || t.priority === 2 || t.priority === 3 || t.priority === 4
      ? undefined
      : new shape.Mismatch('priority', PRIORITIES)) ??
    shape.int(t.source, 'source') ??
    shape.optionalText(t.type, 'type') ??
    shape.id(t.requester_id, 'requester_id') ??
    shape.optionalId(t.responder_id, 'responder_id') ??
    shape.optionalId(t.group_id, 'group_id') ??
    shape.optionalId(t.company_id, 'company_id') ??
    shape.optionalTextList(t.tags, 'tags') ??
    shape.optionalObject(t.custom_fields, 'custom_fields') ??
    shape.instant(t.created_at, 'created_at') ??
    shape.instant(t.updated_at, 'updated_at') ??
    shape.optionalInstant(t.due_by, 'due_by') ??
    shape.optionalInstant(t.fr_due_by, 'fr_due_by') ??
    shape.optionalFlag(t.deleted, 'deleted') ??
    shape.optionalFlag(t.spam, 'spam') ??
    shape.nested(t.requester, 'requester', checkEmbeddedRequester, true) ??
    shape.nested(t.company, 'company', checkEmbeddedCompany, true) ??
    shape.nested(t.conversations, 'conversations', CONVERSATION_LIST, true),
);

/** A page of `GET /tickets`. */
export const TICKET_PAGE = shape.list(checkTicket);
/** A search page: `{total, results}` (freshdesk-api.md section 4). */
const SEARCH_PAGE = shape.record(
  (page) => shape.count(page.total, 'total') ?? shape.nested(page.results, 'results', TICKET_PAGE),
);

export interface EmbeddedRequester {
  id: string;
  name: string;
  email: string | null;
  mobile: string | null;
  phone: string | null;
}

export interface EmbeddedCompany {
  id: string;
  name: string;
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
  /**
   * Present when the call embedded the company (`include=company`): `{id, name}`, or null when
   * Freshdesk embedded `{}` (the ticket has no company).
   */
  company: EmbeddedCompany | null | undefined;
  /** Present when the call embedded up to 10 conversations (`include=conversations`), oldest first. */
  conversations: ConversationModel[] | undefined;
}

/** The model of a ticket that passed `checkTicket`. */
export function toTicketModel(raw: RawTicket): TicketModel {
  return {
    id: idString(raw.id),
    subject: raw.subject,
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
    company: toEmbeddedCompany(raw.company),
    conversations: raw.conversations?.map(toConversationModel),
  };
}

function toEmbeddedCompany(raw: RawTicket['company']): EmbeddedCompany | null | undefined {
  if (raw === undefined) {
    return undefined;
  }
  if (raw === null || raw.id === undefined) {
    return null;
  }
  return { id: idString(raw.id), name: raw.name ?? '' };
}

export type TicketInclude = 'requester' | 'stats' | 'description' | 'company' | 'conversations';

/** The read of one ticket with embeds (what `getTicket` sends; the plan names reads by it). */
export const ticketRead = (id: string, include: readonly TicketInclude[] = []): ReadRequest => ({
  path: `/api/v2/tickets/${id}`,
  query: { include: include.length > 0 ? include.join(',') : undefined },
});

export async function getTicket(
  session: FreshdeskSession,
  id: string,
  include: readonly TicketInclude[] = [],
): Promise<TicketModel> {
  const response = await session.read<unknown>(ticketRead(id, include));
  return toTicketModel(shape.checked<RawTicket>(response, checkTicket));
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
  const response = await session.get<unknown>('/api/v2/tickets', query);
  return {
    tickets: shape.checked<RawTicket[]>(response, TICKET_PAGE).map(toTicketModel),
    nextPage: response.nextPage,
  };
}

/** Search answers at most 10 pages of 30 (freshdesk-api.md section 4). */
export const SEARCH_PAGE_SIZE = 30;
export const SEARCH_MAX_PAGE = 10;
/** Characters allowed inside the quotes of a search query. */
export const SEARCH_MAX_QUERY_LENGTH = 512;

export interface TicketSearchPage {
  /** Freshdesk's full match count; may exceed the 300 results search can reach. */
  total: number;
  /** Search hits carry `description` and `description_text`. */
  tickets: TicketModel[];
}

/** One page (1..10, 30 a page) of `GET /search/tickets`; `query` is the expression without quotes. */
export async function searchTickets(
  session: FreshdeskSession,
  query: string,
  page: number,
): Promise<TicketSearchPage> {
  const response = await session.get<unknown>('/api/v2/search/tickets', {
    query: `"${query}"`,
    page,
  });
  const { total, results } = shape.checked<{ total: number; results: RawTicket[] }>(
    response,
    SEARCH_PAGE,
  );
  return { total, tickets: results.map(toTicketModel) };
}

/**
 * The body of `POST /tickets` and `PUT /tickets/:id`: only fields Freshdesk accepts on both
 * (it answers 400 `invalid_field` to anything else, read-only fields included).
 */
export interface TicketWriteBody {
  subject?: string;
  description?: string;
  requester_id?: number;
  email?: string;
  name?: string;
  phone?: string;
  status?: number;
  priority?: number;
  source?: number;
  type?: string | null;
  tags?: string[];
  group_id?: number | null;
  responder_id?: number | null;
  company_id?: number | null;
  custom_fields?: Record<string, unknown>;
}

export async function createTicket(
  session: FreshdeskSession,
  body: TicketWriteBody,
): Promise<TicketModel> {
  const response = await session.post<unknown>('/api/v2/tickets', body);
  return toTicketModel(shape.checked<RawTicket>(response, checkTicket));
}

export async function updateTicket(
  session: FreshdeskSession,
  id: string,
  body: TicketWriteBody,
): Promise<TicketModel> {
  const response = await session.put<unknown>(`/api/v2/tickets/${id}`, body);
  return toTicketModel(shape.checked<RawTicket>(response, checkTicket));
}
