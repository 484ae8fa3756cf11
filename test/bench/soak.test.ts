/**
 * `npm run soak` kept from rotting: its module runs for a few seconds against the gateway as
 * `npm start` runs it (the bundle in its own process) with emulator faults on, and its report holds
 * what the committed one shows. The audit is checked against the emulator's own write counters, and
 * its rules on writes lost, duplicated or ambiguous against made-up outcomes.
 */
import { describe, expect, it } from 'vitest';
import { renderSoakMarkdown } from '../../bench/lib/soak-report.ts';
import type { WriteOutcome } from '../../bench/lib/soak-types.ts';
import { auditWrites, rssGrowth, runSoak, SOAK_FAULTS } from '../../bench/soak.ts';
import { withBundle } from '../helpers/bundle.ts';

const bundle = withBundle('soak');

const ROUTE = {
  createTicket: 'POST /tickets',
  updateTicket: 'PUT /tickets/:id',
  addNote: 'POST /tickets/:id/notes',
} as const;

describe('npm run soak', () => {
  it('drives mixed reads and writes through faults and audits every write', async () => {
    // No hangs here (each costs the gateway's 10 s upstream timeout) and no 429 on updates (after
    // one the gateway holds updates back, for up to the 30 s deadline); the writes' faults more
    // often, so a few seconds meet them: made first, then failed. (The client's retries of
    // retryable write errors are audited below, on made-up outcomes.)
    const faults = {
      ...SOAK_FAULTS,
      hangRate: 0,
      errors: {
        ...SOAK_FAULTS.errors,
        'POST /tickets': { rate: 0.15, status: 500 as const, body: 'json' as const },
        'POST /tickets/:id/notes': { rate: 0.15, status: 503 as const },
        'PUT /tickets/:id': { rate: 0.1, status: 502 as const },
      },
    };
    const report = await runSoak({
      durationMs: 8_000,
      rate: 10,
      sampleMs: 400,
      bundleDir: bundle.outdir(),
      faults,
      log: () => {},
    });

    expect(report.requests.sent).toBeGreaterThanOrEqual(80);
    expect(Object.keys(report.requests.byKind).sort()).toEqual(
      [
        'addNote',
        'conversations',
        'createTicket',
        'list',
        'search',
        'ticket',
        'updateTicket',
      ].sort(),
    );
    expect(report.rss.samples.length).toBeGreaterThanOrEqual(15);
    expect(report.rss.samples.every((s) => s.rssMb > 20 && s.rssMb < 1024)).toBe(true);
    expect(Number.isFinite(report.rss.growthPct)).toBe(true);
    expect(report.requests.latencyMs.p50).toBeGreaterThan(0);
    // Faults reached the gateway and came back as coded errors; every error has a code.
    expect(report.upstream.faults.error).toBeGreaterThan(0);
    expect(report.requests.errorsByCode.NO_CODE).toBeUndefined();
    expect(report.requests.withErrors).toBe(
      report.requests.sent - report.requests.answeredWithoutErrors,
    );
    // Each kind's errors by code add up to the errors by code overall.
    const byCode: Record<string, number> = {};
    for (const counts of Object.values(report.requests.byKind)) {
      for (const [code, n] of Object.entries(counts.codes)) {
        byCode[code] = (byCode[code] ?? 0) + n;
      }
    }
    expect(byCode).toEqual(report.requests.errorsByCode);

    // The audit: nothing lost or duplicated, and it agrees with the emulator's own count of the
    // writes it made (faulted ones made first included).
    expect(report.writes.problems).toEqual([]);
    expect(report.writes.pass).toBe(true);
    let ambiguous = 0;
    for (const [kind, route] of Object.entries(ROUTE) as [keyof typeof ROUTE, string][]) {
      const row = report.writes.audit[kind];
      expect(row.writes).toBe(8);
      expect(row.succeeded).toBe(row.exactlyOnce);
      const made = Object.values(row.ambiguous).reduce((sum, a) => sum + a.made, 0);
      ambiguous += Object.values(row.ambiguous).reduce((sum, a) => sum + a.made + a.notMade, 0);
      expect(report.upstream.writes[route] ?? 0, kind).toBe(row.exactlyOnce + made);
    }
    expect(ambiguous).toBeGreaterThan(0);
    expect(report.gatewayExit).toBe(0);

    const markdown = renderSoakMarkdown(report);
    expect(markdown).toMatch(/\| RSS growth after warm-up under 10% \|/);
    expect(markdown).toMatch(/\| every write the client saw succeed exists exactly once/);
    expect(markdown).toContain('## Write audit');
  }, 40_000);
});

describe('the soak audit', () => {
  const write = (marker: string, result: WriteOutcome['result'], attempts = 1): WriteOutcome => ({
    kind: 'addNote',
    marker,
    attempts,
    result,
    codes: result === 'ok' ? [] : ['SERVICE_UNAVAILABLE'],
  });

  it('fails a write seen to succeed that is missing or there twice; an ambiguous one may be either', () => {
    const { audit, problems } = auditWrites(
      [
        write('m1', 'ok'),
        write('m2', 'ok', 3),
        write('m3', 'ok'),
        write('m4', 'ambiguous'),
        write('m5', 'ambiguous'),
        write('m6', 'refused', 5),
      ],
      new Map([
        ['m1', 1],
        ['m2', 2],
        ['m4', 1],
      ]),
    );
    expect(audit.addNote).toEqual({
      writes: 6,
      succeeded: 3,
      retried: 2,
      exactlyOnce: 1,
      lost: 1,
      duplicated: 1,
      refused: 1,
      ambiguous: { SERVICE_UNAVAILABLE: { made: 1, notMade: 1 } },
    });
    expect(problems).toEqual([
      'm2 (addNote) succeeded and is there 2 times',
      'm3 (addNote) succeeded but is missing',
    ]);
  });

  it('counts a write refused as retryable, yet made, as a duplicate', () => {
    const { audit } = auditWrites([write('m1', 'refused', 5)], new Map([['m1', 1]]));
    expect(audit.addNote.duplicated).toBe(1);
  });

  it('passes RSS growth under 10% between the window after warm-up and the last', () => {
    const samples = (values: number[]) =>
      values.map((rssMb, i) => ({ tSeconds: i * 10, rssMb, load1m: 0 }));
    // 100 s: warm-up 20 s, windows of 10 s: [20, 30] and [90, 100].
    const flat = rssGrowth(samples([50, 80, 100, 100, 101, 99, 102, 100, 104, 108, 108]), 100, 10);
    expect(flat.afterWarmupMb).toBe(100);
    expect(flat.lastMb).toBe(108);
    expect(flat.pass).toBe(true);
    const leak = rssGrowth(samples([50, 80, 100, 100, 104, 108, 112, 116, 120, 124, 128]), 100, 10);
    expect(leak.growthPct).toBeCloseTo(24, 0);
    expect(leak.pass).toBe(false);
  });
});
