/**
 * Stopping a long-running command (`npm start`, `npm run dev`, `deskgraph emulator`): the first
 * SIGTERM or SIGINT starts a graceful stop, a second one exits at once. A command started through
 * `npx` or an npm script runs below a shell that npm signals but that does not pass the signal on;
 * when that parent goes away the command would run on, orphaned. So the parent is watched too: its
 * exit is a stop signal.
 */

/** How often the parent process is looked at. */
const PARENT_POLL_MS = 1_000;

export interface StopOptions {
  /** Also stop when the parent process exits (it is polled once a second). @default true */
  watchParent?: boolean;
  /** Where "stopping" notes go. @default process.stderr */
  write?: (line: string) => void;
}

/**
 * Calls `stop` once, on the first SIGTERM or SIGINT or when the parent process exits, then exits
 * with code 0 (1 when `stop` failed). A second signal exits at once with 128 + its number.
 */
export function onStopSignal(
  stop: (reason: string) => Promise<void>,
  options: StopOptions = {},
): void {
  const write = options.write ?? ((line: string) => process.stderr.write(line));
  let stopping = false;
  const begin = (reason: string): void => {
    if (stopping) {
      write(`${reason} again: exiting now\n`);
      process.exit(reason === 'SIGINT' ? 130 : 143);
    }
    stopping = true;
    stop(reason).then(
      () => process.exit(0),
      (error: unknown) => {
        write(`stopping failed: ${error instanceof Error ? error.message : String(error)}\n`);
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => begin('SIGTERM'));
  process.on('SIGINT', () => begin('SIGINT'));
  if (options.watchParent ?? true) {
    const parent = process.ppid;
    const timer = setInterval(() => {
      if (process.ppid !== parent) {
        clearInterval(timer);
        begin('parent process exited');
      }
    }, PARENT_POLL_MS);
    timer.unref();
  }
}
