import { inputError } from '../core/errors.js';
import { expectArray, expectFunction, expectObject, expectObjects } from '../core/guards.js';
import { reason, type Reason } from '../core/explain.js';
import type { EpochMs } from '../core/time.js';

/**
 * The holdout hook decide honours (structural: `createHoldoutCheck` of `crosschannel/experiments` builds one,
 * and so can any code). A held person gets no marketing contact.
 *
 * @example
 * ```ts
 * const everyoneServed: DecideHoldoutCheck = () => ({ held: false });
 * ```
 */
export type DecideHoldoutCheck = (
  subjectId: string,
  ctx: { channel: string; now: EpochMs; campaignId?: string },
) => { held: false } | { held: true; experimentId: string; variantId: string };

/**
 * What the pipeline would have reserved, reported in the `DECIDE_HOLDOUT` reason.
 *
 * @example
 * ```ts
 * declare const result: DecideResult;
 * const held = result.reasons.find((r) => r.code === 'DECIDE_HOLDOUT');
 * const wouldHaveSent = (held?.detail?.wouldHaveSent ?? []) as WouldHaveSent[];
 * for (const o of wouldHaveSent) console.log(o.rank, o.offerId, o.score);
 * ```
 */
export interface WouldHaveSent {
  readonly offerId: string;
  readonly rank: number;
  readonly score: number;
}

/**
 * Asks the hook after capping, when decide knows what it *would* send: a held person gets no contact and the
 * `DECIDE_HOLDOUT` reason carries `experimentId`, `variantId` and `wouldHaveSent` (the offers, in slot order),
 * so the caller records the counterfactual ("would have been sent", e.g. with `wouldHaveSentEvent`). Returns
 * null when the person is not held. A hook that throws or answers garbage fails the decision closed.
 *
 * @example
 * ```ts
 * declare const hook: DecideHoldoutCheck;
 * declare const now: number;
 *
 * const r = holdoutReason(hook, 'p1', { channel: 'email', now }, [{ offerId: 'spring', rank: 1, score: 3 }]);
 * ```
 */
export function holdoutReason(
  hook: DecideHoldoutCheck | null,
  subjectId: string,
  ctx: { channel: string; now: EpochMs; campaignId?: string | undefined },
  offers: ReadonlyArray<WouldHaveSent>,
): Reason<'DECIDE_HOLDOUT'> | null {
  if (hook !== null) expectFunction(hook, ['hook']);
  expectObject(ctx, ['ctx']);
  expectArray(offers, ['offers']);
  expectObjects(offers, ['offers']);
  if (hook === null) return null;
  const answer: unknown = hook(subjectId, ctx.campaignId === undefined ? { channel: ctx.channel, now: ctx.now } : { channel: ctx.channel, now: ctx.now, campaignId: ctx.campaignId });
  const a = answer as { held?: unknown; experimentId?: unknown; variantId?: unknown } | null;
  if (typeof a !== 'object' || a === null || typeof a.held !== 'boolean') throw inputError('The holdout hook must answer { held: boolean, … }', ['holdout']);
  if (!a.held) return null;
  if (typeof a.experimentId !== 'string' || typeof a.variantId !== 'string') throw inputError('A held answer needs experimentId and variantId', ['holdout']);
  return reason('DECIDE_HOLDOUT', `In holdout ${a.experimentId}: no contact, ${offers.length} offer(s) would have been sent`, {
    rule: a.experimentId,
    detail: { experimentId: a.experimentId, variantId: a.variantId, wouldHaveSent: offers.map((o) => ({ offerId: o.offerId, rank: o.rank, score: o.score })) },
  });
}
