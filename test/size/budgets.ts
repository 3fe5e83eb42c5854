/**
 * Size budgets, min + gzip bytes per entry, as an app bundles it (see scripts/size.ts). Each is the measured
 * size (in the comment) plus about 10% headroom: growth past it fails the build, so it is noticed and either
 * trimmed or the budget raised on purpose in review. Re-measure with `npm run size`.
 *
 * Every schema is built with zod's tree-shakable `zod/mini` (≈ 10 kB min+gzip of zod per entry; the classic
 * `zod` import cost ≈ 92 kB in each, so entries were 106–146 kB before). What remains above 25 kB is the
 * module's own code (decide and journeys embed the modules they compose; experiments embeds jStat's 51 kB
 * minified distributions); the focused imports show what a narrow use costs.
 */
export const SIZE_BUDGETS: Readonly<Record<string, number>> = {
  index: 199_000, // 180_741
  identity: 35_500, // 32_228
  consent: 30_000, // 27_099
  capping: 23_750, // 21_410
  segments: 43_250, // 39_175
  arbitration: 29_000, // 26_217
  attribution: 31_750, // 28_683
  experiments: 48_750, // 44_204
  timing: 31_750, // 28_780
  insights: 44_500, // 40_284
  decide: 57_000, // 51_656
  journeys: 49_000, // 44_349
  'adapters/memory': 46_000, // 41_791
  'adapters/redis': 34_000, // 30_817
  'adapters/postgres': 36_750, // 33_284
  'adapters/duckdb': 1_500, // 1_271
  'adapters/otel': 1_500, // 1_235
  testing: 49_000, // 44_383
  'consent: TCF decode + check': 7_500, // 6_674
  'core: calendar windows': 4_250, // 3_733
};
