/**
 * Helpers for export tests: run `deskgraph export` as a real child process (or in this process),
 * and read what it wrote.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import type { EmulatorData } from '../../src/emulator/records.ts';
import { GatewayClient } from '../../src/export/client.ts';
import { type ExportOptions, runExport } from '../../src/export/engine.ts';
import { noProgress } from '../../src/export/progress.ts';
import { type Stack, type StackOptions, startStack } from '../helpers/gateway.ts';

export const BIN = resolve(import.meta.dirname, '../../bin/deskgraph.mjs');

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Starts `deskgraph export ...`; `done` resolves when it exits. */
export function startCli(
  args: readonly string[],
  options: { env?: Record<string, string>; cwd?: string } = {},
): { child: ChildProcess; done: Promise<CliResult> } {
  const child = spawn(process.execPath, [BIN, 'export', ...args], {
    cwd: options.cwd,
    env: { ...process.env, ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
  });
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
  });
  const done = new Promise<CliResult>((resolveDone) => {
    child.on('close', (code, signal) => resolveDone({ code, signal, stdout, stderr }));
  });
  return { child, done };
}

export function runCli(
  args: readonly string[],
  options: { env?: Record<string, string>; cwd?: string } = {},
): Promise<CliResult> {
  return startCli(args, options).done;
}

/** A fresh temporary directory, removed by the returned `cleanup`. */
export function tempDir(): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'deskgraph-export-'));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Every line of an NDJSON file, parsed; throws on a line that is not whole JSON. */
export function readNdjson<T = Record<string, unknown>>(path: string): T[] {
  const text = readFileSync(path, 'utf8');
  if (text === '') {
    return [];
  }
  if (!text.endsWith('\n')) {
    throw new Error(`${path} does not end with a newline: a line was cut`);
  }
  return text
    .slice(0, -1)
    .split('\n')
    .map((line) => JSON.parse(line) as T);
}

/** Runs the export in this process against a gateway URL (faster than a child process). */
export async function exportInProcess(
  gatewayUrl: string,
  options: Omit<ExportOptions, 'client' | 'progress'>,
): Promise<{ summary: Awaited<ReturnType<typeof runExport>>; client: GatewayClient }> {
  const client = new GatewayClient(gatewayUrl);
  const summary = await runExport({ ...options, client, progress: noProgress });
  return { summary, client };
}

/** Tickets Freshdesk's default list shows (not spam, not deleted). */
export const visibleTickets = (data: EmulatorData) =>
  [...data.tickets.values()].filter((ticket) => !ticket.spam && !ticket.deleted);

/**
 * The file's stack (emulator and gateway, started before its tests, closed after) and a temporary
 * directory; read `.stack` inside tests.
 */
export function exportStack(options: StackOptions): {
  readonly stack: Stack;
  readonly dir: string;
} {
  let stack: Stack | undefined;
  const temp = tempDir();
  beforeAll(async () => {
    stack = await startStack(options);
  }, 60_000);
  afterAll(async () => {
    await stack?.close();
    temp.cleanup();
  });
  return {
    get stack(): Stack {
      if (!stack) {
        throw new Error('The stack is not running (use it inside a test)');
      }
      return stack;
    },
    dir: temp.dir,
  };
}
