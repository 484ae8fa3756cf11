/**
 * The export's checkpoint: one JSON file holding, per output, how many bytes of it are committed,
 * and per traversal where it stands. Written durably (temporary file, fsync, rename, fsync of the
 * directory), so a process killed at any moment leaves either the previous checkpoint or the new
 * one, never a torn one.
 */
import {
  closeSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  writeSync,
} from 'node:fs';
import { dirname } from 'node:path';
import { ExportError } from './errors.ts';
import type { Format, StreamName } from './records.ts';

/** Where an `updated_at`-ordered traversal stands: the last committed instant and the records there. */
export interface KeysetState {
  kind: 'keyset';
  /** Where this run's traversal began (null: the beginning of time). */
  from: string | null;
  /** The `updated_at` of the last committed record (null: nothing yet). */
  at: string | null;
  /** Records committed at `at`: id → fingerprint of what was written (skipped when met again unchanged). */
  ids: Record<string, string>;
  done: boolean;
}

/** Where a page-ordered traversal (contacts by name, companies, ratings) stands. */
export interface PagedState {
  kind: 'paged';
  /** The time filter of this run (null: everything). */
  since: string | null;
  /** The cursor the last committed page was read after (null: the first page). */
  after: string | null;
  /** Ids of the last committed page: skipped when a resumed run reads that page again. */
  lastIds: string[];
  /** Records written by the previous run that this run's window covers again: id → updatedAt. */
  skip: Record<string, string>;
  /** Records written by this run near its start time (id → updatedAt), the next run's `skip`. */
  recent: Record<string, string>;
  done: boolean;
}

export type TraversalState = KeysetState | PagedState;

export interface OutputState {
  /** Absolute path, or null for stdout. */
  path: string | null;
  /** Bytes of the file that hold committed records (everything after them is discarded on resume). */
  bytes: number;
  /** CSV only: the header the file was started with. */
  columns: string[] | null;
}

export interface CheckpointData {
  version: 1;
  format: Format;
  streams: StreamName[];
  run: {
    /** When the current (or last) run started, by this machine's clock. */
    startedAt: string;
    /** Null while the run is under way (or was interrupted). */
    finishedAt: string | null;
  };
  outputs: Partial<Record<StreamName, OutputState>>;
  traversals: Record<string, TraversalState>;
}

/** Reads a checkpoint; undefined when the file does not exist. */
export function readCheckpoint(path: string): CheckpointData | undefined {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      return undefined;
    }
    throw new ExportError(`cannot read the checkpoint ${path}: ${(error as Error).message}`, 1);
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    throw new ExportError(
      `the checkpoint ${path} is not valid JSON; it was not written by this export`,
      1,
    );
  }
  if (!isCheckpoint(data)) {
    throw new ExportError(
      `the checkpoint ${path} is not a deskgraph export checkpoint (version 1)`,
      1,
    );
  }
  return data;
}

function isCheckpoint(value: unknown): value is CheckpointData {
  const v = value as CheckpointData;
  return (
    typeof v === 'object' &&
    v !== null &&
    v.version === 1 &&
    (v.format === 'ndjson' || v.format === 'csv') &&
    Array.isArray(v.streams) &&
    typeof v.run === 'object' &&
    v.run !== null &&
    typeof v.run.startedAt === 'string' &&
    typeof v.outputs === 'object' &&
    v.outputs !== null &&
    typeof v.traversals === 'object' &&
    v.traversals !== null
  );
}

/** Replaces the checkpoint atomically and durably. */
export function writeCheckpoint(path: string, data: CheckpointData): void {
  mkdirSync(dirname(path), { recursive: true });
  const temporary = `${path}.tmp-${process.pid}`;
  const fd = openSync(temporary, 'w');
  try {
    writeSync(fd, `${JSON.stringify(data)}\n`);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(temporary, path);
  syncDirectory(dirname(path));
}

/** Makes a rename in `dir` durable (a no-op where directories cannot be opened, e.g. Windows). */
export function syncDirectory(dir: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(dir, 'r');
    fsyncSync(fd);
  } catch {
    // Not supported on this platform: the rename is as durable as it gets.
  } finally {
    if (fd !== undefined) {
      closeSync(fd);
    }
  }
}
