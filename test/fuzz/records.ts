/**
 * Records in Freshdesk's own shape (freshdesk-api.md section 2), one of each kind the gateway
 * reads, and near-misses of them: one field dropped, nulled or replaced by random JSON. Garbage
 * that looks almost right reaches every field a model reads, where random JSON stops at the first.
 */
import fc from 'fast-check';

const AT = '2026-01-31T12:00:00Z';
const AGENT_ID = 50_000_067_379;
const GROUP_ID = 50_000_011_111;
const CONTACT_ID = 50_000_022_222;
const COMPANY_ID = 50_000_033_333;

const conversation = {
  id: 50_000_044_444,
  body: '<p>hi</p>',
  body_text: 'hi',
  incoming: false,
  private: true,
  user_id: AGENT_ID,
  support_email: null,
  source: 2,
  ticket_id: 1,
  to_emails: null,
  from_email: null,
  cc_emails: [],
  bcc_emails: [],
  created_at: AT,
  updated_at: AT,
};

export const RECORDS: Record<string, Record<string, unknown>> = {
  ticket: {
    id: 1,
    subject: 'Printer on fire',
    description: '<p>Help</p>',
    description_text: 'Help',
    status: 2,
    priority: 3,
    source: 1,
    type: 'Incident',
    requester_id: CONTACT_ID,
    responder_id: AGENT_ID,
    group_id: GROUP_ID,
    company_id: COMPANY_ID,
    tags: ['fire'],
    custom_fields: { cf_floor: 3, cf_vip: true, cf_note: null },
    created_at: AT,
    updated_at: AT,
    due_by: AT,
    fr_due_by: null,
    spam: false,
    requester: { id: CONTACT_ID, name: 'Ada', email: 'ada@example.com', mobile: null, phone: null },
    company: { id: COMPANY_ID, name: 'Acme' },
    conversations: [conversation],
  },
  conversation,
  contact: {
    id: CONTACT_ID,
    name: 'Ada',
    email: 'ada@example.com',
    phone: null,
    mobile: null,
    active: true,
    company_id: COMPANY_ID,
    tags: [],
    custom_fields: { tier: 'gold' },
    created_at: AT,
    updated_at: AT,
  },
  agent: {
    id: AGENT_ID,
    available: true,
    occasional: false,
    group_ids: [GROUP_ID],
    created_at: AT,
    updated_at: AT,
    contact: { name: 'Grace', email: 'grace@example.com', phone: null, mobile: null, active: true },
  },
  group: { id: GROUP_ID, name: 'Support', description: null, agent_ids: [AGENT_ID] },
  company: {
    id: COMPANY_ID,
    name: 'Acme',
    description: null,
    domains: ['acme.com'],
    custom_fields: {},
    created_at: AT,
    updated_at: AT,
  },
  category: { id: 53_000_000_001, name: 'Getting started', description: null },
  folder: {
    id: 53_000_000_002,
    name: 'Basics',
    description: null,
    category_id: 53_000_000_001,
    parent_folder_id: null,
  },
  article: {
    id: 53_000_000_003,
    title: 'Reset a password',
    description: '<p>Click</p>',
    description_text: 'Click',
    status: 2,
    type: 1,
    agent_id: AGENT_ID,
    category_id: 53_000_000_001,
    folder_id: 53_000_000_002,
    hierarchy: [
      { level: 1, type: 'category', data: { id: 53_000_000_001, name: 'Getting started' } },
      { level: 2, type: 'folder', data: { id: 53_000_000_002, name: 'Basics' } },
    ],
    hits: 4,
    thumbs_up: 1,
    thumbs_down: 0,
    tags: [],
    created_at: AT,
    updated_at: AT,
  },
  ticketField: {
    id: 60_000_000_001,
    name: 'status',
    label: 'Status',
    type: 'default_status',
    default: true,
    position: 4,
    required_for_agents: true,
    choices: { '2': ['Open', 'Being processed'], '6': ['Waiting', 'Waiting'] },
  },
  rating: {
    id: 61_000_000_001,
    survey_id: 1,
    user_id: CONTACT_ID,
    agent_id: AGENT_ID,
    group_id: GROUP_ID,
    ticket_id: 1,
    feedback: 'Great',
    ratings: { default_question: 103 },
    created_at: AT,
    updated_at: AT,
  },
};

/** A record of some kind with one field dropped, nulled or replaced by random JSON. */
export const nearMiss: fc.Arbitrary<Record<string, unknown>> = fc
  .constantFrom(...Object.values(RECORDS))
  .chain((record) =>
    fc.tuple(
      fc.constant(record),
      fc.constantFrom(...Object.keys(record)),
      fc.oneof(
        fc.constant<'drop'>('drop'),
        fc.constant(null),
        fc.constantFrom('', '2', 'x', 2 ** 53, -1, 1.5, [], {}, true),
        fc.jsonValue({ maxDepth: 2 }),
      ),
    ),
  )
  .map(([record, key, value]) => {
    const copy: Record<string, unknown> = structuredClone(record);
    if (value === 'drop') {
      delete copy[key];
    } else {
      copy[key] = value;
    }
    return copy;
  });
