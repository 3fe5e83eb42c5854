import { expectObject } from '../core/guards.js';
import { atPath, CrossChannelError, inputError as bad, namingUnder, underPath } from '../core/errors.js';
import { checkHistoryArg } from '../core/record-checks.js';
import { MAX_EPOCH_MS, type EpochMs } from '../core/time.js';
import { checkModel, checkSubject, hourProfile, refit } from './fit.js';
import { checkAt, checkEpochMs, HISTORY_LISTS, TimingModel, type TimingContact, type TimingModelOptionsInput, type TimingProfile, type TimingResponse } from './model.js';
import { hourOfWeek } from './week.js';

/**
 * A held-out contact for replay: when it was sent, on which channel, and whether it got a response.
 *
 * @example
 * ```ts
 * const c: ReplayContact = { subjectId: 'p1', channel: 'email', sentAt: 1780300800000, responded: true };
 * ```
 */
export interface ReplayContact {
  readonly subjectId: string;
  readonly channel: string;
  readonly sentAt: EpochMs;
  readonly responded: boolean;
}

/**
 * Response rate of the contacts whose send time a policy would have chosen.
 *
 * @example
 * ```ts
 * const arm: ReplayArm = { matched: 412, responded: 97, rate: 0.235 };
 * ```
 */
export interface ReplayArm {
  readonly matched: number;
  readonly responded: number;
  readonly rate: number;
}

/**
 * Outcome of a replay: both arms, the lift of the model's moments over the fixed send time (`rate ratio − 1`)
 * and its confidence interval (log rate ratio, delta method), and the rate difference with a Wald interval.
 * When a cell of the 2 × 2 table (responded / not, per arm) is 0, ½ is added to all four cells (Haldane–Anscombe)
 * for both the lift and its interval, so the lift always lies inside its interval. `lift` is `null` when an arm
 * matched no contact.
 *
 * @example
 * ```ts
 * declare const r: ReplayEvaluation;
 * console.log(`lift ${(r.lift ?? 0) * 100}% [${r.liftInterval?.[0]}, ${r.liftInterval?.[1]}]`);
 * ```
 */
export interface ReplayEvaluation {
  readonly model: ReplayArm;
  readonly fixed: ReplayArm;
  readonly lift: number | null;
  readonly liftInterval: readonly [number, number] | null;
  readonly difference: number | null;
  readonly differenceInterval: readonly [number, number] | null;
  readonly confidence: number;
  /** Held-out contacts considered. */
  readonly contacts: number;
}

/**
 * Options of {@link evaluateReplay}: the fixed send time to beat (a local hour of the day, 0–23), how many hours
 * either side of a policy's hour still count as "sent when the policy would have" (default 0), and the
 * confidence level (default 0.95).
 *
 * @example
 * ```ts
 * const options: ReplayOptions = { fixedHour: 10, tolerance: 0 };
 * ```
 */
export interface ReplayOptions {
  readonly fixedHour: number;
  readonly tolerance?: number | undefined;
  readonly confidence?: number | undefined;
}

/**
 * Offline replay (Li et al.'s rejection method): for each local day, the model's policy picks the person's best
 * local hour of that day, and the baseline picks `fixedHour`; a contact counts for a policy when it was actually
 * sent in an hour the policy picks, or within `tolerance` hours of one (near midnight, the neighbouring day's
 * pick). With send times that did not depend on the person's habits (randomised, or rotated), each arm's
 * response rate is an unbiased estimate of what that policy would have got. The model must have been fitted on data before the held-out period.
 *
 * @example
 * ```ts
 * declare const model: TimingModel;
 * declare const heldOut: ReplayContact[];
 * const r = evaluateReplay(model, heldOut, { fixedHour: 10 });
 * r.lift; // e.g. 0.42: the model's moments answered 42% more often than 10:00
 * ```
 */
export function evaluateReplay(model: TimingModel, heldOut: Iterable<ReplayContact>, options: ReplayOptions): ReplayEvaluation {
  checkModel(model);
  expectObject(options, ['options']);
  const fixedHour = options.fixedHour;
  const tolerance = options.tolerance ?? 0;
  const confidence = options.confidence ?? 0.95;
  if (!Number.isInteger(fixedHour) || fixedHour < 0 || fixedHour > 23) throw bad('fixedHour must be an integer hour 0–23', ['fixedHour']);
  if (!Number.isInteger(tolerance) || tolerance < 0 || tolerance > 11) throw bad('tolerance must be an integer 0–11', ['tolerance']);
  if (typeof confidence !== 'number' || !(confidence > 0 && confidence < 1)) throw bad('confidence must be in (0, 1)', ['confidence']);
  checkIterable(heldOut, 'heldOut');
  const profile = new Float64Array(168);
  // Per local day of the week, the hour of the week the model's policy picks: its best hour of that day.
  const bestOfDay = new Uint8Array(7);
  let lastPerson: string | null = null;
  let mM = 0;
  let mR = 0;
  let fM = 0;
  let fR = 0;
  let n = 0;
  for (const c of heldOut) {
    // `responded` too: a 1 or a 'no' from plain JS would otherwise count silently as responded (truthy) or not.
    if (typeof c !== 'object' || c === null || typeof c.subjectId !== 'string' || !c.subjectId || !Number.isInteger(c.sentAt) || !(Math.abs(c.sentAt) <= MAX_EPOCH_MS) || typeof c.responded !== 'boolean') throw bad('each held-out contact needs subjectId, sentAt and a boolean responded', ['heldOut', n]);
    n++;
    if (c.subjectId !== lastPerson) {
      hourProfile(model, c.subjectId, profile);
      lastPerson = c.subjectId;
      for (let d = 0; d < 7; d++) {
        let best = d * 24;
        for (let h = best + 1; h < d * 24 + 24; h++) if (profile[h]! > profile[best]!) best = h;
        bestOfDay[d] = best;
      }
    }
    const zone = model.profileOf(c.subjectId)?.timeZone ?? model.options.timeZone;
    const how = hourOfWeek(c.sentAt, zone);
    // Sent within ± tolerance hours of an hour a policy picks: near midnight, the hour the model picks on the
    // neighbouring day (comparing with the same day's pick matched 23:00 to a 00:00 a day earlier).
    let inModel = false;
    let inFixed = false;
    for (let d = -tolerance; d <= tolerance; d++) {
      const h = (how + d + 168) % 168;
      if (bestOfDay[(h / 24) | 0] === h) inModel = true;
      if (h % 24 === fixedHour) inFixed = true;
    }
    if (inModel) {
      mM++;
      if (c.responded) mR++;
    }
    if (inFixed) {
      fM++;
      if (c.responded) fR++;
    }
  }
  const arm = (matched: number, responded: number): ReplayArm => ({ matched, responded, rate: matched === 0 ? 0 : responded / matched });
  const z = normalQuantile(1 - (1 - confidence) / 2);
  let lift: number | null = null;
  let liftInterval: readonly [number, number] | null = null;
  let difference: number | null = null;
  let differenceInterval: readonly [number, number] | null = null;
  if (mM > 0 && fM > 0) {
    const p1 = mR / mM;
    const p0 = fR / fM;
    difference = p1 - p0;
    const se = Math.sqrt((p1 * (1 - p1)) / mM + (p0 * (1 - p0)) / fM);
    differenceInterval = [difference - z * se, difference + z * se];
    // Log rate ratio (Katz), point and interval from the same cells: with a zero cell (no response, or no
    // non-response, in an arm), ½ is added to each of the four (Haldane–Anscombe), so each arm's total gains 1.
    const k = mR * fR * (mM - mR) * (fM - fR) === 0 ? 0.5 : 0;
    const a = mR + k;
    const b = mM + 2 * k;
    const c = fR + k;
    const d = fM + 2 * k;
    const ratio = (a / b) / (c / d);
    const seLog = Math.sqrt(1 / a - 1 / b + 1 / c - 1 / d);
    lift = ratio - 1;
    liftInterval = [ratio * Math.exp(-z * seLog) - 1, ratio * Math.exp(z * seLog) - 1];
  }
  return { model: arm(mM, mR), fixed: arm(fM, fR), lift, liftInterval, difference, differenceInterval, confidence, contacts: n };
}

/**
 * Options of {@link replayEvaluation}.
 *
 * @example
 * ```ts
 * const options: ReplayEvaluationOptions = { splitAt: Date.parse('2026-05-01T00:00:00Z'), now: Date.parse('2026-06-01T00:00:00Z'), fixedHour: 10 };
 * ```
 */
export interface ReplayEvaluationOptions extends ReplayOptions {
  /** Records before this instant train the model; contacts from it on are held out. */
  readonly splitAt: EpochMs;
  /** Evaluation time: records after it are rejected (`TIMING_FUTURE_RECORD`). */
  readonly now: EpochMs;
  /** Each person's zone and segment. */
  readonly profile?: ((subjectId: string) => TimingProfile | undefined) | undefined;
  /** Options of the model trained on the first part. */
  readonly model?: TimingModelOptionsInput | undefined;
}

/**
 * Splits histories by time, trains a model on the part before `splitAt`, and replays the held-out contacts
 * (a contact responded when an opened, clicked, accepted or converted response names it) against a fixed
 * send time: the whole offline evaluation in one call. Returns the trained model too.
 *
 * @example
 * ```ts
 * declare const histories: History[];
 * const { evaluation } = replayEvaluation(histories, { splitAt: Date.parse('2026-05-01T00:00:00Z'), now: Date.parse('2026-06-01T00:00:00Z'), fixedHour: 10 });
 * console.log(evaluation.lift, evaluation.liftInterval);
 * ```
 */
export function replayEvaluation(
  histories: Iterable<{ readonly subjectId: string; readonly contacts: ReadonlyArray<TimingContact & { readonly id: string }>; readonly responses: ReadonlyArray<TimingResponse> }>,
  options: ReplayEvaluationOptions,
): { readonly model: TimingModel; readonly evaluation: ReplayEvaluation } {
  expectObject(options, ['options']);
  const { splitAt, now, profile } = options;
  checkEpochMs(now, 'now');
  checkEpochMs(splitAt, 'splitAt');
  if (splitAt > now) throw bad('splitAt ≤ now must hold', ['splitAt']);
  if (profile !== undefined && typeof profile !== 'function') throw bad('profile must be a function', ['profile']);
  checkIterable(histories, 'histories');
  const model = namingUnder(['model'], () => new TimingModel(options.model ?? {}));
  const heldOut: ReplayContact[] = [];
  let i = 0;
  for (const h of histories) {
    const at = ['histories', i++];
    checkHistoryArg(h, at, HISTORY_LISTS, true);
    namingUnder(at, () => checkSubject(h.subjectId));
    const train = { subjectId: h.subjectId, contacts: h.contacts.filter((c) => c.at < splitAt), responses: [] as TimingResponse[] };
    try {
      const p = profile?.(h.subjectId);
      if (p !== undefined) model.setProfile(h.subjectId, p);
      const trainIds = new Set<string>();
      for (const c of train.contacts) trainIds.add(c.id);
      train.responses = h.responses.filter((r) => r.at < splitAt && r.contactId !== undefined && trainIds.has(r.contactId));
      model.observeHistory(train, now);
    } catch (e) {
      // observeHistory names a record by its place in the training part: name it by its place in the history.
      const [l, k, ...rest] = e instanceof CrossChannelError ? e.pathSegments : [];
      throw (l === 'contacts' || l === 'responses') && typeof k === 'number' ? atPath(e, [...at, l, (h[l] as unknown[]).indexOf(train[l][k]), ...rest]) : underPath(e, at);
    }
    const answered = new Set<string>();
    // A response after `now` is refused like a contact after it (it used to count its held-out contact as answered).
    h.responses.forEach((r, k) => {
      namingUnder([...at, 'responses', k], () => checkAt(r.at, now));
      if (r.contactId !== undefined && ENGAGED.has(r.kind)) answered.add(r.contactId);
    });
    h.contacts.forEach((c, k) => {
      if (c.at < splitAt) return;
      namingUnder([...at, 'contacts', k], () => checkAt(c.at, now));
      heldOut.push({ subjectId: h.subjectId, channel: c.channel, sentAt: c.at, responded: answered.has(c.id) });
    });
  }
  refit(model);
  return { model, evaluation: evaluateReplay(model, heldOut, options) };
}

const ENGAGED = new Set(['opened', 'clicked', 'accepted', 'converted']);

// Smaller, in this size-bound entry, than core's expectIterable (which carries its async variant).
function checkIterable(v: unknown, name: string): void {
  if (typeof (v as { [Symbol.iterator]?: unknown } | null)?.[Symbol.iterator] !== 'function') throw bad(`${name} must be iterable`, [name]);
}

/**
 * Standard normal quantile: Newton's method on Φ from 0, with Φ(x) = ½ + φ(x)·(x + x³/3 + x⁵/(3·5) + …)
 * (Marsaglia's series). Φ is concave above 0 and convex below, so each step stays on the root's side and the
 * iteration cannot overshoot. Exact to within what a double `p` can say: 1e-15 at the 95 % and 99 % levels, and an
 * error of a few ulps of `p` divided by the density in far tails (1e-11 at p = 1 − 1e-6). A tenth of the code of a
 * rational approximation's coefficient tables, in this size-bound entry.
 */
function normalQuantile(p: number): number {
  let x = 0;
  for (let i = 0, dx = 1; i < 200 && Math.abs(dx) > 1e-13; i++) {
    let t = x;
    let s = x;
    for (let k = 3; s + t !== s; k += 2) s += t *= (x * x) / k;
    const density = Math.exp((-x * x) / 2) / Math.sqrt(2 * Math.PI);
    x -= dx = (0.5 + density * s - p) / density;
  }
  return x;
}
