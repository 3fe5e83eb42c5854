import { expectObject } from '../core/guards.js';
import { atPath, CrossChannelError, inputError } from '../core/errors.js';
import type { Reason } from '../core/explain.js';
import type { EpochMs } from '../core/time.js';
import type { CapCandidate, CapHistory } from '../capping/evaluate.js';
import type { CapRuleSetInput, CompiledCapRules } from '../capping/rules.js';
import { bestSendTime, type BestSendTime } from './best.js';
import { checkModel } from './fit.js';
import { capsOption, type SendCaps } from './legal.js';
import { type TimingModel } from './model.js';

/**
 * The best-moment hook `decide` and journeys call (structural: neither side imports the other): the best moment
 * in `[max(from, now), from + horizonMs)` for a message on `channel`, with why, or `null` when the caps allow
 * none (or the window ended before `now`). `horizonMs` must be positive.
 *
 * @example
 * ```ts
 * declare const check: BestMomentCheck;
 * const now = Date.parse('2026-06-01T08:00:00Z');
 * const m = check('p1', { channel: 'email', from: now, horizonMs: 86_400_000, now, timeZone: 'Europe/Paris' });
 * ```
 */
export type BestMomentCheck = (
  subjectId: string,
  ctx: { channel: string; from: EpochMs; horizonMs: number; now: EpochMs; timeZone: string },
) => { at: EpochMs; reasons: Reason[] } | null;

/**
 * Options of {@link bestMomentCheck}.
 *
 * @example
 * ```ts
 * declare const histories: Map<string, CapHistory>;
 * const options: BestMomentCheckOptions = { caps: { rules: [] }, history: (id) => histories.get(id) };
 * ```
 */
export interface BestMomentCheckOptions {
  /** The caps every moment must respect (prepared once here). */
  readonly caps: SendCaps | CompiledCapRules | CapRuleSetInput;
  /** The person's history as capping counts it (synchronous: load it before the decision); none = empty. */
  readonly history: (subjectId: string) => CapHistory | undefined;
  /** The message's other fields as capping sees them (tags, campaign, priority). */
  readonly candidate?: Omit<CapCandidate, 'channel'> | undefined;
  /** Spacing of moments (default 15 minutes). */
  readonly resolution?: number | undefined;
}

const EMPTY: CapHistory = { contacts: [], responses: [] };

/**
 * Builds a {@link BestMomentCheck} from a model: each call runs `bestSendTime` over the hook's horizon with the
 * person's history and returns the chosen moment with its reasons (`TIMING_BEST_MOMENT`, `TIMING_PRIOR_ONLY`),
 * or `null` when no moment is legal.
 *
 * @example
 * ```ts
 * declare const model: TimingModel;
 * declare const histories: Map<string, CapHistory>;
 * const check = bestMomentCheck(model, { caps: { rules: [{ id: 'night', kind: 'quiet', ranges: [{ from: '21:00', to: '08:00' }] }] }, history: (id) => histories.get(id) });
 * ```
 */
export function bestMomentCheck(model: TimingModel, options: BestMomentCheckOptions): BestMomentCheck {
  checkModel(model);
  if (typeof options !== 'object' || options === null || typeof options.history !== 'function') {
    throw inputError('options.history must be a function returning the person’s history', ['history']);
  }
  const sendCaps = capsOption(options.caps);
  const { candidate, resolution } = options;
  return (subjectId, ctx) => {
    expectObject(ctx, ['ctx']);
    const { from, now, horizonMs } = ctx;
    // A `from` in the past means "from now on", to the same end: [now, from + horizonMs). A window already over
    // is still checked (one moment), then answers null.
    const past = typeof from === 'number' && typeof now === 'number' && typeof horizonMs === 'number' && horizonMs > 0 && from < now ? now - from : 0;
    let answer: BestSendTime;
    try {
      answer = bestSendTime(model, subjectId, {
        channel: ctx.channel,
        now,
        from: past ? now : from,
        horizon: past ? Math.max(horizonMs - past, 1) : horizonMs,
        timeZone: ctx.timeZone,
        caps: sendCaps,
        history: options.history(subjectId) ?? EMPTY,
        candidate,
        resolution,
        runnerUps: 0,
      });
    } catch (e) {
      // bestSendTime names the horizon `horizon`; the hook's caller passed `horizonMs`.
      throw e instanceof CrossChannelError && e.pathSegments[0] === 'horizon' ? atPath(e, ['horizonMs']) : e;
    }
    if (answer.best === null || past >= horizonMs) return null;
    return { at: answer.best.at, reasons: [...answer.reasons, ...answer.excluded.flatMap((e) => e.reasons)] };
  };
}
