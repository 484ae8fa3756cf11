/**
 * Operation limits: what one GraphQL operation may be, checked before anything else runs on it
 * (graphql-js validation, the cost estimate, resolvers, upstream calls), each refusal a coded 400
 * (`OPERATION_LIMIT_EXCEEDED`, `extensions.limit` names the limit). In order:
 * 1. document size (`onParams`, before the document is even parsed);
 * 2. tokens and nesting depth while parsing (`bounded-parser.ts`: a refusal stops the parser);
 * 3. fragment spreads, then depth, aliases, directives and complexity with fragments expanded (the
 *    last four by graphql-armor's rules),
 *    run on their own before graphql-js's validation: run beside it (as armor's plugins do) they
 *    come after the fragments defined ahead of the operation have been validated, and graphql-js's
 *    OverlappingFieldsCanBeMerged is quadratic in the fields of one selection set (10,000 aliases
 *    in a fragment: seconds of CPU before any limit is looked at). Each rule walks a fragment once
 *    however often it is spread, so the check is linear in the document.
 * The result of step 3 is kept per parsed document (Yoga caches parsed documents), so a repeated
 * document costs a WeakMap lookup. With introspection off, introspection fields are refused and
 * validation errors name no fields ("Did you mean ...?" suggestions are removed).
 */
import { blockFieldSuggestionsPlugin } from '@escape.tech/graphql-armor-block-field-suggestions';
import { costLimitRule } from '@escape.tech/graphql-armor-cost-limit';
import { maxAliasesRule } from '@escape.tech/graphql-armor-max-aliases';
import { maxDepthRule } from '@escape.tech/graphql-armor-max-depth';
import { maxDirectivesRule } from '@escape.tech/graphql-armor-max-directives';
import {
  type ASTVisitor,
  type DocumentNode,
  type FragmentDefinitionNode,
  type GraphQLError,
  type GraphQLSchema,
  getEnterLeaveForKind,
  Kind,
  NoSchemaIntrospectionCustomRule,
  type OperationDefinitionNode,
  type SelectionSetNode,
  TypeInfo,
  ValidationContext,
} from 'graphql';
import type { Plugin } from 'graphql-yoga';
import type { OperationLimits } from '../config.ts';
import { boundedParse } from './bounded-parser.ts';
import { type LimitName, limitError } from './limit-error.ts';

export interface OperationLimitsOptions {
  limits: OperationLimits;
  /** @default true */
  introspection?: boolean;
}

type Rule = (context: ValidationContext) => ASTVisitor;
interface Rejection {
  limit: LimitName;
  max: number;
  error: GraphQLError;
}

/** armor's rules, configured from the limits; each reports a rejection instead of throwing. */
function armorRules(limits: OperationLimits, reject: (rejection: Rejection) => void): Rule[] {
  const on = (limit: LimitName, max: number) => ({
    n: max,
    exposeLimits: true,
    propagateOnRejection: false,
    onReject: [(_: unknown, error: GraphQLError) => reject({ limit, max, error })],
  });
  return [
    // Introspection is no exception: `ofType` nested 2,000 deep is as heavy as any other nesting.
    maxDepthRule({
      ...on('depth', limits.depth),
      flattenFragments: true,
      ignoreIntrospection: false,
    }),
    // `__typename` counts too: 50,000 aliased `__typename` were minutes of CPU.
    maxAliasesRule({ ...on('aliases', limits.aliases), allowList: [] }),
    maxDirectivesRule(on('directives', limits.directives)),
    costLimitRule({
      ...on('complexity', limits.complexity),
      maxCost: limits.complexity,
      objectCost: 1,
      scalarCost: 1,
      depthCostFactor: 1,
      flattenFragments: true,
      ignoreIntrospection: false,
    }),
  ] as Rule[];
}

/**
 * Fragment spreads with fragments expanded, each fragment counted once and reused (a chain of 16
 * fragments that each spread the next twice is 2^17 spreads, counted in 16 steps). armor has no
 * rule for it; the cost estimate and validation walk expanded fragments, so this is what bounds
 * their work on fragment-heavy documents.
 */
function expandedSpreads(
  operation: OperationDefinitionNode,
  fragments: ReadonlyMap<string, FragmentDefinitionNode>,
): number {
  const memo = new Map<string, number>();
  const count = (set: SelectionSetNode | undefined): number => {
    let total = 0;
    for (const selection of set?.selections ?? []) {
      if (selection.kind === Kind.FRAGMENT_SPREAD) {
        total += 1 + ofFragment(selection.name.value);
      } else {
        total += count(selection.selectionSet);
      }
    }
    return total;
  };
  const ofFragment = (name: string): number => {
    const known = memo.get(name);
    if (known !== undefined) {
      return known;
    }
    memo.set(name, 0); // A cycle (refused by validation) counts nothing more.
    const total = count(fragments.get(name)?.selectionSet);
    memo.set(name, total);
    return total;
  };
  return count(operation.selectionSet);
}

/** The first limit `document` breaks, or undefined. Linear in the document's size. */
export function checkDocument(
  schema: GraphQLSchema,
  document: DocumentNode,
  limits: OperationLimits,
): GraphQLError | undefined {
  let rejection: Rejection | undefined;
  const rules = armorRules(limits, (found) => {
    rejection ??= found;
  });
  const context = new ValidationContext(schema, document, new TypeInfo(schema), () => {});
  const operations: OperationDefinitionNode[] = [];
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of document.definitions) {
    if (definition.kind === Kind.OPERATION_DEFINITION) {
      operations.push(definition);
    } else if (definition.kind === Kind.FRAGMENT_DEFINITION) {
      fragments.set(definition.name.value, definition);
    }
  }
  for (const operation of operations) {
    const spreads = expandedSpreads(operation, fragments);
    if (spreads > limits.fragmentSpreads) {
      return limitError(
        'fragmentSpreads',
        limits.fragmentSpreads,
        `Fragment spreads limit of ${limits.fragmentSpreads} exceeded (fragments expanded), found ${spreads}.`,
        { status: 400 },
      );
    }
  }
  for (const rule of rules) {
    const visitor = rule(context);
    const enter = getEnterLeaveForKind(visitor, Kind.OPERATION_DEFINITION).enter;
    for (const operation of operations) {
      enter?.call(visitor, operation, undefined, undefined, [], []);
      if (rejection) {
        const { limit, max, error } = rejection;
        // armor words every refusal as a "Syntax Error"; it is not one.
        const message = error.message.replace(/^Syntax Error: /, '');
        return limitError(limit, max, message, { status: 400 });
      }
    }
  }
  return undefined;
}

/** UTF-8 bytes of `text`, counted only when the length alone cannot decide against `max`. */
function overBytes(text: string, max: number): boolean {
  if (text.length > max) {
    return true;
  }
  return text.length * 3 > max && Buffer.byteLength(text, 'utf8') > max;
}

export function useOperationLimits(options: OperationLimitsOptions): Plugin {
  const { limits, introspection = true } = options;
  const checked = new WeakMap<DocumentNode, GraphQLError | null>();
  const suggestions = introspection ? undefined : blockFieldSuggestionsPlugin();
  return {
    onParams({ params }) {
      const { query } = params;
      if (typeof query === 'string' && overBytes(query, limits.documentBytes)) {
        throw limitError(
          'documentBytes',
          limits.documentBytes,
          `The document is larger than ${limits.documentBytes} bytes.`,
          { status: 400 },
        );
      }
    },
    onParse({ setParseFn }) {
      setParseFn((source, parseOptions) => {
        const text = typeof source === 'string' ? source : source.body;
        try {
          return boundedParse(
            text,
            { maxTokens: limits.tokens, maxDepth: limits.depth },
            parseOptions,
          );
        } catch (error) {
          throw parseRefusal(error, limits);
        }
      });
    },
    onValidate(payload) {
      const { schema, documentAST } = payload.params;
      let refusal = checked.get(documentAST);
      if (refusal === undefined) {
        refusal = checkDocument(schema, documentAST, limits) ?? null;
        checked.set(documentAST, refusal);
      }
      if (refusal) {
        payload.setResult([refusal]);
        return undefined;
      }
      if (!introspection) {
        payload.addValidationRule(NoSchemaIntrospectionCustomRule);
      }
      return suggestions?.onValidate?.(payload);
    },
  };
}

/**
 * graphql-js says "Document contains more that N tokens" as a syntax error; that becomes the
 * coded token limit. A stack overflow in the parser (only possible with limits raised far past
 * their defaults) is a refusal too, never a 500.
 */
function parseRefusal(error: unknown, limits: OperationLimits): unknown {
  if (error instanceof Error && / contains more that \d+ tokens/.test(error.message)) {
    return limitError(
      'tokens',
      limits.tokens,
      `The document has more than ${limits.tokens} tokens.`,
      { status: 400 },
    );
  }
  if (error instanceof RangeError) {
    return limitError('depth', limits.depth, 'The document is nested too deeply to read.', {
      status: 400,
    });
  }
  return error;
}
