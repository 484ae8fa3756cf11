/**
 * Progress people can read: a cli-progress bar on a terminal (records, pages, credits spent, rate,
 * time waiting for quota, ETA), plain lines on stderr otherwise (every `intervalMs`, and one when
 * each part of the export ends), so a scheduler's log says how far a run got.
 */
import { SingleBar } from 'cli-progress';

export interface ProgressState {
  /** What is being exported, e.g. `tickets+conversations` or `tickets (deleted)`. */
  label: string;
  records: number;
  pages: number;
  credits: number;
  waitingMs: number;
  /** Share done in [0, 1], when it can be told (the ticket traversal knows how far in time it is). */
  fraction: number | undefined;
  startedAt: number;
}

export interface Progress {
  begin(label: string): void;
  update(state: ProgressState): void;
  /** Ends the current part: a final line (or the bar's last frame). */
  end(state: ProgressState): void;
  /** A one-off note (e.g. a wait) that must not break the bar. */
  note(text: string): void;
  stop(): void;
}

const seconds = (ms: number): string => {
  const s = Math.round(ms / 1000);
  if (s < 60) {
    return `${s}s`;
  }
  const m = Math.floor(s / 60);
  return m < 60
    ? `${m}m${String(s % 60).padStart(2, '0')}s`
    : `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`;
};

const rateOf = (state: ProgressState, now: number): number => {
  const elapsed = (now - state.startedAt) / 1000;
  return elapsed > 0 ? state.records / elapsed : 0;
};

function etaOf(state: ProgressState, now: number): string {
  const f = state.fraction;
  if (f === undefined || f <= 0) {
    return '?';
  }
  if (f >= 1) {
    return '0s';
  }
  return seconds(((now - state.startedAt) * (1 - f)) / f);
}

const number = (n: number): string => Math.round(n).toLocaleString('en-US');

/** One plain progress line (also the summary format of the bar). */
export function progressLine(state: ProgressState, now: number, done = false): string {
  const parts = [
    `${number(state.records)} records`,
    `${number(state.pages)} pages`,
    `${number(state.credits)} credits`,
    `${number(rateOf(state, now))} records/s`,
    `${seconds(state.waitingMs)} waiting for quota`,
    done ? `done in ${seconds(now - state.startedAt)}` : `ETA ${etaOf(state, now)}`,
  ];
  return `deskgraph export: ${state.label}: ${parts.join(', ')}`;
}

/** Plain lines on a stream that is not a terminal. */
export function lineProgress(
  write: (line: string) => void,
  options: { intervalMs?: number; now?: () => number } = {},
): Progress {
  const intervalMs = options.intervalMs ?? 10_000;
  const now = options.now ?? Date.now;
  let last = 0;
  return {
    begin(label) {
      last = now();
      write(`deskgraph export: ${label}: started`);
    },
    update(state) {
      const t = now();
      if (t - last >= intervalMs) {
        last = t;
        write(progressLine(state, t));
      }
    },
    end(state) {
      write(progressLine(state, now(), true));
    },
    note(text) {
      write(`deskgraph export: ${text}`);
    },
    stop() {},
  };
}

/** A live bar on a terminal (cli-progress), redrawn in place. */
export function barProgress(stream: NodeJS.WriteStream): Progress {
  let bar: SingleBar | undefined;
  const payload = (state: ProgressState, t: number) => ({
    label: state.label,
    records: number(state.records),
    pages: number(state.pages),
    credits: number(state.credits),
    rate: number(rateOf(state, t)),
    waiting: seconds(state.waitingMs),
    eta_text: etaOf(state, t),
  });
  return {
    begin(label) {
      bar?.stop();
      bar = new SingleBar({
        stream,
        format:
          '{label} |{bar}| {percentage}% | {records} records | {pages} pages | {credits} credits | {rate} rec/s | quota wait {waiting} | ETA {eta_text}',
        barCompleteChar: '\u2588',
        barIncompleteChar: '\u2591',
        hideCursor: true,
        clearOnComplete: false,
        etaBuffer: 50,
        fps: 5,
        // Draw on a terminal even when cli-progress cannot tell it is one (e.g. under `script`).
        noTTYOutput: !stream.isTTY,
        notTTYSchedule: 1000,
      });
      bar.start(
        1000,
        0,
        payload(
          {
            label,
            records: 0,
            pages: 0,
            credits: 0,
            waitingMs: 0,
            fraction: 0,
            startedAt: Date.now(),
          },
          Date.now(),
        ),
      );
    },
    update(state) {
      const t = Date.now();
      bar?.update(Math.round((state.fraction ?? 0) * 1000), payload(state, t));
    },
    end(state) {
      const t = Date.now();
      bar?.update(1000, { ...payload(state, t), eta_text: '0s' });
      bar?.stop();
      bar = undefined;
      stream.write(`${progressLine(state, t, true)}\n`);
    },
    note(text) {
      if (bar) {
        // Keep the bar intact: the note goes above it.
        stream.write(`\r\x1b[2K${text}\n`);
        bar.render();
      } else {
        stream.write(`${text}\n`);
      }
    },
    stop() {
      bar?.stop();
      bar = undefined;
    },
  };
}

/** Silent (tests, `--quiet`). */
export const noProgress: Progress = {
  begin() {},
  update() {},
  end() {},
  note() {},
  stop() {},
};
