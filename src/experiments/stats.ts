import { CrossChannelError, quoted } from '../core/errors.js';
import type { ExperimentErrorCode } from './errors.js';
import { invalidInput } from './check.js';

/**
 * Mergeable statistics of an experiment: per variant, the number of units and, per metric, the sums that every
 * estimate needs (of the metric y and, for CUPED, of the pre-exposure covariate x), each taken from a reference
 * value Ky, Kx of the variant and metric: Σ(y − Ky), Σ(y − Ky)², Σ(x − Kx), Σ(x − Kx)², Σ(x − Kx)(y − Ky).
 * Shards, days or SQL partitions each produce one; {@link mergeExperimentStats} adds them. Plain JSON.
 *
 * The references keep the variances exact when the values are large next to their spread (durations in ms near
 * 6e6, prices near 1e9): raw sums Σy² would cancel to nothing. The package's producers centre each variant and
 * metric on its mean (Ky = ȳ, Kx = x̄, so Σ(y − Ky) ≈ 0 and Σ(y − Ky)² is the sum of squared deviations), which
 * makes the numbers of every producer and of any partition the same. Any references are valid: the analysis and
 * the merge read `shifts`.
 *
 * `moments` is flat: the five sums of variant `v`, metric `m` start at `(v * metricIds.length + m) * 5`; `shifts`
 * holds Ky, Kx at `(v * metricIds.length + m) * 2`. Statistics without `shifts` (written before it existed, or
 * by hand) are raw sums: every reference is 0 — still read, with raw sums' precision.
 *
 * @example
 * ```ts
 * // Raw sums (no shifts): variant a has y = 3, 7; variant b has y = 4.
 * const s: ExperimentStats = { experimentId: 'e', variantIds: ['a', 'b'], metricIds: ['revenue'], units: [2, 1], moments: [10, 58, 0, 0, 0, 4, 16, 0, 0, 0] };
 * // The same, centred on each variant's mean.
 * const c: ExperimentStats = { ...s, moments: [0, 8, 0, 0, 0, 0, 0, 0, 0, 0], shifts: [5, 0, 4, 0] };
 * ```
 */
export interface ExperimentStats {
  readonly experimentId: string;
  readonly variantIds: ReadonlyArray<string>;
  readonly metricIds: ReadonlyArray<string>;
  readonly units: ReadonlyArray<number>;
  readonly moments: ReadonlyArray<number>;
  /** The reference values Ky, Kx of each variant and metric (absent: all 0, raw sums). */
  readonly shifts?: ReadonlyArray<number> | undefined;
}

/** Number of sums kept per variant and metric: Σ(y − Ky), Σ(y − Ky)², Σ(x − Kx), Σ(x − Kx)², Σ(x − Kx)(y − Ky). */
export const MOMENTS = 5;

/**
 * Empty statistics for the given variants and metrics.
 *
 * @example
 * ```ts
 * const s = emptyExperimentStats('subject-line', ['control', 'emoji'], ['converted', 'revenue']);
 * ```
 */
export function emptyExperimentStats(experimentId: string, variantIds: ReadonlyArray<string>, metricIds: ReadonlyArray<string>): ExperimentStats {
  if (typeof experimentId !== 'string' || !Array.isArray(variantIds) || !Array.isArray(metricIds)) {
    throw invalidInput('emptyExperimentStats(id, variantIds[], metricIds[])');
  }
  const cells = variantIds.length * metricIds.length;
  return { experimentId, variantIds: [...variantIds], metricIds: [...metricIds], units: variantIds.map(() => 0), moments: Array<number>(cells * MOMENTS).fill(0), shifts: Array<number>(cells * 2).fill(0) };
}

/**
 * Checks that a value is well-formed statistics (shapes agree, every number finite, counts whole and ≥ 0), e.g.
 * after reading it back from JSON or SQL. Throws `EXPERIMENT_STATS_INVALID` with the path.
 *
 * @example
 * ```ts
 * declare const json: unknown;
 * const stats = checkExperimentStats(json);
 * ```
 */
export function checkExperimentStats(value: unknown): ExperimentStats {
  return statsAt(value, []);
}

/** {@link checkExperimentStats} of a value found at `at` in the caller's input (error paths start there). */
function statsAt(value: unknown, at: ReadonlyArray<number>): ExperimentStats {
  const bad = (message: string, path: ReadonlyArray<string | number>) => new CrossChannelError<ExperimentErrorCode>('EXPERIMENT_STATS_INVALID', message, { path: [...at, ...path] });
  if (typeof value !== 'object' || value === null) throw bad('Statistics must be an object', []);
  const s = value as Partial<ExperimentStats>;
  if (typeof s.experimentId !== 'string') throw bad('experimentId must be a string', ['experimentId']);
  for (const k of ['variantIds', 'metricIds'] as const) {
    const list = s[k];
    if (!Array.isArray(list) || list.some((x) => typeof x !== 'string')) throw bad(`${k} must be an array of strings`, [k]);
  }
  const V = s.variantIds!.length;
  const M = s.metricIds!.length;
  if (!Array.isArray(s.units) || s.units.length !== V) throw bad('one count per variant', ['units']);
  s.units.forEach((u, i) => {
    if (!(Number.isInteger(u) && u >= 0)) throw bad('units must be whole numbers ≥ 0', ['units', i]);
  });
  for (const [k, size, list] of [['moments', MOMENTS, s.moments], ['shifts', 2, s.shifts ?? Array(V * M * 2)]] as const) {
    if (!Array.isArray(list) || list.length !== V * M * size) throw bad(`${k} must hold ${V * M * size} numbers`, [k]);
    list.forEach((x: unknown, i) => {
      if (!Number.isFinite(x)) throw bad(`${k} must be finite numbers`, [k, i]);
      if (size > 2 && i % 5 % 2 && (x as number) < 0) throw bad('a sum of squares is below 0', [k, i]);
    });
  }
  return s as ExperimentStats;
}

/**
 * Adds statistics of the same experiment, variants and metrics (shards, days). Each part's sums are moved to the
 * total's references before they are added (Chan et al.'s pairwise update, with shifts): with a = K − K′,
 * Σ(y − K′) = Σ(y − K) + n·a, Σ(y − K′)² = Σ(y − K)² + a·(2Σ(y − K) + n·a), and likewise for x and the cross
 * product — exact in real arithmetic, and free of cancellation because K′ is near the values: the references are
 * the means of the first part with units in the variant, so one part's statistics come back centred on their
 * means (what the package's producers return). Associative and commutative up to rounding, so any partition of
 * the units gives the same analysis; parts of either form (centred, or raw sums without `shifts`) merge. The sums
 * of a variant with 0 units are ignored.
 *
 * @example
 * ```ts
 * declare const monday: ExperimentStats, tuesday: ExperimentStats;
 * const week = mergeExperimentStats([monday, tuesday]);
 * ```
 */
export function mergeExperimentStats(parts: ReadonlyArray<ExperimentStats>): ExperimentStats {
  if (!Array.isArray(parts) || parts.length === 0) throw invalidInput('mergeExperimentStats takes a non-empty array');
  const first = statsAt(parts[0], [0]);
  const M = first.metricIds.length;
  const out = emptyExperimentStats(first.experimentId, first.variantIds, first.metricIds);
  const units = out.units as number[];
  const moments = out.moments as number[];
  const shifts = out.shifts as number[];
  parts.forEach((part, p) => {
    const s = statsAt(part, [p]);
    if (s.experimentId !== first.experimentId || s.variantIds.join('\u0000') !== first.variantIds.join('\u0000') || s.metricIds.join('\u0000') !== first.metricIds.join('\u0000')) {
      throw new CrossChannelError<ExperimentErrorCode>('EXPERIMENT_STATS_INVALID', 'Not the same experiment as [0]', { path: [p] });
    }
    s.units.forEach((n, v) => {
      for (let i = v * M; n && i < (v + 1) * M; i++) {
        const o = i * MOMENTS;
        const mo = s.moments.slice(o, o + MOMENTS);
        // a = K − K′ for y and x; the first part with units sets K′ to its means.
        const a = [0, 1].map((j) => {
          const k = s.shifts?.[2 * i + j] ?? 0;
          if (!units[v]) shifts[2 * i + j] = k + mo[2 * j]! / n;
          return k - shifts[2 * i + j]!;
        }) as [number, number];
        moments[o + 4]! += mo[4]! + a[1] * mo[0]! + a[0] * mo[2]! + n * a[0] * a[1];
        for (const j of [0, 1]) {
          moments[o + 2 * j]! += mo[2 * j]! + n * a[j]!;
          moments[o + 2 * j + 1] = Math.max(0, moments[o + 2 * j + 1]! + mo[2 * j + 1]! + a[j]! * (2 * mo[2 * j]! + n * a[j]!));
        }
      }
      units[v]! += n;
    });
  });
  return out;
}

/** Columns of per-unit data for {@link statsFromColumns}: one entry per unit. */
export interface UnitColumns {
  /** Variant index of each unit (into `variantIds`). */
  readonly variant: Int32Array | Uint8Array | Uint16Array | ReadonlyArray<number>;
  /** Per metric, each unit's value. */
  readonly values: ReadonlyArray<Float64Array | ReadonlyArray<number>>;
  /** Per metric, each unit's pre-exposure covariate (CUPED); omit for none. */
  readonly covariates?: ReadonlyArray<Float64Array | ReadonlyArray<number> | null> | undefined;
}

/**
 * Statistics from per-unit columns in two passes per metric (each variant's means, then the sums centred on
 * them: exact whatever the other variants' values) with no per-unit allocation (10 M units with a covariate:
 * about 0.2 s). A NaN or infinite value, or a variant index out of range, throws with the unit's index.
 *
 * @example
 * ```ts
 * const s = statsFromColumns('e', ['a', 'b'], ['revenue'], { variant: new Uint8Array([0, 1, 1]), values: [new Float64Array([0, 12.5, 3])] });
 * ```
 */
export function statsFromColumns(experimentId: string, variantIds: ReadonlyArray<string>, metricIds: ReadonlyArray<string>, columns: UnitColumns): ExperimentStats {
  const out = emptyExperimentStats(experimentId, variantIds, metricIds);
  const units = out.units as number[];
  const moments = out.moments as number[];
  const V = variantIds.length;
  const M = metricIds.length;
  const variant = columns?.variant;
  if (variant === undefined || typeof variant.length !== 'number') throw invalidInput('columns.variant must be an array', 'columns', 'variant');
  const n = variant.length;
  if (!Array.isArray(columns.values) || columns.values.length !== M) throw invalidInput('columns.values needs one column per metric', 'columns', 'values');
  for (let i = 0; i < n; i++) {
    const v = variant[i]!;
    if (!(v >= 0 && v < V && Number.isInteger(v))) throw invalidInput(`variant index ${quoted(v)} out of range`, 'columns', 'variant', i);
    units[v]!++;
  }
  for (let m = 0; m < M; m++) {
    const y = columns.values[m]!;
    const x = columns.covariates?.[m] ?? null;
    if (y?.length !== n) throw invalidInput('a column needs one value per unit', 'columns', 'values', m);
    if (x !== null && x.length !== n) throw invalidInput('a column needs one value per unit', 'columns', 'covariates', m);
    // Two passes with no per-unit allocation: each variant's means (Σ y/n, which cannot overflow), then the sums
    // centred on them — the two-pass algorithm per variant, whatever the other variants' values.
    const k = new Float64Array(V * 2);
    for (const pass of [0, 1]) {
      for (let i = 0; i < n; i++) {
        const v = variant[i]!;
        const yi = y[i]! - k[v]! * pass;
        const xi = x ? x[i]! - k[V + v]! * pass : 0;
        if (pass) {
          const o = (v * M + m) * MOMENTS;
          moments[o]! += yi;
          moments[o + 1]! += yi * yi;
          moments[o + 2]! += xi;
          moments[o + 3]! += xi * xi;
          moments[o + 4]! += xi * yi;
        } else {
          // w·0 is 0 for a finite w, NaN for NaN or ±∞.
          if (yi * 0 + xi * 0 !== 0) throw new CrossChannelError<ExperimentErrorCode>('EXPERIMENT_STATS_INVALID', 'A metric value is NaN or infinite', { path: ['columns', yi * 0 === 0 ? 'covariates' : 'values', m, i] });
          k[v]! += yi / units[v]!;
          k[V + v]! += xi / units[v]!;
        }
      }
    }
    for (let v = 0; v < V; v++) (out.shifts as number[]).splice((v * M + m) * 2, 2, k[v]!, k[V + v]!);
  }
  return mergeExperimentStats([out]);
}
