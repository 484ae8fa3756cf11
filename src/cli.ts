/**
 * The `deskgraph` command: `deskgraph emulator [...]`, `deskgraph serve` (same as `npm start`),
 * `deskgraph export [...]` (BI export, `deskgraph export --help`), `deskgraph webhooks install|status`.
 */
const USAGE = `Usage: deskgraph <command> [options]

Commands:
  serve                  Serve the gateway (same as npm start).
  emulator [options]     Run the Freshdesk emulator alone:
                           --port N  --plan trial|growth|pro|enterprise  --seed S
                           --tickets N  --api-key K  --window-ms N
  export <streams> [options]
                         BI export of tickets, conversations, contacts, companies,
                         ratings: exactly once, resumable, incremental
                         (deskgraph export --help).
  webhooks install --url URL | webhooks status [--url URL]
                         Set up (or check) the Freshdesk automation rules that send ticket
                         changes to the gateway's /webhooks/freshdesk.
`;

const [command, ...rest] = process.argv.slice(2);
switch (command) {
  case 'emulator': {
    const { runEmulatorCommand } = await import('./emulator/cli.ts');
    await runEmulatorCommand(rest);
    break;
  }
  case 'serve':
    await import('./index.ts');
    break;
  case 'webhooks': {
    const { runWebhooksCommand } = await import('./freshness/cli.ts');
    process.exitCode = await runWebhooksCommand(rest);
    break;
  }
  case 'export': {
    const { runExportCommand } = await import('./export/cli.ts');
    process.exit(await runExportCommand(rest));
    break;
  }
  case undefined:
  case '-h':
  case '--help':
    process.stdout.write(USAGE);
    break;
  default:
    process.stderr.write(`Unknown command "${command}".\n\n${USAGE}`);
    process.exit(2);
}
