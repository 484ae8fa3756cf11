/**
 * Satisfaction ratings (freshdesk-api.md section 2.8): the account-wide list, a ticket's ratings,
 * and creating a rating on a ticket with the new-survey scale (103 … -103).
 */
import {
  checkBodyFields,
  type EmuReply,
  type EmuRequest,
  isoSeconds,
  paginate,
  type Route,
  type RouteContext,
  readPage,
} from '../http.ts';
import type { SatisfactionRatingRecord } from '../records.ts';
import { SURVEY_ID } from '../seed.ts';
import { BodyCheck, created, notIncludedMessage, readDateParam, readIdParam } from './shared.ts';
import { loadActiveTicket } from './tickets.ts';

/** New-survey rating values, happiest first. */
const RATING_VALUES = [103, 102, 101, 100, -101, -102, -103] as const;

/** `default_question` is every survey's main question; custom ones are `question_<n>`. */
const QUESTION_ID = /^(default_question|question_\d+)$/;

function listRatings(req: EmuRequest, ctx: RouteContext): EmuReply {
  const since = readDateParam(req.query, 'created_since');
  const userId = readIdParam(req.query, 'user_id');
  const page = readPage(req.query);
  const ratings = [...ctx.data.ratings.values()]
    .filter(
      (rating) =>
        (since === undefined || Date.parse(rating.created_at) >= since) &&
        (userId === undefined || rating.user_id === userId),
    )
    .sort((a, b) => a.id - b.id);
  return paginate(ratings, req, page);
}

function ticketRatings(req: EmuRequest, ctx: RouteContext): EmuReply {
  // As on every ticket sub-route: unknown, spam or deleted → 404; outside the caller's scope → 403.
  const ticket = loadActiveTicket(req, ctx);
  const ratings = [...ctx.data.ratings.values()]
    .filter((rating) => rating.ticket_id === ticket.id)
    .sort((a, b) => a.id - b.id);
  return { status: 200, body: ratings };
}

function createRating(req: EmuRequest, ctx: RouteContext): EmuReply {
  const ticket = loadActiveTicket(req, ctx);
  const check = new BodyCheck(checkBodyFields(req.body, ['ratings', 'feedback']));
  check.required('ratings');
  const feedback = check.string('feedback', { max: 10_000 });
  const given = check.object('ratings');
  const ratings: Record<string, number> = {};
  if (given !== undefined) {
    for (const [question, value] of Object.entries(given)) {
      if (!QUESTION_ID.test(question)) {
        check.add('ratings', 'Unexpected/invalid field in request', 'invalid_field', {
          nested_field: `ratings.${question}`,
        });
      } else if (
        typeof value !== 'number' ||
        !(RATING_VALUES as readonly number[]).includes(value)
      ) {
        check.add('ratings', notIncludedMessage(RATING_VALUES), 'invalid_value', {
          nested_field: `ratings.${question}`,
        });
      } else {
        ratings[question] = value;
      }
    }
    if (!('default_question' in given)) {
      check.add('ratings', 'Mandatory attribute missing', 'missing_field', {
        nested_field: 'ratings.default_question',
      });
    }
  }
  check.throwIfAny();

  const now = isoSeconds(ctx.now());
  // Every rating answers the account's one active survey; copy its id from an existing rating.
  const [sample] = ctx.data.ratings.values();
  const rating: SatisfactionRatingRecord = {
    id: ctx.data.nextId++,
    survey_id: sample?.survey_id ?? SURVEY_ID,
    user_id: ticket.requester_id,
    agent_id: ticket.responder_id,
    group_id: ticket.group_id,
    ticket_id: ticket.id,
    feedback: feedback ?? null,
    ratings,
    created_at: now,
    updated_at: now,
  };
  ctx.data.ratings.set(rating.id, rating);
  return created(req, `/tickets/${ticket.id}/satisfaction_ratings`, rating);
}

export const routes: Route[] = [
  {
    method: 'GET',
    path: '/surveys/satisfaction_ratings',
    query: ['created_since', 'user_id', 'page', 'per_page'],
    handler: listRatings,
  },
  { method: 'GET', path: '/tickets/:id/satisfaction_ratings', handler: ticketRatings },
  { method: 'POST', path: '/tickets/:id/satisfaction_ratings', handler: createRating },
];
