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
  index: 201_250, // 182_762
  identity: 33_250, // 30_081
  consent: 27_250, // 24_599
  capping: 20_750, // 18_753
  segments: 36_250, // 32_942
  arbitration: 26_500, // 24_048
  attribution: 28_750, // 26_082
  experiments: 46_000, // 41_807
  timing: 28_000, // 25_252
  insights: 41_500, // 37_575
  decide: 55_500, // 50_437
  journeys: 47_500, // 42_981
  'adapters/memory': 44_250, // 40_090
  'adapters/redis': 31_000, // 28_148
  'adapters/postgres': 34_250, // 30_933
  'adapters/duckdb': 1_500, // 1_270
  'adapters/otel': 1_500, // 1_235
  testing: 46_500, // 42_202
  'consent: TCF decode + check': 7_500, // 6_674
  'core: calendar windows': 2_750, // 2_396
};
