/**
 * Agent: a helpdesk agent. Agents load as one whole list per credential, reused for a short TTL
 * (see `loaders/people.ts`): `agent`, `agents`, `Ticket.responder` and `Group.agents` cost no call
 * when the list is warm.
 */
import { builder } from '../../builder.ts';
import type { Context } from '../../context.ts';
import { agentDirectory, fetchAgent, loadGroup, loadMe } from '../../loaders/people.ts';
import type { GroupModel } from '../../upstream/groups.ts';
import { encodeCursor, offsetAfter, readFirst } from '../connection.ts';
import { idArg } from '../field-errors.ts';
import { Agent, AgentConnection, Group } from '../refs.ts';

Agent.implement({
  description: 'A helpdesk agent (a user who works tickets).',
  fields: (t) => ({
    id: t.exposeID('id', { description: "The agent's user id (a decimal string)." }),
    name: t.exposeString('name', { description: "The agent's name." }),
    email: t.exposeString('email', { description: "The agent's e-mail address." }),
    available: t.exposeBoolean('available', {
      description: 'True when the agent is available for ticket assignment.',
    }),
    occasional: t.exposeBoolean('occasional', {
      description: 'True for an occasional (day-pass) agent, false for a full-time one.',
    }),
    groups: t.field({
      type: [Group],
      description: 'The groups the agent belongs to.',
      resolve: async (agent, _args, ctx) => {
        const groups = await Promise.all(agent.groupIds.map((id) => loadGroup(ctx, id)));
        return groups.filter((group): group is GroupModel => group !== null);
      },
    }),
    createdAt: t.field({
      type: 'DateTime',
      description: 'When the agent was created (UTC).',
      resolve: (agent) => agent.createdAt,
    }),
  }),
});

builder.queryField('agent', (t) =>
  t.field({
    type: Agent,
    nullable: true,
    description: 'One agent by id; null (with a NOT_FOUND error) when there is no such agent.',
    args: { id: t.arg.id({ required: true, description: "The agent's id." }) },
    resolve: (_root, { id }, ctx) => fetchAgent(ctx, idArg(id, 'An agent')),
  }),
);

builder.queryField('me', (t) =>
  t.field({
    type: Agent,
    nullable: true,
    description: 'The agent who owns the API key in use (allowed for every agent, admin or not).',
    resolve: (_root, _args, ctx: Context) => loadMe(ctx),
  }),
);

builder.queryField('agents', (t) =>
  t.field({
    type: AgentConnection,
    description:
      "Every agent, in Freshdesk's alphabetical order. Served from the account's agent list, which is loaded whole and reused for a minute. Needs an admin key.",
    args: {
      first: t.arg.int({ description: 'Page size, 1..100 (default 30).' }),
      after: t.arg.string({ description: 'The `endCursor` of the previous page.' }),
    },
    resolve: async (_root, args, ctx) => {
      const first = readFirst(args.first);
      const offset = offsetAfter(args.after);
      const agents = await agentDirectory(ctx);
      if (agents.forbidden) {
        throw agents.forbidden;
      }
      const slice = agents.all.slice(offset, offset + first);
      return {
        edges: slice.map((node, i) => ({ node, cursor: encodeCursor({ o: offset + i }) })),
        hasNextPage: agents.all.length > offset + first,
      };
    },
  }),
);
