/**
 * Automation rules over the API (freshdesk-api.md section 7; firing is `../automations.ts`):
 * `GET|POST /automations/{1|3|4}/rules`, `GET|PUT|DELETE /automations/{type}/rules/{id}`. Admins
 * only (403 otherwise). Lists are arrays paged with `page`/`per_page` and `Link`, ordered by
 * position. Bodies are checked as strictly as Freshdesk checks them: unknown keys are
 * `invalid_field`, `performer` and `events` belong to ticket-update rules (type 4) only, `name`,
 * `conditions` and `actions` are required on create, and a webhook action must be one the emulator
 * can deliver (see `webhookRule`).
 */
import {
  AUTOMATION_TYPES,
  type AutomationAction,
  type AutomationEvent,
  type AutomationRule,
  type Automations,
  type AutomationType,
  webhookRule,
} from '../automations.ts';
import {
  checkBodyFields,
  type EmuReply,
  type EmuRequest,
  type FieldError,
  isoSeconds,
  notFound,
  paginate,
  type Route,
  type RouteContext,
  readPage,
  requestError,
  validationError,
} from '../http.ts';
import { created, MAX_STRING_LENGTH } from './shared.ts';

const RULE_FIELDS = [
  'name',
  'description',
  'position',
  'active',
  'performer',
  'events',
  'conditions',
  'operator',
  'actions',
] as const;
const UPDATE_ONLY = ['performer', 'events'];
const EVENT_FIELDS = ['field_name', 'from', 'to', 'value', 'from_nested_field', 'to_nested_field'];
const ACTION_FIELDS = [
  'field_name',
  'value',
  'email_to',
  'email_subject',
  'email_body',
  'action_type',
  'include_to_and_cc',
  'add_as_private_note',
  'api_key',
  'auth_header',
  'custom_headers',
  'content',
  'content_type',
  'content_layout',
  'request_type',
  'url',
  'note_body',
  'notify_agents',
  'nested_fields',
  'fwd_to',
  'fwd_cc',
  'fwd_bcc',
  'fwd_note_body',
  'push_to',
  'slack_text',
  'office365_text',
  'resource_type',
  'object_reference',
];

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

function store(ctx: RouteContext): Automations {
  if (!ctx.automations) {
    throw new Error('automation rules are unavailable in this emulator');
  }
  return ctx.automations;
}

function typeParam(req: EmuRequest): AutomationType {
  const type = Number(req.params.type);
  if (
    !(AUTOMATION_TYPES as readonly number[]).includes(type) ||
    !/^\d+$/.test(req.params.type ?? '')
  ) {
    throw notFound();
  }
  return type as AutomationType;
}

function ruleParam(req: EmuRequest, ctx: RouteContext): AutomationRule {
  const id = req.params.id ?? '';
  const rule = /^\d{1,16}$/.test(id) ? store(ctx).get(typeParam(req), Number(id)) : undefined;
  if (!rule) {
    throw notFound();
  }
  return rule;
}

/**
 * Checks a create (`existing` undefined) or update body and returns the rule it makes; every
 * problem is reported at once.
 */
function checkRuleBody(
  req: EmuRequest,
  type: AutomationType,
  existing: AutomationRule | undefined,
  ctx: RouteContext,
): AutomationRule {
  const body = checkBodyFields(req.body, RULE_FIELDS);
  const errors: FieldError[] = [];
  const bad = (field: string, message: string, code = 'invalid_value') =>
    errors.push({ field, message, code });
  if (type !== 4) {
    for (const field of UPDATE_ONLY) {
      if (field in body) {
        bad(field, 'Unexpected/invalid field in request', 'invalid_field');
      }
    }
  }
  if (existing === undefined) {
    for (const field of ['name', 'conditions', 'actions']) {
      if (!(field in body)) {
        bad(field, 'Mandatory attribute missing', 'missing_field');
      }
    }
  }
  if ('name' in body) {
    const name = body.name;
    if (typeof name !== 'string' || name.trim() === '') {
      bad('name', 'It should be a/an String', 'datatype_mismatch');
    } else if (name.length > MAX_STRING_LENGTH) {
      bad(
        'name',
        `Has ${name.length} characters, it can have maximum of ${MAX_STRING_LENGTH} characters`,
      );
    }
  }
  if ('description' in body && body.description !== null && typeof body.description !== 'string') {
    bad('description', 'It should be a/an String', 'datatype_mismatch');
  }
  if ('position' in body && !(Number.isInteger(body.position) && (body.position as number) > 0)) {
    bad('position', 'It should be a/an Positive Integer', 'datatype_mismatch');
  }
  if ('active' in body && typeof body.active !== 'boolean') {
    bad('active', 'It should be a/an Boolean', 'datatype_mismatch');
  }
  if ('operator' in body && typeof body.operator !== 'string') {
    bad('operator', 'It should be a/an String', 'datatype_mismatch');
  }
  if ('conditions' in body && !Array.isArray(body.conditions)) {
    bad('conditions', 'It should be a/an Array', 'datatype_mismatch');
  }
  if (type === 4 && 'performer' in body) {
    const performer = body.performer;
    if (!isObject(performer) || ![1, 2, 3, 4].includes(performer.type as number)) {
      bad(
        'performer',
        'type should be 1 (agent), 2 (requester), 3 (agent or requester) or 4 (system)',
      );
    } else if (performer.members !== undefined && !Array.isArray(performer.members)) {
      bad('performer', 'members should be an array of agent ids', 'datatype_mismatch');
    }
  }
  if (type === 4 && 'events' in body) {
    const events = body.events;
    if (!Array.isArray(events)) {
      bad('events', 'It should be a/an Array', 'datatype_mismatch');
    } else {
      events.forEach((event, i) => {
        if (!isObject(event) || typeof event.field_name !== 'string') {
          bad(`events[${i}]`, 'Each event needs a field_name', 'missing_field');
        } else {
          for (const key of Object.keys(event).filter((k) => !EVENT_FIELDS.includes(k))) {
            bad(`events[${i}].${key}`, 'Unexpected/invalid field in request', 'invalid_field');
          }
        }
      });
    }
  }
  const id = existing?.id ?? ctx.data.nextId;
  if ('actions' in body) {
    const actions = body.actions;
    if (!Array.isArray(actions) || actions.length === 0) {
      bad('actions', 'It should be a non-empty Array', 'datatype_mismatch');
    } else {
      actions.forEach((action, i) => {
        if (!isObject(action) || typeof action.field_name !== 'string') {
          bad(`actions[${i}]`, 'Each action needs a field_name', 'missing_field');
          return;
        }
        for (const key of Object.keys(action).filter((k) => !ACTION_FIELDS.includes(k))) {
          bad(`actions[${i}].${key}`, 'Unexpected/invalid field in request', 'invalid_field');
        }
        if (action.field_name === 'trigger_webhook') {
          try {
            webhookRule(id, action as AutomationAction);
          } catch (error) {
            bad(`actions[${i}]`, error instanceof Error ? error.message : String(error));
          }
        }
      });
    }
  }
  if (errors.length > 0) {
    throw validationError(errors);
  }
  const now = isoSeconds(ctx.now());
  const rule: AutomationRule = existing ?? {
    id,
    name: '',
    description: null,
    position: store(ctx).list(type).length + 1,
    active: true,
    automation_type_id: type,
    conditions: [],
    actions: [],
    outdated: false,
    last_updated_by: req.agent.id,
    affected_tickets_count: null,
    created_at: now,
    updated_at: now,
  };
  if (existing === undefined) {
    ctx.data.nextId++;
  }
  if (typeof body.name === 'string') {
    rule.name = body.name;
  }
  if ('description' in body) {
    rule.description = (body.description as string | null) ?? null;
  }
  if (typeof body.position === 'number') {
    rule.position = body.position;
  }
  if (typeof body.active === 'boolean') {
    rule.active = body.active;
  }
  if (typeof body.operator === 'string') {
    rule.operator = body.operator;
  }
  if (Array.isArray(body.conditions)) {
    rule.conditions = body.conditions;
  }
  if (Array.isArray(body.actions)) {
    rule.actions = body.actions as AutomationAction[];
  }
  if (isObject(body.performer)) {
    rule.performer = body.performer as AutomationRule['performer'];
  }
  if (Array.isArray(body.events)) {
    rule.events = body.events as AutomationEvent[];
  }
  rule.last_updated_by = req.agent.id;
  rule.updated_at = now;
  return rule;
}

function listRules(req: EmuRequest, ctx: RouteContext): EmuReply {
  const page = readPage(req.query);
  return paginate(store(ctx).list(typeParam(req)), req, page);
}

function createRule(req: EmuRequest, ctx: RouteContext): EmuReply {
  const type = typeParam(req);
  const rule = store(ctx).put(checkRuleBody(req, type, undefined, ctx));
  return created(req, `/automations/${type}/rules/${rule.id}`, rule);
}

function updateRule(req: EmuRequest, ctx: RouteContext): EmuReply {
  const existing = ruleParam(req, ctx);
  if (!req.body || Object.keys(req.body).length === 0) {
    throw requestError(400, 'missing_params', 'Mandatory attributes missing');
  }
  const rule = checkRuleBody(req, existing.automation_type_id, existing, ctx);
  return { status: 200, body: store(ctx).put(rule) };
}

function deleteRule(req: EmuRequest, ctx: RouteContext): EmuReply {
  const rule = ruleParam(req, ctx);
  store(ctx).remove(rule.automation_type_id, rule.id);
  return { status: 204 };
}

export const routes: Route[] = [
  {
    method: 'GET',
    path: '/automations/:type/rules',
    query: ['page', 'per_page'],
    admin: true,
    handler: listRules,
  },
  { method: 'POST', path: '/automations/:type/rules', admin: true, handler: createRule },
  {
    method: 'GET',
    path: '/automations/:type/rules/:id',
    admin: true,
    handler: (req, ctx) => ({ status: 200, body: ruleParam(req, ctx) }),
  },
  { method: 'PUT', path: '/automations/:type/rules/:id', admin: true, handler: updateRule },
  { method: 'DELETE', path: '/automations/:type/rules/:id', admin: true, handler: deleteRule },
];
