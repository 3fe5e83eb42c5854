import { defineConfig } from 'tsup';

/** One entry per public subpath; keep in sync with package.json "exports". */
export const entries = {
  index: 'src/index.ts',
  'identity/index': 'src/identity/index.ts',
  'consent/index': 'src/consent/index.ts',
  'capping/index': 'src/capping/index.ts',
  'segments/index': 'src/segments/index.ts',
  'arbitration/index': 'src/arbitration/index.ts',
  'attribution/index': 'src/attribution/index.ts',
  'experiments/index': 'src/experiments/index.ts',
  'timing/index': 'src/timing/index.ts',
  'insights/index': 'src/insights/index.ts',
  'decide/index': 'src/decide/index.ts',
  'journeys/index': 'src/journeys/index.ts',
  'adapters/memory/index': 'src/adapters/memory/index.ts',
  'adapters/redis/index': 'src/adapters/redis/index.ts',
  'adapters/postgres/index': 'src/adapters/postgres/index.ts',
  'adapters/duckdb/index': 'src/adapters/duckdb/index.ts',
  'adapters/otel/index': 'src/adapters/otel/index.ts',
  'testing/index': 'src/testing/index.ts',
};

export default defineConfig({
  entry: entries,
  format: ['esm', 'cjs'],
  dts: true,
  clean: true,
  // Maps for stack traces, without a copy of every source file inside them (they were 2.7 MB of the install).
  sourcemap: true,
  esbuildOptions(options) {
    options.sourcesContent = false;
  },
  // Code shared by several entries goes to chunks, so `crosschannel/consent` loads only what it imports.
  splitting: true,
  treeshake: true,
  target: 'node20',
  platform: 'neutral',
  external: [/^node:/, 'ioredis', 'pg', '@duckdb/node-api', 'zod', 'jstat', '@date-fns/tz', 'lru-cache', 'libphonenumber-js', 'vitest'],
  outDir: 'dist',
});
