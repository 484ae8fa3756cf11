/**
 * The schema: imports every type file for its side effects, then builds. Defines nothing itself.
 */
import { lexicographicSortSchema } from 'graphql';
import { builder } from '../builder.ts';
import './types/scalars.ts';
import './types/ticket.ts';
import './types/ticket-list.ts';
import './types/ticket-mutations.ts';
import './types/ticket-conversations.ts';
import './types/conversation.ts';
import './types/person.ts';
import './types/satisfaction-rating.ts';
import './types/satisfaction-rating-list.ts';
import './types/contact.ts';
import './types/agent.ts';
import './types/company.ts';
import './types/company-list.ts';
import './types/group.ts';
import './types/ticket-field.ts';
import './types/article.ts';
import './types/solution-category.ts';
import './types/solution-folder.ts';
import './types/quota.ts';
import './types/ticket-event.ts';

export const schema = builder.toSchema();

/** The schema sorted by name: what `schema/schema.graphql` holds. */
export const sortedSchema = lexicographicSortSchema(schema);
