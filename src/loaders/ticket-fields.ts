/**
 * The account's ticket fields as rules for mutations: the valid statuses (with labels), ticket
 * types, sources, priorities, and each custom field's definition, including dropdown choices and
 * the levels of nested (dependent) fields. Loaded whole (one call) and cached per credential.
 */
import type { Context } from '../context.ts';
import { TICKET_FIELDS } from '../plan/entries.ts';
import { listTicketFields, type TicketFieldModel } from '../upstream/ticket-fields.ts';
import { cachedReference } from './references.ts';

/** Every ticket field (one call per TTL per credential). */
export const loadTicketFields = (ctx: Context): Promise<TicketFieldModel[]> =>
  cachedReference(ctx, TICKET_FIELDS, listTicketFields);

/** How one key under a ticket's `custom_fields` may be set. */
export interface CustomFieldRule {
  /** The key under `custom_fields` (`cf_...`). */
  name: string;
  label: string;
  /** `custom_text`, `custom_dropdown`, `nested_field`, ... (levels 2-3 carry their root's type). */
  type: string;
  requiredForAgents: boolean;
  requiredForClosure: boolean;
  /** Allowed values of a dropdown, or of a nested field's first level. */
  choices: string[] | undefined;
  /** For nested fields: 1 for the root, 2 and 3 for the dependent levels. */
  level: number | undefined;
  /** For nested fields: the names of levels 1..3 (`[cf_product, cf_component, cf_version]`). */
  levels: string[] | undefined;
  /** For nested fields: the whole choice tree of the root. */
  tree: NestedChoices | undefined;
}

/** A nested field's choices: `{ level1: { level2: [level3...] } }` (levels may stop earlier). */
export type NestedChoices = Record<string, Record<string, string[]> | string[]>;

export interface TicketFieldRules {
  /** Status code → [agent label, customer label]; Open..Closed plus the account's own (6+). */
  statuses: Map<number, { agentLabel: string; customerLabel: string }>;
  /** Allowed `type` values. */
  ticketTypes: string[];
  /** Source label → code. */
  sources: Map<string, number>;
  /** Priority label → code. */
  priorities: Map<string, number>;
  /** Custom fields by `custom_fields` key, nested levels included. */
  customFields: Map<string, CustomFieldRule>;
}

const DEFAULT_STATUSES: [number, string][] = [
  [2, 'Open'],
  [3, 'Pending'],
  [4, 'Resolved'],
  [5, 'Closed'],
];

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

const stringList = (v: unknown): string[] | undefined =>
  Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : undefined;

const numberMap = (v: unknown): Map<string, number> =>
  new Map(
    isRecord(v)
      ? Object.entries(v).filter((e): e is [string, number] => typeof e[1] === 'number')
      : [],
  );

/** Builds the rules from the field list (pure). */
export function ticketFieldRules(fields: readonly TicketFieldModel[]): TicketFieldRules {
  const byType = (type: string) => fields.find((f) => f.type === type);
  const statuses = new Map<number, { agentLabel: string; customerLabel: string }>();
  const statusChoices = byType('default_status')?.choices;
  if (isRecord(statusChoices)) {
    for (const [code, labels] of Object.entries(statusChoices)) {
      const [agentLabel, customerLabel] = stringList(labels) ?? [];
      if (/^\d+$/.test(code) && agentLabel !== undefined) {
        statuses.set(Number(code), { agentLabel, customerLabel: customerLabel ?? agentLabel });
      }
    }
  }
  for (const [code, label] of DEFAULT_STATUSES) {
    if (!statuses.has(code)) {
      statuses.set(code, { agentLabel: label, customerLabel: label });
    }
  }
  const customFields = new Map<string, CustomFieldRule>();
  for (const field of fields) {
    if (field.isDefault) {
      continue;
    }
    const base = {
      label: field.label,
      type: field.type,
      requiredForAgents: field.requiredForAgents,
      requiredForClosure: field.requiredForClosure,
    };
    if (field.type === 'nested_field') {
      const levels = [field.name, ...field.nestedLevels.map((n) => n.name)];
      const tree = isRecord(field.choices) ? (field.choices as NestedChoices) : {};
      customFields.set(field.name, {
        ...base,
        name: field.name,
        choices: Object.keys(tree),
        level: 1,
        levels,
        tree,
      });
      for (const nested of field.nestedLevels) {
        customFields.set(nested.name, {
          ...base,
          name: nested.name,
          label: nested.label,
          requiredForAgents: false,
          requiredForClosure: false,
          choices: undefined,
          level: nested.level,
          levels,
          tree,
        });
      }
      continue;
    }
    customFields.set(field.name, {
      ...base,
      name: field.name,
      choices: field.type === 'custom_dropdown' ? stringList(field.choices) : undefined,
      level: undefined,
      levels: undefined,
      tree: undefined,
    });
  }
  return {
    statuses,
    ticketTypes: stringList(byType('default_ticket_type')?.choices) ?? [],
    sources: numberMap(byType('default_source')?.choices),
    priorities: numberMap(byType('default_priority')?.choices),
    customFields,
  };
}

/** The rules for this credential's account (from the cached field list). */
export async function loadTicketFieldRules(ctx: Context): Promise<TicketFieldRules> {
  return ticketFieldRules(await loadTicketFields(ctx));
}

/** The agent-facing label of a status code (`Waiting on Customer` for 6 on the emulator). */
export async function statusLabel(ctx: Context, code: number): Promise<string> {
  const rules = await loadTicketFieldRules(ctx);
  return rules.statuses.get(code)?.agentLabel ?? `Status ${code}`;
}
