/**
 * Contacts (freshdesk-api.md section 2.3): list with filters, show, create and update, with
 * Freshdesk's strict body allow-list, its 409 body for a duplicate e-mail and its 405 for blocked or
 * deleted contacts.
 */
import {
  checkBodyFields,
  type EmuReply,
  type EmuRequest,
  isoSeconds,
  methodNotAllowed,
  paginate,
  publicView,
  type Route,
  type RouteContext,
  readPage,
} from '../http.ts';
import type { ContactRecord, EmulatorData } from '../records.ts';
import {
  BodyCheck,
  byNameThenId,
  type CustomFieldValue,
  checkCustomFields,
  created,
  findById,
  isEmail,
  MAX_TAG_LENGTH,
  readChoiceParam,
  readDateParam,
  readIdParam,
  requireSomeParams,
  sameEmail,
} from './shared.ts';

const CONTACT_FIELDS = [
  'name',
  'email',
  'phone',
  'mobile',
  'twitter_id',
  'unique_external_id',
  'company_id',
  'view_all_tickets',
  'other_emails',
  'other_companies',
  'address',
  'description',
  'job_title',
  'language',
  'time_zone',
  'tags',
  'custom_fields',
] as const;

/** A contact needs at least one of these to be reachable (Freshdesk's `fill_a_mandatory_field`). */
const IDENTITY_FIELDS = ['email', 'phone', 'mobile', 'twitter_id', 'unique_external_id'] as const;

const STATES = ['verified', 'unverified', 'deleted', 'blocked'] as const;

const CONTACT_TYPES = ['contact', 'visitor'] as const;

const MAX_OTHER_EMAILS = 10;

// The seed fixes the account's contact fields; remember them per data set.
const knownCustomFields = new WeakMap<EmulatorData, Set<string>>();

/** Contact custom field names, derived from the seeded contacts (the account's contact fields). */
function contactCustomFields(data: EmulatorData): Set<string> {
  let known = knownCustomFields.get(data);
  if (known === undefined) {
    known = new Set();
    for (const contact of data.contacts.values()) {
      for (const key of Object.keys(contact.custom_fields)) {
        known.add(key);
      }
    }
    knownCustomFields.set(data, known);
  }
  return known;
}

/** The user (contact or agent) that already owns `email`, if any; deleted contacts still own it. */
function emailOwner(data: EmulatorData, email: string, exceptId?: number): number | undefined {
  for (const contact of data.contacts.values()) {
    if (
      contact.id !== exceptId &&
      (sameEmail(contact.email, email) || contact.other_emails.some((o) => sameEmail(o, email)))
    ) {
      return contact.id;
    }
  }
  for (const agent of data.agents.values()) {
    if (agent.id !== exceptId && sameEmail(agent.contact.email, email)) {
      return agent.id;
    }
  }
  return undefined;
}

function listContacts(req: EmuRequest, ctx: RouteContext): EmuReply {
  const { query } = req;
  const email = query.get('email');
  const phone = query.get('phone');
  const mobile = query.get('mobile');
  const companyId = readIdParam(query, 'company_id');
  const state = readChoiceParam(query, 'state', STATES);
  // The 2020 server read `_updated_since`, today's docs say `updated_since`; clients send either.
  const since = [readDateParam(query, 'updated_since'), readDateParam(query, '_updated_since')];
  // Newer accounts tell contacts from (chat) visitors; the emulator's contacts are all of type
  // `contact`, so `visitor` selects none.
  const contactType = readChoiceParam(query, 'contact_type', CONTACT_TYPES);
  const page = readPage(query);

  const matches = [...ctx.data.contacts.values()].filter((contact) => {
    if (contactType === 'visitor') {
      return false;
    }
    // Without `state`, Freshdesk lists neither deleted nor blocked contacts.
    if (
      state === undefined
        ? contact._state === 'deleted' || contact._state === 'blocked'
        : contact._state !== state
    ) {
      return false;
    }
    if (
      email !== null &&
      !sameEmail(contact.email, email) &&
      !contact.other_emails.some((o) => sameEmail(o, email))
    ) {
      return false;
    }
    if (phone !== null && contact.phone !== phone) {
      return false;
    }
    if (mobile !== null && contact.mobile !== mobile) {
      return false;
    }
    // With multiple companies, a contact belongs to its secondary companies too.
    if (
      companyId !== undefined &&
      contact.company_id !== companyId &&
      !contact.other_companies.some((other) => other.company_id === companyId)
    ) {
      return false;
    }
    const updated = Date.parse(contact.updated_at);
    return since.every((ms) => ms === undefined || updated >= ms);
  });
  matches.sort(byNameThenId);
  return paginate(matches.map(publicView), req, page);
}

function showContact(req: EmuRequest, ctx: RouteContext): EmuReply {
  // Deleted contacts stay readable; their record carries `deleted: true`.
  return { status: 200, body: publicView(findById(ctx.data.contacts, req.params.id)) };
}

type ContactChanges = Partial<Omit<ContactRecord, 'id' | '_state'>>;

/** Validates a create or update body; `existing` is the contact being updated. */
function readContactBody(
  body: Record<string, unknown>,
  ctx: RouteContext,
  existing: ContactRecord | undefined,
): ContactChanges {
  const check = new BodyCheck(body);
  const data = ctx.data;
  const out: ContactChanges = {};
  if (existing === undefined) {
    check.required('name');
  }
  const name = check.string('name', { nullable: false });
  if (name !== undefined && name !== null) {
    if (name.trim() === '') {
      if (existing !== undefined) {
        check.add('name', 'It should not be blank as this is a mandatory field', 'missing_field');
      }
    } else {
      out.name = name;
    }
  }
  const email = check.email('email');
  if (email !== undefined) {
    out.email = email;
  }
  for (const key of [
    'phone',
    'mobile',
    'twitter_id',
    'unique_external_id',
    'address',
    'job_title',
  ] as const) {
    const value = check.string(key);
    if (value !== undefined) {
      out[key] = value;
    }
  }
  const description = check.string('description', { max: 10_000 });
  if (description !== undefined) {
    out.description = description;
  }
  for (const key of ['language', 'time_zone'] as const) {
    const value = check.string(key, { nullable: false });
    if (typeof value === 'string') {
      out[key] = value;
    }
  }
  const companyId = check.id('company_id');
  if (companyId !== undefined) {
    if (companyId !== null && !data.companies.has(companyId)) {
      check.add('company_id', 'There is no company matching the given company_id');
    } else {
      out.company_id = companyId;
    }
  }
  const viewAll = check.boolean('view_all_tickets');
  if (viewAll !== undefined) {
    out.view_all_tickets = viewAll;
  }
  if (
    (out.view_all_tickets ?? existing?.view_all_tickets) &&
    (out.company_id ?? existing?.company_id ?? null) === null
  ) {
    check.add(
      'company_id',
      'Company ID is required for a contact to view all tickets',
      'missing_field',
    );
  }
  const tags = check.stringArray('tags', MAX_TAG_LENGTH);
  if (tags !== undefined) {
    out.tags = tags;
  }
  const otherEmails = check.stringArray('other_emails');
  if (otherEmails !== undefined) {
    if (otherEmails.length > MAX_OTHER_EMAILS) {
      check.add(
        'other_emails',
        `Has ${otherEmails.length} elements, it can have maximum of ${MAX_OTHER_EMAILS} elements`,
      );
    } else if (!otherEmails.every(isEmail)) {
      check.add(
        'other_emails',
        "It should contain elements that are in the 'valid email address' format",
      );
    } else {
      out.other_emails = otherEmails;
    }
  }
  const otherCompanies = readOtherCompanies(check, data);
  if (otherCompanies !== undefined) {
    out.other_companies = otherCompanies;
  }
  const customFields = checkCustomFields(check, contactCustomFields(data));
  if (customFields !== undefined) {
    // A PUT's custom_fields merge into the stored ones, as Freshdesk updates only the keys sent.
    out.custom_fields = { ...(existing?.custom_fields ?? {}), ...customFields } as Record<
      string,
      CustomFieldValue
    >;
  }

  const identityAfter = IDENTITY_FIELDS.some((key) => {
    const value = key in out ? out[key] : existing?.[key];
    return typeof value === 'string' && value !== '';
  });
  if (!identityAfter && check.errors.length === 0) {
    check.add(
      'email',
      `Please fill at least 1 of ${IDENTITY_FIELDS.join(', ')} fields`,
      'missing_field',
    );
  }
  check.throwIfAny();

  // Uniqueness is checked last: Freshdesk reports it from the database, after field validation.
  const taken =
    typeof out.email === 'string' ? emailOwner(data, out.email, existing?.id) : undefined;
  if (taken !== undefined) {
    check.add('email', 'It should be a unique value', 'duplicate_value', {
      additional_info: { user_id: taken },
    });
  }
  const takenOthers = (out.other_emails ?? []).filter(
    (o) => emailOwner(data, o, existing?.id) !== undefined,
  );
  if (takenOthers.length > 0) {
    check.add(
      'other_emails',
      `There are already users present with the emails, ${takenOthers.join(', ')}`,
      'duplicate_value',
    );
  }
  check.throwIfAny();
  return out;
}

function readOtherCompanies(
  check: BodyCheck,
  data: EmulatorData,
): ContactRecord['other_companies'] | undefined {
  if (!check.has('other_companies')) {
    return undefined;
  }
  const value = check.body.other_companies;
  if (!Array.isArray(value)) {
    return check.mismatch('other_companies', 'Array');
  }
  const out: ContactRecord['other_companies'] = [];
  for (const item of value) {
    const entry =
      typeof item === 'object' && item !== null ? (item as Record<string, unknown>) : {};
    const companyId = entry.company_id;
    if (typeof companyId !== 'number' || !data.companies.has(companyId)) {
      check.add('other_companies', `There is no record matching the id ${String(companyId)}`);
      return undefined;
    }
    out.push({ company_id: companyId, view_all_tickets: entry.view_all_tickets === true });
  }
  return out;
}

/** The account's default time zone: the admin's (the first API key belongs to the admin). */
function defaultTimeZone(data: EmulatorData): string {
  const [adminId] = data.apiKeys.values();
  return (
    (adminId !== undefined ? data.agents.get(adminId)?.contact.time_zone : undefined) ??
    'Eastern Time (US & Canada)'
  );
}

function createContact(req: EmuRequest, ctx: RouteContext): EmuReply {
  const body = checkBodyFields(req.body, CONTACT_FIELDS);
  const fields = readContactBody(body, ctx, undefined);
  const now = isoSeconds(ctx.now());
  const id = ctx.data.nextId++;
  const contact: ContactRecord = {
    id,
    name: fields.name ?? '',
    email: fields.email ?? null,
    phone: fields.phone ?? null,
    mobile: fields.mobile ?? null,
    // New contacts stay unverified until they confirm their address.
    active: false,
    address: fields.address ?? null,
    description: fields.description ?? null,
    job_title: fields.job_title ?? null,
    language: fields.language ?? 'en',
    time_zone: fields.time_zone ?? defaultTimeZone(ctx.data),
    twitter_id: fields.twitter_id ?? null,
    unique_external_id: fields.unique_external_id ?? null,
    company_id: fields.company_id ?? null,
    view_all_tickets: fields.view_all_tickets ?? false,
    other_emails: fields.other_emails ?? [],
    other_companies: fields.other_companies ?? [],
    tags: fields.tags ?? [],
    custom_fields: {
      ...Object.fromEntries([...contactCustomFields(ctx.data)].map((key) => [key, null])),
      ...fields.custom_fields,
    },
    avatar: null,
    created_at: now,
    updated_at: now,
    _state: 'unverified',
  };
  ctx.data.contacts.set(id, contact);
  return created(req, `/contacts/${id}`, publicView(contact));
}

function updateContact(req: EmuRequest, ctx: RouteContext): EmuReply {
  const contact = findById(ctx.data.contacts, req.params.id);
  if (contact._state === 'blocked' || contact._state === 'deleted') {
    throw methodNotAllowed('PUT', ['GET']);
  }
  requireSomeParams(req.body);
  const body = checkBodyFields(req.body, CONTACT_FIELDS);
  const fields = readContactBody(body, ctx, contact);
  Object.assign(contact, fields, { updated_at: isoSeconds(ctx.now()) });
  return { status: 200, body: publicView(contact) };
}

export const routes: Route[] = [
  {
    method: 'GET',
    path: '/contacts',
    query: [
      'email',
      'mobile',
      'phone',
      'company_id',
      'state',
      'contact_type',
      'updated_since',
      '_updated_since',
      'page',
      'per_page',
    ],
    metered: 'contacts_list',
    handler: listContacts,
  },
  { method: 'GET', path: '/contacts/:id', handler: showContact },
  { method: 'POST', path: '/contacts', handler: createContact },
  { method: 'PUT', path: '/contacts/:id', handler: updateContact },
];
