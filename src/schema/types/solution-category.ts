/**
 * `SolutionCategory`, the top of the knowledge base, and `solutionCategories`. Categories (and each
 * category's folders) load as whole lists kept per credential (src/loaders/solutions.ts).
 */
import { builder } from '../../builder.ts';
import { loadCategories, loadCategory, loadFolders } from '../../loaders/solutions.ts';
import { SolutionCategory, SolutionFolder } from '../refs.ts';

SolutionCategory.implement({
  description: 'A knowledge-base category: the top level, holding folders of articles.',
  fields: (t) => ({
    id: t.exposeID('id', { description: "The category's Freshdesk id (a decimal string)." }),
    name: t.exposeString('name', { description: "The category's name." }),
    description: t.string({
      nullable: true,
      description: "The category's description, if any.",
      resolve: async (category, _args, ctx) =>
        category.description !== undefined
          ? category.description
          : ((await loadCategory(ctx, category.id)).description ?? null),
    }),
    folders: t.field({
      type: [SolutionFolder],
      description: "The category's folders, sub-folders included, in Freshdesk's order.",
      resolve: (category, _args, ctx) => loadFolders(ctx, category.id),
    }),
  }),
});

builder.queryField('solutionCategories', (t) =>
  t.field({
    type: [SolutionCategory],
    description:
      'Every knowledge-base category; walk `folders` then `articles` to reach every article.',
    resolve: (_root, _args, ctx) => loadCategories(ctx),
  }),
);
