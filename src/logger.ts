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
  /** The forms a secret is redacted in (tests count the calls). @default secretForms */
  formsOf?: (secret: string) => string[];
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
  const write = options.write ?? ((line: string) => process.stderr.write(line));
  const redactor = new Redactor(options.formsOf ?? secretForms);
  for (const secret of options.secrets ?? []) {
    redactor.add(secret, true);
  }
  const addSecret = (secret: string | undefined): void => redactor.add(secret, false);
  const redact = (text: string): string => redactor.redact(text);
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

/**
 * The secrets to remove from lines and all their forms. Adding one costs the same whatever the
 * number already known (its forms are computed once and inserted in order; the oldest learned
 * secret is dropped past `MAX_SECRETS`): in passthrough mode every new key is added on its first
 * request, and re-deriving every known key's forms and re-sorting them all (up to 5,000) on each
 * was 4× the CPU of a request.
 */
class Redactor {
  /** Learned (not configured) secrets, oldest first, with their forms. */
  readonly #learned = new Map<string, string[]>();
  readonly #fixed = new Map<string, string[]>();
  /** How many secrets share each form. */
  readonly #uses = new Map<string, number>();
  /** Every form, longest first, so that a form containing another is removed whole. */
  readonly #ordered: string[] = [];
  readonly #formsOf: (secret: string) => string[];

  constructor(formsOf: (secret: string) => string[]) {
    this.#formsOf = formsOf;
  }

  add(secret: string | undefined, fixed: boolean): void {
    if (
      !secret ||
      secret.length < MIN_SECRET_LENGTH ||
      this.#learned.has(secret) ||
      this.#fixed.has(secret)
    ) {
      return;
    }
    if (!fixed && this.#learned.size >= MAX_SECRETS) {
      const oldest = this.#learned.keys().next().value as string;
      for (const form of this.#learned.get(oldest) ?? []) {
        this.#release(form);
      }
      this.#learned.delete(oldest);
    }
    const forms = this.#formsOf(secret);
    (fixed ? this.#fixed : this.#learned).set(secret, forms);
    for (const form of forms) {
      this.#hold(form);
    }
  }

  redact(text: string): string {
    let out = text;
    for (const form of this.#ordered) {
      if (out.includes(form)) {
        out = out.split(form).join(REDACTED);
      }
    }
    return out;
  }

  #hold(form: string): void {
    const uses = this.#uses.get(form) ?? 0;
    this.#uses.set(form, uses + 1);
    if (uses === 0) {
      // Binary search for the first form shorter than this one.
      let low = 0;
      let high = this.#ordered.length;
      while (low < high) {
        const mid = (low + high) >>> 1;
        if ((this.#ordered[mid] as string).length >= form.length) {
          low = mid + 1;
        } else {
          high = mid;
        }
      }
      this.#ordered.splice(low, 0, form);
    }
  }

  #release(form: string): void {
    const uses = (this.#uses.get(form) ?? 1) - 1;
    if (uses > 0) {
      this.#uses.set(form, uses);
      return;
    }
    this.#uses.delete(form);
    const at = this.#ordered.indexOf(form);
    if (at >= 0) {
      this.#ordered.splice(at, 1);
    }
  }
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
