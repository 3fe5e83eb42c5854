import type { EpochMs } from '../core/time.js';
import { assign, isHeldOut } from './assign.js';
import { HOLDOUT_VARIANT_ID, isCompiledHoldout, type CompiledExperiment, type CompiledHoldout } from './config.js';
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
 * ```
 */
export function createHoldoutCheck(options: HoldoutCheckOptions): HoldoutCheck {
  if (typeof options !== 'object' || options === null) throw invalidInput('createHoldoutCheck takes { holdout?, experiments? }');
  const holdout = options.holdout;
  if (holdout !== undefined && !isCompiledHoldout(holdout)) throw invalidInput('holdout must come from parseHoldout', 'holdout');
  const experiments = (options.experiments ?? []).filter((e, i) => {
    if (typeof (e as { holdoutShare?: unknown } | null)?.holdoutShare !== 'number') {
      throw invalidInput('experiments must come from parseExperiment', 'experiments', i);
    }
    return e.holdoutShare > 0;
  });
  const globalHeld = holdout === undefined ? undefined : Object.freeze({ held: true as const, experimentId: holdout.id, variantId: 'holdout' });
  return (subjectId, ctx) => {
    checkString(subjectId, 'subjectId');
    if (typeof ctx?.channel != 'string' || !Number.isFinite(ctx.now)) throw invalidInput('ctx must be { channel, now }', 'ctx');
    if (holdout !== undefined && isHeldOut(holdout, subjectId, ctx.now, ctx.channel)) return globalHeld!;
    for (const e of experiments) {
      const d = e.definition;
      if (d.channels !== undefined && !d.channels.includes(ctx.channel)) continue;
      if (d.campaigns !== undefined && (ctx.campaignId === undefined || !d.campaigns.includes(ctx.campaignId))) continue;
      if (assign(e, subjectId, { now: ctx.now }).variantId === HOLDOUT_VARIANT_ID) return { held: true, experimentId: e.id, variantId: HOLDOUT_VARIANT_ID };
    }
    return NOT_HELD;
  };
}
