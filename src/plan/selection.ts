/**
 * What a query selects below a field, read the same way by the resolvers (from `info`, before any
 * child resolver runs) and by the cost estimate (from the document, before execution): fields merged
 * per response key as GraphQL executes them, fragments (inline and named) expanded once per
 * selection, `@skip`/`@include` honoured, and fragments on other types left out where a type is
 * given. Because both read one `Selection`, the plan's rules (`rules.ts`) decide the same way in
 * both places.
 */
import {
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLResolveInfo,
  Kind,
  type OperationDefinitionNode,
  type SelectionSetNode,
  valueFromASTUntyped,
} from 'graphql';

type Variables = Readonly<Record<string, unknown>>;

/** The type conditions a fragment may name and still apply to an object of `type`. */
const CONDITIONS: Readonly<Record<string, readonly string[]>> = {
  Contact: ['Contact', 'Person'],
  Agent: ['Agent', 'Person'],
};

/** The fragment type conditions that apply to objects of these concrete types. */
export const conditionsFor = (...types: string[]): readonly string[] =>
  types.flatMap((type) => CONDITIONS[type] ?? [type]);

/** One response key: every node selected under it, and its arguments. */
export interface SelectedField {
  /** The response key (the alias, else the name). */
  readonly key: string;
  readonly name: string;
  readonly nodes: readonly FieldNode[];
  /** The arguments, variables substituted (GraphQL validation makes every node's agree). */
  readonly args: Readonly<Record<string, unknown>>;
}

interface Operation {
  fragments: Readonly<Record<string, FragmentDefinitionNode>>;
  variables: Variables;
}

const nodeIds = new WeakMap<FieldNode, number>();
let nextNodeId = 1;
const idOf = (node: FieldNode): number => {
  let id = nodeIds.get(node);
  if (id === undefined) {
    id = nextNodeId++;
    nodeIds.set(node, id);
  }
  return id;
};

const byInfo = new WeakMap<readonly FieldNode[], WeakMap<object, Map<string, Selection>>>();

export class Selection {
  readonly fields: readonly SelectedField[];
  readonly #operation: Operation;
  #names: Set<string> | undefined;
  #signature: string | undefined;
  readonly #below = new Map<string, Selection>();

  private constructor(
    sets: readonly (SelectionSetNode | undefined)[],
    operation: Operation,
    types: readonly string[] | undefined,
  ) {
    this.#operation = operation;
    const byKey = new Map<
      string,
      {
        key: string;
        name: string;
        nodes: FieldNode[];
        args: Record<string, unknown>;
        argsKey: string;
      }
    >();
    const expanded = new Set<string>();
    const collect = (set: SelectionSetNode | undefined): void => {
      for (const selection of set?.selections ?? []) {
        if (!this.#included(selection.directives)) {
          continue;
        }
        if (selection.kind === Kind.FIELD) {
          const key = selection.alias?.value ?? selection.name.value;
          const args = this.#args(selection);
          // Within one selection set a response key has one set of arguments (GraphQL checks);
          // merged sets (a connection's `nodes` and `edges.node`) may differ: keep both then.
          const argsKey = selection.arguments?.length ? JSON.stringify(args) : '';
          let slot = key;
          for (let i = 2; byKey.get(slot) && byKey.get(slot)?.argsKey !== argsKey; i++) {
            slot = `${key}\u0000${i}`;
          }
          const entry = byKey.get(slot);
          if (entry) {
            entry.nodes.push(selection);
          } else {
            byKey.set(slot, { key, name: selection.name.value, nodes: [selection], args, argsKey });
          }
        } else if (selection.kind === Kind.INLINE_FRAGMENT) {
          const on = selection.typeCondition?.name.value;
          if (on === undefined || types === undefined || types.includes(on)) {
            collect(selection.selectionSet);
          }
        } else {
          const name = selection.name.value;
          const fragment = operation.fragments[name];
          // A fragment spread twice in one selection adds nothing the first spread did not.
          if (fragment === undefined || expanded.has(name)) {
            continue;
          }
          expanded.add(name);
          const on = fragment.typeCondition.name.value;
          if (types === undefined || types.includes(on)) {
            collect(fragment.selectionSet);
          }
        }
      }
    };
    for (const set of sets) {
      collect(set);
    }
    this.fields = [...byKey.values()].map(({ key, name, nodes, args }) => ({
      key,
      name,
      nodes,
      args,
    }));
  }

  /** The selection below the field a resolver is resolving (memoised per operation). */
  static of(info: GraphQLResolveInfo, types?: readonly string[]): Selection {
    let perVariables = byInfo.get(info.fieldNodes);
    if (perVariables === undefined) {
      perVariables = new WeakMap();
      byInfo.set(info.fieldNodes, perVariables);
    }
    let perTypes = perVariables.get(info.variableValues);
    if (perTypes === undefined) {
      perTypes = new Map();
      perVariables.set(info.variableValues, perTypes);
    }
    const typesKey = types?.join(',') ?? '*';
    let selection = perTypes.get(typesKey);
    if (selection === undefined) {
      selection = new Selection(
        info.fieldNodes.map((node) => node.selectionSet),
        { fragments: info.fragments, variables: info.variableValues },
        types,
      );
      perTypes.set(typesKey, selection);
    }
    return selection;
  }

  /** The root selection of the operation `operationName` picks (or the only one). */
  static ofOperation(
    document: DocumentNode,
    operationName: string | null | undefined,
    variables: Variables | null | undefined,
  ): { operation: OperationDefinitionNode; selection: Selection } | undefined {
    const fragments: Record<string, FragmentDefinitionNode> = {};
    const operations: OperationDefinitionNode[] = [];
    for (const definition of document.definitions) {
      if (definition.kind === Kind.FRAGMENT_DEFINITION) {
        fragments[definition.name.value] = definition;
      } else if (definition.kind === Kind.OPERATION_DEFINITION) {
        operations.push(definition);
      }
    }
    const operation = operationName
      ? operations.find((candidate) => candidate.name?.value === operationName)
      : operations.length === 1
        ? operations[0]
        : undefined;
    if (operation === undefined) {
      return undefined;
    }
    return {
      operation,
      selection: new Selection(
        [operation.selectionSet],
        { fragments, variables: variables ?? {} },
        undefined,
      ),
    };
  }

  has(name: string): boolean {
    return this.names().has(name);
  }

  /** The field names selected (aliases resolved to names). */
  names(): ReadonlySet<string> {
    this.#names ??= new Set(this.fields.map((field) => field.name));
    return this.#names;
  }

  /** Every response key selecting field `name`. */
  all(name: string): SelectedField[] {
    return this.fields.filter((field) => field.name === name);
  }

  /** True when every selected field is in `allowed` (also when nothing is selected). */
  onlyFrom(allowed: ReadonlySet<string>): boolean {
    for (const name of this.names()) {
      if (!allowed.has(name)) {
        return false;
      }
    }
    return true;
  }

  /** The selection below one response key, fragments restricted to `types`. */
  child(field: SelectedField, types?: readonly string[]): Selection {
    return this.#memo(`${this.fields.indexOf(field)}|${types?.join(',') ?? '*'}`, () =>
      this.#make(field.nodes, types),
    );
  }

  /** The selection below every response key selecting `name`, merged. */
  below(name: string, types?: readonly string[]): Selection {
    return this.#memo(`${name}()|${types?.join(',') ?? '*'}`, () =>
      this.#make(
        this.all(name).flatMap((field) => field.nodes),
        types,
      ),
    );
  }

  /** On a connection's selection: the node selection, under `nodes` and `edges { node }` merged. */
  nodes(types?: readonly string[]): Selection {
    return this.#memo(`nodes|${types?.join(',') ?? '*'}`, () => {
      const nodes = this.all('nodes').flatMap((field) => field.nodes);
      const edges = this.below('edges');
      return this.#make([...nodes, ...edges.all('node').flatMap((field) => field.nodes)], types);
    });
  }

  /**
   * Identifies what is selected: selections that expand to the same field nodes (one fragment
   * spread under two aliases) have the same signature.
   */
  signature(): string {
    this.#signature ??= this.fields
      .map((field) => `${field.key}:${field.nodes.map(idOf).join('+')}`)
      .join(',');
    return this.#signature;
  }

  #memo(key: string, make: () => Selection): Selection {
    let selection = this.#below.get(key);
    if (selection === undefined) {
      selection = make();
      this.#below.set(key, selection);
    }
    return selection;
  }

  #make(nodes: readonly FieldNode[], types: readonly string[] | undefined): Selection {
    return new Selection(
      nodes.map((node) => node.selectionSet),
      this.#operation,
      types,
    );
  }

  #args(node: FieldNode): Record<string, unknown> {
    const args: Record<string, unknown> = {};
    for (const arg of node.arguments ?? []) {
      args[arg.name.value] = valueFromASTUntyped(arg.value, this.#operation.variables);
    }
    return args;
  }

  #included(directives: FieldNode['directives']): boolean {
    for (const directive of directives ?? []) {
      const name = directive.name.value;
      if (name !== 'skip' && name !== 'include') {
        continue;
      }
      const arg = directive.arguments?.find((a) => a.name.value === 'if');
      const value = arg ? valueFromASTUntyped(arg.value, this.#operation.variables) : undefined;
      if ((name === 'skip' && value === true) || (name === 'include' && value !== true)) {
        return false;
      }
    }
    return true;
  }
}
