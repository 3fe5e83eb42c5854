/**
 * Size budgets, min + gzip bytes per entry, as an app bundles it (see scripts/size.ts). Each is the measured
 * size plus roughly 20% headroom: growth past it fails the build, so it is noticed and either trimmed or the
 * budget raised on purpose in review. Re-measure with `npm run size`.
 */
export const SIZE_BUDGETS: Readonly<Record<string, number>> = {
  index: 130_000,
  identity: 80_000,
  consent: 80_000,
  capping: 80_000,
  segments: 80_000,
  arbitration: 80_000,
  attribution: 80_000,
  decide: 130_000,
  'adapters/memory': 80_000,
  'adapters/redis': 20_000,
  'adapters/postgres': 20_000,
  testing: 20_000,
  'consent: TCF decode + check': 8_000,
  'core: calendar windows': 10_000,
};
