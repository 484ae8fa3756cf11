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
