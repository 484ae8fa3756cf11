/**
 * Person: whoever wrote a conversation, an Agent or a Contact. Both are plain models, so the
 * resolver that returns an agent registers it in `agentSources`; everything else is a contact.
 */
import { builder } from '../../builder.ts';
import { Agent, agentSources, Contact } from '../refs.ts';

export const Person = builder.unionType('Person', {
  description: 'A person in the helpdesk: an agent or a contact.',
  types: [Contact, Agent],
  resolveType: (value) => (agentSources.has(value) ? Agent : Contact),
});
