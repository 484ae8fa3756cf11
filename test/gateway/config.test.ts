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

describe('freshness configuration', () => {
  it('defaults: sweep every minute, webhooks off, a log of 10,000 events for an hour', () => {
    expect(loadConfig({})).toMatchObject({
      webhookSecret: undefined,
      reconcileIntervalMs: 60_000,
      eventLogMaxEvents: 10_000,
      eventLogMaxAgeMs: 3_600_000,
    });
  });

  it('reads DESKGRAPH_WEBHOOK_SECRET, DESKGRAPH_RECONCILE_INTERVAL_MS (0 = off) and the log bounds', () => {
    expect(
      loadConfig({
        DESKGRAPH_WEBHOOK_SECRET: ' s3cret-value ',
        DESKGRAPH_RECONCILE_INTERVAL_MS: '0',
        DESKGRAPH_EVENT_LOG_MAX_EVENTS: '500',
        DESKGRAPH_EVENT_LOG_MAX_AGE_MS: '60000',
      }),
    ).toMatchObject({
      webhookSecret: 's3cret-value',
      reconcileIntervalMs: 0,
      eventLogMaxEvents: 500,
      eventLogMaxAgeMs: 60_000,
    });
  });

  it('refuses nonsense, naming every problem at once', () => {
    const problems = problemsOf({
      DESKGRAPH_RECONCILE_INTERVAL_MS: '1.5',
      DESKGRAPH_EVENT_LOG_MAX_EVENTS: '0',
      DESKGRAPH_EVENT_LOG_MAX_AGE_MS: 'an hour',
    });
    expect(problems).toHaveLength(3);
    expect(problems.join('\n')).toMatch(/DESKGRAPH_RECONCILE_INTERVAL_MS must be a whole number/);
    expect(problems.join('\n')).toMatch(/DESKGRAPH_EVENT_LOG_MAX_EVENTS/);
    expect(problems.join('\n')).toMatch(/DESKGRAPH_EVENT_LOG_MAX_AGE_MS/);
    expect(problemsOf({ DESKGRAPH_RECONCILE_INTERVAL_MS: '-1' })[0]).toMatch(
      /DESKGRAPH_RECONCILE_INTERVAL_MS/,
    );
  });
});

describe('Redis configuration', () => {
  it('defaults: no Redis; prefix deskgraph:, commands given up after 250 ms', () => {
    expect(loadConfig({})).toMatchObject({
      redisUrl: undefined,
      redisPrefix: 'deskgraph:',
      redisTimeoutMs: 250,
    });
  });

  it('reads REDIS_URL, DESKGRAPH_REDIS_PREFIX and DESKGRAPH_REDIS_TIMEOUT_MS', () => {
    expect(
      loadConfig({
        REDIS_URL: 'redis://10.0.0.7:6380/2',
        DESKGRAPH_REDIS_PREFIX: 'acme-prod:{dg}:',
        DESKGRAPH_REDIS_TIMEOUT_MS: '100',
      }),
    ).toMatchObject({
      redisUrl: 'redis://10.0.0.7:6380/2',
      redisPrefix: 'acme-prod:{dg}:',
      redisTimeoutMs: 100,
    });
  });

  it('refuses a URL that is not redis://, a prefix with spaces, a timeout out of range, all at once', () => {
    const problems = problemsOf({
      REDIS_URL: 'http://localhost:6379',
      DESKGRAPH_REDIS_PREFIX: 'my prefix',
      DESKGRAPH_REDIS_TIMEOUT_MS: '0',
    });
    expect(problems).toHaveLength(3);
    expect(problems[0]).toMatch(/REDIS_URL/);
    expect(problems[1]).toMatch(/DESKGRAPH_REDIS_PREFIX/);
    expect(problems[2]).toMatch(/DESKGRAPH_REDIS_TIMEOUT_MS/);
  });

  it('reads DESKGRAPH_REPLICAS (unset: learned from Redis), a whole number from 1', () => {
    expect(loadConfig({}).replicas).toBeUndefined();
    expect(loadConfig({ DESKGRAPH_REPLICAS: '3' }).replicas).toBe(3);
    expect(problemsOf({ DESKGRAPH_REPLICAS: '0' })[0]).toMatch(
      /DESKGRAPH_REPLICAS must be a whole number from 1/,
    );
  });
});
