/**
 * A bound on what one operation may produce, and on how long its CPU-bound work may run.
 *
 * Checks before execution cannot see everything: agents, groups and their members come from lists
 * cached per credential, so `{ groups { agents { groups { agents { ... } } } } }` costs no credits
 * and is only a few levels deep, yet multiplies at every level (gigabytes at 8 levels). So every
 * field whose type is a list of objects counts the items it returns against the operation's budget
 * (`DESKGRAPH_MAX_RESULT_ITEMS`), and checks the operation's deadline: only list fields are
 * wrapped (one counter and one clock read each), not every field.
 *
 * Past the budget or the deadline, every further list field resolves to an empty list, so the rest
 * of the execution unwinds in a few steps, and the response is replaced by that one error with
 * `data: null` (a partial tree cut at an arbitrary point would silently lose data). Nothing is
 * thrown: graphql-js 16 abandons the promises of a list's earlier items when a later one fails
 * synchronously, and such a promise rejecting later is an unhandled rejection.
 */
import { MapperKind, mapSchema } from '@graphql-tools/utils';
import {
  defaultFieldResolver,
  type GraphQLError,
  type GraphQLFieldResolver,
  type GraphQLSchema,
  getNamedType,
  getNullableType,
  isCompositeType,
  isListType,
} from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { limitError } from './limit-error.ts';

export interface ResultBoundOptions<TContext> {
  /** List items one operation may produce, every list together. */
  maxItems: number;
  /** Epoch ms by which the operation must be done. */
  deadline: (context: TContext) => number;
  /** The operation deadline's length, for the refusal (`DESKGRAPH_OPERATION_DEADLINE_MS`). */
  deadlineMs: number;
}

class Budget {
  items = 0;
  failure: GraphQLError | undefined;
  readonly #maxItems: number;
  readonly #deadline: number;
  readonly #deadlineMs: number;

  constructor(maxItems: number, deadline: number, deadlineMs: number) {
    this.#maxItems = maxItems;
    this.#deadline = deadline;
    this.#deadlineMs = deadlineMs;
  }

  /** True once the operation is over its deadline or its budget. */
  spent(): boolean {
    if (this.failure === undefined && Date.now() > this.#deadline) {
      this.failure = limitError(
        'deadline',
        this.#deadlineMs,
        `The operation ran past its deadline (${this.#deadlineMs} ms) while building its answer.`,
      );
    }
    return this.failure !== undefined;
  }

  /** The list, or an empty one once the budget is spent (the answer is replaced anyway). */
  count(value: unknown): unknown {
    if (!Array.isArray(value) || this.failure) {
      return this.failure ? [] : value;
    }
    this.items += value.length;
    if (this.items > this.#maxItems) {
      this.failure = limitError(
        'resultItems',
        this.#maxItems,
        `The operation would produce more than ${this.#maxItems} objects in lists; ask for fewer (smaller \`first\`, less nesting).`,
      );
      return [];
    }
    return value;
  }
}

const budgets = new WeakMap<object, Budget>();

/** `schema` with every list field counting into the operation's budget (none outside one). */
export function withResultBound(schema: GraphQLSchema): GraphQLSchema {
  return mapSchema(schema, {
    [MapperKind.OBJECT_FIELD]: (field) => {
      // Lists of objects only: nothing nests below a list of strings, so it cannot multiply.
      if (!isListType(getNullableType(field.type)) || !isCompositeType(getNamedType(field.type))) {
        return field;
      }
      const resolve: GraphQLFieldResolver<unknown, unknown> = field.resolve ?? defaultFieldResolver;
      const bounded: GraphQLFieldResolver<unknown, unknown> = (source, args, context, info) => {
        const budget = budgets.get(context as object);
        if (budget === undefined) {
          return resolve(source, args, context, info);
        }
        if (budget.spent()) {
          return [];
        }
        const value = resolve(source, args, context, info);
        return value instanceof Promise
          ? value.then((resolved) => budget.count(resolved))
          : budget.count(value);
      };
      return { ...field, resolve: bounded };
    },
  });
}

/** Gives each operation its budget and, when it ran out, answers with that one error. */
export function useResultBound<TContext extends object>(
  options: ResultBoundOptions<TContext>,
): Plugin<TContext> {
  return {
    onExecute({ args }) {
      const context = args.contextValue as TContext;
      const budget = new Budget(options.maxItems, options.deadline(context), options.deadlineMs);
      budgets.set(context, budget);
      return {
        onExecuteDone({ result, setResult }) {
          if (budget.failure && ('data' in result || 'errors' in result)) {
            setResult({ data: null, errors: [budget.failure], extensions: result.extensions });
          }
        },
      };
    },
  };
}
