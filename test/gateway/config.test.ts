import { describe, expect, it } from 'vitest';
import { ConfigError, isLoopbackHost, loadConfig } from '../../src/config.ts';

const problemsOf = (env: Record<string, string>): readonly string[] => {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) {
      return error.problems;
    }
    throw error;
  }
  return [];
};

describe('loadConfig', () => {
  it('defaults to the embedded emulator on 127.0.0.1:4000 with service auth', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      port: 4000,
      host: '127.0.0.1',
      upstream: { kind: 'embedded' },
      auth: 'service',
      plan: undefined,
      webhookSecret: undefined,
    });
  });

  it('turns a subdomain or full freshdesk.com domain into an https origin', () => {
    for (const domain of ['acme', 'acme.freshdesk.com', 'https://acme.freshdesk.com/']) {
      const config = loadConfig({ FRESHDESK_DOMAIN: domain, FRESHDESK_API_KEY: 'k'.repeat(20) });
      expect(config.upstream).toEqual({ kind: 'remote', origin: 'https://acme.freshdesk.com' });
    }
  });

  it('refuses vanity domains, saying why', () => {
    const problems = problemsOf({
      FRESHDESK_DOMAIN: 'support.acme.com',
      FRESHDESK_API_KEY: 'x'.repeat(20),
    });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/vanity domains/);
  });

  it('lets FRESHDESK_BASE_URL win, allowing plain http only on loopback', () => {
    const config = loadConfig({
      FRESHDESK_BASE_URL: 'http://127.0.0.1:8085',
      FRESHDESK_DOMAIN: 'acme',
      FRESHDESK_API_KEY: 'abcdefgh',
    });
    expect(config.upstream).toEqual({ kind: 'remote', origin: 'http://127.0.0.1:8085' });
    expect(
      problemsOf({ FRESHDESK_BASE_URL: 'http://10.0.0.5:8085', FRESHDESK_API_KEY: 'abcdefgh' })[0],
    ).toMatch(/plain http only for loopback/);
    expect(isLoopbackHost('localhost')).toBe(true);
    expect(isLoopbackHost('127.9.9.9')).toBe(true);
    expect(isLoopbackHost('[::1]')).toBe(true);
    expect(isLoopbackHost('127.example.com')).toBe(false);
  });

  it('lists every problem at once', () => {
    const problems = problemsOf({
      PORT: 'eighty',
      FRESHDESK_DOMAIN: 'help.example.org',
      FRESHDESK_PLAN: 'platinum',
      DESKGRAPH_AUTH: 'oauth',
      REDIS_URL: 'localhost:6379',
      DESKGRAPH_UPSTREAM_CONNECTIONS: '0',
      DESKGRAPH_OPERATION_CONCURRENCY: 'wide',
    });
    expect(problems).toHaveLength(7);
    expect(problems.join('\n')).toMatch(/DESKGRAPH_UPSTREAM_CONNECTIONS/);
    expect(problems.join('\n')).toMatch(/DESKGRAPH_OPERATION_CONCURRENCY/);
    expect(problems.join('\n')).toMatch(/PORT/);
    expect(problems.join('\n')).toMatch(
      /FRESHDESK_PLAN: it must be one of trial, growth, pro, enterprise/,
    );
    expect(problems.join('\n')).toMatch(/DESKGRAPH_AUTH/);
    expect(problems.join('\n')).toMatch(/REDIS_URL/);
  });

  it('needs a service key when Freshdesk is configured in service mode, not in passthrough', () => {
    expect(problemsOf({ FRESHDESK_DOMAIN: 'acme' })[0]).toMatch(/FRESHDESK_API_KEY is required/);
    expect(problemsOf({ FRESHDESK_DOMAIN: 'acme', DESKGRAPH_AUTH: 'passthrough' })).toEqual([]);
  });

  it('never echoes the API key in a problem', () => {
    const problems = problemsOf({ FRESHDESK_API_KEY: 'sekrit-key-123', PORT: '-1' });
    expect(problems.join('\n')).not.toContain('sekrit-key-123');
  });
});
