import { CrossChannelError, quoted } from './errors.js';
import { utcMs } from './utc.js';

/**
 * Fast UTC-offset lookup for IANA zones. Asking `Intl` costs ~5 µs per instant, and a
 * calendar window needs a dozen such questions; capping and segments ask for windows on every decision. So
 * the offsets of a zone are read from `Intl` once per zone and year — sampled every 6 hours, each change
 * located to the millisecond by bisection — and kept as a small table of transitions. A lookup is then a
 * binary search over at most a handful of entries.
 *
 * The table cache is the one piece of module-level state in the core: a memo of a pure function of
 * (zone, year), bounded, invisible in results. The property suite checks every answer against date-fns.
 */

const SAMPLE_STEP = 6 * 3_600_000;

/** Offsets of one zone during one UTC year: `offsets[i]` holds from `starts[i]` (inclusive). */
interface YearTable {
  readonly from: number;
  readonly to: number;
  readonly starts: Float64Array;
  readonly offsets: Float64Array;
}

/** Per zone: its year tables, and the last one used (consecutive lookups are nearly always in one year). */
interface ZoneTables {
  readonly years: Map<number, YearTable>;
  last: YearTable | undefined;
}

/**
 * At most {@link MAX_ZONES} zones are kept, the oldest dropped first: a plain `Map` (insertion-ordered) rather
 * than lru-cache, which would add ≈ 7 kB min+gzip to every browser bundle for a cache that, in practice, holds
 * the handful of zones an app serves (the IANA database has fewer than 600 in all).
 */
const zones = new Map<string, ZoneTables>();
const MAX_ZONES = 512;

/** `map.set(key, value)`, first dropping the oldest entry when the map already holds `max`. */
function setBounded<K, V>(map: Map<K, V>, key: K, value: V, max: number): void {
  if (map.size >= max) map.delete(map.keys().next().value!);
  map.set(key, value);
}
const MAX_YEARS_PER_ZONE = 256;

/** One `Intl` formatter per zone (building one costs tens of µs); bounded like the tables. */
const formatters = new Map<string, Intl.DateTimeFormat>();
const OFFSET = /GMT(?:([+-])(\d{1,2})(?::?(\d{2}))?(?::?(\d{2}))?)?$/;

/**
 * The zone's UTC offset at `ms` in milliseconds, read from `Intl`'s `longOffset` name (`GMT+05:30`, `GMT` for
 * zero). Historic local-mean-time offsets keep their seconds (`GMT-00:44:30`), as `Intl`'s own local fields,
 * PostgreSQL and the IANA data do (JavaScript's `getTimezoneOffset` drops them); the sign is the text's, so
 * offsets between −1 h and 0 keep theirs.
 */
function intlOffsetMs(ms: number, zone: string): number {
  let f = formatters.get(zone);
  if (f === undefined) {
    f = new Intl.DateTimeFormat('en-US', { timeZone: zone, timeZoneName: 'longOffset' });
    setBounded(formatters, zone, f, MAX_ZONES);
  }
  const m = OFFSET.exec(f.format(ms));
  if (m === null) throw new CrossChannelError('TIMEZONE_INVALID', `No UTC offset for time zone ${quoted(zone)}`, { path: ['zone'], detail: { zone } });
  if (m[1] === undefined) return 0;
  const seconds = Number(m[2]) * 3600 + Number(m[3] ?? 0) * 60 + Number(m[4] ?? 0);
  return (m[1] === '-' ? -seconds : seconds) * 1000;
}

function buildYear(zone: string, year: number): YearTable {
  const from = utcMs(year, 0, 1);
  const to = utcMs(year + 1, 0, 1);
  const starts: number[] = [from];
  const offsets: number[] = [intlOffsetMs(from, zone)];
  let prevT = from;
  let prevOff = offsets[0]!;
  for (let t = Math.min(from + SAMPLE_STEP, to); ; t = Math.min(t + SAMPLE_STEP, to)) {
    const off = intlOffsetMs(t, zone);
    if (off !== prevOff) {
      // Bisect to the first millisecond with the new offset.
      let lo = prevT;
      let hi = t;
      while (hi - lo > 1) {
        const mid = Math.floor((lo + hi) / 2);
        if (intlOffsetMs(mid, zone) === prevOff) lo = mid;
        else hi = mid;
      }
      starts.push(hi);
      offsets.push(off);
      prevOff = off;
    }
    prevT = t;
    if (t >= to) break;
  }
  return { from, to, starts: Float64Array.from(starts), offsets: Float64Array.from(offsets) };
}

const validity = new Map<string, boolean>();

/**
 * Whether `Intl` knows `zone`, memoised: building an `Intl.DateTimeFormat` to find out costs tens of µs, and
 * services ask for the same few zones on every decision.
 */
export function isKnownZone(zone: string): boolean {
  let known = validity.get(zone);
  if (known === undefined) {
    try {
      new Intl.DateTimeFormat('en-US', { timeZone: zone });
      known = true;
    } catch {
      known = false;
    }
    // Bounded: names come from requests, and every junk name would otherwise stay cached (oldest dropped first).
    setBounded(validity, zone, known, 1024);
  }
  return known;
}

/**
 * Instants the zone tables cover: years 1 to 9999, with 40 days of margin — the local calendar month of the
 * first or last instant of that range (in a zone whose local date is then a day earlier or later) reaches up to
 * 32 days past it, and mapping a window's bounds back to instants reads the offsets a day either side.
 */
const MIN_MS = -62_135_596_800_000 - 40 * 86_400_000;
const MAX_MS = 253_402_300_799_999 + 40 * 86_400_000;

/**
 * Offset of `zone` from UTC at instant `ms`, in milliseconds, from the cached transition table (the offset of
 * `@date-fns/tz`'s `TZDate`, with the seconds of historic local-mean-time offsets that its
 * `getTimezoneOffset` drops).
 */
export function zoneOffsetMs(ms: number, zone: string): number {
  // NaN or an infinity would look for the transition table of year NaN forever.
  if (!(ms >= MIN_MS && ms <= MAX_MS)) throw new CrossChannelError('TIME_INVALID', 'Instant out of range: expected epoch milliseconds (years 1–9999)', { path: ['ms'], detail: { value: typeof ms === 'number' ? ms : typeof ms } });
  let z = zones.get(zone);
  if (z === undefined) {
    if (typeof zone !== 'string' || !isKnownZone(zone)) throw new CrossChannelError('TIMEZONE_INVALID', `Unknown IANA time zone ${quoted(zone)}`, { path: ['zone'], detail: { zone } });
    z = { years: new Map(), last: undefined };
    setBounded(zones, zone, z, MAX_ZONES);
  }
  let table = z.last;
  if (table === undefined || ms < table.from || ms >= table.to) {
    const year = new Date(ms).getUTCFullYear();
    table = z.years.get(year);
    if (table === undefined) {
      if (z.years.size >= MAX_YEARS_PER_ZONE) z.years.clear();
      table = buildYear(zone, year);
      z.years.set(year, table);
    }
    z.last = table;
  }
  const { starts, offsets } = table;
  let i = starts.length - 1;
  while (i > 0 && starts[i]! > ms) i--;
  return offsets[i]!;
}
