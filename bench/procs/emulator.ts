/**
 * The emulator in its own process. argv[2]: JSON `EmulatorOptions` (plain data only). Tells the
 * parent its origin, the admin key, the ids of the tickets the admin can read, and the data sizes the
 * floor derivation needs. Controls: `stats`, `windows`, `reset`, `faults`, `plan`, `touch`.
 */
import { invalidateTicketOrder } from '../../src/emulator/handlers/tickets.ts';
import {
  type EmulatorOptions,
  type FaultOptions,
  startEmulator,
} from '../../src/emulator/index.ts';
import { serveParent } from '../lib/child.ts';

export interface EmulatorReady {
  origin: string;
  adminKey: string;
  /** Display ids of live tickets (not spam, not deleted), ascending. */
  ticketIds: number[];
  counts: { tickets: number; contacts: number; companies: number; agents: number; groups: number };
}

const options = JSON.parse(process.argv[2] ?? '{}') as EmulatorOptions;
const emulator = await startEmulator({ ...options, port: 0, log: () => {} });
const data = emulator.data;
const ticketIds = [...data.tickets.values()]
  .filter((ticket) => !ticket.spam && !ticket.deleted)
  .map((ticket) => ticket.id)
  .sort((a, b) => a - b);

const ready: EmulatorReady = {
  origin: emulator.origin,
  adminKey: emulator.apiKeys.admin,
  ticketIds,
  counts: {
    tickets: data.tickets.size,
    contacts: data.contacts.size,
    companies: data.companies.size,
    agents: data.agents.size,
    groups: data.groups.size,
  },
};

serveParent(
  ready,
  {
    stats: () => {
      const stats = emulator.stats();
      return {
        totalCalls: stats.totalCalls,
        totalCredits: stats.totalCredits,
        calls: stats.calls,
        credits: stats.credits,
        status: stats.status,
        windows: stats.windows.length,
        rejected: stats.windows.reduce((sum, window) => sum + window.rejected, 0),
      };
    },
    /** Every rate window so far: credits charged and requests refused with 429. */
    windows: () =>
      emulator.stats().windows.map((w) => ({
        start: w.start,
        end: w.end,
        credits: w.credits,
        rejected: w.rejected,
      })),
    reset: () => {
      emulator.resetStats();
      return true;
    },
    faults: (payload) => {
      emulator.setFaults(payload as FaultOptions);
      return true;
    },
    rss: () => process.memoryUsage.rss(),
    // An agent changes a ticket in Freshdesk's own UI: no API call, no credit, no webhook. Its
    // `updated_at` moves to now (a second later than before at least): the version it had is gone.
    touch: (payload) => {
      const ticket = data.tickets.get(Number((payload as { id: number }).id));
      if (ticket === undefined) {
        return null;
      }
      const next = Math.max(Date.now(), Date.parse(ticket.updated_at) + 1_000);
      ticket.updated_at = new Date(next).toISOString().replace(/\.\d{3}Z$/, 'Z');
      ticket.priority = (ticket.priority % 4) + 1;
      invalidateTicketOrder(data);
      return { id: ticket.id, updatedAt: ticket.updated_at };
    },
  },
  () => emulator.close(),
);
