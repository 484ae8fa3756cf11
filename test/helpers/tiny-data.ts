/**
 * A small hand-made helpdesk for emulator tests: every number is easy to reason about.
 *
 * - 60 tickets, ids 1..60; ticket `i` was created `61 - i` days before `now` (so 1 is 60 days old and
 *   60 is one day old), updated one hour after creation. With `now` on the 15th of a month that
 *   follows a 30-day month (e.g. 2026-05-15), the 30-day window holds exactly tickets 31..60.
 * - Ticket 57 is spam, 58 is deleted; ticket 60 has 12 conversations, ticket 59 has one.
 * - Groups: Billing (tickets with odd ids) and Support (even ids). The restricted agent is in Support.
 * - API keys: `admin-key` (admin), `agent-key` (global agent), `restricted-key` (group scope, Support).
 */
import { isoSeconds } from '../../src/emulator/http.ts';
import type {
  AgentRecord,
  CompanyRecord,
  ContactRecord,
  ConversationRecord,
  EmulatorData,
  GroupRecord,
  TicketFieldRecord,
  TicketRecord,
} from '../../src/emulator/records.ts';

export const TINY = {
  adminId: 50_000_000_001,
  agentId: 50_000_000_002,
  restrictedId: 50_000_000_003,
  billingGroupId: 60_000_000_001,
  supportGroupId: 60_000_000_002,
  acmeId: 70_000_000_001,
  globexId: 70_000_000_002,
  firstContactId: 80_000_000_001,
  contactCount: 5,
  ticketCount: 60,
  spamTicketId: 57,
  deletedTicketId: 58,
  chattyTicketId: 60,
  keys: { admin: 'admin-key', agent: 'agent-key', restricted: 'restricted-key' },
} as const;

const DAY = 86_400_000;
const HOUR = 3_600_000;

function agent(
  id: number,
  name: string,
  scope: 1 | 2 | 3,
  groupIds: number[],
  admin: boolean,
  at: string,
): AgentRecord {
  return {
    id,
    available: true,
    available_since: null,
    occasional: false,
    signature: null,
    ticket_scope: scope,
    type: 'support_agent',
    group_ids: groupIds,
    role_ids: [],
    skill_ids: [],
    focus_mode: false,
    created_at: at,
    updated_at: at,
    contact: {
      active: true,
      email: `${name.toLowerCase()}@emulator.example`,
      job_title: null,
      language: 'en',
      last_login_at: null,
      mobile: null,
      name,
      phone: null,
      time_zone: 'UTC',
      created_at: at,
      updated_at: at,
    },
    _admin: admin,
  };
}

function field(
  id: number,
  name: string,
  type: string,
  extra: Partial<TicketFieldRecord> = {},
): TicketFieldRecord {
  return {
    id,
    name,
    label: name,
    label_for_customers: name,
    description: null,
    position: id % 100,
    default: type.startsWith('default_'),
    type,
    required_for_closure: false,
    required_for_agents: false,
    required_for_customers: false,
    customers_can_edit: false,
    displayed_to_customers: true,
    created_at: '2020-01-01T00:00:00Z',
    updated_at: '2020-01-01T00:00:00Z',
    ...extra,
  };
}

/** Builds the tiny helpdesk relative to `now` (epoch ms). Fresh objects on every call. */
export function tinyData(now: number = Date.now()): EmulatorData {
  const old = isoSeconds(now - 400 * DAY);
  const agents = new Map<number, AgentRecord>([
    [TINY.adminId, agent(TINY.adminId, 'Ada', 1, [TINY.billingGroupId], true, old)],
    [TINY.agentId, agent(TINY.agentId, 'Bob', 1, [TINY.billingGroupId], false, old)],
    [TINY.restrictedId, agent(TINY.restrictedId, 'Cy', 2, [TINY.supportGroupId], false, old)],
  ]);
  const group = (id: number, name: string, agentIds: number[]): GroupRecord => ({
    id,
    name,
    description: null,
    agent_ids: agentIds,
    auto_ticket_assign: 0,
    business_hour_id: null,
    escalate_to: null,
    unassigned_for: null,
    created_at: old,
    updated_at: old,
  });
  const groups = new Map<number, GroupRecord>([
    [TINY.billingGroupId, group(TINY.billingGroupId, 'Billing', [TINY.adminId, TINY.agentId])],
    [TINY.supportGroupId, group(TINY.supportGroupId, 'Support', [TINY.restrictedId])],
  ]);
  const company = (id: number, name: string): CompanyRecord => ({
    id,
    name,
    description: null,
    note: null,
    domains: [`${name.toLowerCase()}.example`],
    custom_fields: {},
    health_score: null,
    account_tier: null,
    renewal_date: null,
    industry: null,
    created_at: old,
    updated_at: old,
  });
  const companies = new Map<number, CompanyRecord>([
    [TINY.acmeId, company(TINY.acmeId, 'Acme')],
    [TINY.globexId, company(TINY.globexId, 'Globex')],
  ]);
  const contacts = new Map<number, ContactRecord>();
  for (let i = 0; i < TINY.contactCount; i += 1) {
    const id = TINY.firstContactId + i;
    contacts.set(id, {
      id,
      name: `Customer ${i + 1}`,
      email: `customer${i + 1}@example.com`,
      phone: `+1555000${i}`,
      mobile: null,
      active: true,
      address: null,
      description: null,
      job_title: null,
      language: 'en',
      time_zone: 'UTC',
      twitter_id: null,
      unique_external_id: null,
      company_id: i === 4 ? null : i % 2 === 0 ? TINY.acmeId : TINY.globexId,
      view_all_tickets: false,
      other_emails: [],
      other_companies: [],
      tags: [],
      custom_fields: {},
      avatar: null,
      created_at: old,
      updated_at: old,
      _state: 'verified',
    });
  }
  const tickets = new Map<number, TicketRecord>();
  const statuses = [2, 3, 4, 5, 6];
  for (let id = 1; id <= TINY.ticketCount; id += 1) {
    const created = now - (61 - id) * DAY;
    const requesterId = TINY.firstContactId + (id % TINY.contactCount);
    const contact = contacts.get(requesterId);
    tickets.set(id, {
      id,
      subject: `Ticket ${id}`,
      description: `<div>Problem number ${id}</div>`,
      description_text: `Problem number ${id}`,
      status: statuses[id % statuses.length] as number,
      priority: (id % 4) + 1,
      source: 1,
      type: id % 2 === 0 ? 'Question' : 'Incident',
      requester_id: requesterId,
      responder_id: id % 3 === 0 ? null : TINY.agentId,
      group_id: id % 2 === 1 ? TINY.billingGroupId : TINY.supportGroupId,
      company_id: contact?.company_id ?? null,
      product_id: null,
      email_config_id: null,
      association_type: null,
      to_emails: null,
      cc_emails: [],
      fwd_emails: [],
      reply_cc_emails: [],
      ticket_cc_emails: [],
      tags: id % 5 === 0 ? ['vip'] : [],
      custom_fields: { cf_category: null, cf_order_ref: null, cf_vip: false },
      fr_escalated: false,
      is_escalated: false,
      spam: id === TINY.spamTicketId,
      ...(id === TINY.deletedTicketId ? { deleted: true as const } : {}),
      source_additional_info: null,
      attachments: [],
      created_at: isoSeconds(created),
      updated_at: isoSeconds(created + HOUR),
      due_by: isoSeconds(created + 3 * DAY),
      fr_due_by: isoSeconds(created + DAY),
      _stats: {
        agent_responded_at: null,
        requester_responded_at: null,
        first_responded_at: null,
        status_updated_at: null,
        reopened_at: null,
        resolved_at: null,
        closed_at: null,
        pending_since: null,
      },
    });
  }
  const conversations = new Map<number, ConversationRecord[]>();
  let nextId = 90_000_000_001;
  const conversation = (ticketId: number, index: number): ConversationRecord => {
    const at = isoSeconds(now - DAY + index * 60_000);
    return {
      id: nextId++,
      body: `<div>Message ${index}</div>`,
      body_text: `Message ${index}`,
      incoming: index % 2 === 0,
      private: false,
      user_id: index % 2 === 0 ? TINY.firstContactId : TINY.agentId,
      support_email: null,
      source: 0,
      ticket_id: ticketId,
      to_emails: [],
      from_email: null,
      cc_emails: [],
      bcc_emails: [],
      attachments: [],
      created_at: at,
      updated_at: at,
      last_edited_at: null,
      last_edited_user_id: null,
    };
  };
  conversations.set(
    TINY.chattyTicketId,
    Array.from({ length: 12 }, (_, i) => conversation(TINY.chattyTicketId, i)),
  );
  conversations.set(59, [conversation(59, 0)]);

  const ticketFields: TicketFieldRecord[] = [
    field(1, 'requester', 'default_requester', { required_for_agents: true }),
    field(2, 'subject', 'default_subject', { required_for_agents: true }),
    field(3, 'ticket_type', 'default_ticket_type', {
      choices: ['Question', 'Incident', 'Problem', 'Feature Request'],
    }),
    field(4, 'source', 'default_source', {
      choices: {
        Email: 1,
        Portal: 2,
        Phone: 3,
        Chat: 7,
        'Feedback Widget': 9,
        'Outbound Email': 10,
      },
    }),
    field(5, 'status', 'default_status', {
      required_for_agents: true,
      choices: {
        '2': ['Open', 'Being Processed'],
        '3': ['Pending', 'Awaiting your Reply'],
        '4': ['Resolved', 'This ticket has been Resolved'],
        '5': ['Closed', 'This ticket has been Closed'],
        '6': ['Waiting on Customer', 'Awaiting your Reply'],
        '7': ['Waiting on Third Party', 'Being Processed'],
      },
    }),
    field(6, 'priority', 'default_priority', {
      choices: { Low: 1, Medium: 2, High: 3, Urgent: 4 },
    }),
    field(7, 'group', 'default_group', { choices: { Billing: TINY.billingGroupId } }),
    field(8, 'agent', 'default_agent', { choices: { Bob: TINY.agentId } }),
    field(9, 'description', 'default_description', { required_for_agents: true }),
    field(10, 'cf_category', 'custom_dropdown', { choices: ['Billing', 'Technical', 'Other'] }),
    field(11, 'cf_order_ref', 'custom_text'),
    field(12, 'cf_vip', 'custom_checkbox'),
    field(13, 'cf_country', 'nested_field', {
      choices: {
        USA: { California: ['San Francisco', 'Los Angeles'], Texas: ['Austin'] },
        India: { Karnataka: ['Bangalore'] },
      },
      nested_ticket_fields: [
        {
          name: 'cf_state',
          label: 'State',
          label_in_portal: 'State',
          level: 2,
          ticket_field_id: 13,
        },
        { name: 'cf_city', label: 'City', label_in_portal: 'City', level: 3, ticket_field_id: 13 },
      ],
    }),
  ];

  return {
    tickets,
    conversations,
    contacts,
    agents,
    companies,
    groups,
    categories: new Map(),
    folders: new Map(),
    articles: new Map(),
    ratings: new Map(),
    ticketFields,
    apiKeys: new Map<string, number>([
      [TINY.keys.admin, TINY.adminId],
      [TINY.keys.agent, TINY.agentId],
      [TINY.keys.restricted, TINY.restrictedId],
    ]),
    nextTicketId: TINY.ticketCount + 1,
    nextId,
  };
}
