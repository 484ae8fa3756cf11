/**
 * Helpers for the read cache's suites: changing a ticket behind the gateway's back (as an agent in
 * Freshdesk's UI would), and waiting until what a change set off is done.
 */
import { invalidateTicketOrder } from '../../src/emulator/handlers/tickets.ts';
import type { TicketRecord } from '../../src/emulator/records.ts';
import type { Stack } from '../helpers/gateway.ts';

/** `YYYY-MM-DDTHH:MM:SSZ`, Freshdesk's form. */
export const isoSeconds = (ms: number): string =>
  new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

/** Tickets that exist and can be written (not spam, not deleted), newest first as `tickets` lists them. */
export function liveTickets(stack: Stack): TicketRecord[] {
  return [...stack.emulator.data.tickets.values()]
    .filter((t) => !t.deleted && !t.spam)
    .sort((a, b) =>
      a.created_at === b.created_at ? b.id - a.id : a.created_at < b.created_at ? 1 : -1,
    );
}

let bumps = 0;

/**
 * Changes a ticket in the emulator without telling the gateway (no webhook): new field values and
 * an `updated_at` later than any before.
 */
export function changeQuietly(
  stack: Stack,
  ticket: TicketRecord,
  fields: Partial<Pick<TicketRecord, 'subject' | 'priority' | 'status'>> = {},
): void {
  Object.assign(ticket, fields);
  bumps += 1;
  ticket.updated_at = isoSeconds(Date.now() + bumps * 1_000);
  invalidateTicketOrder(stack.emulator.data);
}

/** Waits until the gateway finished the work webhooks and its own writes set off. */
export async function settled(stack: Stack): Promise<void> {
  await stack.emulator.webhooks?.idle();
  await stack.gateway.app.freshness.idle();
}
