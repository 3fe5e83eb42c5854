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
  index: 200_750, // 182_347
  identity: 34_750, // 31_369
  consent: 28_250, // 25_554
  capping: 22_250, // 20_057
  segments: 37_000, // 33_512
  arbitration: 27_250, // 24_743
  attribution: 30_000, // 27_203
  experiments: 47_250, // 42_730
  timing: 30_250, // 27_388
  insights: 43_000, // 38_966
  decide: 55_500, // 50_339
  journeys: 47_500, // 43_038
  'adapters/memory': 44_750, // 40_488
  'adapters/redis': 32_500, // 29_452
  'adapters/postgres': 35_250, // 31_835
  'adapters/duckdb': 1_500, // 1_270
  'adapters/otel': 1_500, // 1_235
  testing: 47_500, // 43_080
  'consent: TCF decode + check': 7_500, // 6_674
  'core: calendar windows': 2_750, // 2_396
};
