/**
 * SatisfactionRating: a customer's survey answer about a ticket. Read per ticket
 * (`Ticket.satisfactionRatings`, one call per ticket, bounded) and created with
 * `createSatisfactionRating`.
 */
import { loadAgent } from '../../loaders/people.ts';
import { loadTicket } from '../../loaders/tickets.ts';
import { Agent, SatisfactionRating, Ticket } from '../refs.ts';

SatisfactionRating.implement({
  description: 'A satisfaction survey answer about a ticket.',
  fields: (t) => ({
    id: t.exposeID('id', { description: "The rating's id (a decimal string)." }),
    ticketId: t.exposeID('ticketId', {
      description: "The rated ticket's id, without loading the ticket.",
    }),
    userId: t.exposeID('userId', {
      nullable: true,
      description: 'The customer (contact) who gave the rating.',
    }),
    agentId: t.exposeID('agentId', {
      nullable: true,
      description: "The rated agent's id, without loading the agent list.",
    }),
    ticket: t.field({
      type: Ticket,
      description: 'The ticket rated (no call when the request already holds it).',
      resolve: (rating, _args, ctx) => loadTicket(ctx, rating.ticketId),
    }),
    agent: t.field({
      type: Agent,
      nullable: true,
      description: 'The agent the ticket was assigned to when rated.',
      resolve: (rating, _args, ctx) =>
        rating.agentId === null ? null : loadAgent(ctx, rating.agentId),
    }),
    feedback: t.exposeString('feedback', {
      nullable: true,
      description: "The customer's comment, if any.",
    }),
    ratings: t.field({
      type: 'JSON',
      description:
        'Answers by question id: `{"default_question": 103, "question_2": -102}` (new surveys: 103 to -103; classic: 1 happy, 2 neutral, 3 unhappy).',
      resolve: (rating) => rating.ratings,
    }),
    createdAt: t.field({
      type: 'DateTime',
      description: 'When the rating was given (UTC).',
      resolve: (rating) => rating.createdAt,
    }),
    updatedAt: t.field({
      type: 'DateTime',
      description: 'When the rating last changed (UTC).',
      resolve: (rating) => rating.updatedAt,
    }),
  }),
});
