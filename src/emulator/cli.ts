/**
 * `deskgraph emulator [--port N] [--plan P] [--seed S] [--tickets N] [--companies N] [--contacts N]
 * [--api-key K] [--window-ms N]`:
 * runs the emulator alone until SIGINT/SIGTERM.
 */
import { parseArgs } from 'node:util';
import { onStopSignal } from '../shutdown.ts';
import { type EmulatorOptions, startEmulator } from './index.ts';
import { PLANS, type PlanName } from './rate-limit.ts';

const USAGE = `Usage: deskgraph emulator [options]
  --port N         listen port (default 8085; 0 picks a free one)
  --host H         listen address (default 127.0.0.1)
  --plan P         trial | growth | pro | enterprise (default growth)
  --seed S         data seed (default 1)
  --tickets N      number of generated tickets (default 2000)
  --companies N    number of generated companies (default 40)
  --contacts N     number of generated contacts (default 500, at least 60)
  --api-key K      the admin agent's API key
  --window-ms N    rate-limit window in ms (default 60000)
`;

const DEFAULT_PORT = 8085;

function integer(name: string, raw: string | undefined, min: number): number | undefined {
  if (raw === undefined) {
    return undefined;
  }
  if (!/^\d+$/.test(raw) || Number(raw) < min) {
    throw new Error(`--${name} must be an integer >= ${min}, got "${raw}"`);
  }
  return Number(raw);
}

/** Parses the command's flags into emulator options; throws with a readable message. */
export function parseEmulatorArgs(argv: string[]): EmulatorOptions {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    allowPositionals: false,
    options: {
      port: { type: 'string' },
      host: { type: 'string' },
      plan: { type: 'string' },
      seed: { type: 'string' },
      tickets: { type: 'string' },
      companies: { type: 'string' },
      contacts: { type: 'string' },
      'api-key': { type: 'string' },
      'window-ms': { type: 'string' },
    },
  });
  const plan = values.plan;
  if (plan !== undefined && !(plan in PLANS)) {
    throw new Error(`--plan must be one of ${Object.keys(PLANS).join(', ')}, got "${plan}"`);
  }
  const port = integer('port', values.port, 0);
  if (port !== undefined && port > 65_535) {
    throw new Error(`--port must be at most 65535, got "${values.port}"`);
  }
  const apiKey = values['api-key'];
  if (apiKey !== undefined && (apiKey === '' || apiKey.includes(':') || apiKey.includes('@'))) {
    throw new Error('--api-key must be non-empty and contain neither ":" nor "@"');
  }
  return {
    port: port ?? DEFAULT_PORT,
    host: values.host ?? '127.0.0.1',
    plan: (plan as PlanName | undefined) ?? 'growth',
    seed: integer('seed', values.seed, 0),
    tickets: integer('tickets', values.tickets, 0),
    companies: integer('companies', values.companies, 1),
    contacts: integer('contacts', values.contacts, 60),
    adminApiKey: apiKey,
    windowMs: integer('window-ms', values['window-ms'], 1),
  };
}

/**
 * Runs the emulator command until SIGINT/SIGTERM (or its parent process exits), then stops it and
 * exits; resolves at once with 2 on bad flags (also setting `process.exitCode`).
 */
export async function runEmulatorCommand(argv: string[]): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(USAGE);
    return 0;
  }
  let options: EmulatorOptions;
  try {
    options = parseEmulatorArgs(argv);
  } catch (error) {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n\n${USAGE}`);
    process.exitCode = 2;
    return 2;
  }
  const emulator = await startEmulator(options);
  // Listening for signals before the ready lines: a supervisor may signal as soon as it reads them.
  // Also when npx's shell goes away: npm signals the shell, which does not pass it on.
  const stopped = new Promise<void>((resolve) =>
    onStopSignal(async () => {
      await emulator.close();
      process.stdout.write('Freshdesk emulator stopped\n');
      resolve();
    }),
  );
  const { admin, agent, restricted } = emulator.apiKeys;
  process.stdout.write(
    [
      `Freshdesk emulator listening at ${emulator.origin} (API: ${emulator.origin}/api/v2, plan ${emulator.plan().name})`,
      `  admin key:      ${admin}`,
      `  agent key:      ${agent}`,
      `  restricted key: ${restricted}`,
      `  control:        ${emulator.origin}/_emulator/stats`,
      '',
    ].join('\n'),
  );
  await stopped;
  return 0;
}
