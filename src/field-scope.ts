/**
 * Which GraphQL field is being resolved, reachable from below the resolvers (the read cache's
 * stale answers are noted at the field that read them) without threading `info` through every
 * loader. Resolvers that do more than read a property run inside their field's scope
 * (`scopeFieldPaths`); a DataLoader batch runs in the scope of the first field that asked.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import {
  type GraphQLResolveInfo,
  type GraphQLSchema,
  isObjectType,
  responsePathAsArray,
} from 'graphql';

type Path = GraphQLResolveInfo['path'];

const fieldScope = new AsyncLocalStorage<Path>();

/** The response path of the field being resolved (empty outside any field). */
export function currentFieldPath(): (string | number)[] {
  const path = fieldScope.getStore();
  return path === undefined ? [] : responsePathAsArray(path);
}

/**
 * Runs every resolver of `schema` that is not a plain property read (Pothos' `expose*` fields)
 * inside its field's scope. Changes the schema in place; returns it.
 */
export function scopeFieldPaths(schema: GraphQLSchema): GraphQLSchema {
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isObjectType(type) || type.name.startsWith('__')) {
      continue;
    }
    for (const field of Object.values(type.getFields())) {
      const resolve = field.resolve;
      if (resolve === undefined || field.extensions?.pothosExposedField !== undefined) {
        continue;
      }
      field.resolve = (source, args, context, info) =>
        fieldScope.run(info.path, resolve, source, args, context, info);
    }
  }
  return schema;
}
