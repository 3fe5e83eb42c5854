/**
 * Expectation–maximisation for Fellegi–Sunter m/u probabilities and the match prior, over the comparison
 * vectors of the candidate pairs. Identical vectors are aggregated first, so each iteration costs the number of
 * distinct patterns, not the number of pairs. u is estimated from a seeded random sample of pairs (nearly all
 * non-matches) and kept fixed: among blocked pairs the non-matches agree on the blocking fields by
 * construction, so an EM estimate of u there would be degenerate (the approach Splink takes too).
 */
import { progressCounter, type ProgressOptions } from '../core/progress.js';
import { expectArray, expectFinite, expectObject, expectObjects, expectOptions } from '../core/guards.js';
import { inputError } from '../core/errors.js';
import { uniformRng } from '../core/random.js';
import { internals, type MatchModel, type MatchRecord } from './match.js';

/**
 * Options of {@link estimateMatchParameters}.
 *
 * @example
 * ```ts
 * const options: EstimateOptions = { maxIterations: 100, tolerance: 1e-5, uSamplePairs: 20_000, seed: 42 };
 * ```
 */
export interface EstimateOptions extends ProgressOptions {
  readonly maxIterations?: number;
  /** Stop when no probability moves by more than this. */
  readonly tolerance?: number;
  /** Random pairs sampled to initialise u. */
  readonly uSamplePairs?: number;
  readonly seed?: number;
}

/**
 * Estimated parameters and the model that uses them.
 *
 * @example
 * ```ts
 * declare const records: MatchRecord[];
 * declare const base: MatchModel;
 * const est: EstimatedParameters = estimateMatchParameters(records, base, { seed: 7 });
 * if (!est.converged) console.warn(`EM stopped after ${est.iterations} iterations`);
 * ```
 */
export interface EstimatedParameters {
  readonly model: MatchModel;
  readonly m: Readonly<Record<string, ReadonlyArray<number>>>;
  readonly u: Readonly<Record<string, ReadonlyArray<number>>>;
  readonly lambda: number;
  readonly iterations: number;
  readonly converged: boolean;
  readonly pairs: number;
}

const FLOOR = 1e-6;

/**
 * Estimates u from random pairs, then m and the match prior λ by EM on the candidate pairs of `records` and returns a model using them.
 *
 * @example
 * ```ts
 * const records: MatchRecord[] = [
 *   { id: 'a', values: { name: 'jon smith', dob: '1980-02-01' } },
 *   { id: 'b', values: { name: 'john smith', dob: '1980-02-01' } },
 *   { id: 'c', values: { name: 'mary jones', dob: '1975-06-30' } },
 * ];
 * const base = parseMatchModel({ fields: [{ name: 'name', comparison: { kind: 'jaroWinkler' } }, { name: 'dob', comparison: { kind: 'date' } }], blocking: [['dob']] });
 * const { model, lambda } = estimateMatchParameters(records, base, { seed: 7 });
 * const { matches } = matchRecords(records, model);
 * ```
 */
export function estimateMatchParameters(records: ReadonlyArray<MatchRecord>, base: MatchModel, options: EstimateOptions = {}): EstimatedParameters {
  expectArray(records, ['records']);
  expectObjects(records, ['records']);
  expectObject(base, ['base']);
  expectArray((base as { fields?: unknown }).fields, ['base', 'fields']);
  expectOptions(options, ['options']);
  // Loop bounds (a huge one would run for hours) and numbers compared inside the loops.
  for (const [k, max] of [['maxIterations', 1e6], ['uSamplePairs', 1e8]] as const) {
    const v = options[k];
    if (v !== undefined && !(Number.isSafeInteger(v) && v >= 0 && v <= max)) throw inputError(`${k} must be an integer in 0..${max}`, ['options', k]);
  }
  if (options.tolerance !== undefined) expectFinite(options.tolerance, ['options', 'tolerance']);
  if (options.seed !== undefined && typeof options.seed !== 'number' && typeof options.seed !== 'string') expectFinite(options.seed, ['options', 'seed']);
  const tracker = progressCounter(options, ['options']);
  const maxIterations = options.maxIterations ?? 50;
  const tolerance = options.tolerance ?? 1e-5;
  const F = base.fields.length;
  const p = internals.prepare(records, base, internals.blockingFields(base), ['records']);
  const u = base.fields.map((f) => Float64Array.from(f.u));
  initialiseU(u, base, p, records.length, options);
  // One EM session per blocking rule; a field the rule blocks on agrees by construction there, so it is left
  // out of that session and its m comes from the other sessions (averaged, weighted by pairs).
  const mSum = base.fields.map((f) => new Float64Array(f.labels.length));
  const mWeight = new Float64Array(F);
  let iterations = 0;
  let converged = true;
  for (const rule of base.source.blocking) {
    const blocked = new Set(rule.map((k) => (typeof k === 'string' ? k : k.field)));
    const active = base.fields.map((f) => !blocked.has(f.name));
    const session = patternsOf({ ...base, source: { ...base.source, blocking: [rule] } }, p);
    if (session.total === 0) continue;
    const m = base.fields.map((f) => Float64Array.from(f.m));
    const r = runEm(session, m, u, active, base.lambda, true, maxIterations, tolerance);
    iterations += r.iterations;
    tracker?.advance(r.iterations);
    converged &&= r.converged;
    for (let f = 0; f < F; f++) {
      if (!active[f]) continue;
      for (let l = 0; l < m[f]!.length; l++) mSum[f]![l]! += m[f]![l]! * session.total;
      mWeight[f]! += session.total;
    }
  }
  const m = base.fields.map((f, i) => (mWeight[i]! > 0 ? mSum[i]!.map((x) => x / mWeight[i]!) : Float64Array.from(f.m)));
  // The prior among all candidate pairs, with m and u now fixed.
  const all = patternsOf(base, p);
  const final = runEm(all, m, u, base.fields.map(() => true), base.lambda, false, maxIterations, tolerance);
  tracker?.advance(final.iterations);
  tracker?.end();
  // Scores add every field's Bayes factor, the blocking fields' included, so the prior must be the share of
  // matches among *all* record pairs; the share among candidate pairs would count the blocking evidence twice.
  const allPairs = (records.length * (records.length - 1)) / 2;
  const lambda = clamp((final.lambda * all.total) / Math.max(1, allPairs));
  const fields = base.fields.map((f, i) => internals.withParams(f, m[i]!, u[i]!));
  const model: MatchModel = { ...base, fields, lambda };
  return {
    model,
    m: Object.fromEntries(base.fields.map((f, i) => [f.name, [...m[i]!]])),
    u: Object.fromEntries(base.fields.map((f, i) => [f.name, [...u[i]!]])),
    lambda,
    iterations: iterations + final.iterations,
    converged: converged && final.converged,
    pairs: all.total,
  };
}

interface Patterns {
  /** Per distinct vector, level + 1 of each field as a character code. */
  levels: string[];
  counts: number[];
  total: number;
}

/** Distinct comparison vectors of a model's candidate pairs, with their counts. */
function patternsOf(model: MatchModel, p: ReturnType<typeof internals.prepare>): Patterns {
  const F = model.fields.length;
  const pairs = internals.candidatePairs(p, model);
  // Each vector as text, one character per field: level + 1 (0 = missing). A base-16 number merged vectors
  // past 2^53 (14 fields) and carried a level of 16 or more into the next field.
  const patterns = new Map<string, number>();
  for (let k = 0; k < pairs.a.length; k++) {
    let key = '';
    for (let f = 0; f < F; f++) key += String.fromCharCode(internals.levelOf(model.fields[f]!, f, p, pairs.a[k]!, pairs.b[k]!) + 1);
    patterns.set(key, (patterns.get(key) ?? 0) + 1);
  }
  const levels = [...patterns.keys()];
  const counts = [...patterns.values()];
  return { levels, counts, total: pairs.a.length };
}

/** EM over aggregated patterns; updates `m` in place (when `updateM`) and returns λ. */
function runEm(
  pt: Patterns,
  m: Float64Array[],
  u: Float64Array[],
  active: boolean[],
  lambda0: number,
  updateM: boolean,
  maxIterations: number,
  tolerance: number,
): { lambda: number; iterations: number; converged: boolean } {
  const F = m.length;
  let lambda = lambda0;
  let iterations = 0;
  while (iterations < maxIterations) {
    iterations++;
    const mNum = m.map((x) => new Float64Array(x.length));
    let gSum = 0;
    for (let k = 0; k < pt.levels.length; k++) {
      const lv = pt.levels[k]!;
      let pm = lambda;
      let pu = 1 - lambda;
      for (let f = 0; f < F; f++) {
        const l = lv.charCodeAt(f) - 1;
        if (l < 0 || !active[f]) continue;
        pm *= m[f]![l]!;
        pu *= u[f]![l]!;
      }
      const g = pm / (pm + pu);
      const c = pt.counts[k]!;
      gSum += c * g;
      if (!updateM) continue;
      for (let f = 0; f < F; f++) {
        const l = lv.charCodeAt(f) - 1;
        if (l >= 0 && active[f]) mNum[f]![l]! += c * g;
      }
    }
    const next = clamp(gSum / pt.total);
    let delta = Math.abs(next - lambda);
    lambda = next;
    if (updateM) for (let f = 0; f < F; f++) if (active[f]) delta = Math.max(delta, normaliseInto(m[f]!, mNum[f]!));
    if (delta < tolerance) return { lambda, iterations, converged: true };
  }
  return { lambda, iterations, converged: false };
}

function initialiseU(u: Float64Array[], base: MatchModel, p: ReturnType<typeof internals.prepare>, n: number, options: EstimateOptions): void {
  if (n < 2) return;
  const rng = uniformRng(options.seed ?? 1);
  const samples = options.uSamplePairs ?? 20_000;
  for (let f = 0; f < base.fields.length; f++) {
    const field = base.fields[f]!;
    const counts = new Float64Array(field.labels.length).fill(1); // Laplace smoothing
    for (let s = 0; s < samples; s++) {
      const i = rng.int(n);
      let j = rng.int(n - 1);
      if (j >= i) j++;
      const l = internals.levelOf(field, f, p, i, j);
      if (l >= 0) counts[l]!++;
    }
    normaliseInto(u[f]!, counts);
  }
}

function clamp(x: number): number {
  return Math.min(1 - FLOOR, Math.max(FLOOR, x));
}

/** Writes counts/Σcounts into `target` (floored), returning the largest change. */
function normaliseInto(target: Float64Array, counts: Float64Array): number {
  let sum = 0;
  for (let l = 0; l < counts.length; l++) sum += counts[l]!;
  if (sum <= 0) return 0;
  let delta = 0;
  for (let l = 0; l < counts.length; l++) {
    const v = clamp(counts[l]! / sum);
    delta = Math.max(delta, Math.abs(v - target[l]!));
    target[l] = v;
  }
  return delta;
}
