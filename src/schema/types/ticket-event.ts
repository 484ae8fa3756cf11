/**
 * TicketEvent and the Subscription root: `ticketEvents(ticketId, after)` over SSE (Yoga serves
 * `text/event-stream` for subscriptions on `/graphql`). Events come from the gateway's freshness
 * pipeline (`src/freshness/`): webhooks, the reconciliation sweep and the gateway's own writes, one
 * event per change.
 *
 * A subscription is one long operation with one context, so before each event the context gets a
 * fresh deadline and empty per-request loaders: `ticket` is read when the event is delivered, not
 * from what an earlier event loaded. In `passthrough` mode an event is delivered only when the
 * subscriber's own key can read the ticket at that moment (the read is the one `ticket` then uses), so
 * a restricted agent learns nothing of tickets outside its scope; deletions are not delivered there.
 */
import { GraphQLError } from 'graphql';
import { builder } from '../../builder.ts';
import type { Context } from '../../context.ts';
import { badUserInput } from '../../errors.ts';
import { isOverflow } from '../../freshness/event-bus.ts';
import { isEventId, ReplayError, type TicketEventRecord } from '../../freshness/event-log.ts';
import { prepareEach } from '../../freshness/pipeline.ts';
import { loadTicket } from '../../loaders/tickets.ts';
import { idArg } from '../field-errors.ts';
import { Ticket } from '../refs.ts';

export const TicketEventKind = builder.enumType('TicketEventKind', {
  description: 'What happened to the ticket, as far as the source could tell.',
  values: {
    CREATED: { value: 'created', description: 'The ticket was created.' },
    UPDATED: { value: 'updated', description: 'A property changed (status, priority, agent...).' },
    NOTE_ADDED: { value: 'note_added', description: 'A note was added.' },
    REPLY_SENT: { value: 'reply_sent', description: 'A reply was sent.' },
    DELETED: { value: 'deleted', description: 'The ticket was deleted (or is gone).' },
    SPAM: { value: 'spam', description: 'The ticket was marked as spam.' },
  } as const,
});

export const TicketEventSource = builder.enumType('TicketEventSource', {
  description:
    'How the gateway learned of the change (contract: WEBHOOK or SWEEP; `TicketEvent.origin` tells pushed changes apart).',
  values: {
    WEBHOOK: {
      value: 'webhook',
      description:
        "Pushed to the gateway: a Freshdesk automation rule's webhook, or the gateway's own mutation, reported at once (the webhook Freshdesk then sends for it is the same change, not a second event).",
    },
    SWEEP: {
      value: 'sweep',
      description:
        'The reconciliation sweep (`updated_since` the last change seen): changes webhooks missed.',
    },
  } as const,
});

export const TicketEventOrigin = builder.enumType('TicketEventOrigin', {
  description: 'Where the event came from, more precisely than `source`.',
  values: {
    FRESHDESK_WEBHOOK: {
      value: 'webhook',
      description: "A Freshdesk automation rule's webhook (source WEBHOOK).",
    },
    GATEWAY_WRITE: {
      value: 'gateway',
      description:
        "This gateway's own mutation, reported as soon as Freshdesk accepted it (source WEBHOOK).",
    },
    SWEEP: { value: 'sweep', description: 'The reconciliation sweep (source SWEEP).' },
  } as const,
});

export const TicketEvent = builder.objectRef<TicketEventRecord>('TicketEvent');

TicketEvent.implement({
  description:
    'A change to a ticket. One event per change (a ticket id and its `updatedAt`), whichever way it arrived.',
  fields: (t) => ({
    id: t.exposeID('id', {
      description:
        'Orderable (`<ms>-<seq>`): pass the last one received as `after` when resubscribing.',
    }),
    kind: t.field({
      type: TicketEventKind,
      description: 'What happened.',
      resolve: (event) => event.kind,
    }),
    ticketId: t.exposeID('ticketId', { description: "The ticket's display id." }),
    receivedAt: t.field({
      type: 'DateTime',
      description: 'When the gateway learned of the change.',
      resolve: (event) => event.receivedAt,
    }),
    source: t.field({
      type: TicketEventSource,
      description: "WEBHOOK (pushed: a Freshdesk webhook or the gateway's own write) or SWEEP.",
      resolve: (event) => (event.source === 'sweep' ? 'sweep' : 'webhook'),
    }),
    origin: t.field({
      type: TicketEventOrigin,
      description: "FRESHDESK_WEBHOOK, GATEWAY_WRITE (this gateway's own mutation) or SWEEP.",
      resolve: (event) => event.source,
    }),
    triggeredEvent: t.exposeString('triggeredEvent', {
      nullable: true,
      description:
        "Freshdesk's `triggered_event` from the webhook, e.g. `{status:{from:2,to:3}}`; null for other sources.",
    }),
    updatedAt: t.field({
      type: 'DateTime',
      nullable: true,
      description:
        "The ticket's `updatedAt` this change produced (with the ticket id, the change's identity); null when unknown.",
      resolve: (event) => event.updatedAt,
    }),
    ticket: t.field({
      type: Ticket,
      nullable: true,
      description:
        'The ticket as it is now, read (one call) when the event is delivered; null for a deleted ticket.',
      resolve: (event, _args, ctx) =>
        event.kind === 'deleted' ? null : loadTicket(ctx, event.ticketId),
    }),
  }),
});

builder.subscriptionType({
  description:
    'Live changes, over server-sent events (`Accept: text/event-stream` on `/graphql`, GET or POST).',
});

builder.subscriptionField('ticketEvents', (t) =>
  t.field({
    type: TicketEvent,
    description:
      "Ticket changes as they are learned of (webhooks, the sweep, the gateway's own writes). `after`: the last event id received; what came after it is replayed first, exactly once, while the gateway's event log still holds it (EVENTS_EXPIRED otherwise). A subscriber too slow to keep up is ended with SUBSCRIBER_TOO_SLOW and `lastEventId` to resume from.",
    args: {
      ticketId: t.arg.id({ description: "Only this ticket's events." }),
      after: t.arg.id({ description: 'Resume after this event id.' }),
    },
    subscribe: async (_root, args, ctx) => {
      const freshness = ctx.freshness;
      if (!freshness) {
        throw new GraphQLError('This gateway was built without ticket events.', {
          extensions: { code: 'SERVICE_UNAVAILABLE' },
        });
      }
      const ticketId =
        args.ticketId === null || args.ticketId === undefined
          ? undefined
          : idArg(args.ticketId, 'A ticket');
      const after = args.after ?? undefined;
      if (after !== undefined && !isEventId(after)) {
        throw badUserInput(`after must be an event id such as "1767225600000-0"; got "${after}".`);
      }
      let source: AsyncIterableIterator<TicketEventRecord | { overflow: true }>;
      try {
        source = await freshness.subscribe({ ticketId, after });
      } catch (error) {
        if (error instanceof ReplayError) {
          throw new GraphQLError(error.message, {
            extensions: { code: error.code, after, floor: error.floor, newest: error.newest },
          });
        }
        throw error;
      }
      const passthrough = ctx.config.auth === 'passthrough';
      return prepareEach(source as never, (event) => beforeEvent(ctx, event, passthrough));
    },
    resolve: (delivery) => {
      if (isOverflow(delivery)) {
        throw new GraphQLError(
          'This subscriber fell too far behind and was ended; resubscribe with `after: lastEventId`.',
          {
            extensions: { code: 'SUBSCRIBER_TOO_SLOW', lastEventId: delivery.lastEventId },
          },
        );
      }
      return delivery;
    },
  }),
);

/** Fresh deadline and loaders for the next event; in passthrough mode, the visibility check. */
async function beforeEvent(
  ctx: Context,
  event: TicketEventRecord,
  passthrough: boolean,
): Promise<boolean> {
  ctx.loaders.clear();
  if (ctx.freshness) {
    ctx.freshdesk = ctx.freshness.renew(ctx.freshdesk);
  }
  if (!passthrough) {
    return true;
  }
  if (event.kind === 'deleted') {
    return false;
  }
  try {
    await loadTicket(ctx, event.ticketId);
    return true;
  } catch (error) {
    // Out of scope (403), gone (404), or unknown because Freshdesk failed: not delivered.
    ctx.logger.debug('ticket event withheld from a passthrough subscriber', {
      ticketId: event.ticketId,
      error,
    });
    return false;
  }
}
