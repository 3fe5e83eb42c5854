/**
 * fast-check as the stress run sees it (`npm run test:stress`, vitest.stress.config.ts aliases `fast-check` here):
 * the same library, but every `fc.assert` runs `FC_RUNS_FACTOR` times its number of runs (10 by default) from a
 * fresh random seed, so the properties explore inputs the everyday run (fixed budgets, printed seeds) never
 * reaches. A failure prints its seed and path as usual: replay it in the everyday run (`npx vitest run <file>`, which
 * keeps pinned seeds) by giving the property `{ seed, path }`.
 */
import * as real from '../../node_modules/fast-check/lib/fast-check.js';

/** How many times each property's own number of runs the stress run asks for (`FC_RUNS_FACTOR`, default 10). */
export function runsFactor(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env.FC_RUNS_FACTOR;
  if (raw === undefined || raw === '') return 10;
  const factor = Number(raw);
  if (!Number.isFinite(factor) || factor <= 0) throw new Error(`FC_RUNS_FACTOR must be a positive number, got ${JSON.stringify(raw)}`);
  return factor;
}

const factor = runsFactor();

/** `fc.assert` with `numRuns` scaled by {@link runsFactor} and any pinned `seed` / `path` dropped. */
export const assert: typeof real.assert = ((property: Parameters<typeof real.assert>[0], params?: Parameters<typeof real.assert>[1]) => {
  const { seed: _seed, path: _path, ...rest } = (params ?? {}) as NonNullable<Parameters<typeof real.assert>[1]>;
  return real.assert(property, { ...rest, numRuns: Math.max(1, Math.round((rest.numRuns ?? 100) * factor)) } as never);
}) as typeof real.assert;

export * from '../../node_modules/fast-check/lib/fast-check.js';
const fc: typeof real.default = { ...real.default, assert };
export default fc;
