/**
 * The deployment files, checked statically (Docker does not run here): docker-compose.yml parses,
 * its gateway replicas get a configuration the gateway accepts (every variable one it reads, Redis
 * the compose file's own), the load balancer's config and the image's files exist and agree with
 * the compose file, and the image runs the gateway with the flags `npm start` uses.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { NODE_FLAGS } from '../../scripts/build.ts';
import { loadConfig } from '../../src/config.ts';

const root = fileURLToPath(new URL('../../', import.meta.url));
const read = (path: string): string => readFileSync(`${root}${path}`, 'utf8');

/** Compose's interpolation: `${X:-default}`, `${X:?message}` (required) and `${X}` from `env`. */
function interpolate(text: string, env: Record<string, string>): string {
  return text.replace(
    /\$\{([A-Z_][A-Z0-9_]*)(?::?([-?])([^}]*))?\}/g,
    (_, name: string, kind?: string, rest?: string) => {
      const value = env[name];
      if (value !== undefined && value !== '') {
        return value;
      }
      if (kind === '?') {
        throw new Error(`${name} is required: ${rest}`);
      }
      return kind === '-' ? (rest ?? '') : '';
    },
  );
}

interface Compose {
  name: string;
  services: Record<
    string,
    {
      image?: string;
      build?: { context: string; dockerfile: string };
      environment?: Record<string, string>;
      deploy?: { replicas?: number | string };
      ports?: string[];
      volumes?: string[];
      depends_on?: Record<string, { condition: string }>;
      healthcheck?: { test: string[] };
    }
  >;
}

const USER_ENV = { FRESHDESK_DOMAIN: 'acme', FRESHDESK_API_KEY: 'key-from-the-secret-store' };
const compose = (env: Record<string, string> = USER_ENV): Compose =>
  parse(interpolate(read('docker-compose.yml'), env)) as Compose;

describe('docker-compose.yml', () => {
  it('runs N gateway replicas (3 by default) on one Redis behind a load balancer', () => {
    const { services } = compose();
    expect(Object.keys(services).sort()).toEqual(['gateway', 'lb', 'redis']);
    expect(Number(services.gateway?.deploy?.replicas)).toBe(3);
    expect(
      Number(compose({ ...USER_ENV, DESKGRAPH_REPLICAS: '5' }).services.gateway?.deploy?.replicas),
    ).toBe(5);
    expect(services.gateway?.depends_on?.redis?.condition).toBe('service_healthy');
    expect(services.lb?.depends_on?.gateway?.condition).toBe('service_healthy');
    expect(services.redis?.image).toMatch(/^redis:7/);
  });

  it('refuses to start without the Freshdesk domain and key', () => {
    expect(() => compose({})).toThrow(/FRESHDESK_DOMAIN is required/);
    expect(() => compose({ FRESHDESK_DOMAIN: 'acme' })).toThrow(/FRESHDESK_API_KEY is required/);
  });

  it("gives each replica a configuration the gateway accepts: only variables it reads, the compose file's Redis", () => {
    // Compose passes every value as a string.
    const environment = Object.fromEntries(
      Object.entries(compose().services.gateway?.environment ?? {}).map(([k, v]) => [k, String(v)]),
    );
    const source = read('src/config.ts');
    for (const name of Object.keys(environment)) {
      expect(source, `${name} is not read by src/config.ts`).toContain(`'${name}'`);
    }
    const config = loadConfig(environment);
    expect(config.redisUrl).toBe('redis://redis:6379');
    expect(config.replicas).toBe(3);
    expect(config.host).toBe('0.0.0.0');
    expect(config.upstream).toMatchObject({ origin: 'https://acme.freshdesk.com' });
    const port = String(config.port);
    // The image's own health check (compose waits for it) asks the port the replica listens on.
    expect(compose().services.gateway?.healthcheck).toBeUndefined();
    expect(read('Dockerfile')).toMatch(/^ENV .*\bPORT=(\d+)/m);
    expect(/^ENV .*\bPORT=(\d+)/m.exec(read('Dockerfile'))?.[1]).toBe(port);
    // The load balancer sends to the replicas' port.
    expect(read('deploy/nginx.conf')).toMatch(new RegExp(`server gateway:${port}\\b`));
  });

  it('mounts files that exist, builds an image that runs the bundle with the flags npm start uses', () => {
    const { services } = compose();
    const volume = services.lb?.volumes?.[0] ?? '';
    const [from] = volume.split(':');
    expect(() => read((from ?? '').replace(/^\.\//, ''))).not.toThrow();
    const build = services.gateway?.build;
    // The project's Dockerfile, at the root (compose's default).
    expect(build).toEqual({ context: '.' });
    const dockerfile = read('Dockerfile');
    const cmd = JSON.parse(/^CMD (.*)$/m.exec(dockerfile)?.[1] ?? '[]') as string[];
    expect(cmd).toEqual(['node', ...NODE_FLAGS, 'dist/index.js']);
    expect(dockerfile).toMatch(/RUN npm run build/);
    // The build context leaves the host's node_modules out.
    expect(read('.dockerignore')).toMatch(/^node_modules$/m);
  });
});

/** The Dockerfile's instructions, continuation lines joined, comments dropped. */
function instructions(text: string): { op: string; args: string; stage: number }[] {
  const joined = text.replace(/\\\n\s*/g, ' ');
  let stage = -1;
  return joined
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((line) => {
      const [op = '', ...rest] = line.split(/\s+/);
      if (op.toUpperCase() === 'FROM') {
        stage += 1;
      }
      return { op: op.toUpperCase(), args: rest.join(' '), stage };
    });
}

describe('Dockerfile', () => {
  const all = instructions(read('Dockerfile'));
  const stages = Math.max(...all.map((i) => i.stage)) + 1;
  const runtime = all.filter((i) => i.stage === stages - 1);
  const args = (op: string, list = runtime) => list.filter((i) => i.op === op).map((i) => i.args);

  it('builds in one stage, runs in another with the production dependencies only', () => {
    expect(stages).toBeGreaterThanOrEqual(2);
    const froms = args('FROM', all);
    // A pinned slim Node image (no `latest`), the same for every stage (native modules copied
    // from one stage to another match the runtime's libc).
    const image = /^ARG NODE_IMAGE=(\S+)$/m.exec(read('Dockerfile'))?.[1] ?? '';
    expect(image).toMatch(/^node:20\.\d+-\w+-slim$/);
    expect(froms.every((from) => /^\$\{NODE_IMAGE\}/.test(from))).toBe(true);
    // npm ci from the lockfile everywhere; the runtime's node_modules come from the
    // production-only install.
    const runs = args('RUN', all);
    expect(runs.filter((r) => /\bnpm (install|i)\b/.test(r))).toEqual([]);
    expect(froms.some((from) => / AS deps$/.test(from))).toBe(true);
    expect(runs.some((r) => /npm ci --omit=dev/.test(r))).toBe(true);
    expect(args('COPY')).toContain('--from=deps /app/node_modules ./node_modules');
    expect(args('COPY').some((c) => /--from=build \/app\/dist \.\/dist/.test(c))).toBe(true);
    expect(args('ADD', all)).toEqual([]);
  });

  it('runs as the unprivileged node user, on port 4000, with a health check that needs no curl', () => {
    expect(args('USER')).toEqual(['node']);
    // Nothing after USER runs as root again.
    const user = runtime.findIndex((i) => i.op === 'USER');
    expect(runtime.slice(user).filter((i) => i.op === 'RUN')).toEqual([]);
    expect(args('EXPOSE')).toEqual(['4000']);
    const health = args('HEALTHCHECK');
    expect(health).toHaveLength(1);
    const exec = JSON.parse(/CMD (\[.*\])$/.exec(health[0] ?? '')?.[1] ?? '[]') as string[];
    expect(exec.slice(0, 2)).toEqual(['node', '-e']);
    expect(exec[2]).toMatch(
      /fetch\(`http:\/\/127\.0\.0\.1:\$\{process\.env\.PORT \|\| 4000\}\/health`\)/,
    );
    expect(args('ENV').join(' ')).toMatch(/\bNODE_ENV=production\b/);
    expect(args('ENV').join(' ')).toMatch(/\bHOST=0\.0\.0\.0\b/);
  });

  it('runs the health check script: exit 0 while /health answers, 1 when nothing listens', async () => {
    const { createServer } = await import('node:http');
    const { execFile } = await import('node:child_process');
    const exec = JSON.parse(
      /CMD (\[.*\])$/.exec(args('HEALTHCHECK')[0] ?? '')?.[1] ?? '[]',
    ) as string[];
    const server = createServer((req, res) => {
      res.writeHead(req.url === '/health' ? 200 : 404).end('{"status":"ok"}');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as { port: number }).port;
    const run = (env: Record<string, string>) =>
      new Promise<number>((resolve) => {
        execFile(process.execPath, exec.slice(1), { env: { ...env } }, (error) =>
          resolve(error ? Number((error as { code?: number }).code ?? 1) : 0),
        );
      });
    expect(await run({ PORT: String(port) })).toBe(0);
    await new Promise<void>((resolve) => server.close(() => resolve()));
    expect(await run({ PORT: String(port) })).toBe(1);
  });
});
