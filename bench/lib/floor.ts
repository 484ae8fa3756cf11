/**
 * The theoretical floor of upstream calls, credits and round-trip levels per scenario.
 *
 * Derivation. For each piece of data a query needs, list every way Freshdesk API v2 can deliver it,
 * with its cost in calls and credits (freshdesk-api.md section 5: every call costs 1 credit;
 * `include=` costs +1 per item on a show and +2 per item on a list) and the level at which it can be
 * issued (1: needs nothing, 2: needs ids from a level-1 answer, ...):
 *
 * - a ticket: `GET /tickets/:id` (1 call, 1 credit, level 1); a page of <= 100: one list call;
 * - a requester's id/name/email: `include=requester` on the ticket call (+0 calls, +1 show / +2 list),
 *   or `GET /contacts/:id` per distinct requester (level 2), or the contact list (1 call per 100
 *   contacts, level 1, plus one call per requester it leaves out: blocked or deleted contacts,
 *   agents); a contact's company id is only on the contact record (no embed);
 * - a company's id/name: `include=company` on a list (+2), `GET /companies/:id` per distinct company,
 *   or the company list (1 call per 100 companies, level 1);
 * - an agent: `GET /agents/:id` per distinct agent (level 2) or the agent list (1 per 100, level 1);
 * - a ticket's conversations: `GET /tickets/:id/conversations` per ticket (level 2); nothing
 *   cheaper exists (embedding them costs 2 credits per ticket show).
 *
 * For each piece the floor takes the option with the fewest credits (credits are what Freshdesk
 * rate-limits), then the fewest calls, then the lowest level; calls and credits add up, and levels
 * are the deepest chosen option's (independent calls all go in the same wave). The counts (distinct
 * requesters, companies, agents on the page; sizes of the lists) come from the emulator's data via the
 * REST API, so the floor is exact for the data the query touches. It is a per-query floor with
 * nothing cached: a gateway that keeps reference lists across requests can go below it when warm.
 */
import { request } from 'undici';

export interface Cost {
  calls: number;
  credits: number;
  levels: number;
}

interface Option {
  name: string;
  calls: number;
  credits: number;
  level: number;
}

export interface Floor extends Cost {
  plan: string[];
}

export interface Sizes {
  contacts: number;
  companies: number;
  agents: number;
}

const pages = (n: number) => Math.ceil(n / 100);

function cheapest(options: Option[]): Option {
  return [...options].sort(
    (a, b) => a.credits - b.credits || a.calls - b.calls || a.level - b.level,
  )[0] as Option;
}

function sum(chosen: Option[]): Floor {
  return {
    calls: chosen.reduce((n, o) => n + o.calls, 0),
    credits: chosen.reduce((n, o) => n + o.credits, 0),
    levels: Math.max(1, ...chosen.map((o) => o.level)),
    plan: chosen.filter((o) => o.calls > 0 || o.credits > 0).map((o) => o.name),
  };
}

/** Oracle access to the emulator's REST API (the admin key), for the counts the floor needs. */
export function oracle(origin: string, apiKey: string) {
  const authorization = `Basic ${Buffer.from(`${apiKey}:X`).toString('base64')}`;
  return async <T>(path: string): Promise<T> => {
    const response = await request(`${origin}/api/v2${path}`, { headers: { authorization } });
    const text = await response.body.text();
    if (response.statusCode !== 200) {
      throw new Error(`oracle: ${response.statusCode} on ${path}`);
    }
    return JSON.parse(text) as T;
  };
}

type Get = <T>(path: string) => Promise<T>;

interface ListedTicket {
  id: number;
  requester_id: number;
  responder_id: number | null;
  company_id: number | null;
}

const distinct = (values: (number | null)[]) =>
  new Set(values.filter((v): v is number => v !== null)).size;

/** Scenarios 1 and 5: one `GET /tickets/:id`. */
export function ticketFloor(): Floor {
  return { calls: 1, credits: 1, levels: 1, plan: ['GET /tickets/:id'] };
}

/** Scenario 4 / 6 query for the given ids: ticket + requester (embeddable) + responder, averaged. */
export async function ticketPeopleFloor(get: Get, ids: number[], sizes: Sizes): Promise<Floor> {
  const floors: Floor[] = [];
  for (const id of ids) {
    const t = await get<ListedTicket>(`/tickets/${id}`);
    const chosen: Option[] = [
      { name: 'GET /tickets/:id', calls: 1, credits: 1, level: 1 },
      cheapest([
        { name: 'include=requester', calls: 0, credits: 1, level: 1 },
        { name: 'GET /contacts/:id', calls: 1, credits: 1, level: 2 },
      ]),
    ];
    if (t.responder_id !== null) {
      chosen.push(
        cheapest([
          { name: 'GET /agents/:id', calls: 1, credits: 1, level: 2 },
          {
            name: 'GET /agents (list)',
            calls: pages(sizes.agents),
            credits: pages(sizes.agents),
            level: 1,
          },
        ]),
      );
    }
    floors.push(sum(chosen));
  }
  const n = floors.length;
  return {
    calls: floors.reduce((a, f) => a + f.calls, 0) / n,
    credits: floors.reduce((a, f) => a + f.credits, 0) / n,
    levels: Math.max(...floors.map((f) => f.levels)),
    plan: floors[0]?.plan ?? [],
  };
}

const ALL_TIME = encodeURIComponent('1970-01-01T00:00:00Z');

/** Scenario 2: a page of `first` tickets with requester, company and responder. */
export async function ticketsPeopleFloor(get: Get, first: number, sizes: Sizes): Promise<Floor> {
  const tickets = await get<ListedTicket[]>(`/tickets?per_page=${first}&updated_since=${ALL_TIME}`);
  const requesters = distinct(tickets.map((t) => t.requester_id));
  const companies = distinct(tickets.map((t) => t.company_id));
  const agents = distinct(tickets.map((t) => t.responder_id));
  const chosen: Option[] = [{ name: 'GET /tickets (list)', calls: 1, credits: 1, level: 1 }];
  if (requesters > 0) {
    chosen.push(
      cheapest([
        { name: 'include=requester', calls: 0, credits: 2, level: 1 },
        { name: 'GET /contacts/:id', calls: requesters, credits: requesters, level: 2 },
        {
          name: 'GET /contacts (list)',
          calls: pages(sizes.contacts),
          credits: pages(sizes.contacts),
          level: 1,
        },
      ]),
    );
  }
  if (companies > 0) {
    chosen.push(
      cheapest([
        { name: 'include=company', calls: 0, credits: 2, level: 1 },
        { name: 'GET /companies/:id', calls: companies, credits: companies, level: 2 },
        {
          name: 'GET /companies (list)',
          calls: pages(sizes.companies),
          credits: pages(sizes.companies),
          level: 1,
        },
      ]),
    );
  }
  if (agents > 0) {
    chosen.push(
      cheapest([
        { name: 'GET /agents/:id', calls: agents, credits: agents, level: 2 },
        {
          name: 'GET /agents (list)',
          calls: pages(sizes.agents),
          credits: pages(sizes.agents),
          level: 1,
        },
      ]),
    );
  }
  return sum(chosen);
}

/** Scenario 3: a page of `first` tickets with conversations and the requester's company. */
export async function dashboardFloor(get: Get, first: number, sizes: Sizes): Promise<Floor> {
  const tickets = await get<ListedTicket[]>(`/tickets?per_page=${first}&updated_since=${ALL_TIME}`);
  const requesterIds = [...new Set(tickets.map((t) => t.requester_id))];
  const contacts = await Promise.all(
    requesterIds.map((id) =>
      get<{ company_id: number | null }>(`/contacts/${id}`).catch(() => ({ company_id: null })),
    ),
  );
  const companies = distinct(contacts.map((c) => c.company_id));
  // The contact list leaves out blocked and deleted contacts (and agents who raise tickets): those
  // requesters cost a call each whichever way the rest are read.
  const listed = new Set<number>();
  for (let page = 1; page <= pages(sizes.contacts); page++) {
    for (const contact of await get<{ id: number }[]>(`/contacts?per_page=100&page=${page}`)) {
      listed.add(contact.id);
    }
  }
  const unlisted = requesterIds.filter((id) => !listed.has(id)).length;
  const chosen: Option[] = [
    { name: 'GET /tickets (list)', calls: 1, credits: 1, level: 1 },
    {
      name: 'GET /tickets/:id/conversations',
      calls: tickets.length,
      credits: tickets.length,
      level: 2,
    },
  ];
  const contactOption = cheapest([
    {
      name: 'GET /contacts/:id',
      calls: requesterIds.length,
      credits: requesterIds.length,
      level: 2,
    },
    {
      name:
        unlisted > 0
          ? `GET /contacts (list) + ${unlisted} GET /contacts/:id`
          : 'GET /contacts (list)',
      calls: pages(sizes.contacts) + unlisted,
      credits: pages(sizes.contacts) + unlisted,
      level: unlisted > 0 ? 2 : 1,
    },
  ]);
  chosen.push(contactOption);
  if (companies > 0) {
    chosen.push(
      cheapest([
        {
          name: 'GET /companies/:id',
          calls: companies,
          credits: companies,
          level: contactOption.level + 1,
        },
        {
          name: 'GET /companies (list)',
          calls: pages(sizes.companies),
          credits: pages(sizes.companies),
          level: 1,
        },
      ]),
    );
  }
  return sum(chosen);
}
