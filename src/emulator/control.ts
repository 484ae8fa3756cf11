/**
 * The emulator's own side door, `/_emulator/*` (no auth): counters, plan, faults and webhook rules,
 * so out-of-process tests can steer and inspect it. In-process tests use the `Emulator` object.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FaultOptions } from './faults.ts';
import type { PlanOption, RateWindow } from './rate-limit.ts';
import type { EmulatorCore } from './server.ts';
import type { WebhookRuleInput } from './webhooks.ts';

/** What `GET /_emulator/stats` and `Emulator.stats()` report. */
export interface EmulatorStats {
  /** Requests per route pattern (`'GET /tickets/:id'`), 401s and 429s included. */
  calls: Record<string, number>;
  /** Credits charged per route pattern. */
  credits: Record<string, number>;
  totalCalls: number;
  totalCredits: number;
  /** Answers whose validation body holds at least one `invalid_field` error. */
  invalidFieldErrors: number;
  /** Answers per HTTP status; injected faults that send no status count as `reset` or `hang`. */
  status: Record<string, number>;
  /** Every rate window so far, oldest first. */
  windows: RateWindow[];
  /** Successful (2xx) POST/PUT/DELETE per route pattern, including writes made before a fault. */
  writes: Record<string, number>;
  /** Injected faults by kind: `latency`, `error`, `reset`, `hang`, `malformed`. */
  faults: Record<string, number>;
}

/** One answered (or deliberately unanswered) API request, as the server reports it. */
export interface CallRecord {
  key: string;
  status: number | 'reset' | 'hang';
  credits: number;
  wrote: boolean;
  invalidField: boolean;
  fault?: 'error' | 'reset' | 'hang' | 'malformed';
  latency?: boolean;
}

const bump = (counter: Record<string, number>, key: string, by = 1): void => {
  counter[key] = (counter[key] ?? 0) + by;
};

/** Exact request counters. */
export class Stats {
  #calls: Record<string, number> = {};
  #credits: Record<string, number> = {};
  #status: Record<string, number> = {};
  #writes: Record<string, number> = {};
  #faults: Record<string, number> = {};
  #totalCalls = 0;
  #totalCredits = 0;
  #invalidFieldErrors = 0;

  record(call: CallRecord): void {
    this.#totalCalls += 1;
    bump(this.#calls, call.key);
    bump(this.#status, String(call.status));
    if (call.credits > 0) {
      this.#totalCredits += call.credits;
      bump(this.#credits, call.key, call.credits);
    }
    if (call.wrote) {
      bump(this.#writes, call.key);
    }
    if (call.invalidField) {
      this.#invalidFieldErrors += 1;
    }
    if (call.fault) {
      bump(this.#faults, call.fault);
    }
    if (call.latency) {
      bump(this.#faults, 'latency');
    }
  }

  snapshot(windows: RateWindow[]): EmulatorStats {
    return {
      calls: { ...this.#calls },
      credits: { ...this.#credits },
      totalCalls: this.#totalCalls,
      totalCredits: this.#totalCredits,
      invalidFieldErrors: this.#invalidFieldErrors,
      status: { ...this.#status },
      windows,
      writes: { ...this.#writes },
      faults: { ...this.#faults },
    };
  }

  reset(): void {
    this.#calls = {};
    this.#credits = {};
    this.#status = {};
    this.#writes = {};
    this.#faults = {};
    this.#totalCalls = 0;
    this.#totalCredits = 0;
    this.#invalidFieldErrors = 0;
  }
}

function send(res: ServerResponse, status: number, body?: unknown): void {
  if (body === undefined) {
    res.writeHead(status);
    res.end();
    return;
  }
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(text),
  });
  res.end(text);
}

function parse(body: Buffer): unknown {
  if (body.length === 0) {
    return undefined;
  }
  return JSON.parse(body.toString('utf8'));
}

/** Reads a plan from `"pro"`, `{"plan":"pro"}`, `{"plan":{...}}` or `{"total":...}`. */
function planFrom(value: unknown): PlanOption {
  if (typeof value === 'object' && value !== null && 'plan' in value) {
    return (value as { plan: PlanOption }).plan;
  }
  return value as PlanOption;
}

/** Serves `/_emulator/*`. `path` is below `/_emulator`. */
export function handleControl(
  core: EmulatorCore,
  req: IncomingMessage,
  res: ServerResponse,
  path: string,
  body: Buffer,
): void {
  const method = req.method ?? 'GET';
  const route = `${method} ${path.replace(/\/+$/, '') || '/'}`;
  try {
    const webhookMatch = /^DELETE \/webhooks\/(\d+)$/.exec(route);
    if (webhookMatch) {
      const webhooks = requireWebhooks(core, res);
      if (webhooks) {
        send(res, webhooks.removeRule(Number(webhookMatch[1])) ? 204 : 404);
      }
      return;
    }
    switch (route) {
      case 'GET /stats':
        send(res, 200, core.stats.snapshot(core.limiter.history()));
        return;
      case 'POST /reset':
        core.resetStats();
        send(res, 204);
        return;
      case 'GET /plan':
        send(res, 200, { ...core.limiter.plan, windowMs: core.limiter.windowMs });
        return;
      case 'PUT /plan':
        core.limiter.setPlan(planFrom(parse(body)));
        send(res, 200, { ...core.limiter.plan, windowMs: core.limiter.windowMs });
        return;
      case 'GET /faults':
        send(res, 200, core.faults.options);
        return;
      case 'PUT /faults':
        core.faults.set((parse(body) ?? {}) as FaultOptions);
        send(res, 200, core.faults.options);
        return;
      case 'GET /webhooks': {
        const webhooks = requireWebhooks(core, res);
        if (webhooks) {
          send(res, 200, webhooks.rules());
        }
        return;
      }
      case 'POST /webhooks': {
        const webhooks = requireWebhooks(core, res);
        if (webhooks) {
          send(res, 201, webhooks.addRule(parse(body) as WebhookRuleInput));
        }
        return;
      }
      case 'GET /webhooks/deliveries': {
        const webhooks = requireWebhooks(core, res);
        if (webhooks) {
          send(res, 200, webhooks.deliveries());
        }
        return;
      }
      default:
        send(res, 404);
    }
  } catch (error) {
    // Bad control input (JSON, plan, fault options, rule): say what was wrong.
    send(res, 400, { message: error instanceof Error ? error.message : String(error) });
  }
}

function requireWebhooks(core: EmulatorCore, res: ServerResponse): EmulatorCore['webhooks'] {
  if (!core.webhooks) {
    send(res, 501, { message: 'Webhooks are not available in this build of the emulator' });
  }
  return core.webhooks;
}
