/**
 * Arbitraries for segment rules, profiles and event lists. Values come from small pools so that random rules
 * and random profiles actually meet (equal values, boundary instants, shared event types).
 */
import fc from 'fast-check';
import type { BehaviourEvent } from '../../src/core/records.js';

/** `now` of every generated case: a fixed instant, so windows and ages line up with event times. */
export const NOW = Date.UTC(2026, 2, 29, 1, 30); // a DST-change night in Paris
const HOUR = 3_600_000;

export const ATTR_PATHS = ['a', 'b', 'n.x', 's', 'tags'] as const;
export const EVENT_TYPES = ['view', 'cart', 'buy'] as const;

export const scalarArb = fc.oneof(
  fc.integer({ min: -2, max: 5 }),
  fc.constantFrom('a', 'b', 'ab', 'B', 'ba', ''),
  fc.boolean(),
  fc.constant(null),
);
const orderedArb = fc.oneof(fc.integer({ min: -2, max: 5 }), fc.constantFrom('a', 'ab', 'b'));

/** A glob or regex of the safe subset, from a pool that matches the string pool above. */
export const patternArb = fc.oneof(
  fc.constantFrom('a*', '*b', '?', 'a?', '[ab]*', '[!a]*', '*').map((glob) => ({ glob })),
  fc.constantFrom('^a', 'b$', 'a|b', '^(ab)+$', '[^a]', '^$', 'a{2}', '^.?$', 'ab?a').map((regex) => ({ regex })),
);

const opArb = (key: 'attr' | 'prop', paths: readonly string[]) =>
  fc.oneof(
    fc.record({ [key]: fc.constantFrom(...paths), op: fc.constantFrom('eq', 'neq'), value: scalarArb, ignoreCase: fc.boolean() }),
    fc.record({ [key]: fc.constantFrom(...paths), op: fc.constantFrom('in', 'notIn'), value: fc.array(scalarArb, { maxLength: 4 }) }),
    fc.record({ [key]: fc.constantFrom(...paths), op: fc.constantFrom('gt', 'gte', 'lt', 'lte'), value: orderedArb }),
    fc.tuple(fc.integer({ min: -2, max: 5 }), fc.integer({ min: -2, max: 5 })).map(([x, y]) => ({ [key]: paths[0]!, op: 'between', value: [Math.min(x, y), Math.max(x, y)] })),
    fc.record({ [key]: fc.constantFrom(...paths), op: fc.constant('exists') }),
    fc.record({ [key]: fc.constantFrom(...paths), op: fc.constant('contains'), value: scalarArb }),
    fc.record({ [key]: fc.constantFrom(...paths), op: fc.constantFrom('startsWith', 'endsWith'), value: fc.constantFrom('a', 'b', 'A', '') , ignoreCase: fc.boolean() }),
    fc.record({ [key]: fc.constantFrom(...paths), op: fc.constant('matches'), value: patternArb, ignoreCase: fc.boolean() }),
  );

export const attributeConditionArb = opArb('attr', ATTR_PATHS);

const typeArb = fc.oneof(fc.constantFrom(...EVENT_TYPES), fc.subarray([...EVENT_TYPES], { minLength: 1 }));
export const eventFilterArb = fc.record(
  { type: typeArb, channel: fc.constantFrom('web', 'email'), where: fc.array(opArb('prop', ['amount', 'sku']), { maxLength: 2 }) },
  { requiredKeys: [] },
);

const hoursArb = fc.integer({ min: 0, max: 72 });
export const windowArb = fc.oneof(
  hoursArb.map((h) => ({ last: h * HOUR })),
  fc.record({ from: fc.integer({ min: -72, max: 2 }).map((h) => NOW + h * HOUR), to: fc.integer({ min: -72, max: 2 }).map((h) => NOW + h * HOUR) }, { requiredKeys: [] }),
  fc.record({ calendar: fc.constantFrom('day', 'week', 'month'), offset: fc.integer({ min: -1, max: 0 }) }, { requiredKeys: ['calendar'] }),
  fc.record({ since: eventFilterArb, ifNone: fc.constantFrom('all', 'none') }, { requiredKeys: ['since'] }),
);

const numericArb = (value: fc.Arbitrary<number>) =>
  fc.oneof(
    fc.record({ op: fc.constantFrom('eq', 'neq', 'gt', 'gte', 'lt', 'lte'), value }),
    fc.tuple(value, value).map(([x, y]) => ({ op: 'between', value: [Math.min(x, y), Math.max(x, y)] })),
  );
const withWindow = <T extends object>(arb: fc.Arbitrary<T>) =>
  fc.tuple(arb, fc.option(windowArb, { nil: undefined })).map(([x, w]) => (w === undefined ? x : { ...x, window: w }));

/** Leaf conditions of every kind except segment references. */
export const leafArb: fc.Arbitrary<Record<string, unknown>> = fc.oneof(
  { arbitrary: attributeConditionArb, weight: 4 },
  fc.tuple(numericArb(fc.integer({ min: 0, max: 80 }).map((h) => h * HOUR)), fc.constantFrom('t', 'a')).map(([c, p]) => ({ age: p, ...c })),
  fc.record({ anniversary: fc.constantFrom('birth', 't'), withinDays: fc.integer({ min: 0, max: 10 }) }),
  fc.record({ time: fc.constant('t'), window: windowArb }),
  withWindow(fc.tuple(eventFilterArb, numericArb(fc.integer({ min: 0, max: 4 }))).map(([f, c]) => ({ count: f, ...c }))),
  withWindow(
    fc
      .tuple(fc.constantFrom('sum', 'avg', 'min', 'max', 'distinct'), fc.constantFrom('amount', 'sku'), eventFilterArb, numericArb(fc.integer({ min: -1, max: 12 })))
      .map(([aggregate, property, event, c]) => ({ aggregate, property, event, ...c })),
  ),
  withWindow(
    fc
      .tuple(fc.constantFrom('first', 'last'), eventFilterArb, numericArb(fc.integer({ min: 0, max: 80 }).map((h) => h * HOUR)))
      .map(([occurrence, event, c]) => ({ occurrence, event, ...c })),
  ),
  withWindow(fc.record({ did: eventFilterArb, notSince: eventFilterArb })),
);

/** A rule tree over leaves; `refs` are ids it may reference. */
export function ruleArb(refs: readonly string[] = [], maxDepth = 3): fc.Arbitrary<Record<string, unknown>> {
  const leaf = refs.length > 0 ? fc.oneof({ arbitrary: leafArb, weight: 5 }, { arbitrary: fc.constantFrom(...refs).map((segment) => ({ segment })), weight: 1 }) : leafArb;
  const { tree } = fc.letrec<{ tree: Record<string, unknown> }>((tie) => ({
    tree: fc.oneof(
      { depthSize: 'small', maxDepth, withCrossShrink: true },
      leaf,
      fc.array(tie('tree'), { minLength: 1, maxLength: 3 }).map((and) => ({ and })),
      fc.array(tie('tree'), { minLength: 1, maxLength: 3 }).map((or) => ({ or })),
      tie('tree').map((not) => ({ not })),
    ),
  }));
  return tree;
}

/** A list of 1–4 segments, each possibly referencing earlier ones, with a time zone or a zone attribute. */
export const segmentListArb = fc.integer({ min: 1, max: 4 }).chain((n) =>
  fc.tuple(
    ...Array.from({ length: n }, (_, i) =>
      fc.record(
        {
          rule: ruleArb(Array.from({ length: i }, (_, j) => `s${j}`)),
          timeZone: fc.constantFrom('UTC', 'Europe/Paris', 'Pacific/Kiritimati'),
          timeZoneAttr: fc.constant('tz'),
        },
        { requiredKeys: ['rule'] },
      ).map((d) => ({ id: `s${i}`, ...d })),
    ),
  ),
);

const instantArb = fc.integer({ min: -80, max: 3 }).chain((h) => fc.constantFrom(NOW + h * HOUR, NOW + h * HOUR + 1, NOW + h * HOUR - 1));

/** A profile: scalars, a nested object, a string list, a timestamp (ms or ISO) and sometimes a time zone. */
export const profileArb = fc.record(
  {
    a: scalarArb,
    b: scalarArb,
    n: fc.oneof(fc.record({ x: scalarArb }, { requiredKeys: [] }), scalarArb),
    s: fc.constantFrom('a', 'ab', 'ba', 'B', '', 'aa', 'abab'),
    tags: fc.array(fc.constantFrom('a', 'b', 'B'), { maxLength: 3 }),
    t: fc.oneof(instantArb, instantArb.map((ms) => new Date(ms).toISOString()), fc.constant('not a date')),
    birth: fc.oneof(
      fc.tuple(fc.integer({ min: 1, max: 12 }), fc.integer({ min: 1, max: 28 })).map(([m, d]) => `1990-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`),
      fc.constantFrom('1992-02-29', '1990-03-29', '1990-04-03', '1990-03-28'),
    ),
    tz: fc.constantFrom('Europe/Paris', 'America/New_York', 'Nowhere/Invalid'),
  },
  { requiredKeys: [] },
);

/** 0–12 events sorted by time, around `NOW` (some in the future, some at boundaries). */
export const eventsArb: fc.Arbitrary<BehaviourEvent[]> = fc
  .array(
    fc.record({
      type: fc.constantFrom(...EVENT_TYPES),
      at: instantArb,
      channel: fc.option(fc.constantFrom('web', 'email'), { nil: undefined }),
      properties: fc.record({ amount: fc.oneof(fc.integer({ min: -1, max: 6 }), fc.constant('x')), sku: fc.constantFrom('a', 'b', 'ab') }, { requiredKeys: [] }),
      // Equal timestamps matter (e.g. "not B since A" when B and A share an instant): make them common.
      sameTimeAs: fc.option(fc.nat(11), { nil: undefined, freq: 3 }),
    }),
    { maxLength: 12 },
  )
  .map((es) =>
    es
      .map((e, i) => {
        const at = e.sameTimeAs !== undefined && e.sameTimeAs < i ? es[e.sameTimeAs]!.at : e.at;
        const out: BehaviourEvent = { id: `e${i}`, subjectId: 'p', type: e.type, at, properties: e.properties };
        return e.channel === undefined ? out : { ...out, channel: e.channel };
      })
      .sort((x, y) => x.at - y.at),
  );
