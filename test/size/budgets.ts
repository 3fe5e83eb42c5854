/**
 * Size budgets, min + gzip bytes per entry, as an app bundles it (see scripts/size.ts). Each is the measured
 * size (in the comment) plus about 20% headroom: growth past it fails the build, so it is noticed and either
 * trimmed or the budget raised on purpose in review. Re-measure with `npm run size`.
 *
 * Most of every module entry is zod (≈440 kB minified, ≈95 kB gzipped, not tree-shaken by the classic
 * `zod` import); the focused imports show what a narrow use costs.
 */
export const SIZE_BUDGETS: Readonly<Record<string, number>> = {
  index: 314_000, // 261_627 (libphonenumber-js no longer bundled: the app passes it to identity for phones)
  identity: 145_000, // 120_776 (without libphonenumber-js, an optional peer the app passes in for phones)
  consent: 131_000, // 108_506
  capping: 129_000, // 107_269
  segments: 138_000, // 114_211
  arbitration: 136_000, // 112_851
  attribution: 130_000, // 107_890
  experiments: 154_000, // 128_012
  timing: 135_000, // 112_200
  insights: 148_000, // 123_400
  decide: 162_000, // 134_167
  journeys: 152_000, // 126_300
  'adapters/memory': 150_000, // 124_330
  'adapters/redis': 134_000, // 111_016
  'adapters/postgres': 147_000, // 122_350
  'adapters/duckdb': 2_000, // 1_024
  'adapters/otel': 1_500, // 0.9 kB
  testing: 159_000, // 132_303
  'consent: TCF decode + check': 7_000, // 5_103
  'core: calendar windows': 10_000, // 8_253
};
