/**
 * Per-request ticket loading. Freshdesk has no "get many tickets" call, so tickets by id are single
 * GETs, deduplicated within the operation and run through the operation's limiter (`operationLimit`).
 * Whatever a list, a search or a write already returned in this request is held, merged per id (a
 * list row and an embed of the same ticket make one ticket carrying both), so no field fetches a
 * ticket the request already holds, and a ticket reached again (a conversation's ticket) carries at
 * least what it carried where it was listed.
 */
import DataLoader from 'dataloader';
import { type Context, perRequest, slot } from '../context.ts';
import { getTicket, type TicketInclude, type TicketModel } from '../upstream/tickets.ts';
import { asError, operationLimit } from './limit.ts';

/** Tickets this request holds, by id (the richest shape seen). */
const HELD = slot('tickets:held', () => new Map<string, TicketModel>());

/** Full tickets (the show shape, with `description`), by id. */
const DETAIL = slot('tickets:detail', (ctx) => {
  const limit = operationLimit(ctx);
  return new DataLoader<string, TicketModel>((ids) =>
    Promise.all(
      ids.map((id) =>
        limit(() => getTicket(ctx.freshdesk, id)).then(
          (ticket) => hold(ctx, ticket),
          (error: unknown) => asError(error),
        ),
      ),
    ),
  );
});

/** Tickets by id with embeds, one read per id and include set. */
const WITH_INCLUDES = slot('tickets:withIncludes', () => new Map<string, Promise<TicketModel>>());

/** `ticket` merged with what the request already holds of it; the merge is held. */
function hold(ctx: Context, ticket: TicketModel): TicketModel {
  const held = perRequest(ctx, HELD);
  const before = held.get(ticket.id);
  const merged: TicketModel = before
    ? {
        ...ticket,
        description: ticket.description ?? before.description,
        descriptionText: ticket.descriptionText ?? before.descriptionText,
        requester: ticket.requester ?? before.requester,
        company: ticket.company !== undefined ? ticket.company : before.company,
        conversations: ticket.conversations ?? before.conversations,
      }
    : ticket;
  held.set(ticket.id, merged);
  return merged;
}

/** The full ticket (with its description): from what the request holds, else one GET. */
export function loadTicketDetail(ctx: Context, id: string): Promise<TicketModel> {
  const held = perRequest(ctx, HELD).get(id);
  if (held?.description !== undefined) {
    return Promise.resolve(held);
  }
  return perRequest(ctx, DETAIL).load(id);
}

/**
 * A ticket by id, in whatever shape the request already holds (a list row lacks `description`);
 * a ticket the request does not hold yet is fetched in full.
 */
export function loadTicket(ctx: Context, id: string): Promise<TicketModel> {
  const held = perRequest(ctx, HELD).get(id);
  return held ? Promise.resolve(held) : perRequest(ctx, DETAIL).load(id);
}

/** Holds the tickets a call of this request returned; returns them merged with what was held. */
export function primeTickets(ctx: Context, tickets: readonly TicketModel[]): TicketModel[] {
  return tickets.map((ticket) => hold(ctx, ticket));
}

/** Replaces what the request holds of a ticket (after a write changed it). */
export function replaceTicket(ctx: Context, ticket: TicketModel): void {
  perRequest(ctx, HELD).set(ticket.id, ticket);
  perRequest(ctx, DETAIL).clear(ticket.id);
}

/** Forgets a ticket a write changed (`updated_at`): later reads in this request fetch it again. */
export function forgetTicket(ctx: Context, id: string): void {
  perRequest(ctx, HELD).delete(id);
  perRequest(ctx, DETAIL).clear(id);
  const pending = perRequest(ctx, WITH_INCLUDES);
  for (const key of pending.keys()) {
    if (key.startsWith(`${id}|`)) {
      pending.delete(key);
    }
  }
}

/**
 * One ticket with embeds (`include=conversations,requester`: +1 credit each, no extra call).
 * Deduplicated by id and include set; without includes it is `loadTicketDetail`.
 */
export function loadTicketWith(
  ctx: Context,
  id: string,
  include: readonly TicketInclude[],
): Promise<TicketModel> {
  if (include.length === 0) {
    return loadTicketDetail(ctx, id);
  }
  const key = `${id}|${[...include].sort().join(',')}`;
  const pending = perRequest(ctx, WITH_INCLUDES);
  let promise = pending.get(key);
  if (promise === undefined) {
    promise = operationLimit(ctx)(() => getTicket(ctx.freshdesk, id, include)).then((ticket) =>
      hold(ctx, ticket),
    );
    pending.set(key, promise);
  }
  return promise;
}
