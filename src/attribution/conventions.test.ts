/** Attribution conventions users migrate from: each option reproduces the other tools' numbers. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { buildJourneys, type Journey } from './journeys.js';
import { compareModels } from './attribute.js';

const DAY = 86_400_000;
const T = Date.UTC(2026, 2, 1);

describe('journey conventions', () => {
  const touches = [
    { subjectId: 'a', channel: 'search', at: T },
    { subjectId: 'a', channel: 'email', at: T + 2 * DAY },
    { subjectId: 'b', channel: 'display', at: T },
    { subjectId: 'b', channel: 'display', at: T + 50 * DAY },
    { subjectId: 'b', channel: 'email', at: T + 60 * DAY },
  ];
  const conversions = [{ subjectId: 'a', at: T + DAY, value: 10 }];

  it('default: touches after the last conversion start the next journey; non-converting journeys keep every touch', () => {
    const j = buildJourneys(touches, conversions);
    expect(j.map((x) => [x.subjectId, x.channels, x.converted])).toEqual([
      ['a', ['search'], true],
      ['a', ['email'], false],
      ['b', ['display', 'display', 'email'], false],
    ]);
  });

  it("afterLastConversion: 'drop' leaves a converter's later touches out (a non-converter keeps them)", () => {
    const j = buildJourneys(touches, conversions, { afterLastConversion: 'drop' });
    expect(j.map((x) => [x.subjectId, x.channels, x.converted])).toEqual([
      ['a', ['search'], true],
      ['b', ['display', 'display', 'email'], false],
    ]);
  });

  it('nonConvertingLookback: the window runs back from the last touch of a non-converting journey', () => {
    const j = buildJourneys(touches, conversions, { nonConvertingLookback: true, lookback: '30d' });
    expect(j.find((x) => x.subjectId === 'b')!.channels).toEqual(['display', 'email']);
  });

  it('property: dropping never changes converting journeys, and removes exactly the trailing journeys of converters', () => {
    const rowArb = fc.record({ subjectId: fc.constantFrom('a', 'b', 'c'), channel: fc.constantFrom('x', 'y'), at: fc.integer({ min: 0, max: 100 }).map((d) => T + d * DAY) });
    const convArb = fc.record({ subjectId: fc.constantFrom('a', 'b', 'c'), at: fc.integer({ min: 0, max: 100 }).map((d) => T + d * DAY) });
    fc.assert(
      fc.property(fc.array(rowArb, { maxLength: 30 }), fc.array(convArb, { maxLength: 6 }), (ts, cs) => {
        const keep = buildJourneys(ts, cs);
        const drop = buildJourneys(ts, cs, { afterLastConversion: 'drop' });
        const converters = new Set<string>(cs.map((c) => c.subjectId));
        const expected = keep.filter((j) => j.converted || !converters.has(j.subjectId));
        expect(drop).toEqual(expected);
      }),
      { numRuns: 200 },
    );
  });
});

describe('Markov value credit', () => {
  // email leads to the large orders, search to the small ones; both convert equally often.
  const journeys: Journey[] = [];
  for (let i = 0; i < 20; i++) {
    journeys.push({ subjectId: `e${i}`, channels: ['email'], times: [0], converted: i % 2 === 0, value: i % 2 === 0 ? 100 : 0, ...(i % 2 === 0 ? { conversionAt: 1 } : {}) });
    journeys.push({ subjectId: `s${i}`, channels: ['search'], times: [0], converted: i % 2 === 0, value: i % 2 === 0 ? 10 : 0, ...(i % 2 === 0 ? { conversionAt: 1 } : {}) });
  }
  const credit = (valueCredit: 'valueRemoval' | 'conversionShare') => {
    const m = compareModels(journeys, { models: [{ model: 'markov', valueCredit }] }).models[0]!;
    return Object.fromEntries(m.channels.map((c) => [c.channel, [c.conversions, c.value]]));
  };

  it("'conversionShare' splits value by the conversion removal-effect share; the default by value removal effects", () => {
    const share = credit('conversionShare');
    expect(share.email![0]).toBeCloseTo(10);
    expect(share.email![1]).toBeCloseTo(550); // half of the 1,100 total value, as conversions split half/half
    const value = credit('valueRemoval');
    expect(value.email![1]).toBeCloseTo(1000);
    expect(value.search![1]).toBeCloseTo(100);
  });
});
