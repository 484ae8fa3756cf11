/**
 * Small builders for the `ticketEvents` store suites (in memory and in Redis): a sample event, a
 * sample change sighting, and the `ReplayError` a replay is expected to reject with.
 */
import type { TicketChange } from '../../src/freshness/change-feed.ts';
import { type NewTicketEvent, ReplayError } from '../../src/freshness/event-log.ts';

export const ACCOUNT = 'https://acme.freshdesk.com';

/** An event about `ticketId` (a sweep sighting of one fixed version). */
export const sampleEvent = (ticketId: string): NewTicketEvent => ({
  kind: 'updated',
  ticketId,
  updatedAt: '2026-03-01T12:00:00Z',
  source: 'sweep',
  triggeredEvent: null,
  receivedAt: '2026-03-01T12:00:01.000Z',
});

/** A webhook sighting of `ticketId` at `updatedAt` (unversioned when undefined). */
export const sampleChange = (ticketId: string, updatedAt: string | undefined): TicketChange => ({
  account: ACCOUNT,
  ticketId,
  updatedAt,
  source: 'webhook',
  kind: 'updated',
  receivedAt: Date.now(),
});

/** The `ReplayError` `promise` rejects with (fails the test when it resolves or rejects otherwise). */
export async function replayError(promise: Promise<unknown>): Promise<ReplayError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof ReplayError) {
      return error;
    }
    throw error;
  }
  throw new Error('expected a ReplayError');
}
