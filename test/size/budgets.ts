/**
 * Size budgets, min + gzip bytes per entry, as an app bundles it (see scripts/size.ts). Each is the measured size
 * (in the comment) plus about 5% headroom; an entry that meets the 25 kB (25,000 B) target has exactly that target
 * as its budget (the root entry, the shared core only, against its 40 kB target): growth past it fails the build, so it is noticed and
 * either trimmed or the budget raised on purpose in review. Re-measure with `npm run size`.
 *
 * Every schema is built with zod's tree-shakable `zod/mini` (≈ 10 kB min+gzip of zod per entry; the classic `zod`
 * import cost ≈ 92 kB in each, so entries were 106–146 kB before). Module-level schemas are pure IIFEs
 * (scripts/pure-schemas.ts), so an entry carries only the schemas it uses; the package's parsers word issues with
 * a trimmed port of zod's English locale (src/core/zod.ts); segments ships its JSON Schema pre-generated
 * (scripts/json-schemas.ts) rather than zod's converter; refinements, superRefines and custom checks are plain zod
 * checks (`refineCheck` / `issuesCheck` / `customSchema`, src/core/zod.ts), so no entry carries zod's custom type or
 * superRefine wrapper; discriminated unions,
 * the two tuples and events' JSON properties are checked by hand with zod's own issues (`discriminated`, `arrayOf` /
 * `tupleItem`, src/core/zod.ts; `jsonObjectSchema`, src/core/schema.ts; each checked against zod's schema by a
 * property), so no module entry carries zod's discriminated-union or tuple type; likewise integers, patterns, enums,
 * literals, booleans, numbers, strings, numeric bounds and lengths (`intSchema`, `regexCheck`, `enumSchema`, `literalSchema`,
 * `booleanSchema`, `numberSchema`, `stringSchema`, `gteCheck` / `gtCheck` / `lteCheck` / `ltCheck`, `minLengthCheck` /
 * `maxLengthCheck`: the same issues and JSON Schema as zod's, by properties; 0.8–1.1 kB min+gzip less in every entry;
 * zod's string type stays in the entries that use `z.record`, whose one-argument form makes a `z.string()`). What remains above 25
 * kB is the module's own code (identity and segments; decide and journeys embed the modules they compose).
 * experiments went under 25 kB when its distributions moved from jStat (51 kB minified, 18 kB min+gzip, not
 * tree-shakable) to src/core/special.ts (≈ 1.25 kB with its wrappers); the focused imports show what a narrow use costs.
 */
export const SIZE_BUDGETS: Readonly<Record<string, number>> = {
  index: 26_000, // 22_765 (22_924 before zod's number and string became hand types; 23_143 before zod's bounds and lengths became hand checks; 23_514 before zod's int, regex, enum, literal and boolean did, src/core/zod.ts; the shared core only; the 40 kB target)
  identity: 31_750, // 29_990 (30_036 before zod's number and string became hand types; 30_286 before zod's bounds and lengths became hand checks; 30_935 before zod's int, regex, enum, literal and boolean did, src/core/zod.ts)
  consent: 25_000, // 24_123 (24_155 before zod's number and string became hand types; 24_370 before zod's bounds and lengths became hand checks; 24_928 before zod's int, regex, enum, literal and boolean did, src/core/zod.ts; the 25 kB target)
  capping: 25_000, // 17_731 (17_890 before zod's number and string became hand types; 18_121 before zod's bounds and lengths became hand checks; 18_761 before zod's int, regex, enum, literal and boolean did, src/core/zod.ts; the 25 kB target; 18_920 before its duplicate-id check stopped using zod's superRefine)
  segments: 34_250, // 32_318 (32_496 before zod's number and string became hand types; 32_725 before zod's bounds and lengths became hand checks; 33_335 before zod's int, regex, enum, literal and boolean did, src/core/zod.ts; 33_495 before its path check stopped using zod's superRefine)
  arbitration: 25_000, // 23_502 (23_547 before zod's number and string became hand types; 23_767 before zod's bounds and lengths became hand checks; 24_392 before zod's int, regex, enum, literal and boolean did, src/core/zod.ts; the 25 kB target)
  attribution: 25_000, // 24_477 (the 25 kB target; 24_684 before zod's number and string became hand types; 24_879 before zod's bounds and lengths became hand checks; 25_524 before zod's int, regex, enum, literal and boolean did, src/core/zod.ts; +247 when statisticsFromSql's statements became one that computes the journeys once; +12 when the totals SQL read its journeys and lost conversions once; 25_611 before capping's rules, its models and the timing model's JSON stopped using zod's discriminated-union and tuple types: src/core/zod.ts)
  experiments: 25_000, // 23_870 (24_065 before zod's number and string became hand types; 24_269 before zod's bounds and lengths became hand checks; 24_876 before zod's int, regex, enum, literal and boolean did, src/core/zod.ts; the 25 kB target; 41_656 with jStat; 25_000 before events' properties became a hand check, then +96 when exposures of the wrong shape were refused)
  timing: 25_000, // 23_787 (23_987 before zod's number and string became hand types; 24_187 before zod's bounds and lengths became hand checks; 24_783 before zod's int, regex, enum, literal and boolean did, src/core/zod.ts; the 25 kB target; 25_159 before its interval quantile became Newton's method on Marsaglia's series instead of Acklam's coefficient tables, and its object checks core's expectObject; 25_334 before capping's duplicate-id check stopped using zod's superRefine; 25_964 before its model JSON and capping's rules stopped using zod's tuple and discriminated-union types)
  insights: 37_250, // 34_944 (35_084 before zod's number and string became hand types; 35_286 before zod's bounds and lengths became hand checks; 35_885 before zod's int, regex, enum, literal and boolean did, src/core/zod.ts; 36_029 before segments' path check stopped using zod's superRefine)
  decide: 55_000, // 53_155 (53_211 before zod's number and string became hand types; 53_419 before zod's bounds and lengths became hand checks; 54_060 before zod's int, regex, enum, literal and boolean did, src/core/zod.ts; 54_239 before capping's and segments' checks stopped using zod's superRefine; 54_224, then +547 when its request's context and properties got the JSON check bounded in depth, which zod's recursion was not: a RangeError)
  journeys: 45_500, // 43_850 (43_909 before zod's number and string became hand types; 44_137 before zod's bounds and lengths became hand checks; 44_764 before zod's int, regex, enum, literal and boolean did, src/core/zod.ts; −184 without zod's superRefine; 44_947 +92 when ingest handled every journey at once and stopped delivering an input to the instance it started); 44_847 (44_149, then +152 when createJourneyRunner checked its hooks where it is built, +543 when steps' payloads got the JSON check bounded in depth)
  'adapters/memory': 42_000, // 39_934 (39_988 before zod's number and string became hand types; 40_213 before zod's bounds and lengths became hand checks; 40_862 before zod's int, regex, enum, literal and boolean did, src/core/zod.ts; −170 without zod's superRefine; 41_032 +33 when deliver checked its instance id and now); 40_999 (40_655 before the journey store checked enrol plans and completions)
  'adapters/redis': 31_750, // 29_346 (29_529 before zod's number and string became hand types; 29_751 before zod's bounds and lengths became hand checks; 30_391 before zod's int, regex, enum, literal and boolean did, src/core/zod.ts; −164 without zod's superRefine; 30_554 +261 for batched deliveries); 30_293 (28_695 before the journey store's batched claims, enrolments and completions and its Cluster fix)
  'adapters/postgres': 35_000, // 32_653 (32_715 before zod's number and string became hand types; 32_915 before zod's bounds and lengths became hand checks; 33_554 before zod's int, regex, enum, literal and boolean did, src/core/zod.ts; +180 for batched deliveries); 33_374 (32_148 before the journey store's batched enrolments (its PL/pgSQL function) and completions; 31_797 before it checked enrol plans and completions)
  'adapters/duckdb': 1_500, // 1_303
  'adapters/otel': 1_500, // 1_235
  testing: 46_250, // 43_469 (43_538 before zod's number and string became hand types; 43_757 before zod's bounds and lengths became hand checks; 44_396 before zod's int, regex, enum, literal and boolean did, src/core/zod.ts; −166 without zod's superRefine; 44_561 +496 for the conformance cases of one claim completed twice and of deliveries sent together); 44_065 (43_369 before the journey store's cases for enrolments and completions sent together and their argument checks)
  'consent: TCF decode + check': 7_250, // 6_834
  'core: calendar windows': 2_750, // 2_423
  'identity: normalise + audience hash': 3_000, // 2_817
  'consent: ledger check': 13_250, // 12_770 (12_730 before zod's number and string became hand types; 12_893 before zod's bounds and lengths became hand checks; 12_941 before zod's int, regex, enum, literal and boolean did)
  'capping: rules + evaluation': 16_750, // 15_319 (15_509 before zod's number and string became hand types; 15_738 before zod's bounds and lengths became hand checks; 16_313 before zod's int, regex, enum, literal and boolean did; 16_491 before zod's superRefine went)
  'experiments: assignment': 13_750, // 12_641 (12_826 before zod's number and string became hand types; 13_000 before zod's bounds and lengths became hand checks; 13_178 before zod's int, regex, enum, literal and boolean did)
};
