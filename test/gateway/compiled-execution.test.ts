/**
 * Compiled execution (src/schema/compiled.ts): a document's first request runs on graphql-js, its
 * later ones as the function graphql-jit made of it; the answers are the same, field by field,
 * errors (masked, coded, with their paths) and `extensions` included. The read cache is off so
 * every run of a document reads the same from the emulator.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compiledExecutionStats } from '../../src/schema/compiled.ts';
import { type Stack, startStack, UNTHROTTLED } from '../helpers/gateway.ts';

let stack: Stack;

beforeAll(async () => {
  stack = await startStack({
    emulator: UNTHROTTLED.emulator,
    env: {
      ...UNTHROTTLED.env,
      DESKGRAPH_CACHE_MAX_MB: '0',
      DESKGRAPH_MAX_OPERATION_CREDITS: '1000',
    },
  });
});

afterAll(async () => {
  await stack?.close();
});

/** An error as the client gets it. */
interface AnyError {
  message: string;
  path?: (string | number)[];
  locations?: unknown;
  extensions: Record<string, unknown>;
}

/** An answer without what differs between two runs of the same request (ids, the budget left). */
function comparable(response: Awaited<ReturnType<Stack['gql']>>) {
  const cost = response.extensions?.cost as Record<string, unknown> | undefined;
  return {
    status: response.status,
    data: response.data,
    errors: response.errors?.map(({ extensions, ...error }): AnyError => {
      const { requestId: _requestId, upstream, ...rest } = extensions ?? {};
      const { requestId: _upstreamId, ...call } = (upstream ?? {}) as Record<string, unknown>;
      return { ...error, extensions: { ...rest, upstream: call } };
    }),
    extensions: {
      ...response.extensions,
      cost: cost && { ...cost, remaining: undefined, queuedMs: undefined },
    },
  };
}

const TICKETS = `query Page($first: Int!, $withCompany: Boolean!) {
  tickets(first: $first) {
    nodes {
      id subject status priority createdAt updatedAt __typename
      requester { id name email company @include(if: $withCompany) { id name } }
      responder { ...Person }
      conversations(first: 3) { nodes { id bodyText incoming private createdAt } }
    }
    pageInfo { hasNextPage endCursor }
  }
}
fragment Person on Agent { id name email }`;

const TICKET = `query One($id: ID!) { ticket(id: $id) { id subject status priority updatedAt requester { name } } }`;

/**
 * Runs `document` three times: the first on graphql-js, the others compiled; all alike. The same
 * query as another document first, so the reference lists kept per credential are read before.
 */
async function sameEveryTime(document: string, variables: Record<string, unknown>) {
  await stack.gql(`${document}\n# warm-up`, variables);
  const before = compiledExecutionStats().compiledExecutions;
  const first = comparable(await stack.gql(document, variables));
  const second = comparable(await stack.gql(document, variables));
  const third = comparable(await stack.gql(document, variables));
  expect(second).toEqual(first);
  expect(third).toEqual(first);
  return { first, compiledRuns: compiledExecutionStats().compiledExecutions - before };
}

describe('compiled execution', () => {
  it('answers a page with people, conversations, fragments, directives and __typename as graphql-js does', async () => {
    const { first, compiledRuns } = await sameEveryTime(TICKETS, { first: 20, withCompany: true });
    expect(compiledRuns).toBe(2);
    const nodes = (first.data as { tickets: { nodes: { id: string }[] } }).tickets.nodes;
    expect(nodes).toHaveLength(20);
    expect(first.errors).toBeUndefined();
    expect(first.extensions.cost).toMatchObject({
      calls: expect.any(Number),
      spent: expect.any(Number),
    });
  });

  it('reports a missing ticket and a failing Freshdesk with the same coded, masked errors', async () => {
    const missing = await sameEveryTime(TICKET, { id: '99999999' });
    expect(missing.compiledRuns).toBe(2);
    expect(missing.first.errors?.[0]?.extensions.code).toBe('NOT_FOUND');
    expect(missing.first.errors?.[0]?.locations).toEqual([{ line: 1, column: 23 }]);
    stack.emulator.setFaults({
      errors: { 'GET /tickets/:id': { rate: 1, status: 500, body: 'json' } },
    });
    try {
      const failing = await sameEveryTime(`${TICKET} # failing`, { id: '1' });
      expect(failing.compiledRuns).toBe(2);
      expect(failing.first.errors?.[0]?.path).toEqual(['ticket']);
      expect(failing.first.errors?.[0]?.extensions.code).toBe('UPSTREAM_ERROR');
    } finally {
      stack.emulator.setFaults({});
    }
  });

  it("leaves variables it refuses to graphql-js's own errors", async () => {
    const before = compiledExecutionStats().fallbacks;
    const { first } = await sameEveryTime(`${TICKET} # variables`, { id: { not: 'an id' } });
    expect(first.errors?.[0]?.message).toMatch(/Variable "\$id"/);
    // The warm-up's document (seen once) is not compiled; this one's second and third runs are.
    expect(compiledExecutionStats().fallbacks - before).toBe(2);
  });

  it('never compiles a mutation or an introspection query', async () => {
    const before = compiledExecutionStats().compiledExecutions;
    const introspection = '{ __schema { queryType { name } } }';
    for (let i = 0; i < 3; i += 1) {
      const answer = await stack.gql(introspection);
      expect(answer.data).toEqual({ __schema: { queryType: { name: 'Query' } } });
      const refused = await stack.gql(
        'mutation { addNote(ticketId: "99999999", input: { body: "x" }) { id } }',
      );
      expect(refused.errors?.[0]?.extensions?.code).toBeDefined();
    }
    expect(compiledExecutionStats().compiledExecutions).toBe(before);
  });
});
