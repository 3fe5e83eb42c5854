import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RFM_SEGMENTS, fitRfm, parseRfmMapping, rfmInputFromEvents, rfmScores, scoreRfm, type RfmInput } from './index.js';

const DAY = 86_400_000;
const NOW = Date.UTC(2026, 0, 1);

const customerArb = fc.record({
  id: fc.uuid(),
  lastPurchaseAt: fc.option(fc.integer({ min: 0, max: 400 }).map((d) => NOW - d * DAY), { nil: undefined }),
  frequency: fc.integer({ min: 0, max: 30 }),
  monetary: fc.integer({ min: 0, max: 5000 }),
});

describe('RFM scores', () => {
  it('ten distinct customers split two per score', () => {
    const customers: RfmInput[] = Array.from({ length: 10 }, (_, i) => ({ id: `c${i}`, lastPurchaseAt: NOW - (10 - i) * DAY, frequency: i + 1, monetary: (i + 1) * 100 }));
    const s = rfmScores(customers, NOW);
    expect(s.map((x) => x.r)).toEqual([1, 1, 2, 2, 3, 3, 4, 4, 5, 5]);
    expect(s.map((x) => x.f)).toEqual([1, 1, 2, 2, 3, 3, 4, 4, 5, 5]);
    expect(s[9]).toEqual({ id: 'c9', r: 5, f: 5, m: 5, code: '555', segment: 'champions' });
    expect(s[0]!.segment).toBe('lost');
  });
  it('properties: scores 1–5, monotone in each value, equal values share a score, never-bought scores R=1', () => {
    fc.assert(
      fc.property(fc.array(customerArb, { minLength: 1, maxLength: 60 }), (customers) => {
        const model = fitRfm(customers, NOW);
        const s = customers.map((c) => scoreRfm(model, c));
        for (let i = 0; i < customers.length; i++) {
          const a = customers[i]!;
          const sa = s[i]!;
          for (const k of ['r', 'f', 'm'] as const) expect(sa[k]).toBeGreaterThanOrEqual(1), expect(sa[k]).toBeLessThanOrEqual(5);
          if (a.lastPurchaseAt === undefined) expect(sa.r).toBe(1);
          for (let j = 0; j < customers.length; j++) {
            const b = customers[j]!;
            const sb = s[j]!;
            if (a.frequency > b.frequency) expect(sa.f).toBeGreaterThanOrEqual(sb.f);
            if (a.frequency === b.frequency) expect(sa.f).toBe(sb.f);
            if (a.monetary > b.monetary) expect(sa.m).toBeGreaterThanOrEqual(sb.m);
            const ra = a.lastPurchaseAt ?? -Infinity;
            const rb = b.lastPurchaseAt ?? -Infinity;
            if (ra > rb) expect(sa.r).toBeGreaterThanOrEqual(sb.r);
          }
        }
        // distinct values: each score's group is within one of n/5
        const distinct = new Set(customers.map((c) => c.monetary));
        if (distinct.size === customers.length && customers.length >= 5) {
          for (let score = 1; score <= 5; score++) {
            const size = s.filter((x) => x.m === score).length;
            expect(Math.abs(size - customers.length / 5)).toBeLessThanOrEqual(1);
          }
        }
      }),
      { numRuns: 150 },
    );
  });
  it('the default mapping names every cell; a custom mapping must too', () => {
    const c = parseRfmMapping(RFM_SEGMENTS);
    expect(c.classify(5, 5, 1)).toBe('champions');
    expect(c.classify(1, 5, 5)).toBe('cannot_lose_them');
    expect(c.classify(2, 3, 3)).toBe('at_risk');
    expect(c.classify(1, 1, 1)).toBe('lost');
    expect(c.classify(2, 2, 5)).toBe('hibernating');
    expect(c.classify(4, 1, 1)).toBe('promising');
    expect(c.classify(4, 3, 1)).toBe('potential_loyalist');
    expect(() => parseRfmMapping([{ id: 'best', r: [4, 5] }])).toThrow(expect.objectContaining({ code: 'CONFIG_INVALID', detail: { r: 1, f: 1, m: 1 } }));
    expect(() => parseRfmMapping([{ id: 'x', r: [5, 1] }])).toThrow(expect.objectContaining({ code: 'CONFIG_INVALID', path: '[0].r' }));
    const custom = rfmScores([{ id: 'a', lastPurchaseAt: NOW, frequency: 1, monetary: 1 }], NOW, { mapping: [{ id: 'big', m: [5, 5] }, { id: 'rest' }] });
    expect(custom[0]!.segment).toBe('rest');
  });
  it('reads RFM inputs from events', () => {
    const events = [
      { subjectId: 'p', type: 'purchase', at: NOW - 400 * DAY, properties: { amount: 1000 } },
      { subjectId: 'p', type: 'purchase', at: NOW - 30 * DAY, properties: { amount: 40 } },
      { subjectId: 'p', type: 'page_view', at: NOW - 2 * DAY, properties: {} },
      { subjectId: 'p', type: 'purchase', at: NOW - DAY, properties: { amount: 'n/a' } },
      { subjectId: 'p', type: 'purchase', at: NOW + DAY, properties: { amount: 99 } },
    ];
    expect(rfmInputFromEvents('p', events, NOW)).toEqual({ id: 'p', lastPurchaseAt: NOW - DAY, frequency: 3, monetary: 1040 });
    expect(rfmInputFromEvents('p', events, NOW, { window: '365d' })).toEqual({ id: 'p', lastPurchaseAt: NOW - DAY, frequency: 2, monetary: 40 });
    expect(rfmInputFromEvents('p', [], NOW)).toEqual({ id: 'p', lastPurchaseAt: undefined, frequency: 0, monetary: 0 });
    expect(() => fitRfm([{ id: 'x', lastPurchaseAt: undefined, frequency: Number.NaN, monetary: 0 }], NOW)).toThrow(expect.objectContaining({ code: 'INPUT_INVALID', path: 'customers[0].frequency' }));
  });
});

// Found by test/package/fuzz-mutations-analytics.test.ts: a valid input with one bad field.
describe('RFM: bad fields are named at their place', () => {
  const customers = [{ id: 'a', lastPurchaseAt: NOW - DAY, frequency: 2, monetary: 50 }];
  it('scoreRfm checks the customer (an object for monetary threw a TypeError)', () => {
    const model = fitRfm(customers, NOW);
    expect(() => scoreRfm(model, { ...customers[0]!, monetary: Object.create(null) })).toThrow(expect.objectContaining({ code: 'INPUT_INVALID', path: 'customer.monetary' }));
  });
  it('rfmScores names a bad mapping under options.mapping', () => {
    expect(() => rfmScores(customers, NOW, { mapping: [{ id: 'x', r: [5, 1] }] })).toThrow(expect.objectContaining({ code: 'CONFIG_INVALID', path: 'options.mapping[0].r' }));
  });
  it('rfmInputFromEvents names its options and events (TypeErrors before)', () => {
    const purchase = { subjectId: 'p', type: 'purchase', at: NOW - DAY, properties: { amount: 5 } };
    expect(() => rfmInputFromEvents('p', [purchase], NOW, { purchaseType: {} as never })).toThrow(expect.objectContaining({ code: 'INPUT_INVALID', path: 'options.purchaseType' }));
    expect(() => rfmInputFromEvents('p', [purchase], NOW, { window: true as never })).toThrow(expect.objectContaining({ code: 'INPUT_INVALID', path: 'options.window' }));
    expect(() => rfmInputFromEvents('p', [{ ...purchase, properties: undefined as never }], NOW)).toThrow(expect.objectContaining({ code: 'INPUT_INVALID', path: 'events[0].properties' }));
    expect(() => rfmInputFromEvents('p', [purchase, { ...purchase, at: 'late' as never }], NOW)).toThrow(expect.objectContaining({ code: 'INPUT_INVALID', path: 'events[1].at' }));
  });
});
