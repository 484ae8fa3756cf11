/**
 * What `npm start` says about the upstream in its ready line: one `GET /api/v2/agents/me` with the
 * service key at start (through the client, so the quota gate counts its credit), and what came of
 * it. The gateway serves whatever the answer (Freshdesk may come back; `/ready` is the probe), and
 * start failures (a taken port, a bad bind address) become one clear line (`startFailure`).
 */
import type { Config } from './config.ts';
import type { FreshdeskClient } from './upstream/freshdesk-client.ts';
import { UpstreamError } from './upstream/upstream-error.ts';

/** How long the start check may take, retries and quota wait included. */
export const START_CHECK_MS = 5_000;

/** The end of the ready line: whether Freshdesk answered and the key was accepted. */
export async function checkUpstream(
  config: Pick<Config, 'auth' | 'apiKey'>,
  client: FreshdeskClient,
  timeoutMs = START_CHECK_MS,
): Promise<string> {
  if (config.apiKey === undefined) {
    return 'passthrough: no service key to check, each request brings its own';
  }
  try {
    await client
      .session({ apiKey: config.apiKey, deadline: Date.now() + timeoutMs, priority: 'interactive' })
      .get('/api/v2/agents/me');
    return 'Freshdesk answered, key accepted';
  } catch (error) {
    return describeFailure(error);
  }
}

function describeFailure(error: unknown): string {
  if (!(error instanceof UpstreamError)) {
    return `not checked: ${error instanceof Error ? error.message : String(error)}`;
  }
  if (error.kind === 'http' && (error.status === 401 || error.status === 403)) {
    return `Freshdesk answered, key refused (${error.status})`;
  }
  if (error.kind === 'http') {
    return `Freshdesk answered ${error.status}, key not confirmed`;
  }
  if (error.kind === 'quota') {
    return 'not checked: no quota budget left in this window';
  }
  if (error.kind === 'malformed') {
    return 'not Freshdesk: its answer is not Freshdesk JSON';
  }
  return `not reachable: ${reasonOf(error)}`;
}

/** The root cause's code and words (`ECONNREFUSED`), not the client's general sentence. */
function reasonOf(error: Error): string {
  let cause: unknown = error;
  while (cause instanceof Error && cause.cause instanceof Error) {
    cause = cause.cause;
  }
  const code = (cause as { code?: unknown }).code;
  const message = cause instanceof Error ? cause.message : String(cause);
  return typeof code === 'string' && !message.includes(code) ? `${code} ${message}` : message;
}

/**
 * One line for an error that stops the start: what went wrong in words, and the setting to change,
 * without a stack.
 */
export function startFailure(error: unknown, where: { port: number; host: string }): string {
  const code = (error as { code?: unknown } | undefined)?.code;
  const address = `${where.host}:${where.port}`;
  switch (code) {
    case 'EADDRINUSE':
      return `port ${where.port} on ${where.host} is already in use by another process (set PORT to a free port).`;
    case 'EADDRNOTAVAIL':
      return `cannot listen on ${address}: no network interface of this machine has that address (set HOST).`;
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
    case 'EAI_NONAME':
      return `cannot listen on ${address}: HOST "${where.host}" is not an IP address or a name this machine resolves (set HOST).`;
    case 'EACCES':
    case 'EPERM':
      return `not allowed to listen on ${address} (ports below 1024 need privileges; set PORT).`;
    default:
      return error instanceof Error ? error.message.split('\n')[0] || error.name : String(error);
  }
}
