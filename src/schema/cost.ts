/**
 * The operation's cost estimate as the quota gate receives it: the plan's estimate
 * (`src/plan/estimate.ts`) over what this credential's cache holds, after reading first the
 * reference lists whose size the estimate depends on and the operation reads anyway (the knowledge
 * base's categories and their folder lists): their credits are counted as estimated and spent.
 */
import type { DocumentNode } from 'graphql';
import type { Context } from '../context.ts';
import { planState } from '../loaders/references.ts';
import { loadCategories, loadFolders } from '../loaders/solutions.ts';
import { type Estimate, estimateOperation } from '../plan/estimate.ts';
import { Selection } from '../plan/selection.ts';
import type { QuotaStatus } from '../quota/scheduler.ts';

export interface OperationRequest {
  document: DocumentNode;
  operationName?: string | null;
  variables?: Readonly<Record<string, unknown>> | null;
}

/** Folder lists read ahead at most (one call each); beyond, the estimate assumes their size. */
const MAX_PRELOADED_FOLDER_LISTS = 25;

export async function estimateCost(
  ctx: Context,
  status: QuotaStatus,
  request: OperationRequest,
): Promise<Estimate> {
  ctx.budget = status;
  const before = { credits: ctx.cost.spent, calls: ctx.cost.calls };
  await readPlanLists(ctx, request).catch(() => undefined);
  const preloaded = ctx.cost.spent - before.credits;
  const estimate = estimateOperation(
    request.document,
    request.operationName,
    request.variables,
    planState(ctx),
  );
  return {
    credits: estimate.credits + preloaded,
    calls: estimate.calls + ctx.cost.calls - before.calls,
    budgets: { ...estimate.budgets, total: (estimate.budgets.total ?? 0) + preloaded },
  };
}

async function readPlanLists(ctx: Context, request: OperationRequest): Promise<void> {
  const root = Selection.ofOperation(request.document, request.operationName, request.variables);
  if (root?.operation.operation !== 'query' || !root.selection.has('solutionCategories')) {
    return;
  }
  const categories = await loadCategories(ctx);
  if (
    root.selection.below('solutionCategories').has('folders') &&
    categories.length <= MAX_PRELOADED_FOLDER_LISTS
  ) {
    await Promise.all(categories.map((category) => loadFolders(ctx, category.id)));
  }
}
