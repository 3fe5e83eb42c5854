import { inputError } from '../core/errors.js';
import { ownValue } from '../core/own.js';
import { betaVariate, createRng, fnv1a } from '../core/random.js';
import type { ArbitrationContext } from './context.js';
import type { Catalogue, CompiledOffer } from './offers.js';
import type { PropensityTable } from './propensity.js';

/**
 * The factors of an offer's score: score = propensity × contextWeight × value × lever (the Pega-style formula).
 * `value` is the business value after the catalogue's `valueScale` normalisation.
 * @example
 * ```ts
 * const f: ScoreFactors = { propensity: 0.2, propensitySource: 'model', contextWeight: 1, value: 0.6, lever: 1 };
 * ```
 */
export interface ScoreFactors {
  readonly propensity: number;
  /** Where the propensity came from. */
  readonly propensitySource: 'context' | 'model' | 'thompson' | 'offer' | 'prior';
  readonly contextWeight: number;
  readonly value: number;
  readonly lever: number;
}

/**
 * How propensities are computed when the context does not supply them.
 * @example
 * ```ts
 * const o: PropensityOptions = { model: new PropensityTable(), thompson: { seed: 7 } };
 * ```
 */
export interface PropensityOptions {
  /** Learned acceptance rates; without it, the offer's given `propensity` or the catalogue prior mean is used. */
  readonly model?: PropensityTable;
  /**
   * Thompson sampling: draw each offer's propensity from its Beta posterior with a generator seeded by
   * `seed` and the offer id, so a decision is reproducible and one offer's draw does not depend on which
   * other offers are in the catalogue. Use a per-decision seed (e.g. the request id) to explore.
   */
  readonly thompson?: { readonly seed: number | string };
}

/**
 * Propensity of an offer, first found of: `context.propensities[offer]` (a model's output) → the built-in
 * {@link PropensityTable} (posterior mean, or a Thompson draw) → the offer's given `propensity` → the catalogue
 * prior mean. Results are clamped to [0, 1].
 */
export function propensityOf(
  offer: CompiledOffer,
  catalogue: Catalogue,
  context: ArbitrationContext,
  options: PropensityOptions,
  seedHash = 0,
): { p: number; source: ScoreFactors['propensitySource'] } {
  const out = { source: 'prior' as ScoreFactors['propensitySource'] };
  const p = resolvePropensity(offer, catalogue, context, options, seedHash, out);
  return { p, source: out.source };
}

/**
 * {@link propensityOf} without allocating: returns the propensity and writes its source into `out` (one scratch
 * object per decision instead of one result object per offer).
 */
export function resolvePropensity(
  offer: CompiledOffer,
  catalogue: Catalogue,
  context: ArbitrationContext,
  options: PropensityOptions,
  seedHash: number,
  out: { source: ScoreFactors['propensitySource'] },
): number {
  // Own keys only: an offer called `constructor` read Object's function from any propensities record.
  const given = ownValue(context.propensities, offer.id);
  if (given !== undefined) {
    // A model's NaN would otherwise be passed over for the built-in propensity without a word.
    if (typeof given !== 'number' || !Number.isFinite(given)) throw inputError('A propensity must be a finite number (in [0, 1])', ['context', 'propensities', offer.id], { value: typeof given === 'number' ? given : typeof given });
    out.source = 'context';
    return clamp01(given);
  }
  if (options.model !== undefined) {
    const post = options.model.posterior(offer.id, context.propensitySegment);
    if (options.thompson !== undefined) {
      out.source = 'thompson';
      return betaVariate(createRng((seedHash ^ offer.hash) >>> 0), post.alpha, post.beta);
    }
    out.source = 'model';
    return post.mean;
  }
  if (offer.propensity !== undefined) {
    out.source = 'offer';
    return offer.propensity;
  }
  if (options.thompson !== undefined) {
    out.source = 'thompson';
    return betaVariate(createRng((seedHash ^ offer.hash) >>> 0), catalogue.prior.alpha, catalogue.prior.beta);
  }
  out.source = 'prior';
  return catalogue.prior.alpha / (catalogue.prior.alpha + catalogue.prior.beta);
}

/**
 * Context weight of an offer on a channel: offer weight × per-channel weight × `context.weights[offer]`.
 */
export function contextWeightOf(offer: CompiledOffer, channel: string, context: ArbitrationContext): number {
  let w = offer.weight;
  if (offer.channelWeights !== null) {
    const cw = offer.channelWeights[channel];
    // A number test, not `!== undefined`: a channel named `constructor` reads Object's function from the record.
    if (typeof cw === 'number') w *= cw;
  }
  const dyn = ownValue(context.weights, offer.id);
  if (dyn !== undefined) {
    if (typeof dyn !== 'number' || !(dyn >= 0 && dyn < Infinity)) throw inputError('A context weight must be a finite number ≥ 0', ['context', 'weights', offer.id], { value: typeof dyn === 'number' ? dyn : typeof dyn });
    w *= dyn;
  }
  return w;
}

/**
 * The score from its factors.
 */
export function scoreOf(f: ScoreFactors): number {
  return f.propensity * f.contextWeight * f.value * f.lever;
}

/**
 * The documented tie-break of the ranking: higher score first; then higher `priority`; then offer id in
 * ascending code-unit order. Never random, so equal inputs always rank the same way.
 */
export function compareRanked(
  a: { readonly score: number; readonly priority: number; readonly id: string },
  b: { readonly score: number; readonly priority: number; readonly id: string },
): number {
  if (a.score !== b.score) return b.score > a.score ? 1 : -1;
  if (a.priority !== b.priority) return b.priority - a.priority;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/**
 * Hash of a Thompson seed (numbers as 32-bit integers, strings by FNV-1a).
 */
export function seedHashOf(seed: number | string): number {
  return typeof seed === 'number' ? seed >>> 0 : fnv1a(seed);
}

function clamp01(x: number): number {
  return x < 0 ? 0 : x > 1 ? 1 : x;
}
