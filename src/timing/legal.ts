import { reason, type Reason } from '../core/explain.js';
import { lowerBoundAt } from '../core/records.js';
import { DAY, HOUR, MINUTE, calendarWindow, type EpochMs } from '../core/time.js';
import { zoneOffsetMs } from '../core/zone.js';
// `counts`, `samePer` and `inScope` are capping's own tests: the contacts and responses a rule counts (checked
// once per rule that `appliesTo` the candidate, as the evaluator does).
import { appliesTo, counts, effectiveLimit, inScope, samePer, type CapCandidate, type CapHistory } from '../capping/evaluate.js';
import type { CapReasonCode } from '../capping/errors.js';
import { quietAt } from '../capping/quiet.js';
import { parseCapRules, type CompiledCapRule, type CompiledCapRules } from '../capping/rules.js';
import { namingUnder } from '../core/errors.js';

const MINUTES_PER_WEEK = 7 * 1440;
const BRAND = Symbol.for('crosschannel.timing.sendCaps');

/**
 * Cap rules prepared for searching many moments at once: the compiled rules plus, per quiet rule, a bitmap of
 * the 10,080 local minutes of the week (built on first use and kept on this object). Build once with
 * {@link compileSendCaps} and reuse; `bestSendTime` also accepts plain or compiled rules and prepares them per
 * call (slower).
 *
 * @example
 * ```ts
 * const sendCaps: SendCaps = compileSendCaps({ rules: [{ id: 'night', kind: 'quiet', ranges: [{ from: '21:00', to: '08:00' }] }] });
 * ```
 */
export interface SendCaps {
  readonly [BRAND]: true;
  readonly caps: CompiledCapRules;
  /** @internal Quiet minutes of the week per rule index (undefined for other kinds, or not built yet). */
  readonly quietMinutes: Array<Uint8Array | undefined>;
}

/**
 * Prepares cap rules (a rule set, or `parseCapRules` output) for `bestSendTime`. Throws `CONFIG_INVALID` like
 * `parseCapRules`.
 *
 * @example
 * ```ts
 * const sendCaps = compileSendCaps(parseCapRules({ rules: [{ id: 'day', kind: 'limit', limit: 1, window: 'day' }] }));
 * ```
 */
export function compileSendCaps(caps: unknown): SendCaps {
  if (isSendCaps(caps)) return caps;
  const compiled = parseCapRules(caps as Parameters<typeof parseCapRules>[0]);
  return { [BRAND]: true, caps: compiled, quietMinutes: compiled.rules.map(() => undefined) };
}

/** @internal {@link compileSendCaps} of a `caps` option: its errors are named under `caps`. */
export const capsOption = (caps: unknown): SendCaps => namingUnder(['caps'], () => compileSendCaps(caps));

/**
 * True when `value` came out of {@link compileSendCaps}.
 *
 * @example
 * ```ts
 * isSendCaps(compileSendCaps({ rules: [] })); // true
 * ```
 */
export function isSendCaps(value: unknown): value is SendCaps {
  return typeof value === 'object' && value !== null && (value as { [BRAND]?: unknown })[BRAND] === true;
}

/** @internal Moments `start + i * step` (i < count), whether the caps allow each, and their local hour of week. */
export interface SlotGrid {
  readonly start: EpochMs;
  readonly step: number;
  readonly count: number;
  /** 1 when the caps allow the candidate at that moment. */
  readonly allowed: Uint8Array;
  /** Local hour of the week (Sunday 00:00 = 0) of each moment. */
  readonly hourOfWeek: Uint8Array;
  /** Local wall-clock hour index (hours since the epoch on the local clock): moments sharing it are "the same hour". */
  readonly wallHour: Float64Array;
  /** Per applicable non-quiet rule index: blocked intervals [start, end) as flat pairs. */
  readonly blocked: ReadonlyArray<ReadonlyArray<number> | undefined>;
}

/** Writes the local clock of moment `k` (`wall`: its local wall time as epoch ms) into the grid's columns. */
function writeClock(wallHour: Float64Array, minuteOfWeek: Uint16Array, hourOfWeek: Uint8Array, k: number, wall: number): void {
  const day = Math.floor(wall / DAY);
  const weekday = (((day + 4) % 7) + 7) % 7;
  const minute = Math.floor((wall - day * DAY) / MINUTE);
  minuteOfWeek[k] = weekday * 1440 + minute;
  hourOfWeek[k] = weekday * 24 + Math.floor(minute / 60);
  wallHour[k] = Math.floor(wall / HOUR);
}

/**
 * @internal Which of the moments `start + i * step` (i < count) the caps allow for `candidate`, each decided
 * exactly as `evaluateCaps` would at that moment with the same history — without evaluating per moment: each
 * rule's blocked intervals follow from the history alone (calendar windows holding `limit` contacts, the span
 * before the `limit`-th newest contact leaves a rolling window, ± `minGap` around contacts, until a cooldown
 * ends), quiet hours from a minute-of-week bitmap, and local times from the zone's offset runs.
 */
export function legalSlots(
  sendCaps: SendCaps,
  history: CapHistory,
  candidate: CapCandidate,
  zone: string,
  start: EpochMs,
  step: number,
  count: number,
  scratch?: ArrayBuffer,
): SlotGrid {
  const caps = sendCaps.caps;
  // One backing store for the four columns: allocating a typed array costs about a microsecond, the views less.
  // A caller that uses the grid only until its next call passes a reused `scratch` of at least count · 12 bytes.
  const buffer = scratch !== undefined && scratch.byteLength >= count * 12 ? scratch : new ArrayBuffer(count * 12);
  const wallHour = new Float64Array(buffer, 0, count);
  const minuteOfWeek = new Uint16Array(buffer, count * 8, count);
  const allowed = new Uint8Array(buffer, count * 10, count).fill(1);
  const hourOfWeek = new Uint8Array(buffer, count * 11, count);
  const end = start + step * count;
  // Local clock of every moment, walking the zone's offset in 6-hour runs (a change is located by bisection).
  let i = 0;
  let carried = zoneOffsetMs(start, zone);
  for (let runStart = start; i < count; ) {
    const runEnd = Math.min(runStart + 6 * HOUR, end);
    const off0 = carried;
    const off1 = zoneOffsetMs(runEnd, zone);
    carried = off1;
    let change = runEnd + 1;
    if (off0 !== off1) {
      let lo = runStart;
      let hi = runEnd;
      while (hi - lo > 1) {
        const mid = Math.floor((lo + hi) / 2);
        if (zoneOffsetMs(mid, zone) === off0) lo = mid;
        else hi = mid;
      }
      change = hi;
    }
    // Moments before the change (if any), then after it: within each part the offset is constant, so with a
    // whole-minute step the local clock only advances; one division per part, additions after that.
    for (let part = 0; part < 2 && i < count; part++) {
      const off = part === 0 ? off0 : off1;
      const partEnd = part === 0 ? Math.min(runEnd, change - 1) : runEnd;
      let t = start + i * step;
      if (t > partEnd) continue;
      let wall = t + off;
      if (step % MINUTE !== 0) {
        for (; i < count && t <= partEnd; i++, t += step, wall += step) writeClock(wallHour, minuteOfWeek, hourOfWeek, i, wall);
        continue;
      }
      writeClock(wallHour, minuteOfWeek, hourOfWeek, i, wall);
      let mow = minuteOfWeek[i]!;
      let wh = wallHour[i]!;
      let minuteOfHour = Math.floor((wall - wh * HOUR) / MINUTE);
      const stepMinutes = step / MINUTE;
      // Exact while the wall time stays on whole minutes past the first moment's minute.
      const sub = wall - (wh * HOUR + minuteOfHour * MINUTE);
      for (i++, t += step; i < count && t <= partEnd; i++, t += step) {
        if (sub !== 0 || stepMinutes >= 60) {
          wall = t + off;
          writeClock(wallHour, minuteOfWeek, hourOfWeek, i, wall);
          continue;
        }
        mow += stepMinutes;
        if (mow >= 10_080) mow -= 10_080;
        minuteOfHour += stepMinutes;
        while (minuteOfHour >= 60) {
          minuteOfHour -= 60;
          wh++;
        }
        minuteOfWeek[i] = mow;
        hourOfWeek[i] = (mow / 60) | 0;
        wallHour[i] = wh;
      }
    }
    runStart = runEnd;
  }
  const rules = caps.rules;
  const blocked: Array<number[] | undefined> = rules.map(() => undefined);
  for (let r = 0; r < rules.length; r++) {
    const rule = rules[r]!;
    if (!appliesTo(rule, candidate)) continue;
    if (rule.kind === 'quiet') {
      const bitmap = quietBitmap(sendCaps, r);
      for (let k = 0; k < count; k++) if (bitmap[minuteOfWeek[k]!] === 1) allowed[k] = 0;
      continue;
    }
    const intervals = blockedIntervals(rule, history, candidate, zone, start, end);
    blocked[r] = intervals;
    for (let j = 0; j < intervals.length; j += 2) {
      const from = Math.max(0, Math.ceil((intervals[j]! - start) / step));
      const to = Math.min(count, Math.ceil((intervals[j + 1]! - start) / step));
      for (let k = from; k < to; k++) allowed[k] = 0;
    }
  }
  return { start, step, count, allowed, hourOfWeek, wallHour, blocked };
}

/**
 * @internal The capping reasons that exclude moment `t` (slot `k` of `grid`): the same codes and rule ids as
 * `evaluateCaps`, from the intervals already computed.
 */
export function slotReasons(sendCaps: SendCaps, grid: SlotGrid, candidate: CapCandidate, zone: string, k: number): Reason<CapReasonCode>[] {
  const out: Reason<CapReasonCode>[] = [];
  const t = grid.start + k * grid.step;
  const rules = sendCaps.caps.rules;
  for (let r = 0; r < rules.length; r++) {
    const rule = rules[r]!;
    if (!appliesTo(rule, candidate)) continue;
    const label = rule.source.description ?? rule.id;
    if (rule.kind === 'quiet') {
      const lt = t + zoneOffsetMs(t, zone);
      const day = Math.floor(lt / DAY);
      if (quietAt(rule.ranges, (((day + 4) % 7) + 7) % 7, Math.floor((lt - day * DAY) / MINUTE))) out.push(reason('CAP_QUIET_HOURS', `${label}: quiet hours in ${zone}`, { rule: rule.id, detail: { timeZone: zone } }));
      continue;
    }
    const iv = grid.blocked[r];
    if (iv === undefined) continue;
    for (let j = 0; j < iv.length; j += 2) {
      if (iv[j]! <= t && t < iv[j + 1]!) {
        const until = Number.isFinite(iv[j + 1]!) ? iv[j + 1]! : null;
        const code: CapReasonCode = rule.kind === 'limit' ? 'CAP_LIMIT_REACHED' : rule.kind === 'gap' ? 'CAP_MIN_GAP' : 'CAP_COOLDOWN';
        const text = rule.kind === 'limit' ? `${label}: ${effectiveLimit(rule, candidate)} contacts already in the window` : rule.kind === 'gap' ? `${label}: too close to another contact` : `${label}: cooling down after a ${rule.cooldownKinds.join('/')} response`;
        out.push(reason(code, text, { rule: rule.id, detail: { until } }));
        break;
      }
    }
  }
  return out;
}

function quietBitmap(sendCaps: SendCaps, r: number): Uint8Array {
  let bitmap = sendCaps.quietMinutes[r];
  if (bitmap === undefined) {
    const rule = sendCaps.caps.rules[r]!;
    bitmap = new Uint8Array(MINUTES_PER_WEEK);
    for (let d = 0; d < 7; d++) for (let m = 0; m < 1440; m++) if (rule.alwaysQuiet || quietAt(rule.ranges, d, m)) bitmap[d * 1440 + m] = 1;
    sendCaps.quietMinutes[r] = bitmap;
  }
  return bitmap;
}

const ALWAYS = [Number.NEGATIVE_INFINITY, Number.POSITIVE_INFINITY];

/** Blocked intervals [start, end) of one applicable limit, gap or cooldown rule that meet [from, to). */
function blockedIntervals(rule: CompiledCapRule, h: CapHistory, cand: CapCandidate, zone: string, from: EpochMs, to: EpochMs): number[] {
  const contacts = h.contacts;
  const out: number[] = [];
  switch (rule.kind) {
    case 'limit': {
      const limit = effectiveLimit(rule, cand);
      if (limit <= 0) return ALWAYS;
      const win = rule.window!;
      if (win.type === 'rolling') {
        // Contacts dated after a moment still count at it, so the count only falls: blocked until the limit-th
        // newest counted contact leaves the window.
        let seen = 0;
        for (let i = contacts.length - 1; i >= 0; i--) {
          const c = contacts[i]!;
          if (counts(rule, c, cand) && ++seen === limit) {
            out.push(Number.NEGATIVE_INFINITY, c.at + win.ms);
            break;
          }
        }
        return out;
      }
      const lookback = win.unit === 'day' ? 2 * DAY : win.unit === 'week' ? 8 * DAY : 32 * DAY;
      let wStart = Number.NaN;
      let wEnd = Number.NaN;
      let n = 0;
      for (let i = lowerBoundAt(contacts, from - lookback); i < contacts.length; i++) {
        const c = contacts[i]!;
        if (c.at >= to + lookback) break;
        if (!counts(rule, c, cand)) continue;
        if (!(c.at >= wStart && c.at < wEnd)) {
          if (n >= limit) out.push(wStart, wEnd);
          const w = calendarWindow(c.at, win.unit, zone, { weekStartsOn: win.weekStartsOn });
          wStart = w.start;
          wEnd = w.end;
          n = 0;
        }
        n++;
      }
      if (n >= limit) out.push(wStart, wEnd);
      return out;
    }
    case 'gap': {
      const g = rule.minGap;
      for (let i = lowerBoundAt(contacts, from - g); i < contacts.length; i++) {
        const c = contacts[i]!;
        if (c.at >= to + g) break;
        if (counts(rule, c, cand)) out.push(c.at - g + 1, c.at + g);
      }
      return out;
    }
    case 'cooldown': {
      const d = rule.cooldownMs;
      const responses = h.responses;
      let until = Number.NEGATIVE_INFINITY;
      for (let i = 0; i < responses.length; i++) {
        const r = responses[i]!;
        if (!rule.cooldownKinds.includes(r.kind) || !samePer(rule, r, cand) || !inScope(rule, r.channel, r.campaignId, r.offerId, r.tags)) continue;
        if (d === Number.POSITIVE_INFINITY) return ALWAYS;
        if (r.at + d > until) until = r.at + d;
      }
      if (until > from) out.push(Number.NEGATIVE_INFINITY, until);
      return out;
    }
    case 'quiet':
      return out;
  }
}
