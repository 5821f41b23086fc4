import { defineConfig } from 'vitest/config';

// One workspace, one Python and one PostgreSQL at a time: the machine has two cores.
// The progress reporter prints each file's start and end even when output is not a terminal.
export default defineConfig({
  test: {
    include: ['e2e/**/*.spec.ts'],
    globalSetup: ['e2e/support/global-setup.ts'],
    fileParallelism: false,
    testTimeout: 10 * 60_000,
    hookTimeout: 15 * 60_000,
    reporters: ['default', './e2e/support/progress-reporter.ts'],
  },
});
