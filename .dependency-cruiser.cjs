/**
 * Import rules for `src/`, checked by `npm run deps` (part of `npm test`): no cycles, type-only
 * imports included (a cycle of types is still a tangle in the design).
 */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'Modules under src/ must not import each other in a cycle.',
      from: { path: '^src/' },
      to: { circular: true },
    },
    {
      name: 'quota-is-a-leaf',
      severity: 'error',
      comment:
        'Quota shaping receives estimates; it imports nothing of the project but the upstream credits and errors.',
      from: { path: '^src/quota/' },
      to: {
        path: '^src/',
        pathNot: ['^src/quota/', '^src/upstream/(credits|upstream-error)\\.ts$'],
      },
    },
    {
      name: 'plan-below-loaders',
      severity: 'error',
      comment: 'The loading plan is pure: loaders and resolvers execute it, it imports neither.',
      from: { path: '^src/plan/' },
      to: { path: '^src/(loaders|schema|app|server|context)' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    exclude: { path: '^src/emulator/' },
  },
};
