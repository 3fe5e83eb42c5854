/**
 * When a `wait` step ends: after a duration, at a date read from the profile, then at the next local time of
 * day on an allowed weekday in the person's zone.
 */
import { atPath, CrossChannelError, inputError } from '../core/errors.js';
import { isValidTimeZone, addLocal, fromLocalTime, localTime, MAX_EPOCH_MS, HOUR, type EpochMs } from '../core/time.js';
import { zoneOffsetMs } from '../core/zone.js';
import type { Profile } from '../segments/conditions.js';
import type { Step } from './definition.js';

type WaitStep = Extract<Step, { type: 'wait' }>;

/** @internal Throws `TIME_INVALID` at `path` unless `value` is epoch ms (a number within ±8.64e15). */
export function checkTime(value: unknown, ...path: string[]): asserts value is EpochMs {
  if (typeof value !== 'number' || !(Math.abs(value) <= MAX_EPOCH_MS)) throw new CrossChannelError('TIME_INVALID', `${path.join('.')} must be epoch milliseconds`, { path });
}

/**
 * The first instant ≥ `from` at which the local clock in `zone` shows `time` (HH:MM) on one of `weekdays`
 * (0 = Sunday; default every day).
 *
 * @example
 * ```ts
 * nextLocalTime(Date.parse('2026-03-06T15:00:00Z'), '10:00', [1, 2, 3, 4, 5], 'Europe/Paris'); // Monday 2026-03-09 09:00Z
 * ```
 */
export function nextLocalTime(from: EpochMs, time: string, weekdays: ReadonlyArray<number> | undefined, zone: string): EpochMs {
  checkTime(from, 'from');
  if (typeof time !== 'string' || !/^([01]\d|2[0-3]):[0-5]\d$/.test(time)) throw inputError('time must be HH:MM', ['time']);
  if (weekdays !== undefined && (!Array.isArray(weekdays) || weekdays.length === 0 || !weekdays.every((d) => Number.isInteger(d) && d >= 0 && d <= 6))) {
    throw inputError('weekdays must be a non-empty list of 0–6', ['weekdays']);
  }
  if (typeof zone !== 'string' || !isValidTimeZone(zone)) throw new CrossChannelError('TIMEZONE_INVALID', 'Unknown IANA time zone', { path: ['zone'] });
  const hour = Number(time.slice(0, 2));
  const minute = Number(time.slice(3, 5));
  try {
    const lt = localTime(from, zone);
    for (let d = 0; d <= 8; d++) {
      const weekday = (lt.weekday + d) % 7;
      if (weekdays !== undefined && !weekdays.includes(weekday)) continue;
      const at = fromLocalTime({ year: lt.year, month: lt.month, day: lt.day + d, hour, minute }, zone);
      if (at >= from) return at;
      // When the clock goes back, the reading comes again under the later offset (02:30 summer, then 02:30
      // winter time): from between the two, the second is next, not the same time a day later. A fold lasts an
      // hour today, but 23 hours on Kwajalein in 1969 (+11 to −12): the later offset is read 3 hours on, then 26.
      for (const probe of [3, 26]) {
        const again = at + zoneOffsetMs(at, zone) - zoneOffsetMs(at + probe * HOUR, zone);
        if (again >= from) {
          const l = localTime(again, zone);
          if (l.hour === hour && l.minute === minute) return again;
        }
      }
    }
  } catch (e) {
    // The other arguments are checked: what the calendar refuses is `from` (or its next days) outside the years
    // 1–9999, named as `from`, not as the calendar's own argument.
    throw atPath(e, ['from']);
  }
  // Unreachable with at least one weekday: eight days always contain it after `from`.
  return from;
}

/** Reads a dotted attribute path from a profile. */
export function readAttr(profile: Profile | undefined, path: string): unknown {
  let cur: unknown = profile;
  for (const seg of path.split('.')) {
    if (typeof cur !== 'object' || cur === null) return undefined;
    cur = (cur as Record<string, unknown>)[seg];
  }
  return cur;
}

function instantOf(v: unknown, zone: string): EpochMs | null {
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  if (typeof v !== 'string' || !/^\d{4}-\d{2}-\d{2}/.test(v)) return null;
  // A date alone, or a date and time without an offset, is a reading of the person's clock: Date.parse takes the
  // first as UTC midnight (a birthday in Los Angeles began at 17:00 the day before) and the second in the host's zone.
  const local = !/(z|[+-]\d\d(:?\d\d)?)$/i.test(v.slice(10));
  const t = Date.parse(local ? `${v.length === 10 ? `${v}T00:00` : v}Z` : v);
  return !Number.isFinite(t) ? null : local ? fromLocalTime(localTime(t, 'UTC'), zone) : t;
}

/** The person's zone: the profile attribute when it is a known zone, else the journey's. */
export function zoneOf(profile: Profile | undefined, attr: string, fallback: string): string {
  const z = readAttr(profile, attr);
  return typeof z === 'string' && isValidTimeZone(z) ? z : fallback;
}

/** `t` within the epoch range (±8.64e15 ms): a time computed past its end is held at the end. */
export function clampTime(t: EpochMs): EpochMs {
  return Math.max(-MAX_EPOCH_MS, Math.min(MAX_EPOCH_MS, t));
}

/**
 * When a wait step entered at `stepAt` ends, or `null` when it waits for a profile date the profile lacks (or holds
 * outside the epoch range). Past the end of the calendar (the year 9999 for a local time) it ends at the end of the
 * epoch range: never, in practice.
 */
export function waitEnd(step: WaitStep, stepAt: EpochMs, profile: Profile | undefined, zone: string): EpochMs | null {
  let at = stepAt;
  if (step.date) {
    try {
      const d = instantOf(readAttr(profile, step.date.attr), zone);
      if (d === null || !(Math.abs(d) <= MAX_EPOCH_MS)) return null;
      at = step.date.offsetMonths === 0 ? d : addLocal(d, step.date.offsetMonths, 'month', zone);
    } catch {
      return null;
    }
    at += step.date.offset ?? 0;
  }
  if (step.duration !== undefined) at += step.duration;
  at = clampTime(at);
  if (step.until) {
    try {
      at = nextLocalTime(at, step.until.time, step.until.weekdays, zone);
    } catch {
      at = at < 0 ? at : MAX_EPOCH_MS;
    }
  }
  return at;
}
