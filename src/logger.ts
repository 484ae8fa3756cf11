/**
 * A small structured logger: one JSON object per line on stderr. Every string it writes passes
 * through `redact`, which removes the secrets it was given (API keys, webhook secret), so a secret
 * cannot reach a log line even by accident.
 */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent';

const RANK: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 };

export interface Logger {
  debug(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
  /** Adds a secret to redact from now on (e.g. a passthrough key seen on a request). */
  addSecret(secret: string): void;
}

export interface LoggerOptions {
  level?: LogLevel;
  secrets?: readonly (string | undefined)[];
  /** Where lines go. @default process.stderr */
  write?: (line: string) => void;
}

export function createLogger(options: LoggerOptions = {}): Logger {
  const threshold = RANK[options.level ?? 'info'];
  const secrets = new Set<string>();
  const write = options.write ?? ((line: string) => process.stderr.write(line));
  const addSecret = (secret: string | undefined): void => {
    // Very short strings would redact ordinary words; API keys are long.
    if (secret && secret.length >= 6) {
      secrets.add(secret);
      secrets.add(Buffer.from(`${secret}:X`).toString('base64'));
    }
  };
  options.secrets?.forEach(addSecret);
  const redact = (text: string): string => {
    let out = text;
    for (const secret of secrets) {
      out = out.split(secret).join('[redacted]');
    }
    return out;
  };
  const log = (level: LogLevel, message: string, fields?: Record<string, unknown>): void => {
    if (RANK[level] < threshold) {
      return;
    }
    const line = JSON.stringify(
      { time: new Date().toISOString(), level, message, ...fields },
      errorReplacer,
    );
    write(`${redact(line)}\n`);
  };
  return {
    debug: (m, f) => log('debug', m, f),
    info: (m, f) => log('info', m, f),
    warn: (m, f) => log('warn', m, f),
    error: (m, f) => log('error', m, f),
    addSecret,
  };
}

function errorReplacer(_key: string, value: unknown): unknown {
  if (value instanceof Error) {
    return { name: value.name, message: value.message, stack: value.stack };
  }
  return value;
}
