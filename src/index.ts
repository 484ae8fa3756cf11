/**
 * `npm start`: reads the configuration, starts the embedded emulator when no Freshdesk is configured,
 * serves the gateway and prints one ready line.
 */
import { ConfigError, loadConfig } from './config.ts';
import { startEmulator } from './emulator/index.ts';
import { startGateway } from './server.ts';

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
      plan: config.plan
        ? {
            total: config.plan.limits.total,
            ticketCreate: config.plan.limits.ticket_create,
            ticketUpdate: config.plan.limits.ticket_update,
            ticketsList: config.plan.limits.tickets_list,
            contactsList: config.plan.limits.contacts_list,
          }
        : 'enterprise',
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

  let stopping = false;
  const stop = async (): Promise<void> => {
    if (stopping) {
      return;
    }
    stopping = true;
    await gateway.close();
    await stopEmulator?.();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop());
  process.on('SIGTERM', () => void stop());
}

await main();
