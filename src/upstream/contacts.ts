/**
 * Contacts in Freshdesk's shape (`RawContact`), the gateway's model (`ContactModel`) and the calls
 * that read and write them (freshdesk-api.md section 2.3). Nothing here knows GraphQL.
 */
import type { FreshdeskSession, QueryValue } from './freshdesk-client.ts';
import { idString, optionalId, type RawId } from './ids.ts';

export interface RawContact {
  id: RawId;
  name: string;
  email: string | null;
  phone: string | null;
  mobile: string | null;
  active: boolean;
  company_id: RawId | null;
  tags?: string[];
  custom_fields?: Record<string, unknown>;
  created_at: string;
  updated_at: string;
  deleted?: boolean;
}

export interface ContactModel {
  id: string;
  name: string;
  email: string | null;
  phone: string | null;
  mobile: string | null;
  /** True once the contact is verified. */
  active: boolean;
  companyId: string | null;
  tags: string[];
  customFields: Record<string, unknown>;
  createdAt: string;
  updatedAt: string;
  deleted: boolean;
}

export function toContactModel(raw: RawContact): ContactModel {
  return {
    id: idString(raw.id),
    name: raw.name ?? '',
    email: raw.email ?? null,
    phone: raw.phone ?? null,
    mobile: raw.mobile ?? null,
    active: raw.active === true,
    companyId: optionalId(raw.company_id),
    tags: raw.tags ?? [],
    customFields: raw.custom_fields ?? {},
    createdAt: raw.created_at,
    updatedAt: raw.updated_at,
    deleted: raw.deleted === true,
  };
}

export async function getContact(session: FreshdeskSession, id: string): Promise<ContactModel> {
  const response = await session.get<RawContact>(`/api/v2/contacts/${id}`);
  return toContactModel(response.data);
}

/** `GET /contacts` filters, exactly as Freshdesk names them. */
export interface ContactListParams {
  email?: string;
  phone?: string;
  mobile?: string;
  company_id?: string;
  state?: 'verified' | 'unverified' | 'blocked' | 'deleted';
  updated_since?: string;
  page: number;
  per_page: number;
}

export interface ContactPage {
  contacts: ContactModel[];
  nextPage: number | undefined;
}

export async function listContacts(
  session: FreshdeskSession,
  params: ContactListParams,
): Promise<ContactPage> {
  const query: Record<string, QueryValue> = { ...params };
  const response = await session.get<RawContact[]>('/api/v2/contacts', query);
  return { contacts: (response.data ?? []).map(toContactModel), nextPage: response.nextPage };
}

/**
 * The body fields this gateway writes. Freshdesk rejects anything else (`invalid_field`), so a body
 * is built only from these keys.
 */
export interface ContactWrite {
  name?: string;
  email?: string | null;
  phone?: string | null;
  mobile?: string | null;
  company_id?: number | null;
  tags?: string[];
  custom_fields?: Record<string, unknown>;
}

export async function createContact(
  session: FreshdeskSession,
  body: ContactWrite,
): Promise<ContactModel> {
  const response = await session.post<RawContact>('/api/v2/contacts', body);
  return toContactModel(response.data);
}

export async function updateContact(
  session: FreshdeskSession,
  id: string,
  body: ContactWrite,
): Promise<ContactModel> {
  const response = await session.put<RawContact>(`/api/v2/contacts/${id}`, body);
  return toContactModel(response.data);
}

/** A problem with a write, in Freshdesk's validation shape. */
export interface FieldProblem {
  field: string;
  message: string;
  code: string;
}

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

const MAX_STRING = 255;
const MAX_TAG = 32;
// Close to Freshdesk's own check: one @, no spaces, a dot in the domain.
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/**
 * Checks a contact write the way Freshdesk would (name required on create; at least one of e-mail,
 * phone, mobile on create; e-mail format; lengths; tags; custom fields as a flat object of scalars)
 * and builds the body from accepted fields only. Whether `companyId` exists, and e-mail uniqueness,
 * are left to Freshdesk. Problems name the GraphQL input fields.
 */
export function contactWriteBody(
  input: ContactInput,
  mode: 'create' | 'update',
): { body: ContactWrite; problems: FieldProblem[] } {
  const body: ContactWrite = {};
  const problems: FieldProblem[] = [];
  const add = (field: string, message: string, code = 'invalid_value'): void => {
    problems.push({ field, message, code });
  };
  const text = (field: 'phone' | 'mobile' | 'name', value: string): boolean => {
    if (value.length > MAX_STRING) {
      add(field, `Has ${value.length} characters, it can have maximum of ${MAX_STRING} characters`);
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
    } else if (!EMAIL.test(input.email) || input.email.length > MAX_STRING) {
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
    const long = input.tags.find((tag) => tag.length > MAX_TAG);
    if (long !== undefined) {
      add('tags', `It should only contain elements that have maximum of ${MAX_TAG} characters`);
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
