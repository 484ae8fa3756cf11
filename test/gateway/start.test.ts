/**
 * `npm start` as a newcomer runs it: a child process with no Freshdesk configured starts the embedded
 * emulator, prints one ready line, and serves tickets from the emulator over HTTP. The ready line
 * says whether Freshdesk answered and took the key (a wrong key, an unreachable upstream); a start
 * that fails (a taken port, a bad bind address) prints one line and exits 1. Like `npm start`
 * (`prestart` builds, then `node <flags> dist/index.js`), the test runs the esbuild bundle in plain
 * Node, built into a directory of its own (so it never races a build of `dist/`).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { NODE_FLAGS } from '../../scripts/build.ts';
import { type Emulator, startEmulator } from '../../src/emulator/index.ts';
import { root, withBundle } from '../helpers/bundle.ts';
import { postGraphQL } from '../helpers/gateway.ts';

const bundle = withBundle('start-test');
let child: ChildProcess | undefined;

afterEach(() => {
  child?.kill('SIGTERM');
  child = undefined;
});

/** `node <NODE_FLAGS> <bundle>`: what `npm start` runs after its build. */
const startArgs = (): string[] => bundle.args();

it('npm start builds, then runs the bundle with the same Node flags the bench uses', async () => {
  const pkg = JSON.parse(await readFile(join(root, 'package.json'), 'utf8')) as {
    scripts: Record<string, string>;
  };
  expect(pkg.scripts.prestart).toBe('tsx scripts/build.ts');
  // `exec`: npm runs the script through `sh -c` and passes SIGTERM on to that shell only.
  expect(pkg.scripts.start).toBe(`exec node ${NODE_FLAGS.join(' ')} dist/index.js`);
});

it('stops on the SIGTERM npm passes to the start script (a container stop, a deploy)', async () => {
  const pkg = JSON.parse(await readFile(join(root, 'package.json'), 'utf8')) as {
    scripts: Record<string, string>;
  };
  const script = (pkg.scripts.start as string).replace(
    'dist/index.js',
    join(bundle.outdir(), 'index.js'),
  );
  const proc = spawn('sh', ['-c', script], {
    env: { PATH: process.env.PATH ?? '', PORT: '0' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child = proc;
  const line = await new Promise<string>((resolve, reject) => {
    let output = '';
    const timer = setTimeout(() => reject(new Error(`no ready line in 15 s:\n${output}`)), 15_000);
    proc.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const ready = output.split('\n').find((l) => l.startsWith('deskgraph ready'));
      if (ready) {
        clearTimeout(timer);
        resolve(ready);
      }
    });
  });
  const url = /at (http:\/\/localhost:\d+\/graphql)/.exec(line)?.[1] as string;
  const exited = new Promise((resolve) => proc.on('exit', resolve));
  proc.kill('SIGTERM');
  await exited;
  // The shell is gone; so must the server be (not left running, orphaned).
  await expect(postGraphQL(url, '{ __typename }')).rejects.toThrow();
});

function start(env: Record<string, string>): Promise<{ line: string; output: () => string }> {
  const proc = spawn(process.execPath, startArgs(), {
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
    const proc = spawn(process.execPath, startArgs(), {
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

/** Runs the bundle until it exits; its code, stdout and stderr. */
function runToExit(
  env: Record<string, string>,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const proc = spawn(process.execPath, startArgs(), {
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child = proc;
  let stdout = '';
  let stderr = '';
  proc.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  proc.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`still running after 15 s:\n${stderr}`)),
      15_000,
    );
    proc.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

describe('an honest ready line', () => {
  let emulator: Emulator;
  beforeAll(async () => {
    emulator = await startEmulator({ port: 0, tickets: 5 });
  });
  afterAll(async () => {
    await emulator.close();
  });

  it('says Freshdesk answered and the key was accepted', async () => {
    const { line } = await start({
      FRESHDESK_BASE_URL: emulator.origin,
      FRESHDESK_API_KEY: emulator.apiKeys.admin,
    });
    expect(line).toBe(
      `deskgraph ready at ${/at (\S+)/.exec(line)?.[1]} (upstream: ${emulator.origin}, Freshdesk answered, key accepted)`,
    );
  });

  it('says the key was refused (401), never the key, and still serves', async () => {
    const key = 'wrong-key-0123456789abcdef';
    const { line, output } = await start({
      FRESHDESK_BASE_URL: emulator.origin,
      FRESHDESK_API_KEY: key,
    });
    expect(line).toMatch(
      /\(upstream: http:\/\/127\.0\.0\.1:\d+, Freshdesk answered, key refused \(401\)\)$/,
    );
    const url = /at (http:\/\/localhost:\d+\/graphql)/.exec(line)?.[1] as string;
    const result = await postGraphQL(url, '{ __typename }');
    expect(result.data).toEqual({ __typename: 'Query' });
    expect(output()).not.toContain(key);
  });

  it('says the upstream is not reachable, and why, and still serves', async () => {
    const closed = await closedPort();
    const { line } = await start({
      FRESHDESK_BASE_URL: `http://127.0.0.1:${closed}`,
      FRESHDESK_API_KEY: 'some-key-0123456789',
    });
    expect(line).toMatch(/, not reachable: .*ECONNREFUSED.*\)$/);
    const url = /at (http:\/\/localhost:\d+\/graphql)/.exec(line)?.[1] as string;
    expect((await postGraphQL(url, '{ __typename }')).status).toBe(200);
  });

  it('in passthrough mode without a service key, says there is no key to check', async () => {
    const { line } = await start({
      FRESHDESK_BASE_URL: emulator.origin,
      DESKGRAPH_AUTH: 'passthrough',
    });
    expect(line).toMatch(/, passthrough: no service key to check, each request brings its own\)$/);
  });
});

describe('a start that fails', () => {
  it('on a taken port prints one line naming the port, with no stack, and exits 1', async () => {
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    const { port } = taken.address() as AddressInfo;
    try {
      const { code, stdout, stderr } = await runToExit({
        PORT: String(port),
        FRESHDESK_BASE_URL: 'http://127.0.0.1:9',
        FRESHDESK_API_KEY: 'some-key-0123456789',
      });
      expect(code).toBe(1);
      expect(stdout).toBe('');
      expect(
        stderr
          .trim()
          .split('\n')
          .filter((l) => !l.startsWith('{')),
      ).toEqual([
        `deskgraph cannot start. port ${port} on 127.0.0.1 is already in use by another process (set PORT to a free port).`,
      ]);
      expect(stderr).not.toMatch(/\n\s+at /);
    } finally {
      taken.close();
    }
  });

  it('on a bad bind address prints one line naming HOST and exits 1', async () => {
    const { code, stdout, stderr } = await runToExit({
      PORT: '0',
      HOST: '256.1.1.1',
      FRESHDESK_BASE_URL: 'http://127.0.0.1:9',
      FRESHDESK_API_KEY: 'some-key-0123456789',
    });
    expect(code).toBe(1);
    expect(stdout).toBe('');
    const plain = stderr
      .trim()
      .split('\n')
      .filter((l) => !l.startsWith('{'));
    expect(plain).toHaveLength(1);
    expect(plain[0]).toMatch(
      /^deskgraph cannot start\. cannot listen on 256\.1\.1\.1:0: .*\(set HOST\)\.$/,
    );
  });
});

/** A loopback port nothing listens on (bound, then released). */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}
