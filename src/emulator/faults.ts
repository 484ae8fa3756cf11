/**
 * Optional fault injection: latency, any of Freshdesk's error answers (the app's 4xx and 500 with
 * its real bodies and headers, a 429, the edge's 502/503/504), connection resets, truncated JSON
 * and requests that never answer. Every draw comes from a seeded PRNG, so a run is repeatable.
 */
import {
  type ApiError,
  type FieldError,
  methodNotAllowed,
  notFound,
  requestError,
  validationError,
} from './http.ts';
import { mulberry32 } from './random.ts';

/**
 * Statuses a fault may answer: the app's 4xx (400, 401, 403, 404, 405, 406, 409, 415) and 500,
 * the rate limiter's 429, or the edge's 502/503/504.
 */
export type FaultStatus =
  | 400
  | 401
  | 403
  | 404
  | 405
  | 406
  | 409
  | 415
  | 429
  | 500
  | 502
  | 503
  | 504;

export interface FaultRule {
  /** Probability in [0, 1]. */
  rate: number;
  status: FaultStatus;
  /**
   * Only for 500/502/503/504. 500 answers Freshdesk's JSON body. 502/503/504 come from the edge:
   * an HTML page or nothing (picked at random when unset). The 4xx and 429 always carry Freshdesk's
   * own body for that status (404: empty).
   */
  body?: 'json' | 'html' | 'empty';
  /** `Retry-After` on 429 and 503. @default 1 */
  retryAfterSeconds?: number;
  /**
   * The validation errors of a 400 or 409. @default one `email` error: `invalid_value` ("It should
   * be a valid email address") on 400, `duplicate_value` ("It should be a unique value") on 409
   */
  fieldErrors?: FieldError[];
  /**
   * The methods a 405 allows (its `Allow` header and message). @default `['GET']`, or `['POST']`
   * when the faulted request is itself a GET
   */
  allow?: string[];
}

export interface FaultOptions {
  /** PRNG seed. @default 1 */
  seed?: number;
  /** Added before every answer: fixed, or uniform in `[min, max]`. */
  latencyMs?: number | { min: number; max: number };
  /** Keyed by route pattern (`'GET /tickets/:id'`) or `'*'` for every route without its own rule. */
  errors?: Record<string, FaultRule>;
  /** Destroy the socket without answering. */
  resetRate?: number;
  /** A 200 with a truncated JSON body (the handler still runs). */
  malformedRate?: number;
  /** Never answer (for client timeout tests). */
  hangRate?: number;
  /**
   * When a fault hits a POST/PUT, perform the write first, then fail: the duplicate-write hazard.
   * Not for an injected 429: Freshdesk's rate limiter refuses before any work is done.
   */
  writesBeforeFault?: boolean;
}

/** What happens to one request instead of (or on top of) its normal answer. */
export type Fault =
  | { kind: 'none' }
  | { kind: 'hang' }
  | { kind: 'reset' }
  | { kind: 'malformed' }
  | {
      kind: 'error';
      status: FaultStatus;
      body: 'json' | 'html' | 'empty';
      retryAfterSeconds: number;
      /** Set on 400 and 409. */
      fieldErrors?: FieldError[];
      /** Set on 405. */
      allow?: string[];
    };

/** The dice for one request: a delay, then maybe a fault. */
export interface FaultDecision {
  latencyMs: number;
  fault: Fault;
}

const STATUSES: readonly number[] = [
  400, 401, 403, 404, 405, 406, 409, 415, 429, 500, 502, 503, 504,
];
/** Statuses whose `body` is chosen by the rule; the others carry Freshdesk's body for them. */
const BODY_STATUSES: readonly number[] = [500, 502, 503, 504];
const RULE_KEYS = ['rate', 'status', 'body', 'retryAfterSeconds', 'fieldErrors', 'allow'];
const FIELD_ERROR_KEYS = ['field', 'nested_field', 'additional_info', 'message', 'code'];
const METHODS = ['GET', 'POST', 'PUT', 'DELETE'];

const DEFAULT_FIELD_ERRORS: Partial<Record<number, FieldError[]>> = {
  400: [{ field: 'email', message: 'It should be a valid email address', code: 'invalid_value' }],
  409: [{ field: 'email', message: 'It should be a unique value', code: 'duplicate_value' }],
};

function checkRate(name: string, value: unknown): void {
  if (value !== undefined && (typeof value !== 'number' || !(value >= 0 && value <= 1))) {
    throw new TypeError(`${name} must be a number between 0 and 1`);
  }
}

/** Validates fault options (also those arriving over the control endpoint); throws `TypeError`. */
export function checkFaultOptions(options: unknown): FaultOptions {
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new TypeError('Fault options must be an object');
  }
  const known = [
    'seed',
    'latencyMs',
    'errors',
    'resetRate',
    'malformedRate',
    'hangRate',
    'writesBeforeFault',
  ];
  for (const key of Object.keys(options)) {
    if (!known.includes(key)) {
      throw new TypeError(`Unknown fault option '${key}'`);
    }
  }
  const value = options as FaultOptions;
  if (value.seed !== undefined && !Number.isInteger(value.seed)) {
    throw new TypeError('seed must be an integer');
  }
  const latency = value.latencyMs;
  if (latency !== undefined) {
    const ok =
      typeof latency === 'number'
        ? latency >= 0
        : typeof latency === 'object' &&
          latency !== null &&
          typeof latency.min === 'number' &&
          typeof latency.max === 'number' &&
          latency.min >= 0 &&
          latency.max >= latency.min;
    if (!ok) {
      throw new TypeError('latencyMs must be a number >= 0 or { min, max } with 0 <= min <= max');
    }
  }
  checkRate('resetRate', value.resetRate);
  checkRate('malformedRate', value.malformedRate);
  checkRate('hangRate', value.hangRate);
  if (value.writesBeforeFault !== undefined && typeof value.writesBeforeFault !== 'boolean') {
    throw new TypeError('writesBeforeFault must be a boolean');
  }
  if (value.errors !== undefined) {
    if (typeof value.errors !== 'object' || value.errors === null) {
      throw new TypeError('errors must be an object keyed by route pattern');
    }
    for (const [pattern, rule] of Object.entries(value.errors)) {
      checkRule(pattern, rule);
    }
  }
  return value;
}

function checkRule(pattern: string, rule: FaultRule | undefined): void {
  const name = `errors['${pattern}']`;
  if (typeof rule !== 'object' || rule === null || Array.isArray(rule)) {
    throw new TypeError(`${name} must be an object`);
  }
  for (const key of Object.keys(rule)) {
    if (!RULE_KEYS.includes(key)) {
      throw new TypeError(`Unknown option '${key}' in ${name}`);
    }
  }
  checkRate(`${name}.rate`, rule.rate);
  if (typeof rule.rate !== 'number' || !STATUSES.includes(rule.status)) {
    throw new TypeError(`${name} needs a rate and a status of ${STATUSES.join(', ')}`);
  }
  if (rule.body !== undefined) {
    if (!BODY_STATUSES.includes(rule.status)) {
      throw new TypeError(
        `${name}.body is only for 500, 502, 503 and 504; a ${rule.status} carries Freshdesk's own body`,
      );
    }
    if (!['json', 'html', 'empty'].includes(rule.body)) {
      throw new TypeError(`${name}.body must be json, html or empty`);
    }
  }
  const retryAfter = rule.retryAfterSeconds;
  if (retryAfter !== undefined && !(Number.isInteger(retryAfter) && retryAfter >= 0)) {
    throw new TypeError(`${name}.retryAfterSeconds must be an integer >= 0`);
  }
  if (rule.fieldErrors !== undefined) {
    if (rule.status !== 400 && rule.status !== 409) {
      throw new TypeError(`${name}.fieldErrors is only for 400 and 409`);
    }
    if (!Array.isArray(rule.fieldErrors) || rule.fieldErrors.length === 0) {
      throw new TypeError(`${name}.fieldErrors must be a non-empty array`);
    }
    for (const error of rule.fieldErrors as unknown[]) {
      checkFieldError(name, error);
    }
  }
  if (rule.allow !== undefined) {
    if (rule.status !== 405) {
      throw new TypeError(`${name}.allow is only for 405`);
    }
    if (
      !Array.isArray(rule.allow) ||
      rule.allow.length === 0 ||
      !rule.allow.every((method) => METHODS.includes(method))
    ) {
      throw new TypeError(`${name}.allow must be a non-empty array of ${METHODS.join(', ')}`);
    }
  }
}

function checkFieldError(name: string, error: unknown): void {
  const problem = `${name}.fieldErrors entries need string field, message and code`;
  if (typeof error !== 'object' || error === null || Array.isArray(error)) {
    throw new TypeError(problem);
  }
  const entry = error as Record<string, unknown>;
  for (const key of Object.keys(entry)) {
    if (!FIELD_ERROR_KEYS.includes(key)) {
      throw new TypeError(`Unknown key '${key}' in ${name}.fieldErrors`);
    }
  }
  if (
    typeof entry.field !== 'string' ||
    typeof entry.message !== 'string' ||
    typeof entry.code !== 'string' ||
    (entry.nested_field !== undefined && typeof entry.nested_field !== 'string') ||
    (entry.additional_info !== undefined &&
      (typeof entry.additional_info !== 'object' ||
        entry.additional_info === null ||
        Array.isArray(entry.additional_info)))
  ) {
    throw new TypeError(problem);
  }
}

/** One validation error with Freshdesk's key order: field, nested_field, additional_info, message, code. */
function orderedFieldError(error: FieldError): FieldError {
  return {
    field: error.field,
    ...(error.nested_field === undefined ? {} : { nested_field: error.nested_field }),
    ...(error.additional_info === undefined ? {} : { additional_info: error.additional_info }),
    message: error.message,
    code: error.code,
  };
}

/**
 * The app's answer for an injected 4xx (not 429), built with the emulator's own error helpers so it
 * is byte for byte what a real refusal looks like; `undefined` for 429 and the 5xx.
 * 406 and 415 name a typical refused header, as Freshdesk names the one it got.
 */
export function appFaultError(
  fault: Extract<Fault, { kind: 'error' }>,
  method: string,
): ApiError | undefined {
  switch (fault.status) {
    case 400:
    case 409:
      return validationError(
        (fault.fieldErrors ?? DEFAULT_FIELD_ERRORS[fault.status] ?? []).map(orderedFieldError),
        fault.status,
      );
    case 401:
      return requestError(
        401,
        'invalid_credentials',
        'You have to be logged in to perform this action.',
      );
    case 403:
      return requestError(403, 'access_denied', 'You are not authorized to perform this action.');
    case 404:
      return notFound();
    case 405:
      return methodNotAllowed(method, fault.allow ?? (method === 'GET' ? ['POST'] : ['GET']));
    case 406:
      return requestError(
        406,
        'invalid_accept_header',
        'Accept header is set to text/xml. It should have application/json or */*',
      );
    case 415:
      return requestError(
        415,
        'invalid_content_type',
        'Content-Type header is set to text/plain. It should be set to application/json',
      );
    default:
      return undefined;
  }
}

/** The fault dice. `decide` draws the same number of values per request whatever is configured. */
export class Faults {
  #options: FaultOptions = {};
  #random: () => number = mulberry32(1);

  constructor(options: FaultOptions = {}) {
    this.set(options);
  }

  get options(): FaultOptions {
    return structuredClone(this.#options);
  }

  /** Replaces the options and reseeds the PRNG. */
  set(options: FaultOptions): void {
    this.#options = structuredClone(checkFaultOptions(options));
    this.#random = mulberry32(this.#options.seed ?? 1);
  }

  get writesBeforeFault(): boolean {
    return this.#options.writesBeforeFault === true;
  }

  /** Whether any fault or latency is configured at all (skips the dice when not). */
  get active(): boolean {
    const o = this.#options;
    return Boolean(
      o.latencyMs ||
        o.resetRate ||
        o.malformedRate ||
        o.hangRate ||
        Object.keys(o.errors ?? {}).length,
    );
  }

  /** Decides the fate of one request to the route `routeKey` (e.g. `'GET /tickets/:id'`). */
  decide(routeKey: string): FaultDecision {
    if (!this.active) {
      return { latencyMs: 0, fault: { kind: 'none' } };
    }
    const o = this.#options;
    const [latencyDraw, hangDraw, resetDraw, errorDraw, bodyDraw, malformedDraw] = [
      this.#random(),
      this.#random(),
      this.#random(),
      this.#random(),
      this.#random(),
      this.#random(),
    ] as [number, number, number, number, number, number];
    const latency = o.latencyMs ?? 0;
    const latencyMs =
      typeof latency === 'number'
        ? latency
        : Math.round(latency.min + latencyDraw * (latency.max - latency.min));
    if (hangDraw < (o.hangRate ?? 0)) {
      return { latencyMs, fault: { kind: 'hang' } };
    }
    if (resetDraw < (o.resetRate ?? 0)) {
      return { latencyMs, fault: { kind: 'reset' } };
    }
    const rule = o.errors?.[routeKey] ?? o.errors?.['*'];
    if (rule && errorDraw < rule.rate) {
      const edge = rule.status === 502 || rule.status === 503 || rule.status === 504;
      const body =
        rule.body ??
        (rule.status === 404 ? 'empty' : !edge ? 'json' : bodyDraw < 0.5 ? 'html' : 'empty');
      return {
        latencyMs,
        fault: {
          kind: 'error',
          status: rule.status,
          body,
          retryAfterSeconds: rule.retryAfterSeconds ?? 1,
          ...(rule.fieldErrors ? { fieldErrors: structuredClone(rule.fieldErrors) } : {}),
          ...(rule.allow ? { allow: [...rule.allow] } : {}),
        },
      };
    }
    if (malformedDraw < (o.malformedRate ?? 0)) {
      return { latencyMs, fault: { kind: 'malformed' } };
    }
    return { latencyMs, fault: { kind: 'none' } };
  }
}

const EDGE_TITLES: Record<number, string> = {
  500: 'Internal Server Error',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
};

/** The edge proxy's HTML error page. */
export const edgeErrorPage = (status: number): string =>
  `<html>\r\n<head><title>${status} ${EDGE_TITLES[status] ?? 'Error'}</title></head>\r\n<body>\r\n<center><h1>${status} ${EDGE_TITLES[status] ?? 'Error'}</h1></center>\r\n</body>\r\n</html>\r\n`;
