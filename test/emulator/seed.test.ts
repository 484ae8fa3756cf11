import { describe, expect, it } from 'vitest';
import { isoSeconds } from '../../src/emulator/http.ts';
import type { EmulatorData } from '../../src/emulator/records.ts';
import {
  CONTACT_CUSTOM_FIELDS,
  DEFAULT_AGENT_EMAILS,
  DEFAULT_API_KEYS,
  seedData,
} from '../../src/emulator/seed.ts';

const NOW = Date.parse('2026-03-01T12:00:00Z');
const DAY = 86_400_000;
const TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;

const data = seedData({ now: NOW });

function globalIds(d: EmulatorData): number[] {
  const ids: number[] = [];
  for (const map of [d.contacts, d.agents, d.companies, d.groups, d.categories, d.folders]) {
    ids.push(...map.keys());
  }
  ids.push(...d.articles.keys(), ...d.ratings.keys(), ...d.ticketFields.map((f) => f.id));
  for (const thread of d.conversations.values()) {
    for (const c of thread) {
      ids.push(c.id, ...c.attachments.map((a) => a.id));
    }
  }
  for (const t of d.tickets.values()) {
    ids.push(...t.attachments.map((a) => a.id));
  }
  return ids;
}

/** Asserts `at` is a well-formed time in [from, NOW]. */
function expectTime(at: string | null, from = NOW - 4 * 365 * DAY): void {
  expect(at).toMatch(TIME);
  const ms = Date.parse(at as string);
  expect(ms).toBeGreaterThanOrEqual(from);
  expect(ms).toBeLessThanOrEqual(NOW);
}

describe('determinism', () => {
  it('gives deep-equal data for the same seed and now', () => {
    expect(seedData({ now: NOW })).toEqual(data);
  });

  it('gives different data for another seed', () => {
    const other = seedData({ now: NOW, seed: 2 });
    expect(other.tickets.get(1)).not.toEqual(data.tickets.get(1));
    expect([...other.contacts.values()].map((c) => c.name)).not.toEqual(
      [...data.contacts.values()].map((c) => c.name),
    );
  });
});

describe('sizes and ids', () => {
  it('has the default counts', () => {
    expect(data.tickets.size).toBe(2000);
    expect(data.contacts.size).toBe(500);
    expect(data.companies.size).toBe(40);
    expect(data.agents.size).toBe(25);
    expect(data.groups.size).toBe(8);
    expect(data.categories.size).toBe(3);
    expect(data.articles.size).toBeGreaterThanOrEqual(60);
    expect(data.ratings.size).toBeGreaterThan(100);
    for (const category of data.categories.values()) {
      const folders = [...data.folders.values()].filter((f) => f.category_id === category.id);
      expect(folders.length).toBeGreaterThanOrEqual(2);
    }
  });

  it('numbers tickets 1..N and sets nextTicketId', () => {
    expect([...data.tickets.keys()]).toEqual(Array.from({ length: 2000 }, (_, i) => i + 1));
    expect(data.nextTicketId).toBe(2001);
  });

  it('gives every other record a unique 11-digit safe id below nextId', () => {
    const ids = globalIds(data);
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids) {
      expect(Number.isSafeInteger(id)).toBe(true);
      expect(id).toBeGreaterThan(2 ** 32);
      expect(String(id)).toHaveLength(11);
      expect(id).toBeLessThan(data.nextId);
    }
    expect(Number.isSafeInteger(data.nextId)).toBe(true);
  });

  it('puts at least 150 tickets in the last 30 days', () => {
    const recent = [...data.tickets.values()].filter(
      (t) => Date.parse(t.created_at) > NOW - 30 * DAY,
    );
    expect(recent.length).toBeGreaterThanOrEqual(150);
  });

  it('spreads statuses, priorities and sources, with some spam and deleted tickets', () => {
    const tickets = [...data.tickets.values()];
    expect(new Set(tickets.map((t) => t.status))).toEqual(new Set([2, 3, 4, 5, 6, 7]));
    expect(new Set(tickets.map((t) => t.priority))).toEqual(new Set([1, 2, 3, 4]));
    expect(new Set(tickets.map((t) => t.source))).toEqual(new Set([1, 2, 3, 7, 9, 10]));
    const spam = tickets.filter((t) => t.spam).length;
    const deleted = tickets.filter((t) => t.deleted === true).length;
    expect(spam).toBeGreaterThanOrEqual(10);
    expect(deleted).toBeGreaterThanOrEqual(10);
    expect(spam + deleted).toBeLessThan(100);
  });

  it('gives about 5 conversations per ticket, with empty and long threads', () => {
    const lengths = [...data.tickets.keys()].map((id) => data.conversations.get(id)?.length ?? 0);
    const average = lengths.reduce((a, b) => a + b, 0) / lengths.length;
    expect(average).toBeGreaterThan(4);
    expect(average).toBeLessThan(6);
    expect(lengths.filter((n) => n === 0).length).toBeGreaterThan(20);
    expect(lengths.filter((n) => n > 10).length).toBeGreaterThan(20);
  });
});

describe('API keys and agents', () => {
  it('maps the default keys to the admin, a global agent and a group-scoped agent', () => {
    const admin = data.agents.get(data.apiKeys.get(DEFAULT_API_KEYS.admin)!)!;
    const agent = data.agents.get(data.apiKeys.get(DEFAULT_API_KEYS.agent)!)!;
    const restricted = data.agents.get(data.apiKeys.get(DEFAULT_API_KEYS.restricted)!)!;
    expect([...data.apiKeys.keys()][0]).toBe(DEFAULT_API_KEYS.admin);
    expect(admin._admin).toBe(true);
    expect(admin.contact.email).toBe(DEFAULT_AGENT_EMAILS.admin);
    expect(agent._admin).toBe(false);
    expect(agent.ticket_scope).toBe(1);
    expect(restricted.ticket_scope).toBe(2);
    expect(restricted.group_ids).toHaveLength(1);
    expect([...data.agents.values()].filter((a) => a._admin)).toHaveLength(1);
    expect([...data.agents.values()].filter((a) => a.occasional)).toHaveLength(2);
  });

  it('honours adminApiKey', () => {
    const custom = seedData({ now: NOW, tickets: 10, adminApiKey: 'my-key' });
    expect([...custom.apiKeys.keys()][0]).toBe('my-key');
    expect(custom.agents.get(custom.apiKeys.get('my-key')!)!._admin).toBe(true);
  });

  it('keeps groups.agent_ids and agents.group_ids consistent', () => {
    for (const group of data.groups.values()) {
      expect(group.agent_ids.length).toBeGreaterThan(0);
      for (const agentId of group.agent_ids) {
        expect(data.agents.get(agentId)!.group_ids).toContain(group.id);
      }
    }
    for (const agent of data.agents.values()) {
      for (const groupId of agent.group_ids) {
        expect(data.groups.get(groupId)!.agent_ids).toContain(agent.id);
      }
    }
  });
});

describe('referential integrity', () => {
  it('links tickets to existing contacts, agents, groups and companies', () => {
    for (const t of data.tickets.values()) {
      const requester = data.contacts.get(t.requester_id);
      expect(requester).toBeDefined();
      expect(t.company_id).toBe(requester!.company_id);
      if (t.company_id !== null) {
        expect(data.companies.has(t.company_id)).toBe(true);
      }
      if (t.responder_id !== null) {
        expect(data.agents.has(t.responder_id)).toBe(true);
      }
      if (t.group_id !== null) {
        expect(data.groups.has(t.group_id)).toBe(true);
      }
    }
  });

  it('links conversations, ratings and solutions', () => {
    for (const [ticketId, thread] of data.conversations) {
      const ticket = data.tickets.get(ticketId)!;
      for (const c of thread) {
        expect(c.ticket_id).toBe(ticketId);
        const user = c.incoming ? data.contacts.get(c.user_id) : data.agents.get(c.user_id);
        expect(user).toBeDefined();
        if (c.incoming) {
          expect(c.user_id).toBe(ticket.requester_id);
        }
      }
    }
    for (const r of data.ratings.values()) {
      const ticket = data.tickets.get(r.ticket_id)!;
      expect([4, 5]).toContain(ticket.status);
      expect(r.user_id).toBe(ticket.requester_id);
      expect(data.agents.has(r.agent_id!)).toBe(true);
      expect([103, 102, 101, 100, -101, -102, -103]).toContain(r.ratings.default_question);
    }
    for (const f of data.folders.values()) {
      expect(data.categories.has(f.category_id)).toBe(true);
    }
    for (const a of data.articles.values()) {
      expect(data.folders.get(a.folder_id)!.category_id).toBe(a.category_id);
      expect(data.agents.has(a.agent_id)).toBe(true);
    }
    const articles = [...data.articles.values()];
    expect(
      articles.some((a) =>
        /<img src="https:\/\/[^"]+\/inline\/attachment\?token=/.test(a.description),
      ),
    ).toBe(true);
    expect(new Set(articles.map((a) => a.status))).toEqual(new Set([1, 2]));
    expect(new Set(articles.map((a) => a.type))).toEqual(new Set([1, 2]));
  });

  it('gives contacts unique emails and the seeded custom fields', () => {
    const emails = [...data.contacts.values()].map((c) => c.email).filter((e) => e !== null);
    expect(new Set(emails).size).toBe(emails.length);
    expect(emails.length).toBeLessThan(500); // some contacts have a phone only
    const states = [...data.contacts.values()].map((c) => c._state);
    expect(states.filter((s) => s === 'verified').length).toBeGreaterThan(400);
    expect(states).toContain('blocked');
    expect(states).toContain('deleted');
    for (const c of data.contacts.values()) {
      expect(Object.keys(c.custom_fields).sort()).toEqual(
        Object.keys(CONTACT_CUSTOM_FIELDS).sort(),
      );
      expect(c.deleted === true).toBe(c._state === 'deleted');
    }
  });
});

describe('ticket fields and custom fields', () => {
  it('has the default fields and the custom ones, with the status choices', () => {
    const byName = new Map(data.ticketFields.map((f) => [f.name, f]));
    expect(byName.get('status')!.choices).toEqual({
      '2': ['Open', 'Being Processed'],
      '3': ['Pending', 'Awaiting your Reply'],
      '4': ['Resolved', 'This ticket has been Resolved'],
      '5': ['Closed', 'This ticket has been Closed'],
      '6': ['Waiting on Customer', 'Awaiting your Reply'],
      '7': ['Waiting on Third Party', 'Being Processed'],
    });
    expect(byName.get('priority')!.choices).toEqual({ Low: 1, Medium: 2, High: 3, Urgent: 4 });
    // Freshdesk's defaults: an agent (and so the API) must give a subject and a description.
    expect(byName.get('subject')!.required_for_agents).toBe(true);
    expect(byName.get('description')!.required_for_agents).toBe(true);
    expect(byName.get('ticket_type')!.choices).toEqual([
      'Question',
      'Incident',
      'Problem',
      'Feature Request',
      'Refund',
    ]);
    expect(byName.get('cf_plan')!.type).toBe('custom_dropdown');
    expect(byName.get('cf_vip')!.type).toBe('custom_checkbox');
    const product = byName.get('cf_product')!;
    expect(product.type).toBe('nested_field');
    expect(product.nested_ticket_fields!.map((n) => [n.name, n.level])).toEqual([
      ['cf_component', 2],
      ['cf_version', 3],
    ]);
  });

  it('fills every custom key on every ticket, consistently with the nested choices', () => {
    const tree = data.ticketFields.find((f) => f.name === 'cf_product')!.choices as Record<
      string,
      Record<string, string[]>
    >;
    const plans = data.ticketFields.find((f) => f.name === 'cf_plan')!.choices as string[];
    for (const t of data.tickets.values()) {
      const cf = t.custom_fields;
      expect(Object.keys(cf).sort()).toEqual(
        [
          'cf_component',
          'cf_order_number',
          'cf_plan',
          'cf_product',
          'cf_refund_amount',
          'cf_version',
          'cf_vip',
        ].sort(),
      );
      expect(typeof cf.cf_vip).toBe('boolean');
      if (cf.cf_plan !== null) {
        expect(plans).toContain(cf.cf_plan);
      }
      if (cf.cf_product === null) {
        expect(cf.cf_component).toBeNull();
      }
      if (cf.cf_component !== null) {
        const components = tree[cf.cf_product as string]!;
        expect(Object.keys(components)).toContain(cf.cf_component);
        if (cf.cf_version !== null) {
          expect(components[cf.cf_component as string]).toContain(cf.cf_version);
        }
      } else {
        expect(cf.cf_version).toBeNull();
      }
      expect(cf.cf_refund_amount === null).toBe(t.type !== 'Refund');
    }
  });
});

describe('times', () => {
  it('are well formed, in the past and ordered', () => {
    for (const t of data.tickets.values()) {
      expectTime(t.created_at, NOW - 731 * DAY);
      expectTime(t.updated_at, Date.parse(t.created_at));
      expect(t.due_by).toMatch(TIME);
      expect(t.fr_due_by).toMatch(TIME);
      expect(Date.parse(t.fr_due_by!)).toBeLessThanOrEqual(Date.parse(t.due_by!));
      for (const value of Object.values(t._stats)) {
        if (value !== null) {
          expectTime(value, Date.parse(t.created_at));
          expect(Date.parse(value)).toBeLessThanOrEqual(Date.parse(t.updated_at));
        }
      }
      expect(t._stats.closed_at !== null).toBe(t.status === 5);
      expect(t._stats.resolved_at !== null).toBe(t.status === 4 || t.status === 5);
      const thread = data.conversations.get(t.id) ?? [];
      let previous = Date.parse(t.created_at);
      for (const c of thread) {
        const at = Date.parse(c.created_at);
        expectTime(c.created_at);
        expect(at).toBeGreaterThan(Date.parse(t.created_at));
        expect(at).toBeLessThan(Date.parse(t.updated_at));
        expect(at).toBeGreaterThanOrEqual(previous);
        previous = at;
      }
    }
    for (const c of data.contacts.values()) {
      expectTime(c.created_at);
      expectTime(c.updated_at, Date.parse(c.created_at));
    }
    for (const r of data.ratings.values()) {
      expectTime(r.created_at);
    }
    for (const a of data.articles.values()) {
      expectTime(a.created_at);
      expectTime(a.updated_at, Date.parse(a.created_at));
    }
  });

  it('formats with isoSeconds', () => {
    expect(isoSeconds(NOW)).toBe('2026-03-01T12:00:00Z');
  });

  it('has a cluster of 120+ tickets sharing one updated_at in the default size', () => {
    expect(Math.max(...clusterSizes(data))).toBeGreaterThanOrEqual(120);
  });
});

function clusterSizes(d: EmulatorData): number[] {
  const counts = new Map<string, number>();
  for (const t of d.tickets.values()) {
    counts.set(t.updated_at, (counts.get(t.updated_at) ?? 0) + 1);
  }
  return [...counts.values()].filter((n) => n >= 40);
}

describe('large sizes', () => {
  it('builds 31,000 tickets with bulk-update clusters, quickly', () => {
    const started = performance.now();
    const big = seedData({ now: NOW, tickets: 31_000, seed: 7 });
    const elapsed = performance.now() - started;
    expect(big.tickets.size).toBe(31_000);
    expect(big.nextTicketId).toBe(31_001);
    const clusters = clusterSizes(big).filter((n) => n >= 150);
    expect(clusters.length).toBeGreaterThanOrEqual(5);
    expect(Math.max(...clusters)).toBeLessThanOrEqual(400);
    let conversations = 0;
    for (const thread of big.conversations.values()) {
      conversations += thread.length;
    }
    expect(conversations / big.tickets.size).toBeLessThan(3);
    // Generous bound: the build takes well under a second on a laptop; this only catches blow-ups.
    expect(elapsed).toBeLessThan(10_000);
  });
});
