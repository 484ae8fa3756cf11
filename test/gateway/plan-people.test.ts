/**
 * The loading plan for people, counted by the emulator: conversation authors are told apart from
 * agents by the agent list (never `GET /agents/:id` for a contact); with a plain agent's key (it
 * may not list agents) every contact author still resolves; a failed first load of a reference
 * list gives Freshdesk's coded error.
 */
import { describe, expect, it } from 'vitest';
import { type Stack, UNTHROTTLED, withStack } from '../helpers/gateway.ts';

const AUTHORS = `{ tickets(first: 5) { nodes { id conversations(first: 10) { nodes { id
  author { __typename ... on Agent { name } ... on Contact { name } } } } } } }`;

interface AuthorsData {
  tickets: {
    nodes: {
      conversations: { nodes: { author: { __typename: string; name: string } | null }[] };
    }[];
  };
}

const authors = (data: AuthorsData) =>
  data.tickets.nodes.flatMap((ticket) =>
    ticket.conversations.nodes.map((conversation) => conversation.author),
  );

describe('conversation authors', () => {
  let stack: Stack;
  withStack(UNTHROTTLED, (started) => {
    stack = started;
  });

  it('cost 1 + 5 + 1 + (distinct contact authors) calls, and never GET /agents/:id', async () => {
    const result = await stack.gql<AuthorsData>(AUTHORS);
    expect(result.errors).toBeUndefined();
    const all = authors(result.data as AuthorsData);
    const contactIds = new Set<string>();
    const { data } = stack.emulator;
    const tickets = (result.data as AuthorsData).tickets.nodes as unknown as { id: string }[];
    for (const ticket of tickets) {
      for (const conversation of data.conversations.get(Number(ticket.id))?.slice(0, 10) ?? []) {
        if (!data.agents.has(conversation.user_id)) {
          contactIds.add(String(conversation.user_id));
        }
      }
    }
    expect(all.filter((author) => author?.__typename === 'Contact').length).toBeGreaterThan(0);
    expect(all.filter((author) => author?.__typename === 'Agent').length).toBeGreaterThan(0);
    const stats = stack.emulator.stats();
    expect(stats.calls['GET /agents/:id'] ?? 0).toBe(0);
    expect(stats.status['404'] ?? 0).toBe(0);
    expect(stats.totalCalls).toBeLessThanOrEqual(1 + 5 + 1 + contactIds.size);
    expect(stats.calls).toMatchObject({
      'GET /tickets': 1,
      'GET /tickets/:id/conversations': 5,
      'GET /agents': 1,
    });
  });
});

describe("conversation authors with a plain agent's key (passthrough)", () => {
  let stack: Stack;
  withStack(
    { emulator: UNTHROTTLED.emulator, env: { ...UNTHROTTLED.env, DESKGRAPH_AUTH: 'passthrough' } },
    (started) => {
      stack = started;
    },
  );

  it('resolves every contact author; an agent author it may not see is FORBIDDEN alone', async () => {
    const key = stack.emulator.apiKeys.agent;
    const result = await stack.gql<AuthorsData>(AUTHORS, undefined, {
      'x-freshdesk-api-key': key,
    });
    const data = result.data as AuthorsData;
    const { data: emulated } = stack.emulator;
    const me = emulated.apiKeys.get(key);
    let contacts = 0;
    data.tickets.nodes.forEach((ticket, t) => {
      const id = Number((ticket as unknown as { id: string }).id);
      const thread = emulated.conversations.get(id)?.slice(0, 10) ?? [];
      ticket.conversations.nodes.forEach((conversation, c) => {
        const userId = thread[c]?.user_id;
        if (userId !== undefined && !emulated.agents.has(userId)) {
          contacts += 1;
          expect(conversation.author, `ticket ${t} conversation ${c}`).toMatchObject({
            __typename: 'Contact',
          });
        } else if (userId === me) {
          expect(conversation.author).toMatchObject({ __typename: 'Agent' });
        }
      });
    });
    expect(contacts).toBeGreaterThan(0);
    for (const error of result.errors ?? []) {
      expect(error.extensions?.code).toBe('FORBIDDEN');
      expect(error.path?.at(-1)).toBe('author');
    }
    expect(stack.emulator.stats().calls['GET /agents/:id'] ?? 0).toBe(0);
  });
});

describe('a failed first load of a reference list', () => {
  let stack: Stack;
  withStack(UNTHROTTLED, (started) => {
    stack = started;
  });

  it.each([
    ['GET /agents', '{ agents { nodes { id } } }', '/api/v2/agents'],
    ['GET /groups', '{ groups { id } }', '/api/v2/groups'],
    ['GET /agents/me', '{ me { id } }', '/api/v2/agents/me'],
  ])('%s answering 503 gives SERVICE_UNAVAILABLE with upstream', async (route, query, path) => {
    stack.emulator.setFaults({
      errors: { [route]: { rate: 1, status: 503, retryAfterSeconds: 1 } },
    });
    try {
      const result = await stack.gql(query);
      expect(result.errors?.[0]?.extensions).toMatchObject({
        code: 'SERVICE_UNAVAILABLE',
        upstream: { status: 503, method: 'GET', path: expect.stringContaining(path) },
        retryable: true,
      });
    } finally {
      stack.emulator.setFaults({});
    }
  });
});
