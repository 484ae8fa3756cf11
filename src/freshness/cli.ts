/**
 * `deskgraph webhooks install --url URL` and `deskgraph webhooks status [--url URL]`, against the
 * Freshdesk that `npm start` is configured for (FRESHDESK_DOMAIN or FRESHDESK_BASE_URL, an admin's
 * FRESHDESK_API_KEY, DESKGRAPH_WEBHOOK_SECRET). `install` creates or repairs the two rules
 * (`rules.ts`); `status` lists them and asks the gateway (`GET /webhooks/freshdesk`, with the
 * secret) for the last deliveries it received. Plain lines on a terminal and in a pipe alike;
 * `--json` for scripts. Neither the API key nor the secret is ever printed.
 *
 * Exit codes: 0 done (status: rules found and the gateway answered), 1 a problem (Freshdesk refused,
 * no rules, gateway unreachable), 2 bad usage or configuration.
 */
import { parseArgs } from 'node:util';
import { request } from 'undici';
import { type Config, ConfigError, loadConfig } from '../config.ts';
import { FreshdeskClient } from '../upstream/freshdesk-client.ts';
import { findUpstreamError } from '../upstream/upstream-error.ts';
import type { DeliveryRecord } from './receiver.ts';
import {
  findRules,
  installRules,
  RULE_TYPE_LABELS,
  type RuleSummary,
  SECRET_HEADER,
} from './rules.ts';

export const WEBHOOKS_USAGE = `Usage: deskgraph webhooks install --url URL [--json]
       deskgraph webhooks status [--url URL] [--json]

  install   Create (or repair) the two Freshdesk automation rules, on ticket creation and on
            ticket update, whose webhook calls URL (the gateway's /webhooks/freshdesk) with the
            secret. Run it again at any time: there are still exactly two rules.
  status    List those rules and the last deliveries the gateway at URL received
            (URL defaults to the rules' own).

Uses the configuration of npm start: FRESHDESK_DOMAIN or FRESHDESK_BASE_URL, FRESHDESK_API_KEY
(an account admin's key) and DESKGRAPH_WEBHOOK_SECRET.
`;

class UsageError extends Error {}

interface Io {
  out: (text: string) => void;
  err: (text: string) => void;
  env: Record<string, string | undefined>;
}

const defaultIo: Io = {
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
  env: process.env,
};

/** Runs the command; resolves with the exit code. */
export async function runWebhooksCommand(argv: string[], io: Io = defaultIo): Promise<number> {
  let command: string | undefined;
  let url: string | undefined;
  let json = false;
  let config: Config;
  try {
    const { values, positionals } = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: true,
      options: { url: { type: 'string' }, json: { type: 'boolean' }, help: { type: 'boolean' } },
    });
    if (values.help) {
      io.out(WEBHOOKS_USAGE);
      return 0;
    }
    [command] = positionals;
    if (positionals.length !== 1 || (command !== 'install' && command !== 'status')) {
      throw new UsageError('Say install or status.');
    }
    json = values.json ?? false;
    url = values.url;
    if (command === 'install' && url === undefined) {
      throw new UsageError("install needs --url, the gateway's /webhooks/freshdesk URL.");
    }
    if (url !== undefined) {
      url = checkUrl(url);
    }
    config = loadConfig(io.env);
    if (config.upstream.kind !== 'remote') {
      throw new UsageError(
        "No Freshdesk is configured (FRESHDESK_DOMAIN or FRESHDESK_BASE_URL). npm start sets up its embedded emulator's rules by itself.",
      );
    }
    if (!config.apiKey) {
      throw new UsageError("FRESHDESK_API_KEY (an account admin's key) is required.");
    }
    if (!config.webhookSecret) {
      throw new UsageError(
        'DESKGRAPH_WEBHOOK_SECRET is required: the rules send it, and the gateway must be started with the same one.',
      );
    }
  } catch (error) {
    if (error instanceof ConfigError || error instanceof UsageError || isParseArgsError(error)) {
      io.err(`deskgraph webhooks: ${(error as Error).message}\n\n${WEBHOOKS_USAGE}`);
      return 2;
    }
    throw error;
  }

  const origin = (config.upstream as { origin: string }).origin;
  const client = new FreshdeskClient({ origin, timeoutMs: config.upstreamTimeoutMs });
  const session = client.session({
    apiKey: config.apiKey,
    deadline: Date.now() + 60_000,
    priority: 'interactive',
  });
  try {
    if (command === 'install') {
      const outcomes = await installRules(session, { url: url!, secret: config.webhookSecret });
      if (json) {
        io.out(`${JSON.stringify({ freshdesk: origin, url, rules: outcomes }, null, 2)}\n`);
      } else {
        io.out(`Freshdesk ${origin}: webhook rules calling ${url}\n`);
        for (const outcome of outcomes) {
          io.out(`  ${outcome.action.padEnd(9)}  ${ruleLine(outcome)}\n`);
          for (const id of outcome.removed) {
            io.out(`  deleted    duplicate rule ${id}\n`);
          }
        }
      }
      return 0;
    }
    const rules = await findRules(session, url);
    const target = url ?? rules.find((rule) => rule.url !== undefined)?.url;
    const gateway = target ? await askGateway(target, config.webhookSecret) : undefined;
    if (json) {
      io.out(
        `${JSON.stringify({ freshdesk: origin, rules, gateway: gateway ?? null }, null, 2)}\n`,
      );
    } else {
      printStatus(io, origin, rules, target, gateway);
    }
    return rules.length > 0 && gateway?.ok === true ? 0 : 1;
  } catch (error) {
    io.err(`deskgraph webhooks: ${explain(error)}\n`);
    return 1;
  } finally {
    await client.close();
  }
}

function isParseArgsError(error: unknown): boolean {
  const code = error instanceof Error ? (error as { code?: unknown }).code : undefined;
  return typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS');
}

function checkUrl(raw: string): string {
  let parsed: URL;
  try {
    parsed = new URL(raw);
  } catch {
    throw new UsageError(`--url must be an absolute URL; got "${raw}".`);
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') {
    throw new UsageError(`--url must be http(s); got "${raw}".`);
  }
  if (parsed.username || parsed.password) {
    throw new UsageError('--url must not carry credentials: the secret goes in a header.');
  }
  return parsed.href;
}

function ruleLine(rule: RuleSummary): string {
  const state = rule.active ? 'active' : 'INACTIVE';
  return `${RULE_TYPE_LABELS[rule.type]} rule ${rule.id} (${state}) "${rule.name}" -> ${rule.url ?? '(no webhook)'}`;
}

interface GatewayStatus {
  ok: boolean;
  status?: number;
  error?: string;
  deliveries?: DeliveryRecord[];
  sweep?: Record<string, unknown>;
  lookups?: Record<string, unknown>;
}

async function askGateway(url: string, secret: string): Promise<GatewayStatus> {
  try {
    const response = await request(url, {
      method: 'GET',
      headers: { accept: 'application/json', [SECRET_HEADER]: secret },
      headersTimeout: 10_000,
      bodyTimeout: 10_000,
    });
    const text = await response.body.text();
    if (response.statusCode !== 200) {
      return {
        ok: false,
        status: response.statusCode,
        error:
          response.statusCode === 401
            ? 'the gateway refused the secret (is it running with the same DESKGRAPH_WEBHOOK_SECRET?)'
            : response.statusCode === 404
              ? 'no webhook receiver there (is DESKGRAPH_WEBHOOK_SECRET set on the gateway?)'
              : `answered ${response.statusCode}`,
      };
    }
    const body = JSON.parse(text) as Omit<GatewayStatus, 'ok'>;
    return { ok: true, status: 200, ...body };
  } catch (error) {
    return { ok: false, error: `unreachable (${error instanceof Error ? error.message : error})` };
  }
}

const SHOWN_DELIVERIES = 10;

function printStatus(
  io: Io,
  origin: string,
  rules: RuleSummary[],
  target: string | undefined,
  gateway: GatewayStatus | undefined,
): void {
  io.out(`Freshdesk ${origin}\n`);
  if (rules.length === 0) {
    io.out('  no webhook rules for the gateway: run deskgraph webhooks install --url URL\n');
  }
  for (const rule of rules) {
    io.out(`  ${ruleLine(rule)}\n`);
  }
  if (target === undefined || gateway === undefined) {
    return;
  }
  io.out(`Gateway ${target}\n`);
  if (!gateway.ok) {
    io.out(`  ${gateway.error}\n`);
    return;
  }
  const sweep = gateway.sweep;
  if (sweep && typeof sweep.intervalMs === 'number') {
    io.out(
      `  sweep: every ${sweep.intervalMs / 1000} s, last run ${sweep.lastRunAt ?? 'not yet'}${sweep.lastError ? ` (failed: ${sweep.lastError})` : ''}\n`,
    );
  } else if (sweep) {
    io.out(`  sweep: off (${sweep.off})\n`);
  }
  const deliveries = gateway.deliveries ?? [];
  if (deliveries.length === 0) {
    io.out('  no deliveries received yet\n');
    return;
  }
  io.out(
    `  last deliveries, newest first (${Math.min(deliveries.length, SHOWN_DELIVERIES)} of ${deliveries.length}):\n`,
  );
  for (const d of deliveries.slice(0, SHOWN_DELIVERIES)) {
    const what = d.ticketId ? `ticket ${d.ticketId}` : 'no ticket';
    const outcome = d.eventId ? `event ${d.eventId}` : d.outcome;
    const detail = d.error ?? d.triggeredEvent ?? '';
    io.out(`    ${d.at}  ${d.status}  ${what}  ${outcome}${detail ? `  ${detail}` : ''}\n`);
  }
}

function explain(error: unknown): string {
  const upstream = findUpstreamError(error);
  if (upstream?.status === 401) {
    return 'Freshdesk did not accept FRESHDESK_API_KEY (401).';
  }
  if (upstream?.status === 403) {
    return "Freshdesk refused (403): only account admins may manage automation rules; use an admin's API key.";
  }
  if (upstream) {
    const where = upstream.status
      ? `${upstream.status} on ${upstream.method} ${upstream.path}`
      : upstream.kind;
    return `Freshdesk call failed (${where}): ${upstream.message}`;
  }
  return error instanceof Error ? error.message : String(error);
}
