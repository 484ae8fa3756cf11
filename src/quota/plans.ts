/**
 * Freshdesk's per-minute plans (freshdesk-api.md section 5): a credit budget for the whole account
 * plus sub-limits for four endpoints, all counted in credits per window.
 */
import type { MeteredEndpoint } from '../upstream/credits.ts';

/** The account total, or one of the metered endpoints' sub-limits. */
export type BudgetName = 'total' | MeteredEndpoint;

export const BUDGET_NAMES: readonly BudgetName[] = [
  'total',
  'ticket_create',
  'ticket_update',
  'tickets_list',
  'contacts_list',
];

/** Credits per window; a missing sub-limit means the endpoint is bounded by `total` alone. */
export type PlanLimits = { total: number } & Partial<Record<MeteredEndpoint, number>>;

export type PlanPresetName = 'trial' | 'growth' | 'pro' | 'enterprise';

/** The published plans; trial has no sub-limits. */
export const PLAN_PRESETS: Readonly<Record<PlanPresetName, PlanLimits>> = {
  trial: { total: 50 },
  growth: {
    total: 200,
    ticket_create: 80,
    ticket_update: 80,
    tickets_list: 20,
    contacts_list: 20,
  },
  pro: {
    total: 400,
    ticket_create: 160,
    ticket_update: 160,
    tickets_list: 100,
    contacts_list: 100,
  },
  enterprise: {
    total: 700,
    ticket_create: 280,
    ticket_update: 280,
    tickets_list: 200,
    contacts_list: 200,
  },
};

/** The names `FRESHDESK_PLAN` takes for each sub-limit of a custom plan (contract section 2). */
export const CUSTOM_PLAN_KEYS: Readonly<Record<string, MeteredEndpoint | 'total'>> = {
  total: 'total',
  ticketCreate: 'ticket_create',
  ticketUpdate: 'ticket_update',
  ticketsList: 'tickets_list',
  contactsList: 'contacts_list',
};

/**
 * A limit Freshdesk granted on request: `total=N[,ticketCreate=N][,ticketUpdate=N][,ticketsList=N][,contactsList=N]`.
 * Omitted sub-limits scale with the total in Enterprise's proportions (rounded down, at least 1).
 * Returns the problems instead when the text is malformed.
 */
export function parseCustomPlan(
  text: string,
): { name: string; limits: PlanLimits } | { problems: string[] } {
  const problems: string[] = [];
  const given: Partial<Record<BudgetName, number>> = {};
  for (const part of text.split(',')) {
    const match = /^\s*([A-Za-z]+)\s*=\s*(\d+)\s*$/.exec(part);
    const budget = match ? CUSTOM_PLAN_KEYS[match[1] as string] : undefined;
    if (!match || budget === undefined) {
      problems.push(
        `"${part.trim()}" is not one of ${Object.keys(CUSTOM_PLAN_KEYS)
          .map((key) => `${key}=N`)
          .join(', ')}`,
      );
      continue;
    }
    if (given[budget] !== undefined) {
      problems.push(`${match[1]} is given twice`);
    }
    const value = Number(match[2]);
    if (!Number.isSafeInteger(value) || value < 1) {
      problems.push(`${match[1]} must be a whole number of at least 1; got ${match[2]}`);
    }
    given[budget] = value;
  }
  const total = given.total;
  if (total === undefined) {
    problems.push('total=N is required');
  }
  if (problems.length > 0 || total === undefined) {
    return { problems };
  }
  const limits: PlanLimits = { total };
  const enterprise = PLAN_PRESETS.enterprise;
  for (const budget of BUDGET_NAMES) {
    if (budget === 'total') {
      continue;
    }
    const value =
      given[budget] ??
      Math.max(
        1,
        Math.floor((total * (enterprise[budget] ?? enterprise.total)) / enterprise.total),
      );
    if (value > total) {
      problems.push(`${budget} (${value}) cannot exceed total (${total})`);
    }
    limits[budget] = value;
  }
  return problems.length > 0 ? { problems } : { name: 'custom', limits };
}

/** A plan by preset name or custom limits (`FRESHDESK_PLAN`). */
export function readPlan(
  text: string,
): { name: string; limits: PlanLimits } | { problems: string[] } {
  if (Object.hasOwn(PLAN_PRESETS, text)) {
    return { name: text, limits: PLAN_PRESETS[text as PlanPresetName] };
  }
  if (text.includes('=')) {
    return parseCustomPlan(text);
  }
  return {
    problems: [
      `it must be one of ${Object.keys(PLAN_PRESETS).join(', ')}, or total=N[,ticketCreate=N][,ticketUpdate=N][,ticketsList=N][,contactsList=N]; got "${text}"`,
    ],
  };
}

/** Purchased add-ons, recognised from `X-RateLimit-Total` only. */
const ADD_ONS: readonly PlanLimits[] = [
  { total: 1000, ticket_create: 400, ticket_update: 400, tickets_list: 300, contacts_list: 300 },
  { total: 2000, ticket_create: 800, ticket_update: 800, tickets_list: 400, contacts_list: 400 },
];

/**
 * The plan a learned `X-RateLimit-Total` most likely is: a published plan with that total, or else
 * growth's sub-limits (capped at the total) under the learned total. Sub-limits found this way are
 * assumptions until a window proves them.
 */
export function planForTotal(total: number): { name: string; limits: PlanLimits } {
  for (const [name, limits] of Object.entries(PLAN_PRESETS)) {
    if (limits.total === total) {
      return { name, limits };
    }
  }
  const addOn = ADD_ONS.find((limits) => limits.total === total);
  if (addOn) {
    return { name: `add-on-${total}`, limits: addOn };
  }
  const limits: PlanLimits = { total };
  for (const [key, value] of Object.entries(PLAN_PRESETS.growth)) {
    if (key !== 'total') {
      limits[key as MeteredEndpoint] = Math.min(value, total);
    }
  }
  return { name: 'custom', limits };
}
