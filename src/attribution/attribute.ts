import { CrossChannelError } from '../core/errors.js';
import type { ProgressOptions } from '../core/progress.js';
import { expectIterable, expectObject } from '../core/guards.js';
import { parseAttributionConfig, type AttributionConfigInput, type ModelKind, type ModelSpec, type ModelSpecInput } from './models.js';
import { AttributionStatistics, collectStatistics, collectStatisticsAsync, createStatistics } from './stats.js';
import { solveMarkov } from './markov.js';
import { solveShapley } from './shapley.js';
import type { Journey } from './journeys.js';

/** One channel's credit under one model. */
export interface ChannelCredit {
  readonly channel: string;
  /** Share of the attributed conversions credited to the channel. */
  readonly conversions: number;
  /** Share of the attributed value credited to the channel. */
  readonly value: number;
  /** `conversions / totals.conversions` (0 when there are none). */
  readonly conversionShare: number;
  /** `value / totals.value` (0 when the total value is 0). */
  readonly valueShare: number;
}

/** Totals every model shares: credits sum to `conversions` and `value`; `unattributed` is never credited. */
export interface AttributionTotals {
  /** Journeys with at least one touch (converting or not). */
  readonly journeys: number;
  /** Attributed conversions (converting journeys with ≥ 1 touch in the lookback window). */
  readonly conversions: number;
  /** Summed value of the attributed conversions. */
  readonly value: number;
}

/** Markov details. */
export interface MarkovDetail {
  readonly order: number;
  readonly conversionProbability: number;
  readonly expectedValue: number;
  readonly states: number;
  /** Removal effect per channel (`1 − P(conv | c removed) / P(conv)`). */
  readonly removalEffects: Readonly<Record<string, number>>;
  /** Removal effect on expected value per channel. */
  readonly valueRemovalEffects: Readonly<Record<string, number>>;
}

/** Shapley details. */
export interface ShapleyDetail {
  readonly method: 'exact' | 'sampled';
  readonly players: number;
  readonly samples?: number;
  /** Standard error of each sampled conversion credit (sampled only). */
  readonly standardErrors?: Readonly<Record<string, { readonly conversions: number; readonly value: number }>>;
}

/** The result of one model: per-channel credits (sorted by channel name), totals, unattributed. */
export interface AttributionResult {
  /** The model's name (its kind unless renamed). */
  readonly model: string;
  readonly kind: ModelKind;
  readonly channels: ReadonlyArray<ChannelCredit>;
  readonly totals: AttributionTotals;
  readonly unattributed: { readonly conversions: number; readonly value: number };
  readonly markov?: MarkovDetail;
  readonly shapley?: ShapleyDetail;
}

/** Several models on the same journeys, in configuration order, over the same channel list. */
export interface AttributionComparison {
  /** Every channel seen, sorted by name. */
  readonly channels: ReadonlyArray<string>;
  readonly models: ReadonlyArray<AttributionResult>;
  readonly totals: AttributionTotals;
  readonly unattributed: { readonly conversions: number; readonly value: number };
}

/**
 * Computes every configured model from statistics (one pass already made, shards already merged).
 *
 * @example
 * ```ts
 * declare const journeys: Journey[];
 * const comparison = computeAttribution(collectStatistics(journeys, { models: ['last_touch', 'markov'] }));
 * comparison.models[1]!.channels; // [{ channel: 'display', conversions: 0.8, … }, …]
 * ```
 */
export function computeAttribution(stats: AttributionStatistics): AttributionComparison {
  if (!(stats instanceof AttributionStatistics)) expectObject(null, ['stats']);
  const order = stats.channels.map((_, i) => i).sort((a, b) => (stats.channels[a]! < stats.channels[b]! ? -1 : stats.channels[a]! > stats.channels[b]! ? 1 : 0));
  const t = stats.totals;
  const totals: AttributionTotals = { journeys: t.journeys, conversions: t.conversions, value: t.value };
  const unattributed = { conversions: t.unattributedConversions, value: t.unattributedValue };
  const build = (m: ModelSpec, conv: ArrayLike<number>, val: ArrayLike<number>, extra: Partial<AttributionResult>): AttributionResult => ({
    model: m.name,
    kind: m.model,
    channels: order.map((i) => ({
      channel: stats.channels[i]!,
      conversions: conv[i] ?? 0,
      value: val[i] ?? 0,
      conversionShare: totals.conversions > 0 ? (conv[i] ?? 0) / totals.conversions : 0,
      valueShare: totals.value !== 0 ? (val[i] ?? 0) / totals.value : 0,
    })),
    totals,
    unattributed,
    ...extra,
  });
  const byName = (rec: ArrayLike<number>): Record<string, number> => Object.fromEntries(order.map((i) => [stats.channels[i]!, rec[i] ?? 0]));
  const models = stats.config.models.map((m): AttributionResult => {
    if (m.model === 'markov') {
      const mc = stats.markov.find((x) => x.order === m.order)!;
      const s = solveMarkov(mc, stats.channels.length);
      const conv = normalise(s.removalEffects, totals.conversions);
      // 'conversionShare' (the common convention): value credit = the conversion removal-effect share × total
      // value. 'valueRemoval' (default): removal effects on the value chain, so a channel that leads to the larger
      // orders gets the larger share of value even at equal conversion effect.
      const valueEffects = m.valueCredit !== 'conversionShare' && sum(s.valueRemovalEffects) > 0 ? s.valueRemovalEffects : s.removalEffects;
      const val = normalise(valueEffects, totals.value);
      return build(m, conv, val, {
        markov: {
          order: m.order,
          conversionProbability: s.conversionProbability,
          expectedValue: s.expectedValue,
          states: s.states,
          removalEffects: byName(s.removalEffects),
          valueRemovalEffects: byName(s.valueRemovalEffects),
        },
      });
    }
    if (m.model === 'shapley') {
      const s = solveShapley(stats.channelSets!, stats.channels.length, m, order);
      const ce = s.conversionsStandardError;
      const ve = s.valueStandardError;
      return build(m, s.conversions, s.value, {
        shapley: {
          method: s.method,
          players: s.players,
          ...(s.samples === undefined ? {} : { samples: s.samples }),
          ...(ce === undefined || ve === undefined ? {} : { standardErrors: Object.fromEntries(order.map((i) => [stats.channels[i]!, { conversions: ce[i]!, value: ve[i]! }])) }),
        },
      });
    }
    const r = stats.ruleModels.indexOf(m);
    const credit = stats.ruleCredits[r]!;
    return build(m, credit.conversions, credit.value, {});
  });
  return { channels: order.map((i) => stats.channels[i]!), models, totals, unattributed };
}

function sum(a: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]!;
  return s;
}

/** Scales non-negative effects to sum to `total` (all zero when there is nothing to share). */
function normalise(effects: ArrayLike<number>, total: number): Float64Array {
  const out = new Float64Array(effects.length);
  const s = sum(effects);
  if (s <= 0 || total === 0) return out;
  for (let i = 0; i < effects.length; i++) out[i] = (effects[i]! / s) * total;
  return out;
}

/**
 * Compares models on the same journeys: one pass into statistics, then every model. Default models: all the
 * built-in ones with their defaults.
 *
 * @example
 * ```ts
 * declare const touchpoints: TouchpointRow[];
 * declare const conversions: ConversionRow[];
 * const comparison = compareModels(buildJourneys(touchpoints, conversions));
 * console.log(formatAttributionTable(comparison));
 * ```
 */
export function compareModels(journeys: Iterable<Journey>, config: AttributionConfigInput = {}, progress?: ProgressOptions): AttributionComparison {
  expectIterable(journeys, ['journeys']);
  return computeAttribution(collectStatistics(journeys, config, progress));
}

/**
 * {@link compareModels} over an async stream of journeys (bounded memory).
 *
 * @example
 * ```ts
 * declare const groups: AsyncIterable<SubjectRows>;
 * const comparison = await compareModelsAsync(streamJourneys(groups), { models: ['linear', 'markov'] });
 * ```
 */
export async function compareModelsAsync(journeys: AsyncIterable<Journey> | Iterable<Journey>, config: AttributionConfigInput = {}, progress?: ProgressOptions): Promise<AttributionComparison> {
  expectIterable(journeys, ['journeys'], true);
  return computeAttribution(await collectStatisticsAsync(journeys, config, progress));
}

/**
 * One model on journeys.
 *
 * @example
 * ```ts
 * declare const journeys: Journey[];
 * const r = attribute(journeys, { model: 'time_decay', halfLife: '3d' });
 * r.channels.find((c) => c.channel === 'email')?.conversions;
 * ```
 */
export function attribute(journeys: Iterable<Journey>, model: ModelSpecInput = 'last_touch'): AttributionResult {
  expectIterable(journeys, ['journeys']);
  const config = parseAttributionConfig({ models: [model] });
  const result = computeAttribution(createStatistics(config).addAll(journeys)).models[0];
  if (result === undefined) throw new CrossChannelError('CONFIG_INVALID', 'No model given', { path: ['model'] });
  return result;
}
