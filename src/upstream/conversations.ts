/**
 * A ticket's conversations (replies and notes) in Freshdesk's shape (`RawConversation`), the
 * gateway's model (`ConversationModel`) and the calls that read and write them
 * (freshdesk-api.md section 2.2). Nothing here knows GraphQL.
 */
import type { FreshdeskSession, ReadEvidence } from './freshdesk-client.ts';
import { idString, optionalId, type RawId } from './ids.ts';

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

export function toConversationModel(raw: RawConversation): ConversationModel {
  return {
    id: idString(raw.id),
    body: raw.body ?? '',
    bodyText: raw.body_text ?? '',
    incoming: raw.incoming === true,
    private: raw.private === true,
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

/**
 * One page of a ticket's conversations, oldest first. `updatedAt`: the ticket's version as the
 * caller holds it (a cached page read for another version is not reused).
 */
export async function listConversations(
  session: FreshdeskSession,
  ticketId: string,
  page: number,
  perPage: number,
  updatedAt?: string,
): Promise<ConversationPage> {
  const evidence: ReadEvidence | undefined =
    updatedAt === undefined ? undefined : { ticketId, updatedAt };
  const response = await session.read<RawConversation[]>(
    { path: `/api/v2/tickets/${ticketId}/conversations`, query: { page, per_page: perPage } },
    evidence,
  );
  return {
    conversations: (response.data ?? []).map(toConversationModel),
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
  const response = await session.post<RawConversation>(`/api/v2/tickets/${ticketId}/reply`, body);
  return toConversationModel(response.data);
}

export async function createNote(
  session: FreshdeskSession,
  ticketId: string,
  body: NoteBody,
): Promise<ConversationModel> {
  const response = await session.post<RawConversation>(`/api/v2/tickets/${ticketId}/notes`, body);
  return toConversationModel(response.data);
}
