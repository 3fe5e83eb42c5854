/**
 * Size budgets, min + gzip bytes per entry, as an app bundles it (see scripts/size.ts). Each is the measured
 * size (in the comment) plus about 10% headroom, and never above the 25 kB (25,000 B) target for an entry that
 * meets it: growth past it fails the build, so it is noticed and either trimmed or the budget raised on purpose in
 * review. Re-measure with `npm run size`.
 *
 * Every schema is built with zod's tree-shakable `zod/mini` (≈ 10 kB min+gzip of zod per entry; the classic
 * `zod` import cost ≈ 92 kB in each, so entries were 106–146 kB before). Module-level schemas are pure IIFEs
 * (scripts/pure-schemas.ts), so an entry carries only the schemas it uses; the package's parsers word issues
 * with a trimmed port of zod's English locale (src/core/zod.ts); segments ships its JSON Schema pre-generated
 * (scripts/json-schemas.ts) rather than zod's converter. What remains above 25 kB is the module's own code
 * (identity and segments; decide and journeys embed the modules they compose; experiments embeds
 * jStat's 51 kB minified distributions); the focused imports show what a narrow use costs.
 */
export const SIZE_BUDGETS: Readonly<Record<string, number>> = {
  index: 200_750, // 182_496
  identity: 31_800, // 30_300
  consent: 25_000, // 24_462 (the 25 kB target)
  capping: 20_500, // 18_627
  segments: 36_250, // 32_805
  arbitration: 25_000, // 23_918 (the 25 kB target)
  attribution: 25_000, // 24_963 (the 25 kB target)
  experiments: 46_000, // 41_656
  timing: 25_000, // 24_986 (the 25 kB target)
  insights: 37_450, // 35_663
  decide: 55_500, // 51_024
  journeys: 46_750, // 42_515
  'adapters/memory': 43_750, // 39_592
  'adapters/redis': 31_000, // 27_983
  'adapters/postgres': 33_500, // 30_421
  'adapters/duckdb': 1_500, // 1_270
  'adapters/otel': 1_500, // 1_235
  testing: 46_000, // 41_743
  'consent: TCF decode + check': 7_500, // 6_675
  'core: calendar windows': 2_750, // 2_389
};
