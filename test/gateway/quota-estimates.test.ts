/**
 * Cost before execution, held against what operations really spend: for each canonical query the
 * estimate made before execution is at least the credits spent and at most twice as many. Each
 * query runs on a fresh gateway, so cached reference lists do not hide their first load.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { type Stack, startStack } from '../helpers/gateway.ts';

interface Cost {
  estimated: number;
  spent: number;
  calls: number;
  cacheHits: number;
  remaining: number | null;
}

const CANONICAL: Record<string, string> = {
  'ticket by id': '{ ticket(id: "7") { id subject description status requester { name email } } }',
  'tickets(first: 30) with requester':
    '{ tickets(first: 30) { nodes { id subject requester { id name email } } } }',
  'tickets with responder and group':
    '{ tickets(first: 30) { nodes { id responder { id name } group { id name } } } }',
  'tickets with company id and name (company list)':
    '{ tickets(first: 30) { nodes { id company { id name } } } }',
  'tickets with full companies (company list)':
    '{ tickets(first: 30) { nodes { id company { name domains } } } }',
  'tickets with full requesters (contact-list scan)':
    '{ tickets(first: 30) { nodes { id requester { id tags } } } }',
  "tickets with their requesters' companies (contact-list scan, company list)":
    '{ tickets(first: 100) { nodes { id requester { id name company { name } } } } }',
  'tickets with requester, company and description embedded':
    '{ tickets(first: 30) { nodes { id description requester { name } company { name } } } }',
  'ticket by id with company (include=company)': '{ ticket(id: "7") { id company { id name } } }',
  '50 tickets x conversations(first: 3)':
    '{ tickets(first: 50) { nodes { id conversations(first: 3) { nodes { id body incoming } } } } }',
  contacts: '{ contacts(first: 30) { nodes { id name email phone } } }',
  agents: '{ agents(first: 30) { nodes { id name email } } }',
  search:
    '{ searchTickets(query: "priority:3 OR priority:4", first: 30) { nodes { id subject priority } } }',
  'ticket with conversations and full requester':
    '{ ticket(id: "12") { id conversations(first: 5) { nodes { id } } requester { id name company { name } } } }',
  'contact with tickets':
    '{ contacts(first: 5) { nodes { id name tickets(first: 3) { nodes { id subject } } } } }',
};

let stack: Stack | undefined;
afterEach(async () => {
  await stack?.close();
  stack = undefined;
});

describe('estimated credits against spent credits', () => {
  for (const [name, query] of Object.entries(CANONICAL)) {
    it(`${name}: spent <= estimated <= 2 x spent`, async () => {
      stack = await startStack({ emulator: { tickets: 300, plan: 'enterprise' } });
      const result = await stack.gql(query);
      expect(result.errors).toBeUndefined();
      const cost = result.extensions?.cost as Cost;
      const emulated = stack.emulator.stats().totalCredits;
      expect(cost.spent).toBe(emulated);
      expect(cost.spent).toBeGreaterThan(0);
      expect(cost.estimated).toBeGreaterThanOrEqual(cost.spent);
      expect(cost.estimated).toBeLessThanOrEqual(2 * cost.spent);
      expect(cost.remaining).toBe(700 - emulated);
    });
  }

  it('counts a cached reference list as free', async () => {
    stack = await startStack({ emulator: { tickets: 300, plan: 'enterprise' } });
    const query = CANONICAL.agents as string;
    await stack.gql(query);
    const again = await stack.gql(query);
    expect(again.extensions?.cost).toMatchObject({ estimated: 0, spent: 0 });
  });
});
