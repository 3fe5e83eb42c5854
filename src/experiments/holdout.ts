import type { EpochMs } from '../core/time.js';
import { assign, isHeldOut } from './assign.js';
import { HOLDOUT_VARIANT_ID, isCompiledHoldout, type AssignContext, type CompiledExperiment, type CompiledHoldout } from './config.js';
import { RUN_STATE_CODES, stickyOutcome } from './store.js';
import { checkString, invalidInput } from './check.js';

/**
 * The holdout hook `decide` and `journeys` accept (structural: neither side imports the other). A held person
 * gets no marketing contact; the caller records a "would have been sent" record instead (see
 * {@link wouldHaveSentEvent}).
 *
 * @example
 * ```ts
 * declare const check: HoldoutCheck;
 * declare const now: number;
 *
 * const h = check('person-42', { channel: 'email', now, campaignId: 'spring-sale' });
 * if (h.held) console.log('held by', h.experimentId);
 * ```
 */
export type HoldoutCheck = (
  subjectId: string,
  ctx: { channel: string; now: EpochMs; campaignId?: string },
) => { held: false } | { held: true; experimentId: string; variantId: string };

/** What {@link createHoldoutCheck} combines. */
export interface HoldoutCheckOptions {
  /** The global holdout: held people get no marketing contact on its channels. */
  readonly holdout?: CompiledHoldout | undefined;
  /**
   * Experiments with their own holdout (`holdout: { share }`): their held units get no contact for the
   * experiment's `campaigns` (every campaign when the experiment lists none) on its `channels`.
   */
  readonly experiments?: ReadonlyArray<CompiledExperiment> | undefined;
  /**
   * What the hook does not carry (it gets the id, channel, instant and campaign only), read synchronously: the
   * person's `segments` and `attributes`, so an experiment's targeting decides as in {@link assign} (required
   * when an experiment has targeting or a predicate), and `sticky`, their sticky assignments (`store.list(id)`,
   * read before `decide` or the journey step): a stored variant of a running experiment wins over the hash, as in
   * `enroll`. Without `sticky` the check hashes the id: right only for people never enrolled under another id.
   */
  readonly person?: ((subjectId: string) => Omit<AssignContext, 'now' | 'holdout'> & { readonly sticky?: ReadonlyArray<{ experimentId: string; variantId: string }> | undefined }) | undefined;
}

const NOT_HELD = Object.freeze({ held: false as const });

/**
 * Builds the {@link HoldoutCheck} for `decide` (`config.holdout`) and journey `send` steps. The global holdout
 * answers with `experimentId` = the holdout id and `variantId` = `"holdout"`; an experiment's own holdout with the
 * experiment id and {@link HOLDOUT_VARIANT_ID}.
 *
 * @example
 * ```ts
 * const check = createHoldoutCheck({ holdout: parseHoldout({ id: 'global-2026', share: 0.05 }) });
 * check('person-42', { channel: 'email', now: Date.parse('2026-05-01T09:00:00Z') }); // { held: false } for ~95 %
 *
 * // A targeted experiment with its own holdout, units enrolled with a store: the person's segments and sticky
 * // assignments, loaded before decide (the hook is synchronous).
 * declare const vipOffer: CompiledExperiment, segmentsOf: Map<string, string[]>, stickyOf: Map<string, StickyAssignment[]>;
 * const check2 = createHoldoutCheck({ experiments: [vipOffer], person: (id) => ({ segments: segmentsOf.get(id), sticky: stickyOf.get(id) }) });
 * ```
 */
export function createHoldoutCheck(options: HoldoutCheckOptions): HoldoutCheck {
  if (typeof options !== 'object' || options === null) throw invalidInput('createHoldoutCheck takes options');
  const holdout = options.holdout;
  if (holdout !== undefined && !isCompiledHoldout(holdout)) throw invalidInput('holdout must come from parseHoldout', 'holdout');
  const person = options.person ?? (() => undefined);
  if (typeof person != 'function') throw invalidInput('person must be a function', 'person');
  const experiments = (options.experiments ?? []).filter((e, i) => {
    if (typeof (e as { holdoutShare?: unknown } | null)?.holdoutShare !== 'number') {
      throw invalidInput('experiments must come from parseExperiment', 'experiments', i);
    }
    // Targeting reads what only options.person knows: without it the check would hold the wrong people.
    if (!options.person && (e.targeting || e.predicate)) throw invalidInput('targeting needs person', 'experiments', i);
    return e.holdoutShare > 0;
  });
  const globalHeld = holdout === undefined ? undefined : Object.freeze({ held: true as const, experimentId: holdout.id, variantId: 'holdout' });
  return (subjectId, ctx) => {
    checkString(subjectId, 'subjectId');
    if (typeof ctx?.channel != 'string' || !Number.isFinite(ctx.now)) throw invalidInput('ctx must be { channel, now }', 'ctx');
    if (holdout !== undefined && isHeldOut(holdout, subjectId, ctx.now, ctx.channel)) return globalHeld!;
    const p = person(subjectId);
    const sticky = p?.sticky ?? [];
    if (!Array.isArray(sticky)) throw invalidInput('sticky must be an array', 'person');
    for (const e of experiments) {
      const d = e.definition;
      if (d.channels !== undefined && !d.channels.includes(ctx.channel)) continue;
      // (Campaign ids are non-empty strings: an undefined campaignId is in no list.)
      if (d.campaigns !== undefined && !d.campaigns.includes(ctx.campaignId!)) continue;
      const a = assign(e, subjectId, { ...p, now: ctx.now });
      // As enroll: a running experiment's stored variant (if it still exists) wins over the hash.
      if (!RUN_STATE_CODES.has(a.reason.code) && (stickyOutcome(e, sticky.find((r) => r?.experimentId === e.id)?.variantId) ?? a).held) {
        return { held: true, experimentId: e.id, variantId: HOLDOUT_VARIANT_ID };
      }
    }
    return NOT_HELD;
  };
}
