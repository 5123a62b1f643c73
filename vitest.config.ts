import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // Global teardown stops dockerd and the world's daemons; the default 10 s can cut it short.
    teardownTimeout: 60_000,
    projects: [
      { test: { name: 'unit', include: ['test/unit/**/*.test.ts'] } },
      {
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.test.ts'],
          // All files share one world (a dockerd in a namespace): never run them in parallel.
          fileParallelism: false,
          testTimeout: 120_000,
          hookTimeout: 300_000,
          globalSetup: ['test/e2e/global-setup.ts'],
        },
      },
    ],
  },
});
