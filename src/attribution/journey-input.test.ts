/** Journeys passed by hand are checked: finite times, oldest first, finite value (they made credits NaN). */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CrossChannelError } from '../core/errors.js';
import { attribute, compareModels, createStatistics, type Journey } from './index.js';

const DAY = 86_400_000;
const refused = (f: () => unknown, path: string): void => {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(CrossChannelError);
    expect((e as CrossChannelError).code).toBe('INPUT_INVALID');
    expect((e as CrossChannelError).path).toEqual(path);
    return;
  }
  expect.fail('accepted');
};

describe('journey input', () => {
  it('refuses touches listed newest first (time decay credited NaN), a NaN time, a non-finite value', () => {
    const j = (times: number[], value = 1): Journey => ({ subjectId: 'x', channels: ['a', 'b'], times, converted: true, conversionAt: 60 * DAY, value });
    // 60 days apart with a 1-hour half-life: 2^1440 overflowed, a got NaN.
    refused(() => compareModels([j([0, DAY]), j([60 * DAY, 0])], { models: [{ model: 'time_decay', halfLife: '1h' }] }), 'journeys[1]');
    refused(() => attribute([j([NaN, 0])], 'time_decay'), 'journeys[0]');
    refused(() => attribute([j([0, 0], NaN)], 'linear'), 'journeys[0]');
    refused(() => attribute([j([0, 0], Infinity)], 'markov'), 'journeys[0]');
    refused(() => createStatistics().add(j([1, 0])), 'journey');
    // Equal times are fine (touches at one instant keep their order).
    expect(attribute([j([5, 5])], 'time_decay').channels.map((c) => c.conversions)).toEqual([0.5, 0.5]);
  });

  it('time decay credits are finite and sum to the conversions for any oldest-first times', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 400 * DAY }), { minLength: 1, maxLength: 6 }), fc.constantFrom('1h', '7d'), (raw, halfLife) => {
        const times = [...raw].sort((a, b) => a - b);
        const channels = times.map((_, i) => 'abc'[i % 3]!);
        const r = attribute([{ subjectId: 'x', channels, times, converted: true, conversionAt: times[times.length - 1]!, value: 2 }], { model: 'time_decay', halfLife } as never);
        for (const c of r.channels) expect(Number.isFinite(c.conversions)).toBe(true);
        expect(r.channels.reduce((s, c) => s + c.conversions, 0)).toBeCloseTo(1, 12);
      }),
      { numRuns: 100 },
    );
  });
});
