/**
 * The two automation rules that send Freshdesk's ticket changes to the gateway, managed over
 * Freshdesk's documented API (`/api/v2/automations/{1|4}/rules`, freshdesk-api.md section 7): one on
 * ticket creation (type 1), one on ticket updates (type 4). Used by `deskgraph webhooks install` /
 * `status` and by `npm start`'s embedded mode.
 *
 * A rule is ours by its name. Installing is idempotent: a missing rule is created, one that differs
 * (URL, secret, inactive) is updated in place, copies beyond the first are deleted; run it any number
 * of times, there are still exactly two. The webhook is the advanced JSON layout
 * `{"ticket_id":"{{ticket.id}}","triggered_event":"{{triggered_event}}"}` with the secret as the
 * custom header `x-webhook-secret`. The update rule fires on any performer (agent or requester: a
 * customer's reply is a change too) for replies, public and private notes, and changes of status,
 * priority, type, group or agent; other edits reach the gateway through the reconciliation sweep.
 */
import type { FreshdeskSession } from '../upstream/freshdesk-client.ts';
import { idString, type RawId } from '../upstream/ids.ts';

export type RuleType = 1 | 4;

export const RULE_NAMES: Record<RuleType, string> = {
  1: 'deskgraph: ticket created',
  4: 'deskgraph: ticket updated',
};

export const RULE_TYPE_LABELS: Record<RuleType, string> = {
  1: 'ticket creation',
  4: 'ticket update',
};

export const SECRET_HEADER = 'x-webhook-secret';

/** The events of the update rule (`from`/`to` "--": any value). */
const UPDATE_EVENTS = [
  { field_name: 'reply_sent' },
  { field_name: 'note_type', value: 'public' },
  { field_name: 'note_type', value: 'private' },
  { field_name: 'status', from: '--', to: '--' },
  { field_name: 'priority', from: '--', to: '--' },
  { field_name: 'ticket_type', from: '--', to: '--' },
  { field_name: 'group_id', from: '--', to: '--' },
  { field_name: 'responder_id', from: '--', to: '--' },
];

/** A rule as Freshdesk returns it (only what is read here). */
export interface RawAutomationRule {
  id: RawId;
  name?: string;
  active?: boolean;
  actions?: { field_name?: string; url?: string; custom_headers?: Record<string, unknown> }[];
}

export interface RuleSummary {
  type: RuleType;
  id: string;
  name: string;
  active: boolean;
  /** The URL of its first webhook action. */
  url: string | undefined;
}

export interface InstallOutcome extends RuleSummary {
  action: 'created' | 'updated' | 'unchanged';
  /** Ids of extra copies deleted. */
  removed: string[];
}

export interface WebhookTarget {
  /** The gateway's `/webhooks/freshdesk` URL. */
  url: string;
  secret: string;
}

/** The body that creates (or resets) one of our rules. */
export function ruleBody(type: RuleType, target: WebhookTarget): Record<string, unknown> {
  const body: Record<string, unknown> = {
    name: RULE_NAMES[type],
    description: 'Sends ticket changes to deskgraph (managed by `deskgraph webhooks install`).',
    active: true,
    conditions: [],
    actions: [
      {
        field_name: 'trigger_webhook',
        request_type: 'POST',
        url: target.url,
        content_type: 'JSON',
        content_layout: '2',
        content: { ticket_id: '{{ticket.id}}', triggered_event: '{{triggered_event}}' },
        custom_headers: { [SECRET_HEADER]: target.secret },
      },
    ],
  };
  if (type === 4) {
    body.performer = { type: 3 };
    body.events = UPDATE_EVENTS;
  }
  return body;
}

const MAX_PAGES = 50;
const PER_PAGE = 100;

/** Every rule of a type, following the pages (a bare array, or `{ rules: [...] }`). */
export async function listRules(
  session: FreshdeskSession,
  type: 1 | 3 | 4,
): Promise<RawAutomationRule[]> {
  const all: RawAutomationRule[] = [];
  for (let page = 1; page <= MAX_PAGES; page++) {
    const response = await session.get<unknown>(`/api/v2/automations/${type}/rules`, {
      per_page: PER_PAGE,
      page,
    });
    const data = response.data as RawAutomationRule[] | { rules?: RawAutomationRule[] } | null;
    const rules = Array.isArray(data) ? data : (data?.rules ?? []);
    all.push(...rules);
    const more =
      response.nextPage !== undefined || (!response.headers.link && rules.length >= PER_PAGE);
    if (!more) {
      break;
    }
  }
  return all;
}

function webhookAction(rule: RawAutomationRule) {
  return rule.actions?.find((action) => action.field_name === 'trigger_webhook');
}

function summary(type: RuleType, rule: RawAutomationRule): RuleSummary {
  return {
    type,
    id: idString(rule.id),
    name: rule.name ?? '',
    active: rule.active !== false,
    url: webhookAction(rule)?.url,
  };
}

/** True when `rule` already sends to `target` with its secret, and is active. */
function upToDate(rule: RawAutomationRule, target: WebhookTarget): boolean {
  const action = webhookAction(rule);
  if (!action || action.url !== target.url || rule.active === false) {
    return false;
  }
  const headers = Object.entries(action.custom_headers ?? {});
  return headers.some(
    ([name, value]) => name.toLowerCase() === SECRET_HEADER && value === target.secret,
  );
}

/** Creates or repairs our two rules; see the module comment. */
export async function installRules(
  session: FreshdeskSession,
  target: WebhookTarget,
): Promise<InstallOutcome[]> {
  const outcomes: InstallOutcome[] = [];
  for (const type of [1, 4] as const) {
    const ours = (await listRules(session, type)).filter((rule) => rule.name === RULE_NAMES[type]);
    const [first, ...extra] = ours;
    const removed: string[] = [];
    for (const copy of extra) {
      await session.delete(`/api/v2/automations/${type}/rules/${idString(copy.id)}`);
      removed.push(idString(copy.id));
    }
    if (first === undefined) {
      const created = await session.post<RawAutomationRule>(
        `/api/v2/automations/${type}/rules`,
        ruleBody(type, target),
      );
      outcomes.push({ ...summary(type, created.data), action: 'created', removed });
    } else if (upToDate(first, target)) {
      outcomes.push({ ...summary(type, first), action: 'unchanged', removed });
    } else {
      const updated = await session.put<RawAutomationRule>(
        `/api/v2/automations/${type}/rules/${idString(first.id)}`,
        ruleBody(type, target),
      );
      outcomes.push({ ...summary(type, updated.data), action: 'updated', removed });
    }
  }
  return outcomes;
}

/**
 * Our rules, plus any other rule with a webhook to `url` (when given) or to a
 * `/webhooks/freshdesk` path.
 */
export async function findRules(session: FreshdeskSession, url?: string): Promise<RuleSummary[]> {
  const found: RuleSummary[] = [];
  for (const type of [1, 4] as const) {
    for (const rule of await listRules(session, type)) {
      const target = webhookAction(rule)?.url;
      const ours = rule.name === RULE_NAMES[type];
      const ourUrl =
        target !== undefined &&
        (url === undefined ? /\/webhooks\/freshdesk\/?(\?|$)/.test(target) : target === url);
      if (ours || ourUrl) {
        found.push(summary(type, rule));
      }
    }
  }
  return found;
}
