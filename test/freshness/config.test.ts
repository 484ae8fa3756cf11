/** The freshness settings of `loadConfig` (contract section 2). */
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.ts';

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
      DESKGRAPH_RECONCILE_INTERVAL_MS: '50',
      DESKGRAPH_EVENT_LOG_MAX_EVENTS: '0',
      DESKGRAPH_EVENT_LOG_MAX_AGE_MS: 'an hour',
    });
    expect(problems).toHaveLength(3);
    expect(problems.join('\n')).toMatch(
      /DESKGRAPH_RECONCILE_INTERVAL_MS must be 0 \(off\) or at least 100/,
    );
    expect(problems.join('\n')).toMatch(/DESKGRAPH_EVENT_LOG_MAX_EVENTS/);
    expect(problems.join('\n')).toMatch(/DESKGRAPH_EVENT_LOG_MAX_AGE_MS/);
    expect(problemsOf({ DESKGRAPH_RECONCILE_INTERVAL_MS: '-1' })[0]).toMatch(
      /DESKGRAPH_RECONCILE_INTERVAL_MS/,
    );
  });
});
