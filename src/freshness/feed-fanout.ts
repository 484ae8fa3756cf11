/**
 * The change feed across replicas (`REDIS_URL`): every sighting one replica publishes on its change
 * feed (`change-feed.ts`: a webhook it received, its sweep, its own write) also reaches the change
 * feed of every other replica of the same account, over Redis pub/sub, so whatever listens there
 * (the cross-request cache, invalidating what it holds for the ticket) hears every change, whichever
 * replica saw it. A replica hears its own sightings once, at once, locally; forwarded ones carry
 * `replica` (who saw it).
 *
 * While Redis is away, a replica's sightings are kept (the newest per ticket, at most
 * `MAX_HELD` tickets) and forwarded when it returns, so the others do not keep what changed
 * meanwhile; the others' own sweeps (each sweeps while cut off) find most of it anyway.
 *
 * Channel: `<prefix>fresh:<account tag>:changes`; messages are JSON `{ from, change }`.
 */
import type { Logger } from '../logger.ts';
import { accountTag, type RedisManager } from '../redis/redis.ts';
import type { ChangeFeed, TicketChange } from './change-feed.ts';

/** Tickets whose newest sighting is kept while Redis is away. */
export const MAX_HELD = 10_000;

export interface FanOutOptions {
  redis: RedisManager;
  /** The Freshdesk origin (channels are per account). */
  account: string;
  /** The local feed: what this replica publishes, and where others' sightings arrive. */
  feed: ChangeFeed;
  logger: Logger;
}

export interface FanOutFeed extends ChangeFeed {
  /** Stops listening (the manager is closed by its owner). */
  close(): void;
}

interface Message {
  from: string;
  change: TicketChange;
}

/** A feed that publishes locally and to every other replica. */
export function fanOutFeed(options: FanOutOptions): FanOutFeed {
  const { redis, feed, logger } = options;
  const channel = redis.key('fresh', accountTag(options.account), 'changes');
  const held = new Map<string, TicketChange>();

  const send = (change: TicketChange): void => {
    const message: Message = { from: redis.replicaId, change };
    redis.client.publish(channel, JSON.stringify(message)).catch((error: unknown) => {
      hold(change);
      logger.debug('change not forwarded yet: redis did not answer', {
        ticketId: change.ticketId,
        error: error instanceof Error ? error.message : String(error),
      });
    });
  };
  const hold = (change: TicketChange): void => {
    held.delete(change.ticketId);
    if (held.size >= MAX_HELD) {
      const oldest = held.keys().next().value as string;
      held.delete(oldest);
    }
    held.set(change.ticketId, change);
  };

  const heard = (event: Event): void => {
    const message = (event as CustomEvent<unknown>).detail as Message | null;
    if (
      !message ||
      typeof message !== 'object' ||
      message.from === redis.replicaId ||
      typeof message.change?.ticketId !== 'string'
    ) {
      return;
    }
    feed.publish({ ...message.change, replica: message.from });
  };
  redis.pubsub.addEventListener(channel, heard);
  const stopWatching = redis.onHealth((health) => {
    if (health.status === 'up' && held.size > 0) {
      const changes = [...held.values()];
      held.clear();
      logger.info('changes seen while redis was away forwarded to the other replicas', {
        tickets: changes.length,
      });
      for (const change of changes) {
        send(change);
      }
    }
  });

  return {
    publish(change) {
      feed.publish(change);
      if (redis.isUp()) {
        send(change);
      } else {
        hold(change);
      }
    },
    subscribe: (listener) => feed.subscribe(listener),
    close() {
      stopWatching();
      redis.pubsub.removeEventListener(channel, heard);
    },
  };
}
