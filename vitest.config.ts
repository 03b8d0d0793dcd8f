import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'adapters/**/*.test.ts', 'simulators/**/*.test.ts'],
    setupFiles: ['test/setup/loopback-only.ts'],
    // Hang guards, not measures: a bot process starting on a machine with both cores busy can take 20 s.
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // The default is one worker per core minus one: a single worker on a 2-core machine. The end-to-end files
    // spend most of their time waiting on child processes and sockets, so three run side by side comfortably.
    maxWorkers: 3,
  },
});
