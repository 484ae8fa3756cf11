/**
 * The object types' references, declared once so that the type files (one per type, each
 * implementing its own) can point at one another without importing one another: no import cycles
 * among `schema/types/`. Also the shapes a type may be resolved from when only part of the record
 * is at hand (a requester embedded in a ticket, a company's id).
 */
import { builder } from '../builder.ts';
import type { AgentModel } from '../upstream/agents.ts';
import type { CompanyModel } from '../upstream/companies.ts';
import type { ContactModel } from '../upstream/contacts.ts';
import type { ConversationModel } from '../upstream/conversations.ts';
import type { GroupModel } from '../upstream/groups.ts';
import type { SatisfactionRatingModel } from '../upstream/satisfaction-ratings.ts';
import type {
  ArticleModel,
  SolutionCategoryModel,
  SolutionFolderModel,
} from '../upstream/solutions.ts';
import type { TicketFieldModel } from '../upstream/ticket-fields.ts';
import type { TicketModel } from '../upstream/tickets.ts';
import { defineConnection } from './connection.ts';

/** What an embedded requester carries: the id plus whichever of these fields the source had. */
export interface PartialContact {
  partial: true;
  id: string;
  name?: string;
  email?: string | null;
  mobile?: string | null;
  phone?: string | null;
}

export type ContactSource = ContactModel | PartialContact;

/**
 * What a ticket knows of its company without a company call: the id, plus the name when the call
 * embedded the company (`include=company` gives `{id, name}`).
 */
export interface PartialCompany {
  partial: true;
  id: string;
  name?: string;
}

export type CompanySource = CompanyModel | PartialCompany;

export const isPartial = <T extends object>(
  source: T | { partial: true },
): source is {
  partial: true;
} & T => 'partial' in source && source.partial === true;

export const Ticket = builder.objectRef<TicketModel>('Ticket');
export const TicketConnection = defineConnection('Ticket', Ticket, { totalCount: true });
export const Conversation = builder.objectRef<ConversationModel>('Conversation');
export const ConversationConnection = defineConnection('Conversation', Conversation);
export const Contact = builder.objectRef<ContactSource>('Contact');
export const ContactConnection = defineConnection('Contact', Contact);
export const Agent = builder.objectRef<AgentModel>('Agent');
export const AgentConnection = defineConnection('Agent', Agent);
export const Company = builder.objectRef<CompanySource>('Company');
export const Group = builder.objectRef<GroupModel>('Group');
export const SatisfactionRating = builder.objectRef<SatisfactionRatingModel>('SatisfactionRating');
export const TicketField = builder.objectRef<TicketFieldModel>('TicketField');
export const Article = builder.objectRef<ArticleModel>('Article');
export const ArticleConnection = defineConnection('Article', Article);
export const SolutionCategory = builder.objectRef<SolutionCategoryModel>('SolutionCategory');
export const SolutionFolder = builder.objectRef<SolutionFolderModel>('SolutionFolder');

/**
 * Agents returned where a `Person` is expected, registered so `Person.resolveType` can tell them
 * from contacts (both are plain models).
 */
export const agentSources = new WeakSet<object>();
