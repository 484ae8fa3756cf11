/**
 * Ticket writes: `createTicket`, `updateTicket`, `replyToTicket`, `addNote` and
 * `createSatisfactionRating`.
 *
 * Input is checked the way Freshdesk would check it before anything is sent (required fields, one
 * requester identity, enum choices, custom statuses, ticket types, custom and dependent fields from
 * the account's cached ticket fields), and bodies carry only fields Freshdesk accepts, with ids as
 * JSON numbers. Every problem is reported at once: BAD_USER_INPUT with `extensions.fieldErrors`.
 */
import { builder } from '../../builder.ts';
import type { Context } from '../../context.ts';
import { badUserInput } from '../../errors.ts';
import { conversationAdded, ticketWritten } from '../../freshness/writes.ts';
import { loadTicketFieldRules } from '../../loaders/ticket-fields.ts';
import { replaceTicket, ticketDetailLoader, ticketLoader } from '../../loaders/tickets.ts';
import {
  createNote,
  createReply,
  type NoteBody,
  type ReplyBody,
} from '../../upstream/conversations.ts';
import { pathId } from '../../upstream/ids.ts';
import {
  createSatisfactionRating,
  type SatisfactionRatingBody,
} from '../../upstream/satisfaction-ratings.ts';
import { createTicket, type TicketWriteBody, updateTicket } from '../../upstream/tickets.ts';
import { Conversation } from './conversation.ts';
import { SatisfactionRating } from './satisfaction-rating.ts';
import { Ticket, TicketPriority, TicketSource, TicketStatus, ticketIdArg } from './ticket.ts';
import { checkCustomFields } from './ticket-field.ts';

interface FieldError {
  field: string;
  message: string;
  code: string;
}

const EMAIL = /^[^\s@<>,;"]+@[^\s@<>,;"]+\.[^\s@<>,;"]+$/;
const MAX_STRING_LENGTH = 255;
const MAX_TAG_LENGTH = 32;
/** Sources Freshdesk refuses on create (forum, outbound e-mail, bot, WhatsApp) and on update. */
const CREATE_REFUSED_SOURCES = new Set([4, 10, 12, 13]);
const UPDATE_REFUSED_SOURCES = new Set([5, 6, 13]);
const RATING_QUESTION = /^(default_question|question_\d+)$/;
/** New-survey values (103 … -103) and classic ones (1 happy, 2 neutral, 3 unhappy). */
const RATING_VALUES = new Set([103, 102, 101, 100, -101, -102, -103, 1, 2, 3]);

function fail(errors: FieldError[]): never {
  throw badUserInput(`Invalid input: ${errors.map((e) => `${e.field}: ${e.message}`).join('; ')}`, {
    fieldErrors: errors,
  });
}

/** A GraphQL id as the JSON number Freshdesk expects in a body. */
function numericId(value: string, field: string, errors: FieldError[]): number | undefined {
  const digits = pathId(value);
  const number = digits === undefined ? Number.NaN : Number(digits);
  if (!Number.isSafeInteger(number) || number <= 0) {
    errors.push({
      field,
      message: `It should be a decimal id; got "${value}"`,
      code: 'datatype_mismatch',
    });
    return undefined;
  }
  return number;
}

function checkEmails(
  list: readonly string[] | null | undefined,
  field: string,
  errors: FieldError[],
): string[] | undefined {
  if (list === null || list === undefined) {
    return undefined;
  }
  const bad = list.filter((email) => !EMAIL.test(email));
  if (bad.length > 0) {
    errors.push({
      field,
      message: `It should contain only valid e-mail addresses; got ${bad.map((b) => `"${b}"`).join(', ')}`,
      code: 'invalid_value',
    });
    return undefined;
  }
  return [...list];
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

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
export async function ticketWriteBody(
  ctx: Context,
  input: TicketInput,
  mode: 'create' | 'update',
  ticketId?: string,
): Promise<TicketWriteBody> {
  const errors: FieldError[] = [];
  const body: TicketWriteBody = {};
  const given = <T>(value: T | null | undefined): value is T =>
    value !== null && value !== undefined;

  for (const key of ['subject', 'description'] as const) {
    const value = input[key];
    if (!given(value)) {
      continue;
    }
    if (key === 'subject' && value.trim() === '') {
      errors.push({ field: key, message: 'It should not be blank', code: 'missing_field' });
    } else if (key === 'subject' && value.length > MAX_STRING_LENGTH) {
      errors.push({
        field: key,
        message: `Has ${value.length} characters, it can have maximum of ${MAX_STRING_LENGTH} characters`,
        code: 'invalid_value',
      });
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
      errors.push({
        field: 'email',
        message: 'It is not a valid email address',
        code: 'invalid_value',
      });
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
    errors.push({
      field: 'requesterId',
      message: 'Give the requester: one of requesterId, email or phone (with name)',
      code: 'missing_field',
    });
  }
  if (
    given(input.phone) &&
    !given(input.requesterId) &&
    !given(input.email) &&
    !given(input.name)
  ) {
    errors.push({
      field: 'name',
      message: 'A requester named by phone alone needs a name as well',
      code: 'missing_field',
    });
  }
  if (given(input.name) && !identified) {
    errors.push({
      field: 'name',
      message: 'A name goes with an email or phone that identifies the requester',
      code: 'invalid_value',
    });
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
      errors.push({
        field: 'statusCode',
        message: `status CUSTOM needs statusCode, one of the account's custom statuses (${known})`,
        code: 'missing_field',
      });
    } else if (
      given(input.status) &&
      input.status !== 0 &&
      given(input.statusCode) &&
      input.status !== input.statusCode
    ) {
      errors.push({
        field: 'statusCode',
        message: `statusCode ${input.statusCode} contradicts status (code ${input.status})`,
        code: 'invalid_value',
      });
    } else {
      const code = given(input.statusCode) ? input.statusCode : (input.status as number);
      if (!statuses.has(code)) {
        errors.push({
          field: 'statusCode',
          message: `It should be one of these values: '${known}'`,
          code: 'invalid_value',
        });
      } else if (input.status === 0 && code <= 5) {
        errors.push({
          field: 'statusCode',
          message: `status CUSTOM needs a custom status code (6 and up); use the status name for ${code}`,
          code: 'invalid_value',
        });
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
      errors.push({
        field: 'source',
        message: `Freshdesk does not accept this source on ${mode}`,
        code: 'invalid_value',
      });
    } else {
      body.source = input.source;
    }
  }
  if (input.type === null && mode === 'update') {
    body.type = null;
  } else if (given(input.type)) {
    const types = rules?.ticketTypes ?? [];
    if (types.length > 0 && !types.includes(input.type)) {
      errors.push({
        field: 'type',
        message: `It should be one of these values: '${types.join(',')}'`,
        code: 'invalid_value',
      });
    } else {
      body.type = input.type;
    }
  }
  if (given(input.tags)) {
    const long = input.tags.filter((tag) => tag.length > MAX_TAG_LENGTH);
    if (long.length > 0) {
      errors.push({
        field: 'tags',
        message: `Each tag can have at most ${MAX_TAG_LENGTH} characters; too long: ${long.join(', ')}`,
        code: 'invalid_value',
      });
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
      errors.push({
        field: 'customFields',
        message: 'It should be an object of field name to value',
        code: 'datatype_mismatch',
      });
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
        current = (await ticketDetailLoader(ctx).load(ticketId)).customFields;
      }
      errors.push(...checkCustomFields(rules, values, current));
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
        errors.push({
          field: `customFields.${rule.name}`,
          message: 'It should not be blank as this is a mandatory field',
          code: 'missing_field',
        });
      }
    }
  }
  if (mode === 'update' && errors.length === 0 && Object.keys(body).length === 0) {
    errors.push({
      field: 'input',
      message: 'Nothing to change: give at least one field',
      code: 'missing_field',
    });
  }
  if (errors.length > 0) {
    fail(errors);
  }
  return body;
}

const ticketFields =
  (required: boolean) => (t: PothosSchemaTypes.InputFieldBuilder<Types, 'InputObject'>) => ({
    subject: t.string({ required, description: 'The subject line (at most 255 characters).' }),
    description: t.string({ required, description: 'The HTML description.' }),
    requesterId: t.id({ description: 'The requester, an existing contact.' }),
    email: t.string({ description: 'The requester by e-mail (a contact is created if new).' }),
    name: t.string({ description: "The requester's name (needed with `phone` alone)." }),
    phone: t.string({ description: 'The requester by phone number.' }),
    status: t.field({ type: TicketStatus, description: 'The status; CUSTOM needs `statusCode`.' }),
    statusCode: t.int({ description: 'A status code (for custom statuses, 6 and up).' }),
    priority: t.field({ type: TicketPriority, description: 'The priority (default LOW).' }),
    source: t.field({ type: TicketSource, description: 'The channel (default PORTAL).' }),
    type: t.string({ description: "One of the account's ticket types." }),
    tags: t.stringList({ description: 'Tags (each at most 32 characters).' }),
    groupId: t.id({ description: 'The group to assign.' }),
    responderId: t.id({ description: 'The agent to assign.' }),
    companyId: t.id({ description: "The requester's company for this ticket." }),
    customFields: t.field({
      type: 'JSON',
      description:
        'Custom field values by name (`cf_...`); a dependent (nested) field is set by giving each level its own key.',
    }),
  });

type Types = typeof builder extends PothosSchemaTypes.SchemaBuilder<infer S> ? S : never;

export const CreateTicketInput = builder.inputType('CreateTicketInput', {
  description: 'A new ticket. Name the requester with one of requesterId, email or phone (+ name).',
  fields: ticketFields(true),
});

export const UpdateTicketInput = builder.inputType('UpdateTicketInput', {
  description:
    'Changes to a ticket: only the fields given change (null clears type and assignments).',
  fields: ticketFields(false),
});

export const ReplyInput = builder.inputType('ReplyInput', {
  description: 'A reply e-mailed to the requester.',
  fields: (t) => ({
    body: t.string({ required: true, description: 'The HTML body.' }),
    ccEmails: t.stringList({ description: 'Addresses to copy.' }),
    bccEmails: t.stringList({ description: 'Addresses to blind-copy.' }),
    fromEmail: t.string({ description: 'The support address to send from.' }),
    userId: t.id({ description: 'The agent replying (default: the API key owner).' }),
  }),
});

export const NoteInput = builder.inputType('NoteInput', {
  description: 'A note on a ticket.',
  fields: (t) => ({
    body: t.string({ required: true, description: 'The HTML body.' }),
    private: t.boolean({ description: 'Visible to agents only (default true).' }),
    incoming: t.boolean({ description: 'Shown as coming from outside (default false).' }),
    notifyEmails: t.stringList({ description: 'Agent addresses to notify.' }),
    userId: t.id({ description: 'The author (default: the API key owner).' }),
  }),
});

export const SatisfactionRatingInput = builder.inputType('SatisfactionRatingInput', {
  description: "A customer's answer to the satisfaction survey.",
  fields: (t) => ({
    ratings: t.field({
      type: 'JSON',
      required: true,
      description:
        'Answers by question id; `default_question` is required: `{"default_question": 103}` (103 … -103, or classic 1-3).',
    }),
    feedback: t.string({ description: "The customer's comment." }),
  }),
});

function checkBodyText(body: string, errors: FieldError[]): void {
  if (body.trim() === '') {
    errors.push({ field: 'body', message: 'It should not be blank', code: 'missing_field' });
  }
}

builder.mutationField('createTicket', (t) =>
  t.field({
    type: Ticket,
    description: 'Creates a ticket.',
    args: { input: t.arg({ type: CreateTicketInput, required: true, description: 'The ticket.' }) },
    resolve: async (_root, { input }, ctx) => {
      const body = await ticketWriteBody(ctx, input, 'create');
      const ticket = await createTicket(ctx.freshdesk, body);
      replaceTicket(ctx, ticket);
      ticketWritten(ctx, ticket, 'created');
      return ticket;
    },
  }),
);

builder.mutationField('updateTicket', (t) =>
  t.field({
    type: Ticket,
    description: 'Changes a ticket (METHOD_NOT_ALLOWED for spam or deleted tickets).',
    args: {
      id: t.arg.id({ required: true, description: "The ticket's id." }),
      input: t.arg({ type: UpdateTicketInput, required: true, description: 'The changes.' }),
    },
    resolve: async (_root, { id, input }, ctx) => {
      const ticketId = ticketIdArg(id);
      const body = await ticketWriteBody(ctx, input, 'update', ticketId);
      const ticket = await updateTicket(ctx.freshdesk, ticketId, body);
      replaceTicket(ctx, ticket);
      ticketWritten(ctx, ticket, 'updated');
      return ticket;
    },
  }),
);

builder.mutationField('replyToTicket', (t) =>
  t.field({
    type: Conversation,
    description: 'Replies to the requester on a ticket.',
    args: {
      ticketId: t.arg.id({ required: true, description: "The ticket's id." }),
      input: t.arg({ type: ReplyInput, required: true, description: 'The reply.' }),
    },
    resolve: async (_root, { ticketId, input }, ctx) => {
      const id = ticketIdArg(ticketId);
      const errors: FieldError[] = [];
      checkBodyText(input.body, errors);
      const body: ReplyBody = { body: input.body };
      const cc = checkEmails(input.ccEmails, 'ccEmails', errors);
      const bcc = checkEmails(input.bccEmails, 'bccEmails', errors);
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
          errors.push({
            field: 'fromEmail',
            message: 'It is not a valid email address',
            code: 'invalid_value',
          });
        }
      }
      if (input.userId !== null && input.userId !== undefined) {
        body.user_id = numericId(input.userId, 'userId', errors);
      }
      if (errors.length > 0) {
        fail(errors);
      }
      const conversation = await createReply(ctx.freshdesk, id, body);
      forgetTicket(ctx, id);
      conversationAdded(ctx, id, conversation, 'reply_sent');
      return conversation;
    },
  }),
);

builder.mutationField('addNote', (t) =>
  t.field({
    type: Conversation,
    description: 'Adds a note to a ticket (private unless `private: false`).',
    args: {
      ticketId: t.arg.id({ required: true, description: "The ticket's id." }),
      input: t.arg({ type: NoteInput, required: true, description: 'The note.' }),
    },
    resolve: async (_root, { ticketId, input }, ctx) => {
      const id = ticketIdArg(ticketId);
      const errors: FieldError[] = [];
      checkBodyText(input.body, errors);
      const body: NoteBody = { body: input.body };
      if (input.private !== null && input.private !== undefined) {
        body.private = input.private;
      }
      if (input.incoming !== null && input.incoming !== undefined) {
        body.incoming = input.incoming;
      }
      const notify = checkEmails(input.notifyEmails, 'notifyEmails', errors);
      if (notify) {
        body.notify_emails = notify;
      }
      if (input.userId !== null && input.userId !== undefined) {
        body.user_id = numericId(input.userId, 'userId', errors);
      }
      if (errors.length > 0) {
        fail(errors);
      }
      const conversation = await createNote(ctx.freshdesk, id, body);
      forgetTicket(ctx, id);
      conversationAdded(ctx, id, conversation, 'note_added');
      return conversation;
    },
  }),
);

builder.mutationField('createSatisfactionRating', (t) =>
  t.field({
    type: SatisfactionRating,
    description:
      "Records a customer's satisfaction rating on a ticket (needs the Surveys feature).",
    args: {
      ticketId: t.arg.id({ required: true, description: "The ticket's id." }),
      input: t.arg({ type: SatisfactionRatingInput, required: true, description: 'The rating.' }),
    },
    resolve: async (_root, { ticketId, input }, ctx) => {
      const id = ticketIdArg(ticketId);
      const errors: FieldError[] = [];
      const ratings: Record<string, number> = {};
      if (!isRecord(input.ratings)) {
        errors.push({
          field: 'ratings',
          message: 'It should be an object of question id to value',
          code: 'datatype_mismatch',
        });
      } else {
        for (const [question, value] of Object.entries(input.ratings)) {
          if (!RATING_QUESTION.test(question)) {
            errors.push({
              field: `ratings.${question}`,
              message: 'Question ids are default_question or question_<n>',
              code: 'invalid_field',
            });
          } else if (typeof value !== 'number' || !RATING_VALUES.has(value)) {
            errors.push({
              field: `ratings.${question}`,
              message: `It should be one of these values: '${[...RATING_VALUES].join(',')}'`,
              code: 'invalid_value',
            });
          } else {
            ratings[question] = value;
          }
        }
        if (!('default_question' in input.ratings)) {
          errors.push({
            field: 'ratings.default_question',
            message: 'Mandatory attribute missing',
            code: 'missing_field',
          });
        }
      }
      if (errors.length > 0) {
        fail(errors);
      }
      const body: SatisfactionRatingBody = { ratings };
      if (input.feedback !== null && input.feedback !== undefined) {
        body.feedback = input.feedback;
      }
      return createSatisfactionRating(ctx.freshdesk, id, body);
    },
  }),
);

/** A reply or note changes the ticket (`updated_at`): later reads in this request fetch it again. */
function forgetTicket(ctx: Context, id: string): void {
  ticketLoader(ctx).clear(id);
  ticketDetailLoader(ctx).clear(id);
}
