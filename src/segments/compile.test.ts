import { describe, expect, it } from 'vitest';
import { compileSegment, compileSegments, explainSegment } from './index.js';
import type { BehaviourEvent } from '../core/records.js';

const DAY = 86_400_000;
const HOUR = 3_600_000;
const NOW = Date.UTC(2026, 5, 15, 12); // Monday 15 June 2026, 12:00 UTC
const ev = (type: string, at: number, properties: Record<string, unknown> = {}, channel?: string): BehaviourEvent =>
  channel === undefined ? { subjectId: 'p', type, at, properties: properties as BehaviourEvent['properties'] } : { subjectId: 'p', type, at, channel, properties: properties as BehaviourEvent['properties'] };
const holds = (rule: unknown, profile: Record<string, unknown> = {}, events: BehaviourEvent[] = [], now = NOW, timeZone?: string) =>
  compileSegment(rule, timeZone === undefined ? {} : { timeZone })(profile, events, now);

describe('attribute operators', () => {
  const p = { country: 'FR', age: 34, vip: true, email: 'Ana@Example.com', tags: ['gold', 'newsletter'], address: { city: 'Lyon', zip: '69001' }, orders: [{ total: 80 }], nothing: null };
  it.each([
    [{ attr: 'country', op: 'eq', value: 'FR' }, true],
    [{ attr: 'country', op: 'eq', value: 'fr' }, false],
    [{ attr: 'country', op: 'eq', value: 'fr', ignoreCase: true }, true],
    [{ attr: 'age', op: 'eq', value: '34' }, false], // no coercion
    [{ attr: 'country', op: 'neq', value: 'DE' }, true],
    [{ attr: 'missing', op: 'neq', value: 'DE' }, true], // neq is not(eq)
    [{ attr: 'country', op: 'in', value: ['BE', 'FR'] }, true],
    [{ attr: 'missing', op: 'in', value: [null] }, false],
    [{ attr: 'nothing', op: 'in', value: [null] }, true],
    [{ attr: 'country', op: 'notIn', value: ['BE', 'DE'] }, true],
    [{ attr: 'age', op: 'gt', value: 34 }, false],
    [{ attr: 'age', op: 'gte', value: 34 }, true],
    [{ attr: 'age', op: 'lt', value: 40 }, true],
    [{ attr: 'age', op: 'lte', value: 33 }, false],
    [{ attr: 'age', op: 'gt', value: 'a' }, false], // number vs string: never
    [{ attr: 'address.zip', op: 'gte', value: '69000' }, true],
    [{ attr: 'age', op: 'between', value: [30, 34] }, true],
    [{ attr: 'age', op: 'between', value: [35, 40] }, false],
    [{ attr: 'address.city', op: 'exists' }, true],
    [{ attr: 'nothing', op: 'exists' }, false],
    [{ attr: 'address.street', op: 'exists' }, false],
    [{ attr: 'tags', op: 'contains', value: 'gold' }, true],
    [{ attr: 'tags', op: 'contains', value: 'GOLD', ignoreCase: true }, true],
    [{ attr: 'email', op: 'contains', value: '@example', ignoreCase: true }, true],
    [{ attr: 'email', op: 'startsWith', value: 'Ana' }, true],
    [{ attr: 'email', op: 'endsWith', value: '.COM', ignoreCase: true }, true],
    [{ attr: 'email', op: 'matches', value: { glob: '*@example.com' }, ignoreCase: true }, true],
    [{ attr: 'email', op: 'matches', value: { regex: '^[a-z]+@example\\.(com|org)$' } }, false],
    [{ attr: 'email', op: 'matches', value: { regex: '^[a-z]+@example\\.(com|org)$' }, ignoreCase: true }, true],
    [{ attr: 'orders.0.total', op: 'gte', value: 50 }, true],
    [{ attr: 'email.length', op: 'gt', value: 0 }, false], // no reading of string internals
    [{ attr: 'tags.toString', op: 'exists' }, false], // inherited functions read as missing
    // An array is read by position only: its length is no member of the JSON (SQL's paths find nothing there).
    [{ attr: 'tags.length', op: 'exists' }, false],
    [{ attr: 'tags.length', op: 'eq', value: 2 }, false],
    [{ attr: 'address.orders.length', op: 'exists' }, false],
    [{ attr: 'orders.0.length', op: 'exists' }, false],
  ])('%j → %s', (rule, want) => {
    expect(holds(rule, p)).toBe(want);
  });

  it('and / or / not, with short-circuit', () => {
    expect(holds({ and: [{ attr: 'a', op: 'eq', value: 1 }, { attr: 'b', op: 'eq', value: 2 }] }, { a: 1, b: 2 })).toBe(true);
    expect(holds({ or: [{ attr: 'a', op: 'eq', value: 9 }, { attr: 'b', op: 'eq', value: 2 }] }, { a: 1, b: 2 })).toBe(true);
    expect(holds({ not: { attr: 'a', op: 'eq', value: 1 } }, { a: 1 })).toBe(false);
    let calls = 0;
    const profile = new Proxy({ a: 1 } as Record<string, unknown>, { get: (t, k) => (k === 'b' && calls++, t[k as string]) });
    holds({ or: [{ attr: 'a', op: 'eq', value: 1 }, { attr: 'b', op: 'exists' }] }, profile);
    expect(calls).toBe(0);
  });
});

describe('time conditions', () => {
  it('age: signed up more than 30 days ago (ms, Date or ISO attribute)', () => {
    const rule = { age: 'signedUpAt', op: 'gt', value: '30d' };
    expect(holds(rule, { signedUpAt: NOW - 31 * DAY })).toBe(true);
    expect(holds(rule, { signedUpAt: new Date(NOW - 31 * DAY) })).toBe(true);
    expect(holds(rule, { signedUpAt: '2026-05-01T00:00:00Z' })).toBe(true);
    expect(holds(rule, { signedUpAt: NOW - 30 * DAY })).toBe(false);
    expect(holds(rule, { signedUpAt: 'last year' })).toBe(false);
    expect(holds(rule, {})).toBe(false);
  });

  it('anniversary: birthday within 7 days, in the profile time zone', () => {
    const rule = { anniversary: 'birthDate', withinDays: 7 };
    expect(holds(rule, { birthDate: '1990-06-15' })).toBe(true); // today
    expect(holds(rule, { birthDate: '1990-06-22' })).toBe(true);
    expect(holds(rule, { birthDate: '1990-06-23' })).toBe(false);
    expect(holds(rule, { birthDate: '1990-06-14' })).toBe(false); // yesterday: next one is in a year
    // 23:30 UTC on 14 June is already 15 June in Paris: "today" there.
    const late = Date.UTC(2026, 5, 14, 23, 30);
    expect(holds({ anniversary: 'birthDate', withinDays: 0 }, { birthDate: '1990-06-15' }, [], late, 'Europe/Paris')).toBe(true);
    expect(holds({ anniversary: 'birthDate', withinDays: 0 }, { birthDate: '1990-06-15' }, [], late, 'UTC')).toBe(false);
    // 29 February is celebrated on the 28th in common years.
    expect(holds({ anniversary: 'b', withinDays: 0 }, { b: '2000-02-29' }, [], Date.UTC(2027, 1, 28, 12))).toBe(true);
    expect(holds({ anniversary: 'b', withinDays: 0 }, { b: '2000-02-29' }, [], Date.UTC(2028, 1, 28, 12))).toBe(false);
  });

  it('time: a timestamp attribute inside a calendar window ("logged in today", local)', () => {
    const rule = { time: 'lastLoginAt', window: { calendar: 'day' } };
    const paris = compileSegments([{ id: 'today', timeZoneAttr: 'tz', timeZone: 'UTC', rule }]);
    const at = Date.UTC(2026, 5, 15, 0, 30);
    expect(paris.matches('today', { lastLoginAt: Date.UTC(2026, 5, 14, 22, 30), tz: 'Europe/Paris' }, [], at)).toBe(true); // 00:30 Paris
    expect(paris.matches('today', { lastLoginAt: Date.UTC(2026, 5, 14, 22, 30), tz: 'Bogus/Zone' }, [], at)).toBe(false); // falls back to UTC
    expect(paris.matches('today', { lastLoginAt: Date.UTC(2026, 5, 14, 22, 30) }, [], at)).toBe(false);
  });
});

describe('event conditions', () => {
  const events = [
    ev('page_view', NOW - 40 * DAY),
    ev('purchase', NOW - 20 * DAY, { amount: 120, sku: 'A' }, 'store'),
    ev('purchase', NOW - 10 * DAY, { amount: 30, sku: 'B' }, 'web'),
    ev('cart_abandon', NOW - 2 * DAY, { value: 55 }),
    ev('page_view', NOW - HOUR, { path: '/shoes' }, 'web'),
  ];
  it('count of a type with property filters in a window', () => {
    expect(holds({ count: { type: 'purchase' }, window: { last: '30d' }, op: 'eq', value: 2 }, {}, events)).toBe(true);
    expect(holds({ count: { type: 'purchase' }, window: { last: '15d' }, op: 'eq', value: 1 }, {}, events)).toBe(true);
    expect(holds({ count: { type: 'purchase', where: [{ prop: 'amount', op: 'gte', value: 100 }] }, op: 'gte', value: 1 }, {}, events)).toBe(true);
    expect(holds({ count: { type: ['purchase', 'page_view'], channel: 'web' }, op: 'eq', value: 2 }, {}, events)).toBe(true);
    expect(holds({ count: {}, op: 'eq', value: 5 }, {}, events)).toBe(true);
    expect(holds({ count: { type: 'purchase' }, window: { from: '2026-05-01T00:00:00Z', to: '2026-06-01T00:00:00Z' }, op: 'eq', value: 1 }, {}, events)).toBe(true);
    expect(holds({ count: { type: 'page_view' }, window: { since: { type: 'purchase' } }, op: 'eq', value: 1 }, {}, events)).toBe(true);
    expect(holds({ count: { type: 'page_view' }, window: { since: { type: 'refund' } }, op: 'eq', value: 2 }, {}, events)).toBe(true);
    expect(holds({ count: { type: 'page_view' }, window: { since: { type: 'refund' }, ifNone: 'none' }, op: 'eq', value: 0 }, {}, events)).toBe(true);
    expect(holds({ count: { type: 'page_view' }, window: { calendar: 'day' }, op: 'eq', value: 1 }, {}, events)).toBe(true);
    expect(holds({ count: { type: 'purchase' }, window: { calendar: 'month', offset: -1 }, op: 'eq', value: 1 }, {}, events)).toBe(true);
    expect(holds({ count: { type: 'purchase' }, op: 'between', value: [1, 2] }, {}, events)).toBe(true);
  });
  it('events after now never count', () => {
    expect(holds({ count: { type: 'purchase' }, op: 'eq', value: 0 }, {}, [ev('purchase', NOW + 1)])).toBe(true);
  });
  it('aggregates: sum / avg / min / max / distinct of a property', () => {
    const agg = (aggregate: string, property: string, op: string, value: number, window?: unknown) =>
      holds({ aggregate, property, event: { type: 'purchase' }, ...(window ? { window } : {}), op, value }, {}, events);
    expect(agg('sum', 'amount', 'eq', 150)).toBe(true);
    expect(agg('avg', 'amount', 'eq', 75)).toBe(true);
    expect(agg('min', 'amount', 'eq', 30)).toBe(true);
    expect(agg('max', 'amount', 'eq', 120)).toBe(true);
    expect(agg('distinct', 'sku', 'eq', 2)).toBe(true);
    // An object and the string of its JSON are two values (they were one), as in PostgreSQL and DuckDB.
    const distinct = (values: unknown[]) => holds({ aggregate: 'distinct', property: 'a', event: {}, op: 'eq', value: 2 }, {}, values.map((a, i) => ev('purchase', NOW - 10 - i, { a })));
    expect(distinct([{}, '{}'])).toBe(true);
    expect(distinct([[1], '[1]'])).toBe(true);
    expect(distinct([1, '1'])).toBe(true);
    expect(distinct([true, 'true'])).toBe(true);
    expect(agg('sum', 'amount', 'eq', 0, { last: '1d' })).toBe(true); // empty sum is 0
    expect(agg('max', 'amount', 'lte', 1_000_000, { last: '1d' })).toBe(false); // no max of nothing
  });
  it('first / last occurrence age', () => {
    expect(holds({ occurrence: 'last', event: { type: 'purchase' }, op: 'lte', value: '10d' }, {}, events)).toBe(true);
    expect(holds({ occurrence: 'first', event: { type: 'purchase' }, op: 'eq', value: '20d' }, {}, events)).toBe(true);
    expect(holds({ occurrence: 'last', event: { type: 'refund' }, op: 'gte', value: 0 }, {}, events)).toBe(false);
  });
  it('did A and not B since A (ties count as "since")', () => {
    const rule = { did: { type: 'cart_abandon' }, notSince: { type: 'purchase' }, window: { last: '7d' } };
    expect(holds(rule, {}, events)).toBe(true);
    expect(holds(rule, {}, [...events, ev('purchase', NOW - HOUR / 2)])).toBe(false);
    expect(holds(rule, {}, [ev('cart_abandon', NOW - DAY), ev('purchase', NOW - DAY)])).toBe(false);
    expect(holds(rule, {}, [ev('cart_abandon', NOW - 3 * DAY), ev('purchase', NOW - 2 * DAY), ev('cart_abandon', NOW - DAY)])).toBe(true);
    expect(holds(rule, {}, [ev('cart_abandon', NOW - 8 * DAY)])).toBe(false);
    expect(holds(rule, {}, [ev('cart_abandon', NOW - DAY), ev('purchase', NOW + HOUR)])).toBe(true); // future purchase ignored
  });
});

describe('recipes', () => {
  const segments = compileSegments([
    { id: 'cart-abandoners', rule: { did: { type: 'cart_abandon' }, notSince: { type: 'purchase' }, window: { last: '7d' } } },
    { id: 'dormant-30d', rule: { and: [{ count: { type: 'page_view' }, op: 'gte', value: 1 }, { not: { count: { type: 'page_view' }, window: { last: '30d' }, op: 'gte', value: 1 } }] } },
    { id: 'high-value', rule: { aggregate: 'sum', property: 'amount', event: { type: 'purchase' }, window: { last: '365d' }, op: 'gte', value: 500 } },
    { id: 'high-value-at-risk', rule: { and: [{ segment: 'high-value' }, { occurrence: 'last', event: { type: 'purchase' }, op: 'gt', value: '60d' }] } },
  ]);
  it('evaluates memberships in definition order', () => {
    const events = [ev('page_view', NOW - 45 * DAY), ev('purchase', NOW - 90 * DAY, { amount: 600 }), ev('cart_abandon', NOW - DAY)].sort((a, b) => a.at - b.at);
    expect(segments.evaluate({}, events, NOW)).toEqual(['cart-abandoners', 'dormant-30d', 'high-value', 'high-value-at-risk']);
    expect(segments.evaluate({}, [], NOW)).toEqual([]);
    expect(segments.predicate('high-value')({}, events, NOW)).toBe(true);
  });
  it('explains: tree with observed values and the deciding leaves', () => {
    const events = [ev('purchase', NOW - 10 * DAY, { amount: 600 })];
    const e = explainSegment(segments, 'high-value-at-risk', {}, events, NOW);
    expect(e.member).toBe(false);
    expect(e.tree).toMatchObject({
      kind: 'and',
      held: false,
      path: '[3].rule',
      children: [
        { kind: 'segment', held: true, observed: true, path: '[3].rule.and[0]' },
        { kind: 'occurrence', held: false, observed: 10 * DAY, path: '[3].rule.and[1]' },
      ],
    });
    expect(e.reasons).toEqual([
      expect.objectContaining({ code: 'SEGMENT_CONDITION_FAILED', rule: 'high-value-at-risk', detail: { path: '[3].rule.and[1]', observed: 10 * DAY } }),
    ]);
    const sum = explainSegment(segments, 'high-value', {}, events, NOW);
    expect(sum.tree.observed).toBe(600);
    expect(explainSegment(segments, 'cart-abandoners', {}, [ev('cart_abandon', NOW - DAY), ev('purchase', NOW - HOUR)], NOW).tree.observed).toEqual({
      lastAt: NOW - DAY,
      interruptedAt: NOW - HOUR,
    });
  });
});

describe('evaluate reuses one context per set', () => {
  it('a re-entered evaluate (an attribute getter calling back into the set) answers for its own profile', () => {
    const set = compileSegments([
      { id: 'fr', rule: { attr: 'country', op: 'eq', value: 'FR' } },
      { id: 'buyer', rule: { count: { type: 'purchase' }, window: { last: '30d' }, op: 'gte', value: 1 } },
    ]);
    const inner: string[][] = [];
    const outer = {
      get country() {
        inner.push(set.evaluate({ country: 'DE' }, [], NOW));
        return 'FR';
      },
    };
    expect(set.evaluate(outer, [ev('purchase', NOW - DAY)], NOW)).toEqual(['fr', 'buyer']);
    expect(inner).toEqual([[]]);
    // And the next call starts clean.
    expect(set.evaluate({ country: 'DE' }, [ev('purchase', NOW - DAY)], NOW)).toEqual(['buyer']);
  });
  it('an evaluation that throws leaves the set usable', () => {
    const set = compileSegments([{ id: 'buyer', rule: { count: { type: 'purchase' }, window: { last: '30d' }, op: 'gte', value: 1 } }]);
    const bad = { get country() { throw new Error('boom'); } };
    const set2 = compileSegments([{ id: 'fr', rule: { attr: 'country', op: 'eq', value: 'FR' } }]);
    expect(() => set2.evaluate(bad, [], NOW)).toThrow('boom');
    expect(set2.evaluate({ country: 'FR' }, [], NOW)).toEqual(['fr']);
    expect(set.evaluate({}, [ev('purchase', NOW - DAY)], NOW)).toEqual(['buyer']);
  });
});

describe('now', () => {
  it('a missing, non-numeric or non-finite now is refused with INPUT_INVALID at path now, by every entry point', () => {
    const set = compileSegments([
      { id: 'fr', rule: { attr: 'country', op: 'eq', value: 'FR' } },
      { id: 'buyer', rule: { count: { type: 'purchase' }, window: { last: '30d' }, op: 'gte', value: 1 } },
    ]);
    const one = compileSegment({ count: { type: 'purchase' }, window: { last: '30d' }, op: 'gte', value: 1 });
    const events = [ev('purchase', NOW - 400 * DAY)];
    for (const bad of [Number.NaN, undefined, '2026-01-01', Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, null]) {
      const calls = [
        () => set.evaluate({ country: 'FR' }, events, bad as never),
        () => set.matches('buyer', {}, events, bad as never),
        () => set.predicate('fr')({ country: 'FR' }, events, bad as never),
        () => set.context('buyer', {}, events, bad as never),
        () => one({}, events, bad as never),
      ];
      for (const call of calls) expect(call).toThrow(expect.objectContaining({ code: 'INPUT_INVALID', path: 'now' }));
    }
    // A year-old purchase is outside the 30-day window for a real now.
    expect(set.evaluate({ country: 'FR' }, events, NOW)).toEqual(['fr']);
  });
});
