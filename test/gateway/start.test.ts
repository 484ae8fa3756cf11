/**
 * `npm start` as a newcomer runs it: a child process with no Freshdesk configured starts the embedded
 * emulator, prints one ready line, and serves tickets from the emulator over HTTP.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { postGraphQL } from '../helpers/gateway.ts';

let child: ChildProcess | undefined;

afterEach(() => {
  child?.kill('SIGTERM');
  child = undefined;
});

function start(env: Record<string, string>): Promise<{ line: string; output: () => string }> {
  const proc = spawn(process.execPath, ['--import', 'tsx', 'src/index.ts'], {
    env: { PATH: process.env.PATH ?? '', PORT: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child = proc;
  let output = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no ready line in 15 s:\n${output}`)), 15_000);
    const onData = (chunk: Buffer): void => {
      output += chunk.toString();
      const line = output.split('\n').find((l) => l.startsWith('deskgraph ready'));
      if (line) {
        clearTimeout(timer);
        resolve({ line, output: () => output });
      }
    };
    proc.stdout?.on('data', onData);
    proc.stderr?.on('data', onData);
    proc.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`exited with ${code} before the ready line:\n${output}`));
    });
  });
}

describe('npm start with no Freshdesk configured', () => {
  it('prints one ready line naming the URL and the embedded emulator, then serves its tickets', async () => {
    const { line } = await start({});
    expect(line).toMatch(
      /^deskgraph ready at http:\/\/localhost:\d+\/graphql \(upstream: embedded Freshdesk emulator at http:\/\/127\.0\.0\.1:\d+/,
    );
    const url = /at (http:\/\/localhost:\d+\/graphql)/.exec(line)?.[1] as string;
    const result = await postGraphQL<{ tickets: { nodes: { id: string; subject: string }[] } }>(
      url,
      '{ tickets(first: 5) { nodes { id subject } } }',
    );
    expect(result.errors).toBeUndefined();
    expect(result.data?.tickets.nodes).toHaveLength(5);
    for (const node of result.data?.tickets.nodes ?? []) {
      expect(node.id).toMatch(/^\d+$/);
      expect(node.subject.length).toBeGreaterThan(0);
    }
  });

  it('never prints a key the user supplied', async () => {
    const { line, output } = await start({ FRESHDESK_API_KEY: 'user-secret-key-1234' });
    expect(line).toContain('admin key from FRESHDESK_API_KEY');
    expect(output()).not.toContain('user-secret-key-1234');
  });

  it('refuses a bad configuration listing every problem, with a non-zero exit', async () => {
    const proc = spawn(process.execPath, ['--import', 'tsx', 'src/index.ts'], {
      env: { PATH: process.env.PATH ?? '', PORT: 'x', FRESHDESK_DOMAIN: 'help.acme.com' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    proc.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const code = await new Promise<number | null>((resolve) => proc.on('exit', resolve));
    expect(code).toBe(1);
    expect(stderr).toMatch(/PORT must be/);
    expect(stderr).toMatch(/vanity domains/);
  });
});
