/**
 * Optional fault injection: latency, 5xx answers like an edge proxy's, connection resets, truncated
 * JSON and requests that never answer. Every draw comes from a seeded PRNG, so a run is repeatable.
 */
import { mulberry32 } from './random.ts';

/** Statuses a fault may answer: the app's 500, or the edge's 502/503/504. */
export type FaultStatus = 500 | 502 | 503 | 504;

export interface FaultRule {
  /** Probability in [0, 1]. */
  rate: number;
  status: FaultStatus;
  /**
   * 500 answers Freshdesk's JSON body. 502/503/504 come from the edge: an HTML page or nothing
   * (picked at random when unset).
   */
  body?: 'json' | 'html' | 'empty';
  /** `Retry-After` on 503. @default 1 */
  retryAfterSeconds?: number;
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
  /** When a fault hits a POST/PUT, perform the write first, then fail: the duplicate-write hazard. */
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
    };

/** The dice for one request: a delay, then maybe a fault. */
export interface FaultDecision {
  latencyMs: number;
  fault: Fault;
}

const STATUSES: readonly number[] = [500, 502, 503, 504];

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
      checkRate(`errors['${pattern}'].rate`, rule?.rate);
      if (typeof rule?.rate !== 'number' || !STATUSES.includes(rule.status)) {
        throw new TypeError(
          `errors['${pattern}'] needs a rate and a status of 500, 502, 503 or 504`,
        );
      }
      if (rule.body !== undefined && !['json', 'html', 'empty'].includes(rule.body)) {
        throw new TypeError(`errors['${pattern}'].body must be json, html or empty`);
      }
    }
  }
  return value;
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
      const body = rule.body ?? (rule.status === 500 ? 'json' : bodyDraw < 0.5 ? 'html' : 'empty');
      return {
        latencyMs,
        fault: {
          kind: 'error',
          status: rule.status,
          body,
          retryAfterSeconds: rule.retryAfterSeconds ?? 1,
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
