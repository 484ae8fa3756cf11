/**
 * Satisfaction ratings (freshdesk-api.md section 2.8) in Freshdesk's shape and the gateway's model,
 * and the calls that read and create them. Nothing here knows GraphQL.
 */
import type { FreshdeskSession } from './freshdesk-client.ts';
import { idString, optionalId, type RawId } from './ids.ts';
import * as shape from './shape.ts';

export interface RawSatisfactionRating {
  id: RawId;
  survey_id?: RawId | null;
  user_id?: RawId | null;
  agent_id?: RawId | null;
  group_id?: RawId | null;
  ticket_id: RawId;
  feedback?: string | null;
  ratings?: Record<string, number> | null;
  created_at: string;
  updated_at?: string | null;
}

/**
 * What `toSatisfactionRatingModel` reads of a rating (freshdesk-api.md section 2.8). `ratings` is
 * shown as JSON: its values are not checked.
 */
export const checkSatisfactionRating: shape.Check = shape.record(
  (r) =>
    shape.id(r.id, 'id') ??
    shape.optionalId(r.survey_id, 'survey_id') ??
    shape.optionalId(r.user_id, 'user_id') ??
    shape.optionalId(r.agent_id, 'agent_id') ??
    shape.optionalId(r.group_id, 'group_id') ??
    shape.id(r.ticket_id, 'ticket_id') ??
    shape.optionalText(r.feedback, 'feedback') ??
    shape.optionalObject(r.ratings, 'ratings') ??
    shape.instant(r.created_at, 'created_at') ??
    shape.optionalInstant(r.updated_at, 'updated_at'),
);

const RATING_LIST = shape.list(checkSatisfactionRating);

export interface SatisfactionRatingModel {
  id: string;
  surveyId: string | null;
  userId: string | null;
  agentId: string | null;
  groupId: string | null;
  ticketId: string;
  feedback: string | null;
  ratings: Record<string, number>;
  createdAt: string;
  updatedAt: string;
}

/** The model of a rating that passed `checkSatisfactionRating`. */
export function toSatisfactionRatingModel(raw: RawSatisfactionRating): SatisfactionRatingModel {
  return {
    id: idString(raw.id),
    surveyId: optionalId(raw.survey_id),
    userId: optionalId(raw.user_id),
    agentId: optionalId(raw.agent_id),
    groupId: optionalId(raw.group_id),
    ticketId: idString(raw.ticket_id),
    feedback: raw.feedback ?? null,
    ratings: raw.ratings ?? {},
    createdAt: raw.created_at,
    updatedAt: raw.updated_at ?? raw.created_at,
  };
}

/** Every rating of one ticket (the endpoint does not page). */
export async function listTicketSatisfactionRatings(
  session: FreshdeskSession,
  ticketId: string,
): Promise<SatisfactionRatingModel[]> {
  const response = await session.get<unknown>(`/api/v2/tickets/${ticketId}/satisfaction_ratings`);
  return shape
    .checked<RawSatisfactionRating[]>(response, RATING_LIST)
    .map(toSatisfactionRatingModel);
}

export interface SatisfactionRatingPage {
  ratings: SatisfactionRatingModel[];
  nextPage: number | undefined;
}

/** One page of the account's ratings (`GET /surveys/satisfaction_ratings`), optionally from a time on. */
export async function listSatisfactionRatings(
  session: FreshdeskSession,
  params: { page: number; per_page: number; created_since?: string },
): Promise<SatisfactionRatingPage> {
  const response = await session.get<unknown>('/api/v2/surveys/satisfaction_ratings', {
    ...params,
  });
  return {
    ratings: shape
      .checked<RawSatisfactionRating[]>(response, RATING_LIST)
      .map(toSatisfactionRatingModel),
    nextPage: response.nextPage,
  };
}

/** The body of `POST /tickets/:id/satisfaction_ratings`. */
export interface SatisfactionRatingBody {
  ratings: Record<string, number>;
  feedback?: string;
}

export async function createSatisfactionRating(
  session: FreshdeskSession,
  ticketId: string,
  body: SatisfactionRatingBody,
): Promise<SatisfactionRatingModel> {
  const response = await session.post<unknown>(
    `/api/v2/tickets/${ticketId}/satisfaction_ratings`,
    body,
  );
  return toSatisfactionRatingModel(
    shape.checked<RawSatisfactionRating>(response, checkSatisfactionRating),
  );
}
