import * as z from 'zod/mini';
import { progressCounter, type ProgressOptions } from '../core/progress.js';
import { expectArray, expectIterable, expectObject } from '../core/guards.js';
import { atPath, CrossChannelError, parseWith, quoted, inputError } from '../core/errors.js';
import { arrayOf, isPlainObject, recordKeys, symbolKeyIssue, tupleItem, typeIssue, type Parsed, intSchema, literalSchema, gteCheck, lteCheck, minLengthCheck, numberSchema, stringSchema } from '../core/zod.js';
import { describeModel, parseAttributionConfig, RULE_MODEL_KINDS, type AttributionConfig, type AttributionConfigInput, type ModelSpec } from './models.js';
import { weighRule } from './heuristic.js';
import type { Journey } from './journeys.js';
import { MAX_CHANNELS } from './limits.js';
import { addPath, addTransition, bump, createMarkovCounts, internState, TO_CONVERSION, TO_NULL, TO_SPAN, transitionCounts, type MarkovCounts } from './transitions.js';

export { TO_CONVERSION, TO_NULL, transitionCounts, type MarkovCounts } from './transitions.js';

export { MAX_CHANNELS } from './limits.js';

const SMALL_SETS = 2 ** 16;
const POW2: number[] = Array.from({ length: MAX_CHANNELS }, (_, i) => 2 ** i);
/** Counts of journeys per exact channel set: the sufficient statistics of Shapley. */
export interface ChannelSetCounts {
  /** Bit set (sum of 2^channel index) → slot, for sets using channel indexes ≥ 16. */
  readonly slots: Map<number, number>;
  /** Bit sets below 2^16 → slot + 1 (0 = none): a flat table for the common case of ≤ 16 channels. */
  readonly small: Int32Array;
  readonly masks: number[];
  readonly journeys: number[];
  readonly conversions: number[];
  readonly value: number[];
}

/** Journey totals. `conversions`/`value` are the attributed ones (converting journeys with ≥ 1 touch). */
export interface JourneyTotals {
  journeys: number;
  convertingJourneys: number;
  conversions: number;
  value: number;
  unattributedConversions: number;
  unattributedValue: number;
}

/** The JSON form of {@link AttributionStatistics}: what workers ship to the reducer and SQL produces. */
export interface AttributionStatisticsJSON {
  readonly version: 1;
  readonly models: ReadonlyArray<Record<string, unknown>>;
  readonly channels: ReadonlyArray<string>;
  readonly totals: JourneyTotals;
  /** Per rule model (by name): credits per channel, same order as `channels`. */
  readonly rules: ReadonlyArray<{ readonly name: string; readonly conversions: ReadonlyArray<number>; readonly value: ReadonlyArray<number> }>;
  /** Per Markov order: `[from, to, count, value]`; states as channel lists (`[]` = start), `to` may be `'conversion'` or `'null'`. */
  readonly markov: ReadonlyArray<{ readonly order: number; readonly transitions: ReadonlyArray<readonly [ReadonlyArray<string>, ReadonlyArray<string> | 'conversion' | 'null', number, number]> }>;
  /** `[channels, journeys, conversions, value]` per exact channel set (only when a Shapley model is configured). */
  readonly channelSets: ReadonlyArray<readonly [ReadonlyArray<string>, number, number, number]> | null;
}

/**
 * Mergeable sufficient statistics of a set of journeys for a fixed list of models: per-channel rule-based
 * credits, Markov transition counts (per order used), journey counts per channel set and totals. Memory grows
 * with the number of distinct states and channel sets, never with journeys. Statistics of disjoint shards
 * {@link AttributionStatistics.merge | merge} into what one pass over all journeys gives.
 *
 * @example
 * ```ts
 * declare const shard1: Journey[];
 * declare const shard2: Journey[];
 * const a = createStatistics({ models: ['linear', 'markov'] });
 * for (const j of shard1) a.add(j);
 * const b = createStatistics({ models: ['linear', 'markov'] });
 * for (const j of shard2) b.add(j);
 * const all = computeAttribution(a.merge(b));
 * ```
 */
export class AttributionStatistics {
  readonly config: AttributionConfig;
  readonly channels: string[] = [];
  readonly channelIndex = new Map<string, number>();
  readonly totals: JourneyTotals = { journeys: 0, convertingJourneys: 0, conversions: 0, value: 0, unattributedConversions: 0, unattributedValue: 0 };
  /** Rule model credits: `[conversions per channel, value per channel]`, parallel to `ruleModels`. */
  readonly ruleModels: ModelSpec[];
  readonly ruleCredits: Array<{ conversions: number[]; value: number[] }>;
  readonly markov: MarkovCounts[];
  readonly channelSets: ChannelSetCounts | null;
  readonly #directSets: Array<ReadonlySet<string> | null>;
  #weights = new Float64Array(64);
  #idx = new Int32Array(64);
  readonly #stamp = new Float64Array(MAX_CHANNELS);
  #journeyNo = 0;

  constructor(config: AttributionConfig) {
    expectObject(config, ['config']);
    expectArray((config as { models?: unknown }).models, ['config', 'models']);
    this.config = config;
    this.ruleModels = config.models.filter((m) => RULE_MODEL_KINDS.includes(m.model));
    this.ruleCredits = this.ruleModels.map(() => ({ conversions: [], value: [] }));
    this.#directSets = this.ruleModels.map((m) => (m.model === 'last_non_direct' ? new Set(m.directChannels) : null));
    const orders = [...new Set(config.models.flatMap((m) => (m.model === 'markov' ? [m.order] : [])))].sort();
    this.markov = orders.map(createMarkovCounts);
    this.channelSets = config.models.some((m) => m.model === 'shapley') ? { slots: new Map(), small: new Int32Array(SMALL_SETS), masks: [], journeys: [], conversions: [], value: [] } : null;
  }

  /** Index of `channel`, adding it when new. */
  channelId(channel: string): number {
    let i = this.channelIndex.get(channel);
    if (i === undefined) {
      i = this.channels.length;
      if (i >= MAX_CHANNELS) {
        throw new CrossChannelError('ATTRIBUTION_TOO_MANY_CHANNELS', `More than ${MAX_CHANNELS} distinct channels; group fine-grained sources into channels first`, { detail: { channel } });
      }
      this.channels.push(channel);
      this.channelIndex.set(channel, i);
      for (const r of this.ruleCredits) {
        r.conversions.push(0);
        r.value.push(0);
      }
    }
    return i;
  }

  /**
   * Adds one journey. Unattributed conversions (converting journeys without touches) only count in totals. Times must be finite and oldest first, the value finite (else `INPUT_INVALID` at `journey`).
   *
   * @example
   * ```ts
   * const stats = createStatistics({ models: ['linear'] });
 * stats.add({ subjectId: 'p1', channels: ['search', 'email'], times: [0, 1000], converted: true, conversionAt: 2000, value: 50 });
   * ```
   */
  add(journey: Journey): this {
    // Checked whole before anything is counted (a journey read back from JSON may be anything): a value that is an
    // object, say, failed halfway through the totals.
    const { channels, times, value, conversionAt } = (journey ?? {}) as Partial<Journey>;
    if (!Array.isArray(channels) || !Array.isArray(times) || !Number.isFinite(value) || !Number.isFinite(conversionAt ?? 0)) throw badJourney();
    const n = channels.length;
    if (n === 0) {
      if (journey.converted) {
        this.totals.unattributedConversions += 1;
        this.totals.unattributedValue += value!;
      }
      return this;
    }
    // Each touch is checked and its channel looked up in one loop; channels seen for the first time are added only
    // once the whole journey has passed. (A time missing for a channel reads as undefined, not a number.)
    const idx = this.#room(n);
    const index = this.channelIndex;
    let fresh = false;
    for (let i = 0; i < n; i++) {
      const c: unknown = channels[i];
      // Finite and oldest first: a NaN time, or a later touch listed before an earlier one, made time decay's credits NaN.
      if (typeof c !== 'string' || !Number.isFinite(times[i]) || times[i]! < times[i - 1]!) throw badJourney();
      const id = index.get(c);
      if (id === undefined) {
        fresh = true;
        idx[i] = -1;
      } else idx[i] = id;
    }
    if (fresh) for (let i = 0; i < n; i++) if (idx[i] === -1) idx[i] = this.channelId(channels[i]!);
    return journey.converted ? this.#count(channels, times, conversionAt ?? times[n - 1]!, 1, value!, 0) : this.#count(channels, times, times[n - 1]!, 0, 0, 1);
  }

  /** The channel-index scratch (and the rule weights beside it), grown to hold `n` touches. */
  #room(n: number): Int32Array {
    if (n > this.#idx.length) {
      this.#idx = new Int32Array(n * 2);
      this.#weights = new Float64Array(n * 2);
    }
    return this.#idx;
  }

  /**
   * Adds one path seen many times: `conversions` journeys that converted (worth `value` in total) and `nulls`
   * that did not — the aggregated form (`path, conversions, value, nulls`) many warehouses and attribution
   * tools keep. Rule models credit `weight × conversions` and `weight × value`. Unchecked hot path: use
   * `addPaths` for rows from outside.
   *
   * @example
   * ```ts
   * const stats = createStatistics({ models: ['markov'] });
   * stats.addCounted(['search', 'email'], [0, 0], 0, 12, 960, 88);
   * ```
   */
  addCounted(channels: ReadonlyArray<string>, times: ReadonlyArray<number>, conversionAt: number, conversions: number, value: number, nulls: number): this {
    const n = channels.length;
    const t = this.totals;
    const journeys = conversions + nulls;
    if (n === 0 || journeys === 0) {
      t.unattributedConversions += n === 0 ? conversions : 0;
      t.unattributedValue += n === 0 ? value : 0;
      return this;
    }
    const idx = this.#room(n);
    for (let i = 0; i < n; i++) idx[i] = this.channelId(channels[i]!);
    return this.#count(channels, times, conversionAt, conversions, value, nulls);
  }

  /** Counts a path whose channel indexes are in `#idx` (n ≥ 1 touches, conversions + nulls ≥ 1 journeys). */
  #count(channels: ReadonlyArray<string>, times: ReadonlyArray<number>, conversionAt: number, conversions: number, value: number, nulls: number): this {
    const n = channels.length;
    const t = this.totals;
    const journeys = conversions + nulls;
    t.journeys += journeys;
    const idx = this.#idx;
    if (conversions > 0) {
      t.convertingJourneys += conversions;
      t.conversions += conversions;
      t.value += value;
      const w = this.#weights;
      for (let m = 0; m < this.ruleModels.length; m++) {
        weighRule(this.ruleModels[m]!, channels, times, conversionAt, n, w, this.#directSets[m]!);
        const credit = this.ruleCredits[m]!;
        for (let i = 0; i < n; i++) {
          const wi = w[i]!;
          if (wi === 0) continue;
          credit.conversions[idx[i]!]! += wi * conversions;
          credit.value[idx[i]!]! += wi * value;
        }
      }
    }
    for (const mc of this.markov) addPath(mc, idx, n, conversions, nulls, value);
    if (this.channelSets !== null) {
      const stamp = this.#stamp;
      const no = ++this.#journeyNo;
      let mask = 0;
      for (let i = 0; i < n; i++) {
        const c = idx[i]!;
        if (stamp[c] !== no) {
          stamp[c] = no;
          mask += POW2[c]!;
        }
      }
      // Value belongs to conversions (as in the totals and the Markov chain): a row without any carries none.
      addSet(this.channelSets, mask, journeys, conversions, conversions > 0 ? value : 0);
    }
    return this;
  }

  /**
   * Adds every journey of an iterable.
   *
   * @example
   * ```ts
   * declare const touchpoints: TouchpointRow[];
 * declare const conversions: ConversionRow[];
 * const stats = createStatistics({ models: ['linear'] }).addAll(buildJourneys(touchpoints, conversions));
   * ```
   */
  addAll(journeys: Iterable<Journey>): this {
    let i = 0;
    for (const j of journeys) {
      try {
        this.add(j);
      } catch (e) {
        // Named by its place in the list (`journeys[3]`), not as add's own argument.
        throw atPath(e, ['journeys', i]);
      }
      i++;
    }
    return this;
  }

  /**
   * Adds `other` (built with the same models) into this one and returns this. Throws
   * `ATTRIBUTION_STATISTICS_MISMATCH` when the model settings differ.
   *
   * @example
   * ```ts
   * declare const shards: AttributionStatistics[];
 * const all = shards.reduce((a, b) => a.merge(b));
   * ```
   */
  merge(other: AttributionStatistics | AttributionStatisticsJSON): this {
    const json = other instanceof AttributionStatistics ? other.toJSON() : checkStatisticsJSON(other);
    const mine = quoted(this.config.models.map(describeModel));
    const theirs = quoted(json.models);
    if (mine !== theirs) {
      throw new CrossChannelError('ATTRIBUTION_STATISTICS_MISMATCH', 'Statistics of other models or settings cannot be merged', { detail: { mine, theirs } });
    }
    const remap = json.channels.map((c) => this.channelId(c));
    for (const key of Object.keys(this.totals) as Array<keyof JourneyTotals>) this.totals[key] += json.totals[key];
    json.rules.forEach((r, m) => {
      const credit = this.ruleCredits[m]!;
      for (let i = 0; i < remap.length; i++) {
        credit.conversions[remap[i]!]! += r.conversions[i] ?? 0;
        credit.value[remap[i]!]! += r.value[i] ?? 0;
      }
    });
    for (const part of json.markov) {
      const mc = this.markov.find((m) => m.order === part.order)!;
      for (const [from, to, count, value] of part.transitions) {
        const f = internState(mc, from.map((c) => this.channelId(c)));
        const toId = to === 'conversion' ? TO_CONVERSION : to === 'null' ? TO_NULL : internState(mc, to.map((c) => this.channelId(c)));
        addTransition(mc, f, toId, count);
        if (to === 'conversion') bump(mc.conversionValue, f, value);
      }
    }
    if (this.channelSets !== null && json.channelSets !== null) {
      for (const [set, journeys, conversions, value] of json.channelSets) {
        let mask = 0;
        for (const c of new Set(set)) mask += POW2[this.channelId(c)]!;
        addSet(this.channelSets, mask, journeys, conversions, conversions > 0 ? value : 0);
      }
    }
    return this;
  }

  /**
   * The JSON-able form: ship it between workers, store it, or compare it with what the SQL produces.
   *
   * @example
   * ```ts
   * const config = { models: ['linear' as const] };
 * const stats = createStatistics(config);
 * const restored = statisticsFromJSON(JSON.parse(JSON.stringify(stats.toJSON())), config);
   * ```
   */
  toJSON(): AttributionStatisticsJSON {
    const names = this.channels;
    const stateNames = (mc: MarkovCounts, id: number): string[] => mc.states[id]!.map((c) => names[c]!);
    return {
      version: 1,
      models: this.config.models.map(describeModel),
      channels: [...names],
      totals: { ...this.totals },
      rules: this.ruleModels.map((m, i) => ({ name: m.name, conversions: [...this.ruleCredits[i]!.conversions], value: [...this.ruleCredits[i]!.value] })),
      markov: this.markov.map((mc) => ({
        order: mc.order,
        transitions: [...transitionCounts(mc)].map(([key, count]) => {
          const from = Math.floor(key / TO_SPAN);
          const to = (key % TO_SPAN) - 2;
          const toState = to === TO_CONVERSION ? ('conversion' as const) : to === TO_NULL ? ('null' as const) : stateNames(mc, to);
          return [stateNames(mc, from), toState, count, to === TO_CONVERSION ? (mc.conversionValue.get(from) ?? 0) : 0] as const;
        }),
      })),
      channelSets:
        this.channelSets === null
          ? null
          : this.channelSets.masks.map((mask, s) => {
              const set: string[] = [];
              for (let c = 0; c < names.length; c++) if (Math.floor(mask / POW2[c]!) % 2 === 1) set.push(names[c]!);
              const cs = this.channelSets!;
              return [set, cs.journeys[s]!, cs.conversions[s]!, cs.value[s]!] as const;
            }),
    };
  }
}

function badJourney(): CrossChannelError {
  return inputError('Expected a journey from buildJourneys', ['journey']);
}

/*
 * statisticsJSONSchema's tuples and records are hand-checked ({@link arrayOf}, {@link tupleItem}, {@link recordItem}):
 * zod's tuple and record types cost ≈ 1.1 kB min+gzip of the attribution entry, and this shape is the only user of
 * either there.
 */

/**
 * `z.record(z.string(), z.unknown())` at index `at`: a copy of the own enumerable string keys but `__proto__`
 * (in zod's order); an own enumerable symbol key is an invalid key.
 */
function recordItem(input: unknown, at: number, out: Parsed): unknown {
  if (!isPlainObject(input)) return out.issues.push({ ...typeIssue('record', input), path: [at] });
  for (const key of recordKeys(input)) {
    if (typeof key === 'symbol') out.issues.push(symbolKeyIssue(key, [at, key]));
  }
  return Object.fromEntries(Object.entries(input).filter(([key]) => key !== '__proto__'));
}

const count = /* @__PURE__ */ (() => numberSchema())();
const channelList = /* @__PURE__ */ (() => z.array(stringSchema().check(minLengthCheck(1))))();
/**
 * Shape of {@link AttributionStatisticsJSON}: statistics from another process are input like any other. Internal
 * (exported for its test, which checks it against the same shape built with `z.tuple` and `z.record`).
 */
export const statisticsJSONSchema = /* @__PURE__ */ (() => z.object({
  version: literalSchema(1),
  models: arrayOf(recordItem),
  channels: channelList,
  totals: z.object({
    journeys: count,
    convertingJourneys: count,
    conversions: count,
    value: count,
    unattributedConversions: count,
    unattributedValue: count,
  }),
  rules: z.array(z.object({ name: stringSchema(), conversions: z.array(count), value: z.array(count) })),
  markov: z.array(
    z.object({
      order: intSchema().check(gteCheck(1), lteCheck(4)),
      transitions: arrayOf(tupleItem([channelList, z.union([channelList, literalSchema('conversion'), literalSchema('null')]), count, count])),
    }),
  ),
  channelSets: z.nullable(arrayOf(tupleItem([channelList, count, count, count]))),
}))();

function checkStatisticsJSON(json: AttributionStatisticsJSON): AttributionStatisticsJSON {
  const parsed = parseWith(statisticsJSONSchema, json, 'INPUT_INVALID') as AttributionStatisticsJSON;
  parsed.rules.forEach((r, i) => {
    for (const k of ['conversions', 'value'] as const) {
      if (r[k].length !== parsed.channels.length) throw inputError('Rule credits must have one entry per channel', ['rules', i, k]);
    }
  });
  return parsed;
}

function addSet(cs: ChannelSetCounts, mask: number, journeys: number, conversions: number, value: number): void {
  let s = mask < SMALL_SETS ? cs.small[mask]! - 1 : (cs.slots.get(mask) ?? -1);
  if (s < 0) {
    s = cs.masks.length;
    if (mask < SMALL_SETS) cs.small[mask] = s + 1;
    else cs.slots.set(mask, s);
    cs.masks.push(mask);
    cs.journeys.push(0);
    cs.conversions.push(0);
    cs.value.push(0);
  }
  cs.journeys[s]! += journeys;
  cs.conversions[s]! += conversions;
  cs.value[s]! += value;
}

/**
 * Creates empty statistics for the given models (default: all built-in models).
 *
 * @example
 * ```ts
 * const stats = createStatistics({ models: ['last_touch', 'markov', 'shapley'] });
 * ```
 */
export function createStatistics(config: AttributionConfigInput | AttributionConfig = {}): AttributionStatistics {
  // Parsing is idempotent, so an already parsed config passes through unchanged.
  return new AttributionStatistics(parseAttributionConfig(config));
}

/**
 * Statistics from their JSON form (from a worker or from SQL). `config` must describe the same models (needed
 * for custom weight functions, which JSON cannot carry).
 *
 * @example
 * ```ts
 * declare const json: AttributionStatisticsJSON; // from a worker or statisticsFromSql
 * const stats = statisticsFromJSON(json, { models: ['markov', 'shapley'] });
 * ```
 */
export function statisticsFromJSON(json: AttributionStatisticsJSON, config: AttributionConfigInput | AttributionConfig = {}): AttributionStatistics {
  if (json === null || typeof json !== 'object' || json.version !== 1) {
    throw inputError('Not attribution statistics (version 1)', ['version']);
  }
  return createStatistics(config).merge(json);
}

/**
 * One pass over journeys into statistics.
 *
 * @example
 * ```ts
 * declare const journeys: Journey[];
 * const stats = collectStatistics(journeys, { models: ['markov'] }, { onProgress: (n) => console.log(`${n} journeys`) });
 * ```
 */
export function collectStatistics(journeys: Iterable<Journey>, config: AttributionConfigInput | AttributionConfig = {}, progress?: ProgressOptions): AttributionStatistics {
  expectIterable(journeys, ['journeys']);
  const stats = createStatistics(config);
  const p = progressCounter(progress, ['progress']);
  if (p === null) return stats.addAll(journeys);
  for (const j of journeys) {
    stats.add(j);
    p.step();
  }
  p.end();
  return stats;
}

/**
 * One pass over an async stream of journeys (see `streamJourneys`) into statistics; memory stays bounded.
 *
 * @example
 * ```ts
 * declare const groups: AsyncIterable<SubjectRows>;
 * const stats = await collectStatisticsAsync(streamJourneys(groups), { models: ['markov'] });
 * ```
 */
export async function collectStatisticsAsync(
  journeys: AsyncIterable<Journey> | Iterable<Journey>,
  config: AttributionConfigInput | AttributionConfig = {},
  progress?: ProgressOptions,
): Promise<AttributionStatistics> {
  expectIterable(journeys, ['journeys'], true);
  const stats = createStatistics(config);
  const p = progressCounter(progress, ['progress']);
  for await (const j of journeys) {
    stats.add(j);
    p?.step();
  }
  p?.end();
  return stats;
}
