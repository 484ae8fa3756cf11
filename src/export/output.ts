/**
 * One output of the export: a file that only ever grows by committed records, or stdout.
 *
 * A file is opened at the length the checkpoint committed (anything after it, a half-written line
 * from a killed run, is cut off), appended to, and fsynced before the checkpoint that counts the
 * new bytes is written. So after a crash the file and the checkpoint agree again on the next run.
 */
import {
  closeSync,
  fstatSync,
  fsyncSync,
  ftruncateSync,
  mkdirSync,
  openSync,
  writeSync,
} from 'node:fs';
import { dirname } from 'node:path';
import { ExportError } from './errors.ts';

export interface Output {
  readonly path: string | null;
  /** Committed bytes (0 for stdout). */
  readonly bytes: number;
  /** Queues text for the next commit. */
  write(text: string): void;
  /** Writes what is queued and makes it durable; returns the committed length. */
  commit(): number;
  close(): void;
}

/**
 * Opens `path` for appending after `committed` bytes. `committed` undefined: a new file (an
 * existing one is replaced). A file shorter than `committed` lost committed records: refused.
 */
export function openFileOutput(path: string, committed: number | undefined): Output {
  mkdirSync(dirname(path), { recursive: true });
  const fd = committed === undefined ? openSync(path, 'w') : openSync(path, 'a+');
  let bytes = committed ?? 0;
  if (committed !== undefined) {
    const size = fstatSync(fd).size;
    if (size < committed) {
      closeSync(fd);
      throw new ExportError(
        `${path} holds ${size} bytes but the checkpoint committed ${committed}: the file was changed outside the export; restore it, or start over without the checkpoint`,
        1,
      );
    }
    if (size > committed) {
      // A run was killed after writing records it never committed: they will be written again.
      ftruncateSync(fd, committed);
      fsyncSync(fd);
    }
  }
  let pending: string[] = [];
  return {
    path,
    get bytes() {
      return bytes;
    },
    write(text) {
      pending.push(text);
    },
    commit() {
      if (pending.length > 0) {
        const buffer = Buffer.from(pending.join(''), 'utf8');
        pending = [];
        let offset = 0;
        while (offset < buffer.length) {
          offset += writeSync(fd, buffer, offset, buffer.length - offset);
        }
        bytes += buffer.length;
      }
      fsyncSync(fd);
      return bytes;
    },
    close() {
      closeSync(fd);
    },
  };
}

/** Standard output: records are written as they are committed; nothing can be taken back. */
export function stdoutOutput(): Output {
  let pending: string[] = [];
  return {
    path: null,
    bytes: 0,
    write(text) {
      pending.push(text);
    },
    commit() {
      if (pending.length > 0) {
        const text = pending.join('');
        pending = [];
        writeAll(1, text);
      }
      return 0;
    },
    close() {},
  };
}

function writeAll(fd: number, text: string): void {
  const buffer = Buffer.from(text, 'utf8');
  let offset = 0;
  while (offset < buffer.length) {
    try {
      offset += writeSync(fd, buffer, offset, buffer.length - offset);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EAGAIN') {
        continue; // A non-blocking pipe that is full: try again.
      }
      if ((error as NodeJS.ErrnoException).code === 'EPIPE') {
        throw new ExportError('standard output was closed before the export finished', 1);
      }
      throw error;
    }
  }
}
