import type { BehaviourEvent } from '../core/records.js';
import { expectArray, expectFinite, expectObject } from '../core/guards.js';
import { inTimeOrder } from './events.js';
import { lowerBoundAt } from '../core/records.js';
import { CrossChannelError, attempt, parseWith, type Result, quoted } from '../core/errors.js';
import { assertTimeZone, isValidTimeZone, type EpochMs } from '../core/time.js';
import { attributePathSchema, parseSegmentRule, parseSegments, type RuleKind, type SegmentDefinition, type SegmentRule } from './dsl.js';
import type { SegmentErrorCode } from './errors.js';
import {
  compileEventFilter,
  compileGetter,
  compileNumberTest,
  compileValueTest,
  compileWindow,
  anniversaryInPeriod,
  compareNumber,
  daysToAnniversary,
  fastAttributeTest,
  lastRange,
  numberComparison,
  onlyTypeOf,
  toInstant,
  type EvalContext,
  type Profile,
} from './conditions.js';
import { formatPath } from '../core/errors.js';

export type { Profile } from './conditions.js';

/** A compiled rule: `(profile, events sorted by at, now) → member?`. */
export type SegmentPredicate = (profile: Profile, events: ReadonlyArray<BehaviourEvent>, now: EpochMs) => boolean;

/**
 * One compiled rule node. `test` is the hot path; `observe` computes the value the condition looked at (an
 * attribute, a count, an age in ms, …) for explanations only.
 */
export interface CompiledNode {
  readonly kind: RuleKind;
  /** Path of the node in the definition (`rule.and[1]`). */
  readonly path: string;
  readonly rule: SegmentRule;
  readonly children: ReadonlyArray<CompiledNode>;
  test(ctx: EvalContext): boolean;
  observe(ctx: EvalContext): unknown;
}

/** Resolves `{ segment: id }` references while compiling. */
interface Resolver {
  reference(id: string, path: ReadonlyArray<string | number>): (ctx: EvalContext) => boolean;
}

type Path = ReadonlyArray<string | number>;

function node(kind: RuleKind, path: Path, rule: SegmentRule, test: (ctx: EvalContext) => boolean, observe: (ctx: EvalContext) => unknown, children: CompiledNode[] = []): CompiledNode {
  return { kind, path: formatPath(path), rule, children, test, observe };
}

/**
 * Compiles one rule tree, validated first (a rule from JSON or plain JavaScript gets the module's typed errors
 * with its path); `resolver.reference` compiles `{ segment: id }` references.
 *
 * @example
 * ```ts
 * // A rule without segment references: the resolver is never asked.
 * const node = compileNode({ attr: 'country', op: 'eq', value: 'FR' }, ['rule'], {
 *   reference: (id) => { throw new Error(`no segment ${id}`); },
 * });
 * node.kind; // 'attr'
 * ```
 */
export function compileNode(rule: SegmentRule, path: Path, resolver: Resolver): CompiledNode {
  if (!Array.isArray(path)) expectArray(path, ['path']);
  if (typeof resolver !== 'object' || resolver === null || typeof (resolver as Resolver).reference !== 'function') expectObject(null, ['resolver']);
  return compileParsed(parseSegmentRule(rule, path), path, resolver);
}

/** Compiles one parsed rule tree. */
function compileParsed(rule: SegmentRule, path: Path, resolver: Resolver): CompiledNode {
  const bounds = new Float64Array(2);
  if ('and' in rule || 'or' in rule) {
    const isAnd = 'and' in rule;
    const kids = (isAnd ? rule.and : (rule as { or: ReadonlyArray<SegmentRule> }).or).map((c, i) => compileParsed(c, [...path, isAnd ? 'and' : 'or', i], resolver));
    const tests = kids.map((k) => k.test);
    let test: (ctx: EvalContext) => boolean;
    if (tests.length === 1) test = tests[0]!;
    else if (tests.length === 2) {
      const [a, b] = tests as [(c: EvalContext) => boolean, (c: EvalContext) => boolean];
      test = isAnd ? (c) => a(c) && b(c) : (c) => a(c) || b(c);
    } else if (isAnd) {
      test = (c) => {
        for (let i = 0; i < tests.length; i++) if (!tests[i]!(c)) return false;
        return true;
      };
    } else {
      test = (c) => {
        for (let i = 0; i < tests.length; i++) if (tests[i]!(c)) return true;
        return false;
      };
    }
    return node(isAnd ? 'and' : 'or', path, rule, test, () => undefined, kids);
  }
  if ('not' in rule) {
    const kid = compileParsed(rule.not, [...path, 'not'], resolver);
    const t = kid.test;
    return node('not', path, rule, (c) => !t(c), () => undefined, [kid]);
  }
  if ('attr' in rule) {
    const get = compileGetter(rule.attr);
    const t = compileValueTest(rule, path);
    const fast = fastAttributeTest(rule);
    return node('attr', path, rule, fast ?? ((c) => t(get(c.profile))), (c) => get(c.profile));
  }
  if ('segment' in rule) {
    const t = resolver.reference(rule.segment, [...path, 'segment']);
    return node('segment', path, rule, t, t);
  }
  if ('age' in rule) {
    const get = compileGetter(rule.age);
    const t = compileNumberTest(rule.op, rule.value);
    const age = (c: EvalContext): number | undefined => {
      const at = toInstant(get(c.profile));
      return at === undefined ? undefined : c.now - at;
    };
    return node('age', path, rule, (c) => {
      const a = age(c);
      return a !== undefined && t(a);
    }, age);
  }
  if ('anniversary' in rule) {
    const get = compileGetter(rule.anniversary);
    const within = rule.withinDays;
    const days = (c: EvalContext): number | undefined => daysToAnniversary(get(c.profile), c.now, c.zone);
    const period = rule.period;
    if (period !== undefined) {
      const weekStartsOn = rule.weekStartsOn ?? 1;
      return node('anniversary', path, rule, (c) => anniversaryInPeriod(get(c.profile), c.now, c.zone, period, weekStartsOn) === true, days);
    }
    return node('anniversary', path, rule, (c) => {
      const d = days(c);
      return d !== undefined && d <= within!;
    }, days);
  }
  if ('rfm' in rule) {
    const get = compileGetter(rule.rfm);
    const score = (c: EvalContext): Record<string, unknown> | undefined => {
      const v = get(c.profile);
      return typeof v === 'object' && v !== null ? (v as Record<string, unknown>) : undefined;
    };
    if (rule.in !== undefined) {
      const wanted = new Set(typeof rule.in === 'string' ? [rule.in] : rule.in);
      const named = (c: EvalContext): unknown => score(c)?.segment;
      return node('rfm', path, rule, (c) => {
        const v = named(c);
        return typeof v === 'string' && wanted.has(v);
      }, named);
    }
    const field = rule.score!;
    const t = compileNumberTest(rule.op!, rule.value!);
    const digit = (c: EvalContext): unknown => score(c)?.[field];
    return node('rfm', path, rule, (c) => {
      const v = digit(c);
      return typeof v === 'number' && t(v);
    }, digit);
  }
  if ('time' in rule) {
    const get = compileGetter(rule.time);
    const win = compileWindow(rule.window, [...path, 'window']);
    return node('time', path, rule, (c) => {
      const at = toInstant(get(c.profile));
      if (at === undefined) return false;
      win(c, bounds);
      return at >= bounds[0]! && at < bounds[1]!;
    }, (c) => toInstant(get(c.profile)));
  }
  if ('count' in rule) {
    const f = compileEventFilter(rule.count, [...path, 'count']);
    const win = compileWindow(rule.window, [...path, 'window']);
    const t = compileNumberTest(rule.op, rule.value);
    const type = onlyTypeOf(rule.count);
    if (type !== undefined && (rule.window === undefined || 'last' in rule.window)) {
      // The common shape: one event type over the last d (or all history), scanned with an inline comparison.
      const last = rule.window === undefined ? undefined : rule.window.last;
      // One backward walk from the newest event to the window's start: no binary search, and each event in
      // the window is read once.
      const fast = (c: EvalContext): number => countOfType(c.events, c.now, last, type);
      // The test calls the module-level walk directly (one target: V8 inlines it) and compares inline.
      const { code, lo, hi } = numberComparison(rule.op, rule.value);
      return node('count', path, rule, (c) => compareNumber(code, countOfType(c.events, c.now, last, type), lo, hi), fast);
    }
    if (rule.window === undefined || 'last' in rule.window) {
      // Any filter over the last d (or all history): the same backward walk, the filter called per event.
      const last = rule.window === undefined ? undefined : rule.window.last;
      const walk = (c: EvalContext): number => countWhere(c.events, c.now, last, f);
      return node('count', path, rule, (c) => t(countWhere(c.events, c.now, last, f)), walk);
    }
    const count = (c: EvalContext): number => {
      win(c, bounds);
      const ev = c.events;
      const hi = lowerBoundAt(ev, bounds[1]!);
      let n = 0;
      for (let i = bounds[0] === -Infinity ? 0 : lowerBoundAt(ev, bounds[0]!); i < hi; i++) if (f(ev[i]!)) n++;
      return n;
    };
    return node('count', path, rule, (c) => t(count(c)), count);
  }
  if ('aggregate' in rule) {
    const f = compileEventFilter(rule.event, [...path, 'event']);
    const win = compileWindow(rule.window, [...path, 'window']);
    const t = compileNumberTest(rule.op, rule.value);
    const get = compileGetter(rule.property);
    const fn = rule.aggregate;
    const type = onlyTypeOf(rule.event);
    if (fn === 'sum' && type !== undefined && (rule.window === undefined || 'last' in rule.window)) {
      // The common shape: a sum of one type's property over the last d, scanned with an inline comparison.
      const last = rule.window === undefined ? undefined : rule.window.last;
      const range = new Int32Array(2);
      // A top-level property is read inline (only finite numbers are summed, so the getter's screening of
      // functions and symbols changes nothing).
      const key = rule.property.includes('.') ? undefined : rule.property;
      const sum = (c: EvalContext): number => sumOfType(c.events, c.now, last, type, key, get, range);
      // As for count: one call target, and the sum never leaves the test as a boxed number.
      const { code, lo, hi } = numberComparison(rule.op, rule.value);
      return node('aggregate', path, rule, (c) => compareNumber(code, sumOfType(c.events, c.now, last, type, key, get, range), lo, hi), sum);
    }
    const aggregate = (c: EvalContext): number | undefined => {
      win(c, bounds);
      const ev = c.events;
      const hi = lowerBoundAt(ev, bounds[1]!);
      let n = 0;
      let acc = fn === 'min' ? Infinity : fn === 'max' ? -Infinity : 0;
      const seen = fn === 'distinct' ? new Set<unknown>() : undefined;
      const lo = bounds[0] === -Infinity ? 0 : lowerBoundAt(ev, bounds[0]!);
      for (let i = lo; i < hi; i++) {
        const e = ev[i]!;
        if (!f(e)) continue;
        const v = get(e.properties);
        if (seen) {
          // Tagged, so that the object {} and the string "{}" stay two values (numbers and booleans are their own keys).
          if (v !== undefined && v !== null) seen.add(typeof v === 'object' ? `o${JSON.stringify(v)}` : typeof v === 'string' ? `s${v}` : v);
          continue;
        }
        if (typeof v !== 'number' || !Number.isFinite(v)) continue;
        n++;
        if (fn === 'min') acc = v < acc ? v : acc;
        else if (fn === 'max') acc = v > acc ? v : acc;
        else acc += v;
      }
      if (seen) return seen.size;
      if ((fn === 'sum' || fn === 'avg') && acc - acc !== 0) acc = rescaledSum(ev, lo, hi, f, get);
      if (fn === 'sum') return acc;
      if (n === 0) return undefined;
      return fn === 'avg' ? acc / n : acc;
    };
    return node('aggregate', path, rule, (c) => {
      const v = aggregate(c);
      return v !== undefined && t(v);
    }, aggregate);
  }
  if ('occurrence' in rule) {
    const f = compileEventFilter(rule.event, [...path, 'event']);
    const win = compileWindow(rule.window, [...path, 'window']);
    const t = compileNumberTest(rule.op, rule.value);
    const first = rule.occurrence === 'first';
    const age = (c: EvalContext): number | undefined => {
      win(c, bounds);
      const ev = c.events;
      const lo = bounds[0] === -Infinity ? 0 : lowerBoundAt(ev, bounds[0]!);
      const hi = lowerBoundAt(ev, bounds[1]!);
      if (first) {
        for (let i = lo; i < hi; i++) if (f(ev[i]!)) return c.now - ev[i]!.at;
      } else {
        for (let i = hi - 1; i >= lo; i--) if (f(ev[i]!)) return c.now - ev[i]!.at;
      }
      return undefined;
    };
    return node('occurrence', path, rule, (c) => {
      const a = age(c);
      return a !== undefined && t(a);
    }, age);
  }
  // did A, not B since A
  const seq = rule as Extract<SegmentRule, { did: unknown }>;
  const did = compileEventFilter(seq.did, [...path, 'did']);
  const notSince = compileEventFilter(seq.notSince, [...path, 'notSince']);
  const win = compileWindow(seq.window, [...path, 'window']);
  // Observed: { lastAt, interruptedAt } — the last A in the window, and the first B at or after it.
  const observe = (c: EvalContext): { lastAt?: EpochMs; interruptedAt?: EpochMs } => {
    win(c, bounds);
    const ev = c.events;
    const lo = bounds[0] === -Infinity ? 0 : lowerBoundAt(ev, bounds[0]!);
    const hi = lowerBoundAt(ev, bounds[1]!);
    let a = -1;
    for (let i = hi - 1; i >= lo; i--) {
      if (did(ev[i]!)) {
        a = i;
        break;
      }
    }
    if (a < 0) return {};
    const lastAt = ev[a]!.at;
    const end = lowerBoundAt(ev, c.now + 1);
    // B at the same instant as A counts as "since": equal timestamps carry no order.
    for (let i = lowerBoundAt(ev, lastAt); i < end; i++) if (notSince(ev[i]!)) return { lastAt, interruptedAt: ev[i]!.at };
    return { lastAt };
  };
  // The test walks the same events as `observe` without building its result object.
  const didType = onlyTypeOf(seq.did);
  const sinceType = onlyTypeOf(seq.notSince);
  if (didType !== undefined && sinceType !== undefined && (seq.window === undefined || 'last' in seq.window)) {
    // The common shape (one type each, the last d): inline comparisons, walking back from the newest event.
    const last = seq.window === undefined ? undefined : seq.window.last;
    const fast = (c: EvalContext): boolean => {
      const ev = c.events;
      const start = last === undefined ? -Infinity : c.now - last;
      const now1 = c.now + 1;
      let end = ev.length;
      while (end > 0 && ev[end - 1]!.at >= now1) end--;
      // The last A in the window, walking back from the newest event.
      let i = end - 1;
      while (i >= 0 && ev[i]!.at >= start && ev[i]!.type !== didType) i--;
      if (i < 0 || ev[i]!.at < start) return false;
      // B at the same instant as A counts as "since": step back over events sharing A's instant.
      const at = ev[i]!.at;
      let k = i;
      while (k > 0 && ev[k - 1]!.at === at) k--;
      for (; k < end; k++) if (ev[k]!.type === sinceType) return false;
      return true;
    };
    return node('did', path, rule, fast, observe);
  }
  const test = (c: EvalContext): boolean => {
    win(c, bounds);
    const ev = c.events;
    const lo = bounds[0] === -Infinity ? 0 : lowerBoundAt(ev, bounds[0]!);
    let i = lowerBoundAt(ev, bounds[1]!) - 1;
    while (i >= lo && !did(ev[i]!)) i--;
    if (i < lo) return false;
    const end = lowerBoundAt(ev, c.now + 1);
    for (let k = lowerBoundAt(ev, ev[i]!.at); k < end; k++) if (notSince(ev[k]!)) return false;
    return true;
  };
  return node('did', path, rule, test, observe);
}

/**
 * Events of `type` in `[now − last, now]` (all history up to `now` when `last` is undefined): one backward walk
 * from the newest event to the window's start, no binary search, each event in the window read once.
 */
function countOfType(ev: ReadonlyArray<BehaviourEvent>, now: EpochMs, last: number | undefined, type: string): number {
  const start = last === undefined ? -Infinity : now - last;
  const end = now + 1;
  let i = ev.length - 1;
  while (i >= 0 && ev[i]!.at >= end) i--;
  let n = 0;
  for (; i >= 0; i--) {
    const e = ev[i]!;
    if (e.at < start) break;
    if (e.type === type) n++;
  }
  return n;
}

/** Events passing `f` in `[now − last, now]`, walked back from the newest as {@link countOfType} does. */
function countWhere(ev: ReadonlyArray<BehaviourEvent>, now: EpochMs, last: number | undefined, f: (e: BehaviourEvent) => boolean): number {
  const start = last === undefined ? -Infinity : now - last;
  const end = now + 1;
  let i = ev.length - 1;
  while (i >= 0 && ev[i]!.at >= end) i--;
  let n = 0;
  for (; i >= 0; i--) {
    const e = ev[i]!;
    if (e.at < start) break;
    if (f(e)) n++;
  }
  return n;
}

/** Sum of a finite numeric property over `type` events in the same window, added oldest first as the general path does (floating-point addition is not associative). */
function sumOfType(
  ev: ReadonlyArray<BehaviourEvent>,
  now: EpochMs,
  last: number | undefined,
  type: string,
  key: string | undefined,
  get: (o: unknown) => unknown,
  range: Int32Array,
): number {
  let lo: number;
  let hi: number;
  if (now !== now) {
    // NaN: the binary searches' answer (and their INPUT_INVALID for a window), as before.
    lastRange(ev, now, last, range);
    lo = range[0]!;
    hi = range[1]!;
  } else {
    // The window's index range by walking back from the newest event (the events are sorted).
    const start = last === undefined ? -Infinity : now - last;
    const end = now + 1;
    hi = ev.length;
    while (hi > 0 && ev[hi - 1]!.at >= end) hi--;
    lo = hi;
    while (lo > 0 && ev[lo - 1]!.at >= start) lo--;
  }
  let acc = 0;
  for (let i = lo; i < hi; i++) {
    const e = ev[i]!;
    if (e.type !== type) continue;
    let v: unknown;
    if (key !== undefined) {
      const p = e.properties as unknown;
      v = typeof p === 'object' && p !== null ? (p as Record<string, unknown>)[key] : undefined;
    } else v = get(e.properties);
    if (typeof v === 'number' && Number.isFinite(v)) acc += v;
  }
  return acc - acc === 0 ? acc : rescaledSum(ev, lo, hi, (e) => e.type === type, get);
}

/**
 * The sum of the finite values when adding them in turn overflowed: added again scaled by 2⁻⁶⁴ (exact for the
 * large values that matter here; no partial sum can overflow), then scaled back. So a total is ±Infinity only
 * when the total itself is beyond the double range — not when a partial sum was, which would make it depend on
 * the order of the events — as the SQL form computes it.
 */
function rescaledSum(ev: ReadonlyArray<BehaviourEvent>, lo: number, hi: number, f: (e: BehaviourEvent) => boolean, get: (o: unknown) => unknown): number {
  let acc = 0;
  for (let i = lo; i < hi; i++) {
    const v = f(ev[i]!) ? get(ev[i]!.properties) : undefined;
    if (typeof v === 'number' && Number.isFinite(v)) acc += v * 2 ** -64;
  }
  return acc * 2 ** 64;
}

// ---------------------------------------------------------------------------------------------------------

/** One compiled segment of a set. */
interface CompiledSegment {
  readonly definition: SegmentDefinition;
  readonly root: CompiledNode;
  /** Evaluates with this segment's time zone in `ctx.zone` (restoring the caller's afterwards). */
  readonly run: (ctx: EvalContext) => boolean;
}

/**
 * A compiled, validated set of segments: the form hot paths use. Evaluation is synchronous and pure given
 * `(profile, events, now)`; events are read in `at` order: sorted input (as {@link crosschannel!createHistory | createHistory} and
 * stores return it) is used as is, unsorted input is sorted into a copy, never read out of order.
 */
export interface CompiledSegments {
  /** Segment ids in definition order. */
  readonly ids: ReadonlyArray<string>;
  /** The parsed definitions, in definition order. */
  readonly definitions: ReadonlyArray<SegmentDefinition>;
  /** True when the set has a segment with this id. */
  has(id: string): boolean;
  /** The predicate of one segment (throws `SEGMENT_NOT_FOUND`). */
  predicate(id: string): SegmentPredicate;
  /** Whether the profile is in one segment. */
  matches(id: string, profile: Profile, events: ReadonlyArray<BehaviourEvent>, now: EpochMs): boolean;
  /** Ids of every segment the profile is in, in definition order. */
  evaluate(profile: Profile, events: ReadonlyArray<BehaviourEvent>, now: EpochMs): string[];
  /** The compiled tree of one segment (for {@link explainSegment}). */
  root(id: string): CompiledNode;
  /** Evaluates one segment's tree with its time zone resolved, for explanations. */
  context(id: string, profile: Profile, events: ReadonlyArray<BehaviourEvent>, now: EpochMs): EvalContext;
}

function zoneResolver(def: Pick<SegmentDefinition, 'timeZone' | 'timeZoneAttr'>): (profile: Profile) => string {
  const fallback = def.timeZone ?? 'UTC';
  if (def.timeZoneAttr === undefined) return () => fallback;
  const get = compileGetter(def.timeZoneAttr);
  // isValidTimeZone is memoised in core, so checking every profile's zone keeps Intl out of the hot path.
  return (profile) => {
    const z = get(profile);
    return typeof z === 'string' && isValidTimeZone(z) ? z : fallback;
  };
}

const EMPTY_PROFILE: Profile = Object.freeze({});
const NO_EVENTS: ReadonlyArray<BehaviourEvent> = Object.freeze([]);

function notFound(id: string): CrossChannelError<SegmentErrorCode> {
  return new CrossChannelError<SegmentErrorCode>('SEGMENT_NOT_FOUND', `No segment ${quoted(id)} in this set`, { detail: { segment: id } });
}

function isCompiled(x: unknown): x is CompiledSegments {
  return typeof x === 'object' && x !== null && typeof (x as CompiledSegments).evaluate === 'function' && Array.isArray((x as CompiledSegments).ids);
}

/**
 * Validates (see {@link parseSegments}) and compiles a list of segment definitions once. References
 * between segments are resolved to direct calls; within one `evaluate`, each segment is computed at most once.
 *
 * @example
 * ```ts
 * const segments = compileSegments([
 *   { id: 'fr', rule: { attr: 'country', op: 'eq', value: 'FR' } },
 *   { id: 'fr-buyers', rule: { and: [{ segment: 'fr' }, { count: { type: 'purchase' }, window: { last: '30d' }, op: 'gte', value: 1 }] } },
 * ]);
 * segments.evaluate({ country: 'FR' }, [{ subjectId: 'p1', type: 'purchase', at: 1_000, properties: {} }], 2_000); // ['fr', 'fr-buyers']
 * ```
 */
export function compileSegments(input: unknown): CompiledSegments {
  if (isCompiled(input)) return input;
  const definitions = parseSegments(input as Parameters<typeof parseSegments>[0]);
  const index = new Map<string, number>();
  definitions.forEach((d, i) => index.set(d.id, i));
  const compiled: Array<CompiledSegment | undefined> = new Array(definitions.length);
  // Segments another one references: only those need the per-evaluation memo.
  const referenced = new Uint8Array(definitions.length);
  // When every segment reads time in the same fixed zone (the usual case), the context carries it from the start
  // and a segment's run is its test, with no zone to resolve, save and restore per segment.
  const zone0 = definitions[0]?.timeZone ?? 'UTC';
  const sharedZone = definitions.every((d) => d.timeZoneAttr === undefined && (d.timeZone ?? 'UTC') === zone0) ? zone0 : undefined;
  // Per-evaluation memo of referenced segments: a generation stamp avoids clearing it for every profile.
  const stamp = new Float64Array(definitions.length);
  const value = new Uint8Array(definitions.length);
  let generation = 0;
  const runMemo = (i: number, ctx: EvalContext): boolean => {
    if (stamp[i] === generation) return value[i] === 1;
    const r = compiled[i]!.run(ctx);
    stamp[i] = generation;
    value[i] = r ? 1 : 0;
    return r;
  };
  const compileAt = (i: number): CompiledSegment => {
    const existing = compiled[i];
    if (existing) return existing;
    const def = definitions[i]!;
    const resolver: Resolver = {
      reference: (id) => {
        const j = index.get(id)!;
        referenced[j] = 1;
        compileAt(j); // dependencies first; parseSegments has ruled out cycles
        return (ctx) => runMemo(j, ctx);
      },
    };
    const root = compileParsed(def.rule, [i, 'rule'], resolver);
    const zoneOf = zoneResolver(def);
    const test = root.test;
    const run =
      sharedZone !== undefined
        ? test
        : (ctx: EvalContext): boolean => {
            const saved = ctx.zone;
            ctx.zone = zoneOf(ctx.profile);
            const r = test(ctx);
            ctx.zone = saved;
            return r;
          };
    const seg = { definition: def, root, run };
    compiled[i] = seg;
    return seg;
  };
  for (let i = 0; i < definitions.length; i++) compileAt(i);
  const segs = compiled as CompiledSegment[];
  // Segments whose rule is an `and`, no other segment references (no memo) and the set reads one zone (no
  // zone to set): evaluate runs their conditions itself.
  const conjuncts = segs.map((s, i) =>
    sharedZone !== undefined && referenced[i] === 0 && s.root.kind === 'and' ? s.root.children.map((k) => k.test) : undefined,
  );
  const ids = definitions.map((d) => d.id);
  const at = (id: string): number => {
    const i = index.get(id);
    if (i === undefined) throw notFound(id);
    return i;
  };
  const zoneDefault = sharedZone ?? 'UTC';
  const reused: EvalContext = { profile: EMPTY_PROFILE, events: NO_EVENTS, now: Number.NaN, zone: zoneDefault };
  let evaluating = false;
  const newContext = (profile: Profile, events: ReadonlyArray<BehaviourEvent>, now: EpochMs): EvalContext => {
    if (!Number.isFinite(now)) expectFinite(now, ['now']);
    generation++;
    return { profile, events: inTimeOrder(events), now, zone: sharedZone ?? 'UTC' };
  };
  const matches = (id: string, profile: Profile, events: ReadonlyArray<BehaviourEvent>, now: EpochMs): boolean =>
    runMemo(at(id), newContext(profile, events, now));
  return {
    ids,
    definitions,
    has: (id) => index.has(id),
    predicate: (id) => {
      const i = at(id);
      return (profile, events, now) => runMemo(i, newContext(profile, events, now));
    },
    matches,
    evaluate: (profile, events, now) => {
      // A missing or non-finite `now` would silently widen every window: refused, as the other entry points do.
      if (!Number.isFinite(now)) expectFinite(now, ['now']);
      const sorted = inTimeOrder(events);
      // One context object serves every evaluation (no allocation per profile); a re-entered evaluate (an
      // attribute getter calling back into this set) gets a fresh one.
      const reuse = !evaluating;
      let ctx: EvalContext;
      if (reuse) {
        ctx = reused;
        ctx.profile = profile;
        ctx.events = sorted;
        ctx.now = now;
        ctx.zone = zoneDefault;
        evaluating = true;
      } else ctx = { profile, events: sorted, now, zone: zoneDefault };
      generation++;
      try {
        if (segs.length > 30) {
          const out: string[] = [];
          for (let i = 0; i < segs.length; i++) if (referenced[i] === 1 ? runMemo(i, ctx) : segs[i]!.run(ctx)) out.push(ids[i]!);
          return out;
        }
        // Members as bits first, so the result array is allocated at its size (most profiles are in 0–2 segments).
        let bits = 0;
        let k = 0;
        for (let i = 0; i < segs.length; i++) {
          let held: boolean;
          const kids = conjuncts[i];
          if (kids !== undefined) {
            // A top-level `and`, its conditions called from here in order (one call fewer per segment).
            held = true;
            for (let j = 0; j < kids.length; j++) {
              if (!kids[j]!(ctx)) {
                held = false;
                break;
              }
            }
          } else held = referenced[i] === 1 ? runMemo(i, ctx) : segs[i]!.run(ctx);
          if (held) {
            bits |= 1 << i;
            k++;
          }
        }
        if (k === 0) return [];
        const first = 31 - Math.clz32(bits & -bits);
        if (k === 1) return [ids[first]!];
        const out = [ids[first]!];
        for (let i = first + 1; i < segs.length; i++) if ((bits & (1 << i)) !== 0) out.push(ids[i]!);
        return out;
      } finally {
        if (reuse) {
          evaluating = false;
          // Keep no profile or history alive between evaluations.
          ctx.profile = EMPTY_PROFILE;
          ctx.events = NO_EVENTS;
        }
      }
    },
    root: (id) => segs[at(id)]!.root,
    context: (id, profile, events, now) => {
      const ctx = newContext(profile, events, now);
      ctx.zone = zoneResolver(segs[at(id)]!.definition)(profile);
      return ctx;
    },
  };
}

/**
 * Non-throwing {@link compileSegments}: `{ ok: true, value }` or `{ ok: false, error }` with the code and path.
 *
 * @example
 * ```ts
 * const r = safeCompileSegments([{ id: 'x', rule: { attr: '__proto__', op: 'exists' } }]);
 * if (!r.ok) console.log(r.error.code, r.error.path); // SEGMENT_RULE_INVALID [0].rule.attr
 * ```
 */
export function safeCompileSegments(input: unknown): Result<CompiledSegments> {
  return attempt(() => compileSegments(input));
}

/** Options of {@link compileSegment}. */
export interface CompileSegmentOptions {
  /** Segments the rule may reference by id. */
  readonly segments?: CompiledSegments;
  /** Time zone of calendar conditions (default UTC). */
  readonly timeZone?: string;
  /** Profile attribute holding the time zone (falls back to `timeZone`). */
  readonly timeZoneAttr?: string;
}

/**
 * Validates and compiles one rule to a predicate over `(profile, events, now)`. References resolve against
 * `options.segments`.
 *
 * @example
 * ```ts
 * const abandoners = compileSegment({ did: { type: 'cart_abandon' }, notSince: { type: 'purchase' }, window: { last: '7d' } });
 * abandoners({}, [{ subjectId: 'p1', type: 'cart_abandon', at: 1_000, properties: {} }], 5_000); // true
 * ```
 */
export function compileSegment(rule: unknown, options: CompileSegmentOptions = {}): SegmentPredicate {
  const parsed = parseSegmentRule(rule);
  if (options.timeZone !== undefined) assertTimeZone(options.timeZone, ['timeZone']);
  const head = {
    ...(options.timeZone === undefined ? {} : { timeZone: options.timeZone }),
    ...(options.timeZoneAttr === undefined ? {} : { timeZoneAttr: parseWith(attributePathSchema, options.timeZoneAttr, 'SEGMENT_RULE_INVALID' as SegmentErrorCode, ['timeZoneAttr']) }),
  };
  const resolver: Resolver = {
    reference: (id, path) => {
      const set = options.segments;
      if (!set || !set.has(id)) {
        throw new CrossChannelError<SegmentErrorCode>('SEGMENT_REFERENCE_UNKNOWN', `Unknown segment ${quoted(id)}`, { path, detail: { segment: id } });
      }
      const p = set.predicate(id);
      return (ctx) => p(ctx.profile, ctx.events, ctx.now);
    },
  };
  const test = compileParsed(parsed, [], resolver).test;
  const zoneOf = zoneResolver(head);
  return (profile, events, now) => {
    if (!Number.isFinite(now)) expectFinite(now, ['now']);
    return test({ profile, events: inTimeOrder(events), now, zone: zoneOf(profile) });
  };
}
