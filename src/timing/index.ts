/**
 * `crosschannel/timing` — the best moment and the best channel for each person, inside the caps: a send-time
 * model over the 168 local hours of the week and a channel-affinity model, both shrunk person → segment →
 * population (empirical Bayes), updated per response, mergeable and serialisable; `bestSendTime`, which solves
 * the optimiser and the caps together; channel ranking by expected value; an offline replay evaluation; and the
 * `BestMomentCheck` hook for decide and journeys. Guide: [docs/timing.md](../../docs/timing.md).
 *
 * @example
 * ```ts
 * import { TimingModel, bestSendTime, compileSendCaps } from 'crosschannel/timing';
 *
 * declare const history: History;
 * const now = Date.parse('2026-06-01T06:00:00Z');
 * const model = new TimingModel({ channels: ['email', 'sms'], timeZone: 'Europe/Paris' });
 * model.observeContact({ subjectId: 'p1', channel: 'email', at: now - 86_400_000 }, now);
 * const caps = compileSendCaps({ rules: [{ id: 'night', kind: 'quiet', ranges: [{ from: '21:00', to: '08:00' }] }] });
 * bestSendTime(model, 'p1', { channel: 'email', now, horizon: '7d', caps, history }).best?.at;
 * ```
 * @packageDocumentation
 *
 * @document ../../docs/timing.md
 */
export type { TimingErrorCode, TimingReasonCode } from './errors.js';
export { HOURS_PER_WEEK, hourOfWeek } from './week.js';
export { MIN_CONCENTRATION, MAX_CONCENTRATION, MIN_UNITS, addUnit, addBinomialUnit, concentrationOf, type MomentSums } from './shrinkage.js';
export {
  TimingModel,
  timingModelOptionsSchema,
  type TimingModelOptions,
  type TimingModelOptionsInput,
  type TimingProfile,
  type TimingContact,
  type TimingResponse,
  type TimingModelJSON,
  type TimingFit,
} from './model.js';
export { refit, hourProfile, channelAffinity, type ChannelAffinity } from './fit.js';
export { parseTimingModel, safeParseTimingModel, timingModelJsonSchema } from './serialize.js';
export { compileSendCaps, isSendCaps, type SendCaps } from './legal.js';
export { bestSendTime, MAX_MOMENTS, type BestSendTimeOptions, type BestSendTime, type SendMoment } from './best.js';
export { rankChannels, affinityWeights, type ChannelEconomics, type RankChannelsOptions, type ChannelValue } from './channels.js';
export { bestMomentCheck, type BestMomentCheck, type BestMomentCheckOptions } from './hook.js';
export { evaluateReplay, replayEvaluation, type ReplayContact, type ReplayArm, type ReplayEvaluation, type ReplayOptions, type ReplayEvaluationOptions } from './replay.js';
