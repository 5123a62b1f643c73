// `npm run bench`: the benchmark suite, in the same test world as the end-to-end tests.
// Not part of `npm test`: it prints figures and asserts nothing about time.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    teardownTimeout: 60_000,
    include: ['bench/**/*.bench-run.ts'],
    fileParallelism: false,
    testTimeout: 3_600_000, // a whole run is one test: about 15 min at BENCH_RUNS=5 on 2 shared cores
    hookTimeout: 300_000,
    globalSetup: ['test/e2e/global-setup.ts'],
  },
});
