import { CrossChannelError } from '../core/errors.js';
import type { TimingErrorCode } from './errors.js';
import { TimingModel, type TimingFit } from './model.js';
import { addUnit, binomialPearson, concentrationOf, type MomentSums } from './shrinkage.js';
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
  const segSums: MomentSums = { units: 0, pearson: 0, pairs: 0 };
  for (let s = 1; s < S; s++) addUnit(segSums, segmentTotal(model, s), pearsonHours(model.segmentHours, s * H, segmentTotal(model, s), pop, 0));
  const hoursSegment = fixed ? fixed.hours : concentrationOf(segSums, H, fallback.hours);
  const segMeans = new Float64Array(S * H);
  for (let s = 0; s < S; s++) segmentMean(model, s, pop, hoursSegment, segMeans, s * H);

  // Channel rates, population and segment levels.
  const resp = rateLevels(model, RESPONDED, fixed?.channels, fallback.channels);
  const conv = rateLevels(model, CONVERTED, fixed?.channels, fallback.channels);

  // Person level: one pass.
  const hourSums: MomentSums = { units: 0, pearson: 0, pairs: 0 };
  const respSums = Array.from({ length: C }, (): MomentSums => ({ units: 0, pearson: 0, pairs: 0 }));
  const convSums = Array.from({ length: C }, (): MomentSums => ({ units: 0, pearson: 0, pairs: 0 }));
  for (let r = 0; r < model.ids.length; r++) {
    const s = model.segmentOf[r]!;
    const n = model.totals[r]!;
    if (n >= 2) addUnit(hourSums, n, pearsonHours(model.hours, r * H, n, segMeans, s * H));
    for (let ch = 0; ch < C; ch++) {
      const o = (r * C + ch) * 3;
      const sent = model.counters[o]!;
      if (sent < 2) continue;
      addUnit(respSums[ch]!, sent, binomialPearson(model.counters[o + RESPONDED]!, sent, resp.segmentRate[s * C + ch]!));
      addUnit(convSums[ch]!, sent, binomialPearson(model.counters[o + CONVERTED]!, sent, conv.segmentRate[s * C + ch]!));
    }
  }
  const fit: TimingFit = {
    hours: { person: fixed ? fixed.hours : concentrationOf(hourSums, H, fallback.hours), segment: hoursSegment },
    response: { person: Float64Array.from(respSums, (x) => (fixed ? fixed.channels : concentrationOf(x, 2, fallback.channels))), segment: resp.segment },
    conversion: { person: Float64Array.from(convSums, (x) => (fixed ? fixed.channels : concentrationOf(x, 2, fallback.channels))), segment: conv.segment },
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
  const fit = model.fit ?? refit(model);
  const pop = populationHours(model);
  const row = model.index.get(subjectId);
  const s = row === undefined ? 0 : model.segmentOf[row]!;
  segmentMean(model, s, pop, fit.hours.segment, out, 0);
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
  const ch = model.channelOf(channel);
  const fit = model.fit ?? refit(model);
  const C = model.channels.length;
  const row = model.index.get(subjectId);
  const s = row === undefined ? 0 : model.segmentOf[row]!;
  const o = row === undefined ? -1 : (row * C + ch) * 3;
  const sent = o < 0 ? 0 : model.counters[o]!;
  const responded = o < 0 ? 0 : model.counters[o + RESPONDED]!;
  const converted = o < 0 ? 0 : model.counters[o + CONVERTED]!;
  const rate = (k: number, aSeg: number, aPerson: number, x: number): number => {
    const p = popRate(model, ch, k);
    const so = (s * C + ch) * 3;
    const ps = s === 0 ? p : (model.segmentCounters[so + k]! + aSeg * p) / (model.segmentCounters[so]! + aSeg);
    return (x + aPerson * ps) / (sent + aPerson);
  };
  return {
    channel,
    contacts: sent,
    responses: responded,
    conversions: converted,
    responseRate: rate(RESPONDED, fit.response.segment[ch]!, fit.response.person[ch]!, responded),
    conversionRate: rate(CONVERTED, fit.conversion.segment[ch]!, fit.conversion.person[ch]!, converted),
    priorOnly: sent === 0,
  };
}

const RESPONDED = 1;
const CONVERTED = 2;

/** @internal Throws `INPUT_INVALID` unless `model` is a TimingModel (plain JS callers). */
export function checkModel(model: unknown): asserts model is TimingModel {
  if (!(model instanceof TimingModel)) throw new CrossChannelError<TimingErrorCode>('INPUT_INVALID', 'Expected a TimingModel', { path: ['model'] });
}

function populationHours(model: TimingModel): Float64Array {
  const out = new Float64Array(H);
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

/** Pearson statistic Σ (x − nπ)² / (nπ) = Σ x²/π / n − n (only non-zero counts cost anything). */
function pearsonHours(counts: ArrayLike<number>, at: number, n: number, mean: Float64Array, meanAt: number): number {
  if (n < 2) return 0;
  let s = 0;
  for (let h = 0; h < H; h++) {
    const x = counts[at + h]!;
    if (x !== 0) s += (x * x) / mean[meanAt + h]!;
  }
  return s / n - n;
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
    const sums: MomentSums = { units: 0, pearson: 0, pairs: 0 };
    for (let s = 1; s < S; s++) {
      const so = (s * C + ch) * 3;
      addUnit(sums, model.segmentCounters[so]!, binomialPearson(model.segmentCounters[so + k]!, model.segmentCounters[so]!, p));
    }
    const a = fixed ?? concentrationOf(sums, 2, fallback);
    segment[ch] = a;
    segmentRate[ch] = p;
    for (let s = 1; s < S; s++) {
      const so = (s * C + ch) * 3;
      segmentRate[s * C + ch] = (model.segmentCounters[so + k]! + a * p) / (model.segmentCounters[so]! + a);
    }
  }
  return { segment, segmentRate };
}
