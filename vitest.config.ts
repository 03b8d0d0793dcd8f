import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'adapters/**/*.test.ts', 'simulators/**/*.test.ts'],
    setupFiles: ['test/setup/loopback-only.ts'],
    testTimeout: 20_000,
    hookTimeout: 20_000,
    pool: 'forks',
    // The default is one worker per core minus one: a single worker on a 2-core machine. The end-to-end files
    // spend most of their time waiting on child processes and sockets, so three run side by side comfortably.
    maxWorkers: 3,
  },
});
