import type { BehaviourEvent } from '../core/records.js';
import { lowerBoundAt } from '../core/records.js';
import { DAY, addLocal, calendarWindow, localTime, safeToEpochMs, type EpochMs } from '../core/time.js';
import { CrossChannelError } from '../core/errors.js';
import { utcMs } from '../core/utc.js';
import type { AttributeCondition, EventFilter, PropertyCondition, Window } from './dsl.js';
import type { SegmentErrorCode } from './errors.js';
import { compileGlob, compileSafeRegex } from './pattern.js';
import { compareCodePoints, foldCase } from './text.js';

/**
 * Leaf compilers: each turns a parsed condition into closures over an {@link EvalContext}. Everything that
 * depends only on the rule (paths split, sets built, patterns compiled, durations read) happens here, once.
 */

/** A profile: a plain JSON-like object of attributes (nested objects and arrays allowed). */
export type Profile = Readonly<Record<string, unknown>>;

/** What one evaluation sees. `zone` is the time zone of the segment being evaluated. */
export interface EvalContext {
  profile: Profile;
  events: ReadonlyArray<BehaviourEvent>;
  now: EpochMs;
  zone: string;
}

/** Reads a value at a pre-split path; anything that is not plain data (functions, symbols) reads as missing. */
export type Getter = (root: unknown) => unknown;

/**
 * Compiles a dotted path to a getter specialised for short paths. An array is read only by position: its
 * `length` is no member of the JSON document (PostgreSQL's `#>` and DuckDB's JSON Pointers find nothing there).
 */
export function compileGetter(path: string): Getter {
  const segs = path.split('.');
  const leaf = (v: unknown): unknown => (typeof v === 'function' || typeof v === 'symbol' ? undefined : v);
  if (segs.length === 1) {
    const [k] = segs as [string];
    return (o) => (typeof o === 'object' && o !== null ? leaf((o as Record<string, unknown>)[k]) : undefined);
  }
  if (segs.length === 2 && segs[1] !== 'length') {
    const [k1, k2] = segs as [string, string];
    return (o) => {
      if (typeof o !== 'object' || o === null) return undefined;
      const m = (o as Record<string, unknown>)[k1];
      return typeof m === 'object' && m !== null ? leaf((m as Record<string, unknown>)[k2]) : undefined;
    };
  }
  return (o) => {
    let cur: unknown = o;
    for (let i = 0; i < segs.length; i++) {
      if (typeof cur !== 'object' || cur === null || (i > 0 && segs[i] === 'length' && Array.isArray(cur))) return undefined;
      cur = (cur as Record<string, unknown>)[segs[i]!];
    }
    return leaf(cur);
  };
}

const lower = (v: unknown): unknown => (typeof v === 'string' ? foldCase(v) : v);

/** Compiles the operator of an attribute/property condition to a test of the value read. */
export function compileValueTest(c: AttributeCondition | PropertyCondition, path: ReadonlyArray<string | number>): (v: unknown) => boolean {
  const ic = 'ignoreCase' in c && c.ignoreCase === true;
  switch (c.op) {
    case 'eq':
    case 'neq': {
      const want = ic ? lower(c.value) : c.value;
      const eq = ic ? (v: unknown) => lower(v) === want : (v: unknown) => v === want;
      return c.op === 'eq' ? eq : (v) => !eq(v);
    }
    case 'in':
    case 'notIn': {
      const set = new Set<unknown>(ic ? c.value.map(lower) : c.value);
      const has = ic ? (v: unknown) => v !== undefined && set.has(lower(v)) : (v: unknown) => v !== undefined && set.has(v);
      return c.op === 'in' ? has : (v) => !has(v);
    }
    case 'gt':
    case 'gte':
    case 'lt':
    case 'lte': {
      const w = c.value;
      const code = OP_CODES[c.op]!;
      // Strings by code point, as SQL orders them (see compareCodePoints).
      if (typeof w === 'string') return (v) => typeof v === 'string' && compareNumber(code, compareCodePoints(v, w), 0, 0);
      return (v) => typeof v === 'number' && compareNumber(code, v, w, w);
    }
    case 'between': {
      const [lo, hi] = c.value;
      if (typeof lo === 'string') return (v) => typeof v === 'string' && compareCodePoints(v, lo) >= 0 && compareCodePoints(v, hi as string) <= 0;
      return (v) => typeof v === 'number' && v >= lo && v <= (hi as number);
    }
    case 'exists':
      return (v) => v !== undefined && v !== null;
    case 'contains': {
      const want = ic ? lower(c.value) : c.value;
      const wantStr = typeof want === 'string' ? want : undefined;
      return (v) => {
        if (typeof v === 'string') return wantStr !== undefined && (ic ? foldCase(v) : v).includes(wantStr);
        if (Array.isArray(v)) {
          for (let i = 0; i < v.length; i++) if ((ic ? lower(v[i]) : v[i]) === want) return true;
        }
        return false;
      };
    }
    case 'startsWith': {
      const w = ic ? foldCase(c.value) : c.value;
      return (v) => typeof v === 'string' && (ic ? foldCase(v) : v).startsWith(w);
    }
    case 'endsWith': {
      const w = ic ? foldCase(c.value) : c.value;
      return (v) => typeof v === 'string' && (ic ? foldCase(v) : v).endsWith(w);
    }
    case 'matches': {
      let pattern;
      try {
        pattern = 'glob' in c.value ? compileGlob(c.value.glob, { ignoreCase: ic }) : compileSafeRegex(c.value.regex, { ignoreCase: ic });
      } catch (e) {
        if (e instanceof CrossChannelError) {
          throw new CrossChannelError<SegmentErrorCode>(e.code as SegmentErrorCode, e.message, { path: [...path, 'value'], detail: e.detail ?? {} });
        }
        throw e;
      }
      return (v) => typeof v === 'string' && pattern.test(v);
    }
  }
}

/** Compiles a numeric comparison (`op`, `value`) as used by count, aggregate, age and occurrence. */
export function compileNumberTest(op: string, value: number | readonly [number, number]): (n: number) => boolean {
  const { code, lo, hi } = numberComparison(op, value);
  return (n) => compareNumber(code, n, lo, hi);
}

/**
 * A numeric comparison as data: `code` (0 eq, 1 neq, 2 gt, 3 gte, 4 lt, 5 lte, 6 between `[lo, hi]`) for
 * {@link compareNumber}, one plain function V8 inlines where a closure per operator would be a call.
 */
export interface NumberComparison {
  readonly code: number;
  readonly lo: number;
  readonly hi: number;
}

const OP_CODES: Readonly<Record<string, number>> = { eq: 0, neq: 1, gt: 2, gte: 3, lt: 4, lte: 5 };

/** {@link NumberComparison} of `op` and `value` (`between` for a `[lo, hi]` pair; an unknown `op` compares as `lte`). */
export function numberComparison(op: string, value: number | readonly [number, number]): NumberComparison {
  if (Array.isArray(value)) return { code: 6, lo: value[0] as number, hi: value[1] as number };
  return { code: OP_CODES[op] ?? 5, lo: value as number, hi: value as number };
}

/** `n` compared as {@link NumberComparison} says. */
export function compareNumber(code: number, n: number, lo: number, hi: number): boolean {
  switch (code) {
    case 0:
      return n === lo;
    case 1:
      return n !== lo;
    case 2:
      return n > lo;
    case 3:
      return n >= lo;
    case 4:
      return n < lo;
    case 5:
      return n <= lo;
    default:
      return n >= lo && n <= hi;
  }
}

/**
 * The attribute test of a condition on a top-level attribute with a case-sensitive `eq`, `in`, `gt`, `gte`,
 * `lt` or `lte` (the common shapes), reading the profile directly; `undefined` for any other shape, which
 * {@link compileGetter} and {@link compileValueTest} serve. Same answers: functions and symbols (which the
 * getter reads as missing) equal no JSON value and are no number or string.
 */
export function fastAttributeTest(c: AttributeCondition): ((ctx: EvalContext) => boolean) | undefined {
  if (c.attr.includes('.') || ('ignoreCase' in c && c.ignoreCase === true)) return undefined;
  const k = c.attr;
  const read = (p: unknown): unknown => (typeof p === 'object' && p !== null ? (p as Record<string, unknown>)[k] : undefined);
  // Each test reads the profile from the context itself: one call per attribute condition, not two.
  switch (c.op) {
    case 'eq': {
      const want = c.value;
      return (ctx) => {
        const p = ctx.profile as unknown;
        return (typeof p === 'object' && p !== null ? (p as Record<string, unknown>)[k] : undefined) === want;
      };
    }
    case 'in': {
      const values = c.value;
      // A few strings: compared in turn (=== is SameValueZero on strings), cheaper than hashing into a Set.
      if (values.length >= 1 && values.length <= 4 && values.every((v) => typeof v === 'string')) {
        const [w0, w1 = w0, w2 = w0, w3 = w0] = values as string[];
        return (ctx) => {
          const p = ctx.profile as unknown;
          const v = typeof p === 'object' && p !== null ? (p as Record<string, unknown>)[k] : undefined;
          return v === w0 || v === w1 || v === w2 || v === w3;
        };
      }
      const set = new Set<unknown>(values);
      return (ctx) => set.has(read(ctx.profile));
    }
    case 'gt':
    case 'gte':
    case 'lt':
    case 'lte': {
      const w = c.value as number | string;
      const t = typeof w;
      const code = OP_CODES[c.op]!;
      if (t === 'number') {
        return (ctx) => {
          const p = ctx.profile as unknown;
          const v = typeof p === 'object' && p !== null ? (p as Record<string, unknown>)[k] : undefined;
          return typeof v === 'number' && compareNumber(code, v, w as number, w as number);
        };
      }
      return undefined;
    }
    default:
      return undefined;
  }
}

/** A compiled event filter. */
export type EventTest = (e: BehaviourEvent) => boolean;

function typeIs(w: string): EventTest {
  return (e) => e.type === w;
}

function oneOrManyTest(v: string | string[] | undefined, get: (e: BehaviourEvent) => string | undefined): EventTest | undefined {
  if (v === undefined) return undefined;
  if (typeof v === 'string' || v.length === 1) {
    const w = typeof v === 'string' ? v : v[0]!;
    return (e) => get(e) === w;
  }
  const set = new Set(v);
  return (e) => {
    const x = get(e);
    return x !== undefined && set.has(x);
  };
}

/** Compiles an event filter: type, channel, then property conditions (all must hold). */
export function compileEventFilter(f: EventFilter, path: ReadonlyArray<string | number>): EventTest {
  const fast = fastEventFilter(f);
  if (fast !== undefined) return fast;
  const tests: EventTest[] = [];
  // The type test is on every event read by a window; reading the field directly saves a closure call.
  const byType = typeof f.type === 'string' || f.type?.length === 1 ? typeIs(typeof f.type === 'string' ? f.type : f.type[0]!) : oneOrManyTest(f.type, (e) => e.type);
  if (byType) tests.push(byType);
  const byChannel = oneOrManyTest(f.channel, (e) => e.channel);
  if (byChannel) tests.push(byChannel);
  (f.where ?? []).forEach((w, i) => {
    const get = compileGetter(w.prop);
    const test = compileValueTest(w, [...path, 'where', i]);
    tests.push((e) => test(get(e.properties)));
  });
  if (tests.length === 0) return () => true;
  if (tests.length === 1) return tests[0]!;
  if (tests.length === 2) {
    const [a, b] = tests as [EventTest, EventTest];
    return (e) => a(e) && b(e);
  }
  return (e) => {
    for (let i = 0; i < tests.length; i++) if (!tests[i]!(e)) return false;
    return true;
  };
}

/**
 * The common filter shape as one closure: 1–4 types compared in turn, no channel, at most one case-sensitive `eq` on
 * a top-level property with a JSON value (read directly: a function or symbol there, which the getter reads as
 * missing, equals no such value). `undefined` for any other shape. Same answers as the general filter, with one
 * call per event instead of four or five.
 */
function fastEventFilter(f: EventFilter): EventTest | undefined {
  const types = typeof f.type === 'string' ? [f.type] : f.type;
  const w = f.where?.[0] as { prop: string; op: string; value?: unknown; ignoreCase?: boolean } | undefined;
  if (!types?.length || types.length > 4 || f.channel !== undefined || (f.where?.length ?? 0) > 1 || (w && (w.op !== 'eq' || w.ignoreCase || w.prop.includes('.') || w.value === undefined))) return undefined;
  const [t0, t1 = t0, t2 = t0, t3 = t0] = types as [string, ...string[]];
  const k = w?.prop;
  const want = w?.value;
  return (e) => {
    const t = e.type;
    if (t !== t0 && t !== t1 && t !== t2 && t !== t3) return false;
    const p = e.properties as unknown;
    return k === undefined || (typeof p === 'object' && p !== null ? (p as Record<string, unknown>)[k] : undefined) === want;
  };
}

/**
 * The one event type a filter tests, when that is all it tests (no channel, no property condition): the common
 * case, which the event conditions scan with an inline comparison instead of a call per event (a call site
 * shared by every condition of a set is polymorphic, and V8 does not inline it).
 */
export function onlyTypeOf(f: EventFilter): string | undefined {
  const t = typeof f.type === 'string' ? f.type : f.type?.length === 1 ? f.type[0] : undefined;
  return t !== undefined && f.channel === undefined && (f.where === undefined || f.where.length === 0) ? t : undefined;
}

/**
 * Index range `[lo, hi)` of the events in `[now − last, now]` (all history up to `now` when `last` is
 * undefined), written into `out`: what `compileWindow` and two binary searches give, without a call through the
 * window closure, and without a search for the end when no event is after `now` (the usual case).
 */
export function lastRange(ev: ReadonlyArray<BehaviourEvent>, now: number, last: number | undefined, out: Int32Array): void {
  const n = ev.length;
  out[0] = last === undefined ? 0 : lowerBoundAt(ev, now - last);
  out[1] = n > 0 && ev[n - 1]!.at > now ? lowerBoundAt(ev, now + 1) : n;
}

/**
 * A compiled window: `bounds(ctx)` writes `[start, end)` into `out` with the end already clipped to
 * `now + 1` (events after `now` never count).
 */
export type WindowBounds = (ctx: EvalContext, out: Float64Array) => void;

/** Compiles a window; `undefined` means all history up to and including `now`. */
export function compileWindow(w: Window | undefined, path: ReadonlyArray<string | number>): WindowBounds {
  if (w === undefined) {
    return (ctx, out) => {
      out[0] = -Infinity;
      out[1] = ctx.now + 1;
    };
  }
  if ('last' in w) {
    const d = w.last;
    return (ctx, out) => {
      out[0] = ctx.now - d;
      out[1] = ctx.now + 1;
    };
  }
  if ('calendar' in w) {
    const unit = w.calendar;
    const offset = w.offset ?? 0;
    const opts = w.weekStartsOn === undefined ? {} : { weekStartsOn: w.weekStartsOn };
    return (ctx, out) => {
      const at = offset === 0 ? ctx.now : addLocal(ctx.now, offset, unit, ctx.zone);
      const win = calendarWindow(at, unit, ctx.zone, opts);
      out[0] = win.start;
      out[1] = Math.min(win.end, ctx.now + 1);
    };
  }
  if ('since' in w) {
    const test = compileEventFilter(w.since, [...path, 'since']);
    const none = w.ifNone === 'none';
    return (ctx, out) => {
      const events = ctx.events;
      const end = lowerBoundAt(events, ctx.now + 1);
      out[0] = none ? Infinity : -Infinity;
      for (let i = end - 1; i >= 0; i--) {
        if (test(events[i]!)) {
          out[0] = events[i]!.at;
          break;
        }
      }
      out[1] = ctx.now + 1;
    };
  }
  const from = w.from ?? -Infinity;
  const to = w.to ?? Infinity;
  return (ctx, out) => {
    out[0] = from;
    out[1] = Math.min(to, ctx.now + 1);
  };
}

/** Reads an attribute as an instant: epoch ms, a `Date`, or an ISO 8601 date / date-time with offset. */
export function toInstant(v: unknown): EpochMs | undefined {
  if (typeof v === 'number') return Number.isFinite(v) ? v : undefined;
  if (v instanceof Date) {
    const t = v.getTime();
    return Number.isFinite(t) ? t : undefined;
  }
  if (typeof v === 'string') {
    const r = safeToEpochMs(v);
    return r.ok ? r.value : undefined;
  }
  return undefined;
}

const DATE_ONLY = /^(\d{4})-(\d{2})-(\d{2})$/;

function isLeap(y: number): boolean {
  return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
}

/**
 * Days from today (local calendar date of `now` in `zone`) to the next anniversary of the date in `v`
 * (0 = today). A date-only string (`1990-02-14`) is a calendar date; an instant is read as its local date in
 * `zone`. 29 February is celebrated on 28 February in common years. `undefined` when `v` is not a date.
 */
export function daysToAnniversary(v: unknown, now: EpochMs, zone: string): number | undefined {
  const md = monthDayOf(v, zone);
  if (md === undefined) return undefined;
  const today = localTime(now, zone);
  const todayUtc = utcMs(today.year, today.month - 1, today.day);
  let next = occurrence(md, today.year);
  if (next < todayUtc) next = occurrence(md, today.year + 1);
  return Math.round((next - todayUtc) / DAY);
}

/**
 * Whether the anniversary of the date `v` falls in the current local `period` of `now` in `zone`: the same day
 * (of year), the same week (starting on `weekStartsOn`, 0 = Sunday) or the same month. A 29 February
 * anniversary falls on 28 February in other years. `undefined` when `v` is not a date.
 */
export function anniversaryInPeriod(v: unknown, now: EpochMs, zone: string, period: 'day' | 'week' | 'month', weekStartsOn = 1): boolean | undefined {
  const md = monthDayOf(v, zone);
  if (md === undefined) return undefined;
  const today = localTime(now, zone);
  if (period === 'month') return md[0] === today.month;
  const todayUtc = utcMs(today.year, today.month - 1, today.day);
  if (period === 'day') return occurrence(md, today.year) === todayUtc;
  // Local calendar dates as UTC midnights: the week is [start, start + 7 days), possibly across New Year.
  const start = todayUtc - ((new Date(todayUtc).getUTCDay() - weekStartsOn + 7) % 7) * DAY;
  for (const y of [today.year - 1, today.year, today.year + 1]) {
    const o = occurrence(md, y);
    if (o >= start && o < start + 7 * DAY) return true;
  }
  return false;
}

/** Month and day of a date-only string (`YYYY-MM-DD`) or of an instant in `zone`. */
function monthDayOf(v: unknown, zone: string): [number, number] | undefined {
  const m = typeof v === 'string' ? DATE_ONLY.exec(v) : null;
  if (m) {
    const month = Number(m[2]);
    const day = Number(m[3]);
    // A calendar date: 1990-04-31 and 2021-02-29 are not dates (day 0 of the next month is the month's last day).
    return month < 1 || month > 12 || day < 1 || day > new Date(utcMs(Number(m[1]), month, 0)).getUTCDate() ? undefined : [month, day];
  }
  const t = toInstant(v);
  if (t === undefined) return undefined;
  const lt = localTime(t, zone);
  return [lt.month, lt.day];
}

/** The anniversary's date in `year` as a UTC midnight (29 February → 28 February in common years). */
function occurrence([month, day]: [number, number], year: number): number {
  const d = month === 2 && day === 29 && !isLeap(year) ? 28 : day;
  return utcMs(year, month - 1, d);
}
