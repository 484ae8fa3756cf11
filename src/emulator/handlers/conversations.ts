/**
 * A ticket's conversations: the paged list, replies and notes (freshdesk-api.md 2.2).
 */
import {
  type EmuReply,
  type EmuRequest,
  type FieldError,
  INVALID_FIELD_MESSAGE,
  isoSeconds,
  paginate,
  publicView,
  type Route,
  type RouteContext,
  readPage,
  validationError,
} from '../http.ts';
import type { ConversationRecord, TicketRecord } from '../records.ts';
import { htmlToText, invalidateTicketOrder, loadActiveTicket, personSummary } from './tickets.ts';

/** The helpdesk's support address, used as a reply's sender when none is given. */
export const SUPPORT_EMAIL = 'support@emulator.freshdesk.com';

const REPLY_FIELDS = ['body', 'from_email', 'user_id', 'cc_emails', 'bcc_emails'];
const NOTE_FIELDS = ['body', 'private', 'incoming', 'notify_emails', 'user_id'];
const EMAIL_PATTERN = /^[^\s@<>,;"]+@[^\s@<>,;"]+\.[^\s@<>,;"]+$/;

function listConversations(req: EmuRequest, ctx: RouteContext): EmuReply {
  const page = readPage(req.query);
  const ticket = loadActiveTicket(req, ctx);
  const reply = paginate(ctx.data.conversations.get(ticket.id) ?? [], req, page);
  reply.body = (reply.body as ConversationRecord[]).map((conversation) => publicView(conversation));
  return reply;
}

/** Validates a reply or note body; throws the validation body listing every problem. */
function checkBody(
  req: EmuRequest,
  ctx: RouteContext,
  allowed: readonly string[],
): Record<string, unknown> {
  const body = req.body ?? {};
  const unknown = Object.keys(body).filter((key) => !allowed.includes(key));
  if (unknown.length > 0) {
    throw validationError(
      unknown.map((field) => ({ field, message: INVALID_FIELD_MESSAGE, code: 'invalid_field' })),
    );
  }
  const errors: FieldError[] = [];
  if (body.body === undefined || body.body === null) {
    errors.push({ field: 'body', message: 'Mandatory attribute missing', code: 'missing_field' });
  } else if (typeof body.body !== 'string') {
    errors.push({
      field: 'body',
      message: 'It should be a/an String',
      code: 'datatype_mismatch',
    });
  } else if (body.body.trim() === '') {
    errors.push({
      field: 'body',
      message: 'It should not be blank as this is a mandatory field',
      code: 'missing_field',
    });
  }
  for (const key of ['cc_emails', 'bcc_emails', 'notify_emails']) {
    const value = body[key];
    if (value === undefined) {
      continue;
    }
    if (!Array.isArray(value)) {
      errors.push({ field: key, message: 'It should be a/an Array', code: 'datatype_mismatch' });
    } else if (value.some((item) => typeof item !== 'string' || !EMAIL_PATTERN.test(item))) {
      errors.push({
        field: key,
        message: "It should contain elements that are in the 'valid email address' format",
        code: 'invalid_value',
      });
    }
  }
  for (const key of ['private', 'incoming']) {
    if (body[key] !== undefined && typeof body[key] !== 'boolean') {
      errors.push({ field: key, message: 'It should be a/an Boolean', code: 'datatype_mismatch' });
    }
  }
  if (body.from_email !== undefined) {
    if (typeof body.from_email !== 'string' || !EMAIL_PATTERN.test(body.from_email)) {
      errors.push({
        field: 'from_email',
        message: 'It is not a valid email address',
        code: 'invalid_value',
      });
    }
  }
  if (body.user_id !== undefined) {
    const id = body.user_id;
    if (typeof id !== 'number' || !Number.isInteger(id) || id <= 0) {
      errors.push({
        field: 'user_id',
        message: 'It should be a/an Positive Integer',
        code: 'datatype_mismatch',
      });
    } else if (!ctx.data.agents.has(id) && !ctx.data.contacts.has(id)) {
      errors.push({
        field: 'user_id',
        message: 'There is no contact matching the given user_id',
        code: 'invalid_value',
      });
    }
  }
  if (errors.length > 0) {
    throw validationError(errors);
  }
  return body;
}

/** Stores a conversation and bumps the ticket's `updated_at`, as a reply or note does. */
function append(ctx: RouteContext, ticket: TicketRecord, record: ConversationRecord): void {
  const list = ctx.data.conversations.get(ticket.id);
  if (list) {
    list.push(record);
  } else {
    ctx.data.conversations.set(ticket.id, [record]);
  }
  ticket.updated_at = record.created_at;
  invalidateTicketOrder(ctx.data);
}

const location = (req: EmuRequest, id: number): Record<string, string> => ({
  Location: `${req.origin}/api/v2/conversations/${id}`,
});

function reply(req: EmuRequest, ctx: RouteContext): EmuReply {
  const ticket = loadActiveTicket(req, ctx);
  const body = checkBody(req, ctx, REPLY_FIELDS);
  const now = isoSeconds(ctx.now());
  const requesterEmail = personSummary(ctx.data, ticket.requester_id)?.email ?? null;
  const record: ConversationRecord = {
    id: ctx.data.nextId++,
    body: body.body as string,
    body_text: htmlToText(body.body as string),
    incoming: false,
    private: false,
    user_id: (body.user_id as number | undefined) ?? req.agent.id,
    support_email: SUPPORT_EMAIL,
    source: 0,
    ticket_id: ticket.id,
    to_emails: requesterEmail ? [requesterEmail] : [],
    from_email: (body.from_email as string | undefined) ?? SUPPORT_EMAIL,
    cc_emails: (body.cc_emails as string[] | undefined) ?? [],
    bcc_emails: (body.bcc_emails as string[] | undefined) ?? [],
    attachments: [],
    created_at: now,
    updated_at: now,
    last_edited_at: null,
    last_edited_user_id: null,
  };
  append(ctx, ticket, record);
  ticket._stats.agent_responded_at = now;
  ticket._stats.first_responded_at ??= now;
  ctx.emit({ kind: 'reply_sent', ticketId: ticket.id, conversationId: record.id });
  return {
    status: 201,
    body: { ...publicView(record), replied_to: record.to_emails },
    headers: location(req, record.id),
  };
}

function note(req: EmuRequest, ctx: RouteContext): EmuReply {
  const ticket = loadActiveTicket(req, ctx);
  const body = checkBody(req, ctx, NOTE_FIELDS);
  const now = isoSeconds(ctx.now());
  const notify = (body.notify_emails as string[] | undefined) ?? [];
  const record: ConversationRecord = {
    id: ctx.data.nextId++,
    body: body.body as string,
    body_text: htmlToText(body.body as string),
    incoming: (body.incoming as boolean | undefined) ?? false,
    private: (body.private as boolean | undefined) ?? true,
    user_id: (body.user_id as number | undefined) ?? req.agent.id,
    support_email: null,
    source: 2,
    ticket_id: ticket.id,
    to_emails: notify,
    from_email: null,
    cc_emails: [],
    bcc_emails: [],
    attachments: [],
    created_at: now,
    updated_at: now,
    last_edited_at: null,
    last_edited_user_id: null,
  };
  append(ctx, ticket, record);
  ctx.emit({
    kind: 'note_added',
    ticketId: ticket.id,
    conversationId: record.id,
    private: record.private,
  });
  return {
    status: 201,
    body: { ...publicView(record), notified_to: notify },
    headers: location(req, record.id),
  };
}

/** Conversation routes, below `/api/v2`. */
export const routes: Route[] = [
  {
    method: 'GET',
    path: '/tickets/:id/conversations',
    query: ['page', 'per_page'],
    handler: listConversations,
  },
  { method: 'POST', path: '/tickets/:id/reply', handler: reply },
  { method: 'POST', path: '/tickets/:id/notes', handler: note },
];
