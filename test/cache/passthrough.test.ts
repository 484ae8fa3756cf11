/**
 * Passthrough mode: every caller brings its own key, and the read cache never lets one key see what
 * another received. A property-based test over random orders of requests by an admin key and a
 * restricted (group-scoped) agent's key (tickets by id, lists, search, conversations, a contact's
 * tickets), interleaved with the admin moving tickets between groups and with Freshdesk failing
 * (503: kept answers stand in): no answer to the restricted key ever holds a ticket, or a
 * conversation of a ticket, outside that agent's reach at that moment.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { canSeeTicket } from '../../src/emulator/handlers/tickets.ts';
import type { AgentRecord, TicketRecord } from '../../src/emulator/records.ts';
import { type Stack, startStack, UNTHROTTLED } from '../helpers/gateway.ts';

const RUNS = Number(process.env.PASSTHROUGH_PROPERTY_RUNS ?? 40);
const SEED = Number(process.env.PASSTHROUGH_PROPERTY_SEED ?? 5);

let stack: Stack;
let restrictedAgent: AgentRecord;
let tickets: TicketRecord[];

beforeAll(async () => {
  stack = await startStack({
    emulator: { ...UNTHROTTLED.emulator, tickets: 60 },
    env: {
      ...UNTHROTTLED.env,
      DESKGRAPH_AUTH: 'passthrough',
      DESKGRAPH_UPSTREAM_TIMEOUT_MS: '1000',
    },
  });
  const { data, apiKeys } = stack.emulator;
  const agentId = data.apiKeys.get(apiKeys.restricted);
  restrictedAgent = data.agents.get(agentId ?? 0) as AgentRecord;
  expect(restrictedAgent.ticket_scope).not.toBe(1);
  tickets = [...data.tickets.values()].filter((t) => !t.deleted && !t.spam);
  // Both kinds are there: tickets the restricted agent sees and tickets it must not.
  expect(tickets.some((t) => canSeeTicket(restrictedAgent, t))).toBe(true);
  expect(tickets.some((t) => !canSeeTicket(restrictedAgent, t))).toBe(true);
});
afterAll(async () => {
  await stack?.close();
});

type Who = 'admin' | 'restricted';

type Action =
  | { do: 'query'; who: Who; query: string }
  | { do: 'move'; ticket: number; group: number | null }
  | { do: 'faults'; on: boolean };

const TICKET_FIELDS = 'id subject groupId conversations(first: 2) { nodes { id ticketId } }';

function actions(): fc.Arbitrary<Action[]> {
  // A few tickets, half of them in the restricted agent's reach, and its groups with one other:
  // short sequences meet every order (read, move out of reach, fail, read again) often.
  const inReach = tickets.filter((t) => canSeeTicket(restrictedAgent, t)).slice(0, 4);
  const outOfReach = tickets.filter((t) => !canSeeTicket(restrictedAgent, t)).slice(0, 4);
  const ids = [...inReach, ...outOfReach].map((t) => t.id);
  const other = [...stack.emulator.data.groups.keys()].find(
    (id) => !restrictedAgent.group_ids.includes(id),
  );
  const groups = [...restrictedAgent.group_ids, ...(other === undefined ? [] : [other])];
  const requesters = [...new Set([...inReach, ...outOfReach].map((t) => t.requester_id))];
  const query = fc.oneof(
    fc.constantFrom(...ids).map((id) => `{ ticket(id: "${id}") { ${TICKET_FIELDS} } }`),
    fc
      .constantFrom(5, 20, 60)
      .map((first) => `{ tickets(first: ${first}) { nodes { ${TICKET_FIELDS} } } }`),
    fc.constant(
      `{ searchTickets(query: "priority:1 OR priority:2 OR priority:3 OR priority:4") { nodes { id groupId } } }`,
    ),
    fc
      .constantFrom(...ids)
      .map(
        (id) => `{ ticketConversations(ticketId: "${id}", first: 5) { nodes { id ticketId } } }`,
      ),
    fc
      .constantFrom(...requesters)
      .map(
        (id) =>
          `{ contact(id: "${id}") { id tickets(first: 10) { nodes { id groupId requester { id } } } } }`,
      ),
  );
  const action: fc.Arbitrary<Action> = fc.oneof(
    {
      arbitrary: fc
        .tuple(fc.constantFrom<Who>('admin', 'restricted'), query)
        .map(([who, q]) => ({ do: 'query' as const, who, query: q })),
      weight: 8,
    },
    {
      arbitrary: fc
        .tuple(fc.constantFrom(...ids), fc.option(fc.constantFrom(...groups), { nil: null }))
        .map(([ticket, group]) => ({ do: 'move' as const, ticket, group })),
      weight: 2,
    },
    { arbitrary: fc.boolean().map((on) => ({ do: 'faults' as const, on })), weight: 1 },
  );
  return fc.array(action, { minLength: 4, maxLength: 16 });
}

/** Every ticket id an answer holds: nodes and objects with `groupId`, and conversations' tickets. */
function ticketIdsIn(value: unknown, out = new Set<string>()): Set<string> {
  if (Array.isArray(value)) {
    for (const item of value) {
      ticketIdsIn(item, out);
    }
  } else if (typeof value === 'object' && value !== null) {
    const record = value as Record<string, unknown>;
    if ('groupId' in record && typeof record.id === 'string') {
      out.add(record.id);
    }
    if (typeof record.ticketId === 'string') {
      out.add(record.ticketId);
    }
    for (const child of Object.values(record)) {
      ticketIdsIn(child, out);
    }
  }
  return out;
}

describe('passthrough: a restricted key and the read cache', () => {
  it(`never answers the restricted key with a ticket outside its reach (${RUNS} random orders, seed ${SEED})`, {
    timeout: 300_000,
  }, async () => {
    const { apiKeys, data } = stack.emulator;
    const keyOf = (who: Who) => (who === 'admin' ? apiKeys.admin : apiKeys.restricted);
    await fc.assert(
      fc.asyncProperty(actions(), async (sequence) => {
        for (const action of sequence) {
          if (action.do === 'faults') {
            stack.emulator.setFaults(
              action.on ? { errors: { '*': { rate: 1, status: 503, retryAfterSeconds: 0 } } } : {},
            );
            continue;
          }
          if (action.do === 'move') {
            stack.emulator.setFaults({});
            const result = await stack.gql(
              `mutation { updateTicket(id: "${action.ticket}", input: { groupId: ${action.group === null ? 'null' : `"${action.group}"`} }) { id groupId } }`,
              {},
              { 'x-freshdesk-api-key': apiKeys.admin },
            );
            expect(result.errors, JSON.stringify(result.errors)).toBeUndefined();
            continue;
          }
          const result = await stack.gql(
            action.query,
            {},
            {
              'x-freshdesk-api-key': keyOf(action.who),
            },
          );
          expect(result.status).toBe(200);
          if (action.who !== 'restricted') {
            continue;
          }
          const outside = [...ticketIdsIn(result.data)].filter((id) => {
            const ticket = data.tickets.get(Number(id));
            return ticket !== undefined && !canSeeTicket(restrictedAgent, ticket);
          });
          expect(outside, JSON.stringify({ action, sequence })).toEqual([]);
        }
        stack.emulator.setFaults({});
      }),
      { seed: SEED, numRuns: RUNS, endOnFailure: true },
    );
  });
});
