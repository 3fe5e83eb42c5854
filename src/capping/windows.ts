import { CrossChannelError, inputError, quoted } from '../core/errors.js';
import { assertTimeZone, calendarWindow, isCalendarInstant, type EpochMs, type TimeWindow } from '../core/time.js';
import type { CompiledCapRule, CompiledCapRules } from './rules.js';

// A compiled rule set memoises the current calendar windows of at most this many zones (21 unit × week-start
// slots each, WAYS windows per slot); beyond that it starts over, so a long-lived rule set keeps a bounded footprint.
const MEMO_LIMIT = 512;
const WAYS = 4;

/**
 * The local calendar window of a limit rule that contains `t`, in `zone`. Memoised on the compiled rule set:
 * evaluating 100k subjects at the same instant computes each window once, not once per subject or contact.
 */
export function capWindowAt(caps: CompiledCapRules, rule: CompiledCapRule, t: EpochMs, zone: string): TimeWindow {
  const w = rule.window;
  if (w === null) throw inputError(`Rule ${rule.id} has no window`, [], { rule: rule.id });
  if (w.type === 'rolling') return { start: t - w.ms + 1, end: Number.POSITIVE_INFINITY };
  // Keyed by the zone string itself (its hash is cached by the engine), then by unit and week start: no key
  // string is built per call. Each slot keeps the WAYS windows used last, newest first: a refusal's search for
  // the next allowed instant reads later windows, and must not evict the current one the next subject reads.
  const slot = ((w.unit === 'day' ? 0 : w.unit === 'week' ? 1 : 2) * 7 + w.weekStartsOn) * WAYS;
  const memo = caps.windowMemo;
  let byZone = memo.get(zone);
  if (byZone !== undefined) {
    for (let i = slot; i < slot + WAYS; i++) {
      const hit = byZone[i];
      if (hit === undefined) break;
      if (hit.start <= t && t < hit.end) return hit;
    }
  }
  const fresh = calendarWindow(t, w.unit, zone, { weekStartsOn: w.weekStartsOn });
  if (byZone === undefined) {
    if (memo.size >= MEMO_LIMIT) memo.clear();
    memo.set(zone, (byZone = []));
  }
  for (let i = slot + WAYS - 1; i > slot; i--) byZone[i] = byZone[i - 1];
  byZone[slot] = fresh;
  return fresh;
}

/**
 * Validates `zone` once per compiled rule set (an `Intl` construction per call would dominate the hot path).
 * Throws `TIMEZONE_INVALID`.
 */
export function checkZone(caps: CompiledCapRules, zone: string): string {
  return assertTimeZone(zone, ['timeZone']);
}

/**
 * Checks the `now` of an evaluation or a reservation plan: integer epoch ms, and inside years 1–9999 when a rule
 * reads the local calendar (a rule set of rolling windows, gaps and cooldowns takes the whole epoch range).
 * Throws `TIME_INVALID` at `now`.
 */
export function checkNow(caps: CompiledCapRules, now: EpochMs): void {
  if (!Number.isSafeInteger(now)) throw new CrossChannelError('TIME_INVALID', `now must be integer epoch ms, got ${quoted(now)}`, { path: ['now'] });
  if (caps.calendar && !isCalendarInstant(now)) {
    throw new CrossChannelError('TIME_INVALID', `now must be between the years 1 and 9999 when a rule has a calendar window or quiet hours, got ${now}`, { path: ['now'], detail: { value: now } });
  }
}
