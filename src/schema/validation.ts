/**
 * Write validation, in one place: every mutation's input is checked the way Freshdesk would check
 * it before anything is sent (required fields, one requester identity, enum choices, custom
 * statuses, ticket types, custom and dependent fields from the account's cached ticket fields,
 * lengths, e-mail addresses, ids), and bodies carry only fields Freshdesk accepts, with ids as JSON
 * numbers. Every problem is reported at once, in the one shape and naming of `field-errors.ts`.
 */
import type { Context } from '../context.ts';
import {
  type CustomFieldRule,
  loadTicketFieldRules,
  type TicketFieldRules,
} from '../loaders/ticket-fields.ts';
import { loadTicketDetail } from '../loaders/tickets.ts';
import type { ContactWrite } from '../upstream/contacts.ts';
import type { NoteBody, ReplyBody } from '../upstream/conversations.ts';
import type { SatisfactionRatingBody } from '../upstream/satisfaction-ratings.ts';
import type { ArticleWrite } from '../upstream/solutions.ts';
import type { TicketWriteBody } from '../upstream/tickets.ts';
import {
  EMAIL,
  emailList,
  type FieldError,
  FieldErrors,
  isRecord,
  MAX_STRING_LENGTH,
  MAX_TAG_LENGTH,
  numericId,
} from './field-errors.ts';

/** Article titles Freshdesk accepts (freshdesk-api.md 2.7). */
export const ARTICLE_TITLE_MAX_LENGTH = 240;

const stringList = (v: unknown): string[] | undefined =>
  Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : undefined;

export interface ReplyInput {
  body: string;
  ccEmails?: readonly string[] | null;
  bccEmails?: readonly string[] | null;
  fromEmail?: string | null;
  userId?: string | null;
}

export interface NoteInput {
  body: string;
  private?: boolean | null;
  incoming?: boolean | null;
  notifyEmails?: readonly string[] | null;
  userId?: string | null;
}

export interface RatingInput {
  ratings?: unknown;
  feedback?: string | null;
}

function checkBodyText(body: string, errors: FieldErrors): void {
  if (body.trim() === '') {
    errors.add('body', 'It should not be blank', 'missing_field');
  }
}

// --- Tickets ----------------------------------------------------------------------------------

/** Sources Freshdesk refuses on create (forum, outbound e-mail, bot, WhatsApp) and on update. */
const CREATE_REFUSED_SOURCES = new Set([4, 10, 12, 13]);
const UPDATE_REFUSED_SOURCES = new Set([5, 6, 13]);
const RATING_QUESTION = /^(default_question|question_\d+)$/;
/** New-survey values (103 … -103) and classic ones (1 happy, 2 neutral, 3 unhappy). */
const RATING_VALUES = new Set([103, 102, 101, 100, -101, -102, -103, 1, 2, 3]);

interface TicketInput {
  subject?: string | null;
  description?: string | null;
  requesterId?: string | null;
  email?: string | null;
  name?: string | null;
  phone?: string | null;
  status?: number | null;
  statusCode?: number | null;
  priority?: number | null;
  source?: number | null;
  type?: string | null;
  tags?: readonly string[] | null;
  groupId?: string | null;
  responderId?: string | null;
  companyId?: string | null;
  customFields?: unknown;
}

/**
 * The body for `POST /tickets` (`mode: 'create'`) or `PUT /tickets/:id`, or BAD_USER_INPUT listing
 * every problem. `ticketId` is the ticket being updated (its stored custom field values matter when
 * a dependent field is set without the levels above it).
 */
export async function ticketWrite(
  ctx: Context,
  input: TicketInput,
  mode: 'create' | 'update',
  ticketId?: string,
): Promise<TicketWriteBody> {
  const errors = new FieldErrors();
  const body: TicketWriteBody = {};
  const given = <T>(value: T | null | undefined): value is T =>
    value !== null && value !== undefined;

  for (const key of ['subject', 'description'] as const) {
    const value = input[key];
    if (!given(value)) {
      continue;
    }
    if (key === 'subject' && value.trim() === '') {
      errors.add(key, 'It should not be blank', 'missing_field');
    } else if (key === 'subject' && value.length > MAX_STRING_LENGTH) {
      errors.add(
        key,
        `Has ${value.length} characters, it can have maximum of ${MAX_STRING_LENGTH} characters`,
        'invalid_value',
      );
    } else {
      body[key] = value;
    }
  }

  // The requester: an existing contact by id, or an identity Freshdesk finds or creates a contact for.
  if (given(input.requesterId)) {
    body.requester_id = numericId(input.requesterId, 'requesterId', errors);
  }
  if (given(input.email)) {
    if (EMAIL.test(input.email)) {
      body.email = input.email;
    } else {
      errors.add('email', 'It is not a valid email address', 'invalid_value');
    }
  }
  if (given(input.phone)) {
    body.phone = input.phone;
  }
  if (given(input.name)) {
    body.name = input.name;
  }
  const identified = given(input.requesterId) || given(input.email) || given(input.phone);
  if (mode === 'create' && !identified) {
    errors.add(
      'requesterId',
      'Give the requester: one of requesterId, email or phone (with name)',
      'missing_field',
    );
  }
  if (
    given(input.phone) &&
    !given(input.requesterId) &&
    !given(input.email) &&
    !given(input.name)
  ) {
    errors.add('name', 'A requester named by phone alone needs a name as well', 'missing_field');
  }
  if (given(input.name) && !identified) {
    errors.add(
      'name',
      'A name goes with an email or phone that identifies the requester',
      'invalid_value',
    );
  }

  const needsRules =
    given(input.status) ||
    given(input.statusCode) ||
    given(input.type) ||
    input.customFields !== undefined ||
    mode === 'create';
  const rules = needsRules ? await loadTicketFieldRules(ctx) : undefined;

  if (given(input.status) || given(input.statusCode)) {
    const statuses = rules?.statuses ?? new Map();
    const known = [...statuses.keys()].sort((a, b) => a - b).join(',');
    if (input.status === 0 && !given(input.statusCode)) {
      errors.add(
        'statusCode',
        `status CUSTOM needs statusCode, one of the account's custom statuses (${known})`,
        'missing_field',
      );
    } else if (
      given(input.status) &&
      input.status !== 0 &&
      given(input.statusCode) &&
      input.status !== input.statusCode
    ) {
      errors.add(
        'statusCode',
        `statusCode ${input.statusCode} contradicts status (code ${input.status})`,
      );
    } else {
      const code = given(input.statusCode) ? input.statusCode : (input.status as number);
      if (!statuses.has(code)) {
        errors.add('statusCode', `It should be one of these values: '${known}'`, 'invalid_value');
      } else if (input.status === 0 && code <= 5) {
        errors.add(
          'statusCode',
          `status CUSTOM needs a custom status code (6 and up); use the status name for ${code}`,
          'invalid_value',
        );
      } else {
        body.status = code;
      }
    }
  }
  if (given(input.priority)) {
    body.priority = input.priority;
  }
  if (given(input.source)) {
    const refused = mode === 'create' ? CREATE_REFUSED_SOURCES : UPDATE_REFUSED_SOURCES;
    if (input.source === 0 || refused.has(input.source)) {
      errors.add('source', `Freshdesk does not accept this source on ${mode}`, 'invalid_value');
    } else {
      body.source = input.source;
    }
  }
  if (input.type === null && mode === 'update') {
    body.type = null;
  } else if (given(input.type)) {
    const types = rules?.ticketTypes ?? [];
    if (types.length > 0 && !types.includes(input.type)) {
      errors.add('type', `It should be one of these values: '${types.join(',')}'`, 'invalid_value');
    } else {
      body.type = input.type;
    }
  }
  if (given(input.tags)) {
    const long = input.tags.filter((tag) => tag.length > MAX_TAG_LENGTH);
    if (long.length > 0) {
      errors.add(
        'tags',
        `Each tag can have at most ${MAX_TAG_LENGTH} characters; too long: ${long.join(', ')}`,
        'invalid_value',
      );
    } else {
      body.tags = [...new Set(input.tags)];
    }
  }
  for (const [key, wire] of [
    ['groupId', 'group_id'],
    ['responderId', 'responder_id'],
    ['companyId', 'company_id'],
  ] as const) {
    const value = input[key];
    if (value === null && mode === 'update') {
      body[wire] = null;
    } else if (given(value)) {
      body[wire] = numericId(value, key, errors);
    }
  }

  if (input.customFields !== undefined && input.customFields !== null) {
    if (!isRecord(input.customFields)) {
      errors.add(
        'customFields',
        'It should be an object of field name to value',
        'datatype_mismatch',
      );
    } else if (rules) {
      const values = input.customFields;
      let current: Record<string, unknown> = {};
      const needsStored = Object.keys(values).some((key) => {
        const rule = rules.customFields.get(key);
        return (
          (rule?.level ?? 1) > 1 &&
          rule?.levels?.slice(0, (rule.level ?? 1) - 1).some((p) => !(p in values))
        );
      });
      if (mode === 'update' && needsStored && ticketId !== undefined) {
        current = (await loadTicketDetail(ctx, ticketId)).customFields;
      }
      for (const problem of checkCustomFields(rules, values, current)) {
        errors.add(problem.field, problem.message, problem.code);
      }
      body.custom_fields = { ...values };
    }
  }
  if (mode === 'create' && rules) {
    const values = isRecord(input.customFields) ? input.customFields : {};
    for (const rule of rules.customFields.values()) {
      if (
        rule.requiredForAgents &&
        (rule.level ?? 1) === 1 &&
        (values[rule.name] ?? null) === null
      ) {
        errors.add(
          `customFields.${rule.name}`,
          'It should not be blank as this is a mandatory field',
          'missing_field',
        );
      }
    }
  }
  if (mode === 'update' && errors.empty && Object.keys(body).length === 0) {
    errors.add('input', 'Nothing to change: give at least one field', 'missing_field');
  }
  errors.check('ticket input');
  return body;
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;

/**
 * Checks `custom_fields` values against the account's definitions, as Freshdesk would: unknown keys,
 * value types, dropdown choices, and nested fields (each level must be a choice under the level
 * above; `current` holds the ticket's stored values for an update). Problems name
 * `customFields.<key>`. Required-ness is not checked here (it depends on create vs close).
 */
export function checkCustomFields(
  rules: TicketFieldRules,
  values: Record<string, unknown>,
  current: Record<string, unknown> = {},
): FieldError[] {
  const problems: FieldError[] = [];
  const merged = { ...current, ...values };
  const add = (key: string, message: string, code = 'invalid_value'): void => {
    problems.push({ field: `customFields.${key}`, message, code });
  };
  for (const [key, value] of Object.entries(values)) {
    const rule = rules.customFields.get(key);
    if (rule === undefined) {
      add(key, 'There is no such ticket field in this account', 'invalid_field');
      continue;
    }
    if (value === null) {
      continue;
    }
    const mismatch = (expected: string) =>
      add(key, `It should be a/an ${expected}`, 'datatype_mismatch');
    switch (rule.type) {
      case 'custom_checkbox':
        if (typeof value !== 'boolean') {
          mismatch('Boolean');
        }
        break;
      case 'custom_number':
        if (typeof value !== 'number' || !Number.isInteger(value)) {
          mismatch('Integer');
        }
        break;
      case 'custom_decimal':
        if (typeof value !== 'number') {
          mismatch('Number');
        }
        break;
      case 'custom_date':
        if (typeof value !== 'string' || !DATE.test(value)) {
          add(key, 'It should be a date in the YYYY-MM-DD format');
        }
        break;
      case 'custom_dropdown':
        if (typeof value !== 'string' || !(rule.choices ?? []).includes(value)) {
          add(key, `It should be one of these values: '${(rule.choices ?? []).join(',')}'`);
        }
        break;
      case 'nested_field':
        checkNested(rule, key, value, merged, add);
        break;
      default:
        if (typeof value !== 'string') {
          mismatch('String');
        }
    }
  }
  return problems;
}

function checkNested(
  rule: CustomFieldRule,
  key: string,
  value: unknown,
  merged: Record<string, unknown>,
  add: (key: string, message: string, code?: string) => void,
): void {
  const levels = rule.levels ?? [key];
  // Walk down the tree along the levels above this one.
  let node: unknown = rule.tree ?? {};
  for (const parentName of levels.slice(0, (rule.level ?? 1) - 1)) {
    const parent = merged[parentName];
    if (typeof parent !== 'string') {
      add(key, `It needs ${parentName} to be set as well`, 'missing_field');
      return;
    }
    node = isRecord(node) ? node[parent] : undefined;
  }
  const allowed = isRecord(node) ? Object.keys(node) : (stringList(node) ?? []);
  if (typeof value !== 'string' || !allowed.includes(value)) {
    add(key, `It should be one of these values: '${allowed.join(',')}'`);
  }
}

/** The body of `POST /tickets/:id/reply`, or BAD_USER_INPUT. */
export function replyBody(input: ReplyInput): ReplyBody {
  const errors = new FieldErrors();
  checkBodyText(input.body, errors);
  const body: ReplyBody = { body: input.body };
  const cc = emailList(input.ccEmails, 'ccEmails', errors);
  const bcc = emailList(input.bccEmails, 'bccEmails', errors);
  if (cc) {
    body.cc_emails = cc;
  }
  if (bcc) {
    body.bcc_emails = bcc;
  }
  if (input.fromEmail !== null && input.fromEmail !== undefined) {
    if (EMAIL.test(input.fromEmail)) {
      body.from_email = input.fromEmail;
    } else {
      errors.add('fromEmail', 'It is not a valid email address', 'invalid_value');
    }
  }
  if (input.userId !== null && input.userId !== undefined) {
    body.user_id = numericId(input.userId, 'userId', errors);
  }
  errors.check('input');
  return body;
}

/** The body of `POST /tickets/:id/notes`, or BAD_USER_INPUT. */
export function noteBody(input: NoteInput): NoteBody {
  const errors = new FieldErrors();
  checkBodyText(input.body, errors);
  const body: NoteBody = { body: input.body };
  if (input.private !== null && input.private !== undefined) {
    body.private = input.private;
  }
  if (input.incoming !== null && input.incoming !== undefined) {
    body.incoming = input.incoming;
  }
  const notify = emailList(input.notifyEmails, 'notifyEmails', errors);
  if (notify) {
    body.notify_emails = notify;
  }
  if (input.userId !== null && input.userId !== undefined) {
    body.user_id = numericId(input.userId, 'userId', errors);
  }
  errors.check('input');
  return body;
}

/** The body of `POST /tickets/:id/satisfaction_ratings`, or BAD_USER_INPUT. */
export function ratingBody(input: RatingInput): SatisfactionRatingBody {
  const errors = new FieldErrors();
  const ratings: Record<string, number> = {};
  if (!isRecord(input.ratings)) {
    errors.add('ratings', 'It should be an object of question id to value', 'datatype_mismatch');
  } else {
    for (const [question, value] of Object.entries(input.ratings)) {
      if (!RATING_QUESTION.test(question)) {
        errors.add(
          `ratings.${question}`,
          'Question ids are default_question or question_<n>',
          'invalid_field',
        );
      } else if (typeof value !== 'number' || !RATING_VALUES.has(value)) {
        errors.add(
          `ratings.${question}`,
          `It should be one of these values: '${[...RATING_VALUES].join(',')}'`,
          'invalid_value',
        );
      } else {
        ratings[question] = value;
      }
    }
    if (!('default_question' in input.ratings)) {
      errors.add('ratings.default_question', 'Mandatory attribute missing', 'missing_field');
    }
  }
  errors.check('input');
  const body: SatisfactionRatingBody = { ratings };
  if (input.feedback !== null && input.feedback !== undefined) {
    body.feedback = input.feedback;
  }
  return body;
}

// --- Contacts and articles ----------------------------------------------------------------------

/** The gateway-side view of a contact write (GraphQL input, camelCase, ids as strings). */
export interface ContactInput {
  name?: string | null;
  email?: string | null;
  phone?: string | null;
  mobile?: string | null;
  companyId?: string | null;
  tags?: readonly string[] | null;
  customFields?: unknown;
}

/**
 * Checks a contact write the way Freshdesk would (name required on create; at least one of e-mail,
 * phone, mobile on create; e-mail format; lengths; tags; custom fields as a flat object of scalars)
 * and builds the body from accepted fields only. Whether `companyId` exists, and e-mail uniqueness,
 * are left to Freshdesk. Problems name the GraphQL input fields.
 */
export function contactWriteBody(
  input: ContactInput,
  mode: 'create' | 'update',
): { body: ContactWrite; problems: FieldError[] } {
  const body: ContactWrite = {};
  const problems: FieldError[] = [];
  const add = (field: string, message: string, code = 'invalid_value'): void => {
    problems.push({ field, message, code });
  };
  const text = (field: 'phone' | 'mobile' | 'name', value: string): boolean => {
    if (value.length > MAX_STRING_LENGTH) {
      add(
        field,
        `Has ${value.length} characters, it can have maximum of ${MAX_STRING_LENGTH} characters`,
      );
      return false;
    }
    return true;
  };

  if (input.name !== undefined || mode === 'create') {
    if (input.name === null || input.name === undefined || input.name.trim() === '') {
      add('name', 'It should not be blank as this is a mandatory field', 'missing_field');
    } else if (text('name', input.name)) {
      body.name = input.name;
    }
  }
  if (input.email !== undefined && !(input.email === null && mode === 'create')) {
    if (input.email === null) {
      body.email = null;
    } else if (!EMAIL.test(input.email) || input.email.length > MAX_STRING_LENGTH) {
      add('email', "It should be in the 'valid email address' format");
    } else {
      body.email = input.email;
    }
  }
  for (const key of ['phone', 'mobile'] as const) {
    const value = input[key];
    if (value === undefined || (value === null && mode === 'create')) {
      continue;
    }
    if (value === null || text(key, value)) {
      body[key] = value;
    }
  }
  if (input.companyId !== undefined && !(input.companyId === null && mode === 'create')) {
    if (input.companyId === null) {
      body.company_id = null;
    } else if (
      /^\d{1,16}$/.test(input.companyId) &&
      Number.isSafeInteger(Number(input.companyId))
    ) {
      body.company_id = Number(input.companyId);
    } else {
      add(
        'companyId',
        `It should be a Freshdesk company id; got "${input.companyId}"`,
        'datatype_mismatch',
      );
    }
  }
  if (input.tags !== undefined && input.tags !== null) {
    const long = input.tags.find((tag) => tag.length > MAX_TAG_LENGTH);
    if (long !== undefined) {
      add(
        'tags',
        `It should only contain elements that have maximum of ${MAX_TAG_LENGTH} characters`,
      );
    } else {
      body.tags = [...input.tags];
    }
  } else if (input.tags === null && mode === 'update') {
    body.tags = [];
  }
  if (input.customFields !== undefined && input.customFields !== null) {
    const value = input.customFields;
    if (typeof value !== 'object' || Array.isArray(value)) {
      add('customFields', 'It should be an object of field name to value', 'datatype_mismatch');
    } else {
      const entries = Object.entries(value as Record<string, unknown>);
      const bad = entries.find(
        ([, v]) => v !== null && !['string', 'number', 'boolean'].includes(typeof v),
      );
      if (bad) {
        add(
          `customFields.${bad[0]}`,
          'It should be a string, number, boolean or null',
          'datatype_mismatch',
        );
      } else {
        body.custom_fields = Object.fromEntries(entries);
      }
    }
  }
  if (mode === 'create' && problems.length === 0) {
    const reachable = [body.email, body.phone, body.mobile].some(
      (v) => typeof v === 'string' && v !== '',
    );
    if (!reachable) {
      add('email', 'Please fill at least 1 of email, phone, mobile fields', 'missing_field');
    }
  }
  if (mode === 'update' && problems.length === 0 && Object.keys(body).length === 0) {
    add('input', 'An update needs at least one field to change', 'missing_field');
  }
  return { body, problems };
}

export interface ArticleInput {
  title?: string | null;
  description?: string | null;
  status?: 1 | 2 | null;
  type?: 1 | 2 | null;
  tags?: string[] | null;
}

/**
 * Checks an article input as Freshdesk would and returns only the fields it accepts. All problems
 * are reported at once, as `extensions.fieldErrors`.
 */
export function articleWrite(input: ArticleInput, mode: 'create' | 'update'): ArticleWrite {
  const errors = new FieldErrors();
  const out: ArticleWrite = {};
  const nullGiven = (field: keyof ArticleInput) =>
    errors.add(
      field,
      'It should not be null; leave the field out to keep its value.',
      'datatype_mismatch',
    );
  const text = (field: 'title' | 'description', max?: number) => {
    const value = input[field];
    if (value === undefined) {
      return;
    }
    if (value === null) {
      nullGiven(field);
    } else if (value.trim() === '') {
      errors.add(field, 'It should not be blank as this is a mandatory field', 'missing_field');
    } else if (max !== undefined && value.length > max) {
      errors.add(field, `Has ${value.length} characters, it can have maximum of ${max} characters`);
    } else {
      out[field] = value;
    }
  };
  text('title', ARTICLE_TITLE_MAX_LENGTH);
  text('description');
  for (const field of ['status', 'type'] as const) {
    const value = input[field];
    if (value === null) {
      nullGiven(field);
    } else if (value !== undefined) {
      out[field] = value;
    }
  }
  if (input.tags === null) {
    nullGiven('tags');
  } else if (input.tags !== undefined) {
    if (input.tags.some((tag) => tag.length > MAX_TAG_LENGTH)) {
      errors.add(
        'tags',
        `It should only contain elements that have maximum of ${MAX_TAG_LENGTH} characters`,
      );
    } else {
      out.tags = input.tags;
    }
  }
  if (mode === 'update' && errors.empty && Object.keys(out).length === 0) {
    errors.add('input', 'Give at least one field to change.', 'missing_params');
  }
  errors.check('article input');
  return out;
}
