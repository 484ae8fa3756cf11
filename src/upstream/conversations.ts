/**
 * A ticket's conversations (replies and notes) in Freshdesk's shape (`RawConversation`), the
 * gateway's model (`ConversationModel`) and the calls that read and write them
 * (freshdesk-api.md section 2.2). Nothing here knows GraphQL.
 */
import type { FreshdeskSession } from './freshdesk-client.ts';
import { idString, optionalId, type RawId } from './ids.ts';
import * as shape from './shape.ts';

export interface RawConversation {
  id: RawId;
  body: string;
  body_text: string;
  incoming: boolean;
  private: boolean;
  user_id: RawId | null;
  support_email?: string | null;
  source?: number;
  ticket_id: RawId;
  to_emails?: string[] | null;
  from_email?: string | null;
  cc_emails?: string[] | null;
  bcc_emails?: string[] | null;
  created_at: string;
  updated_at: string;
}

/** What `toConversationModel` reads of a reply or note (freshdesk-api.md section 2.2). */
export const checkConversation: shape.Check = shape.record(
  (c) =>
    shape.id(c.id, 'id') ??
    shape.text(c.body, 'body') ??
    shape.text(c.body_text, 'body_text') ??
    shape.flag(c.incoming, 'incoming') ??
    shape.flag(c.private, 'private') ??
    shape.optionalId(c.user_id, 'user_id') ??
    shape.optionalInt(c.source, 'source') ??
    shape.id(c.ticket_id, 'ticket_id') ??
    shape.optionalTextList(c.to_emails, 'to_emails') ??
    shape.optionalText(c.from_email, 'from_email') ??
    shape.optionalTextList(c.cc_emails, 'cc_emails') ??
    shape.optionalTextList(c.bcc_emails, 'bcc_emails') ??
    shape.instant(c.created_at, 'created_at') ??
    shape.instant(c.updated_at, 'updated_at'),
);

const CONVERSATION_PAGE = shape.list(checkConversation);

export interface ConversationModel {
  id: string;
  body: string;
  bodyText: string;
  incoming: boolean;
  private: boolean;
  userId: string | null;
  source: number | null;
  ticketId: string;
  toEmails: string[];
  fromEmail: string | null;
  ccEmails: string[];
  bccEmails: string[];
  createdAt: string;
  updatedAt: string;
}

/** The model of a conversation that passed `checkConversation`. */
export function toConversationModel(raw: RawConversation): ConversationModel {
  return {
    id: idString(raw.id),
    body: raw.body,
    bodyText: raw.body_text,
    incoming: raw.incoming,
    private: raw.private,
    userId: optionalId(raw.user_id),
    source: raw.source ?? null,
    ticketId: idString(raw.ticket_id),
    toEmails: raw.to_emails ?? [],
    fromEmail: raw.from_email ?? null,
    ccEmails: raw.cc_emails ?? [],
    bccEmails: raw.bcc_emails ?? [],
    createdAt: raw.created_at,
    updatedAt: raw.updated_at,
  };
}

export interface ConversationPage {
  conversations: ConversationModel[];
  nextPage: number | undefined;
}

/** One page of a ticket's conversations, oldest first. */
export async function listConversations(
  session: FreshdeskSession,
  ticketId: string,
  page: number,
  perPage: number,
): Promise<ConversationPage> {
  const response = await session.get<unknown>(`/api/v2/tickets/${ticketId}/conversations`, {
    page,
    per_page: perPage,
  });
  return {
    conversations: shape
      .checked<RawConversation[]>(response, CONVERSATION_PAGE)
      .map(toConversationModel),
    nextPage: response.nextPage,
  };
}

/** The body of `POST /tickets/:id/reply`: only fields Freshdesk accepts. */
export interface ReplyBody {
  body: string;
  from_email?: string;
  user_id?: number;
  cc_emails?: string[];
  bcc_emails?: string[];
}

/** The body of `POST /tickets/:id/notes`: only fields Freshdesk accepts. */
export interface NoteBody {
  body: string;
  private?: boolean;
  incoming?: boolean;
  notify_emails?: string[];
  user_id?: number;
}

export async function createReply(
  session: FreshdeskSession,
  ticketId: string,
  body: ReplyBody,
): Promise<ConversationModel> {
  const response = await session.post<unknown>(`/api/v2/tickets/${ticketId}/reply`, body);
  return toConversationModel(shape.checked<RawConversation>(response, checkConversation));
}

export async function createNote(
  session: FreshdeskSession,
  ticketId: string,
  body: NoteBody,
): Promise<ConversationModel> {
  const response = await session.post<unknown>(`/api/v2/tickets/${ticketId}/notes`, body);
  return toConversationModel(shape.checked<RawConversation>(response, checkConversation));
}
