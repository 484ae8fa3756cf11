/**
 * The command as people and schedulers meet it: `--help`, exit codes with a one-line reason,
 * progress as plain lines in a pipe and as a bar on a terminal (a pseudo-terminal through
 * `script`), records on stdout when there is no --out.
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { startStack, UNTHROTTLED } from '../helpers/gateway.ts';
import { BIN, exportStack, readNdjson, runCli, visibleTickets } from './helpers.ts';

const env = exportStack({ ...UNTHROTTLED, emulator: { ...UNTHROTTLED.emulator, tickets: 400 } });

/** The last line of stderr: the one-line reason. */
const lastLine = (text: string) => text.trimEnd().split('\n').at(-1) ?? '';

describe('usage', () => {
  it('--help documents every stream, option, format and exit code', async () => {
    const result = await runCli(['--help']);
    expect(result.code).toBe(0);
    for (const word of [
      'tickets',
      'conversations',
      'contacts',
      'companies',
      'ratings',
      '--since',
      '--checkpoint',
      '--format ndjson|csv',
      '--out',
      '--gateway',
      '{stream}',
      '"deleted": true',
      '"spam": true',
      '75',
      '130',
    ]) {
      expect(result.stdout).toContain(word);
    }
  });

  it.each([
    [[], 'name what to export'],
    [['tickets,orders'], 'unknown stream "orders"'],
    [['tickets', '--since', 'yesterday'], '--since must be an ISO-8601 date'],
    [['tickets', '--format', 'xml'], '--format must be ndjson or csv'],
    [['tickets,contacts', '--out', 'x.ndjson'], 'several streams need --out with {stream}'],
    [['tickets', '--bogus'], "Unknown option '--bogus'"],
  ])('exits 2 on a wrong command line: %j', async (args, reason) => {
    const result = await runCli(args);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(reason);
    expect(result.stdout).toBe('');
  });

  it('exits 1 with one line when the gateway refuses the credentials', async () => {
    const guarded = await startStack({
      ...UNTHROTTLED,
      env: { ...UNTHROTTLED.env, DESKGRAPH_AUTH: 'passthrough' },
    });
    try {
      const result = await runCli(['tickets', '--gateway', guarded.gateway.origin, '--quiet']);
      expect(result.code).toBe(1);
      expect(lastLine(result.stderr)).toMatch(
        /^deskgraph export: UNAUTHENTICATED: .*X-Freshdesk-Api-Key/,
      );
      expect(result.stdout).toBe('');
    } finally {
      await guarded.close();
    }
  });

  it('exits 75 when the gateway cannot be reached, after retrying', async () => {
    const result = await runCli(['tickets', '--gateway', 'http://127.0.0.1:9', '--quiet']);
    expect(result.code).toBe(75);
    expect(lastLine(result.stderr)).toMatch(
      /^deskgraph export: the gateway at .* is unreachable .*attempts\)$/,
    );
  }, 60_000);
});

describe('progress and output', () => {
  it('in a pipe: plain progress lines on stderr, the records alone on stdout', async () => {
    const result = await runCli([
      'tickets',
      '--gateway',
      env.stack.gateway.origin,
      '--progress-interval',
      '0',
    ]);
    expect(result.code).toBe(0);
    expect(result.stderr).not.toContain('\x1b[');
    const lines = result.stderr.trimEnd().split('\n');
    expect(lines.every((line) => line.startsWith('deskgraph export: '))).toBe(true);
    expect(result.stderr).toMatch(
      /deskgraph export: tickets: [\d,]+ records, \d+ pages, [\d,]+ credits, [\d,]+ records\/s, \d+s waiting for quota, ETA \S+/,
    );
    expect(result.stderr).toMatch(/deskgraph export: tickets: [\d,]+ records, .* done in \d+s/);
    expect(lastLine(result.stderr)).toMatch(
      /^deskgraph export: done \(first run\): \d+ tickets; \d+ credits in \d+ requests$/,
    );
    const ids = result.stdout
      .trimEnd()
      .split('\n')
      .map((line) => (JSON.parse(line) as { id: string }).id);
    expect(new Set(ids)).toEqual(
      new Set(visibleTickets(env.stack.emulator.data).map((t) => String(t.id))),
    );
  });

  it('on a terminal: a redrawn progress bar with records, pages, credits, rate, quota wait and ETA', async () => {
    const out = join(env.dir, 'tty.ndjson');
    const command = [
      process.execPath,
      BIN,
      'export',
      'tickets',
      '--gateway',
      env.stack.gateway.origin,
      '--out',
      out,
    ]
      .map((part) => `'${part}'`)
      .join(' ');
    // `script` runs the command on a pseudo-terminal and copies what it draws to our stdout.
    const { stdout } = await promisify(execFile)(
      'script',
      ['-q', '-e', '-c', command, '/dev/null'],
      {
        env: { ...process.env, TERM: 'xterm', COLUMNS: '200' },
        timeout: 60_000,
      },
    );
    expect(stdout).toContain('\x1b['); // cursor control: the bar is redrawn in place
    expect(stdout).toContain('\u2588');
    expect(stdout).toMatch(
      /tickets \|[\u2588\u2591]+\| \d+% \| [\d,]+ records \| \d+ pages \| [\d,]+ credits \| [\d,]+ rec\/s \| quota wait \d+s \| ETA \S+/,
    );
    expect(readNdjson(out)).toHaveLength(visibleTickets(env.stack.emulator.data).length);
    expect(readFileSync(out, 'utf8')).not.toContain('\x1b[');
  });
});
