/**
 * The loading plan and the cost estimate, held together on generated operations over the whole
 * schema (every type and field reachable from Query, and the writes), each run against the
 * emulator through the gateway:
 * - `extensions.cost.estimated` is between what was spent and twice that plus 2;
 * - the gateway causes no upstream 4xx (every id in the operations exists; a rating may still point
 *   at a ticket deleted since, which Freshdesk answers 404) and no `invalid_field`.
 *
 * Fixed seed and a bounded number of runs in CI; a longer run is one command away:
 *   PLAN_PROPERTY_RUNS=2000 PLAN_PROPERTY_SEED=7 npx vitest run test/gateway/plan-property.test.ts
 */
import fc from 'fast-check';
import {
  type GraphQLField,
  type GraphQLNamedType,
  type GraphQLObjectType,
  getNamedType,
  isLeafType,
  isObjectType,
  isUnionType,
} from 'graphql';
import { describe, expect, it } from 'vitest';
import { schema } from '../../src/schema/index.ts';
import { type Stack, UNTHROTTLED, withStack } from '../helpers/gateway.ts';

const RUNS = Number(process.env.PLAN_PROPERTY_RUNS ?? 60);
const SEED = Number(process.env.PLAN_PROPERTY_SEED ?? 11);

interface Pools {
  tickets: string[];
  /** Tickets whose first conversations are there, and written by contacts. */
  threads: string[];
  contacts: string[];
  requesters: string[];
  agents: string[];
  companies: string[];
  articles: string[];
  folders: string[];
}

/** Broad enough that every window of up to 100 hits is full (per-hit work is counted per hit asked for). */
const SEARCHES = [
  'priority:4',
  'priority:3 OR priority:4',
  'status:2 OR status:3',
  'priority:1 OR priority:2',
];
/** Root connections may be long; nested ones short (a contact has a few tickets, a ticket a few conversations). */
const ROOT_FIRST = [1, 3, 10, 30, 100];
const NESTED_FIRST = [1, 2];
const MAX_DEPTH = 4;

const quote = (value: string): string => JSON.stringify(value);
const pick = <T>(values: readonly T[]): fc.Arbitrary<T> => fc.constantFrom(...values);

/** Arguments for a field, valid for the emulator's data (ids that exist, queries that parse). */
function argumentsFor(
  field: GraphQLField<unknown, unknown>,
  root: boolean,
  pools: Pools,
): fc.Arbitrary<string> | undefined {
  const names = field.args.map((arg) => arg.name);
  const parts: fc.Arbitrary<string>[] = [];
  for (const name of names) {
    if (name === 'first') {
      // Nested windows always say how many: the default (30) is longer than most nested lists.
      // One ticket's conversations are a nested list too, even asked for from the root.
      const long = root && field.name !== 'ticketConversations';
      parts.push(
        long
          ? fc
              .option(pick(ROOT_FIRST), { nil: undefined })
              .map((first) => (first === undefined ? '' : `first: ${first}`))
          : pick(NESTED_FIRST).map((first) => `first: ${first}`),
      );
    } else if (name === 'id') {
      const pool =
        {
          ticket: pools.tickets,
          contact: pools.contacts,
          agent: pools.agents,
          company: pools.companies,
          article: pools.articles,
          solutionFolder: pools.folders,
        }[field.name] ?? [];
      if (pool.length === 0) {
        return undefined;
      }
      parts.push(pick(pool).map((id) => `id: ${quote(id)}`));
    } else if (name === 'ticketId') {
      // One ticket's conversations: a ticket that has some (a window is counted as full).
      parts.push(pick(pools.threads).map((id) => `ticketId: ${quote(id)}`));
    } else if (name === 'query') {
      parts.push(pick(SEARCHES).map((q) => `query: ${quote(q)}`));
    } else if (name === 'filter' && field.name === 'tickets') {
      parts.push(
        fc.oneof(
          fc.constant(''),
          fc.constant(
            'filter: { updatedSince: "2025-06-01T00:00:00Z", orderBy: UPDATED_AT, orderDirection: ASC }',
          ),
          fc.constant('filter: { orderBy: PRIORITY }'),
        ),
      );
    } else if (name === 'filter' && field.name === 'contacts') {
      parts.push(fc.oneof(fc.constant(''), fc.constant('filter: { state: VERIFIED }')));
    } else if (name === 'after') {
      // Cursors come from earlier pages; these operations read first pages.
    } else if (
      field.args
        .find((arg) => arg.name === name)
        ?.type.toString()
        .endsWith('!')
    ) {
      return undefined;
    }
  }
  if (parts.length === 0) {
    return fc.constant('');
  }
  return fc.tuple(...parts).map((values) => {
    const text = values.filter((value) => value !== '').join(', ');
    return text === '' ? '' : `(${text})`;
  });
}

/** A selection set on `type`, at most `depth` object levels deep. */
function selectionOn(
  type: GraphQLNamedType,
  depth: number,
  pools: Pools,
  connectionRoot = false,
  alias = '',
): fc.Arbitrary<string> {
  if (isUnionType(type)) {
    const members = type.getTypes();
    return fc
      .tuple(
        fc.boolean(),
        // Members' fields of one name may differ in type (String! and String): aliased apart.
        ...members.map((member) =>
          fc.option(selectionOn(member, depth, pools, false, `${member.name.toLowerCase()}_`), {
            nil: undefined,
          }),
        ),
      )
      .map(([typename, ...selections]) => {
        const parts = selections
          .map((sel, i) => (sel ? `... on ${(members[i] as GraphQLObjectType).name} ${sel}` : ''))
          .filter((part) => part !== '');
        if (typename || parts.length === 0) {
          parts.unshift('__typename');
        }
        return `{ ${parts.join(' ')} }`;
      });
  }
  const object = type as GraphQLObjectType;
  const fields = Object.values(object.getFields());
  const leaves = fields.filter(
    (field) => isLeafType(getNamedType(field.type)) && field.args.length === 0,
  );
  const nested = depth > 0 ? fields.filter((field) => !isLeafType(getNamedType(field.type))) : [];
  const leafPart = fc
    .subarray(leaves, {
      minLength: Math.min(1, leaves.length),
      maxLength: Math.min(4, leaves.length),
    })
    .map((chosen) =>
      chosen.map((field) => (alias ? `${alias}${field.name}: ${field.name}` : field.name)),
    );
  const nestedParts = nested.map((field) => {
    const args = argumentsFor(field, false, pools);
    if (args === undefined) {
      return fc.constant('');
    }
    const child = getNamedType(field.type);
    const isConnection = isObjectType(child) && child.name.endsWith('Connection');
    return fc
      .option(fc.tuple(args, selectionOn(child, depth - 1, pools, isConnection)), {
        nil: undefined,
        freq: 3,
      })
      .map((chosen) =>
        chosen
          ? `${alias ? `${alias}${field.name}: ` : ''}${field.name}${chosen[0]} ${chosen[1]}`
          : '',
      );
  });
  return fc.tuple(leafPart, ...nestedParts).map(([leafNames, ...rest]) => {
    const parts = [...leafNames, ...rest.filter((part) => part !== '')];
    if (connectionRoot && !parts.some((part) => /^(nodes|edges)/.test(part))) {
      // A connection read for its pages alone still reads them: keep its nodes.
      parts.push('nodes { id }');
    }
    return `{ ${parts.join(' ')} }`;
  });
}

/** A query over 1-3 root fields, or (sometimes) a write with a selection below its answer. */
function operations(pools: Pools): fc.Arbitrary<string> {
  const query = schema.getQueryType() as GraphQLObjectType;
  const roots = Object.values(query.getFields()).flatMap((field) => {
    const args = argumentsFor(field, true, pools);
    if (args === undefined) {
      return [];
    }
    const type = getNamedType(field.type);
    if (isLeafType(type)) {
      return [];
    }
    const connection = isObjectType(type) && type.name.endsWith('Connection');
    return [
      fc
        .tuple(args, selectionOn(type, MAX_DEPTH - 1, pools, connection))
        .map(([a, s]) => `${field.name}${a} ${s}`),
    ];
  });
  const queries = fc
    .array(fc.oneof(...roots), { minLength: 1, maxLength: 3 })
    .map((fields) => `{ ${fields.map((field, i) => `f${i}: ${field}`).join(' ')} }`);
  const ticket = pick(pools.tickets);
  const writes = fc.oneof(
    fc
      .tuple(ticket, selectionOn(schema.getType('Conversation') as GraphQLObjectType, 2, pools))
      .map(
        ([id, sel]) =>
          `mutation { addNote(ticketId: ${quote(id)}, input: { body: "<p>noted</p>" }) ${sel} }`,
      ),
    fc
      .tuple(
        ticket,
        pick(['LOW', 'MEDIUM', 'HIGH']),
        selectionOn(schema.getType('Ticket') as GraphQLObjectType, 2, pools),
      )
      .map(
        ([id, priority, sel]) =>
          `mutation { updateTicket(id: ${quote(id)}, input: { priority: ${priority} }) ${sel} }`,
      ),
  );
  return fc.oneof({ arbitrary: queries, weight: 9 }, { arbitrary: writes, weight: 1 });
}

interface Cost {
  estimated: number;
  spent: number;
}

describe('the cost estimate against what operations spend', () => {
  let stack: Stack;
  withStack(
    {
      emulator: { ...UNTHROTTLED.emulator },
      env: {
        FRESHDESK_PLAN: 'total=1000000',
        DESKGRAPH_QUOTA_WINDOW_MS: '1000',
        DESKGRAPH_MAX_OPERATION_CREDITS: '100000',
      },
    },
    (started) => {
      stack = started;
    },
  );

  it(`holds for ${RUNS} generated operations (seed ${SEED})`, { timeout: 600_000 }, async () => {
    const { data } = stack.emulator;
    const open = [...data.tickets.values()].filter((t) => !t.spam && !t.deleted);
    const removed = new Set(
      [...data.tickets.values()].filter((t) => t.spam || t.deleted).map((t) => String(t.id)),
    );
    const pools: Pools = {
      tickets: open.map((t) => String(t.id)),
      // Each author may be a contact, loaded in full: threads whose first two are contacts'.
      threads: open
        .filter((t) => {
          const thread = data.conversations.get(t.id) ?? [];
          return thread.length >= 2 && thread.slice(0, 2).every((c) => !data.agents.has(c.user_id));
        })
        .map((t) => String(t.id)),
      contacts: [...data.contacts.values()].filter((c) => !c.deleted).map((c) => String(c.id)),
      requesters: [...new Set(open.map((t) => String(t.requester_id)))],
      agents: [...data.agents.keys()].map(String),
      companies: [...data.companies.keys()].map(String),
      articles: [...data.articles.keys()].map(String),
      folders: [...data.folders.keys()].map(String),
    };
    await fc.assert(
      fc.asyncProperty(operations(pools), async (operation) => {
        stack.emulator.resetStats();
        const result = await stack.gql(operation);
        // Below a failed non-null field, resolvers already started may still be reading: let
        // them finish, so they count here and not in the next operation.
        let calls = -1;
        while (calls !== stack.emulator.stats().totalCalls) {
          calls = stack.emulator.stats().totalCalls;
          await new Promise((resolve) => setTimeout(resolve, 30));
        }
        const stats = stack.emulator.stats();
        const cost = (result.extensions?.cost ?? {}) as Cost;
        // A rating may point at a ticket deleted since (Freshdesk: 404); that is the data's.
        const gone = (result.errors ?? []).some((error) => {
          const path = (error.extensions?.upstream as { path?: string } | undefined)?.path ?? '';
          return (
            error.extensions?.code === 'NOT_FOUND' && removed.has(path.split('/').at(-1) ?? '')
          );
        });
        const refused = Object.entries(stats.status).filter(
          ([status, count]) =>
            Number(status) >= 400 &&
            Number(status) < 500 &&
            count > 0 &&
            !(gone && status === '404'),
        );
        const report = { operation, cost, errors: result.errors, refused, calls: stats.calls };
        expect(result.status, JSON.stringify(report)).toBe(200);
        // What Freshdesk counted, including reads that went on below a failed field after the
        // answer was sent: the estimate covers them too.
        expect(cost.estimated, JSON.stringify(report)).toBeGreaterThanOrEqual(stats.totalCredits);
        if (result.errors === undefined) {
          // An error stops what was below it from being read: only a whole answer spends it all.
          expect(cost.spent, JSON.stringify(report)).toBe(stats.totalCredits);
          expect(cost.estimated, JSON.stringify(report)).toBeLessThanOrEqual(2 * cost.spent + 2);
        }
        expect(refused, JSON.stringify(report)).toEqual([]);
        expect(stats.invalidFieldErrors, JSON.stringify(report)).toBe(0);
      }),
      { seed: SEED, numRuns: RUNS, endOnFailure: true },
    );
  });
});
