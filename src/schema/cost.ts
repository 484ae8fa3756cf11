/**
 * The operation's cost estimate as the quota gate receives it: the plan's estimate
 * (`src/plan/estimate.ts`) over what this credential's cache holds, after reading first the
 * reference lists whose size the estimate depends on and the operation reads anyway (the knowledge
 * base's categories and their folder lists): their credits are counted as estimated and spent.
 *
 * A query whose reads the caches may answer is first tried on the caches alone (a probe: the
 * operation executed with a session that never calls Freshdesk). When every read is answered, that
 * is the operation's answer and its estimate is zero: nothing more is sent or executed
 * (`useCachedAnswers`). When the account's budget cannot serve the operation before its deadline,
 * answers kept past their freshness may stand in, noted in `extensions.stale` with their age,
 * instead of refusing the operation.
 */
import {
  type DocumentNode,
  type ExecutionResult,
  execute,
  Kind,
  type OperationDefinitionNode,
  type SelectionNode,
} from 'graphql';
import type { Plugin } from 'graphql-yoga';
import type { CacheKind } from '../cache/kinds.ts';
import { type Context, newCostTracker, noteStale, type StaleNote } from '../context.ts';
import { boundContext } from '../limits/result-bound.ts';
import { planState } from '../loaders/references.ts';
import { loadCategories, loadFolders } from '../loaders/solutions.ts';
import { type Estimate, estimateOperation } from '../plan/estimate.ts';
import { Selection } from '../plan/selection.ts';
import type { QuotaStatus } from '../quota/scheduler.ts';
import { CacheMiss } from '../upstream/freshdesk-client.ts';
import { executeOperation, placeErrors } from './compiled.ts';

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
  let estimate = planEstimate(ctx, request);
  if (estimate.credits > 0 && Number.isFinite(estimate.credits) && probeWorthIt(ctx, request)) {
    const fresh = await probe(ctx, request, false);
    if (fresh.complete) {
      adopt(ctx, fresh);
      estimate = NOTHING;
    } else {
      estimate = await narrowByCache(ctx, request, estimate);
      if (!(await servableInTime(ctx, estimate))) {
        const kept = await probe(ctx, request, true);
        if (kept.complete) {
          adopt(ctx, kept);
          estimate = NOTHING;
        }
      }
    }
  }
  return {
    credits: estimate.credits + preloaded,
    calls: estimate.calls + ctx.cost.calls - before.calls,
    budgets: { ...estimate.budgets, total: (estimate.budgets.total ?? 0) + preloaded },
  };
}

const NOTHING: Estimate = { credits: 0, calls: 0, budgets: {} };

const planEstimate = (ctx: Context, request: OperationRequest): Estimate =>
  estimateOperation(request.document, request.operationName, request.variables, planState(ctx));

/** A query, not at bulk priority, of a credential the read cache holds something for. */
function probeWorthIt(ctx: Context, request: OperationRequest): boolean {
  if (ctx.cache === undefined || !ctx.cache.enabled) {
    return false;
  }
  if (ctx.freshdesk.options.priority === 'bulk' || !ctx.cache.holdsFor(ctx.freshdesk.credential)) {
    return false;
  }
  const root = Selection.ofOperation(request.document, request.operationName, request.variables);
  return root?.operation.operation === 'query';
}

/** Whether the account's budget can serve `estimate` before the operation's deadline. */
async function servableInTime(ctx: Context, estimate: Estimate): Promise<boolean> {
  const options = ctx.freshdesk.options;
  const waitMs = await ctx.quota.waitFor(
    estimate.budgets,
    options.priority ?? 'interactive',
    ctx.freshdesk.credential,
  );
  return Date.now() + waitMs <= options.deadline;
}

/**
 * The plan's estimate of only the root fields the caches cannot answer whole: each root field of
 * an operation with several is tried on the caches alone (a root field's reads below an uncached
 * read are unknown until that read is made, so such a field keeps its whole estimate).
 */
async function narrowByCache(
  ctx: Context,
  request: OperationRequest,
  estimate: Estimate,
): Promise<Estimate> {
  const operation = operationOf(request);
  const fields = operation?.selectionSet.selections ?? [];
  if (operation === undefined || fields.length < 2 || fields.some((f) => f.kind !== Kind.FIELD)) {
    return estimate;
  }
  const uncached: SelectionNode[] = [];
  for (const field of fields) {
    const alone = { ...request, document: withRootFields(request.document, operation, [field]) };
    if (!(await probe(ctx, alone, false)).complete) {
      uncached.push(field);
    }
  }
  if (uncached.length === fields.length) {
    return estimate;
  }
  return planEstimate(ctx, {
    ...request,
    document: withRootFields(request.document, operation, uncached),
  });
}

function operationOf(request: OperationRequest): OperationDefinitionNode | undefined {
  return Selection.ofOperation(request.document, request.operationName, request.variables)
    ?.operation;
}

/** The document with `operation` selecting only `fields` at its root. */
function withRootFields(
  document: DocumentNode,
  operation: OperationDefinitionNode,
  fields: readonly SelectionNode[],
): DocumentNode {
  return {
    ...document,
    definitions: document.definitions.map((definition) =>
      definition === operation
        ? { ...operation, selectionSet: { ...operation.selectionSet, selections: fields } }
        : definition,
    ),
  };
}

interface Probe {
  complete: boolean;
  result: ExecutionResult;
  cacheHits: number;
  warnings: Context['warnings'];
  stale: StaleNote[];
  served: [CacheKind, 'hits' | 'stale'][];
}

/**
 * Executes the operation on the caches alone (a session and a reference-list view that never
 * call Freshdesk): complete when no read had to go to Freshdesk.
 */
async function probe(ctx: Context, request: OperationRequest, allowStale: boolean): Promise<Probe> {
  const cost = newCostTracker();
  const stale: StaleNote[] = [];
  const served: Probe['served'] = [];
  let referenceMisses = 0;
  const failed: Probe = {
    complete: false,
    result: {},
    cacheHits: 0,
    warnings: [],
    stale,
    served,
  };
  const cache = ctx.cache;
  const execution = ctx.execution;
  const shared = ctx.shared.probe?.(allowStale, (entry) => {
    referenceMisses += 1;
    return new CacheMiss(entry.name);
  });
  if (cache === undefined || shared === undefined || execution === undefined) {
    return failed;
  }
  const session = ctx.freshdesk.probe({
    allowStale,
    cache: cache.forOperation({
      counted: false,
      hit: (kind) => {
        cost.cacheHits += 1;
        served.push([kind, 'hits']);
      },
      stale: (ageMs, kind) => {
        noteStale(stale, ageMs);
        served.push([kind, 'stale']);
      },
    }),
  });
  const probeCtx: Context = {
    ...ctx,
    freshdesk: session,
    shared,
    loaders: new Map(),
    cost,
    warnings: [],
    stale,
  };
  // The same bound as the execution it may stand for: past it, the same one error.
  const overrun = boundContext(probeCtx, {
    maxItems: ctx.config.limits.resultItems,
    deadline: (c) => c.freshdesk.options.deadline,
    deadlineMs: ctx.config.operationDeadlineMs,
  });
  let result: ExecutionResult;
  try {
    // The schema and the variables as the client sent them, as the execution would take them
    // (compiled, as it would be, when the document is the client's).
    result = await executeOperation(
      {
        schema: execution.schema,
        document: request.document,
        operationName: request.operationName,
        variableValues: execution.variables,
        contextValue: probeCtx,
      },
      ctx.requestId,
      execute,
      false,
    );
  } catch {
    return failed;
  }
  const failure = overrun();
  if (failure !== undefined) {
    result = { data: null, errors: [failure] };
  }
  const complete = session.misses.size === 0 && referenceMisses === 0;
  return {
    complete,
    // An incomplete probe's result (its errors the reads the caches lack) is thrown away.
    result: complete ? placeErrors(result, request.document) : result,
    cacheHits: cost.cacheHits,
    warnings: probeCtx.warnings,
    stale,
    served,
  };
}

/** The probe's answer becomes the operation's (with its warnings, stale notes and hits). */
function adopt(ctx: Context, probed: Probe): void {
  ctx.answer = probed.result;
  ctx.cost.cacheHits += probed.cacheHits;
  ctx.warnings.push(...probed.warnings);
  ctx.stale.push(...probed.stale);
  for (const [kind, outcome] of probed.served) {
    ctx.cache?.record(kind, outcome);
  }
}

/**
 * Before the quota gate: keeps the schema and the client's variables as execution takes them (for
 * the probes the estimate makes), and answers an operation the caches answered whole during its
 * estimate (`ctx.answer`) with that answer instead of executing it again.
 */
export function useCachedAnswers(): Plugin<Context> {
  return {
    onExecute({ args, executeFn, setExecuteFn }) {
      const ctx = args.contextValue as Context;
      ctx.execution = { schema: args.schema, variables: args.variableValues };
      setExecuteFn((execution) => ctx.answer ?? executeFn(execution));
    },
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
