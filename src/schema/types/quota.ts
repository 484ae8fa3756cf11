/**
 * Quota: the account's Freshdesk budget as the gateway sees it (plan, per-budget limits and what is
 * left, reset times, calls waiting per priority). Served from the scheduler's state: no upstream
 * credits, except one call to learn the plan when nothing has been answered yet, or (passthrough
 * mode) to find out whether a key never seen to work is one Freshdesk accepts.
 */
import { builder } from '../../builder.ts';
import { loadMe } from '../../loaders/people.ts';
import type { BudgetView } from '../../quota/budget.ts';
import type { QuotaStatus } from '../../quota/scheduler.ts';

const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());

const QuotaBudget = builder.objectRef<BudgetView>('QuotaBudget').implement({
  description:
    "One per-window credit budget: the account total or a metered endpoint's sub-limit (ticket_create, ticket_update, tickets_list, contacts_list).",
  fields: (t) => ({
    name: t.exposeString('name', { description: '`total`, or the metered endpoint.' }),
    limit: t.exposeInt('limit', {
      nullable: true,
      description: 'Credits per window; null until the plan is known.',
    }),
    used: t.exposeInt('used', {
      description: 'Credits counted in the current window (in-flight calls included).',
    }),
    remaining: t.exposeInt('remaining', { nullable: true, description: 'Credits left now.' }),
    resetAt: t.field({
      type: 'DateTime',
      nullable: true,
      description: 'When every credit counted now has left the window; null when none is counted.',
      resolve: (budget) => iso(budget.resetAt),
    }),
    pausedUntil: t.field({
      type: 'DateTime',
      nullable: true,
      description: 'After a 429 from Freshdesk: nothing is sent on this budget before then.',
      resolve: (budget) => iso(budget.pausedUntil),
    }),
  }),
});

const QuotaQueueDepth = builder.objectRef<QuotaStatus['queued']>('QuotaQueueDepth').implement({
  description: 'Upstream calls waiting for budget, per priority class.',
  fields: (t) => ({
    interactive: t.exposeInt('interactive', { description: 'Default class.' }),
    explorer: t.exposeInt('explorer', { description: 'GraphiQL.' }),
    bulk: t.exposeInt('bulk', {
      description: '`X-Deskgraph-Priority: bulk` and exports; never spends the reserve.',
    }),
    webhook: t.exposeInt('webhook', { description: 'Webhook-triggered work.' }),
  }),
});

const totalOf = (status: QuotaStatus): BudgetView | undefined =>
  status.budgets.find((budget) => budget.name === 'total');

const Quota = builder.objectRef<QuotaStatus>('Quota').implement({
  description: "The account's Freshdesk rate budget, as the gateway schedules it.",
  fields: (t) => ({
    plan: t.string({
      nullable: true,
      description:
        'trial, growth, pro, enterprise, add-on-1000/2000, or custom; null until known (told by FRESHDESK_PLAN or learned from Freshdesk).',
      resolve: (status) => status.plan,
    }),
    planSource: t.string({
      description: '`told` (FRESHDESK_PLAN), `learned` (from X-RateLimit-Total) or `unknown`.',
      resolve: (status) => status.source,
    }),
    windowSeconds: t.float({
      description: "Length of Freshdesk's rate window.",
      resolve: (status) => status.windowMs / 1000,
    }),
    total: t.int({
      nullable: true,
      description: 'Credits per window for the whole account.',
      resolve: (status) => totalOf(status)?.limit ?? null,
    }),
    remaining: t.int({
      nullable: true,
      description: 'Credits left on the account total now.',
      resolve: (status) => totalOf(status)?.remaining ?? null,
    }),
    resetAt: t.field({
      type: 'DateTime',
      nullable: true,
      description: 'When the account total is whole again.',
      resolve: (status) => iso(totalOf(status)?.resetAt ?? null),
    }),
    budgets: t.field({
      type: [QuotaBudget],
      description: 'The total and every sub-limit of the plan.',
      resolve: (status) => status.budgets,
    }),
    queueDepth: t.field({
      type: QuotaQueueDepth,
      description: 'Calls waiting for budget now, per priority class.',
      resolve: (status) => status.queued,
    }),
  }),
});

builder.queryField('quota', (t) =>
  t.field({
    type: Quota,
    description:
      "The account's Freshdesk budget: plan, per-endpoint remaining credits, reset times, queued calls. Costs no credits once the plan is known.",
    resolve: async (_root, _args, ctx) => {
      const scheduler = ctx.quota;
      if (scheduler.credentialState(ctx.freshdesk.credential) !== 'verified') {
        // Passthrough: the account's figures are for keys Freshdesk accepts. A refused key fails
        // here without a call; a key never seen to work is tried once (`/agents/me`).
        await loadMe(ctx);
      }
      const status = ctx.budget ?? (await scheduler.status());
      if (status.source !== 'unknown') {
        return status;
      }
      // Nothing answered yet: one cheap call tells the plan and what is left.
      await ctx.freshdesk.get('/api/v2/agents/me').catch(() => undefined);
      return scheduler.status();
    },
  }),
);
