/**
 * Group: a team of agents. Groups load as one whole list per credential, reused for a short TTL;
 * a group's members come from the (also cached) agent list, whose agents carry their group ids.
 */
import { builder } from '../../builder.ts';
import { groupDirectory, groupMembers } from '../../loaders/people.ts';
import { Agent, Group } from '../refs.ts';

Group.implement({
  description: 'A group of agents that tickets can be assigned to.',
  fields: (t) => ({
    id: t.exposeID('id', { description: "The group's id (a decimal string)." }),
    name: t.exposeString('name', { description: "The group's name (unique in the account)." }),
    description: t.exposeString('description', {
      nullable: true,
      description: "The group's description, if any.",
    }),
    agents: t.field({
      type: [Agent],
      description: "The group's member agents.",
      resolve: (group, _args, ctx) => groupMembers(ctx, group),
    }),
  }),
});

builder.queryField('groups', (t) =>
  t.field({
    type: [Group],
    description:
      'Every group of the account, by name. Loaded whole and reused for a minute. Needs an admin key.',
    resolve: async (_root, _args, ctx) => {
      const groups = await groupDirectory(ctx);
      if (groups.forbidden) {
        throw groups.forbidden;
      }
      return groups.all;
    },
  }),
);
