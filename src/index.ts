/**
 * `npm start`: reads the configuration, starts the embedded emulator when no Freshdesk is configured,
 * serves the gateway and prints one ready line. SIGTERM or SIGINT stops it gracefully (src/shutdown.ts):
 * requests under way get `DESKGRAPH_SHUTDOWN_GRACE_MS` to finish.
 */
import { ConfigError, loadConfig } from './config.ts';
import { startEmulator } from './emulator/index.ts';
import { startGateway } from './server.ts';
import { onStopSignal } from './shutdown.ts';

async function main(): Promise<void> {
  let config: ReturnType<typeof loadConfig>;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`deskgraph cannot start. ${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }

  let upstreamOrigin: string;
  let upstreamName: string;
  let stopEmulator: (() => Promise<void>) | undefined;
  if (config.upstream.kind === 'embedded') {
    const emulator = await startEmulator({
      port: 0,
      adminApiKey: config.apiKey,
      plan: config.plan ?? 'enterprise',
    });
    upstreamOrigin = emulator.origin;
    // The emulator's own demo key may be shown; a key the user supplied is a secret and never printed.
    const keyNote = config.apiKey
      ? 'admin key from FRESHDESK_API_KEY'
      : `admin key ${emulator.apiKeys.admin}`;
    upstreamName = `embedded Freshdesk emulator at ${emulator.origin}, ${keyNote}`;
    stopEmulator = () => emulator.close();
    config = { ...config, apiKey: emulator.apiKeys.admin };
  } else {
    upstreamOrigin = config.upstream.origin;
    upstreamName = upstreamOrigin;
  }

  const gateway = await startGateway({ config, upstreamOrigin });
  process.stdout.write(`deskgraph ready at ${gateway.url} (upstream: ${upstreamName})\n`);

  // The embedded emulator stops after the gateway: requests under way still reach it.
  onStopSignal(async () => {
    await gateway.close();
    await stopEmulator?.();
  });
}

await main();
