/**
 * Issue 10, break 4: stopping loses nothing. With real processes and signals: SIGTERM during a
 * slow `addNote` lets it finish, be acknowledged and stored once, then the gateway exits; `npm run
 * dev` and `deskgraph emulator` stop on SIGTERM even below a shell that does not pass it on (npm
 * and npx run them through `sh -c`). In-process: past the grace period what is left is cut, and no
 * upstream call starts for a client that has gone.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { request } from 'undici';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type Emulator, startEmulator } from '../../src/emulator/index.ts';
import { root, withBundle } from '../helpers/bundle.ts';
import { postGraphQL, startStack, UNTHROTTLED } from '../helpers/gateway.ts';

const ADD_NOTE =
  'mutation { addNote(ticketId: "1", input: { body: "written during a stop" }) { id body } }';
const bundle = withBundle('shutdown-test');
const children: ChildProcess[] = [];

afterEach(() => {
  for (const child of children.splice(0)) {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL');
    }
  }
});

/** Starts a command and resolves with the first stdout line matching `ready` and its URL. */
function run(
  command: string,
  args: string[],
  env: Record<string, string>,
  ready: RegExp,
): Promise<{ child: ChildProcess; url: string; output: () => string }> {
  const child = spawn(command, args, {
    cwd: root,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let output = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`not ready in 30 s:\n${output}`)), 30_000);
    const onData = (chunk: Buffer): void => {
      output += chunk.toString();
      const url = ready.exec(output)?.[1];
      if (url) {
        clearTimeout(timer);
        resolve({ child, url, output: () => output });
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`exited with ${code} before it was ready:\n${output}`));
    });
  });
}

const exited = (child: ChildProcess): Promise<number | null> =>
  child.exitCode !== null
    ? Promise.resolve(child.exitCode)
    : new Promise((resolve) => child.once('exit', (code) => resolve(code)));

/** True once `url` refuses connections, polling for up to `ms`. */
async function refusesWithin(url: string, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    try {
      const response = await request(url, { headersTimeout: 1_000, bodyTimeout: 1_000 });
      await response.body.text();
    } catch (error) {
      if ((error as { code?: string }).code === 'ECONNREFUSED') {
        return true;
      }
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return false;
}

describe('npm start (the built gateway) on SIGTERM', () => {
  let emulator: Emulator;
  beforeAll(async () => {
    emulator = await startEmulator({ port: 0, ...UNTHROTTLED.emulator });
  });
  afterAll(async () => {
    await emulator.close();
  });

  it('lets a slow addNote finish, acknowledges it, stores it once, then exits 0', async () => {
    const { child, url } = await run(
      process.execPath,
      bundle.args(),
      {
        PORT: '0',
        FRESHDESK_BASE_URL: emulator.origin,
        FRESHDESK_API_KEY: emulator.apiKeys.admin,
        FRESHDESK_PLAN: 'enterprise',
        DESKGRAPH_QUOTA_WINDOW_MS: '1000',
        LOG_LEVEL: 'warn',
      },
      /deskgraph ready at (http:\/\/localhost:\d+\/graphql)/,
    );
    emulator.resetStats();
    emulator.setFaults({ latencyMs: 2_000 });
    try {
      const note = postGraphQL<{ addNote: { id: string; body: string } }>(url, ADD_NOTE);
      // The call is on its way to Freshdesk (the emulator holds it for 2 s) when the signal comes.
      await new Promise((resolve) => setTimeout(resolve, 700));
      expect(emulator.stats().writes['POST /tickets/:id/notes'] ?? 0).toBe(0);
      child.kill('SIGTERM');
      const answer = await note;
      expect(answer.status).toBe(200);
      expect(answer.errors).toBeUndefined();
      expect(answer.data?.addNote.id).toMatch(/^\d+$/);
      expect(await exited(child)).toBe(0);
      expect(emulator.stats().writes['POST /tickets/:id/notes']).toBe(1);
      // Stopped: nothing listens any more.
      expect(await refusesWithin(url, 2_000)).toBe(true);
    } finally {
      emulator.setFaults({});
    }
  });
});

describe('long-running commands below a shell', () => {
  it('npm run dev (tsx watch) stops on the SIGTERM npm passes on', async () => {
    const { child, url } = await run(
      'npm',
      ['run', 'dev'],
      { PORT: '0', LOG_LEVEL: 'warn' },
      /deskgraph ready at (http:\/\/localhost:\d+\/graphql)/,
    );
    child.kill('SIGTERM');
    await exited(child);
    expect(await refusesWithin(url, 10_000)).toBe(true);
  });

  it('deskgraph emulator stops when the shell that started it goes away (npx)', async () => {
    // `; true`: the shell waits for node instead of becoming it, as npm exec's shell does.
    const { child, url } = await run(
      'sh',
      ['-c', `"${process.execPath}" bin/deskgraph.mjs emulator --port 0; true`],
      {},
      /listening at (http:\/\/127\.0\.0\.1:\d+)/,
    );
    child.kill('SIGKILL');
    expect(await refusesWithin(`${url}/_emulator/stats`, 10_000)).toBe(true);
  });

  it('deskgraph emulator stops on SIGTERM and says so', async () => {
    const { child, url, output } = await run(
      process.execPath,
      ['bin/deskgraph.mjs', 'emulator', '--port', '0'],
      {},
      /listening at (http:\/\/127\.0\.0\.1:\d+)/,
    );
    child.kill('SIGTERM');
    expect(await exited(child)).toBe(0);
    expect(output()).toContain('Freshdesk emulator stopped');
    expect(await refusesWithin(`${url}/_emulator/stats`, 2_000)).toBe(true);
  });
});

describe('in process', () => {
  it('cuts what is still under way after the grace period, and starts no upstream call for it', async () => {
    const stack = await startStack(UNTHROTTLED);
    try {
      stack.emulator.setFaults({ latencyMs: 1_000 });
      stack.emulator.resetStats();
      const slow = stack.gql('{ tickets(first: 20) { nodes { conversations { nodes { id } } } } }');
      const outcome = slow.then(
        () => 'answered',
        () => 'cut',
      );
      // The ticket page is on its way (the emulator holds it for a second).
      await new Promise((resolve) => setTimeout(resolve, 300));
      const started = Date.now();
      await stack.gateway.close({ graceMs: 200 });
      expect(Date.now() - started).toBeLessThan(5_000);
      expect(await outcome).toBe('cut');
      // The ticket page was under way; the 20 conversation calls after it never start.
      await new Promise((resolve) => setTimeout(resolve, 2_000));
      expect(stack.emulator.stats().calls['GET /tickets/:id/conversations'] ?? 0).toBe(0);
    } finally {
      await stack.emulator.close();
    }
  });

  it('starts no upstream call for a client that has gone', async () => {
    const stack = await startStack(UNTHROTTLED);
    try {
      stack.emulator.setFaults({ latencyMs: 1_000 });
      stack.emulator.resetStats();
      const controller = new AbortController();
      const gone = request(stack.gateway.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          query: '{ tickets(first: 20) { nodes { conversations { nodes { id } } } } }',
        }),
        signal: controller.signal,
      }).catch(() => undefined);
      // The ticket page is on its way (the emulator holds it for a second).
      await new Promise((resolve) => setTimeout(resolve, 300));
      controller.abort();
      await gone;
      await new Promise((resolve) => setTimeout(resolve, 2_000));
      expect(stack.emulator.stats().calls['GET /tickets/:id/conversations'] ?? 0).toBe(0);
    } finally {
      await stack.close();
    }
  });
});
