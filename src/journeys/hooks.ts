/**
 * Host hooks a journey's `send` steps consult. Both are structural (shared with `decide` and the experiments
 * and timing modules) so that neither side imports the other's internals.
 */
import type { Reason } from '../core/explain.js';
import type { EpochMs } from '../core/time.js';

/**
 * Is this person held out of a campaign by an experiment? A held person gets no marketing contact; the journey
 * records a "would have been sent" action instead (so the experiment can measure the lift).
 *
 * @example
 * ```ts
 * const holdout: HoldoutCheck = (subjectId) => (subjectId.endsWith('7') ? { held: true, experimentId: 'welcome-lift', variantId: 'holdout' } : { held: false });
 * ```
 */
export type HoldoutCheck = (
  subjectId: string,
  ctx: { channel: string; now: EpochMs; campaignId?: string },
) => { held: false } | { held: true; experimentId: string; variantId: string };

/**
 * When is the best moment to reach this person on this channel within `horizonMs` from `from`? `null`: no
 * legal moment in the horizon.
 *
 * @example
 * ```ts
 * const bestMoment: BestMomentCheck = (_subjectId, { from }) => ({ at: from + 2 * 3_600_000, reasons: [] });
 * ```
 */
export type BestMomentCheck = (
  subjectId: string,
  ctx: { channel: string; from: EpochMs; horizonMs: number; now: EpochMs; timeZone: string },
) => { at: EpochMs; reasons: Reason[] } | null;
