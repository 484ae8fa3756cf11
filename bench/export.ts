/**
 * `npm run bench:export [-- --window-ms N] [--tickets N]`: the BI export of tickets with their
 * conversations from an emulator of 2,000 tickets on the Enterprise plan, deskgraph's export against
 * a model of a widely used connector (Airbyte's source-freshdesk), each against its own emulator
 * with Freshdesk's per-minute limits on. Writes `bench/results/export-latest.json` and `.md`.
 *
 * The connector model does what that connector's published definition does, not its code: a tickets
 * stream (`per_page=100`, `updated_since`, `order_by=updated_at`, `include=description,requester,
 * stats`: 7 credits a page), and a conversations stream whose parent is the tickets stream (so the
 * tickets are listed again) with one conversations call per ticket on 5 workers; a rate limiter
 * that counts calls against the plan's per-minute numbers (700 calls, 200 ticket-list calls), where
 * Freshdesk counts credits; and on a 429 it sleeps for `Retry-After`.
 *
 * `--window-ms` shortens Freshdesk's minute for a quick run (both sides and the gateway use it);
 * times are also reported in windows, which do not depend on it.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { request } from 'undici';
import { loadConfig } from '../src/config.ts';
import { type Emulator, startEmulator } from '../src/emulator/index.ts';
import { GatewayClient } from '../src/export/client.ts';
import { runExport } from '../src/export/engine.ts';
import { noProgress } from '../src/export/progress.ts';
import { createLogger } from '../src/logger.ts';
import { PLAN_PRESETS } from '../src/quota/plans.ts';
import { startGateway } from '../src/server.ts';

const argv = process.argv.slice(2);
const numberArg = (name: string, fallback: number): number => {
  const index = argv.indexOf(name);
  return index === -1 ? fallback : Number(argv[index + 1]);
};
const WINDOW_MS = numberArg('--window-ms', 60_000);
const TICKETS = numberArg('--tickets', 2_000);
const PLAN = PLAN_PRESETS.enterprise;
/** Neither side may run longer than this many windows. */
const MAX_WINDOWS = 30;

interface Figures {
  contender: string;
  /** The share of the plan this contender lets itself spend. */
  share: number;
  ticketListCalls: number;
  /** Ticket list requests that asked for a page already listed (same parameters). */
  pagesListedAgain: number;
  conversationCalls: number;
  calls: number;
  credits: number;
  upstream429: number;
  /** Time spent sleeping in `Retry-After`. */
  retryAfterSleptMs: number;
  elapsedMs: number;
  tickets: number;
  conversations: number;
}

async function emulator(): Promise<Emulator> {
  return startEmulator({
    tickets: TICKETS,
    seed: 1,
    plan: 'enterprise',
    windowMs: WINDOW_MS,
    log: () => {},
  });
}

/** Counts what the emulator saw (calls, credits, 429s) and which ticket pages were asked twice. */
function observe(emu: Emulator, figures: Figures): void {
  const stats = emu.stats();
  figures.ticketListCalls = stats.calls['GET /tickets'] ?? 0;
  figures.conversationCalls = stats.calls['GET /tickets/:id/conversations'] ?? 0;
  figures.calls = stats.totalCalls;
  figures.credits = stats.totalCredits;
  figures.upstream429 = stats.status['429'] ?? 0;
}

/**
 * deskgraph's export with its in-process gateway. With the gateway's defaults, the 25% interactive
 * reserve and the 10% webhook share are lent to bulk work while no interactive or webhook call asks
 * for budget (none does here), but for a 5% headroom: the export may spend 95% of the plan;
 * `reserveOff` is the same run told that nothing else uses the account (both set to 0).
 */
async function deskgraph(reserveOff: boolean): Promise<Figures> {
  const emu = await emulator();
  const config = {
    ...loadConfig({
      FRESHDESK_BASE_URL: emu.origin,
      FRESHDESK_API_KEY: emu.apiKeys.admin,
      FRESHDESK_PLAN: 'enterprise',
      DESKGRAPH_QUOTA_WINDOW_MS: String(WINDOW_MS),
      DESKGRAPH_MAX_OPERATION_CREDITS: '1000',
      DESKGRAPH_RECONCILE_INTERVAL_MS: '0',
      PORT: '0',
      ...(reserveOff
        ? { DESKGRAPH_QUOTA_BULK_RESERVE: '0', DESKGRAPH_QUOTA_WEBHOOK_SHARE: '0' }
        : {}),
    }),
  };
  const gateway = await startGateway({
    config,
    upstreamOrigin: emu.origin,
    logger: createLogger({ level: 'silent' }),
  });
  const dir = mkdtempSync(join(tmpdir(), 'deskgraph-bench-export-'));
  const figures = blank(
    reserveOff
      ? 'deskgraph export, DESKGRAPH_QUOTA_BULK_RESERVE=0 and _WEBHOOK_SHARE=0'
      : 'deskgraph export (bulk priority, defaults: reserves lent while unused)',
    reserveOff ? 1 : 0.95,
  );
  const started = performance.now();
  try {
    const client = new GatewayClient(gateway.url);
    const summary = await runExport({
      streams: ['tickets', 'conversations'],
      format: 'ndjson',
      out: join(dir, '{stream}.ndjson'),
      checkpoint: join(dir, 'state.json'),
      since: null,
      client,
      progress: noProgress,
    });
    figures.elapsedMs = performance.now() - started;
    figures.tickets = summary.records.tickets ?? 0;
    figures.conversations = summary.records.conversations ?? 0;
    observe(emu, figures);
    // deskgraph asks the gateway, which pages by its own cursor: a page is asked twice only if
    // the list call count exceeds the pages the tickets need.
    figures.pagesListedAgain = Math.max(
      0,
      figures.ticketListCalls - Math.ceil(figures.tickets / 100),
    );
  } finally {
    await gateway.close();
    await emu.close();
    rmSync(dir, { recursive: true, force: true });
  }
  return figures;
}

function blank(contender: string, share: number): Figures {
  return {
    contender,
    share,
    ticketListCalls: 0,
    pagesListedAgain: 0,
    conversationCalls: 0,
    calls: 0,
    credits: 0,
    upstream429: 0,
    retryAfterSleptMs: 0,
    elapsedMs: 0,
    tickets: 0,
    conversations: 0,
  };
}

/** A fixed-window call counter, as the connector's API budget counts: calls, not credits. */
class CallBudget {
  #start = 0;
  #used = 0;
  readonly limit: number;
  constructor(limit: number) {
    this.limit = limit;
  }
  async take(): Promise<void> {
    for (;;) {
      const now = Date.now();
      if (now - this.#start >= WINDOW_MS) {
        this.#start = now;
        this.#used = 0;
      }
      if (this.#used < this.limit) {
        this.#used += 1;
        return;
      }
      await sleep(this.#start + WINDOW_MS - now);
    }
  }
}

async function connectorModel(): Promise<Figures> {
  const emu = await emulator();
  const figures = blank('connector model (Airbyte source-freshdesk)', 1);
  const auth = `Basic ${Buffer.from(`${emu.apiKeys.admin}:X`).toString('base64')}`;
  const total = new CallBudget(PLAN.total);
  const ticketsList = new CallBudget(PLAN.tickets_list ?? PLAN.total);
  const asked = new Map<string, number>();
  const deadline = performance.now() + MAX_WINDOWS * WINDOW_MS;
  const started = performance.now();

  const get = async (path: string, budgets: CallBudget[]): Promise<unknown> => {
    for (;;) {
      if (performance.now() > deadline) {
        throw new Error('the connector model ran past its time limit');
      }
      for (const budget of budgets) {
        await budget.take();
      }
      const response = await request(`${emu.origin}/api/v2${path}`, {
        headers: { authorization: auth },
      });
      const text = await response.body.text();
      if (response.statusCode === 429) {
        const seconds = Number(response.headers['retry-after'] ?? 1);
        figures.retryAfterSleptMs += seconds * 1000;
        await sleep(seconds * 1000);
        continue;
      }
      if (response.statusCode !== 200) {
        throw new Error(`GET ${path}: ${response.statusCode}`);
      }
      return JSON.parse(text);
    }
  };

  /** The tickets stream: every page from `updated_since`, oldest change first. */
  const readTickets = async (): Promise<{ id: number }[]> => {
    const all: { id: number }[] = [];
    for (let page = 1; ; page++) {
      const path = `/tickets?per_page=100&page=${page}&updated_since=1970-01-01T00:00:00Z&order_by=updated_at&order_type=asc&include=description,requester,stats`;
      asked.set(path, (asked.get(path) ?? 0) + 1);
      const rows = (await get(path, [total, ticketsList])) as { id: number }[];
      all.push(...rows);
      if (rows.length < 100) {
        return all;
      }
    }
  };

  try {
    const tickets = await readTickets();
    figures.tickets = tickets.length;
    // The conversations stream reads its parent stream again, then one call per ticket.
    const parents = await readTickets();
    let next = 0;
    const worker = async () => {
      while (next < parents.length) {
        const ticket = parents[next++] as { id: number };
        const rows = (await get(`/tickets/${ticket.id}/conversations?per_page=100`, [
          total,
        ])) as unknown[];
        figures.conversations += rows.length;
      }
    };
    await Promise.all(Array.from({ length: 5 }, worker));
    figures.elapsedMs = performance.now() - started;
    observe(emu, figures);
    figures.pagesListedAgain = [...asked.values()].reduce((sum, n) => sum + (n - 1), 0);
  } finally {
    await emu.close();
  }
  return figures;
}

function render(results: Figures[]): string {
  const windows = (ms: number) => (ms / WINDOW_MS).toFixed(2);
  const rows = results.map((r) => {
    const atPlan = r.credits / PLAN.total;
    return `| ${r.contender} | ${r.ticketListCalls} | ${r.pagesListedAgain} | ${r.conversationCalls} | ${r.credits} | ${r.upstream429} | ${windows(r.retryAfterSleptMs)} | ${windows(r.elapsedMs)} | ${atPlan.toFixed(2)} | ${Math.round(r.share * 100)}% | ${(atPlan / r.share).toFixed(2)} | ${r.tickets} / ${r.conversations} |`;
  });
  return [
    `# BI export: ${TICKETS.toLocaleString('en-US')} tickets with their conversations, Enterprise plan`,
    '',
    `Window: ${WINDOW_MS} ms (Freshdesk's minute${WINDOW_MS === 60_000 ? '' : ', shortened'}); times in windows. "Required" is the run's own credits over the plan's ${PLAN.total} credits a window, and over the share of the plan the contender lets itself spend (deskgraph keeps 35% for interactive users and webhooks only while they ask for it, and 5% always: here nobody asks, so the export may spend 95%). Retry-After sleeps overlap across the connector's 5 workers.`,
    '',
    '| contender | ticket list calls | pages listed again | conversation calls | credits | upstream 429s | slept in Retry-After (windows) | elapsed (windows) | required at the full plan (windows) | share it spends | required at that share (windows) | tickets / conversations written |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |',
    ...rows,
    '',
  ].join('\n');
}

const results = [await deskgraph(false), await deskgraph(true), await connectorModel()];
const markdown = render(results);
process.stdout.write(markdown);
if (!argv.includes('--no-write')) {
  const dir = fileURLToPath(new URL('./results/', import.meta.url));
  writeFileSync(
    join(dir, 'export-latest.json'),
    `${JSON.stringify({ windowMs: WINDOW_MS, tickets: TICKETS, results }, null, 2)}\n`,
  );
  writeFileSync(join(dir, 'export-latest.md'), markdown);
}
