/**
 * Companies in Freshdesk's shape, the gateway's model and the calls that read them
 * (freshdesk-api.md section 2.5). Nothing here knows GraphQL.
 */
import type { FreshdeskSession } from './freshdesk-client.ts';
import { idString, type RawId } from './ids.ts';
import * as shape from './shape.ts';

export interface RawCompany {
  id: RawId;
  name: string;
  description: string | null;
  domains?: string[];
  custom_fields?: Record<string, unknown>;
  created_at: string;
  updated_at: string;
}

/** What `toCompanyModel` reads of a company (freshdesk-api.md section 2.5). */
export const checkCompany: shape.Check = shape.record(
  (c) =>
    shape.id(c.id, 'id') ??
    shape.text(c.name, 'name') ??
    shape.optionalText(c.description, 'description') ??
    shape.optionalTextList(c.domains, 'domains') ??
    shape.optionalObject(c.custom_fields, 'custom_fields') ??
    shape.instant(c.created_at, 'created_at') ??
    shape.instant(c.updated_at, 'updated_at'),
);

const COMPANY_PAGE = shape.list(checkCompany);

export interface CompanyModel {
  id: string;
  name: string;
  description: string | null;
  domains: string[];
  customFields: Record<string, unknown>;
  createdAt: string;
  updatedAt: string;
}

/** The model of a company that passed `checkCompany`. */
export function toCompanyModel(raw: RawCompany): CompanyModel {
  return {
    id: idString(raw.id),
    name: raw.name,
    description: raw.description ?? null,
    domains: raw.domains ?? [],
    customFields: raw.custom_fields ?? {},
    createdAt: raw.created_at,
    updatedAt: raw.updated_at,
  };
}

export async function getCompany(session: FreshdeskSession, id: string): Promise<CompanyModel> {
  const response = await session.get<unknown>(`/api/v2/companies/${id}`);
  return toCompanyModel(shape.checked<RawCompany>(response, checkCompany));
}

export interface CompanyPage {
  companies: CompanyModel[];
  nextPage: number | undefined;
}

/** One page of `GET /companies` (ordered by name), optionally only those changed since a time. */
export async function listCompanies(
  session: FreshdeskSession,
  params: { page: number; per_page: number; updated_since?: string },
): Promise<CompanyPage> {
  const response = await session.get<unknown>('/api/v2/companies', { ...params });
  return {
    companies: shape.checked<RawCompany[]>(response, COMPANY_PAGE).map(toCompanyModel),
    nextPage: response.nextPage,
  };
}
