/**
 * Automation rules (freshdesk-api.md section 7): the rules `/api/v2/automations/{1|3|4}/rules` keeps
 * (1 = ticket creation, 3 = hourly, 4 = ticket updates), and the firing of their "Trigger Webhook"
 * actions as Freshdesk would, through the emulator's webhook delivery (`webhooks.ts`: rendering,
 * headers, 15 s timeout, retries at +5/+30/+60 minutes).
 *
 * What fires:
 * - a ticket-creation rule (type 1), on every ticket created;
 * - a ticket-update rule (type 4), when its performer matches (1 agent, optionally only `members`;
 *   3 agent or requester; the emulator's changes are all made by agents over the API, so 2 requester
 *   and 4 system never match) and one of its `events` matches the change: `reply_sent`;
 *   `note_type` (optionally `value` public/private); `ticket_action` update / delete / marked_spam;
 *   or a field (`status`, `priority`, `ticket_type`, `group_id`, `responder_id`, ...) changed, with
 *   `from`/`to` matching (`--` or absent: any value).
 * Only `trigger_webhook` actions are performed; `conditions` are kept but not evaluated (every ticket
 * matches); hourly rules are kept but never run. A rule whose webhook fails its last retry is
 * deactivated, as Freshdesk does for rules created over the API.
 *
 * A webhook action: `request_type` (GET/POST/PUT/PATCH/DELETE), `url`, `content_type` (JSON, XML or
 * X-FORM-URLENCODED), `content_layout` ("1" simple, "2" advanced), `content` (advanced: an object
 * whose string values carry `{{placeholders}}`, or a template string; simple: the field names to
 * send), `custom_headers`, and `auth_header {username, password}` or `api_key`.
 */
import { isoSeconds, type TicketEvent } from './http.ts';
import type { AgentRecord } from './records.ts';
import {
  checkRule,
  SIMPLE_LAYOUT_DEFAULT_FIELDS,
  type WebhookRule,
  type WebhookRuleInput,
  type Webhooks,
} from './webhooks.ts';

export const AUTOMATION_TYPES = [1, 3, 4] as const;
export type AutomationType = (typeof AUTOMATION_TYPES)[number];

export interface AutomationEvent {
  field_name: string;
  from?: unknown;
  to?: unknown;
  value?: unknown;
  [key: string]: unknown;
}

export interface AutomationAction {
  field_name: string;
  [key: string]: unknown;
}

/** A rule as the API returns it. */
export interface AutomationRule {
  id: number;
  name: string;
  description: string | null;
  position: number;
  active: boolean;
  automation_type_id: AutomationType;
  performer?: { type: number; members?: unknown[] };
  events?: AutomationEvent[];
  conditions: unknown[];
  operator?: string;
  actions: AutomationAction[];
  outdated: boolean;
  last_updated_by: number;
  affected_tickets_count: null;
  created_at: string;
  updated_at: string;
}

export interface Automations {
  list(type: AutomationType): AutomationRule[];
  get(type: AutomationType, id: number): AutomationRule | undefined;
  /** Stores a rule (already validated by the handler); returns it as the API shows it. */
  put(rule: AutomationRule): AutomationRule;
  remove(type: AutomationType, id: number): boolean;
  /** Fires the matching rules' webhooks for a ticket event made by `performer`. Never throws. */
  handle(event: TicketEvent, performer: AgentRecord | undefined): void;
}

export function createAutomations(options: {
  webhooks: Webhooks | null;
  now: () => number;
}): Automations {
  const rules = new Map<number, AutomationRule>();
  const copy = (rule: AutomationRule): AutomationRule => structuredClone(rule);

  return {
    list: (type) =>
      [...rules.values()]
        .filter((rule) => rule.automation_type_id === type)
        .sort((a, b) => a.position - b.position || a.id - b.id)
        .map(copy),
    get(type, id) {
      const rule = rules.get(id);
      return rule?.automation_type_id === type ? copy(rule) : undefined;
    },
    put(rule) {
      rules.set(rule.id, copy(rule));
      return copy(rule);
    },
    remove(type, id) {
      const rule = rules.get(id);
      return rule?.automation_type_id === type ? rules.delete(id) : false;
    },
    handle(event, performer) {
      const webhooks = options.webhooks;
      if (!webhooks) {
        return;
      }
      try {
        const type: AutomationType = event.kind === 'ticket_created' ? 1 : 4;
        for (const rule of rules.values()) {
          if (
            !rule.active ||
            rule.automation_type_id !== type ||
            (type === 4 && !(performerMatches(rule, performer) && eventMatches(rule, event)))
          ) {
            continue;
          }
          for (const action of rule.actions) {
            if (action.field_name === 'trigger_webhook') {
              webhooks.send(webhookRule(rule.id, action), event, {
                onGiveUp: () => {
                  const current = rules.get(rule.id);
                  if (current) {
                    current.active = false;
                    current.updated_at = isoSeconds(options.now());
                  }
                },
              });
            }
          }
        }
      } catch {
        // A broken rule must never fail the API call that raised the event.
      }
    },
  };
}

function performerMatches(rule: AutomationRule, performer: AgentRecord | undefined): boolean {
  const wanted = rule.performer;
  if (wanted === undefined) {
    return true;
  }
  if (wanted.type === 3) {
    return true;
  }
  if (wanted.type !== 1 || performer === undefined) {
    return false;
  }
  const members = wanted.members ?? [];
  return members.length === 0 || members.some((member) => String(member) === String(performer.id));
}

/** Event field names that differ from the ticket record's keys. */
const FIELD_KEYS: Record<string, string> = { ticket_type: 'type' };

const anyValue = (value: unknown): boolean =>
  value === undefined || value === null || value === '--' || value === '';

function eventMatches(rule: AutomationRule, event: TicketEvent): boolean {
  return (rule.events ?? []).some((wanted) => {
    switch (wanted.field_name) {
      case 'reply_sent':
        return event.kind === 'reply_sent';
      case 'note_type':
        return (
          event.kind === 'note_added' &&
          (anyValue(wanted.value) || wanted.value === (event.private ? 'private' : 'public'))
        );
      case 'ticket_action': {
        if (event.kind !== 'ticket_updated') {
          return false;
        }
        const to = (key: string) => event.changes[key]?.to === true;
        switch (wanted.value) {
          case 'delete':
          case 'deleted':
            return to('deleted');
          case 'marked_spam':
          case 'spam':
            return to('spam');
          default:
            return !to('deleted') && !to('spam');
        }
      }
      default: {
        if (event.kind !== 'ticket_updated') {
          return false;
        }
        const change = event.changes[FIELD_KEYS[wanted.field_name] ?? wanted.field_name];
        return (
          change !== undefined &&
          (anyValue(wanted.from) || String(wanted.from) === String(change.from)) &&
          (anyValue(wanted.to) || String(wanted.to) === String(change.to))
        );
      }
    }
  });
}

// ---------------------------------------------------------------------------------------------
// Webhook actions

const REQUEST_TYPES = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;
const ENCODINGS: Record<string, 'json' | 'xml' | 'form'> = {
  JSON: 'json',
  XML: 'xml',
  'X-FORM-URLENCODED': 'form',
};

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * The webhook rule a `trigger_webhook` action describes; throws `TypeError` with a message naming
 * the problem (the handler's 400).
 */
export function webhookRule(ruleId: number, action: AutomationAction): WebhookRule {
  const method = requestType(action.request_type);
  const encoding = ENCODINGS[String(action.content_type ?? '').toUpperCase()];
  if (encoding === undefined) {
    throw new TypeError('content_type is required: JSON, XML or X-FORM-URLENCODED');
  }
  const layout = String(action.content_layout ?? '1');
  if (layout !== '1' && layout !== '2') {
    throw new TypeError('content_layout must be "1" (simple) or "2" (advanced)');
  }
  const input: WebhookRuleInput = {
    events: ['ticket_created'],
    url: action.url as string,
    method,
    encoding,
    layout: layout === '1' ? 'simple' : 'advanced',
  };
  const content = action.content;
  if (layout === '2') {
    if (typeof content === 'string') {
      input.template = content;
    } else if (isObject(content)) {
      input.template = contentTemplate(content, encoding);
    } else {
      throw new TypeError(
        'content must be an object (or a template string) for content_layout "2"',
      );
    }
  } else if (Array.isArray(content)) {
    input.fields = content.map(String);
  } else if (isObject(content)) {
    input.fields = Object.keys(content);
  } else if (content === undefined || content === null) {
    input.fields = [...SIMPLE_LAYOUT_DEFAULT_FIELDS];
  } else {
    throw new TypeError('content must list the fields to send for content_layout "1"');
  }
  if (action.custom_headers !== undefined) {
    input.headers = action.custom_headers as Record<string, string>;
  }
  const auth = action.auth_header;
  if (isObject(auth)) {
    input.auth = { username: auth.username as string, password: auth.password as string };
  } else if (action.api_key !== undefined) {
    input.auth = { apiKey: action.api_key as string };
  }
  return { ...checkRule(input), id: ruleId };
}

function requestType(value: unknown): (typeof REQUEST_TYPES)[number] {
  if (typeof value === 'number' && value >= 1 && value <= REQUEST_TYPES.length) {
    return REQUEST_TYPES[value - 1]!;
  }
  const upper = typeof value === 'string' ? value.toUpperCase() : '';
  const found = REQUEST_TYPES.find((method) => method === upper);
  if (!found) {
    throw new TypeError(`request_type must be one of ${REQUEST_TYPES.join(', ')}`);
  }
  return found;
}

const PLACEHOLDER = /(\{\{\s*[A-Za-z0-9_.]+\s*(?:\|[^}]*)?\}\})/;

/** Escapes the literal text of `value`, leaving its placeholders for the renderer to fill (and escape). */
function literal(value: unknown, escapeText: (text: string) => string): string {
  return String(value ?? '')
    .split(PLACEHOLDER)
    .map((part, i) => (i % 2 === 1 ? part : escapeText(part)))
    .join('');
}

const xmlEscape = (text: string): string =>
  text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** An advanced layout's `content` object as a template for the encoding. */
function contentTemplate(
  content: Record<string, unknown>,
  encoding: 'json' | 'xml' | 'form',
): string {
  if (encoding === 'json') {
    // Placeholders sit inside JSON strings; the renderer escapes their values for JSON.
    return JSON.stringify(content);
  }
  const pairs: [string, unknown][] = [];
  const flatten = (value: unknown, key: string): void => {
    if (isObject(value)) {
      for (const [name, inner] of Object.entries(value)) {
        flatten(inner, key === '' ? name : `${key}[${name}]`);
      }
    } else {
      pairs.push([key, value]);
    }
  };
  flatten(content, '');
  if (encoding === 'form') {
    return pairs
      .map(([key, value]) => `${encodeURIComponent(key)}=${literal(value, encodeURIComponent)}`)
      .join('&');
  }
  const elements = pairs
    .map(([key, value]) => {
      const name = key.replace(/\]\[|\[|\]/g, '_').replace(/_+$/, '');
      return `<${name}>${literal(value, xmlEscape)}</${name}>`;
    })
    .join('');
  return `<?xml version="1.0" encoding="UTF-8"?><freshdesk_webhook>${elements}</freshdesk_webhook>`;
}
