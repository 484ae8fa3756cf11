/**
 * The Freshdesk API v2 emulator: `startEmulator()` serves seeded (or given) helpdesk data over
 * `node:http` with Freshdesk's checks, rate limits and optional faults.
 */

import { type Automations, createAutomations } from './automations.ts';
import { type EmulatorStats, Stats } from './control.ts';
import { type FaultOptions, Faults } from './faults.ts';
import { allRoutes } from './handlers/index.ts';
import type { Route, TicketEvent } from './http.ts';
import { type Plan, type PlanOption, RateLimiter } from './rate-limit.ts';
import type { EmulatorData } from './records.ts';
import { seedData } from './seed.ts';
import { createEmulatorServer, type EmulatorCore } from './server.ts';
import { createWebhooks, type Webhooks, type WebhooksOptions } from './webhooks.ts';

export type { EmulatorStats } from './control.ts';
export type { FaultOptions, FaultRule } from './faults.ts';
export type { Plan, PlanLimits, PlanName, PlanOption, RateWindow } from './rate-limit.ts';

export interface EmulatorOptions {
  /** 0 picks a free port. @default 0 */
  port?: number;
  /** @default '127.0.0.1' */
  host?: string;
  /** Rate-limit plan, by name or custom numbers. @default 'growth' */
  plan?: PlanOption;
  /** Rate window length in ms (small values for tests). @default 60000 */
  windowMs?: number;
  /** Seed for generated data. @default 1 */
  seed?: number;
  /** How many tickets to generate. @default 2000 */
  tickets?: number;
  /** How many companies to generate. @default 40 */
  companies?: number;
  /** How many contacts to generate (at least 60). @default 500 */
  contacts?: number;
  /** The admin agent's API key. */
  adminApiKey?: string;
  /** Pre-built data (tests); otherwise `seedData()` builds it. Mutated in place by writes. */
  data?: EmulatorData;
  /** The emulator's clock. @default Date.now */
  now?: () => number;
  /** Fault injection; off by default. */
  faults?: FaultOptions;
  /** When false, nothing is ever refused with 429 (credits are still counted). @default true */
  rateLimit?: boolean;
  /** Where diagnostics go. @default stderr */
  log?: (line: string) => void;
  /** Webhook delivery settings (retry delays, timeout, scheduler for a fake clock, helpdesk name). */
  webhooks?: Omit<WebhooksOptions, 'data' | 'now' | 'helpdeskOrigin'>;
  /** Routes served besides Freshdesk's (tests: e.g. an admin-only or a failing route). */
  extraRoutes?: readonly Route[];
}

/** A running emulator. */
export interface Emulator {
  /** `http://host:port`; the API is below `${origin}/api/v2`. */
  origin: string;
  port: number;
  data: EmulatorData;
  /** Keys it accepts: an admin, a global-scope agent and a group-scoped (restricted) agent. */
  apiKeys: { admin: string; agent: string; restricted: string };
  stats(): EmulatorStats;
  /** Zeroes the counters and forgets the rate windows. */
  resetStats(): void;
  setPlan(plan: PlanOption): Plan;
  plan(): Plan;
  setFaults(faults: FaultOptions): void;
  /** Ticket events so far (oldest first), whatever the webhooks did with them. */
  events(): TicketEvent[];
  /** Null when the webhook module is unavailable. */
  webhooks: Webhooks | null;
  /** The automation rules `/api/v2/automations/{type}/rules` holds, and their firing. */
  automations: Automations;
  close(): Promise<void>;
}

const MAX_EVENTS = 10_000;

/**
 * Makes sure there is a key for a plain global agent and one for a group-scoped agent, minting
 * deterministic keys when the data lacks them, and applies `adminApiKey`.
 */
function resolveKeys(data: EmulatorData, adminApiKey?: string): Emulator['apiKeys'] {
  const entries = [...data.apiKeys.entries()];
  const first = entries[0];
  if (!first) {
    throw new Error('Emulator data has no API keys: the first key must be an admin agent');
  }
  let admin = first[0];
  if (adminApiKey !== undefined && adminApiKey !== admin) {
    data.apiKeys.delete(admin);
    // Keep the admin's key first, as the data contract says.
    const rest = new Map(data.apiKeys);
    data.apiKeys.clear();
    data.apiKeys.set(adminApiKey, first[1]);
    for (const [key, id] of rest) {
      data.apiKeys.set(key, id);
    }
    admin = adminApiKey;
  }
  const keyFor = (wanted: (scope: number, isAdmin: boolean) => boolean): string | undefined => {
    for (const [key, id] of data.apiKeys) {
      const agent = data.agents.get(id);
      if (agent && wanted(agent.ticket_scope, agent._admin)) {
        return key;
      }
    }
    const agent = [...data.agents.values()]
      .sort((a, b) => a.id - b.id)
      .find((candidate) => wanted(candidate.ticket_scope, candidate._admin));
    if (!agent) {
      return undefined;
    }
    const minted = `emulator-key-${agent.id}`;
    data.apiKeys.set(minted, agent.id);
    return minted;
  };
  const agent = keyFor((scope, isAdmin) => scope === 1 && !isAdmin) ?? admin;
  const restricted = keyFor((scope, isAdmin) => scope !== 1 && !isAdmin) ?? agent;
  return { admin, agent, restricted };
}

/** Starts an emulator; `close()` it when done. */
export async function startEmulator(options: EmulatorOptions = {}): Promise<Emulator> {
  const now = options.now ?? Date.now;
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const data =
    options.data ??
    seedData({
      seed: options.seed ?? 1,
      tickets: options.tickets,
      companies: options.companies,
      contacts: options.contacts,
      now: now(),
      adminApiKey: options.adminApiKey,
    });
  const apiKeys = resolveKeys(data, options.adminApiKey);
  const limiter = new RateLimiter({
    plan: options.plan ?? 'growth',
    windowMs: options.windowMs ?? 60_000,
    now,
    enabled: options.rateLimit ?? true,
  });
  const faults = new Faults(options.faults ?? {});
  const stats = new Stats();
  const events: TicketEvent[] = [];
  let origin = '';

  let webhooks: Webhooks | null = null;
  try {
    webhooks = createWebhooks({
      ...options.webhooks,
      data,
      now,
      helpdeskOrigin: () => origin,
    });
  } catch (error) {
    log(`emulator: webhooks unavailable (${error instanceof Error ? error.message : error})`);
  }

  const automations = createAutomations({ webhooks, now });

  const core: EmulatorCore = {
    data,
    routes: [...allRoutes, ...(options.extraRoutes ?? [])],
    limiter,
    faults,
    stats,
    webhooks,
    automations,
    now,
    emit(event, performer) {
      events.push(event);
      if (events.length > MAX_EVENTS) {
        events.shift();
      }
      try {
        webhooks?.handle(event);
        automations.handle(event, performer);
      } catch (error) {
        // A webhook bug must not fail the API call that caused the event.
        log(`emulator: webhook handling failed: ${error instanceof Error ? error.message : error}`);
      }
    },
    resetStats() {
      stats.reset();
      limiter.reset();
    },
    log,
  };
  const server = createEmulatorServer(core);
  const host = options.host ?? '127.0.0.1';
  const port = await server.listen(options.port ?? 0, host);
  origin = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;

  return {
    origin,
    port,
    data,
    apiKeys,
    stats: () => stats.snapshot(limiter.history()),
    resetStats: () => core.resetStats(),
    setPlan: (plan) => limiter.setPlan(plan),
    plan: () => limiter.plan,
    setFaults: (next) => faults.set(next),
    events: () => [...events],
    webhooks,
    automations,
    async close() {
      await server.close();
      await webhooks?.close();
    },
  };
}
