import { expectObject } from '../core/guards.js';
import { CrossChannelError, inputError as bad } from '../core/errors.js';
import { checkHistoryArg } from '../core/record-checks.js';
import { reason, type Reason } from '../core/explain.js';
import { MINUTE, assertTimeZone, durationToMs, isCalendarInstant, type DurationInput, type EpochMs } from '../core/time.js';
import type { CapCandidate, CapHistory } from '../capping/evaluate.js';
import type { CapReasonCode } from '../capping/errors.js';
import type { CapRuleSetInput, CompiledCapRules } from '../capping/rules.js';
import type { TimingErrorCode, TimingReasonCode } from './errors.js';
import { channelAffinity, checkModel, checkSubject, hourProfile } from './fit.js';
import { checkCandidate, checkCapRecords } from '../capping/check.js';
import { capsOption, legalSlots, slotReasons, type SendCaps } from './legal.js';
import { checkEpochMs, HISTORY_LISTS, type TimingModel } from './model.js';
import { HOURS_PER_WEEK } from './week.js';

/** Most moments one `bestSendTime` call searches (e.g. 200 days at 15 minutes). */
export const MAX_MOMENTS = 20_000;

/**
 * Options of {@link bestSendTime}.
 *
 * @example
 * ```ts
 * declare const history: CapHistory;
 * declare const sendCaps: SendCaps;
 * const now = Date.parse('2026-06-01T08:00:00Z');
 * const options: BestSendTimeOptions = { channel: 'email', now, horizon: '7d', caps: sendCaps, history, resolution: '15m' };
 * ```
 */
export interface BestSendTimeOptions {
  /** Channel of the message. */
  readonly channel: string;
  /** Decision time. */
  readonly now: EpochMs;
  /** First moment considered (default `now`; not before `now`). */
  readonly from?: EpochMs | undefined;
  /** How far after `from` to look (ms or a duration such as `'24h'`, `'7d'`): positive, ending by the year 9999. */
  readonly horizon: DurationInput;
  /** The caps the moment must respect: `compileSendCaps` output (fastest), compiled rules or a rule set. */
  readonly caps: SendCaps | CompiledCapRules | CapRuleSetInput;
  /** The person's contact and response history (what capping counts), each list sorted by `at` as capping requires. */
  readonly history: CapHistory;
  /** Spacing of the moments considered (default 15 minutes). */
  readonly resolution?: DurationInput | undefined;
  /** The person's zone (default: the model's profile of the person, else the model's default zone). */
  readonly timeZone?: string | undefined;
  /** The rest of the message as capping sees it: campaign, offer, tags, transactional, priority. */
  readonly candidate?: Omit<CapCandidate, 'channel'> | undefined;
  /** How many runner-up moments (in other local hours) to return (default 3). */
  readonly runnerUps?: number | undefined;
  /** How many better moments the caps excluded to explain (default 3). */
  readonly explain?: number | undefined;
}

/**
 * A moment and what the model expects of it: `score` is the person's probability of responding in that local
 * hour of the week (the 168 sum to 1); `expectedResponse` the channel's response rate times the hour's lift over
 * an average hour, capped at 1.
 *
 * @example
 * ```ts
 * const m: SendMoment = { at: 1780326000000, hourOfWeek: 43, score: 0.021, expectedResponse: 0.52 };
 * ```
 */
export interface SendMoment {
  readonly at: EpochMs;
  readonly hourOfWeek: number;
  readonly score: number;
  readonly expectedResponse: number;
}

/**
 * The answer of {@link bestSendTime}: the best legal moment (or `null`), runner-ups in other hours, the better
 * moments the caps excluded with capping's reasons, and the answer's own reasons.
 *
 * @example
 * ```ts
 * declare const answer: BestSendTime;
 * if (answer.best === null) console.log(answer.reasons[0]?.code); // 'TIMING_NO_LEGAL_MOMENT'
 * for (const e of answer.excluded) console.log(new Date(e.at).toISOString(), e.reasons.map((r) => r.code));
 * ```
 */
export interface BestSendTime {
  readonly subjectId: string;
  readonly channel: string;
  readonly timeZone: string;
  readonly best: SendMoment | null;
  /**
   * The next best allowed moments, best first: the first allowed moment of each other local clock hour of the
   * horizon, so with a horizon over 7 days the best's hour of the week, a week later, can be one of them.
   */
  readonly runnerUps: ReadonlyArray<SendMoment>;
  /** Moments in hours that score better than `best` where the caps allow nothing, best first. */
  readonly excluded: ReadonlyArray<SendMoment & { readonly reasons: ReadonlyArray<Reason<CapReasonCode>> }>;
  readonly reasons: ReadonlyArray<Reason<TimingReasonCode>>;
  /** True when the person has no response history: the hours are the segment's or the population's. */
  readonly priorOnly: boolean;
}

/**
 * The best moment to send within `horizon`: among the moments the caps allow — quiet hours, minimum gaps,
 * rolling and local calendar limits, cooldowns, in the person's zone and across DST — the one in the local hour
 * of the week where the person is most likely to respond (earliest on ties). Caps and optimiser are solved
 * together: each rule's blocked intervals are derived once from the history (not by evaluating caps per moment),
 * so a week at 15-minute resolution under 6 rules costs microseconds. Also returns runner-ups in other hours and
 * the better hours the caps excluded, with capping's reason codes.
 *
 * A person without history gets the prior-only answer (their segment's or the population's hours,
 * `priorOnly: true`). Throws `INPUT_INVALID` (bad options; a horizon ≤ 0), `TIME_INVALID` (also at `horizon`
 * when `from + horizon` passes the year 9999), `TIMEZONE_INVALID`,
 * `TIMING_UNKNOWN_CHANNEL`, `TIMING_HORIZON_TOO_LARGE` (over {@link MAX_MOMENTS} moments).
 *
 * @example
 * ```ts
 * declare const model: TimingModel;
 * declare const history: History;
 * const sendCaps = compileSendCaps({ rules: [{ id: 'night', kind: 'quiet', ranges: [{ from: '21:00', to: '08:00' }] }] });
 * const answer = bestSendTime(model, 'p1', { channel: 'email', now: Date.parse('2026-06-01T06:00:00Z'), horizon: '24h', caps: sendCaps, history });
 * answer.best?.at; // the best moment outside 21:00–08:00 local time
 * ```
 */
export function bestSendTime(model: TimingModel, subjectId: string, options: BestSendTimeOptions): BestSendTime {
  checkModel(model);
  checkSubject(subjectId);
  expectObject(options, ['options']);
  const { channel, now } = options;
  checkEpochMs(now, 'now');
  const from = options.from ?? now;
  checkEpochMs(from, 'from');
  if (from < now) throw bad('from must not be before now', ['from']);
  const horizon = durationToMs(options.horizon, ['horizon']);
  if (!(horizon > 0)) throw bad('horizon must be positive', ['horizon']);
  const step = options.resolution === undefined ? 15 * MINUTE : durationToMs(options.resolution, ['resolution']);
  if (!(step >= MINUTE) || !Number.isInteger(step)) throw bad('resolution must be a whole number of ms, at least one minute', ['resolution']);
  const count = Math.ceil(horizon / step);
  if (count > MAX_MOMENTS) {
    throw new CrossChannelError<TimingErrorCode>('TIMING_HORIZON_TOO_LARGE', `${count} moments asked, at most ${MAX_MOMENTS} per call`, { path: ['horizon'], detail: { moments: count } });
  }
  if (!isCalendarInstant(from + horizon - 1)) throw new CrossChannelError<TimingErrorCode>('TIME_INVALID', 'horizon must end by the year 9999', { path: ['horizon'] });
  const history = options.history;
  checkHistoryArg(history, ['history'], HISTORY_LISTS, false);
  const runnerUps = options.runnerUps ?? 3;
  const explainN = options.explain ?? 3;
  if (!Number.isInteger(runnerUps) || runnerUps < 0 || runnerUps > 100) throw bad('runnerUps must be an integer in 0..100', ['runnerUps']);
  if (!Number.isInteger(explainN) || explainN < 0 || explainN > 100) throw bad('explain must be an integer in 0..100', ['explain']);
  const zone = options.timeZone ?? model.profileOf(subjectId)?.timeZone ?? model.options.timeZone;
  assertTimeZone(zone, ['timeZone']);
  const affinity = channelAffinity(model, subjectId, channel);
  const sendCaps = capsOption(options.caps);
  const candidate: CapCandidate = { ...options.candidate, channel };
  checkCandidate(candidate);

  // The profile and the slot grid live only during this call (it calls no user code): both reuse the model's
  // storage instead of two buffers outside the JavaScript heap per call.
  const profile = hourProfile(model, subjectId, (model.bestProfile ??= new Float64Array(HOURS_PER_WEEK)));
  const row = model.index.get(subjectId);
  const priorOnly = row === undefined || model.totals[row] === 0;
  const lift = affinity.responseRate * HOURS_PER_WEEK;
  if (model.bestGrid.byteLength < count * 12) model.bestGrid = new ArrayBuffer(count * 12);
  // Every record as capping checks it (one pass, no allocation): the windows are found by binary search and the
  // rolling limit reads newest last, so an unsorted list would silently allow a moment `evaluateCaps` refuses.
  checkCapRecords(history, ['history']);
  const grid = legalSlots(sendCaps, history, candidate, zone, from, step, count, model.bestGrid);

  // One entry per local clock hour: its first allowed moment, or (none allowed) its first moment.
  const keep = runnerUps + 1;
  const top: number[] = [];
  const blockedTop: number[] = [];
  let runHour = Number.NaN;
  let runFirst = -1;
  let runAllowed = -1;
  for (let k = 0; k < count; k++) {
    const wh = grid.wallHour[k]!;
    if (wh !== runHour) {
      closeHour(top, blockedTop, runFirst, runAllowed, keep, explainN, grid.hourOfWeek, profile);
      runHour = wh;
      runFirst = k;
      runAllowed = -1;
    }
    if (runAllowed < 0 && grid.allowed[k] === 1) runAllowed = k;
  }
  closeHour(top, blockedTop, runFirst, runAllowed, keep, explainN, grid.hourOfWeek, profile);

  const best = top.length > 0 ? momentAt(grid, profile, step, lift, top[0]!) : null;
  const excluded = blockedTop
    .filter((k) => best === null || profile[grid.hourOfWeek[k]!]! > best.score)
    .map((k) => ({ ...momentAt(grid, profile, step, lift, k), reasons: slotReasons(sendCaps, grid, candidate, zone, k) }));
  const reasons: Reason<TimingReasonCode>[] = [];
  if (best === null) {
    reasons.push(reason('TIMING_NO_LEGAL_MOMENT', `The caps allow no ${channel} message between ${new Date(from).toISOString()} and ${new Date(from + horizon).toISOString()}`, { detail: { from, horizonMs: horizon } }));
  } else {
    const day = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'][Math.floor(best.hourOfWeek / 24)]!;
    reasons.push(
      reason('TIMING_BEST_MOMENT', `Best legal moment: ${day} ${String(best.hourOfWeek % 24).padStart(2, '0')}:00 hour in ${zone}, expected response ${best.expectedResponse.toFixed(3)}`, {
        detail: { at: best.at, hourOfWeek: best.hourOfWeek, score: best.score, expectedResponse: best.expectedResponse, excludedBetter: excluded.length },
      }),
    );
  }
  if (priorOnly) reasons.push(reason('TIMING_PRIOR_ONLY', `${subjectId} has no response history: hours of their segment or the population`, { detail: { subjectId } }));
  return { subjectId, channel, timeZone: zone, best, runnerUps: top.slice(1).map((k) => momentAt(grid, profile, step, lift, k)), excluded, reasons, priorOnly };
}

/** Closes one local clock hour of the grid: its first allowed moment joins `top`, or (none allowed) its first moment `blockedTop`. */
function closeHour(top: number[], blockedTop: number[], first: number, allowed: number, keep: number, explainN: number, hours: Uint8Array, profile: Float64Array): void {
  if (first < 0) return;
  if (allowed >= 0) insertTop(top, allowed, keep, hours, profile);
  else insertTop(blockedTop, first, explainN, hours, profile);
}

/** Slot `k` of the grid as a send moment. */
function momentAt(grid: { readonly start: number; readonly hourOfWeek: Uint8Array }, profile: Float64Array, step: number, lift: number, k: number): SendMoment {
  const h = grid.hourOfWeek[k]!;
  const score = profile[h]!;
  return { at: grid.start + k * step, hourOfWeek: h, score, expectedResponse: Math.min(1, lift * score) };
}

/** Inserts slot `k` into `list` (best score first, earlier slot first on ties), keeping at most `max`. */
function insertTop(list: number[], k: number, max: number, hours: Uint8Array, profile: Float64Array): void {
  if (max === 0) return;
  const s = profile[hours[k]!]!;
  let i = list.length;
  while (i > 0 && profile[hours[list[i - 1]!]!]! < s) i--;
  if (i >= max) return;
  list.splice(i, 0, k);
  if (list.length > max) list.pop();
}
