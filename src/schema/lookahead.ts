/**
 * Lookahead over a resolver's GraphQL selection (`info`): which fields and arguments the query asks
 * for below the current field, so a resolver can choose the cheapest upstream call (an `include=`,
 * a page size) before any child resolver runs. Fragments (inline and named) are merged, and
 * `@skip`/`@include` are honoured.
 */
import {
  type DirectiveNode,
  type FieldNode,
  type GraphQLResolveInfo,
  Kind,
  type SelectionSetNode,
  valueFromASTUntyped,
} from 'graphql';

type Variables = GraphQLResolveInfo['variableValues'];

function included(directives: readonly DirectiveNode[] | undefined, variables: Variables): boolean {
  for (const directive of directives ?? []) {
    const name = directive.name.value;
    if (name !== 'skip' && name !== 'include') {
      continue;
    }
    const arg = directive.arguments?.find((a) => a.name.value === 'if');
    const value = arg ? valueFromASTUntyped(arg.value, variables) : undefined;
    if (name === 'skip' && value === true) {
      return false;
    }
    if (name === 'include' && value !== true) {
      return false;
    }
  }
  return true;
}

function collect(
  info: GraphQLResolveInfo,
  selectionSet: SelectionSetNode | undefined,
  typeNames: readonly string[] | undefined,
  out: FieldNode[],
): void {
  for (const selection of selectionSet?.selections ?? []) {
    if (!included(selection.directives, info.variableValues)) {
      continue;
    }
    if (selection.kind === Kind.FIELD) {
      out.push(selection);
    } else if (selection.kind === Kind.INLINE_FRAGMENT) {
      const on = selection.typeCondition?.name.value;
      if (on === undefined || typeNames === undefined || typeNames.includes(on)) {
        collect(info, selection.selectionSet, typeNames, out);
      }
    } else {
      const fragment = info.fragments[selection.name.value];
      const on = fragment?.typeCondition.name.value;
      if (fragment && (typeNames === undefined || (on !== undefined && typeNames.includes(on)))) {
        collect(info, fragment.selectionSet, typeNames, out);
      }
    }
  }
}

/**
 * The fields selected directly below `nodes` (all the places the same response field is selected).
 * With `typeNames`, fragments on other types are left out (for unions and interfaces).
 */
export function subfields(
  info: GraphQLResolveInfo,
  nodes: readonly FieldNode[] = info.fieldNodes,
  typeNames?: readonly string[],
): FieldNode[] {
  const out: FieldNode[] = [];
  for (const node of nodes) {
    collect(info, node.selectionSet, typeNames, out);
  }
  return out;
}

/** The field nodes reached by following `path` (field names, not aliases) below `nodes`. */
export function selectionAt(
  info: GraphQLResolveInfo,
  path: readonly string[],
  nodes: readonly FieldNode[] = info.fieldNodes,
): FieldNode[] {
  let current: readonly FieldNode[] = nodes;
  for (const name of path) {
    current = subfields(info, current).filter((field) => field.name.value === name);
    if (current.length === 0) {
      return [];
    }
  }
  return [...current];
}

/** The names of the fields selected directly below `nodes`. */
export function selectedNames(
  info: GraphQLResolveInfo,
  nodes: readonly FieldNode[] = info.fieldNodes,
  typeNames?: readonly string[],
): Set<string> {
  return new Set(subfields(info, nodes, typeNames).map((field) => field.name.value));
}

/** A selected field's arguments, with variables substituted (defaults are not applied). */
export function argumentsOf(info: GraphQLResolveInfo, node: FieldNode): Record<string, unknown> {
  const args: Record<string, unknown> = {};
  for (const arg of node.arguments ?? []) {
    args[arg.name.value] = valueFromASTUntyped(arg.value, info.variableValues);
  }
  return args;
}

/** The node fields of a connection selected below `nodes`: under `nodes` and under `edges.node`. */
export function connectionNodes(
  info: GraphQLResolveInfo,
  nodes: readonly FieldNode[] = info.fieldNodes,
): FieldNode[] {
  return [...selectionAt(info, ['nodes'], nodes), ...selectionAt(info, ['edges', 'node'], nodes)];
}

/** True when every name in `selected` is in `allowed`. */
export function onlyFrom(selected: ReadonlySet<string>, allowed: ReadonlySet<string>): boolean {
  for (const name of selected) {
    if (!allowed.has(name)) {
      return false;
    }
  }
  return true;
}
