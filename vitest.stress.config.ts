import { fileURLToPath } from 'node:url';
import { mergeConfig } from 'vitest/config';
import base from './vitest.config.js';

// `npm run test:stress [-- <paths>]`: the test suite with every fast-check property run FC_RUNS_FACTOR (default 10)
// times its budget from fresh random seeds (test/setup/fc-stress.ts). Slow by design; not part of `npm test`.
export default mergeConfig(base, {
  resolve: { alias: [{ find: /^fast-check$/, replacement: fileURLToPath(new URL('./test/setup/fc-stress.ts', import.meta.url)) }] },
  test: { testTimeout: 1_800_000, hookTimeout: 120_000 },
});
