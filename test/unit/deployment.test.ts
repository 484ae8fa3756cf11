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
    expect(compose().services.gateway?.healthcheck?.test.join(' ')).toContain(
      `127.0.0.1:${port}/health`,
    );
    // The load balancer sends to the replicas' port.
    expect(read('deploy/nginx.conf')).toMatch(new RegExp(`server gateway:${port}\\b`));
  });

  it('mounts files that exist, builds an image that runs the bundle with the flags npm start uses', () => {
    const { services } = compose();
    const volume = services.lb?.volumes?.[0] ?? '';
    const [from] = volume.split(':');
    expect(() => read((from ?? '').replace(/^\.\//, ''))).not.toThrow();
    const build = services.gateway?.build;
    expect(build?.context).toBe('.');
    const dockerfile = read(build?.dockerfile ?? '');
    const cmd = JSON.parse(/^CMD (.*)$/m.exec(dockerfile)?.[1] ?? '[]') as string[];
    expect(cmd[0]).toBe('node');
    expect(cmd).toEqual(expect.arrayContaining([...NODE_FLAGS, 'dist/index.js']));
    expect(dockerfile).toMatch(/RUN npm run build/);
    // The build context leaves the host's node_modules out.
    expect(read(`${build?.dockerfile}.dockerignore`)).toMatch(/^node_modules$/m);
  });
});
