/**
 * What the plan knows when it decides: the credential's shared cache entries (whole lists, learned
 * list sizes) and the budgets left, from the one snapshot taken for the operation. Loaders give it
 * from the operation's context; the estimate gets the same, so both decide alike.
 */
import type { BudgetName } from '../quota/plans.ts';
import type { ReadRequest } from '../upstream/request-key.ts';
import type { CacheEntry } from './entries.ts';

export interface PlanState {
  /** The entry's value when this credential holds a fresh one (no load, no hit counted). */
  peek<T>(entry: CacheEntry<T>): T | undefined;
  /** Credits left on a budget (null or undefined: not known). */
  remaining(budget: BudgetName): number | null | undefined;
  /** False while the credential has not been seen to work (passthrough mode). */
  verified: boolean;
  /**
   * Whether a read is already answered for this credential, so it costs nothing (the operation's
   * own reads today; a cache across operations answers here too).
   */
  cachedRead(request: ReadRequest): boolean;
}

/** A state that knows nothing: nothing cached, budgets unknown. */
export const BLANK_STATE: PlanState = {
  peek: () => undefined,
  remaining: () => undefined,
  verified: true,
  cachedRead: () => false,
};
