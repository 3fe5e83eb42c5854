import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'src/**/*.test.ts'],
    globalSetup: ['test/setup/redis.ts', 'test/setup/postgres.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Property suites are CPU-bound; two cores are the floor CI is sized for.
    pool: 'forks',
  },
});
