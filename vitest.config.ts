import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    // Tests spawn the CLI and write real files; two forks match the machine's two cores.
    pool: 'forks',
  },
});
