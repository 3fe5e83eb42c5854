import { inputError } from '../core/errors.js';
import { reason, type Reason } from '../core/explain.js';
import type { EpochMs } from '../core/time.js';
import { compiledDecideConfig, type DecideConfig, type DecideConfigInput } from './config.js';
import { decide } from './pipeline.js';
import { parseDecideRequest, type DecideResult } from './request.js';
import type { DecideStores } from './stores.js';

/**
 * The best-moment hook (structural, the same shape `crosschannel/timing`'s `bestMomentCheck` returns; decide
 * never imports timing): the best moment in `[from, from + horizonMs)`, or `null` when the caps allow none.
 *
 * @example
 * ```ts
 * const atNine: DecideBestMoment = (_id, ctx) => ({ at: ctx.from + 3_600_000, reasons: [] });
 * ```
 */
export type DecideBestMoment = (
  subjectId: string,
  ctx: { channel: string; from: EpochMs; horizonMs: number; now: EpochMs; timeZone: string },
) => { at: EpochMs; reasons: ReadonlyArray<Reason> } | null;

/**
 * The answer of {@link decideScheduled}: the moment chosen (or `null`), why, and the decision taken as of that
 * moment (its contact reserved in the shared history at that time), or `null` when no moment was legal.
 *
 * @example
 * ```ts
 * declare const s: ScheduledDecision;
 * if (s.decision?.contact) console.log('send at', new Date(s.scheduledAt!).toISOString(), s.decision.offers[0]?.offerId);
 * ```
 */
export interface ScheduledDecision {
  readonly scheduledAt: EpochMs | null;
  readonly reasons: ReadonlyArray<Reason>;
  readonly decision: DecideResult | null;
}

/**
 * `decide` for an outbound campaign at the person's best moment: asks `bestMoment` for the best legal moment in
 * the next `horizonMs` after the request's `now` (in the request's zone, else the configured one), then runs the
 * whole decision as of that moment — consent, segments, arbitration, caps, and an atomic reservation of the
 * contact at that time, which every other channel's caps then count. Outbound campaigns know whom they target,
 * so the caller passes the profile id (`subjectId`) the hook needs. No legal moment: no decision, reason
 * `DECIDE_NO_MOMENT` (with the hook's reasons). An answer that is neither `null` nor `{ at, reasons }` with `at` in
 * `[now, now + horizonMs)` is `INPUT_INVALID` at `bestMoment`, before anything is written.
 *
 * @example
 * ```ts
 * declare const stores: DecideStores;
 * declare const config: DecideConfig;
 * declare const bestMoment: DecideBestMoment; // e.g. bestMomentCheck(model, { caps, history }) from crosschannel/timing
 * const s = await decideScheduled(
 *   { requestId: 'spring-p42', identifiers: [{ type: 'crm_id', value: 'p42' }], channel: 'email', now: Date.parse('2026-03-02T07:00:00Z') },
 *   stores, config, bestMoment, { subjectId: 'p42', horizonMs: 86_400_000 },
 * );
 * ```
 */
export async function decideScheduled(
  request: unknown,
  stores: DecideStores,
  configInput: DecideConfig | DecideConfigInput,
  bestMoment: DecideBestMoment,
  options: { readonly subjectId: string; readonly horizonMs: number },
): Promise<ScheduledDecision> {
  const config = compiledDecideConfig(configInput);
  const req = parseDecideRequest(request as Parameters<typeof parseDecideRequest>[0]);
  if (typeof bestMoment !== 'function') throw inputError('bestMoment must be a function', ['bestMoment']);
  if (typeof options !== 'object' || options === null || typeof options.subjectId !== 'string' || options.subjectId.length === 0) {
    throw inputError('options.subjectId must be the targeted profile id', ['subjectId']);
  }
  const horizonMs = options.horizonMs;
  if (typeof horizonMs !== 'number' || !Number.isFinite(horizonMs) || horizonMs <= 0) throw inputError('options.horizonMs must be a positive number of ms', ['horizonMs']);
  const moment = bestMoment(options.subjectId, { channel: req.channel, from: req.now, horizonMs, now: req.now, timeZone: req.timeZone ?? config.timeZone });
  if (moment === null) {
    return { scheduledAt: null, reasons: [reason('DECIDE_NO_MOMENT', `No legal moment for ${req.channel} in the next ${horizonMs} ms`, { detail: { from: req.now, horizonMs } })], decision: null };
  }
  // A hook's answer of the wrong shape, or a moment outside the horizon asked, is refused before anything is written.
  const at = (moment as { at?: unknown } | undefined)?.at;
  if (typeof at !== 'number' || !(at >= req.now && at < req.now + horizonMs) || !Array.isArray(moment.reasons)) {
    throw inputError('bestMoment must answer null or { at, reasons }, at in [now, now + horizonMs)', ['bestMoment']);
  }
  const decision = await decide({ ...(request as Record<string, unknown>), requestId: req.requestId, now: at }, stores, config);
  return { scheduledAt: at, reasons: [...moment.reasons], decision };
}
