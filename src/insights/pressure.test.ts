/**
 * Marketing pressure beyond the histogram's last bucket: caps at or above `pressureBuckets`, means and percentiles
 * over person-weeks with more contacts than the buckets hold, and the state that carries them through a merge.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createHistory, parseContactRecord } from '../core/records.js';
import { accumulateKpis, KpiAccumulator, type SubjectHistory } from './accumulate.js';
import { pressureReport } from './pressure.js';
import { quantileOf } from './quantile.js';

const T0 = Date.parse('2026-03-02T08:00:00Z'); // a Monday
const H = 3_600_000;

/** `perWeek[w]` SMS in week w, one an hour from Monday 08:00. */
function texted(id: string, perWeek: ReadonlyArray<number>, channel = 'sms'): SubjectHistory {
  const contacts = perWeek.flatMap((n, w) => Array.from({ length: n }, (_, i) => parseContactRecord({ id: `${id}-${w}-${i}`, subjectId: id, channel, at: T0 + w * 7 * 24 * H + i * H })));
  return createHistory(id, { contacts });
}

describe('pressure above the last histogram bucket', () => {
  const people = [texted('a', [40]), texted('b', [2])];

  it('counts a 40-contact week over a weekly cap of 35 (5 a day) or 20, whatever the buckets', () => {
    const acc = accumulateKpis(people);
    const daily = pressureReport(acc, { rules: [{ id: 'day', kind: 'limit', limit: 5, window: 'day' }] })[0]!;
    expect(daily).toMatchObject({ cap: { limit: 35, ruleId: 'day' }, atCap: 0, overCap: 1, personWeeks: 2 });
    const weekly = pressureReport(acc, { rules: [{ id: 'wk', kind: 'limit', limit: 20, window: 'week' }] })[0]!;
    expect(weekly).toMatchObject({ cap: { limit: 20 }, atCap: 0, overCap: 1 });
    const at40 = pressureReport(acc, { rules: [{ id: 'wk', kind: 'limit', limit: 40, window: 'week' }] })[0]!;
    expect([at40.atCap, at40.overCap]).toEqual([1, 0]);
    // The chart still stops at the last bucket.
    expect(daily.histogram).toHaveLength(21);
    expect(daily.histogram[20]).toBe(1);
  });

  it('mean and percentiles read the exact counts (type 7: the median of 2 and 40 is 21)', () => {
    const p = pressureReport(accumulateKpis(people))[0]!;
    expect(p.mean).toBe(21);
    expect(p.p50).toBe(21);
    expect(p.p90).toBeCloseTo(36.2, 12);
  });

  it('keeps the exact counts through toJSON, JSON text and merge; an older state without them counts its last bucket as the bucket', () => {
    const a = accumulateKpis([people[0]!]);
    const b = accumulateKpis([people[1]!]);
    const json = JSON.parse(JSON.stringify(a.toJSON())) as ReturnType<KpiAccumulator['toJSON']>;
    expect(json.pressureAbove).toEqual({ sms: { '40': 1 } });
    const caps = { rules: [{ id: 'day', kind: 'limit' as const, limit: 5, window: 'day' as const }] };
    expect(pressureReport(b.merge(json), caps)).toEqual(pressureReport(accumulateKpis(people), caps));
    const { pressureAbove: _, ...older } = json;
    const fromOlder = pressureReport(accumulateKpis([people[1]!]).merge(older), caps)[0]!;
    expect([fromOlder.mean, fromOlder.overCap]).toEqual([11, 0]); // (2 + 20) / 2: the old, clamped reading
  });

  it('refuses exact counts that are not above the last bucket, or more than it holds', () => {
    const json = accumulateKpis(people).toJSON();
    const bad: Array<[unknown, string]> = [
      [{ sms: { '12': 1 } }, 'pressureAbove.sms["12"]'],
      [{ sms: { '40': -1 } }, 'pressureAbove.sms["40"]'],
      [{ sms: { x: 1 } }, 'pressureAbove.sms.x'],
      [{ sms: { '40': 2 } }, 'pressureAbove.sms'],
      [{ email: { '40': 1 } }, 'pressureAbove.email'],
      [[], 'pressureAbove'],
    ];
    for (const [pressureAbove, path] of bad) {
      expect(() => new KpiAccumulator().merge({ ...json, pressureAbove } as never)).toThrow(expect.objectContaining({ code: 'INPUT_INVALID', path }));
    }
  });

  it('property: with few buckets, the report is the one with buckets enough for every count (but the chart)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.array(fc.integer({ min: 0, max: 60 }), { minLength: 1, maxLength: 3 }), { minLength: 1, maxLength: 8 }),
        fc.integer({ min: 1, max: 30 }),
        fc.integer({ min: 1, max: 60 }),
        (weeks, buckets, limit) => {
          const pop = weeks.map((w, i) => texted(`p${i}`, w));
          const caps = { rules: [{ id: 'wk', kind: 'limit' as const, limit, window: 'week' as const }] };
          const strip = (r: ReturnType<typeof pressureReport>) => r.map(({ histogram: _, ...rest }) => rest);
          const few = pressureReport(accumulateKpis(pop, { pressureBuckets: buckets }), caps);
          const all = pressureReport(accumulateKpis(pop, { pressureBuckets: 100 }), caps);
          expect(strip(few)).toEqual(strip(all));
          // And against the counts themselves.
          const counts = weeks.flat().filter((n) => n > 0).sort((x, y) => x - y);
          if (counts.length > 0) {
            expect(all[0]!.overCap).toBe(counts.filter((n) => n > limit).length);
            expect(all[0]!.atCap).toBe(counts.filter((n) => n === limit).length);
            expect(all[0]!.mean).toBeCloseTo(counts.reduce((s, n) => s + n, 0) / counts.length, 9);
          }
        },
      ),
      { numRuns: 150 },
    );
  });
});

describe('quantileOf (Hyndman & Fan type 7)', () => {
  it('is the standard median and interpolates between order statistics', () => {
    expect(quantileOf([1, 2, 3, 4], [1, 1, 1, 1], 0.5)).toBe(2.5);
    expect(quantileOf([1, 2, 3], [1, 1, 1], 0.5)).toBe(2);
    expect(quantileOf([2, 40], [1, 1], 0.9)).toBeCloseTo(36.2, 12);
    expect(quantileOf([0, 5, 9], [0, 3, 0], 0.9)).toBe(5);
    expect(quantileOf([1, 7], [2, 1], 0.5)).toBe(1);
    expect(quantileOf([], [], 0.5)).toBe(0);
  });

  it('property: equals the type-7 quantile of the expanded sample', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 5 }), { minLength: 1, maxLength: 8 }), fc.double({ min: 0, max: 1, noNaN: true }), (weights, q) => {
        const values = weights.map((_, i) => i * 3);
        const sample = values.flatMap((v, i) => Array.from({ length: weights[i]! }, () => v));
        if (sample.length === 0) return;
        const pos = q * (sample.length - 1);
        const lo = Math.floor(pos);
        const want = sample[lo]! + (pos - lo) * ((sample[Math.min(lo + 1, sample.length - 1)] ?? 0) - sample[lo]!);
        expect(quantileOf(values, weights, q)).toBeCloseTo(want, 9);
      }),
    );
  });
});
