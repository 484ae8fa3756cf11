/**
 * Deterministic seeded helpdesk data at realistic sizes, in Freshdesk API v2's JSON shape.
 *
 * The same `seed`, `tickets` and `now` always give deep-equal data: every random choice comes from
 * the seeded PRNG in `random.ts`, and the only clock read is `options.now` (or `Date.now()` once when
 * it is left out). Times are whole seconds, in the two years before `now`, never after it; only SLA
 * due dates (`due_by`, `fr_due_by`) of open tickets may lie ahead, as on a real account.
 */
import { isoSeconds } from './http.ts';
import { createRandom, type Random } from './random.ts';
import type {
  AgentRecord,
  ArticleRecord,
  AttachmentRecord,
  CompanyRecord,
  ContactRecord,
  ConversationRecord,
  EmulatorData,
  GroupRecord,
  SatisfactionRatingRecord,
  SeedOptions,
  SolutionCategoryRecord,
  SolutionFolderRecord,
  TicketFieldRecord,
  TicketRecord,
  TicketStats,
} from './records.ts';

/** The seeded API keys. Each belongs to one agent: see `DEFAULT_AGENT_EMAILS`. */
export const DEFAULT_API_KEYS = {
  /** The account admin (agent index 0): may call admin-only endpoints. */
  admin: 'emulator-admin-key',
  /** A plain support agent with global ticket scope (agent index 1). */
  agent: 'emulator-agent-key',
  /** A support agent with group ticket scope (`ticket_scope: 2`) in one group (agent index 2). */
  restricted: 'emulator-restricted-key',
} as const;

/** The emails of the agents that hold `DEFAULT_API_KEYS` (handy for `email:password` auth). */
export const DEFAULT_AGENT_EMAILS = {
  admin: 'admin@acme.example',
  agent: 'agent@acme.example',
  restricted: 'restricted@acme.example',
} as const;

/** The account's helpdesk host, used in URLs the data carries (attachments, inline images). */
export const HELPDESK_HOST = 'acme.freshdesk.com';
/** The address email tickets were sent to, and agents reply from. */
export const SUPPORT_EMAIL = 'support@acme.example';

/** The one satisfaction survey all seeded ratings answer. */
export const SURVEY_ID = 58_000_000_001;

/**
 * Contact custom fields (keys have no `cf_` prefix) and their search types: search needs to know
 * whether a value is a string, number or boolean, and there is no contact-fields table in the data.
 */
export const CONTACT_CUSTOM_FIELDS = {
  loyalty_tier: 'string',
  newsletter: 'boolean',
  seats: 'number',
} as const;

/** Company custom fields, as for contacts. */
export const COMPANY_CUSTOM_FIELDS = {
  contract_id: 'string',
  employees: 'number',
} as const;

/** Ticket sizes above this get fewer, shorter conversations so that 31,000+ tickets stay cheap. */
export const LARGE_SEED_THRESHOLD = 5000;

// Global id ranges. Real accounts show 11-digit ids from several ranges; keeping one range per kind
// also makes a mixed-up id (a group id used as an agent id) fail loudly in tests.
const USER_BASE = 50_000_000_000; // agents then contacts: agents are users, as in Freshdesk
const COMPANY_BASE = 51_000_000_000;
const GROUP_BASE = 52_000_000_000;
const SOLUTION_BASE = 53_000_000_000;
const FIELD_BASE = 54_000_000_000;
const CONVERSATION_BASE = 55_000_000_000;
const ATTACHMENT_BASE = 56_000_000_000;
const RATING_BASE = 57_000_000_000;
/** Where ids of records created at run time start: above every seeded range. */
const NEXT_ID_BASE = 60_000_000_000;

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

const AGENT_COUNT = 25;
const GROUP_COUNT = 8;
const COMPANY_COUNT = 40;
const CONTACT_COUNT = 500;

// biome-ignore format: a word list
const FIRST_NAMES = [
  'Ava', 'Ben', 'Chloe', 'Daniel', 'Elena', 'Farid', 'Grace', 'Hiro', 'Isla', 'Jonas', 'Kavya',
  'Liam', 'Maya', 'Noah', 'Olivia', 'Pablo', 'Quinn', 'Rosa', 'Sami', 'Tara', 'Umar', 'Vera',
  'Wen', 'Ximena', 'Yusuf', 'Zoe', 'Aiko', 'Bruno', 'Carmen', 'Dmitri', 'Emeka', 'Fatima',
  'Gustav', 'Hana', 'Ivan', 'Julia', 'Kofi', 'Lena', 'Mateo', 'Nadia',
];

// biome-ignore format: a word list
const LAST_NAMES = [
  'Adams', 'Baker', 'Costa', 'Dubois', 'Evans', 'Fischer', 'Garcia', 'Huang', 'Ivanova', 'Jensen',
  'Kim', 'Lopez', 'Meyer', 'Nakamura', 'Okafor', 'Patel', 'Quist', 'Rossi', 'Silva', 'Tanaka',
  'Uddin', 'Varga', 'Weber', 'Xu', 'Yilmaz', 'Zhang', "O'Brien", 'Novak', 'Moreau', 'Lindqvist',
];

// biome-ignore format: a word list
const COMPANY_WORDS = [
  'Acme', 'Globex', 'Initech', 'Umbrella', 'Hooli', 'Vandelay', 'Stark', 'Wayne', 'Wonka',
  'Tyrell', 'Cyberdyne', 'Soylent', 'Aperture', 'Massive', 'Monarch', 'Gringotts', 'Oscorp',
  'Pied Piper', 'Dunder', 'Sterling', 'Prestige', 'Nakatomi', 'Zorg', 'Virtucon',
];
const COMPANY_SUFFIXES = ['Inc', 'Ltd', 'GmbH', 'Labs', 'Group', 'Systems', 'Logistics'];
const INDUSTRIES = ['Retail', 'Software', 'Healthcare', 'Finance', 'Education', 'Manufacturing'];

// biome-ignore format: a word list
const GROUP_NAMES = [
  'Billing', 'Technical Support', 'Escalations', 'Sales', 'Onboarding', 'Refunds', 'Hardware',
  'Enterprise Accounts',
];

// biome-ignore format: a word list
const TAGS = [
  'billing', 'refund', 'login', 'bug', 'feature-request', 'urgent', 'vip', 'mobile', 'api',
  'outage', 'shipping', 'invoice', 'onboarding', 'password', 'integration', 'churn-risk',
];

const TICKET_TYPES = ['Question', 'Incident', 'Problem', 'Feature Request', 'Refund'];
const PLANS = ['Free', 'Starter', 'Pro', 'Enterprise'];
/** cf_product → cf_component → cf_version, the nested dependent field's choices. */
const PRODUCT_TREE: Record<string, Record<string, string[]>> = {
  Widget: { Engine: ['v1', 'v2'], Gearbox: ['2023', '2024'], Chassis: ['Standard'] },
  Gadget: { Display: ['HD', '4K'], Battery: ['Li-ion', 'Solid state'] },
  'Cloud Suite': { Sync: ['1.x', '2.x', '3.x'], 'Admin Console': ['Classic', 'New'], API: ['v2'] },
};

const STATUS_CHOICES = {
  '2': ['Open', 'Being Processed'],
  '3': ['Pending', 'Awaiting your Reply'],
  '4': ['Resolved', 'This ticket has been Resolved'],
  '5': ['Closed', 'This ticket has been Closed'],
  '6': ['Waiting on Customer', 'Awaiting your Reply'],
  '7': ['Waiting on Third Party', 'Being Processed'],
};
const PRIORITY_CHOICES = { Low: 1, Medium: 2, High: 3, Urgent: 4 };
const SOURCE_CHOICES = {
  Email: 1,
  Portal: 2,
  Phone: 3,
  Chat: 7,
  'Feedback Widget': 9,
  'Outbound Email': 10,
};

// biome-ignore format: a word list
const SUBJECT_PROBLEMS = [
  'Cannot log in to', 'Refund request for', 'Invoice missing for', 'Error 500 when opening',
  'Question about', 'Slow sync in', 'Feature request:', 'Shipping delay on', 'Password reset for',
  'Crash after updating', 'Billing discrepancy on', 'How do I export data from',
];
// biome-ignore format: a word list
const SUBJECT_OBJECTS = [
  'my account', 'order', 'the dashboard', 'the mobile app', 'the API', 'the admin console',
  'our team workspace', 'the annual plan', 'the Widget engine', 'the Gadget display',
];
const SENTENCES = [
  'Hi team, we noticed this started happening yesterday afternoon.',
  'It affects several people in our office, not just me.',
  'Could you please take a look as soon as possible?',
  'I have attached a screenshot of the error message.',
  'We tried clearing the cache and restarting, with no luck.',
  'Thanks for the quick reply, that fixed part of it.',
  'The problem is back again after the latest update.',
  'We need this sorted before the end of the month for our audit.',
  'I checked the settings page and everything looks correct & saved.',
  'Please let me know if you need any more details from our side.',
  'Following up on this: is there any news?',
  'Our order number is in the subject line.',
];
const AGENT_SENTENCES = [
  'Thanks for reaching out, I am looking into this now.',
  'Could you confirm which browser and version you are using?',
  'I have escalated this to our engineering team.',
  'The fix has been deployed; could you try again and let us know?',
  'I have issued the refund; it should arrive within 5 business days.',
  'Here is a link to the relevant article in our knowledge base.',
  'We are marking this as resolved, but reply anytime if it comes back.',
];
const NOTE_SENTENCES = [
  'Customer is on the Enterprise plan, handle with priority.',
  'Reproduced on staging, linked to the sync bug.',
  'Waiting on the payments provider to confirm the chargeback.',
  'Checked logs: the token expired, not a platform issue.',
];
const LANGUAGES = ['en', 'en', 'en', 'en', 'de', 'fr', 'es', 'pt-BR', 'ja'];
// biome-ignore format: a word list
const TIME_ZONES = [
  'Eastern Time (US & Canada)', 'Pacific Time (US & Canada)', 'London', 'Berlin', 'Paris',
  'Tokyo', 'Sydney', 'Chennai', 'Central Time (US & Canada)',
];
const JOB_TITLES = ['Office Manager', 'CTO', 'Developer', 'Accountant', 'Founder', 'IT Admin'];

interface Context {
  rnd: Random;
  now: number;
  large: boolean;
  nextAttachmentId: number;
  companyCount: number;
  contactCount: number;
}

/**
 * Builds the emulator's data.
 *
 * Defaults: 2,000 tickets over the two years before `now` (about 12% created in the last 30 days),
 * 500 contacts, 40 companies, 25 agents, 8 groups, about 5 conversations per ticket, 3 solution
 * categories with 8 folders and 64 articles, satisfaction ratings on about a third of the
 * resolved/closed tickets. Some tickets share one `updated_at` (bulk-update bursts: one of 130 and
 * two of 40 by default; about one burst of 150-400 per 3,000 tickets at larger sizes).
 *
 * Above `LARGE_SEED_THRESHOLD` tickets, tickets get about 2 conversations each (still 0 to 11+) with
 * one-sentence bodies, which keeps 31,000 tickets to a fraction of a second and ~100 MB.
 */
export function seedData(options: SeedOptions = {}): EmulatorData {
  const ticketCount = Math.max(0, Math.floor(options.tickets ?? 2000));
  const now = Math.floor((options.now ?? Date.now()) / SECOND) * SECOND;
  const ctx: Context = {
    rnd: createRandom(options.seed ?? 1),
    now,
    large: ticketCount > LARGE_SEED_THRESHOLD,
    nextAttachmentId: ATTACHMENT_BASE,
    companyCount: Math.max(1, Math.floor(options.companies ?? COMPANY_COUNT)),
    contactCount: Math.max(60, Math.floor(options.contacts ?? CONTACT_COUNT)),
  };

  const groups = buildGroups(ctx);
  const agents = buildAgents(ctx, groups);
  const companies = buildCompanies(ctx);
  const contacts = buildContacts(ctx, companies);
  const ticketFields = buildTicketFields(ctx, groups, agents);
  const { tickets, conversations, ratings } = buildTickets(ctx, ticketCount, {
    contacts,
    agents,
    groups,
  });
  const { categories, folders, articles } = buildSolutions(ctx, agents, companies);

  const agentList = [...agents.values()];
  const apiKeys = new Map<string, number>([
    [options.adminApiKey ?? DEFAULT_API_KEYS.admin, agentList[0]!.id],
    [DEFAULT_API_KEYS.agent, agentList[1]!.id],
    [DEFAULT_API_KEYS.restricted, agentList[2]!.id],
  ]);

  return {
    tickets,
    conversations,
    contacts,
    agents,
    companies,
    groups,
    categories,
    folders,
    articles,
    ratings,
    ticketFields,
    apiKeys,
    nextTicketId: ticketCount + 1,
    nextId: NEXT_ID_BASE,
  };
}

/** A time between `from` and `to` (ms, whole seconds). */
function between(rnd: Random, from: number, to: number): number {
  if (to <= from) {
    return from;
  }
  return Math.floor((from + rnd.next() * (to - from)) / SECOND) * SECOND;
}

function slug(text: string): string {
  return text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');
}

function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function paragraphs(rnd: Random, bank: readonly string[], count: number): string[] {
  const out: string[] = [];
  for (let i = 0; i < count; i++) {
    out.push(rnd.pick(bank));
  }
  return out;
}

function html(texts: readonly string[]): string {
  return `<div>${texts.map((text) => escapeHtml(text)).join('<br>')}</div>`;
}

function attachment(ctx: Context, at: number, name: string): AttachmentRecord {
  const id = ctx.nextAttachmentId++;
  const ext = name.split('.').pop() ?? 'bin';
  const types: Record<string, string> = {
    png: 'image/png',
    pdf: 'application/pdf',
    txt: 'text/plain',
    csv: 'text/csv',
  };
  return {
    id,
    content_type: types[ext] ?? 'application/octet-stream',
    size: ctx.rnd.int(2_000, 900_000),
    name,
    attachment_url: `https://${HELPDESK_HOST}/helpdesk/attachments/${id}?token=${ctx.rnd.hex(24)}`,
    created_at: isoSeconds(at),
    updated_at: isoSeconds(at),
  };
}

function buildGroups(ctx: Context): Map<number, GroupRecord> {
  const groups = new Map<number, GroupRecord>();
  const created = ctx.now - 3 * 365 * DAY;
  GROUP_NAMES.slice(0, GROUP_COUNT).forEach((name, i) => {
    const id = GROUP_BASE + 101 + i;
    const createdAt = between(ctx.rnd, created, created + 30 * DAY);
    groups.set(id, {
      id,
      name,
      description: `${name} queue`,
      agent_ids: [], // filled in from the agents' group_ids
      auto_ticket_assign: ctx.rnd.pick([0, 0, 1, 3]),
      business_hour_id: null,
      escalate_to: null,
      unassigned_for: ctx.rnd.pick(['30m', '1h', '4h', '1d']),
      created_at: isoSeconds(createdAt),
      updated_at: isoSeconds(between(ctx.rnd, createdAt, ctx.now - 60 * DAY)),
    });
  });
  return groups;
}

function buildAgents(ctx: Context, groups: Map<number, GroupRecord>): Map<number, AgentRecord> {
  const { rnd, now } = ctx;
  const groupIds = [...groups.keys()];
  const agents = new Map<number, AgentRecord>();
  const start = now - 3 * 365 * DAY;
  for (let i = 0; i < AGENT_COUNT; i++) {
    const id = USER_BASE + 1 + i;
    const first = FIRST_NAMES[(i * 7) % FIRST_NAMES.length]!;
    const last = LAST_NAMES[(i * 11) % LAST_NAMES.length]!;
    let email = `${slug(first)}.${slug(last)}@acme.example`;
    let groupIdsOfAgent: number[];
    if (i === 0) {
      email = DEFAULT_AGENT_EMAILS.admin;
      groupIdsOfAgent = [groupIds[2]!]; // the admin sits in Escalations
    } else if (i === 1) {
      email = DEFAULT_AGENT_EMAILS.agent;
      groupIdsOfAgent = [groupIds[0]!, groupIds[1]!];
    } else if (i === 2) {
      email = DEFAULT_AGENT_EMAILS.restricted;
      groupIdsOfAgent = [groupIds[0]!]; // Billing only: the group-scoped agent
    } else {
      // Round-robin first so that every group has members, then a random extra one or two.
      const own = groupIds[(i - 3) % groupIds.length]!;
      const extra = rnd.sample(
        groupIds.filter((g) => g !== own),
        rnd.int(0, 2),
      );
      groupIdsOfAgent = [own, ...extra].sort((a, b) => a - b);
    }
    const createdAt = between(rnd, start, start + 200 * DAY);
    const updatedAt = between(rnd, createdAt, now - DAY);
    const occasional = i >= AGENT_COUNT - 2;
    agents.set(id, {
      id,
      available: !occasional && rnd.chance(0.7),
      available_since: null,
      occasional,
      signature: `<div>Best regards,<br>${first} ${last}<br>Acme Support</div>`,
      ticket_scope: i === 2 ? 2 : 1,
      type: 'support_agent',
      group_ids: groupIdsOfAgent,
      role_ids: [i === 0 ? 59_000_000_001 : 59_000_000_003],
      skill_ids: [],
      focus_mode: true,
      created_at: isoSeconds(createdAt),
      updated_at: isoSeconds(updatedAt),
      contact: {
        active: true,
        email,
        job_title: i === 0 ? 'Support Lead' : 'Support Agent',
        language: 'en',
        last_login_at: isoSeconds(between(rnd, now - 20 * DAY, now - HOUR)),
        mobile: null,
        name: i === 0 ? `${first} ${last} (Admin)` : `${first} ${last}`,
        phone: rnd.chance(0.5) ? `+1-555-01${String(i).padStart(2, '0')}` : null,
        time_zone: rnd.pick(TIME_ZONES),
        created_at: isoSeconds(createdAt),
        updated_at: isoSeconds(updatedAt),
      },
      _admin: i === 0,
    });
    for (const groupId of groupIdsOfAgent) {
      groups.get(groupId)!.agent_ids.push(id);
    }
  }
  for (const agent of agents.values()) {
    if (agent.available) {
      agent.available_since = isoSeconds(between(rnd, now - 8 * HOUR, now - MINUTE));
    }
  }
  return agents;
}

function buildCompanies(ctx: Context): Map<number, CompanyRecord> {
  const { rnd, now } = ctx;
  const companies = new Map<number, CompanyRecord>();
  const start = now - 3 * 365 * DAY;
  const used = new Set<string>();
  for (let i = 0; i < ctx.companyCount; i++) {
    const id = COMPANY_BASE + 1001 + i;
    let name = `${COMPANY_WORDS[i % COMPANY_WORDS.length]} ${rnd.pick(COMPANY_SUFFIXES)}`;
    if (used.has(name) && i >= COMPANY_COUNT) {
      name = `${name} ${i}`; // large seeds: a number keeps names unique and short
    }
    while (used.has(name)) {
      name = `${name} ${rnd.pick(['North', 'East', 'Holdings', 'Europe', 'Asia'])}`;
    }
    used.add(name);
    const createdAt = between(rnd, start, start + 300 * DAY);
    companies.set(id, {
      id,
      name,
      description: rnd.chance(0.5)
        ? `${name} is a customer since ${isoSeconds(createdAt).slice(0, 4)}`
        : null,
      note: rnd.chance(0.2) ? 'Key account: loop in the account manager.' : null,
      domains: [`${slug(name)}.example`],
      custom_fields: {
        contract_id: rnd.chance(0.7) ? `C-${rnd.int(10000, 99999)}` : null,
        employees: rnd.chance(0.8) ? rnd.int(5, 5000) : null,
      },
      health_score: rnd.pick(['At risk', 'Doing okay', 'Happy', null]),
      account_tier: rnd.pick(['Basic', 'Premium', 'Enterprise']),
      renewal_date: rnd.chance(0.6) ? isoSeconds(between(rnd, now - 200 * DAY, now)) : null,
      industry: rnd.pick(INDUSTRIES),
      created_at: isoSeconds(createdAt),
      updated_at: isoSeconds(between(rnd, createdAt, now)),
    });
  }
  return companies;
}

function buildContacts(
  ctx: Context,
  companies: Map<number, CompanyRecord>,
): Map<number, ContactRecord> {
  const { rnd, now } = ctx;
  const companyList = [...companies.values()];
  // Most contacts predate the ticket window; the rest join during it. Sorted so ids grow with time
  // and a ticket can pick its requester among the contacts that existed then.
  const windowStart = now - 730 * DAY;
  const times: number[] = [];
  for (let i = 0; i < ctx.contactCount; i++) {
    times.push(
      rnd.chance(0.7)
        ? between(rnd, windowStart - 365 * DAY, windowStart)
        : between(rnd, windowStart, now - DAY),
    );
  }
  times.sort((a, b) => a - b);
  const contacts = new Map<number, ContactRecord>();
  const blockedOrDeleted = new Set(rnd.sample([...Array(ctx.contactCount).keys()].slice(50), 10));
  let n = 0;
  for (const createdAt of times) {
    const i = n++;
    const id = USER_BASE + 1001 + i;
    const first = rnd.pick(FIRST_NAMES);
    const last = rnd.pick(LAST_NAMES);
    const company = rnd.chance(0.8) ? rnd.pick(companyList) : null;
    const domain =
      company?.domains[0] ?? rnd.pick(['mail.example', 'inbox.example', 'post.example']);
    const phoneOnly = rnd.chance(0.05);
    // The index makes each email unique even when names repeat.
    const email = phoneOnly ? null : `${slug(first)}.${slug(last)}${i}@${domain}`;
    let state: ContactRecord['_state'] = rnd.chance(0.92) ? 'verified' : 'unverified';
    if (blockedOrDeleted.has(i)) {
      state = i % 2 === 0 ? 'blocked' : 'deleted';
    }
    const contact: ContactRecord = {
      id,
      name: `${first} ${last}`,
      email,
      phone: phoneOnly || rnd.chance(0.4) ? `+1-555-${String(1000 + i).padStart(4, '0')}` : null,
      mobile: rnd.chance(0.3) ? `+44-7700-${String(900000 + i)}` : null,
      active: state === 'verified',
      address: rnd.chance(0.1) ? `${rnd.int(1, 999)} Main Street` : null,
      description: null,
      job_title: rnd.chance(0.4) ? rnd.pick(JOB_TITLES) : null,
      language: rnd.pick(LANGUAGES),
      time_zone: rnd.pick(TIME_ZONES),
      twitter_id: rnd.chance(0.1) ? `${slug(first)}_${i}` : null,
      unique_external_id: rnd.chance(0.2) ? `ext-${100000 + i}` : null,
      company_id: company?.id ?? null,
      view_all_tickets: company !== null && rnd.chance(0.2),
      other_emails: rnd.chance(0.05) && email !== null ? [`${slug(first)}${i}@alt.example`] : [],
      other_companies: [],
      tags: rnd.sample(['newsletter', 'beta', 'vip', 'partner', 'trial'], rnd.int(0, 2)),
      custom_fields: {
        loyalty_tier: rnd.pick(['bronze', 'silver', 'gold', null]),
        newsletter: rnd.chance(0.4),
        seats: rnd.chance(0.6) ? rnd.int(1, 250) : null,
      },
      avatar: null,
      created_at: isoSeconds(createdAt),
      updated_at: isoSeconds(rnd.chance(0.5) ? createdAt : between(rnd, createdAt, now)),
      _state: state,
    };
    if (state === 'deleted') {
      contact.deleted = true;
    }
    contacts.set(id, contact);
  }
  return contacts;
}

function buildTicketFields(
  ctx: Context,
  groups: Map<number, GroupRecord>,
  agents: Map<number, AgentRecord>,
): TicketFieldRecord[] {
  const created = isoSeconds(ctx.now - 3 * 365 * DAY);
  let position = 0;
  const field = (
    name: string,
    label: string,
    type: string,
    extra: Partial<TicketFieldRecord> = {},
  ): TicketFieldRecord => {
    position++;
    const isDefault = type.startsWith('default_');
    return {
      id: FIELD_BASE + 1 + position,
      name,
      label,
      label_for_customers: label,
      description: isDefault ? null : `${label} (custom)`,
      position,
      default: isDefault,
      type,
      required_for_closure: false,
      required_for_agents: false,
      required_for_customers: false,
      customers_can_edit: isDefault,
      displayed_to_customers: true,
      created_at: created,
      updated_at: created,
      ...extra,
    };
  };
  const groupChoices: Record<string, number> = {};
  for (const group of groups.values()) {
    groupChoices[group.name] = group.id;
  }
  const agentChoices: Record<string, number> = {};
  for (const agent of agents.values()) {
    agentChoices[agent.contact.name] = agent.id;
  }
  const fields = [
    field('requester', 'Search a requester', 'default_requester', {
      required_for_customers: true,
      portal_cc: false,
      portal_cc_to: 'company',
    }),
    field('subject', 'Subject', 'default_subject', {
      required_for_customers: true,
      required_for_agents: true,
    }),
    field('ticket_type', 'Type', 'default_ticket_type', { choices: TICKET_TYPES }),
    field('source', 'Source', 'default_source', { choices: SOURCE_CHOICES }),
    field('status', 'Status', 'default_status', {
      required_for_agents: true,
      choices: STATUS_CHOICES,
    }),
    field('priority', 'Priority', 'default_priority', { choices: PRIORITY_CHOICES }),
    field('group', 'Group', 'default_group', { choices: groupChoices }),
    field('agent', 'Agent', 'default_agent', { choices: agentChoices }),
    field('description', 'Description', 'default_description', {
      required_for_customers: true,
      required_for_agents: true,
    }),
    field('cf_plan', 'Plan', 'custom_dropdown', { choices: PLANS }),
    field('cf_order_number', 'Order number', 'custom_text'),
    field('cf_refund_amount', 'Refund amount', 'custom_decimal', {
      customers_can_edit: false,
    }),
    field('cf_vip', 'VIP', 'custom_checkbox', { displayed_to_customers: false }),
  ];
  const product = field('cf_product', 'Product', 'nested_field', {
    choices: PRODUCT_TREE,
    customers_can_edit: true,
  });
  product.nested_ticket_fields = [
    {
      name: 'cf_component',
      label: 'Component',
      label_in_portal: 'Component',
      level: 2,
      ticket_field_id: product.id,
    },
    {
      name: 'cf_version',
      label: 'Version',
      label_in_portal: 'Version',
      level: 3,
      ticket_field_id: product.id,
    },
  ];
  fields.push(product);
  return fields;
}

interface People {
  contacts: Map<number, ContactRecord>;
  agents: Map<number, AgentRecord>;
  groups: Map<number, GroupRecord>;
}

/** Priority → [first response, resolution] SLA targets. */
const SLA_MS: Record<number, [number, number]> = {
  1: [24 * HOUR, 72 * HOUR],
  2: [8 * HOUR, 48 * HOUR],
  3: [4 * HOUR, 24 * HOUR],
  4: [1 * HOUR, 4 * HOUR],
};

function buildTickets(
  ctx: Context,
  count: number,
  people: People,
): {
  tickets: Map<number, TicketRecord>;
  conversations: Map<number, ConversationRecord[]>;
  ratings: Map<number, SatisfactionRatingRecord>;
} {
  const { rnd, now } = ctx;
  const contactList = [...people.contacts.values()];
  const contactTimes = contactList.map((c) => Date.parse(c.created_at));
  const agentList = [...people.agents.values()].filter((a) => !a.occasional || rnd.chance(0.5));
  const groupList = [...people.groups.values()];

  // Creation times first, sorted, so that display ids grow with created_at as on a real account.
  // 12% in the last 30 days keeps the list endpoint's default 30-day window well populated.
  const created: number[] = [];
  for (let i = 0; i < count; i++) {
    created.push(
      rnd.chance(0.12)
        ? between(rnd, now - 30 * DAY, now - MINUTE)
        : between(rnd, now - 730 * DAY, now - 30 * DAY),
    );
  }
  created.sort((a, b) => a - b);

  const updated = created.map((at) => {
    const life = rnd.weighted([
      [between(rnd, 5 * MINUTE, 6 * HOUR), 3],
      [between(rnd, 6 * HOUR, 5 * DAY), 5],
      [between(rnd, 5 * DAY, 40 * DAY), 2],
    ]);
    const end = at + Math.floor(life / SECOND) * SECOND;
    // Not clamped to `now`: that would pile recent tickets onto one updated_at by accident.
    return end <= now ? end : between(rnd, at, now);
  });
  for (const cluster of planClusters(ctx, created)) {
    for (let i = cluster.from; i < cluster.to; i++) {
      updated[i] = cluster.at;
    }
  }

  const tickets = new Map<number, TicketRecord>();
  const conversations = new Map<number, ConversationRecord[]>();
  const ratings = new Map<number, SatisfactionRatingRecord>();
  let nextConversationId = CONVERSATION_BASE + 1;
  let nextRatingId = RATING_BASE + 1;
  let contactLimit = 0;
  const spamOrDeleted = Math.max(2, Math.round(count * 0.01));

  for (let i = 0; i < count; i++) {
    const id = i + 1;
    const createdAt = created[i]!;
    const updatedAt = updated[i]!;
    const recent = now - createdAt < 30 * DAY;

    while (contactLimit < contactList.length && contactTimes[contactLimit]! <= createdAt) {
      contactLimit++;
    }
    // Squaring skews the choice: a few contacts file many tickets, as in real helpdesks.
    const pool = Math.max(1, contactLimit);
    const requester = contactList[Math.floor(rnd.next() ** 2 * pool)]!;

    const status = recent
      ? rnd.weighted([
          [2, 30],
          [3, 15],
          [6, 10],
          [7, 8],
          [4, 22],
          [5, 15],
        ])
      : rnd.weighted([
          [5, 55],
          [4, 25],
          [2, 6],
          [3, 6],
          [6, 4],
          [7, 4],
        ]);
    const priority = rnd.weighted([
      [1, 40],
      [2, 35],
      [3, 18],
      [4, 7],
    ]);
    const source = rnd.weighted([
      [1, 45],
      [2, 25],
      [3, 10],
      [7, 10],
      [9, 5],
      [10, 5],
    ]);
    const group = rnd.chance(0.85) ? rnd.pick(groupList) : null;
    let responderId: number | null = null;
    const wantsResponder = status === 4 || status === 5 ? 0.95 : 0.7;
    if (rnd.chance(wantsResponder)) {
      const members = group?.agent_ids ?? [];
      responderId = members.length > 0 ? rnd.pick(members) : rnd.pick(agentList).id;
    }
    const type = rnd.chance(0.1) ? null : rnd.pick(TICKET_TYPES);
    const product = rnd.chance(0.7) ? rnd.pick(Object.keys(PRODUCT_TREE)) : null;
    const components = product === null ? null : PRODUCT_TREE[product]!;
    const component =
      components !== null && rnd.chance(0.8) ? rnd.pick(Object.keys(components)) : null;
    const version =
      components !== null && component !== null && rnd.chance(0.7)
        ? rnd.pick(components[component]!)
        : null;
    const subjectObject = product !== null ? `the ${product}` : rnd.pick(SUBJECT_OBJECTS);
    const subject = `${rnd.pick(SUBJECT_PROBLEMS)} ${subjectObject}`;
    const descriptionTexts = paragraphs(rnd, SENTENCES, ctx.large ? 1 : rnd.int(1, 3));

    const [frTarget, target] = SLA_MS[priority]!;
    const tags = rnd.sample(
      TAGS,
      rnd.weighted([
        [0, 4],
        [1, 4],
        [2, 2],
        [3, 1],
      ]),
    );
    if (type === 'Refund' && !tags.includes('refund')) {
      tags.push('refund');
    }

    const ticket: TicketRecord = {
      id,
      subject,
      description: html(descriptionTexts),
      description_text: descriptionTexts.join(' '),
      status,
      priority,
      source,
      type,
      requester_id: requester.id,
      responder_id: responderId,
      group_id: group?.id ?? null,
      company_id: requester.company_id,
      product_id: null,
      email_config_id: source === 1 || source === 10 ? 58_000_000_101 : null,
      association_type: null,
      to_emails: source === 1 ? [SUPPORT_EMAIL] : null,
      cc_emails: rnd.chance(0.05) ? [`cc${i}@mail.example`] : [],
      fwd_emails: [],
      reply_cc_emails: [],
      ticket_cc_emails: [],
      tags,
      custom_fields: {
        cf_plan: rnd.chance(0.8) ? rnd.pick(PLANS) : null,
        cf_order_number: rnd.chance(0.5) ? `ORD-${100000 + rnd.int(0, 899999)}` : null,
        cf_refund_amount: type === 'Refund' ? rnd.int(500, 50000) / 100 : null,
        cf_vip: rnd.chance(0.1),
        cf_product: product,
        cf_component: component,
        cf_version: version,
      },
      fr_escalated: false,
      is_escalated: false,
      spam: false,
      source_additional_info: null,
      attachments: rnd.chance(ctx.large ? 0.01 : 0.06)
        ? [attachment(ctx, createdAt, rnd.pick(['screenshot.png', 'invoice.pdf', 'log.txt']))]
        : [],
      created_at: isoSeconds(createdAt),
      updated_at: isoSeconds(updatedAt),
      due_by: isoSeconds(createdAt + target),
      fr_due_by: isoSeconds(createdAt + frTarget),
      _stats: emptyStats(),
    };

    const thread = buildConversations(
      ctx,
      ticket,
      requester,
      createdAt,
      updatedAt,
      people,
      () => nextConversationId++,
    );
    if (thread.length > 0) {
      conversations.set(id, thread);
    }
    fillStats(ctx, ticket, thread, createdAt, updatedAt);
    const firstResponse = ticket._stats.first_responded_at;
    ticket.fr_escalated =
      firstResponse !== null
        ? Date.parse(firstResponse) > createdAt + frTarget
        : now > createdAt + frTarget;
    const done = ticket._stats.resolved_at;
    ticket.is_escalated =
      done !== null ? Date.parse(done) > createdAt + target : now > createdAt + target;

    if ((status === 4 || status === 5) && responderId !== null && rnd.chance(0.35)) {
      const ratingId = nextRatingId++;
      const at = Math.min(now, updatedAt + between(rnd, MINUTE, 2 * DAY));
      const value = rnd.weighted([
        [103, 30],
        [102, 20],
        [101, 10],
        [100, 12],
        [-101, 10],
        [-102, 10],
        [-103, 8],
      ]);
      ratings.set(ratingId, {
        id: ratingId,
        survey_id: SURVEY_ID,
        user_id: requester.id,
        agent_id: responderId,
        group_id: ticket.group_id,
        ticket_id: id,
        feedback: rnd.chance(0.4)
          ? value > 100
            ? 'Quick and helpful, thanks!'
            : value < 100
              ? 'Took far too long to get an answer.'
              : 'It was fine.'
          : null,
        ratings: { default_question: value },
        created_at: isoSeconds(at),
        updated_at: isoSeconds(at),
      });
    }
    tickets.set(id, ticket);
  }

  // A few dozen spam and soft-deleted tickets, spread across the id range.
  const ids = rnd.sample([...tickets.keys()], spamOrDeleted * 2);
  ids.forEach((ticketId, k) => {
    const ticket = tickets.get(ticketId)!;
    if (k % 2 === 0) {
      ticket.spam = true;
    } else {
      ticket.deleted = true;
    }
  });
  return { tickets, conversations, ratings };
}

interface Cluster {
  from: number; // ticket index, inclusive
  to: number; // exclusive
  at: number;
}

/**
 * Bulk-update bursts: runs of consecutive tickets that end up with one identical `updated_at`, like
 * a bulk import or a bulk close on a real account. They make paging by `updated_since` meet ties.
 */
function planClusters(ctx: Context, created: readonly number[]): Cluster[] {
  const { rnd, now } = ctx;
  const count = created.length;
  const sizes: number[] = [];
  if (count >= 400) {
    if (count <= LARGE_SEED_THRESHOLD) {
      sizes.push(130, 40, 40);
    } else {
      const bursts = Math.max(3, Math.round(count / 3000));
      for (let i = 0; i < bursts; i++) {
        sizes.push(rnd.int(150, 400));
      }
    }
  }
  const clusters: Cluster[] = [];
  // Spread the bursts over the index range in disjoint slots, one burst per slot.
  const slot = Math.floor(count / Math.max(1, sizes.length));
  sizes.forEach((size, k) => {
    const room = slot - size;
    if (room < 0) {
      return;
    }
    const from = k * slot + rnd.int(0, room);
    const to = from + size;
    const lastCreated = created[to - 1]!;
    const planned = lastCreated + between(rnd, HOUR, 10 * DAY);
    const at = planned <= now ? planned : between(rnd, lastCreated, now);
    clusters.push({ from, to, at });
  });
  return clusters;
}

function emptyStats(): TicketStats {
  return {
    agent_responded_at: null,
    requester_responded_at: null,
    first_responded_at: null,
    status_updated_at: null,
    reopened_at: null,
    resolved_at: null,
    closed_at: null,
    pending_since: null,
  };
}

function buildConversations(
  ctx: Context,
  ticket: TicketRecord,
  requester: ContactRecord,
  createdAt: number,
  updatedAt: number,
  people: People,
  nextId: () => number,
): ConversationRecord[] {
  const { rnd } = ctx;
  const span = updatedAt - createdAt;
  if (span < 30 * MINUTE) {
    return [];
  }
  let count: number;
  if (rnd.chance(0.08)) {
    count = 0;
  } else if (rnd.chance(ctx.large ? 0.01 : 0.06)) {
    count = rnd.int(11, 16); // long threads: more than the 10 that include=conversations returns
  } else {
    count = ctx.large ? rnd.int(1, 3) : rnd.int(2, 8);
  }
  if (count === 0) {
    return [];
  }
  const group = ticket.group_id === null ? undefined : people.groups.get(ticket.group_id);
  const agentId =
    ticket.responder_id ?? (group && group.agent_ids.length > 0 ? rnd.pick(group.agent_ids) : null);
  const anyAgent = agentId ?? [...people.agents.keys()][0]!;
  // Strictly inside (created_at, updated_at): spread evenly with jitter, then sorted.
  const times: number[] = [];
  for (let k = 0; k < count; k++) {
    times.push(between(rnd, createdAt + SECOND, updatedAt - SECOND));
  }
  times.sort((a, b) => a - b);

  const thread: ConversationRecord[] = [];
  times.forEach((at, k) => {
    // The first entry is usually the agent's reply; later ones alternate with notes.
    const kind =
      k === 0
        ? rnd.weighted([
            ['agent', 7],
            ['note', 2],
            ['customer', 1],
          ] as const)
        : rnd.weighted([
            ['agent', 4],
            ['customer', 4],
            ['note', 2],
            ['public_note', 1],
          ] as const);
    const bank =
      kind === 'customer' ? SENTENCES : kind === 'agent' ? AGENT_SENTENCES : NOTE_SENTENCES;
    const texts = paragraphs(rnd, bank, ctx.large ? 1 : rnd.int(1, 2));
    const edited = kind === 'note' && rnd.chance(0.05) && at + MINUTE < updatedAt;
    const record: ConversationRecord = {
      id: nextId(),
      body: html(texts),
      body_text: texts.join(' '),
      incoming: kind === 'customer',
      private: kind === 'note',
      user_id: kind === 'customer' ? requester.id : anyAgent,
      support_email: kind === 'agent' || kind === 'customer' ? SUPPORT_EMAIL : null,
      source: kind === 'agent' || kind === 'customer' ? 0 : 2,
      ticket_id: ticket.id,
      to_emails:
        kind === 'agent' && requester.email !== null
          ? [requester.email]
          : kind === 'customer'
            ? [SUPPORT_EMAIL]
            : [],
      from_email: kind === 'agent' ? SUPPORT_EMAIL : kind === 'customer' ? requester.email : null,
      cc_emails: [],
      bcc_emails: [],
      attachments:
        !ctx.large && rnd.chance(0.03)
          ? [attachment(ctx, at, rnd.pick(['error.png', 'export.csv']))]
          : [],
      created_at: isoSeconds(at),
      updated_at: isoSeconds(edited ? at + MINUTE : at),
      last_edited_at: edited ? isoSeconds(at + MINUTE) : null,
      last_edited_user_id: edited ? anyAgent : null,
    };
    thread.push(record);
  });
  return thread;
}

function fillStats(
  ctx: Context,
  ticket: TicketRecord,
  thread: readonly ConversationRecord[],
  createdAt: number,
  updatedAt: number,
): void {
  const stats = ticket._stats;
  for (const entry of thread) {
    if (entry.source === 0 && !entry.incoming) {
      stats.first_responded_at ??= entry.created_at;
      stats.agent_responded_at = entry.created_at;
    } else if (entry.incoming) {
      stats.requester_responded_at = entry.created_at;
    }
  }
  const updated = isoSeconds(updatedAt);
  stats.status_updated_at = ticket.status === 2 ? isoSeconds(createdAt) : updated;
  if (ticket.status === 4 || ticket.status === 5) {
    stats.resolved_at = updated;
  }
  if (ticket.status === 5) {
    stats.closed_at = updated;
  }
  if (ticket.status === 3) {
    stats.pending_since = updated;
  }
  if (ticket.status === 2 && thread.length > 2 && ctx.rnd.chance(0.3)) {
    stats.reopened_at = thread[thread.length - 1]!.created_at;
  }
}

const CATEGORIES: { name: string; folders: string[] }[] = [
  {
    name: 'Getting Started',
    folders: ['Setting up your account', 'Inviting your team', 'Mobile apps'],
  },
  { name: 'Billing & Accounts', folders: ['Plans and pricing', 'Invoices and refunds'] },
  { name: 'Troubleshooting', folders: ['Login problems', 'Sync and integrations', 'Known issues'] },
];
// biome-ignore format: a word list
const ARTICLE_TOPICS = [
  'How to', 'Fixing', 'Understanding', 'Troubleshooting', 'A guide to', 'FAQ:', 'Workaround for',
];
// biome-ignore format: a word list
const ARTICLE_SUBJECTS = [
  'two-factor login', 'CSV exports', 'the annual plan', 'refund timelines', 'SSO with Okta',
  'sync conflicts', 'API rate limits', 'the Widget engine', 'user roles', 'email forwarding',
];

function buildSolutions(
  ctx: Context,
  agents: Map<number, AgentRecord>,
  companies: Map<number, CompanyRecord>,
): {
  categories: Map<number, SolutionCategoryRecord>;
  folders: Map<number, SolutionFolderRecord>;
  articles: Map<number, ArticleRecord>;
} {
  const { rnd, now } = ctx;
  const categories = new Map<number, SolutionCategoryRecord>();
  const folders = new Map<number, SolutionFolderRecord>();
  const articles = new Map<number, ArticleRecord>();
  const authors = [...agents.values()].slice(0, 8).map((a) => a.id);
  const companyIds = [...companies.keys()];
  let nextId = SOLUTION_BASE + 1;
  const start = now - 700 * DAY;
  for (const spec of CATEGORIES) {
    const categoryId = nextId++;
    const categoryCreated = between(rnd, start, start + 20 * DAY);
    categories.set(categoryId, {
      id: categoryId,
      name: spec.name,
      description: `Articles about ${spec.name.toLowerCase()}`,
      visible_in_portals: [58_000_000_201],
      created_at: isoSeconds(categoryCreated),
      updated_at: isoSeconds(between(rnd, categoryCreated, now - 30 * DAY)),
    });
    spec.folders.forEach((name, f) => {
      const folderId = nextId++;
      const folderCreated = between(rnd, categoryCreated, categoryCreated + 30 * DAY);
      // One folder is visible to selected companies only (visibility 4), to exercise company_ids.
      const selected = spec.name === 'Billing & Accounts' && f === 1;
      folders.set(folderId, {
        id: folderId,
        name,
        description: rnd.chance(0.7) ? `${name}: step-by-step answers` : null,
        category_id: categoryId,
        parent_folder_id: null,
        visibility: selected ? 4 : f === 2 ? 3 : 1,
        company_ids: selected ? rnd.sample(companyIds, 3).sort((a, b) => a - b) : [],
        created_at: isoSeconds(folderCreated),
        updated_at: isoSeconds(between(rnd, folderCreated, now - 7 * DAY)),
      });
      for (let k = 0; k < 8; k++) {
        const articleId = nextId++;
        const title = `${rnd.pick(ARTICLE_TOPICS)} ${rnd.pick(ARTICLE_SUBJECTS)}`;
        const texts = paragraphs(rnd, [...AGENT_SENTENCES, ...SENTENCES], rnd.int(2, 4));
        let body = `<h2>${escapeHtml(title)}</h2>${texts.map((t) => `<p>${escapeHtml(t)}</p>`).join('')}`;
        if (rnd.chance(0.3)) {
          const token = rnd.hex(32);
          body += `<p><img src="https://${HELPDESK_HOST}/inline/attachment?token=${token}" alt="screenshot" data-id="${ATTACHMENT_BASE + 900_000 + articleId - SOLUTION_BASE}"></p>`;
        }
        const articleCreated = between(rnd, folderCreated, now - DAY);
        const published = rnd.chance(0.75);
        const hits = published ? rnd.int(0, 5000) : 0;
        articles.set(articleId, {
          id: articleId,
          title,
          description: body,
          description_text: `${title} ${texts.join(' ')}`,
          status: published ? 2 : 1,
          type: rnd.chance(0.15) ? 2 : 1,
          agent_id: rnd.pick(authors),
          category_id: categoryId,
          folder_id: folderId,
          thumbs_up: published ? rnd.int(0, Math.floor(hits / 20)) : 0,
          thumbs_down: published ? rnd.int(0, Math.floor(hits / 80)) : 0,
          hits,
          tags: rnd.sample(['howto', 'billing', 'login', 'api', 'mobile', 'sso'], rnd.int(0, 2)),
          seo_data: {
            meta_title: rnd.chance(0.5) ? title : null,
            meta_description: rnd.chance(0.3) ? texts[0]! : null,
            meta_keywords: null,
          },
          created_at: isoSeconds(articleCreated),
          updated_at: isoSeconds(between(rnd, articleCreated, now)),
        });
      }
    });
  }
  return { categories, folders, articles };
}
