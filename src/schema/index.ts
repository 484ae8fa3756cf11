/**
 * The schema: imports every type file for its side effects, then builds. Defines nothing itself.
 */
import { lexicographicSortSchema } from 'graphql';
import { builder } from '../builder.ts';
import './types/scalars.ts';
import './types/ticket.ts';

export const schema = builder.toSchema();

/** The schema sorted by name: what `schema/schema.graphql` holds. */
export const sortedSchema = lexicographicSortSchema(schema);
