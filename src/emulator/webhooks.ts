/**
 * Webhook rules like Freshdesk automation rules' "Trigger Webhook" action (freshdesk-api.md
 * section 7): a rule picks events, renders its URL and body from the ticket at event time, and sends
 * the request in the background with Freshdesk's headers, timeout and retry schedule.
 *
 * The payload is rendered once, when the event happens, and every retry resends it unchanged, as
 * Freshdesk's queued webhook jobs do.
 */
import { Agent, request } from 'undici';
import type { TicketEvent } from './http.ts';
import { isoSeconds } from './http.ts';
import type { EmulatorData, TicketRecord } from './records.ts';

export interface WebhookRuleInput {
  /** Which events fire the rule. */
  events: TicketEvent['kind'][];
  /** May hold `{{placeholders}}`; their values are URL-encoded. */
  url: string;
  /** @default 'POST' */
  method?: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** Merged into the outgoing headers (they win over the defaults). */
  headers?: Record<string, string>;
  /** Basic auth: username+password, or an API key sent with password `X`. */
  auth?: { username: string; password: string } | { apiKey: string };
  /** @default 'json' */
  encoding?: 'json' | 'xml' | 'form';
  /** simple: ticked fields under `freshdesk_webhook`; advanced: `template` with {{placeholders}}. @default 'simple' */
  layout?: 'simple' | 'advanced';
  /**
   * For the simple layout: which placeholders to send, named as Freshdesk's simple layout names them
   * (`ticket_id`, `ticket_status`, `requester_email`, `ticket_cf_plan`, `triggered_event`, ...).
   * @default SIMPLE_LAYOUT_DEFAULT_FIELDS
   */
  fields?: string[];
  /**
   * For the advanced layout: the body template with Liquid-like placeholders. Rendered values are
   * escaped for the encoding (JSON string escapes, XML entities, or URL-encoding for `form`).
   */
  template?: string;
}

export interface WebhookRule extends WebhookRuleInput {
  id: number;
}

export interface WebhookDelivery {
  /** The rule's id (an automation rule's id for deliveries of automation rules). */
  ruleId: number;
  event: TicketEvent['kind'];
  ticketId: number;
  url: string;
  status: number | null; // null: no answer (timeout, refused)
  /** 1 for the first try, up to 1 + the number of retry delays. */
  attempt: number;
  /** When the attempt started, on the injected clock. */
  at: string;
  error?: string;
  /** success (2xx), dropped (3xx: never followed nor retried), retrying, or failed (no retries left). */
  outcome: 'success' | 'dropped' | 'retrying' | 'failed';
}

export interface Webhooks {
  addRule(input: WebhookRuleInput): WebhookRule;
  rules(): WebhookRule[];
  removeRule(id: number): boolean;
  /** Called for every ticket event; sends matching rules' requests in the background. Never throws. */
  handle(event: TicketEvent): void;
  /**
   * Sends one rule's request for `event` now (whatever its `events` say), with the same rendering,
   * headers, log and retries; `onGiveUp` runs once the last retry has failed. For callers that match
   * events themselves (the automation rules). Never throws.
   */
  send(rule: WebhookRule, event: TicketEvent, options?: { onGiveUp?: () => void }): void;
  deliveries(): WebhookDelivery[];
  /** Resolves when nothing is in flight and no retry is pending. */
  idle(): Promise<void>;
  /** Cancels pending retries, waits for requests in flight, and stops handling events. */
  close(): Promise<void>;
}

/** What the simple layout sends when a rule lists no fields (the fields of Freshdesk's samples). */
export const SIMPLE_LAYOUT_DEFAULT_FIELDS = [
  'triggered_event',
  'ticket_id',
  'ticket_url',
  'ticket_type',
  'ticket_subject',
  'ticket_description',
  'ticket_status',
  'ticket_priority',
  'requester_name',
  'requester_email',
] as const;

/** Freshdesk retries failed webhooks at +5 min, +30 min and +60 min. */
export const DEFAULT_RETRY_DELAYS_MS = [300_000, 1_800_000, 3_600_000] as const;
/** Freshdesk gives up on a webhook request after 15 s. */
export const DEFAULT_WEBHOOK_TIMEOUT_MS = 15_000;

const CONTENT_TYPES = {
  json: 'application/json',
  xml: 'text/xml',
  form: 'application/x-www-form-urlencoded',
} as const;

const EVENTS: readonly TicketEvent['kind'][] = [
  'ticket_created',
  'ticket_updated',
  'note_added',
  'reply_sent',
];
const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;

/** Timers, injectable so tests (or a fake clock) can drive the retries. */
export interface WebhookScheduler {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export interface WebhooksOptions {
  data: EmulatorData;
  now: () => number;
  /** For `{{ticket.url}}`: e.g. `http://127.0.0.1:8085`. */
  helpdeskOrigin: () => string;
  /** @default 'Acme Support' */
  helpdeskName?: string;
  /** Delays before each retry; its length is the number of retries. @default DEFAULT_RETRY_DELAYS_MS */
  retryDelaysMs?: readonly number[];
  /** Per-request timeout. @default DEFAULT_WEBHOOK_TIMEOUT_MS */
  timeoutMs?: number;
  /** @default the global setTimeout/clearTimeout */
  scheduler?: WebhookScheduler;
}

interface Rendered {
  rule: WebhookRule;
  event: TicketEvent;
  url: string;
  method: string;
  headers: Record<string, string>;
  body: string | undefined;
  onGiveUp?: () => void;
}

export function createWebhooks(options: WebhooksOptions): Webhooks {
  const retryDelays = [...(options.retryDelaysMs ?? DEFAULT_RETRY_DELAYS_MS)];
  const timeoutMs = options.timeoutMs ?? DEFAULT_WEBHOOK_TIMEOUT_MS;
  const scheduler: WebhookScheduler = options.scheduler ?? {
    setTimeout: (fn, ms) => setTimeout(fn, ms),
    clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
  };
  // Our own connection pool: short keep-alive so that closing the emulator leaves no sockets open.
  const agent = new Agent({ keepAliveTimeout: 1_000, keepAliveMaxTimeout: 1_000 });
  const rules = new Map<number, WebhookRule>();
  const log: WebhookDelivery[] = [];
  const pending = new Set<unknown>();
  let inFlight = 0;
  let waiters: (() => void)[] = [];
  let nextRuleId = 1;
  let closed = false;
  let closing: Promise<void> | undefined;

  const settle = (): void => {
    if (inFlight === 0 && pending.size === 0) {
      const ready = waiters;
      waiters = [];
      for (const resolve of ready) {
        resolve();
      }
    }
  };

  const attempt = async (job: Rendered, n: number): Promise<void> => {
    const at = isoSeconds(options.now());
    let status: number | null = null;
    let error: string | undefined;
    try {
      const response = await request(job.url, {
        method: job.method as 'POST',
        headers: job.headers,
        body: job.body,
        dispatcher: agent,
        signal: AbortSignal.timeout(timeoutMs),
      });
      status = response.statusCode;
      await response.body.dump();
    } catch (caught) {
      error = describeError(caught);
    }
    const ok = status !== null && status >= 200 && status < 300;
    const redirect = status !== null && status >= 300 && status < 400;
    const retry = !ok && !redirect && n <= retryDelays.length && !closed;
    const delivery: WebhookDelivery = {
      ruleId: job.rule.id,
      event: job.event.kind,
      ticketId: job.event.ticketId,
      url: job.url,
      status,
      attempt: n,
      at,
      outcome: ok ? 'success' : redirect ? 'dropped' : retry ? 'retrying' : 'failed',
    };
    if (error !== undefined) {
      delivery.error = error;
    }
    log.push(delivery);
    if (delivery.outcome === 'failed') {
      try {
        job.onGiveUp?.();
      } catch {
        // The caller's bookkeeping must not break delivery.
      }
    }
    if (retry) {
      const handle = scheduler.setTimeout(
        () => {
          pending.delete(handle);
          start(job, n + 1);
        },
        retryDelays[n - 1]!,
      );
      pending.add(handle);
    }
  };

  const start = (job: Rendered, n: number): void => {
    inFlight++;
    attempt(job, n)
      .catch(() => {
        // attempt() records its own failures; nothing may escape into an unhandled rejection.
      })
      .finally(() => {
        inFlight--;
        settle();
      });
  };

  const send: Webhooks['send'] = (rule, event, sendOptions) => {
    if (closed) {
      return;
    }
    try {
      const ticket = options.data.tickets.get(event.ticketId);
      if (ticket === undefined) {
        return;
      }
      const job = render(rule, event, ticket, options);
      job.onGiveUp = sendOptions?.onGiveUp;
      start(job, 1);
    } catch {
      // A broken rule or record must never fail the API call that raised the event.
    }
  };

  return {
    addRule(input) {
      const rule = { ...checkRule(input), id: nextRuleId++ };
      rules.set(rule.id, rule);
      return structuredClone(rule);
    },
    rules: () => [...rules.values()].map((rule) => structuredClone(rule)),
    removeRule: (id) => rules.delete(id),
    handle(event) {
      for (const rule of rules.values()) {
        if (rule.events.includes(event.kind)) {
          send(rule, event);
        }
      }
    },
    send,
    deliveries: () => log.map((delivery) => ({ ...delivery })),
    idle() {
      if (inFlight === 0 && pending.size === 0) {
        return Promise.resolve();
      }
      return new Promise((resolve) => waiters.push(resolve));
    },
    close() {
      // Idempotent: the emulator and its tests may both close the same instance.
      closing ??= (async () => {
        closed = true;
        for (const handle of pending) {
          scheduler.clearTimeout(handle);
        }
        pending.clear();
        settle();
        await this.idle();
        await agent.close();
      })();
      return closing;
    },
  };
}

function describeError(error: unknown): string {
  if (error instanceof Error) {
    if (error.name === 'TimeoutError' || error.name === 'AbortError') {
      return 'timeout';
    }
    const code = (error as { code?: unknown }).code;
    return typeof code === 'string' ? `${code}: ${error.message}` : error.message;
  }
  return String(error);
}

/** Validates a rule (it usually arrives as JSON on the control endpoint) and fills in defaults. */
export function checkRule(input: WebhookRuleInput): WebhookRuleInput {
  if (typeof input !== 'object' || input === null) {
    throw new TypeError('A webhook rule must be an object');
  }
  if (
    !Array.isArray(input.events) ||
    input.events.length === 0 ||
    !input.events.every((e) => EVENTS.includes(e))
  ) {
    throw new TypeError(`events must be a non-empty array of: ${EVENTS.join(', ')}`);
  }
  if (typeof input.url !== 'string' || !/^https?:\/\//.test(input.url)) {
    throw new TypeError('url must be an http(s) URL');
  }
  const method = input.method ?? 'POST';
  if (!METHODS.includes(method)) {
    throw new TypeError(`method must be one of ${METHODS.join(', ')}`);
  }
  const encoding = input.encoding ?? 'json';
  if (!(encoding in CONTENT_TYPES)) {
    throw new TypeError('encoding must be json, xml or form');
  }
  const layout = input.layout ?? 'simple';
  if (layout !== 'simple' && layout !== 'advanced') {
    throw new TypeError('layout must be simple or advanced');
  }
  if (layout === 'advanced' && typeof input.template !== 'string') {
    throw new TypeError('the advanced layout needs a template');
  }
  if (input.headers !== undefined) {
    if (typeof input.headers !== 'object' || input.headers === null) {
      throw new TypeError('headers must be an object of strings');
    }
    for (const value of Object.values(input.headers)) {
      if (typeof value !== 'string') {
        throw new TypeError('headers must be an object of strings');
      }
    }
  }
  if (input.auth !== undefined) {
    const ok =
      'apiKey' in input.auth
        ? typeof input.auth.apiKey === 'string'
        : typeof input.auth.username === 'string' && typeof input.auth.password === 'string';
    if (!ok) {
      throw new TypeError('auth must be {username, password} or {apiKey}');
    }
  }
  const rule: WebhookRuleInput = { ...input, events: [...input.events], method, encoding, layout };
  if (layout === 'simple') {
    rule.fields = [...(input.fields ?? SIMPLE_LAYOUT_DEFAULT_FIELDS)];
  }
  return rule;
}

// ---------------------------------------------------------------------------------------------
// Rendering

/** `{ticket_action:created}`, `{status:{from:4,to:6}}`, `{note_type:private}`, `{reply_sent:sent}`. */
export function triggeredEvent(event: TicketEvent): string {
  switch (event.kind) {
    case 'ticket_created':
      return '{ticket_action:created}';
    case 'note_added':
      return `{note_type:${event.private ? 'private' : 'public'}}`;
    case 'reply_sent':
      return '{reply_sent:sent}';
    case 'ticket_updated': {
      // Only the first change is reported, as Freshdesk does.
      const first = Object.entries(event.changes)[0];
      if (first === undefined) {
        return '{ticket_action:updated}';
      }
      const [key, change] = first;
      return `{${key}:{from:${pseudo(change.from)},to:${pseudo(change.to)}}}`;
    }
  }
}

function pseudo(value: unknown): string {
  if (value === null || value === undefined) {
    return '';
  }
  return Array.isArray(value) ? value.join(',') : String(value);
}

/**
 * Resolves placeholder paths (`ticket.id`, `ticket.requester.email`, `triggered_event`, ...) to
 * strings for one ticket and event. Unknown placeholders render empty, as in Liquid.
 */
export function placeholderResolver(
  event: TicketEvent,
  ticket: TicketRecord,
  options: Pick<WebhooksOptions, 'data' | 'helpdeskOrigin' | 'helpdeskName'>,
): (path: string) => string {
  const { data } = options;
  const byName = new Map(data.ticketFields.map((f) => [f.name, f]));
  const statusChoices = byName.get('status')?.choices as Record<string, string[]> | undefined;
  const labelOf = (choices: unknown, code: number): string => {
    if (typeof choices === 'object' && choices !== null) {
      for (const [label, value] of Object.entries(choices)) {
        if (value === code) {
          return label;
        }
      }
    }
    return String(code);
  };
  const requester = data.contacts.get(ticket.requester_id);
  const agent = ticket.responder_id === null ? undefined : data.agents.get(ticket.responder_id);
  const group = ticket.group_id === null ? undefined : data.groups.get(ticket.group_id);
  const company = ticket.company_id === null ? undefined : data.companies.get(ticket.company_id);
  const thread = data.conversations.get(ticket.id) ?? [];
  const latest = (isPrivate: boolean): string => {
    for (let i = thread.length - 1; i >= 0; i--) {
      const entry = thread[i]!;
      if (entry.private === isPrivate) {
        return entry.body_text;
      }
    }
    return '';
  };
  const origin = options.helpdeskOrigin();
  const values: Record<string, () => unknown> = {
    'ticket.id': () => ticket.id,
    'ticket.display_id': () => ticket.id,
    'ticket.subject': () => ticket.subject,
    'ticket.description': () => ticket.description,
    'ticket.description_text': () => ticket.description_text,
    'ticket.url': () => `${origin}/helpdesk/tickets/${ticket.id}`,
    'ticket.portal_url': () => `${origin}/support/tickets/${ticket.id}`,
    'ticket.status': () => statusChoices?.[String(ticket.status)]?.[0] ?? ticket.status,
    'ticket.priority': () => labelOf(byName.get('priority')?.choices, ticket.priority),
    'ticket.source': () => labelOf(byName.get('source')?.choices, ticket.source),
    'ticket.ticket_type': () => ticket.type,
    'ticket.type': () => ticket.type,
    'ticket.tags': () => ticket.tags.join(', '),
    'ticket.due_by_time': () => ticket.due_by,
    'ticket.fr_due_by_time': () => ticket.fr_due_by,
    'ticket.created_at': () => ticket.created_at,
    'ticket.updated_at': () => ticket.updated_at,
    'ticket.requester.id': () => requester?.id,
    'ticket.requester.name': () => requester?.name,
    'ticket.requester.email': () => requester?.email,
    'ticket.requester.phone': () => requester?.phone,
    'ticket.requester.mobile': () => requester?.mobile,
    'ticket.agent.id': () => agent?.id,
    'ticket.agent.name': () => agent?.contact.name,
    'ticket.agent.email': () => agent?.contact.email,
    'ticket.group.id': () => group?.id,
    'ticket.group.name': () => group?.name,
    'ticket.company.id': () => company?.id,
    'ticket.company.name': () => company?.name,
    'ticket.latest_public_comment': () => latest(false),
    'ticket.latest_private_comment': () => latest(true),
    triggered_event: () => triggeredEvent(event),
    helpdesk_name: () => options.helpdeskName ?? 'Acme Support',
  };
  return (path) => {
    const getter = values[path];
    let value: unknown;
    if (getter !== undefined) {
      value = getter();
    } else if (path.startsWith('ticket.') && path.slice(7) in ticket.custom_fields) {
      value = ticket.custom_fields[path.slice(7)];
    }
    return value === null || value === undefined ? '' : String(value);
  };
}

/** Simple-layout field names → placeholder paths: `ticket_x` → `ticket.x`, `requester_x` → `ticket.requester.x`. */
function simpleFieldPath(name: string): string {
  if (name === 'triggered_event' || name === 'helpdesk_name') {
    return name;
  }
  for (const prefix of ['requester', 'agent', 'group', 'company']) {
    if (name.startsWith(`${prefix}_`)) {
      return `ticket.${prefix}.${name.slice(prefix.length + 1)}`;
    }
    if (name.startsWith(`ticket_${prefix}_`)) {
      return `ticket.${prefix}.${name.slice(prefix.length + 8)}`;
    }
  }
  return name.startsWith('ticket_') ? `ticket.${name.slice(7)}` : `ticket.${name}`;
}

const PLACEHOLDER = /\{\{\s*([A-Za-z0-9_.]+)\s*(?:\|[^}]*)?\}\}/g;

function renderTemplate(
  template: string,
  resolve: (path: string) => string,
  escapeValue: (value: string) => string,
): string {
  return template.replace(PLACEHOLDER, (_match, path: string) => escapeValue(resolve(path)));
}

const escapeJson = (value: string): string => JSON.stringify(value).slice(1, -1);
const escapeXml = (value: string): string =>
  value
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');

function render(
  rule: WebhookRule,
  event: TicketEvent,
  ticket: TicketRecord,
  options: WebhooksOptions,
): Rendered {
  const resolve = placeholderResolver(event, ticket, options);
  const encoding = rule.encoding ?? 'json';
  const method = rule.method ?? 'POST';
  let body: string;
  if ((rule.layout ?? 'simple') === 'advanced') {
    const escapeValue =
      encoding === 'json' ? escapeJson : encoding === 'xml' ? escapeXml : encodeURIComponent;
    body = renderTemplate(rule.template ?? '', resolve, escapeValue);
  } else {
    const entries = (rule.fields ?? SIMPLE_LAYOUT_DEFAULT_FIELDS).map(
      (name) => [name, resolve(simpleFieldPath(name))] as const,
    );
    if (encoding === 'json') {
      body = JSON.stringify({ freshdesk_webhook: Object.fromEntries(entries) });
    } else if (encoding === 'form') {
      // Rails-style nesting, as Freshdesk's form encoding sends it.
      body = new URLSearchParams(
        entries.map(([name, value]) => [`freshdesk_webhook[${name}]`, value]),
      ).toString();
    } else {
      body = `<?xml version="1.0" encoding="UTF-8"?><freshdesk_webhook>${entries
        .map(([name, value]) => `<${name}>${escapeXml(value)}</${name}>`)
        .join('')}</freshdesk_webhook>`;
    }
  }
  const headers: Record<string, string> = {
    Accept: 'application/json',
    'Content-Type': CONTENT_TYPES[encoding],
    'User-Agent': 'Freshdesk',
  };
  if (rule.auth !== undefined) {
    const pair =
      'apiKey' in rule.auth
        ? `${rule.auth.apiKey}:X`
        : `${rule.auth.username}:${rule.auth.password}`;
    headers.Authorization = `Basic ${Buffer.from(pair, 'utf8').toString('base64')}`;
  }
  for (const [name, value] of Object.entries(rule.headers ?? {})) {
    // Header names are case-insensitive: a custom one replaces a default of any spelling.
    for (const existing of Object.keys(headers)) {
      if (existing.toLowerCase() === name.toLowerCase()) {
        delete headers[existing];
      }
    }
    headers[name] = value;
  }
  return {
    rule,
    event,
    url: renderTemplate(rule.url, resolve, encodeURIComponent),
    method,
    headers,
    // A GET carries no body; the rendered content is only meaningful in the URL then.
    body: method === 'GET' ? undefined : body,
  };
}
