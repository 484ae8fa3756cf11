/**
 * Admission before execution: takes one budget snapshot per operation, asks the operation for its
 * cost estimate (the loading plan makes it: `src/plan/estimate.ts`; quota only receives it), and
 * refuses the operation (before any upstream call) when the estimate is over the per-operation cap,
 * when the account's budget cannot serve it before its deadline, or when its credential is one
 * Freshdesk refused. Records the budget left for `extensions.cost.remaining`.
 */
import {
  type DocumentNode,
  GraphQLError,
  type GraphQLSchema,
  getVariableValues,
  Kind,
  type OperationDefinitionNode,
} from 'graphql';
import type { Plugin } from 'graphql-yoga';
import type { BudgetName } from './plans.ts';
import type { Priority } from './quota-gate.ts';
import type { QuotaScheduler, QuotaStatus } from './scheduler.ts';

/** What an operation is expected to spend upstream. */
export interface Estimate {
  /** Credits on the account total. */
  credits: number;
  /** Upstream calls. */
  calls: number;
  /** Credits per budget (`total` plus the metered endpoints touched). */
  budgets: Partial<Record<BudgetName, number>>;
}

/** What the plugin needs from one operation's context (the quota module knows no Context type). */
export interface OperationQuota {
  priority: Priority;
  /** Epoch ms by which the operation must be done. */
  deadline: number;
  /** The credential's hash, when credentials are checked. */
  credential?: string;
  /** The operation's cost estimate, made from the one snapshot taken for it. */
  estimate(
    status: QuotaStatus,
    request: {
      document: DocumentNode;
      operationName?: string | null;
      variables?: Readonly<Record<string, unknown>> | null;
    },
  ): Estimate | Promise<Estimate>;
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
      const variables = coercedVariables(
        args.schema,
        args.document,
        args.operationName,
        args.variableValues,
      );
      if (variables === undefined) {
        // graphql-js refuses this operation (its variables, or which operation to run) itself,
        // before any resolver and so before any upstream call: nothing to estimate.
        return undefined;
      }
      const operation = describe(args.contextValue as TContext);
      const before = await scheduler.status();
      operation.cost.remaining = remainingOf(before);
      const refusal =
        refusedCredential(operation) ??
        (await refuse(
          await operation.estimate(before, {
            document: args.document,
            operationName: args.operationName,
            variables,
          }),
          operation,
          before,
        ));
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
          // One snapshot per operation: what is left is what was left less what this one spent;
          // a second look only when the plan was not known before (the first answer tells it).
          const known = before.source !== 'unknown';
          const remaining = known ? remainingOf(before) : remainingOf(await scheduler.status());
          operation.cost.remaining =
            remaining === null ? null : Math.max(0, remaining - (known ? operation.cost.spent : 0));
        },
      };
    },
  };

  function refusedCredential(operation: OperationQuota): GraphQLError | undefined {
    if (scheduler.credentialState(operation.credential) !== 'refused') {
      return undefined;
    }
    return new GraphQLError(
      'Freshdesk refused this API key recently; the gateway does not send it again for a while. Check the key.',
      { extensions: { code: 'UNAUTHENTICATED', retryable: false } },
    );
  }

  async function refuse(
    estimate: Estimate,
    operation: OperationQuota,
    status: QuotaStatus,
  ): Promise<GraphQLError | undefined> {
    operation.cost.estimated = estimate.credits;
    const remaining = remainingOf(status);
    if (!Number.isFinite(estimate.credits)) {
      return quotaError(
        'This operation is too complex to estimate its Freshdesk credits (too many distinct nested selections). Split it.',
        { maxCredits: maxOperationCredits, remaining, retryable: false },
      );
    }
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
    const waitMs = await scheduler.waitFor(
      estimate.budgets,
      operation.priority,
      operation.credential,
    );
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

/**
 * The operation's variables as execution will see them (defaults applied, types coerced), or
 * undefined when execution will refuse the request anyway. The estimate reads these, never the raw
 * JSON, so a client's malformed variable (however deep) meets graphql-js's own coded refusal.
 */
function coercedVariables(
  schema: GraphQLSchema,
  document: DocumentNode,
  operationName: string | null | undefined,
  inputs: Readonly<Record<string, unknown>> | null | undefined,
): Record<string, unknown> | undefined {
  const operations = document.definitions.filter(
    (definition): definition is OperationDefinitionNode =>
      definition.kind === Kind.OPERATION_DEFINITION,
  );
  const operation = operationName
    ? operations.find((candidate) => candidate.name?.value === operationName)
    : operations.length === 1
      ? operations[0]
      : undefined;
  if (!operation) {
    return undefined;
  }
  const result = getVariableValues(schema, operation.variableDefinitions ?? [], inputs ?? {}, {
    maxErrors: 1,
  });
  return result.coerced;
}
