/** What the emulator's ticket list shows, computed from its data, for checking gateway answers. */
import type { EmulatorData, TicketRecord } from '../../src/emulator/records.ts';

/** Neither spam nor deleted: what a ticket list shows unless asked otherwise. */
export const visible = (t: TicketRecord): boolean => !t.spam && !t.deleted;

/** The first `n` visible tickets in the list's default order (newest first). */
export const firstTicketPage = (data: EmulatorData, n: number): TicketRecord[] =>
  [...data.tickets.values()]
    .filter(visible)
    .sort((a, b) =>
      a.created_at === b.created_at ? b.id - a.id : a.created_at < b.created_at ? 1 : -1,
    )
    .slice(0, n);

/** The ids of the visible tickets, as the gateway spells them. */
export const visibleIds = (data: EmulatorData): string[] =>
  [...data.tickets.values()].filter(visible).map((t) => String(t.id));
