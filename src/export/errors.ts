/**
 * How the export fails: one line for a human, and an exit code a scheduler can act on.
 */

/** Exit codes (also in `--help`). */
export const EXIT = {
  /** Everything was exported. */
  done: 0,
  /** Needs attention: credentials, a refused request, a checkpoint that does not fit. */
  failed: 1,
  /** The command line is wrong. */
  usage: 2,
  /** A temporary failure (gateway or Freshdesk unreachable, still failing after retries): run again later, it resumes. */
  temporary: 75,
  /** Stopped by SIGINT or SIGTERM after committing what it had: run again to resume. */
  interrupted: 130,
} as const;

export class ExportError extends Error {
  readonly exitCode: number;
  constructor(message: string, exitCode: number) {
    super(message);
    this.name = 'ExportError';
    this.exitCode = exitCode;
  }
}
