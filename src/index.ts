/**
 * `npm start`: reads the configuration, starts the embedded emulator when no Freshdesk is configured,
 * serves the gateway, checks the upstream once (src/start-check.ts) and prints one ready line saying
 * whether Freshdesk answered and the key was accepted. A start that fails (configuration, a taken
 * port, a bad bind address...) prints one line and exits non-zero. Everything else goes to the JSON
 * log on stderr. SIGTERM or SIGINT stops it gracefully (src/shutdown.ts): requests under way get
 * `DESKGRAPH_SHUTDOWN_GRACE_MS` to finish.
 */
import { randomBytes } from 'node:crypto';
import { type Config, ConfigError, embeddedPlan, loadConfig } from './config.ts';
import { startEmulator } from './emulator/index.ts';
import { WEBHOOK_PATH } from './freshness/receiver.ts';
import { installRules } from './freshness/rules.ts';
import { createLogger, type Logger } from './logger.ts';
import { startGateway } from './server.ts';
import { onStopSignal } from './shutdown.ts';
import { checkUpstream, startFailure } from './start-check.ts';

/** A start that cannot go on: one line on stderr (the one plain-text line), and exit 1. */
function fail(message: string): never {
  process.stderr.write(`deskgraph cannot start. ${message}\n`);
  process.exit(1);
}

async function main(): Promise<void> {
  let config: ReturnType<typeof loadConfig>;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      fail(error.message);
    }
    throw error;
  }
  const logger = createLogger({
    level: config.logLevel,
    secrets: [config.apiKey, config.webhookSecret],
  });
  // Node's own warnings (deprecations, listener leaks) as JSON lines too, not plain text.
  process.removeAllListeners('warning');
  process.on('warning', (warning) => logger.warn(warning.message, { warning: warning.name }));
  try {
    await serve(config, logger);
  } catch (error) {
    fail(startFailure(error, config));
  }
}

async function serve(initial: Config, logger: Logger): Promise<void> {
  let config = initial;

  let upstreamOrigin: string;
  let upstreamName: string;
  let stopEmulator: (() => Promise<void>) | undefined;
  if (config.upstream.kind === 'embedded') {
    const emulator = await startEmulator({
      port: 0,
      adminApiKey: config.apiKey,
      plan: embeddedPlan(config.plan),
      log: (line) => logger.warn(line),
    });
    upstreamOrigin = emulator.origin;
    // The emulator's own demo key may be shown; a key the user supplied is a secret and never printed.
    const keyNote = config.apiKey
      ? 'admin key from FRESHDESK_API_KEY'
      : `admin key ${emulator.apiKeys.admin}`;
    upstreamName = `embedded Freshdesk emulator at ${emulator.origin}, ${keyNote}`;
    stopEmulator = () => emulator.close();
    // The demo has webhooks out of the box: a secret for this run unless one is configured.
    config = {
      ...config,
      apiKey: emulator.apiKeys.admin,
      webhookSecret: config.webhookSecret ?? randomBytes(24).toString('base64url'),
    };
    logger.addSecret(config.webhookSecret);
  } else {
    upstreamOrigin = config.upstream.origin;
    upstreamName = upstreamOrigin;
  }

  // graphql-js 16 abandons the promises of a list's earlier items (or an object's earlier fields)
  // when a later one fails at once; one of those failing later is an unhandled rejection, which
  // would end the process. Its request has its answer (or was cut): log it and serve on.
  process.on('unhandledRejection', (reason) => {
    logger.error('unhandled rejection; the gateway serves on', { error: reason });
  });
  const gateway = await startGateway({ config, upstreamOrigin, logger });
  if (config.upstream.kind === 'embedded') {
    // The emulator's automation rules call the gateway back, as `deskgraph webhooks install` sets
    // them up on a real account.
    await installRules(
      gateway.client.session({
        apiKey: config.apiKey ?? '',
        deadline: Date.now() + 30_000,
        priority: 'webhook',
      }),
      { url: reachableUrl(gateway.origin, config.host), secret: config.webhookSecret ?? '' },
    );
  }
  const upstream = await checkUpstream(config, gateway.client);
  process.stdout.write(
    `deskgraph ready at ${gateway.url} (upstream: ${upstreamName}, ${upstream})\n`,
  );

  // The embedded emulator stops after the gateway: requests under way still reach it.
  onStopSignal(
    async () => {
      await gateway.close();
      await stopEmulator?.();
    },
    { write: (line) => logger.warn(line.trim()) },
  );
}

/** The gateway's webhook URL as the emulator (on this machine) can reach it. */
function reachableUrl(origin: string, host: string): string {
  const { port } = new URL(origin);
  const local =
    host === '0.0.0.0' || host === 'localhost' || host === '127.0.0.1'
      ? '127.0.0.1'
      : host === '::' || host === '::1'
        ? '[::1]'
        : host.includes(':')
          ? `[${host}]`
          : host;
  return `http://${local}:${port}${WEBHOOK_PATH}`;
}

await main();
