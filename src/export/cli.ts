/**
 * `deskgraph export`: the command line (flags, `--help`, exit codes), the gateway it talks to (the
 * one at `--gateway`, or one started in this process with `npm start`'s configuration), progress on
 * stderr, and SIGINT/SIGTERM (stop after the page being committed).
 */
import { setMaxListeners } from 'node:events';
import { parseArgs } from 'node:util';
import { ConfigError, embeddedPlan, loadConfig } from '../config.ts';
import { startEmulator } from '../emulator/index.ts';
import { createLogger } from '../logger.ts';
import { startGateway } from '../server.ts';
import { GatewayClient } from './client.ts';
import { runExport } from './engine.ts';
import { EXIT, ExportError } from './errors.ts';
import { barProgress, lineProgress, noProgress, type Progress } from './progress.ts';
import { FORMATS, type Format, STREAMS, type StreamName } from './records.ts';

export const EXPORT_HELP = `Usage: deskgraph export <stream>[,<stream>...] [options]

BI export through the deskgraph gateway: every record exactly once, resumable, incremental, at bulk
priority (X-Deskgraph-Priority: bulk), so interactive users of the same account keep their quota.

Streams:
  tickets         every ticket (description, custom fields, ids of requester, agent, group,
                  company); from the second run on, tickets deleted or marked spam since the
                  previous run as records with "deleted": true / "spam": true
  conversations   replies and notes of the tickets exported (one call per ticket)
  contacts        contacts (verified and unverified); deleted ones from the second run on, with
                  "deleted": true
  companies       companies
  ratings         satisfaction ratings (one call per 100, account-wide)
  Several streams in one run share what they can: tickets and conversations list every ticket
  page once. Several streams need --out with {stream} in it.

Options:
  --since DATE          first run only: export what changed at or after DATE (ISO-8601, UTC unless
                        it has an offset: 2026-01-31 or 2026-01-31T12:00:00Z); default: everything
  --checkpoint FILE     where the run's position is kept. Missing: this is the first run. An
                        interrupted run's checkpoint resumes it; a finished run's exports only what
                        changed since that run
  --format ndjson|csv   ndjson (default): one JSON object per line. csv: RFC 4180 with a header;
                        lists joined with commas, custom fields one column each
                        (customFields.<name>), an empty cell is null, "" an empty string
  --out FILE            output file (default: standard output). With --checkpoint, the file is
                        appended to from where the checkpoint says it was committed (a killed
                        run's half-written tail is cut off first); a different FILE starts afresh.
                        With several streams: a template such as exports/{stream}.ndjson
  --gateway URL         a running deskgraph gateway (http://host:4000 or .../graphql). Default:
                        start one in this process with npm start's configuration (FRESHDESK_*
                        variables; the embedded emulator when none is set)
  --progress-interval S seconds between progress lines when stderr is not a terminal (default 10)
  --quiet               no progress output
  -h, --help            this text

Progress: a bar on a terminal (records, pages, credits spent, rate, time waiting for quota, ETA);
plain lines on stderr otherwise. Records only ever go to the output.

Exit codes:
  0    done
  1    failed and needs attention (credentials, a refused request, a checkpoint that does not
       match the command); the reason is the last line on stderr
  2    wrong command line
  75   temporary failure (gateway or Freshdesk unreachable after retries): run again later; it
       resumes from the checkpoint
  130  interrupted (SIGINT/SIGTERM) after committing the current page: run again to resume

Examples:
  deskgraph export tickets --out tickets.ndjson
  deskgraph export tickets,conversations --format csv --checkpoint bi.state \\
    --out "exports/{stream}-$(date +%Y%m%d%H%M).csv"
`;

/** Parses `--since`: a date or date-time; no offset means UTC (as Freshdesk reads it). */
export function parseSince(value: string): string {
  const match =
    /^(\d{4}-\d{2}-\d{2})(?:[T ](\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)(Z|[+-]\d{2}(?::?\d{2})?)?)?$/.exec(
      value.trim(),
    );
  if (!match) {
    throw new ExportError(
      `--since must be an ISO-8601 date or date-time such as 2026-01-31 or 2026-01-31T12:00:00Z; got "${value}"`,
      EXIT.usage,
    );
  }
  const [, date, time, zone] = match;
  let offset = zone ?? 'Z';
  if (/^[+-]\d{2}$/.test(offset)) {
    offset += ':00';
  } else if (/^[+-]\d{4}$/.test(offset)) {
    offset = `${offset.slice(0, 3)}:${offset.slice(3)}`;
  }
  const ms = Date.parse(
    `${date}T${time ?? '00:00:00'}${time && time.length === 5 ? ':00' : ''}${offset}`,
  );
  if (Number.isNaN(ms)) {
    throw new ExportError(`--since is not a real date: "${value}"`, EXIT.usage);
  }
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

interface Parsed {
  streams: StreamName[];
  format: Format;
  out: string | null;
  checkpoint: string | null;
  since: string | null;
  gateway: string | null;
  intervalMs: number;
  quiet: boolean;
}

export function parseExportArgs(argv: readonly string[]): Parsed | 'help' {
  let values: Record<string, string | boolean | undefined>;
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({
      args: [...argv],
      allowPositionals: true,
      options: {
        since: { type: 'string' },
        checkpoint: { type: 'string' },
        format: { type: 'string' },
        out: { type: 'string' },
        gateway: { type: 'string' },
        'progress-interval': { type: 'string' },
        quiet: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (error) {
    throw new ExportError((error as Error).message, EXIT.usage);
  }
  if (values.help) {
    return 'help';
  }
  const names = positionals
    .flatMap((p) => p.split(','))
    .map((p) => p.trim())
    .filter(Boolean);
  if (names.length === 0) {
    throw new ExportError(`name what to export: ${STREAMS.join(', ')}`, EXIT.usage);
  }
  for (const name of names) {
    if (!(STREAMS as readonly string[]).includes(name)) {
      throw new ExportError(
        `unknown stream "${name}"; choose from ${STREAMS.join(', ')}`,
        EXIT.usage,
      );
    }
  }
  const streams = [...new Set(names)] as StreamName[];
  const format = (values.format as string | undefined) ?? 'ndjson';
  if (!(FORMATS as readonly string[]).includes(format)) {
    throw new ExportError(`--format must be ndjson or csv; got "${format}"`, EXIT.usage);
  }
  const out = (values.out as string | undefined) ?? null;
  if (streams.length > 1 && (out === null || !out.includes('{stream}'))) {
    throw new ExportError(
      'several streams need --out with {stream} in it, e.g. --out "exports/{stream}.ndjson"',
      EXIT.usage,
    );
  }
  const interval = values['progress-interval'] as string | undefined;
  const intervalS = interval === undefined ? 10 : Number(interval);
  if (!Number.isFinite(intervalS) || intervalS < 0) {
    throw new ExportError(
      `--progress-interval is seconds (e.g. 10); got "${interval}"`,
      EXIT.usage,
    );
  }
  return {
    streams,
    format: format as Format,
    out,
    checkpoint: (values.checkpoint as string | undefined) ?? null,
    since: values.since === undefined ? null : parseSince(values.since as string),
    gateway: (values.gateway as string | undefined) ?? null,
    intervalMs: intervalS * 1000,
    quiet: values.quiet === true,
  };
}

/** `http://host:4000` → `http://host:4000/graphql`; a URL with a path is used as given. */
export function gatewayUrl(value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ExportError(
      `--gateway must be a URL such as http://localhost:4000; got "${value}"`,
      EXIT.usage,
    );
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new ExportError(`--gateway must be an http(s) URL; got "${value}"`, EXIT.usage);
  }
  if (url.pathname === '/' || url.pathname === '') {
    url.pathname = '/graphql';
  }
  return url.toString();
}

/** A gateway in this process, configured as `npm start` is (the embedded emulator when no Freshdesk is set). */
async function inProcessGateway(): Promise<{ url: string; close(): Promise<void> }> {
  let config: ReturnType<typeof loadConfig>;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      throw new ExportError(
        `cannot start the gateway. ${error.message.replaceAll('\n', ' ')}`,
        EXIT.failed,
      );
    }
    throw error;
  }
  let upstreamOrigin: string;
  let stopEmulator: (() => Promise<void>) | undefined;
  if (config.upstream.kind === 'embedded') {
    const emulator = await startEmulator({
      port: 0,
      adminApiKey: config.apiKey,
      plan: embeddedPlan(config.plan),
      log: () => {},
    });
    upstreamOrigin = emulator.origin;
    stopEmulator = () => emulator.close();
    config = { ...config, apiKey: emulator.apiKeys.admin };
  } else {
    upstreamOrigin = config.upstream.origin;
  }
  config = {
    ...config,
    port: 0,
    host: '127.0.0.1',
    // The export is this gateway's only client, and its operations are a page of tickets with a
    // call per ticket for conversations: above the default per-operation cap, bounded by design.
    maxOperationCredits: Math.max(config.maxOperationCredits, 1_000),
    // Nobody subscribes to this gateway's events: no reconciliation sweep spending list calls.
    reconcileIntervalMs: 0,
  };
  // The gateway hangs every call of an operation (a page's conversations: up to 100) on one abort
  // signal; Node's default warns past 10 listeners.
  setMaxListeners(0);
  const logger = createLogger({
    level: config.logLevel === 'debug' ? 'debug' : 'warn',
    secrets: [config.apiKey, config.webhookSecret],
  });
  const gateway = await startGateway({ config, upstreamOrigin, logger });
  return {
    url: gateway.url.replace('//localhost:', '//127.0.0.1:'),
    close: async () => {
      await gateway.close();
      await stopEmulator?.();
    },
  };
}

/** Runs `deskgraph export ...`; resolves with the process exit code. */
export async function runExportCommand(argv: readonly string[]): Promise<number> {
  const fail = (error: ExportError): number => {
    process.stderr.write(`deskgraph export: ${error.message}\n`);
    return error.exitCode;
  };
  let parsed: Parsed | 'help';
  try {
    parsed = parseExportArgs(argv);
  } catch (error) {
    if (error instanceof ExportError) {
      process.stderr.write(
        `deskgraph export: ${error.message}\n\nRun "deskgraph export --help" for usage.\n`,
      );
      return error.exitCode;
    }
    throw error;
  }
  if (parsed === 'help') {
    process.stdout.write(EXPORT_HELP);
    return EXIT.done;
  }
  const stop = new AbortController();
  const onSignal = () => {
    if (stop.signal.aborted) {
      process.exit(EXIT.interrupted);
    }
    stop.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const progress: Progress = parsed.quiet
    ? noProgress
    : process.stderr.isTTY
      ? barProgress(process.stderr)
      : lineProgress((line) => process.stderr.write(`${line}\n`), {
          intervalMs: parsed.intervalMs,
        });
  let gateway: { url: string; close(): Promise<void> } | undefined;
  try {
    gateway = parsed.gateway
      ? { url: gatewayUrl(parsed.gateway), close: async () => {} }
      : await inProcessGateway();
    const client = new GatewayClient(gateway.url, {
      signal: stop.signal,
      onWait: (ms, reason) => {
        if (ms >= 2_000) {
          progress.note(
            reason === 'quota'
              ? `waiting ${Math.round(ms / 1000)}s for quota (the gateway keeps the rest for interactive users)`
              : `retrying in ${Math.round(ms / 1000)}s: ${reason}`,
          );
        }
      },
    });
    const summary = await runExport({
      streams: parsed.streams,
      format: parsed.format,
      out: parsed.out,
      checkpoint: parsed.checkpoint,
      since: parsed.since,
      client,
      progress,
      signal: stop.signal,
    });
    progress.stop();
    const counts = Object.entries(summary.records)
      .map(([stream, n]) => `${n} ${stream}`)
      .join(', ');
    if (!parsed.quiet) {
      process.stderr.write(
        `deskgraph export: done (${summary.mode} run): ${counts || 'nothing new'}; ${client.totals.credits} credits in ${client.totals.requests} requests\n`,
      );
    }
    return EXIT.done;
  } catch (error) {
    progress.stop();
    if (error instanceof ExportError) {
      return fail(
        error.exitCode === EXIT.interrupted
          ? new ExportError(
              'interrupted; what was committed is kept: run the same command again to resume',
              EXIT.interrupted,
            )
          : error,
      );
    }
    const message = error instanceof Error ? error.message : String(error);
    return fail(new ExportError(`unexpected failure: ${message}`, EXIT.failed));
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await gateway?.close().catch(() => {});
  }
}
