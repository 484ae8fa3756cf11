/**
 * Contacts in Freshdesk's shape (`RawContact`), the gateway's model (`ContactModel`) and the calls
 * that read and write them (freshdesk-api.md section 2.3). Nothing here knows GraphQL.
 */
import type { FreshdeskSession, QueryValue } from './freshdesk-client.ts';
import { idString, optionalId, type RawId } from './ids.ts';
import type { ReadRequest } from './request-key.ts';

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

/** The read of one contact (what `getContact` sends). */
export const contactRead = (id: string): ReadRequest => ({ path: `/api/v2/contacts/${id}` });

export async function getContact(session: FreshdeskSession, id: string): Promise<ContactModel> {
  const response = await session.read<RawContact>(contactRead(id));
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
