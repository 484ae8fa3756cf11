/**
 * Contacts in Freshdesk's shape (`RawContact`), the gateway's model (`ContactModel`) and the calls
 * that read and write them (freshdesk-api.md section 2.3). Nothing here knows GraphQL.
 */
import type { FreshdeskSession, QueryValue } from './freshdesk-client.ts';
import { idString, optionalId, type RawId } from './ids.ts';
import type { ReadRequest } from './request-key.ts';
import * as shape from './shape.ts';

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

/** What `toContactModel` reads of a contact (freshdesk-api.md section 2.3). */
export const checkContact: shape.Check = shape.record(
  (c) =>
    shape.id(c.id, 'id') ??
    shape.text(c.name, 'name') ??
    shape.optionalText(c.email, 'email') ??
    shape.optionalText(c.phone, 'phone') ??
    shape.optionalText(c.mobile, 'mobile') ??
    shape.flag(c.active, 'active') ??
    shape.optionalId(c.company_id, 'company_id') ??
    shape.optionalTextList(c.tags, 'tags') ??
    shape.optionalObject(c.custom_fields, 'custom_fields') ??
    shape.instant(c.created_at, 'created_at') ??
    shape.instant(c.updated_at, 'updated_at') ??
    shape.optionalFlag(c.deleted, 'deleted'),
);

const CONTACT_PAGE = shape.list(checkContact);

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

/** The model of a contact that passed `checkContact`. */
export function toContactModel(raw: RawContact): ContactModel {
  return {
    id: idString(raw.id),
    name: raw.name,
    email: raw.email ?? null,
    phone: raw.phone ?? null,
    mobile: raw.mobile ?? null,
    active: raw.active,
    companyId: optionalId(raw.company_id),
    tags: raw.tags ?? [],
    customFields: raw.custom_fields ?? {},
    createdAt: raw.created_at,
    updatedAt: raw.updated_at,
    deleted: raw.deleted === true,
  };
}

/** The read of one contact (what `getContact` sends). */
export const contactRead = (id: string): ReadRequest => ({ path: `/api/v2/contacts/${id}` });

export async function getContact(session: FreshdeskSession, id: string): Promise<ContactModel> {
  const response = await session.read<unknown>(contactRead(id));
  return toContactModel(shape.checked<RawContact>(response, checkContact));
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
  const response = await session.get<unknown>('/api/v2/contacts', query);
  return {
    contacts: shape.checked<RawContact[]>(response, CONTACT_PAGE).map(toContactModel),
    nextPage: response.nextPage,
  };
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
  const response = await session.post<unknown>('/api/v2/contacts', body);
  return toContactModel(shape.checked<RawContact>(response, checkContact));
}

export async function updateContact(
  session: FreshdeskSession,
  id: string,
  body: ContactWrite,
): Promise<ContactModel> {
  const response = await session.put<unknown>(`/api/v2/contacts/${id}`, body);
  return toContactModel(shape.checked<RawContact>(response, checkContact));
}
