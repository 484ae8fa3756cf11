/**
 * Ticket fields (freshdesk-api.md section 2.10): the account's field definitions, including the
 * status, type, source and priority choices and the custom and nested (dependent) fields.
 */
import type { FreshdeskSession } from './freshdesk-client.ts';
import { idString, type RawId } from './ids.ts';
import * as shape from './shape.ts';

export interface RawNestedTicketField {
  name: string;
  label: string;
  label_in_portal?: string;
  level: number;
}

export interface RawTicketField {
  id: RawId;
  name: string;
  label?: string | null;
  label_for_customers?: string | null;
  description?: string | null;
  position?: number | null;
  default?: boolean | null;
  type: string;
  required_for_agents?: boolean | null;
  required_for_closure?: boolean | null;
  required_for_customers?: boolean | null;
  choices?: unknown;
  nested_ticket_fields?: RawNestedTicketField[] | null;
}

const checkNestedLevel = shape.record(
  (n) => shape.text(n.name, 'name') ?? shape.text(n.label, 'label') ?? shape.int(n.level, 'level'),
);
const NESTED_LEVELS = shape.list(checkNestedLevel);

/**
 * What `toTicketFieldModel` reads of a ticket field (freshdesk-api.md section 2.10). `choices`
 * changes shape with the field's type and is shown as JSON: not checked.
 */
export const checkTicketField: shape.Check = shape.record(
  (f) =>
    shape.id(f.id, 'id') ??
    shape.text(f.name, 'name') ??
    shape.optionalText(f.label, 'label') ??
    shape.optionalText(f.label_for_customers, 'label_for_customers') ??
    shape.optionalText(f.description, 'description') ??
    shape.optionalInt(f.position, 'position') ??
    shape.optionalFlag(f.default, 'default') ??
    shape.text(f.type, 'type') ??
    shape.optionalFlag(f.required_for_agents, 'required_for_agents') ??
    shape.optionalFlag(f.required_for_closure, 'required_for_closure') ??
    shape.optionalFlag(f.required_for_customers, 'required_for_customers') ??
    shape.nested(f.nested_ticket_fields, 'nested_ticket_fields', NESTED_LEVELS, true),
);

const TICKET_FIELD_LIST = shape.list(checkTicketField);

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

/** The model of a ticket field that passed `checkTicketField`. */
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
  const response = await session.get<unknown>('/api/v2/ticket_fields');
  return shape.checked<RawTicketField[]>(response, TICKET_FIELD_LIST).map(toTicketFieldModel);
}
