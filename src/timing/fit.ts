import { inputError } from '../core/errors.js';
import { TimingModel, type TimingFit } from './model.js';
import { addBinomialUnit, addUnit, concentrationOf, type MomentSums } from './shrinkage.js';
import { HOURS_PER_WEEK as H } from './week.js';

/**
 * Re-estimates the model's concentrations (empirical Bayes, method of moments — see `concentrationOf`) from
 * everything it holds, stores them on the model and returns them: one for the hours of the week at the person
 * level (people around their segment) and one at the segment level (segments around the population), and the
 * same two per channel for response and conversion rates. One pass over the people; call it after a batch of
 * updates (counts are live without it, only the concentrations wait). Predictions on a model never fitted
 * call it first.
 *
 * @example
 * ```ts
 * declare const model: TimingModel;
 * const fit = refit(model);
 * console.log(fit.hours.person, fit.response.person[0]);
 * ```
 */
export function refit(model: TimingModel): TimingFit {
  checkModel(model);
  const C = model.channels.length;
  const S = model.segments.length;
  const fixed = model.options.fixedConcentration;
  const fallback = model.options.fallbackConcentration;
  const pop = populationHours(model);

  // Hours, segment level.
  const segSums = sums();
  const popQ = 1 - squareSum(pop, 0);
  for (let s = 1; s < S; s++) {
    const n = segmentTotal(model, s);
    addUnit(segSums, n, squaredDeviation(model.segmentHours, s * H, n, pop, 0, 1 - popQ), popQ);
  }
  const hoursSegment = fixed ? fixed.hours : concentrationOf(segSums, fallback.hours);
  const segMeans = new Float64Array(S * H);
  const segQ = new Float64Array(S);
  for (let s = 0; s < S; s++) {
    segmentMean(model, s, pop, hoursSegment, segMeans, s * H);
    segQ[s] = 1 - squareSum(segMeans, s * H);
  }

  // Channel rates, population and segment levels.
  const resp = rateLevels(model, RESPONDED, fixed?.channels, fallback.channels);
  const conv = rateLevels(model, CONVERTED, fixed?.channels, fallback.channels);

  // Person level: one pass.
  const hourSums = sums();
  const respSums = Array.from({ length: C }, sums);
  const convSums = Array.from({ length: C }, sums);
  for (let r = 0; r < model.ids.length; r++) {
    const s = model.segmentOf[r]!;
    const n = model.totals[r]!;
    if (n >= 2) addUnit(hourSums, n, squaredDeviation(model.hours, r * H, n, segMeans, s * H, 1 - segQ[s]!), segQ[s]!);
    for (let ch = 0; ch < C; ch++) {
      const o = (r * C + ch) * 3;
      const sent = model.counters[o]!;
      if (sent < 2) continue;
      addBinomialUnit(respSums[ch]!, model.counters[o + RESPONDED]!, sent, resp.segmentRate[s * C + ch]!);
      addBinomialUnit(convSums[ch]!, model.counters[o + CONVERTED]!, sent, conv.segmentRate[s * C + ch]!);
    }
  }
  const fit: TimingFit = {
    hours: { person: fixed ? fixed.hours : concentrationOf(hourSums, fallback.hours), segment: hoursSegment },
    response: { person: Float64Array.from(respSums, (x) => (fixed ? fixed.channels : concentrationOf(x, fallback.channels))), segment: resp.segment },
    conversion: { person: Float64Array.from(convSums, (x) => (fixed ? fixed.channels : concentrationOf(x, fallback.channels))), segment: conv.segment },
  };
  model.fit = fit;
  return fit;
}

/**
 * A person's probability distribution of responding over the 168 local hours of the week (index
 * `weekday * 24 + hour`, Sunday = 0), their own first responses shrunk towards their segment's distribution,
 * itself shrunk towards the population's (a uniform pseudo-count keeps every hour above 0). A person the model
 * does not hold, or with no response yet, gets the prior-only answer: the segment's (or population's)
 * distribution. Sums to 1; never NaN.
 *
 * @example
 * ```ts
 * declare const model: TimingModel;
 * const p = hourProfile(model, 'p1');
 * const best = p.indexOf(Math.max(...p)); // e.g. 1 * 24 + 19: Monday 19:00
 * ```
 */
export function hourProfile(model: TimingModel, subjectId: string, out: Float64Array = new Float64Array(H)): Float64Array {
  checkModel(model);
  checkSubject(subjectId);
  if (!(out instanceof Float64Array) || out.length < H) throw inputError('out must be a Float64Array of at least 168 numbers', ['out']);
  const fit = model.fit ?? refit(model);
  const row = model.index.get(subjectId);
  const s = row === undefined ? 0 : model.segmentOf[row]!;
  // The population's hours, then (in place) the segment's mean shrunk towards them: no scratch array per call.
  populationHoursInto(model, out);
  if (s !== 0) {
    const alpha = fit.hours.segment;
    const n = segmentTotal(model, s);
    for (let h = 0; h < H; h++) out[h] = (model.segmentHours[s * H + h]! + alpha * out[h]!) / (n + alpha);
  }
  if (row === undefined) return out;
  const n = model.totals[row]!;
  if (n === 0) return out;
  const a = fit.hours.person;
  const base = row * H;
  for (let h = 0; h < H; h++) out[h] = (model.hours[base + h]! + a * out[h]!) / (n + a);
  return out;
}

/**
 * A person's learned channel affinity: counts and shrunk probabilities that a contact on the channel gets a
 * response, and a conversion (beta-binomial, person → segment → population). `priorOnly` when the person has
 * no contact on that channel in the model.
 *
 * @example
 * ```ts
 * const a: ChannelAffinity = { channel: 'sms', contacts: 4, responses: 3, conversions: 1, responseRate: 0.41, conversionRate: 0.08, priorOnly: false };
 * ```
 */
export interface ChannelAffinity {
  readonly channel: string;
  readonly contacts: number;
  readonly responses: number;
  readonly conversions: number;
  readonly responseRate: number;
  readonly conversionRate: number;
  readonly priorOnly: boolean;
}

/**
 * The person's {@link ChannelAffinity} on `channel` (`TIMING_UNKNOWN_CHANNEL` for a channel the model lacks).
 *
 * @example
 * ```ts
 * declare const model: TimingModel;
 * channelAffinity(model, 'p1', 'email').responseRate; // e.g. 0.23
 * ```
 */
export function channelAffinity(model: TimingModel, subjectId: string, channel: string): ChannelAffinity {
  checkModel(model);
  checkSubject(subjectId);
  const ch = model.channelOf(channel);
  const fit = model.fit ?? refit(model);
  const C = model.channels.length;
  const row = model.index.get(subjectId);
  const s = row === undefined ? 0 : model.segmentOf[row]!;
  const o = row === undefined ? -1 : (row * C + ch) * 3;
  const sent = o < 0 ? 0 : model.counters[o]!;
  const responded = o < 0 ? 0 : model.counters[o + RESPONDED]!;
  const converted = o < 0 ? 0 : model.counters[o + CONVERTED]!;
  return {
    channel,
    contacts: sent,
    responses: responded,
    conversions: converted,
    responseRate: shrunkRate(model, ch, s, sent, RESPONDED, fit.response.segment[ch]!, fit.response.person[ch]!, responded),
    conversionRate: shrunkRate(model, ch, s, sent, CONVERTED, fit.conversion.segment[ch]!, fit.conversion.person[ch]!, converted),
    priorOnly: sent === 0,
  };
}

const RESPONDED = 1;
const CONVERTED = 2;

/** A person's rate of counter `k` on channel `ch`: their counts shrunk towards their segment's, the segment's towards the population's. */
function shrunkRate(model: TimingModel, ch: number, s: number, sent: number, k: number, aSeg: number, aPerson: number, x: number): number {
  const C = model.channels.length;
  const p = popRate(model, ch, k);
  const so = (s * C + ch) * 3;
  const ps = s === 0 ? p : (model.segmentCounters[so + k]! + aSeg * p) / (model.segmentCounters[so]! + aSeg);
  return (x + aPerson * ps) / (sent + aPerson);
}

/** @internal Throws `INPUT_INVALID` unless `model` is a TimingModel (plain JS callers). */
export function checkModel(model: unknown): asserts model is TimingModel {
  if (!(model instanceof TimingModel)) throw inputError('Expected a TimingModel', ['model']);
}

/** @internal Throws `INPUT_INVALID` unless `subjectId` is a non-empty string. */
export function checkSubject(subjectId: unknown): void {
  if (typeof subjectId !== 'string' || subjectId.length === 0) throw inputError('subjectId must be a non-empty string', ['subjectId']);
}

function populationHours(model: TimingModel): Float64Array {
  return populationHoursInto(model, new Float64Array(H));
}

function populationHoursInto(model: TimingModel, out: Float64Array): Float64Array {
  let total = 0;
  for (let h = 0; h < H; h++) total += model.populationHours[h]!;
  for (let h = 0; h < H; h++) out[h] = (model.populationHours[h]! + 1) / (total + H);
  return out;
}

function segmentTotal(model: TimingModel, s: number): number {
  let n = 0;
  for (let h = 0; h < H; h++) n += model.segmentHours[s * H + h]!;
  return n;
}

function segmentMean(model: TimingModel, s: number, pop: Float64Array, alpha: number, out: Float64Array, at: number): void {
  if (s === 0) {
    out.set(pop, at);
    return;
  }
  const n = segmentTotal(model, s);
  for (let h = 0; h < H; h++) out[at + h] = (model.segmentHours[s * H + h]! + alpha * pop[h]!) / (n + alpha);
}

function sums(): MomentSums {
  return { units: 0, squares: 0, expected: 0, pairs: 0 };
}

function squareSum(p: Float64Array, at: number): number {
  let s = 0;
  for (let h = 0; h < H; h++) s += p[at + h]! * p[at + h]!;
  return s;
}

/** Σ (x − nπ)² = Σ x² − 2n Σ xπ + n² Σ π² (only non-zero counts cost anything). */
function squaredDeviation(counts: ArrayLike<number>, at: number, n: number, mean: Float64Array, meanAt: number, meanSquares: number): number {
  let xx = 0;
  let xp = 0;
  for (let h = 0; h < H; h++) {
    const x = counts[at + h]!;
    if (x !== 0) {
      xx += x * x;
      xp += x * mean[meanAt + h]!;
    }
  }
  return xx - 2 * n * xp + n * n * meanSquares;
}

function popRate(model: TimingModel, ch: number, k: number): number {
  return (model.populationCounters[ch * 3 + k]! + 1) / (model.populationCounters[ch * 3]! + 2);
}

function rateLevels(model: TimingModel, k: number, fixed: number | undefined, fallback: number): { segment: Float64Array; segmentRate: Float64Array } {
  const C = model.channels.length;
  const S = model.segments.length;
  const segment = new Float64Array(C);
  const segmentRate = new Float64Array(S * C);
  for (let ch = 0; ch < C; ch++) {
    const p = popRate(model, ch, k);
    const acc = sums();
    for (let s = 1; s < S; s++) {
      const so = (s * C + ch) * 3;
      addBinomialUnit(acc, model.segmentCounters[so + k]!, model.segmentCounters[so]!, p);
    }
    const a = fixed ?? concentrationOf(acc, fallback);
    segment[ch] = a;
    segmentRate[ch] = p;
    for (let s = 1; s < S; s++) {
      const so = (s * C + ch) * 3;
      segmentRate[s * C + ch] = (model.segmentCounters[so + k]! + a * p) / (model.segmentCounters[so]! + a);
    }
  }
  return { segment, segmentRate };
}
