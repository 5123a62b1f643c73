// `npm run bench`: the benchmark suite, in the same test world as the end-to-end tests.
// Not part of `npm test`: it prints figures and asserts nothing about time.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    teardownTimeout: 60_000,
    include: ['bench/**/*.bench-run.ts'],
    fileParallelism: false,
    testTimeout: 900_000,
    hookTimeout: 300_000,
    globalSetup: ['test/e2e/global-setup.ts'],
  },
});
