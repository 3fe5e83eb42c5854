import { defineConfig } from 'tsup';

/**
 * The `crosschannel` command line (package.json "bin"): one ES module for Node, built after the library (whose
 * build cleans dist/). Not a package entry: importing it runs the command line.
 */
export default defineConfig({
  entry: { crosschannel: 'src/cli/bin.ts' },
  format: ['esm'],
  outDir: 'dist/cli',
  clean: false,
  dts: false,
  sourcemap: false,
  splitting: false,
  target: 'node20',
  platform: 'node',
  banner: { js: '#!/usr/bin/env node' },
  external: ['zod', 'jstat', 'lru-cache', 'libphonenumber-js', 'ioredis', 'pg', '@duckdb/node-api'],
});
