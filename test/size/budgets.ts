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
  identity: 33_500, // 30_440
  consent: 27_500, // 24_971
  capping: 21_250, // 19_110
  segments: 36_750, // 33_338
  arbitration: 27_000, // 24_390
  attribution: 29_250, // 26_482
  experiments: 46_500, // 42_183
  timing: 28_250, // 25_625
  insights: 42_000, // 37_960
  decide: 56_000, // 50_804
  journeys: 47_750, // 43_362
  'adapters/memory': 44_750, // 40_488
  'adapters/redis': 31_500, // 28_515
  'adapters/postgres': 34_500, // 31_282
  'adapters/duckdb': 1_500, // 1_270
  'adapters/otel': 1_500, // 1_235
  testing: 47_000, // 42_579
  'consent: TCF decode + check': 7_500, // 6_674
  'core: calendar windows': 2_750, // 2_396
};
