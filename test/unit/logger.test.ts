import { describe, expect, it } from 'vitest';
import { createLogger, REDACTED, secretForms } from '../../src/logger.ts';

const KEY = 'sEcReT-key_with"quote&amp';

function capture(level: 'debug' | 'info' = 'debug') {
  const lines: string[] = [];
  const logger = createLogger({ level, secrets: [KEY, undefined], write: (l) => lines.push(l) });
  return { logger, lines };
}

describe('logger', () => {
  it('writes one JSON object per line, at or above its level', () => {
    const { logger, lines } = capture('info');
    logger.debug('hidden');
    logger.info('shown', { a: 1 });
    expect(lines).toHaveLength(1);
    expect(lines[0]?.endsWith('\n')).toBe(true);
    expect(JSON.parse(lines[0] ?? '')).toMatchObject({ level: 'info', message: 'shown', a: 1 });
  });

  it('redacts the key in every form: raw, JSON-escaped, URL-encoded, Basic base64', () => {
    const { logger, lines } = capture();
    const basic = Buffer.from(`${KEY}:X`).toString('base64');
    logger.info(`raw ${KEY}`, {
      nested: { deep: [`x${KEY}y`] },
      url: `https://a.freshdesk.com/?k=${encodeURIComponent(KEY)}`,
      header: `Basic ${basic}`,
      error: new Error(`failed with ${KEY}`, { cause: new Error(basic) }),
    });
    const text = lines.join('');
    for (const form of secretForms(KEY)) {
      expect(text).not.toContain(form);
    }
    expect(text).not.toContain(KEY);
    expect(text).not.toContain(basic);
    expect(text).toContain(REDACTED);
  });

  it('blanks fields named like credentials whatever they hold', () => {
    const { logger, lines } = capture();
    logger.info('headers', { authorization: 'Basic Zm9vOlg=', 'x-freshdesk-api-key': 'other' });
    expect(JSON.parse(lines[0] ?? '')).toMatchObject({
      authorization: REDACTED,
      'x-freshdesk-api-key': REDACTED,
    });
  });

  it('redacts secrets learned later (passthrough keys), but not short ones', () => {
    const { logger, lines } = capture();
    logger.addSecret('passthrough-key-42');
    logger.addSecret('abc');
    logger.info('key passthrough-key-42 and abc');
    expect(lines[0]).toContain(`key ${REDACTED} and abc`);
  });

  it('serializes errors with code and cause, survives cycles and BigInt, never throws', () => {
    const { logger, lines } = capture();
    const error = Object.assign(new Error('boom', { cause: new Error('root') }), { code: 'E_X' });
    const cyclic: Record<string, unknown> = { n: 10n };
    cyclic.self = cyclic;
    const selfCaused = new Error('loop');
    (selfCaused as Error & { cause: unknown }).cause = selfCaused;
    logger.error('failed', { error, cyclic, selfCaused });
    const record = JSON.parse(lines[0] ?? '');
    expect(record.error).toMatchObject({ name: 'Error', message: 'boom', code: 'E_X' });
    expect(record.error.cause).toMatchObject({ message: 'root' });
    expect(record.cyclic).toEqual({ n: '10', self: '[circular]' });
    expect(record.selfCaused.cause).toBe('[circular]');
  });

  it('swallows a failing sink', () => {
    const logger = createLogger({
      write: () => {
        throw new Error('EPIPE');
      },
    });
    expect(() => logger.error('x')).not.toThrow();
  });
});

describe('logger secrets in passthrough mode (issue 10, break 6)', () => {
  it('adds a new key at the same cost however many are known: its own forms only, no re-sort of all', () => {
    const computed: string[] = [];
    const lines: string[] = [];
    const logger = createLogger({
      secrets: ['configured-service-key'],
      write: (l) => lines.push(l),
      formsOf: (secret) => {
        computed.push(secret);
        return secretForms(secret);
      },
    });
    const keys = Array.from(
      { length: 1_001 },
      (_, i) => `passthrough-key-${String(i).padStart(4, '0')}`,
    );
    for (const key of keys) {
      logger.addSecret(key);
      logger.addSecret(key); // every request adds its key; a known one costs nothing
    }
    // Once per secret: on today's code every new key re-derived the forms of all known ones.
    expect(computed).toHaveLength(1 + keys.length);
    // Bounded at 1,000 learned keys: the oldest is forgotten, the configured one never.
    logger.info(`${keys[0]} ${keys[1]} ${keys[1_000]} configured-service-key`);
    expect(lines[0]).toContain(keys[0]);
    expect(lines[0]).not.toContain(keys[1]);
    expect(lines[0]).not.toContain(keys[1_000]);
    expect(lines[0]).not.toContain('configured-service-key');
  });

  it('still removes a longer form whole when a shorter secret is inside it', () => {
    const lines: string[] = [];
    const logger = createLogger({ write: (l) => lines.push(l) });
    logger.addSecret('abcdef');
    logger.addSecret('abcdefghijkl');
    logger.info('x abcdefghijkl y abcdef z');
    expect(lines[0]).toContain(`x ${REDACTED} y ${REDACTED} z`);
  });
});
