import { join } from 'node:path';
import { defineConfig } from 'tsup';
import type { Plugin } from 'esbuild';

/**
 * The optional peer libphonenumber-js is found by `src/identity/phone-lib.ts` through Node's `require` reached
 * from `import.meta.url` (no import, no top-level await), which a CommonJS file does not have: the CJS build
 * resolves that module to `phone-lib.cjs.ts` (a guarded plain `require`). tsup builds both formats as ES modules
 * first, so the format is passed through `define`.
 */
const phoneLibVariant: Plugin = {
  name: 'phone-lib-variant',
  setup(build) {
    if (build.initialOptions.define?.['__CROSSCHANNEL_FORMAT__'] !== '"cjs"') return;
    build.onResolve({ filter: /[\\/]phone-lib\.js$/ }, (args) => ({ path: join(args.resolveDir, 'phone-lib.cjs.ts') }));
  },
};

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
  // No source maps in the package: without the sources (not shipped) they only named src lines, for 2.1 MB of the
  // install (the install budget for the pure modules is 15 MB; test/package/consumer.test.ts measures it). The
  // shipped code is readable, unminified ES2022.
  sourcemap: false,
  esbuildOptions(options, { format }) {
    options.sourcesContent = false;
    options.define = { ...options.define, __CROSSCHANNEL_FORMAT__: JSON.stringify(format) };
  },
  esbuildPlugins: [phoneLibVariant],
  // Code shared by several entries goes to chunks, so `crosschannel/consent` loads only what it imports.
  splitting: true,
  treeshake: true,
  target: 'node20',
  platform: 'neutral',
  external: [/^node:/, 'ioredis', 'pg', '@duckdb/node-api', 'zod', 'lru-cache', 'libphonenumber-js', 'vitest'],
  outDir: 'dist',
});
