/**
 * Cost before execution: estimates an operation's credits from its selection set before any
 * resolver runs, and refuses it with `QUOTA_EXCEEDED` (before any upstream call) when the estimate
 * is over the per-operation cap, or when the account's budget cannot serve it before its deadline.
 * After execution it records the budget left, for `extensions.cost.remaining`.
 */
import { GraphQLError } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { type Estimate, type EstimateOptions, estimateOperation } from './estimator.ts';
import type { Priority } from './quota-gate.ts';
import type { QuotaScheduler, QuotaStatus } from './scheduler.ts';

/** What the plugin needs from one operation's context (the quota module knows no Context type). */
export interface OperationQuota {
  priority: Priority;
  /** Epoch ms by which the operation must be done. */
  deadline: number;
  /** Whole lists cached for the operation's credential. */
  cached?: (list: string) => boolean;
  /** What is known of scanned lists' sizes for the operation's credential. */
  listSize?: EstimateOptions['listSize'];
  /** Filled in: `estimated` before execution, `remaining` after. */
  cost: { estimated: number; spent: number; remaining: number | null };
}

export interface QuotaGatePluginOptions<TContext> {
  scheduler: QuotaScheduler;
  /** Refuse operations estimated above this many credits (`DESKGRAPH_MAX_OPERATION_CREDITS`). */
  maxOperationCredits: number;
  describe: (context: TContext) => OperationQuota;
  now?: () => number;
}

/** Credits left on the account total, as far as the gateway knows; null when unknown. */
export function remainingOf(status: QuotaStatus): number | null {
  return status.budgets.find((budget) => budget.name === 'total')?.remaining ?? null;
}

export function useQuotaGate<TContext extends object>(
  options: QuotaGatePluginOptions<TContext>,
): Plugin<TContext> {
  const { scheduler, maxOperationCredits, describe, now = Date.now } = options;
  return {
    async onExecute({ args, setResultAndStopExecution }) {
      const operation = describe(args.contextValue as TContext);
      const before = await scheduler.status();
      const estimate = estimateOperation(args.document, args.operationName, args.variableValues, {
        cached: operation.cached,
        listSize: operation.listSize,
        remaining: (name) => before.budgets.find((budget) => budget.name === name)?.remaining,
        quotaKnown: before.source !== 'unknown',
      });
      operation.cost.estimated = estimate.credits;
      operation.cost.remaining = remainingOf(before);
      const refusal = await refuse(estimate, operation, before);
      if (refusal) {
        setResultAndStopExecution({
          data: null,
          errors: [refusal],
          extensions: { cost: { ...operation.cost } },
        });
        return undefined;
      }
      return {
        async onExecuteDone() {
          operation.cost.remaining = remainingOf(await scheduler.status());
        },
      };
    },
  };

  async function refuse(
    estimate: Estimate,
    operation: OperationQuota,
    status: QuotaStatus,
  ): Promise<GraphQLError | undefined> {
    const remaining = remainingOf(status);
    if (estimate.credits > maxOperationCredits) {
      return quotaError(
        `This operation would spend about ${estimate.credits} Freshdesk credits; the gateway allows ${maxOperationCredits} per operation. Ask for fewer items (smaller \`first\`, less nesting).`,
        // Asking again will not help: the operation itself is too large.
        {
          estimate: estimate.credits,
          maxCredits: maxOperationCredits,
          remaining,
          retryable: false,
        },
      );
    }
    const waitMs = await scheduler.waitFor(estimate.budgets, operation.priority);
    if (now() + waitMs > operation.deadline) {
      const retryAfter = Number.isFinite(waitMs) ? Math.max(1, Math.ceil(waitMs / 1000)) : null;
      return quotaError(
        `The account's Freshdesk budget cannot serve this operation (about ${estimate.credits} credits) before its deadline.`,
        { estimate: estimate.credits, remaining, retryAfter, retryable: true },
      );
    }
    return undefined;
  }
}

function quotaError(message: string, details: Record<string, unknown>): GraphQLError {
  return new GraphQLError(message, { extensions: { code: 'QUOTA_EXCEEDED', ...details } });
}
