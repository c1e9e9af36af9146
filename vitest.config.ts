import { defineConfig } from 'vitest/config';

// Three projects: unit tests run the engine from src/ (no build needed), end-to-end tests spawn the
// built CLI (dist/, rebuilt first when src/ is newer), and the SIGKILL sweeps, which kill a command at
// every durable point in CI and at a sample of them locally (TRACKIO_FSCK_FULL_SWEEPS=1 for all).
export default defineConfig({
  test: {
    testTimeout: 60_000,
    // Removing a sweep's temp copies takes seconds on a loaded machine.
    hookTimeout: 60_000,
    // Tests write real files and spawn processes; forks isolate them, one per core (vitest would
    // otherwise keep one core for itself: measured 410 s instead of about half that).
    pool: 'forks',
    maxWorkers: 2,
    projects: [
      { extends: true, test: { name: 'unit', include: ['test/unit/**/*.test.ts'] } },
      { extends: true, test: { name: 'e2e', include: ['test/e2e/**/*.test.ts'], globalSetup: ['test/helpers/buildIfStale.ts'] } },
      { extends: true, test: { name: 'sweeps', include: ['test/sweeps/**/*.test.ts'], globalSetup: ['test/helpers/buildIfStale.ts'] } },
    ],
  },
});
