import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // Two cores: keep worker count small so socket-heavy suites don't starve each other.
    maxWorkers: 2,
  },
});
