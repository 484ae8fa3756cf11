/**
 * A small structured logger: one JSON object per line on stderr. Every line passes through
 * `redact`, which removes the secrets it was given (API keys, webhook secret) in every form they
 * could take in a line (raw, JSON-escaped, URL-encoded, and the Basic-auth `base64(key:X)`), and
 * fields named like credentials are blanked whatever their value. Logging never throws.
 */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent';

const RANK: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 };

export interface Logger {
  debug(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
  /** Adds a secret to redact from now on (e.g. a passthrough key seen on a request). */
  addSecret(secret: string | undefined): void;
}

export interface LoggerOptions {
  level?: LogLevel;
  secrets?: readonly (string | undefined)[];
  /** Where lines go. @default process.stderr */
  write?: (line: string) => void;
}

export const REDACTED = '[redacted]';

/** Secrets shorter than this are not redacted: they would blank ordinary words. API keys are ~20. */
const MIN_SECRET_LENGTH = 6;
/** Field names whose values are credentials, whatever they hold. */
const SECRET_FIELD =
  /^(authorization|proxy-authorization|x-freshdesk-api-key|api[-_]?key|apikey|password|secret|x-webhook-secret)$/i;
/**
 * Distinct secrets remembered (passthrough keys arrive per request); beyond this the oldest
 * learned one is forgotten, so memory and per-line cost stay bounded. Configured secrets stay.
 */
const MAX_SECRETS = 1_000;

/** Every form a secret can take inside a JSON log line. */
export function secretForms(secret: string): string[] {
  const forms = new Set<string>([secret]);
  forms.add(JSON.stringify(secret).slice(1, -1));
  forms.add(encodeURIComponent(secret));
  // Basic auth as the client sends it (`key:X`), and the bare key in base64.
  forms.add(Buffer.from(`${secret}:X`).toString('base64'));
  forms.add(Buffer.from(secret).toString('base64').replace(/=+$/, ''));
  return [...forms].filter((form) => form.length >= MIN_SECRET_LENGTH);
}

export function createLogger(options: LoggerOptions = {}): Logger {
  const threshold = RANK[options.level ?? 'info'];
  const fixed = new Set(options.secrets?.filter((s): s is string => typeof s === 'string'));
  const secrets = new Set<string>();
  // Longest first, so that a form containing another is removed whole.
  let ordered: string[] = [];
  const write = options.write ?? ((line: string) => process.stderr.write(line));
  const addSecret = (secret: string | undefined): void => {
    if (!secret || secret.length < MIN_SECRET_LENGTH || secrets.has(secret)) {
      return;
    }
    if (secrets.size >= MAX_SECRETS) {
      const oldest = [...secrets].find((known) => !fixed.has(known));
      if (oldest !== undefined) {
        secrets.delete(oldest);
      }
    }
    secrets.add(secret);
    ordered = [...new Set([...secrets].flatMap(secretForms))].sort((a, b) => b.length - a.length);
  };
  options.secrets?.forEach(addSecret);
  const redact = (text: string): string => {
    let out = text;
    for (const form of ordered) {
      if (out.includes(form)) {
        out = out.split(form).join(REDACTED);
      }
    }
    return out;
  };
  const log = (level: LogLevel, message: string, fields?: Record<string, unknown>): void => {
    if (RANK[level] < threshold) {
      return;
    }
    try {
      write(
        `${redact(serialize({ time: new Date().toISOString(), level, message, ...fields }))}\n`,
      );
    } catch {
      // A logger must not take the request down with it (e.g. a closed stderr).
    }
  };
  return {
    debug: (m, f) => log('debug', m, f),
    info: (m, f) => log('info', m, f),
    warn: (m, f) => log('warn', m, f),
    error: (m, f) => log('error', m, f),
    addSecret,
  };
}

/** JSON.stringify that survives cycles, BigInts and errors (with their code and cause chain). */
function serialize(record: Record<string, unknown>): string {
  const seen = new WeakSet<object>();
  const replacer = (key: string, value: unknown): unknown => {
    if (key !== '' && SECRET_FIELD.test(key) && value !== undefined && value !== null) {
      return REDACTED;
    }
    if (typeof value === 'bigint') {
      return value.toString();
    }
    if (typeof value === 'object' && value !== null) {
      if (seen.has(value)) {
        return '[circular]';
      }
      seen.add(value);
      if (value instanceof Error) {
        return errorRecord(value);
      }
    }
    return value;
  };
  try {
    return JSON.stringify(record, replacer);
  } catch (error) {
    return JSON.stringify({
      time: record.time,
      level: record.level,
      message: record.message,
      logError: error instanceof Error ? error.message : String(error),
    });
  }
}

function errorRecord(error: Error): Record<string, unknown> {
  const out: Record<string, unknown> = { name: error.name, message: error.message };
  const props = error as unknown as Record<string, unknown>;
  for (const key of ['code', 'kind', 'status', 'method', 'path'] as const) {
    const value = props[key];
    if (typeof value === 'string' || typeof value === 'number') {
      out[key] = value;
    }
  }
  out.stack = error.stack;
  if (error.cause !== undefined) {
    out.cause = error.cause;
  }
  return out;
}
