/**
 * The emulator's data, stored exactly in Freshdesk API v2's JSON shape (snake_case, ids as numbers,
 * times as `YYYY-MM-DDTHH:MM:SSZ` strings) so that handlers can serialise records as they are.
 * Fields that Freshdesk never returns live under names that start with `_` and are stripped on output.
 *
 * This file is the contract between the emulator's parts: the seed generator (`seed.ts`), the HTTP
 * handlers (`handlers/*.ts`), search (`search.ts`) and webhooks (`webhooks.ts`).
 */

export type Timestamp = string; // YYYY-MM-DDTHH:MM:SSZ, always UTC

export interface TicketStats {
  agent_responded_at: Timestamp | null;
  requester_responded_at: Timestamp | null;
  first_responded_at: Timestamp | null;
  status_updated_at: Timestamp | null;
  reopened_at: Timestamp | null;
  resolved_at: Timestamp | null;
  closed_at: Timestamp | null;
  pending_since: Timestamp | null;
}

export interface AttachmentRecord {
  id: number;
  content_type: string;
  size: number;
  name: string;
  attachment_url: string;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface TicketRecord {
  id: number; // the per-account display id: small and sequential
  subject: string;
  description: string; // HTML
  description_text: string;
  status: number; // 2 open, 3 pending, 4 resolved, 5 closed, 6+ custom
  priority: number; // 1..4
  source: number;
  type: string | null;
  requester_id: number;
  responder_id: number | null;
  group_id: number | null;
  company_id: number | null;
  product_id: number | null;
  email_config_id: number | null;
  association_type: number | null;
  to_emails: string[] | null;
  cc_emails: string[];
  fwd_emails: string[];
  reply_cc_emails: string[];
  ticket_cc_emails: string[];
  tags: string[];
  custom_fields: Record<string, string | number | boolean | null>;
  fr_escalated: boolean;
  is_escalated: boolean;
  spam: boolean;
  deleted?: true; // present only when true
  source_additional_info: Record<string, unknown> | null;
  attachments: AttachmentRecord[];
  created_at: Timestamp;
  updated_at: Timestamp;
  due_by: Timestamp | null;
  fr_due_by: Timestamp | null;
  _stats: TicketStats;
}

export interface ConversationRecord {
  id: number;
  body: string;
  body_text: string;
  incoming: boolean;
  private: boolean;
  user_id: number;
  support_email: string | null;
  source: number; // 0 reply, 2 note, ...
  ticket_id: number;
  to_emails: string[];
  from_email: string | null;
  cc_emails: string[];
  bcc_emails: string[];
  attachments: AttachmentRecord[];
  created_at: Timestamp;
  updated_at: Timestamp;
  last_edited_at: Timestamp | null;
  last_edited_user_id: number | null;
}

export interface ContactRecord {
  id: number;
  name: string;
  email: string | null;
  phone: string | null;
  mobile: string | null;
  active: boolean;
  address: string | null;
  description: string | null;
  job_title: string | null;
  language: string;
  time_zone: string;
  twitter_id: string | null;
  unique_external_id: string | null;
  company_id: number | null;
  view_all_tickets: boolean;
  other_emails: string[];
  other_companies: { company_id: number; view_all_tickets: boolean }[];
  tags: string[];
  custom_fields: Record<string, string | number | boolean | null>;
  avatar: null;
  created_at: Timestamp;
  updated_at: Timestamp;
  deleted?: true;
  _state: 'verified' | 'unverified' | 'blocked' | 'deleted';
}

export interface AgentContactRecord {
  active: boolean;
  email: string;
  job_title: string | null;
  language: string;
  last_login_at: Timestamp | null;
  mobile: string | null;
  name: string;
  phone: string | null;
  time_zone: string;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface AgentRecord {
  id: number;
  available: boolean;
  available_since: Timestamp | null;
  occasional: boolean;
  signature: string | null;
  ticket_scope: 1 | 2 | 3; // 1 global, 2 group, 3 restricted
  type: 'support_agent' | 'field_agent' | 'collaborator';
  group_ids: number[];
  role_ids: number[];
  skill_ids: number[];
  focus_mode: boolean;
  created_at: Timestamp;
  updated_at: Timestamp;
  contact: AgentContactRecord;
  _admin: boolean; // may call admin-only endpoints (agents list and show, groups); ticket fields are readable by all
}

export interface CompanyRecord {
  id: number;
  name: string;
  description: string | null;
  note: string | null;
  domains: string[];
  custom_fields: Record<string, string | number | boolean | null>;
  health_score: string | null;
  account_tier: string | null;
  renewal_date: Timestamp | null;
  industry: string | null;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface GroupRecord {
  id: number;
  name: string;
  description: string | null;
  agent_ids: number[]; // omitted from the list response, as Freshdesk does
  auto_ticket_assign: number;
  business_hour_id: number | null;
  escalate_to: number | null;
  unassigned_for: string | null;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface SolutionCategoryRecord {
  id: number;
  name: string;
  description: string | null;
  visible_in_portals: number[];
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface SolutionFolderRecord {
  id: number;
  name: string;
  description: string | null;
  category_id: number;
  parent_folder_id: number | null;
  visibility: number;
  company_ids: number[];
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface ArticleRecord {
  id: number;
  title: string;
  description: string; // HTML, may contain <img> tags
  description_text: string;
  status: 1 | 2; // 1 draft, 2 published
  type: 1 | 2; // 1 permanent, 2 workaround
  agent_id: number;
  category_id: number;
  folder_id: number;
  thumbs_up: number;
  thumbs_down: number;
  hits: number;
  tags: string[];
  seo_data: {
    meta_title: string | null;
    meta_description: string | null;
    meta_keywords: string | null;
  };
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface SatisfactionRatingRecord {
  id: number;
  survey_id: number;
  user_id: number;
  agent_id: number | null;
  group_id: number | null;
  ticket_id: number;
  feedback: string | null;
  ratings: Record<string, number>;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface TicketFieldRecord {
  id: number;
  name: string;
  label: string;
  label_for_customers: string;
  description: string | null;
  position: number;
  default: boolean;
  type: string; // default_status, custom_dropdown, nested_field, ...
  required_for_closure: boolean;
  required_for_agents: boolean;
  required_for_customers: boolean;
  customers_can_edit: boolean;
  displayed_to_customers: boolean;
  portal_cc?: boolean;
  portal_cc_to?: string;
  choices?: unknown; // shape depends on type (see freshdesk-api.md 2.10)
  nested_ticket_fields?: {
    name: string;
    label: string;
    label_in_portal: string;
    level: number;
    ticket_field_id: number;
  }[];
  created_at: Timestamp;
  updated_at: Timestamp;
}

/** Everything the emulator serves. Built by `seedData()`; mutated in place by handlers. */
export interface EmulatorData {
  tickets: Map<number, TicketRecord>;
  /** Per ticket id, oldest first. Tickets with no conversations may have no entry. */
  conversations: Map<number, ConversationRecord[]>;
  contacts: Map<number, ContactRecord>;
  agents: Map<number, AgentRecord>;
  companies: Map<number, CompanyRecord>;
  groups: Map<number, GroupRecord>;
  categories: Map<number, SolutionCategoryRecord>;
  folders: Map<number, SolutionFolderRecord>;
  articles: Map<number, ArticleRecord>;
  ratings: Map<number, SatisfactionRatingRecord>;
  ticketFields: TicketFieldRecord[];
  /** API key → agent id. The first key is the admin's; one key belongs to a restricted (group-scoped) agent. */
  apiKeys: Map<string, number>;
  /** Next ticket display id (small, sequential). */
  nextTicketId: number;
  /** Next global id for every other record (11-digit, above 2^32). */
  nextId: number;
}

export interface SeedOptions {
  /** Deterministic: the same seed gives byte-identical data. @default 1 */
  seed?: number;
  /** @default 2000; sizes up to 31,000+ must stay cheap (under ~3 s) */
  tickets?: number;
  /** How many companies (an account with more than 300 tests list-size limits). @default 40 */
  companies?: number;
  /** How many contacts. @default 500 */
  contacts?: number;
  /** "Now" for generated times; tickets spread over the two years before it. @default Date.now() */
  now?: number;
  /** Overrides the admin agent's API key. */
  adminApiKey?: string;
}
