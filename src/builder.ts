/**
 * The Pothos schema builder. It defines no types: each type lives in its own file under
 * `schema/types/`, and `schema/index.ts` imports them all.
 */
import SchemaBuilder from '@pothos/core';
import type { Context } from './context.ts';

export const builder = new SchemaBuilder<{
  Context: Context;
  DefaultFieldNullability: false;
  Scalars: {
    ID: { Input: string; Output: string };
    DateTime: { Input: string; Output: string };
    JSON: { Input: unknown; Output: unknown };
  };
}>({
  defaultFieldNullability: false,
});

builder.queryType({ description: 'Read the helpdesk: tickets, people, knowledge base and quota.' });

builder.mutationType({
  description: 'Change the helpdesk: tickets, replies, notes, contacts, articles, ratings.',
});
