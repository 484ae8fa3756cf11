/**
 * Per-request ticket loading. Freshdesk has no "get many tickets" call, so tickets by id are single
 * GETs, deduplicated within the operation and run through the operation's limiter (`operationLimit`).
 * Whatever a list, a search or a write already returned in this request seeds the loaders, so no
 * field fetches a ticket the request already holds.
 */
import DataLoader from 'dataloader';
import { type Context, perRequest } from '../context.ts';
import { getTicket, type TicketInclude, type TicketModel } from '../upstream/tickets.ts';
import { asError, operationLimit } from './limit.ts';

/** Full tickets (the show shape, with `description`), by id. */
export const ticketDetailLoader = (ctx: Context): DataLoader<string, TicketModel> =>
  perRequest(ctx, 'tickets:detail', () => {
    const limit = operationLimit(ctx);
    return new DataLoader<string, TicketModel>((ids) =>
      Promise.all(
        ids.map((id) =>
          limit(() => getTicket(ctx.freshdesk, id)).then(
            (ticket) => {
              ticketLoader(ctx).prime(id, ticket);
              return ticket;
            },
            (error: unknown) => asError(error),
          ),
        ),
      ),
    );
  });

/**
 * Tickets by id, in whatever shape the request already holds (a list entry lacks `description`);
 * a ticket the request does not hold yet is fetched in full.
 */
export const ticketLoader = (ctx: Context): DataLoader<string, TicketModel> =>
  perRequest(
    ctx,
    'tickets:byId',
    () =>
      new DataLoader<string, TicketModel>((ids) =>
        Promise.all(ids.map((id) => ticketDetailLoader(ctx).load(id).catch(asError))),
      ),
  );

/** Seeds the loaders with tickets a call of this request returned. */
export function primeTickets(ctx: Context, tickets: readonly TicketModel[]): void {
  const byId = ticketLoader(ctx);
  const detail = ticketDetailLoader(ctx);
  for (const ticket of tickets) {
    byId.prime(ticket.id, ticket);
    if (ticket.description !== undefined) {
      detail.prime(ticket.id, ticket);
    }
  }
}

/** Replaces what the loaders hold for a ticket (after a write changed it). */
export function replaceTicket(ctx: Context, ticket: TicketModel): void {
  ticketLoader(ctx).clear(ticket.id).prime(ticket.id, ticket);
  ticketDetailLoader(ctx).clear(ticket.id).prime(ticket.id, ticket);
}

/**
 * One ticket with embeds (`include=conversations,requester`: +1 credit each, no extra call).
 * Deduplicated by id and include set; without includes it is `ticketDetailLoader`.
 */
export function loadTicketWith(
  ctx: Context,
  id: string,
  include: readonly TicketInclude[],
): Promise<TicketModel> {
  if (include.length === 0) {
    return ticketDetailLoader(ctx).load(id);
  }
  const key = `${id}|${[...include].sort().join(',')}`;
  const pending = perRequest(
    ctx,
    'tickets:withIncludes',
    () => new Map<string, Promise<TicketModel>>(),
  );
  let promise = pending.get(key);
  if (promise === undefined) {
    promise = operationLimit(ctx)(() => getTicket(ctx.freshdesk, id, include)).then((ticket) => {
      primeTickets(ctx, [ticket]);
      return ticket;
    });
    pending.set(key, promise);
  }
  return promise;
}
