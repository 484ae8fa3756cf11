/**
 * The `deskgraph` command: `deskgraph emulator [...]`, `deskgraph serve` (same as `npm start`),
 * `deskgraph export [...]` (BI export, `deskgraph export --help`).
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
