/**
 * graphql-js's parser, bounded. The parser (and everything after it: validation, the cost estimate,
 * execution) recurses once per nesting level, so a document nested a few thousand levels deep
 * (`[[[[...]]]]` in an argument, `ofType { ofType { ... } }`) overflowed the stack: a 500 for a
 * client's mistake. This parser counts nesting as it reads (selection sets, list and object
 * literals, list types) and stops at `maxDepth` levels, and passes graphql-js's own `maxTokens`, so
 * a refusal costs no more than reading the document up to the point where it went too far.
 */
import type {
  ConstListValueNode,
  ConstObjectValueNode,
  DocumentNode,
  ListValueNode,
  ObjectValueNode,
  ParseOptions,
} from 'graphql';
import { Parser } from 'graphql/language/parser.js';
import { limitError } from './limit-error.ts';

export interface BoundedParseOptions {
  maxTokens: number;
  maxDepth: number;
}

class BoundedParser extends Parser {
  readonly #maxDepth: number;
  #depth = 0;

  constructor(source: string, options: ParseOptions, maxDepth: number) {
    super(source, options);
    this.#maxDepth = maxDepth;
  }

  /** Runs `parse` one level deeper, refusing past `maxDepth` levels. */
  #nested<T>(parse: () => T): T {
    this.#depth += 1;
    // The operation's own selection set is level 0: a field directly in it is at depth 1.
    if (this.#depth > this.#maxDepth + 1) {
      throw limitError(
        'depth',
        this.#maxDepth,
        `The document is nested more than ${this.#maxDepth} levels deep.`,
        { status: 400 },
      );
    }
    try {
      return parse();
    } finally {
      this.#depth -= 1;
    }
  }

  override parseSelectionSet(): ReturnType<Parser['parseSelectionSet']> {
    return this.#nested(() => super.parseSelectionSet());
  }

  override parseList(isConst: true): ConstListValueNode;
  override parseList(isConst: boolean): ListValueNode;
  override parseList(isConst: boolean): ListValueNode {
    return this.#nested(() => super.parseList(isConst));
  }

  override parseObject(isConst: true): ConstObjectValueNode;
  override parseObject(isConst: boolean): ObjectValueNode;
  override parseObject(isConst: boolean): ObjectValueNode {
    return this.#nested(() => super.parseObject(isConst));
  }

  override parseTypeReference(): ReturnType<Parser['parseTypeReference']> {
    return this.#nested(() => super.parseTypeReference());
  }
}

/**
 * Parses `source` as `graphql.parse` does, refusing documents over `maxTokens` tokens or nested
 * over `maxDepth` levels with a coded 400 error (`OPERATION_LIMIT_EXCEEDED`).
 */
export function boundedParse(
  source: string,
  limits: BoundedParseOptions,
  options: ParseOptions = {},
): DocumentNode {
  const parser = new BoundedParser(
    source,
    { ...options, maxTokens: limits.maxTokens },
    limits.maxDepth,
  );
  return parser.parseDocument();
}
