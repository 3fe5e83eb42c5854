import { CrossChannelError, inputError, parseWith, quoted } from '../core/errors.js';
import { modelSpecSchema, RULE_MODEL_KINDS, type ModelSpec } from './models.js';

/**
 * Rule-based models: each converting journey's one conversion is shared among its touches by position and
 * time. `weights` receives one weight per touch, summing to 1; the caller adds `weight` to the touched
 * channel's conversion credit and `weight × value` to its value credit, so credits are additive over journeys
 * and mergeable across shards. No allocation: `weights` is a scratch buffer at least `length` long. `channels`
 * and `times` hold at least `length` touches, times finite and oldest first, and `conversionAt` is finite (else
 * `INPUT_INVALID` naming the argument).
 *
 * @example
 * ```ts
 * const w = new Float64Array(3);
 * ruleWeights(parseAttributionConfig({ models: ['position_based'] }).models[0]!, ['a', 'b', 'c'], [0, 1, 2], 2, 3, w, null); // w = [0.4, 0.2, 0.4]
 * ```
 */
export function ruleWeights(
  model: ModelSpec,
  channels: ReadonlyArray<string>,
  times: ReadonlyArray<number>,
  conversionAt: number,
  length: number,
  weights: Float64Array,
  isDirect: ReadonlySet<string> | null,
): void {
  // A model as parseAttributionConfig gives it: the fields the weights read are checked in place (no allocation),
  // and a model that fails them is parsed as a model spec, which names the bad field.
  const m = model as Partial<Record<string, unknown>> | null;
  const fine =
    RULE_MODEL_KINDS.includes(m?.model as ModelSpec['model']) &&
    (m!.model !== 'time_decay' || (typeof m!.halfLife === 'number' && m!.halfLife > 0)) &&
    (m!.model !== 'position_based' || (typeof m!.first === 'number' && typeof m!.last === 'number' && m!.first >= 0 && m!.last >= 0 && m!.first + m!.last <= 1)) &&
    (m!.model !== 'custom' || typeof m!.weight === 'function');
  let spec = model;
  if (!fine) {
    const parsed = parseWith(modelSpecSchema, model, 'INPUT_INVALID', ['model']) as ModelSpec;
    if (!RULE_MODEL_KINDS.includes(parsed.model)) throw new CrossChannelError('CONFIG_INVALID', `${parsed.model} is not a rule-based model`, { path: ['model', 'model'] });
    spec = { ...parsed, name: parsed.name ?? parsed.model } as ModelSpec;
  }
  const name = !Array.isArray(channels)
    ? 'channels'
    : !Array.isArray(times) || !finiteInOrder(times)
      ? 'times'
      : !Number.isFinite(conversionAt)
        ? 'conversionAt'
        : !(weights instanceof Float64Array)
          ? 'weights'
          : !(Number.isSafeInteger(length) && length >= 1 && length <= Math.min(weights.length, channels.length, times.length))
            ? 'length'
            : isDirect !== null && typeof isDirect?.has !== 'function'
              ? 'isDirect'
              : null;
  // Lists shorter than `length` are a mismatch between arguments, reported at `length`.
  if (name !== null) throw inputError(name === 'length' ? 'ruleWeights: each list must hold `length` ≥ 1 entries' : `ruleWeights: ${name} is missing or invalid`, [name]);
  weighRule(spec, channels, times, conversionAt, length, weights, isDirect);
}

/** True when `times` are finite numbers, oldest first (a NaN, or a later touch listed first, made time decay's weights NaN). */
function finiteInOrder(times: ReadonlyArray<number>): boolean {
  for (let i = 0; i < times.length; i++) if (!Number.isFinite(times[i]) || times[i]! < times[i - 1]!) return false;
  return true;
}

/** {@link ruleWeights} without its argument checks: the statistics' hot path, with parsed models and checked journeys. */
export function weighRule(
  model: ModelSpec,
  channels: ReadonlyArray<string>,
  times: ReadonlyArray<number>,
  conversionAt: number,
  length: number,
  weights: Float64Array,
  isDirect: ReadonlySet<string> | null,
): void {
  weights.fill(0, 0, length);
  switch (model.model) {
    case 'last_touch':
      weights[length - 1] = 1;
      return;
    case 'first_touch':
      weights[0] = 1;
      return;
    case 'last_non_direct': {
      // Direct visits only get the credit when nothing else touched the journey (the analytics convention).
      let i = length - 1;
      while (i >= 0 && isDirect !== null && isDirect.has(channels[i]!)) i--;
      weights[i >= 0 ? i : length - 1] = 1;
      return;
    }
    case 'linear': {
      const w = 1 / length;
      for (let i = 0; i < length; i++) weights[i] = w;
      return;
    }
    case 'time_decay': {
      const k = -Math.LN2 / model.halfLife;
      // Relative to the newest touch so that old journeys do not underflow to all-zero weights.
      const newest = times[length - 1]!;
      let sum = 0;
      for (let i = 0; i < length; i++) {
        const w = Math.exp(k * (newest - times[i]!));
        weights[i] = w;
        sum += w;
      }
      for (let i = 0; i < length; i++) weights[i]! /= sum;
      void conversionAt;
      return;
    }
    case 'position_based': {
      if (length === 1) {
        weights[0] = 1;
        return;
      }
      if (length === 2) {
        const s = model.first + model.last;
        weights[0] = s > 0 ? model.first / s : 0.5;
        weights[1] = s > 0 ? model.last / s : 0.5;
        return;
      }
      const middle = (1 - model.first - model.last) / (length - 2);
      for (let i = 1; i < length - 1; i++) weights[i] = middle;
      weights[0] = model.first;
      weights[length - 1] = model.last;
      return;
    }
    case 'custom': {
      let sum = 0;
      for (let i = 0; i < length; i++) {
        const w = model.weight(i, length, channels[i]!, conversionAt - times[i]!);
        if (typeof w !== 'number' || !Number.isFinite(w) || w < 0) {
          throw new CrossChannelError('ATTRIBUTION_WEIGHT_INVALID', `Custom model ${quoted(model.name)} gave ${quoted(w)} at position ${i}: weights must be finite and ≥ 0`, {
            path: ['models', model.name, 'weight'],
            detail: { position: i, length, weight: typeof w === 'number' ? w : String(w) },
          });
        }
        weights[i] = w;
        sum += w;
      }
      if (sum <= 0) {
        throw new CrossChannelError('ATTRIBUTION_WEIGHT_INVALID', `Custom model ${quoted(model.name)} gave zero total weight`, {
          path: ['models', model.name, 'weight'],
          detail: { length },
        });
      }
      for (let i = 0; i < length; i++) weights[i]! /= sum;
      return;
    }
  }
}
