import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { applyEvents, compileSegment, compileSegments, diffMemberships, explainSegment, mergeEvents } from './index.js';
import type { BehaviourEvent } from '../core/records.js';
import { NOW, eventsArb, leafArb, profileArb, ruleArb, segmentListArb } from '../../test/arbitraries/segments.js';
import { oracleMember } from '../../test/oracles/segments.js';

const HOUR = 3_600_000;
const runs = (n: number) => ({ numRuns: n });

describe('compiled segments agree with the oracle', () => {
  it('on random segment lists (with references) × profiles × event lists', () => {
    fc.assert(
      fc.property(segmentListArb, profileArb, eventsArb, fc.integer({ min: -2, max: 2 }), (defs, profile, events, shift) => {
        const now = NOW + shift * HOUR;
        const set = compileSegments(defs);
        const got = set.evaluate(profile, events, now);
        const want = defs.filter((d) => oracleMember(defs, d.id, profile, events, now)).map((d) => d.id);
        expect(got).toEqual(want);
        for (const d of defs) expect(set.matches(d.id, profile, events, now)).toBe(want.includes(d.id));
      }),
      runs(400),
    );
  });

  it('explanations agree with the predicate, and every leaf result with the oracle', () => {
    fc.assert(
      fc.property(ruleArb([], 3), profileArb, eventsArb, (rule, profile, events) => {
        const defs = [{ id: 'x', rule }];
        const set = compileSegments(defs);
        const e = explainSegment(set, 'x', profile, events, NOW);
        expect(e.member).toBe(set.matches('x', profile, events, NOW));
        const check = (node: typeof e.tree): void => {
          if (node.children) node.children.forEach(check);
          else expect(node.held).toBe(oracleMember([{ id: 'l', rule: node.condition as Record<string, unknown> }], 'l', profile, events, NOW));
        };
        check(e.tree);
        // At least one leaf decided; under an even number of `not`s a member's deciding leaves held.
        expect(e.reasons.length).toBeGreaterThan(0);
        if (!JSON.stringify(rule).includes('"not"')) {
          for (const r of e.reasons) expect(r.code).toBe(e.member ? 'SEGMENT_CONDITION_HELD' : 'SEGMENT_CONDITION_FAILED');
        }
      }),
      runs(200),
    );
  });

  it('compileSegment (one rule) equals the same rule in a set', () => {
    fc.assert(
      fc.property(ruleArb([], 2), profileArb, eventsArb, (rule, profile, events) => {
        const one = compileSegment(rule, { timeZone: 'Europe/Paris' });
        expect(one(profile, events, NOW)).toBe(compileSegments([{ id: 'x', timeZone: 'Europe/Paris', rule }]).matches('x', profile, events, NOW));
      }),
      runs(150),
    );
  });
});

describe('boolean laws', () => {
  const holds = (rule: unknown, profile: Record<string, unknown>, events: BehaviourEvent[]) => compileSegment(rule)(profile, events, NOW);
  it("De Morgan: not(a and b) = (not a) or (not b); not(a or b) = (not a) and (not b)", () => {
    fc.assert(
      fc.property(leafArb, leafArb, profileArb, eventsArb, (a, b, p, ev) => {
        expect(holds({ not: { and: [a, b] } }, p, ev)).toBe(holds({ or: [{ not: a }, { not: b }] }, p, ev));
        expect(holds({ not: { or: [a, b] } }, p, ev)).toBe(holds({ and: [{ not: a }, { not: b }] }, p, ev));
      }),
      runs(200),
    );
  });
  it('double negation, and neq / notIn are exactly the negations of eq / in', () => {
    fc.assert(
      fc.property(leafArb, profileArb, eventsArb, (a, p, ev) => {
        expect(holds({ not: { not: a } }, p, ev)).toBe(holds(a, p, ev));
        if ('attr' in a && (a.op === 'eq' || a.op === 'in')) {
          const negated = { ...a, op: a.op === 'eq' ? 'neq' : 'notIn' };
          expect(holds(negated, p, ev)).toBe(!holds(a, p, ev));
        }
      }),
      runs(200),
    );
  });
});

describe('window boundaries: [start, end), never after now', () => {
  const countIn = (window: unknown, at: number, now: number) =>
    compileSegment({ count: { type: 'x' }, window, op: 'gte', value: 1 })({}, [{ subjectId: 'p', type: 'x', at, properties: {} }], now);
  it('last d: an event at now − d counts, at now − d − 1 does not; at now counts, after now does not', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1e10 }), fc.integer({ min: 1e12, max: 2e12 }), (d, now) => {
        expect(countIn({ last: d }, now - d, now)).toBe(true);
        expect(countIn({ last: d }, now - d - 1, now)).toBe(false);
        expect(countIn({ last: d }, now, now)).toBe(true);
        expect(countIn({ last: d }, now + 1, now)).toBe(false);
      }),
      runs(100),
    );
  });
  it('the one-type fast paths (count, sum, did … not since over `last`) equal the general path on any events', () => {
    // A channel filter that every event passes forces the general path; the same rule without it takes the fast one.
    const both = (rule: (f: Record<string, unknown>) => Record<string, unknown>) => [compileSegment(rule({})), compileSegment(rule({ channel: ['web', 'email', 'app'] }))] as const;
    const typeArb = fc.constantFrom('view', 'cart', 'buy');
    const evs = fc
      .array(fc.record({ type: typeArb, at: fc.integer({ min: -6, max: 2 }), amount: fc.oneof(fc.integer({ min: -5, max: 9 }), fc.constant(Number.NaN), fc.constant('x')) }), { maxLength: 10 })
      .map((xs) => xs.map((x) => ({ subjectId: 'p', type: x.type, channel: 'web', at: 1e12 + x.at * 1000, properties: { amount: x.amount, m: { amount: x.amount } } })).sort((a, b) => a.at - b.at));
    fc.assert(
      fc.property(evs, typeArb, typeArb, fc.option(fc.integer({ min: 0, max: 7 }), { nil: undefined }), fc.integer({ min: 0, max: 4 }), (events, a, b, lastS, k) => {
        const window = lastS === undefined ? {} : { window: { last: lastS * 1000 } };
        const now = 1e12;
        for (const [fast, general] of [
          both((f) => ({ count: { type: a, ...f }, ...window, op: 'gte', value: k })),
          both((f) => ({ aggregate: 'sum', property: 'amount', event: { type: a, ...f }, ...window, op: 'gt', value: k })),
          both((f) => ({ aggregate: 'sum', property: 'm.amount', event: { type: a, ...f }, ...window, op: 'gt', value: k })),
          both((f) => ({ did: { type: a, ...f }, notSince: { type: b, ...f }, ...window })),
        ]) {
          expect(fast({}, events, now)).toBe(general({}, events, now));
        }
      }),
      runs(500),
    );
  });
  it('the top-level attribute fast path (eq, in with few strings compared in turn, numeric) equals the general path', () => {
    // A nested path takes the general getter + value test; the same condition one level up takes the fast one.
    const valueArb = fc.oneof(fc.constantFrom('FR', 'BE', 'LU', 'fr', '', 'US'), fc.integer({ min: -2, max: 2 }), fc.boolean(), fc.constant(null));
    const condArb = fc.oneof(
      fc.record({ op: fc.constant('in'), value: fc.array(fc.constantFrom('FR', 'BE', 'LU', 'fr', '', 'US'), { maxLength: 6 }) }),
      fc.record({ op: fc.constant('in'), value: fc.array(valueArb, { maxLength: 6 }) }),
      fc.record({ op: fc.constantFrom('eq', 'neq', 'notIn'), value: valueArb }).map((c) => (c.op === 'notIn' ? { ...c, value: [c.value] } : c)),
      fc.record({ op: fc.constantFrom('gt', 'gte', 'lt', 'lte'), value: fc.integer({ min: -2, max: 2 }) }),
    );
    fc.assert(
      fc.property(condArb, fc.option(valueArb, { nil: undefined }), (cond, v) => {
        const fast = compileSegment({ attr: 'x', ...cond });
        const general = compileSegment({ attr: 'o.x', ...cond });
        const inner = v === undefined ? {} : { x: v };
        expect(fast(inner, [], NOW)).toBe(general({ o: inner }, [], NOW));
      }),
      runs(500),
    );
  });
  it('a sum over `last` with a NaN `now` fails with INPUT_INVALID, as the general path does', () => {
    const events = [{ subjectId: 'p', type: 'buy', at: 1e12, properties: { amount: 3 } }];
    const [fast, general] = [{}, { channel: ['web'] }].map((f) => compileSegment({ aggregate: 'sum', property: 'amount', event: { type: 'buy', ...f }, window: { last: 1000 }, op: 'gt', value: 1 }));
    for (const p of [fast!, general!]) expect(() => p({}, events, Number.NaN)).toThrow(expect.objectContaining({ code: 'INPUT_INVALID' }));
  });
  it('did … not since: B at the same instant as the last A, before it in the list, counts as since', () => {
    const rule = compileSegment({ did: { type: 'cart' }, notSince: { type: 'buy' }, window: { last: 3_600_000 } });
    const at = 1e12 - 1000;
    expect(rule({}, [{ subjectId: 'p', type: 'buy', at, properties: {} }, { subjectId: 'p', type: 'cart', at, properties: {} }], 1e12)).toBe(false);
    expect(rule({}, [{ subjectId: 'p', type: 'buy', at: at - 1, properties: {} }, { subjectId: 'p', type: 'cart', at, properties: {} }], 1e12)).toBe(true);
  });
  it('from/to: from inclusive, to exclusive', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1e12 }), fc.integer({ min: 1, max: 1e9 }), (from, len) => {
        const to = from + len;
        const now = to + 10;
        expect(countIn({ from, to }, from, now)).toBe(true);
        expect(countIn({ from, to }, from - 1, now)).toBe(false);
        expect(countIn({ from, to }, to - 1, now)).toBe(true);
        expect(countIn({ from, to }, to, now)).toBe(false);
      }),
      runs(100),
    );
  });
});

describe('incremental memberships', () => {
  it('entered / exited equal the difference of memberships recomputed from scratch', () => {
    fc.assert(
      fc.property(segmentListArb, profileArb, eventsArb, eventsArb, fc.integer({ min: 0, max: 3 }), (defs, profile, history, incoming, later) => {
        const set = compileSegments(defs);
        const before = set.evaluate(profile, history, NOW);
        const fresh = incoming.map((e, i) => ({ ...e, id: i % 2 === 0 ? `n${i}` : e.id })); // some replay history ids
        const now = NOW + later * HOUR;
        const r = applyEvents(set, { profile, events: history, newEvents: fresh, previous: before }, now);
        const ids = new Set(history.map((e) => e.id));
        const all = [...history, ...fresh.filter((e) => !ids.has(e.id))].sort((a, b) => a.at - b.at);
        const after = set.evaluate(profile, all, now);
        expect(r.memberships).toEqual(after);
        expect(r.entered).toEqual(after.filter((x) => !before.includes(x)));
        expect(r.exited).toEqual(before.filter((x) => !after.includes(x)));
        expect(diffMemberships(before, after)).toEqual({ entered: r.entered, exited: r.exited });
      }),
      runs(150),
    );
  });
  it('mergeEvents is sorted, keeps history order at equal times, and skips replayed ids', () => {
    fc.assert(
      fc.property(eventsArb, eventsArb, (history, incoming) => {
        const merged = mergeEvents(history, incoming);
        for (let i = 1; i < merged.length; i++) expect(merged[i]!.at).toBeGreaterThanOrEqual(merged[i - 1]!.at);
        const ids = merged.map((e) => e.id);
        expect(new Set(ids).size).toBe(ids.length);
        expect(merged.filter((e) => history.includes(e))).toEqual(history);
        expect(mergeEvents(merged, incoming)).toEqual(merged);
      }),
      runs(150),
    );
  });
});

describe('the event-filter and count fast paths', () => {
  // A filter of 1–4 types and one case-sensitive `eq` over the last d is read by one closure walking back from
  // the newest event; the same question asked with `in: [v]` over the absolute window [now − d, now + 1) takes
  // the general filter and the binary searches.
  it('count the same events as the general path', () => {
    fc.assert(
      fc.property(
        eventsArb,
        fc.subarray(['view', 'cart', 'buy', 'app_open', 'visit'], { minLength: 1, maxLength: 4 }),
        fc.constantFrom('amount', 'sku', 'category'),
        fc.oneof(fc.integer({ min: -2, max: 5 }), fc.constantFrom('a', 'b', ''), fc.constant(null), fc.boolean()),
        fc.integer({ min: 0, max: 72 }),
        fc.integer({ min: 0, max: 4 }),
        (events, types, prop, value, hours, n) => {
          const last = hours * HOUR;
          const fast = { count: { type: types, where: [{ prop, op: 'eq', value }] }, window: { last }, op: 'gte', value: n };
          const general = { count: { type: types, where: [{ prop, op: 'in', value: [value] }] }, window: { from: NOW - last, to: NOW + 1 }, op: 'gte', value: n };
          const noWhere = { count: { type: types }, window: { last }, op: 'gte', value: n };
          const noWhereGeneral = { count: { type: types }, window: { from: NOW - last, to: NOW + 1 }, op: 'gte', value: n };
          const set = compileSegments([{ id: 'fast', rule: fast }, { id: 'general', rule: general }, { id: 'noWhere', rule: noWhere }, { id: 'noWhereGeneral', rule: noWhereGeneral }]);
          expect(set.matches('fast', {}, events, NOW)).toBe(set.matches('general', {}, events, NOW));
          expect(set.matches('noWhere', {}, events, NOW)).toBe(set.matches('noWhereGeneral', {}, events, NOW));
        },
      ),
      runs(300),
    );
  });
});
