import { zoneOffsetMs } from '../core/zone.js';
import { CrossChannelError, quoted } from '../core/errors.js';
import { DAY, HOUR, MINUTE, isValidTimeZone, type EpochMs } from '../core/time.js';

/** Hours in a local week: the send-time model's slots, `weekday * 24 + hour` with weekday 0 = Sunday. */
export const HOURS_PER_WEEK = 168;

/**
 * The local hour of the week of instant `ms` in `zone`: `weekday * 24 + hour`, weekday 0 = Sunday (like
 * `localTime().weekday`). DST-correct: the hour is read on the local clock in force at that instant.
 *
 * @example
 * ```ts
 * hourOfWeek(Date.parse('2026-07-01T19:30:00Z'), 'Europe/Paris'); // 3 * 24 + 21 = 93 (Wednesday 21:30)
 * ```
 */
export function hourOfWeek(ms: EpochMs, zone: string): number {
  if (typeof ms !== 'number' || !Number.isSafeInteger(ms)) throw new CrossChannelError('TIME_INVALID', 'Expected integer epoch ms', { path: ['ms'] });
  if (!isValidTimeZone(zone)) throw new CrossChannelError('TIMEZONE_INVALID', `Unknown IANA time zone ${quoted(zone)}`, { path: ['zone'] });
  return wallHourOfWeek(ms + zoneOffsetMs(ms, zone));
}

/** @internal Hour of the week of a "wall" timestamp (local clock fields written as UTC). 1970-01-01 was a Thursday. */
export function wallHourOfWeek(wall: number): number {
  const day = Math.floor(wall / DAY);
  const weekday = (((day + 4) % 7) + 7) % 7;
  return weekday * 24 + Math.floor((wall - day * DAY) / HOUR);
}
