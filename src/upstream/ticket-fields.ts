/**
 * Ticket fields (freshdesk-api.md section 2.10): the account's field definitions, including the
 * status, type, source and priority choices and the custom and nested (dependent) fields.
 */
import type { FreshdeskSession } from './freshdesk-client.ts';
import { idString, type RawId } from './ids.ts';

export interface RawNestedTicketField {
  name: string;
  label: string;
  label_in_portal?: string;
  level: number;
}

export interface RawTicketField {
  id: RawId;
  name: string;
  label: string;
  label_for_customers?: string;
  description?: string | null;
  position?: number;
  default?: boolean;
  type: string;
  required_for_agents?: boolean;
  required_for_closure?: boolean;
  required_for_customers?: boolean;
  choices?: unknown;
  nested_ticket_fields?: RawNestedTicketField[];
}

/** One level below a nested field (level 2 or 3): its own name under `custom_fields`. */
export interface NestedLevelModel {
  name: string;
  label: string;
  level: number;
}

export interface TicketFieldModel {
  id: string;
  name: string;
  label: string;
  labelForCustomers: string | null;
  description: string | null;
  position: number;
  /** A Freshdesk default field (`default_*` type) rather than an account's custom field. */
  isDefault: boolean;
  type: string;
  requiredForAgents: boolean;
  requiredForClosure: boolean;
  requiredForCustomers: boolean;
  /** Shape depends on `type` (see freshdesk-api.md 2.10); null when the field has none. */
  choices: unknown;
  /** Levels 2 and 3 of a `nested_field`, in level order; empty for other fields. */
  nestedLevels: NestedLevelModel[];
}

export function toTicketFieldModel(raw: RawTicketField): TicketFieldModel {
  return {
    id: idString(raw.id),
    name: raw.name,
    label: raw.label ?? raw.name,
    labelForCustomers: raw.label_for_customers ?? null,
    description: raw.description ?? null,
    position: raw.position ?? 0,
    isDefault: raw.default === true || raw.type.startsWith('default_'),
    type: raw.type,
    requiredForAgents: raw.required_for_agents === true,
    requiredForClosure: raw.required_for_closure === true,
    requiredForCustomers: raw.required_for_customers === true,
    choices: raw.choices ?? null,
    nestedLevels: (raw.nested_ticket_fields ?? [])
      .map((n) => ({ name: n.name, label: n.label, level: n.level }))
      .sort((a, b) => a.level - b.level),
  };
}

/** Every ticket field (one call: the endpoint does not page). */
export async function listTicketFields(session: FreshdeskSession): Promise<TicketFieldModel[]> {
  const response = await session.get<RawTicketField[]>('/api/v2/ticket_fields');
  return (response.data ?? []).map(toTicketFieldModel);
}
