/**
 * The change feed: one module-level channel that hears of every ticket change the gateway learns of,
 * from the three places that see them (the webhook receiver, the reconciliation sweep, and the
 * gateway's own mutations), at the moment it learns of it. Whatever must stay true when a ticket
 * changes subscribes here: the cross-request cache invalidates what it holds for the ticket.
 *
 * A listener is called synchronously, in publication order, with every sighting (not only new ones:
 * the same change may be seen by a mutation, then its webhook, then the sweep). `updatedAt` says which
 * version of the ticket the sighting is about, when known, so a listener holding that version (or a
 * newer one) can keep it. Listeners must not throw; an error from one is swallowed so that it cannot
 * stop the others or the source that published.
 *
 * Nothing here knows GraphQL or credentials. Turning sightings into `ticketEvents` (deduplication,
 * the replay log, subscribers) is the event pipeline's job (`pipeline.ts`), per gateway.
 */
import type { TicketModel } from '../upstream/tickets.ts';

/** Where a sighting came from. */
export type ChangeSource = 'webhook' | 'sweep' | 'gateway';

/** What happened to the ticket, as far as the source can tell. */
export type ChangeKind = 'created' | 'updated' | 'note_added' | 'reply_sent' | 'deleted' | 'spam';

export interface TicketChange {
  /** The Freshdesk account the ticket belongs to: its API origin (`https://acme.freshdesk.com`). */
  account: string;
  /** The ticket's display id (decimal string). */
  ticketId: string;
  /**
   * The ticket's `updated_at` after the change (`YYYY-MM-DDTHH:MM:SSZ`), when known: a change's
   * identity is (ticketId, updatedAt). Unknown for a webhook the gateway could not look up (no
   * service key, or Freshdesk failed) and for a ticket found deleted.
   */
  updatedAt: string | undefined;
  source: ChangeSource;
  kind: ChangeKind;
  /** Freshdesk's `triggered_event` pseudo-hash (`{status:{from:2,to:3}}`), from a webhook that sent one. */
  triggeredEvent?: string;
  /** When `updatedAt` is unknown: what identifies this sighting for deduplication (e.g. a hash of the webhook body). */
  sightingKey?: string;
  /** Epoch ms at which the gateway learned of the change. */
  receivedAt: number;
  /**
   * The replica that saw it, when another replica forwarded it (`feed-fanout.ts`, with `REDIS_URL`):
   * every replica's feed hears every replica's sightings.
   */
  replica?: string;
  /**
   * The ticket as Freshdesk returned it with the sighting, when there was one: the webhook's look-up
   * and the mutation's answer (show shape), or the sweep's list entry (no `description`).
   */
  ticket?: TicketModel;
}

export type ChangeListener = (change: TicketChange) => void;

export interface ChangeFeed {
  /** Tells every listener, synchronously. Never throws. */
  publish(change: TicketChange): void;
  /** Registers a listener; the returned function removes it. */
  subscribe(listener: ChangeListener): () => void;
}

export function createChangeFeed(): ChangeFeed {
  const listeners = new Set<ChangeListener>();
  return {
    publish(change) {
      for (const listener of [...listeners]) {
        try {
          listener(change);
        } catch {
          // A listener's failure is its own (see the module comment).
        }
      }
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => {
        listeners.delete(listener);
      };
    },
  };
}

/** The process's change feed. */
export const changeFeed: ChangeFeed = createChangeFeed();
