/**
 * Tickets: list, show, create, update, delete and restore (freshdesk-api.md 2.1 and 3).
 */
import {
  accessDenied,
  type EmuReply,
  type EmuRequest,
  type FieldError,
  fieldError,
  INVALID_FIELD_MESSAGE,
  isoSeconds,
  jsonTypeName,
  methodNotAllowed,
  notFound,
  paginate,
  publicView,
  type Route,
  type RouteContext,
  readPage,
  requestError,
  validationError,
} from '../http.ts';
import type {
  AgentRecord,
  ContactRecord,
  EmulatorData,
  TicketFieldRecord,
  TicketRecord,
  TicketStats,
} from '../records.ts';

const LIST_INCLUDES = ['requester', 'stats', 'description', 'company'] as const;
const SHOW_INCLUDES = ['conversations', 'requester', 'company', 'stats'] as const;
const LIST_FILTERS = ['new_and_my_open', 'watching', 'spam', 'deleted'] as const;
const ORDER_BY = ['created_at', 'updated_at', 'priority', 'status', 'due_by'] as const;
const MAX_TICKET_PAGE = 300;
/** `include=conversations` embeds at most this many (ConversationConstants::MAX_INCLUDE). */
export const MAX_EMBEDDED_CONVERSATIONS = 10;
const MAX_TAG_LENGTH = 32;
const MAX_STRING_LENGTH = 255;

/** Sources a create or an update may set (freshdesk-api.md 2.1: create rejects 4/10/12/13, update 5/6/13). */
const CREATE_SOURCES = [1, 2, 3, 5, 6, 7, 8, 9, 11];
const UPDATE_SOURCES = [1, 2, 3, 4, 7, 8, 9, 10, 11, 12];

const UPDATE_FIELDS = [
  'subject',
  'description',
  'email',
  'phone',
  'name',
  'requester_id',
  'responder_id',
  'group_id',
  'company_id',
  'status',
  'priority',
  'source',
  'type',
  'tags',
  'custom_fields',
  'due_by',
  'fr_due_by',
  'product_id',
  'email_config_id',
  'unique_external_id',
  'twitter_id',
  'facebook_id',
] as const;
const CREATE_FIELDS = [...UPDATE_FIELDS, 'cc_emails', 'parent_id'] as const;

// ---------------------------------------------------------------------------------------------
// Shared helpers (also used by the conversations handler)

/** Whether `agent` may see `ticket` under its ticket scope (1 global, 2 group, 3 restricted). */
export function canSeeTicket(agent: AgentRecord, ticket: TicketRecord): boolean {
  if (agent.ticket_scope === 1) {
    return true;
  }
  if (ticket.responder_id === agent.id) {
    return true;
  }
  return (
    agent.ticket_scope === 2 &&
    ticket.group_id !== null &&
    agent.group_ids.includes(ticket.group_id)
  );
}

/** Parses a `:id` path parameter (the router guarantees digits). */
export const idParam = (req: EmuRequest, name = 'id'): number => Number(req.params[name]);

/**
 * Loads a ticket for a sub-route (conversations, reply, notes): unknown, spam or deleted → 404,
 * outside the caller's scope → 403.
 */
export function loadActiveTicket(req: EmuRequest, ctx: RouteContext): TicketRecord {
  const ticket = ctx.data.tickets.get(idParam(req));
  if (!ticket || ticket.spam || ticket.deleted) {
    throw notFound();
  }
  if (!canSeeTicket(req.agent, ticket)) {
    throw accessDenied();
  }
  return ticket;
}

/** Looks a person up by id, contacts first and then agents (requesters may be agents). */
export function personSummary(
  data: EmulatorData,
  id: number,
): {
  id: number;
  name: string;
  email: string | null;
  mobile: string | null;
  phone: string | null;
} | null {
  const contact = data.contacts.get(id);
  if (contact) {
    return {
      id,
      name: contact.name,
      email: contact.email,
      mobile: contact.mobile,
      phone: contact.phone,
    };
  }
  const agent = data.agents.get(id);
  if (agent) {
    return {
      id,
      name: agent.contact.name,
      email: agent.contact.email,
      mobile: agent.contact.mobile,
      phone: agent.contact.phone,
    };
  }
  return null;
}

/** Reads a comma-separated `include` against the allowed list; 400 on `include` otherwise. */
function readIncludes(query: URLSearchParams, allowed: readonly string[]): string[] {
  const raw = query.get('include');
  if (raw === null) {
    return [];
  }
  const items = [...new Set(raw.split(',').map((item) => item.trim()))];
  if (items.length === 0 || items.some((item) => !allowed.includes(item))) {
    throw fieldError('include', `It should be one of these values: '${allowed.join(',')}'`);
  }
  return items;
}

/** The list shape: no description or attachments unless asked, plus the requested embeds. */
export function ticketListView(
  ticket: TicketRecord,
  data: EmulatorData,
  includes: readonly string[] = [],
): Record<string, unknown> {
  const view = publicView(ticket);
  delete view.attachments;
  if (!includes.includes('description')) {
    delete view.description;
    delete view.description_text;
  }
  addEmbeds(view, ticket, data, includes);
  return view;
}

/** The show shape (everything public), plus the requested embeds. */
export function ticketShowView(
  ticket: TicketRecord,
  data: EmulatorData,
  includes: readonly string[] = [],
): Record<string, unknown> {
  const view = publicView(ticket);
  addEmbeds(view, ticket, data, includes);
  return view;
}

function addEmbeds(
  view: Record<string, unknown>,
  ticket: TicketRecord,
  data: EmulatorData,
  includes: readonly string[],
): void {
  for (const item of includes) {
    if (item === 'requester') {
      view.requester = personSummary(data, ticket.requester_id);
    } else if (item === 'stats') {
      view.stats = { ...ticket._stats };
    } else if (item === 'company') {
      const company =
        ticket.company_id === null ? undefined : data.companies.get(ticket.company_id);
      view.company = company ? { id: company.id, name: company.name } : {};
    } else if (item === 'conversations') {
      view.conversations = (data.conversations.get(ticket.id) ?? [])
        .slice(0, MAX_EMBEDDED_CONVERSATIONS)
        .map((conversation) => publicView(conversation));
    }
  }
}

/**
 * Parses Freshdesk's accepted date-time forms (freshdesk-api.md 8): `YYYY-MM-DD`, optional `THH:MM`,
 * `:SS`, and a `Z` or `±hh[:mm]` zone (none means UTC). Returns epoch ms, or null when invalid.
 */
export function parseApiTime(value: unknown): number | null {
  if (typeof value !== 'string') {
    return null;
  }
  const match =
    /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2}))?(Z|[+-]\d{2}(?::?\d{2})?)?)?$/.exec(
      value,
    );
  if (!match) {
    return null;
  }
  const [, y, mo, d, h = '0', mi = '0', s = '0', zone] = match;
  const parts = [y, mo, d, h, mi, s].map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const [year, month, day, hour, minute, second] = parts;
  if (month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || second > 59) {
    return null;
  }
  const utc = Date.UTC(year, month - 1, day, hour, minute, second);
  if (new Date(utc).getUTCDate() !== day) {
    return null; // e.g. 2026-02-30
  }
  let offsetMinutes = 0;
  if (zone && zone !== 'Z') {
    const digits = zone.slice(1).replace(':', '');
    offsetMinutes = Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2) || '0');
    if (zone.startsWith('-')) {
      offsetMinutes = -offsetMinutes;
    }
  }
  return utc - offsetMinutes * 60_000;
}

/** Start of today (UTC) minus one calendar month, clamped to the month's end as Rails does. */
export function defaultWindowStart(now: number): number {
  const today = new Date(now);
  const year = today.getUTCFullYear();
  const month = today.getUTCMonth() - 1;
  const lastDay = new Date(Date.UTC(year, month + 1, 0)).getUTCDate();
  return Date.UTC(year, month, Math.min(today.getUTCDate(), lastDay));
}

// ---------------------------------------------------------------------------------------------
// GET /tickets

function readIdFilter(query: URLSearchParams, name: string): number | undefined {
  const raw = query.get(name);
  if (raw === null) {
    return undefined;
  }
  if (!/^\d+$/.test(raw) || Number(raw) <= 0) {
    throw fieldError(name, 'It should be a/an Positive Integer', 'datatype_mismatch');
  }
  return Number(raw);
}

function findContactByEmail(data: EmulatorData, email: string): ContactRecord | undefined {
  const wanted = email.toLowerCase();
  for (const contact of data.contacts.values()) {
    if (
      contact.email?.toLowerCase() === wanted ||
      contact.other_emails.some((other) => other.toLowerCase() === wanted)
    ) {
      return contact;
    }
  }
  return undefined;
}

type SortKey = (typeof ORDER_BY)[number];

function compareTickets(
  key: SortKey,
  direction: 1 | -1,
): (a: TicketRecord, b: TicketRecord) => number {
  return (a, b) => {
    const left = a[key];
    const right = b[key];
    if (left !== right) {
      if (left === null) {
        return 1; // nulls last, whatever the direction
      }
      if (right === null) {
        return -1;
      }
      return (left < right ? -1 : 1) * direction;
    }
    // A stable tie-break keeps pages disjoint when many tickets share a time.
    return (a.id - b.id) * direction;
  };
}

interface OrderCache {
  version: number;
  size: number;
  orders: Map<string, TicketRecord[]>;
}

// Sorting 31,000 tickets on every page costs ~15 ms; the orders are cached per data set until a
// write through these handlers (or `invalidateTicketOrder`) or a change in size makes them stale.
const orderCaches = new WeakMap<EmulatorData, OrderCache>();
const orderVersions = new WeakMap<EmulatorData, number>();

/** Marks cached ticket orders stale; call after changing a ticket's times, status or priority. */
export function invalidateTicketOrder(data: EmulatorData): void {
  orderVersions.set(data, (orderVersions.get(data) ?? 0) + 1);
}

function sortedTickets(data: EmulatorData, key: SortKey, direction: 1 | -1): TicketRecord[] {
  const version = orderVersions.get(data) ?? 0;
  let cache = orderCaches.get(data);
  if (!cache || cache.version !== version || cache.size !== data.tickets.size) {
    cache = { version, size: data.tickets.size, orders: new Map() };
    orderCaches.set(data, cache);
  }
  const name = `${key}:${direction}`;
  let order = cache.orders.get(name);
  if (!order) {
    order = [...data.tickets.values()].sort(compareTickets(key, direction));
    cache.orders.set(name, order);
  }
  return order;
}

function listTickets(req: EmuRequest, ctx: RouteContext): EmuReply {
  const { query, agent } = req;
  const { data } = ctx;
  const page = readPage(query);
  if (page.page > MAX_TICKET_PAGE) {
    throw fieldError(
      'page',
      'You cannot access tickets beyond the 300th page. Please provide a smaller page number.',
    );
  }
  const errors: FieldError[] = [];
  const filter = query.get('filter');
  if (filter !== null && !(LIST_FILTERS as readonly string[]).includes(filter)) {
    errors.push({
      field: 'filter',
      message: `It should be one of these values: '${LIST_FILTERS.join(',')}'`,
      code: 'invalid_value',
    });
  }
  const orderBy = query.get('order_by') ?? 'created_at';
  if (!(ORDER_BY as readonly string[]).includes(orderBy)) {
    errors.push({
      field: 'order_by',
      message: `It should be one of these values: '${ORDER_BY.join(',')}'`,
      code: 'invalid_value',
    });
  }
  const orderType = query.get('order_type') ?? 'desc';
  if (orderType !== 'asc' && orderType !== 'desc') {
    errors.push({
      field: 'order_type',
      message: "It should be one of these values: 'asc,desc'",
      code: 'invalid_value',
    });
  }
  const updatedSinceRaw = query.get('updated_since');
  const updatedSince = updatedSinceRaw === null ? null : parseApiTime(updatedSinceRaw);
  if (updatedSinceRaw !== null && updatedSince === null) {
    errors.push({
      field: 'updated_since',
      message: "It should be in the 'valid date time' format",
      code: 'invalid_value',
    });
  }
  if (errors.length > 0) {
    throw validationError(errors);
  }
  const requesterId = readIdFilter(query, 'requester_id');
  const companyId = readIdFilter(query, 'company_id');
  const includes = readIncludes(query, LIST_INCLUDES);
  const email = query.get('email');
  let emailRequester: number | null | undefined;
  if (email !== null) {
    emailRequester = findContactByEmail(data, email)?.id ?? null;
  }

  const windowed =
    filter === null &&
    requesterId === undefined &&
    email === null &&
    companyId === undefined &&
    updatedSinceRaw === null;
  const windowStart = windowed ? isoSeconds(defaultWindowStart(ctx.now())) : null;
  const updatedSinceIso = updatedSince === null ? null : isoSeconds(updatedSince);

  const matches: TicketRecord[] = [];
  const direction = orderType === 'asc' ? 1 : -1;
  for (const ticket of sortedTickets(data, orderBy as SortKey, direction)) {
    if (filter === 'spam') {
      if (!ticket.spam || ticket.deleted) {
        continue;
      }
    } else if (filter === 'deleted') {
      if (!ticket.deleted) {
        continue;
      }
    } else if (ticket.spam || ticket.deleted) {
      continue;
    }
    if (filter === 'new_and_my_open') {
      if (
        ticket.status !== 2 ||
        (ticket.responder_id !== null && ticket.responder_id !== agent.id)
      ) {
        continue;
      }
    } else if (filter === 'watching') {
      continue; // the emulator keeps no watchers
    }
    if (windowStart !== null && ticket.created_at <= windowStart) {
      continue;
    }
    if (updatedSinceIso !== null && ticket.updated_at < updatedSinceIso) {
      continue;
    }
    if (requesterId !== undefined && ticket.requester_id !== requesterId) {
      continue;
    }
    if (emailRequester !== undefined && ticket.requester_id !== emailRequester) {
      continue;
    }
    if (companyId !== undefined && ticket.company_id !== companyId) {
      continue;
    }
    if (!canSeeTicket(agent, ticket)) {
      continue;
    }
    matches.push(ticket);
  }
  const reply = paginate(matches, req, page);
  reply.body = (reply.body as TicketRecord[]).map((ticket) =>
    ticketListView(ticket, data, includes),
  );
  reply.extraCredits = 2 * includes.length;
  return reply;
}

// ---------------------------------------------------------------------------------------------
// GET /tickets/:id

function showTicket(req: EmuRequest, ctx: RouteContext): EmuReply {
  const includes = readIncludes(req.query, SHOW_INCLUDES);
  const ticket = ctx.data.tickets.get(idParam(req));
  if (!ticket || ticket.deleted) {
    throw notFound();
  }
  if (!canSeeTicket(req.agent, ticket)) {
    throw accessDenied();
  }
  return {
    status: 200,
    body: ticketShowView(ticket, ctx.data, includes),
    extraCredits: includes.length,
  };
}

// ---------------------------------------------------------------------------------------------
// Field validation shared by create and update

const EMAIL_PATTERN = /^[^\s@<>,;"]+@[^\s@<>,;"]+\.[^\s@<>,;"]+$/;

const mismatch = (field: string, value: unknown, expected: string): FieldError => ({
  field,
  message: `Value set is of type ${jsonTypeName(value)}.It should be a/an ${expected}`,
  code: 'datatype_mismatch',
});

const oneOf = (field: string, values: readonly (string | number)[]): FieldError => ({
  field,
  message: `It should be one of these values: '${values.join(',')}'`,
  code: 'invalid_value',
});

const isPositiveInt = (value: unknown): value is number =>
  typeof value === 'number' && Number.isInteger(value) && value > 0;

/** The ticket field definitions, looked up by type and by custom field name. */
function fieldsOf(data: EmulatorData): {
  statuses: number[];
  types: string[] | null;
  custom: Map<string, { field: TicketFieldRecord; level: number; parent?: TicketFieldRecord }>;
  byType: (type: string) => TicketFieldRecord | undefined;
} {
  const byType = (type: string) => data.ticketFields.find((field) => field.type === type);
  const statusField = byType('default_status');
  const statusChoices = statusField?.choices;
  const statuses =
    statusChoices && typeof statusChoices === 'object' && !Array.isArray(statusChoices)
      ? Object.keys(statusChoices)
          .map(Number)
          .filter((id) => Number.isInteger(id))
          .sort((a, b) => a - b)
      : [2, 3, 4, 5];
  const typeChoices = byType('default_ticket_type')?.choices;
  const types = Array.isArray(typeChoices) ? typeChoices.map(String) : null;
  const custom = new Map<
    string,
    { field: TicketFieldRecord; level: number; parent?: TicketFieldRecord }
  >();
  for (const field of data.ticketFields) {
    if (field.default) {
      continue;
    }
    custom.set(field.name, { field, level: 1 });
    for (const nested of field.nested_ticket_fields ?? []) {
      custom.set(nested.name, { field, level: nested.level, parent: field });
    }
  }
  return { statuses, types, custom, byType };
}

/** The allowed values at `level` of a nested field, given the chosen values above it. */
function nestedChoices(choices: unknown, path: readonly string[]): string[] {
  let node: unknown = choices;
  for (const step of path) {
    if (node && typeof node === 'object' && !Array.isArray(node)) {
      node = (node as Record<string, unknown>)[step];
    } else {
      return [];
    }
  }
  if (Array.isArray(node)) {
    return node.map((item) =>
      item && typeof item === 'object' && 'value' in item ? String(item.value) : String(item),
    );
  }
  return node && typeof node === 'object' ? Object.keys(node) : [];
}

function checkCustomFields(
  value: unknown,
  data: EmulatorData,
  mode: 'create' | 'update',
  current: TicketRecord['custom_fields'],
  errors: FieldError[],
): TicketRecord['custom_fields'] | undefined {
  const { custom } = fieldsOf(data);
  const nestedError = (name: string, message: string, code: string): FieldError => ({
    field: 'custom_fields',
    nested_field: `custom_fields.${name}`,
    message,
    code,
  });
  if (value === undefined) {
    value = {};
  } else if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    errors.push(mismatch('custom_fields', value, 'key/value pair'));
    return undefined;
  }
  const given = value as Record<string, unknown>;
  const merged: TicketRecord['custom_fields'] = { ...current };
  let ok = true;
  for (const [name, fieldValue] of Object.entries(given)) {
    const entry = custom.get(name);
    if (!entry) {
      errors.push(nestedError(name, INVALID_FIELD_MESSAGE, 'invalid_field'));
      ok = false;
      continue;
    }
    if (fieldValue === null) {
      merged[name] = null;
      continue;
    }
    const { field } = entry;
    let problem: FieldError | undefined;
    switch (field.type) {
      case 'custom_number':
        if (typeof fieldValue !== 'number' || !Number.isInteger(fieldValue)) {
          problem = nestedError(
            name,
            mismatch(name, fieldValue, 'Integer').message,
            'datatype_mismatch',
          );
        }
        break;
      case 'custom_decimal':
        if (typeof fieldValue !== 'number') {
          problem = nestedError(
            name,
            mismatch(name, fieldValue, 'Number').message,
            'datatype_mismatch',
          );
        }
        break;
      case 'custom_checkbox':
        if (typeof fieldValue !== 'boolean') {
          problem = nestedError(
            name,
            mismatch(name, fieldValue, 'Boolean').message,
            'datatype_mismatch',
          );
        }
        break;
      case 'custom_date':
        if (
          typeof fieldValue !== 'string' ||
          !/^\d{4}-\d{2}-\d{2}$/.test(fieldValue) ||
          parseApiTime(fieldValue) === null
        ) {
          problem = nestedError(name, "It should be in the 'YYYY-MM-DD' format", 'invalid_value');
        }
        break;
      case 'custom_dropdown': {
        const choices = nestedChoices(field.choices, []);
        if (typeof fieldValue !== 'string') {
          problem = nestedError(
            name,
            mismatch(name, fieldValue, 'String').message,
            'datatype_mismatch',
          );
        } else if (!choices.includes(fieldValue)) {
          problem = nestedError(name, oneOf(name, choices).message, 'invalid_value');
        }
        break;
      }
      case 'nested_field': {
        if (typeof fieldValue !== 'string') {
          problem = nestedError(
            name,
            mismatch(name, fieldValue, 'String').message,
            'datatype_mismatch',
          );
          break;
        }
        // The chain above this level, from the request first, then from the stored ticket.
        const levels = [field.name, ...(field.nested_ticket_fields ?? []).map((n) => n.name)];
        const path: string[] = [];
        for (const levelName of levels.slice(0, entry.level - 1)) {
          const chosen = levelName in given ? given[levelName] : current[levelName];
          path.push(String(chosen));
        }
        const choices = nestedChoices(field.choices, path);
        if (!choices.includes(fieldValue)) {
          problem = nestedError(name, oneOf(name, choices).message, 'invalid_value');
        }
        break;
      }
      default:
        if (typeof fieldValue !== 'string') {
          problem = nestedError(
            name,
            mismatch(name, fieldValue, 'String').message,
            'datatype_mismatch',
          );
        }
    }
    if (problem) {
      errors.push(problem);
      ok = false;
    } else {
      merged[name] = fieldValue as string | number | boolean;
    }
  }
  if (mode === 'create') {
    for (const [name, entry] of custom) {
      if (entry.level === 1 && entry.field.required_for_agents && merged[name] == null) {
        errors.push(
          nestedError(name, 'It should not be blank as this is a mandatory field', 'missing_field'),
        );
        ok = false;
      }
    }
  }
  return ok ? merged : undefined;
}

function checkEmailList(field: string, value: unknown, errors: FieldError[]): string[] | undefined {
  if (!Array.isArray(value)) {
    errors.push(mismatch(field, value, 'Array'));
    return undefined;
  }
  if (value.some((item) => typeof item !== 'string' || !EMAIL_PATTERN.test(item))) {
    errors.push({
      field,
      message: "It should contain elements that are in the 'valid email address' format",
      code: 'invalid_value',
    });
    return undefined;
  }
  return value as string[];
}

interface TicketPatch {
  fields: Partial<TicketRecord>;
  /** How the requester was named, resolved (and maybe created) after validation succeeds. */
  requester?: {
    requesterId?: number;
    email?: string;
    phone?: string;
    name?: string;
    twitterId?: string;
    facebookId?: string;
    uniqueExternalId?: string;
  };
}

/** Validates every given field, collecting all errors as Freshdesk does, then throws once. */
function checkTicketBody(
  body: Record<string, unknown>,
  mode: 'create' | 'update',
  ctx: RouteContext,
  current: TicketRecord | undefined,
): TicketPatch {
  const { data } = ctx;
  const errors: FieldError[] = [];
  const allowed: readonly string[] = mode === 'create' ? CREATE_FIELDS : UPDATE_FIELDS;
  const unknown = Object.keys(body).filter((key) => !allowed.includes(key));
  if (unknown.length > 0) {
    throw validationError(
      unknown.map((field) => ({ field, message: INVALID_FIELD_MESSAGE, code: 'invalid_field' })),
    );
  }
  const fields: Partial<TicketRecord> = {};
  const meta = fieldsOf(data);
  const has = (key: string) => body[key] !== undefined;

  const text = (key: 'subject' | 'description', limit?: number) => {
    const value = body[key];
    if (value === undefined) {
      const definition = meta.byType(`default_${key}`);
      if (mode === 'create' && definition?.required_for_agents) {
        errors.push({
          field: key,
          message: 'It should not be blank as this is a mandatory field',
          code: 'missing_field',
        });
      }
      return;
    }
    if (typeof value !== 'string') {
      errors.push(mismatch(key, value, 'String'));
    } else if (limit !== undefined && value.length > limit) {
      errors.push({
        field: key,
        message: `Has ${value.length} characters, it can have maximum of ${limit} characters`,
        code: 'invalid_value',
      });
    } else if (value.trim() === '' && meta.byType(`default_${key}`)?.required_for_agents) {
      errors.push({
        field: key,
        message: 'It should not be blank as this is a mandatory field',
        code: 'missing_field',
      });
    } else if (key === 'subject') {
      fields.subject = value;
    } else {
      fields.description = value;
      fields.description_text = htmlToText(value);
    }
  };
  text('subject', MAX_STRING_LENGTH);
  text('description');

  const choice = (key: 'status' | 'priority' | 'source', values: readonly number[]) => {
    const value = body[key];
    if (value === undefined) {
      return;
    }
    if (typeof value !== 'number' || !Number.isInteger(value)) {
      errors.push(mismatch(key, value, 'Integer'));
    } else if (!values.includes(value)) {
      errors.push(oneOf(key, values));
    } else {
      fields[key] = value;
    }
  };
  choice('status', meta.statuses);
  choice('priority', [1, 2, 3, 4]);
  choice('source', mode === 'create' ? CREATE_SOURCES : UPDATE_SOURCES);

  if (has('type') || body.type === null) {
    const value = body.type;
    if (value !== null && typeof value !== 'string') {
      errors.push(mismatch('type', value, 'String'));
    } else if (value !== null && meta.types && !meta.types.includes(value)) {
      errors.push(oneOf('type', meta.types));
    } else {
      fields.type = value;
    }
  }

  const reference = (
    key: 'group_id' | 'responder_id' | 'company_id' | 'product_id' | 'email_config_id',
    exists: ((id: number) => boolean) | null,
    what: string,
  ) => {
    if (!(key in body)) {
      return;
    }
    const value = body[key];
    if (value === null) {
      fields[key] = null;
    } else if (!isPositiveInt(value)) {
      errors.push(mismatch(key, value, 'Positive Integer'));
    } else if (exists && !exists(value)) {
      errors.push({
        field: key,
        message: `There is no ${what} matching the given ${key}`,
        code: 'invalid_value',
      });
    } else {
      fields[key] = value;
    }
  };
  reference('group_id', (id) => data.groups.has(id), 'group');
  reference('responder_id', (id) => data.agents.has(id), 'agent');
  reference('company_id', (id) => data.companies.has(id), 'company');
  reference('product_id', null, 'product');
  reference('email_config_id', null, 'email_config');

  if (has('tags')) {
    const tags = body.tags;
    if (!Array.isArray(tags)) {
      errors.push(mismatch('tags', tags, 'Array'));
    } else if (tags.some((tag) => typeof tag !== 'string')) {
      errors.push({
        field: 'tags',
        message: 'It should contain elements of type String only',
        code: 'datatype_mismatch',
      });
    } else if (tags.some((tag: string) => tag.length > MAX_TAG_LENGTH)) {
      errors.push({
        field: 'tags',
        message: `It should only contain elements that have maximum of ${MAX_TAG_LENGTH} characters`,
        code: 'invalid_value',
      });
    } else {
      fields.tags = [...new Set(tags as string[])];
    }
  }
  if (has('cc_emails')) {
    const list = checkEmailList('cc_emails', body.cc_emails, errors);
    if (list) {
      fields.cc_emails = list;
    }
  }
  for (const key of ['due_by', 'fr_due_by'] as const) {
    if (has(key)) {
      const time = parseApiTime(body[key]);
      if (time === null) {
        errors.push({
          field: key,
          message: "It should be in the 'valid date time' format",
          code: 'invalid_value',
        });
      } else {
        fields[key] = isoSeconds(time);
      }
    }
  }
  if (mode === 'create' && has('parent_id')) {
    const parent = body.parent_id;
    if (!isPositiveInt(parent)) {
      errors.push(mismatch('parent_id', parent, 'Positive Integer'));
    } else {
      const ticket = data.tickets.get(parent);
      if (!ticket || ticket.deleted || ticket.spam) {
        errors.push({
          field: 'parent_id',
          message: 'There is no ticket matching the given parent_id',
          code: 'invalid_value',
        });
      }
    }
  }
  if (has('custom_fields') || mode === 'create') {
    const merged = checkCustomFields(
      body.custom_fields,
      data,
      mode,
      current?.custom_fields ?? {},
      errors,
    );
    if (merged) {
      fields.custom_fields = merged;
    }
  }

  // Requester identity: one of these names the requester (freshdesk-api.md 2.1, create rules).
  const requester: NonNullable<TicketPatch['requester']> = {};
  const stringField = (key: string, check?: (value: string) => string | null) => {
    if (!has(key)) {
      return undefined;
    }
    const value = body[key];
    if (typeof value !== 'string') {
      errors.push(mismatch(key, value, 'String'));
      return undefined;
    }
    const problem = check?.(value);
    if (problem) {
      errors.push({ field: key, message: problem, code: 'invalid_value' });
      return undefined;
    }
    if (value.length > MAX_STRING_LENGTH) {
      errors.push({
        field: key,
        message: `Has ${value.length} characters, it can have maximum of ${MAX_STRING_LENGTH} characters`,
        code: 'invalid_value',
      });
      return undefined;
    }
    return value;
  };
  if (has('requester_id')) {
    const value = body.requester_id;
    if (!isPositiveInt(value)) {
      errors.push(mismatch('requester_id', value, 'Positive Integer'));
    } else if (!data.contacts.has(value) && !data.agents.has(value)) {
      errors.push({
        field: 'requester_id',
        message: 'There is no contact matching the given requester_id',
        code: 'invalid_value',
      });
    } else {
      requester.requesterId = value;
    }
  }
  requester.email = stringField('email', (value) =>
    EMAIL_PATTERN.test(value) ? null : 'It is not a valid email address',
  );
  requester.phone = stringField('phone');
  requester.name = stringField('name');
  requester.twitterId = stringField('twitter_id');
  requester.facebookId = stringField('facebook_id');
  requester.uniqueExternalId = stringField('unique_external_id');
  const identities = [
    'requester_id',
    'email',
    'phone',
    'twitter_id',
    'facebook_id',
    'unique_external_id',
  ];
  const named = identities.some((key) => has(key));
  if (mode === 'create' && !named) {
    errors.push({
      field: 'requester_id',
      message:
        'Please fill at least 1 of requester_id, phone, email, twitter_id, facebook_id, unique_external_id fields',
      code: 'missing_field',
    });
  }
  const onlyPhone =
    requester.phone !== undefined &&
    requester.requesterId === undefined &&
    requester.email === undefined;
  if (onlyPhone && requester.name === undefined && !findContact(data, requester)) {
    errors.push({
      field: 'name',
      message: 'It should not be blank as this is a mandatory field',
      code: 'missing_field',
    });
  }
  if (errors.length > 0) {
    throw validationError(errors);
  }
  return named ? { fields, requester } : { fields };
}

/** An existing contact for the given identity, in Freshdesk's order of precedence. */
function findContact(
  data: EmulatorData,
  who: NonNullable<TicketPatch['requester']>,
): { id: number; company_id: number | null } | undefined {
  if (who.requesterId !== undefined) {
    const contact = data.contacts.get(who.requesterId);
    return contact ?? { id: who.requesterId, company_id: null };
  }
  const contacts = [...data.contacts.values()].filter((contact) => !contact.deleted);
  if (who.email !== undefined) {
    return findContactByEmail(data, who.email);
  }
  if (who.phone !== undefined) {
    return contacts.find((c) => c.phone === who.phone || c.mobile === who.phone);
  }
  if (who.twitterId !== undefined) {
    return contacts.find((c) => c.twitter_id === who.twitterId);
  }
  if (who.uniqueExternalId !== undefined) {
    return contacts.find((c) => c.unique_external_id === who.uniqueExternalId);
  }
  return undefined;
}

/** Finds the requester or, as Freshdesk does, creates a contact for a new identity. */
function resolveRequester(
  ctx: RouteContext,
  who: NonNullable<TicketPatch['requester']>,
): { id: number; company_id: number | null } {
  const found = findContact(ctx.data, who);
  if (found) {
    return found;
  }
  const now = isoSeconds(ctx.now());
  const id = ctx.data.nextId++;
  const name =
    who.name ??
    who.email?.split('@')[0] ??
    who.twitterId ??
    who.phone ??
    who.uniqueExternalId ??
    `Facebook user ${who.facebookId ?? id}`;
  const contact: ContactRecord = {
    id,
    name,
    email: who.email ?? null,
    phone: who.phone ?? null,
    mobile: null,
    active: false,
    address: null,
    description: null,
    job_title: null,
    language: 'en',
    time_zone: 'Eastern Time (US & Canada)',
    twitter_id: who.twitterId ?? null,
    unique_external_id: who.uniqueExternalId ?? null,
    company_id: null,
    view_all_tickets: false,
    other_emails: [],
    other_companies: [],
    tags: [],
    custom_fields: {},
    avatar: null,
    created_at: now,
    updated_at: now,
    _state: 'unverified',
  };
  ctx.data.contacts.set(id, contact);
  return contact;
}

/** Plain text of an HTML body, as Freshdesk fills `description_text` and `body_text`. */
export function htmlToText(html: string): string {
  return html
    .replace(/<br\s*\/?>/gi, '\n')
    .replace(/<\/(p|div|li|h\d)>/gi, '\n')
    .replace(/<[^>]*>/g, '')
    .replace(/&nbsp;/g, ' ')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&')
    .replace(/\n{2,}/g, '\n')
    .trim();
}

/** Keeps the `stats` timestamps in step with a status change. */
function applyStatusStats(stats: TicketStats, from: number | null, to: number, now: string): void {
  if (from === to) {
    return;
  }
  stats.status_updated_at = now;
  if (to === 3) {
    stats.pending_since = now;
  } else {
    stats.pending_since = null;
  }
  if (to === 4) {
    stats.resolved_at = now;
  }
  if (to === 5) {
    stats.closed_at = now;
    stats.resolved_at ??= now;
  }
  if ((from === 4 || from === 5) && to === 2) {
    stats.reopened_at = now;
  }
}

// ---------------------------------------------------------------------------------------------
// POST /tickets

function createTicket(req: EmuRequest, ctx: RouteContext): EmuReply {
  const body = req.body ?? {};
  const patch = checkTicketBody(body, 'create', ctx, undefined);
  const { data } = ctx;
  const requester = resolveRequester(ctx, patch.requester ?? {});
  const nowMs = ctx.now();
  const now = isoSeconds(nowMs);
  const id = data.nextTicketId++;
  const status = patch.fields.status ?? 2;
  const stats: TicketStats = {
    agent_responded_at: null,
    requester_responded_at: null,
    first_responded_at: null,
    status_updated_at: now,
    reopened_at: null,
    resolved_at: null,
    closed_at: null,
    pending_since: null,
  };
  applyStatusStats(stats, null, status, now);
  stats.status_updated_at = now;
  const parentId = typeof body.parent_id === 'number' ? body.parent_id : null;
  // Freshdesk lists every custom field on a ticket, unset ones as null (checkboxes as false).
  const customDefaults: TicketRecord['custom_fields'] = {};
  for (const [name, entry] of fieldsOf(data).custom) {
    customDefaults[name] =
      entry.field.type === 'custom_checkbox' && entry.level === 1 ? false : null;
  }
  const ticket: TicketRecord = {
    id,
    subject: '',
    description: '',
    description_text: '',
    status,
    priority: 1,
    source: 2,
    type: null,
    requester_id: requester.id,
    responder_id: null,
    group_id: null,
    company_id: requester.company_id,
    product_id: null,
    email_config_id: null,
    association_type: parentId === null ? null : 2,
    to_emails: null,
    cc_emails: [],
    fwd_emails: [],
    reply_cc_emails: [],
    ticket_cc_emails: [],
    tags: [],
    fr_escalated: false,
    is_escalated: false,
    spam: false,
    source_additional_info: null,
    attachments: [],
    created_at: now,
    updated_at: now,
    // SLA times: a simple stand-in for a policy (first response in a day, resolution in three).
    due_by: isoSeconds(nowMs + 3 * 86_400_000),
    fr_due_by: isoSeconds(nowMs + 86_400_000),
    ...patch.fields,
    custom_fields: { ...customDefaults, ...patch.fields.custom_fields },
    _stats: stats,
  };
  ticket.reply_cc_emails = [...ticket.cc_emails];
  ticket.ticket_cc_emails = [...ticket.cc_emails];
  data.tickets.set(id, ticket);
  invalidateTicketOrder(data);
  if (parentId !== null) {
    const parent = data.tickets.get(parentId);
    if (parent) {
      parent.association_type = 1;
    }
  }
  ctx.emit({ kind: 'ticket_created', ticketId: id });
  return {
    status: 201,
    body: ticketShowView(ticket, data),
    headers: { Location: `${req.origin}/api/v2/tickets/${id}` },
  };
}

// ---------------------------------------------------------------------------------------------
// PUT /tickets/:id, DELETE /tickets/:id, PUT /tickets/:id/restore

/** Loads a ticket for a write: unknown → 404, spam or deleted → 405 `Allow: GET`, out of scope → 403. */
function loadWritableTicket(req: EmuRequest, ctx: RouteContext): TicketRecord {
  const ticket = ctx.data.tickets.get(idParam(req));
  if (!ticket) {
    throw notFound();
  }
  if (!canSeeTicket(req.agent, ticket)) {
    throw accessDenied();
  }
  if (ticket.spam || ticket.deleted) {
    throw methodNotAllowed(req.method, ['GET']);
  }
  return ticket;
}

function updateTicket(req: EmuRequest, ctx: RouteContext): EmuReply {
  const ticket = loadWritableTicket(req, ctx);
  const body = req.body;
  if (!body || Object.keys(body).length === 0) {
    throw requestError(400, 'missing_params', 'Mandatory attributes missing');
  }
  const patch = checkTicketBody(body, 'update', ctx, ticket);
  const changes: Record<string, { from: unknown; to: unknown }> = {};
  const next: Partial<TicketRecord> = { ...patch.fields };
  if (patch.requester) {
    const requester = resolveRequester(ctx, patch.requester);
    next.requester_id = requester.id;
  }
  const now = isoSeconds(ctx.now());
  for (const [key, value] of Object.entries(next) as [keyof TicketRecord, unknown][]) {
    const before = ticket[key];
    if (JSON.stringify(before) !== JSON.stringify(value)) {
      changes[key] = { from: before, to: value };
    }
  }
  if (next.status !== undefined) {
    applyStatusStats(ticket._stats, ticket.status, next.status, now);
  }
  Object.assign(ticket, next);
  ticket.updated_at = now;
  invalidateTicketOrder(ctx.data);
  ctx.emit({ kind: 'ticket_updated', ticketId: ticket.id, changes });
  return { status: 200, body: ticketShowView(ticket, ctx.data) };
}

function deleteTicket(req: EmuRequest, ctx: RouteContext): EmuReply {
  const ticket = loadWritableTicket(req, ctx);
  ticket.deleted = true;
  ticket.updated_at = isoSeconds(ctx.now());
  invalidateTicketOrder(ctx.data);
  ctx.emit({
    kind: 'ticket_updated',
    ticketId: ticket.id,
    changes: { deleted: { from: false, to: true } },
  });
  return { status: 204 };
}

function restoreTicket(req: EmuRequest, ctx: RouteContext): EmuReply {
  const ticket = ctx.data.tickets.get(idParam(req));
  // Restore only finds deleted tickets; anything else is "not found" to it.
  if (!ticket?.deleted) {
    throw notFound();
  }
  if (!canSeeTicket(req.agent, ticket)) {
    throw accessDenied();
  }
  delete ticket.deleted;
  ticket.updated_at = isoSeconds(ctx.now());
  invalidateTicketOrder(ctx.data);
  ctx.emit({
    kind: 'ticket_updated',
    ticketId: ticket.id,
    changes: { deleted: { from: true, to: false } },
  });
  return { status: 204 };
}

/** Ticket routes, below `/api/v2`. */
export const routes: Route[] = [
  {
    method: 'GET',
    path: '/tickets',
    query: [
      'filter',
      'company_id',
      'requester_id',
      'email',
      'order_by',
      'order_type',
      'updated_since',
      'include',
      'page',
      'per_page',
    ],
    metered: 'tickets_list',
    handler: listTickets,
  },
  { method: 'POST', path: '/tickets', metered: 'ticket_create', handler: createTicket },
  { method: 'GET', path: '/tickets/:id', query: ['include'], handler: showTicket },
  { method: 'PUT', path: '/tickets/:id', metered: 'ticket_update', handler: updateTicket },
  { method: 'DELETE', path: '/tickets/:id', handler: deleteTicket },
  { method: 'PUT', path: '/tickets/:id/restore', handler: restoreTicket },
];
