import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  // The examples import the package by name, as a user's project does (`crosschannel/capping`); tests that run
  // them resolve those names to the sources (tsconfig.json "paths" does the same for tsc and tsx).
  resolve: {
    alias: [
      { find: /^crosschannel$/, replacement: fileURLToPath(new URL('./src/index.ts', import.meta.url)) },
      { find: /^crosschannel\/(.+)$/, replacement: `${fileURLToPath(new URL('./src/', import.meta.url))}$1/index.ts` },
    ],
  },
  test: {
    include: ['test/**/*.test.ts', 'src/**/*.test.ts'],
    globalSetup: ['test/setup/redis.ts', 'test/setup/postgres.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Property suites are CPU-bound; two cores are the floor CI is sized for.
    pool: 'forks',
  },
});
