/**
 * The oracle: a deliberately naive interpreter of the segment language, written from the documented
 * semantics (docs/segments.md) without sharing code with src/segments. It walks the JSON on every call,
 * filters whole arrays instead of binary searching, and uses native RegExp for patterns (safe here: the
 * test pools are tiny). The property tests check the compiled predicates against it.
 */
import { addLocal, calendarWindow, isValidTimeZone, localTime, safeToEpochMs } from '../../src/core/time.js';
import type { BehaviourEvent } from '../../src/core/records.js';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
type Def = { id: string; rule: Json; timeZone?: string; timeZoneAttr?: string };

function get(root: unknown, path: string): unknown {
  let cur: unknown = root;
  for (const seg of path.split('.')) {
    if (typeof cur !== 'object' || cur === null) return undefined;
    cur = (cur as Record<string, unknown>)[seg];
  }
  return typeof cur === 'function' ? undefined : cur;
}

const low = (x: unknown): unknown => (typeof x === 'string' ? x.toLowerCase() : x);

function globToRegExp(glob: string, flags: string): RegExp {
  let out = '^';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]!;
    if (c === '*') out += '[\\s\\S]*';
    else if (c === '?') out += '[\\s\\S]';
    else if (c === '[') {
      const close = glob.indexOf(']', i + 2);
      let body = glob.slice(i + 1, close);
      const neg = body.startsWith('!');
      if (neg) body = body.slice(1);
      out += `[${neg ? '^' : ''}${body.replace(/[\\\]^]/g, '\\$&')}]`;
      i = close;
    } else out += c.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  }
  return new RegExp(`${out}$`, flags);
}

export function valueHolds(c: Json, v: unknown): boolean {
  const ic = c.ignoreCase === true;
  const eq = (x: unknown, y: unknown): boolean => (ic ? low(x) === low(y) : x === y);
  switch (c.op) {
    case 'eq':
      return eq(v, c.value);
    case 'neq':
      return !eq(v, c.value);
    case 'in':
      return v !== undefined && (c.value as unknown[]).some((x) => eq(v, x));
    case 'notIn':
      return !(v !== undefined && (c.value as unknown[]).some((x) => eq(v, x)));
    case 'gt':
      return typeof v === typeof c.value && (v as number) > c.value;
    case 'gte':
      return typeof v === typeof c.value && (v as number) >= c.value;
    case 'lt':
      return typeof v === typeof c.value && (v as number) < c.value;
    case 'lte':
      return typeof v === typeof c.value && (v as number) <= c.value;
    case 'between':
      return typeof v === typeof c.value[0] && (v as number) >= c.value[0] && (v as number) <= c.value[1];
    case 'exists':
      return v !== undefined && v !== null;
    case 'contains':
      if (typeof v === 'string') return typeof c.value === 'string' && (ic ? v.toLowerCase().includes(c.value.toLowerCase()) : v.includes(c.value));
      if (Array.isArray(v)) return v.some((x) => eq(x, c.value));
      return false;
    case 'startsWith':
      return typeof v === 'string' && (ic ? v.toLowerCase().startsWith(c.value.toLowerCase()) : v.startsWith(c.value));
    case 'endsWith':
      return typeof v === 'string' && (ic ? v.toLowerCase().endsWith(c.value.toLowerCase()) : v.endsWith(c.value));
    case 'matches': {
      if (typeof v !== 'string') return false;
      const re = 'glob' in c.value ? globToRegExp(c.value.glob, ic ? 'i' : '') : new RegExp(c.value.regex, ic ? 'i' : '');
      return re.test(v);
    }
  }
  throw new Error(`oracle: unknown op ${c.op}`);
}

function numberHolds(op: string, value: number | [number, number], n: number): boolean {
  if (Array.isArray(value)) return n >= value[0] && n <= value[1];
  return op === 'eq' ? n === value : op === 'neq' ? n !== value : op === 'gt' ? n > value : op === 'gte' ? n >= value : op === 'lt' ? n < value : n <= value;
}

function eventMatches(f: Json, e: BehaviourEvent): boolean {
  const list = (x: string | string[]): string[] => (typeof x === 'string' ? [x] : x);
  if (f.type !== undefined && !list(f.type).includes(e.type)) return false;
  if (f.channel !== undefined && (e.channel === undefined || !list(f.channel).includes(e.channel))) return false;
  return ((f.where ?? []) as Json[]).every((w) => valueHolds(w, get(e.properties, w.prop)));
}

function instant(v: unknown): number | undefined {
  if (typeof v === 'number') return Number.isFinite(v) ? v : undefined;
  if (typeof v === 'string') {
    const r = safeToEpochMs(v);
    return r.ok ? r.value : undefined;
  }
  return undefined;
}

/** `[start, end)` of a window, the end never past `now` (inclusive). */
function windowOf(w: Json | undefined, events: ReadonlyArray<BehaviourEvent>, now: number, zone: string): [number, number] {
  if (w === undefined) return [-Infinity, now + 1];
  if ('last' in w) return [now - w.last, now + 1];
  if ('calendar' in w) {
    const at = (w.offset ?? 0) === 0 ? now : addLocal(now, w.offset, w.calendar, zone);
    const win = calendarWindow(at, w.calendar, zone);
    return [win.start, Math.min(win.end, now + 1)];
  }
  if ('since' in w) {
    const hits = events.filter((e) => e.at <= now && eventMatches(w.since, e));
    if (hits.length === 0) return [w.ifNone === 'none' ? Infinity : -Infinity, now + 1];
    return [hits[hits.length - 1]!.at, now + 1];
  }
  return [w.from ?? -Infinity, Math.min(w.to ?? Infinity, now + 1)];
}

function isLeap(y: number): boolean {
  return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
}

function anniversaryWithin(v: unknown, days: number, now: number, zone: string): boolean {
  let month: number;
  let day: number;
  const m = typeof v === 'string' ? /^(\d{4})-(\d{2})-(\d{2})$/.exec(v) : null;
  if (m) {
    month = Number(m[2]);
    day = Number(m[3]);
  } else {
    const t = instant(v);
    if (t === undefined) return false;
    ({ month, day } = localTime(t, zone));
  }
  const today = localTime(now, zone);
  for (let d = 0; d <= days; d++) {
    const date = new Date(Date.UTC(today.year, today.month - 1, today.day + d));
    const y = date.getUTCFullYear();
    const celebrated = month === 2 && day === 29 && !isLeap(y) ? 28 : day;
    if (date.getUTCMonth() + 1 === month && date.getUTCDate() === celebrated) return true;
  }
  return false;
}

/** Evaluates segment `id` of `defs` for one profile, naively. */
export function oracleMember(defs: ReadonlyArray<Def>, id: string, profile: Json, events: ReadonlyArray<BehaviourEvent>, now: number): boolean {
  const def = defs.find((d) => d.id === id)!;
  let zone = def.timeZone ?? 'UTC';
  if (def.timeZoneAttr !== undefined) {
    const z = get(profile, def.timeZoneAttr);
    if (typeof z === 'string' && isValidTimeZone(z)) zone = z;
  }
  const holds = (r: Json): boolean => {
    if ('and' in r) return (r.and as Json[]).every(holds);
    if ('or' in r) return (r.or as Json[]).some(holds);
    if ('not' in r) return !holds(r.not);
    if ('attr' in r) return valueHolds(r, get(profile, r.attr));
    if ('segment' in r) return oracleMember(defs, r.segment, profile, events, now);
    if ('age' in r) {
      const t = instant(get(profile, r.age));
      return t !== undefined && numberHolds(r.op, r.value, now - t);
    }
    if ('anniversary' in r) return anniversaryWithin(get(profile, r.anniversary), r.withinDays, now, zone);
    if ('time' in r) {
      const t = instant(get(profile, r.time));
      const [s, e] = windowOf(r.window, events, now, zone);
      return t !== undefined && t >= s && t < e;
    }
    const [s, e] = windowOf(r.window, events, now, zone);
    const inWindow = events.filter((x) => x.at >= s && x.at < e);
    if ('count' in r) return numberHolds(r.op, r.value, inWindow.filter((x) => eventMatches(r.count, x)).length);
    if ('aggregate' in r) {
      const values = inWindow.filter((x) => eventMatches(r.event, x)).map((x) => get(x.properties, r.property));
      if (r.aggregate === 'distinct') {
        const distinct = new Set(values.filter((v) => v !== undefined && v !== null).map((v) => (typeof v === 'object' ? JSON.stringify(v) : v)));
        return numberHolds(r.op, r.value, distinct.size);
      }
      const nums = values.filter((v): v is number => typeof v === 'number' && Number.isFinite(v));
      if (r.aggregate === 'sum') return numberHolds(r.op, r.value, nums.reduce((a, b) => a + b, 0));
      if (nums.length === 0) return false;
      const agg = r.aggregate === 'avg' ? nums.reduce((a, b) => a + b, 0) / nums.length : r.aggregate === 'min' ? Math.min(...nums) : Math.max(...nums);
      return numberHolds(r.op, r.value, agg);
    }
    if ('occurrence' in r) {
      const hits = inWindow.filter((x) => eventMatches(r.event, x));
      if (hits.length === 0) return false;
      const hit = r.occurrence === 'first' ? hits[0]! : hits[hits.length - 1]!;
      return numberHolds(r.op, r.value, now - hit.at);
    }
    if ('did' in r) {
      const as = inWindow.filter((x) => eventMatches(r.did, x));
      if (as.length === 0) return false;
      const lastA = as[as.length - 1]!.at;
      return !events.some((x) => x.at >= lastA && x.at <= now && eventMatches(r.notSince, x));
    }
    throw new Error(`oracle: unknown rule ${JSON.stringify(r)}`);
  };
  return holds(def.rule);
}
