import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { buildJourneys } from './index.js';
import { rawRowsArb } from '../../test/arbitraries/attribution.js';

const DAY = 86_400_000;

describe('journey building properties', () => {
  it('every conversion yields exactly one converting journey, every touch inside the window, times sorted', () => {
    fc.assert(
      fc.property(rawRowsArb, fc.integer({ min: 0, max: 40 }), fc.boolean(), ({ touches, conversions }, lookbackDays, collapseRepeats) => {
        const lookback = lookbackDays * DAY;
        const journeys = buildJourneys(touches, conversions, { lookback, collapseRepeats });
        expect(journeys.filter((j) => j.converted)).toHaveLength(conversions.length);
        expect(journeys.reduce((s, j) => s + j.value, 0)).toBe(conversions.reduce((s, c) => s + c.value, 0));
        for (const j of journeys) {
          expect(j.channels.length).toBe(j.times.length);
          for (let i = 1; i < j.times.length; i++) expect(j.times[i]!).toBeGreaterThanOrEqual(j.times[i - 1]!);
          if (j.converted) for (const t of j.times) expect(j.conversionAt! - t).toBeGreaterThanOrEqual(0), expect(j.conversionAt! - t).toBeLessThanOrEqual(lookback);
          if (collapseRepeats) for (let i = 1; i < j.channels.length; i++) expect(j.channels[i]).not.toBe(j.channels[i - 1]);
          if (!j.converted) expect(j.channels.length).toBeGreaterThan(0);
        }
        // Touches are never duplicated (collapsing and the window only drop).
        const kept = journeys.reduce((s, j) => s + j.channels.length, 0);
        expect(kept).toBeLessThanOrEqual(touches.length);
      }),
      { numRuns: 200 },
    );
  });

  it('with distinct timestamps, the order of input rows does not matter', () => {
    fc.assert(
      fc.property(rawRowsArb, fc.integer(), ({ touches, conversions }, seed) => {
        const seen = new Set<number>();
        const t = touches.filter((x) => !seen.has(x.at) && seen.add(x.at));
        const c = conversions.filter((x) => !seen.has(x.at) && seen.add(x.at));
        const shuffle = <T>(xs: T[]): T[] => xs.map((x, i) => [x, Math.imul(i + 1, seed | 1) >>> 0] as const).sort((a, b) => a[1] - b[1]).map((p) => p[0]);
        const key = (js: ReturnType<typeof buildJourneys>): string[] => js.map((j) => JSON.stringify(j)).sort();
        expect(key(buildJourneys(shuffle(t), shuffle(c)))).toEqual(key(buildJourneys(t, c)));
      }),
      { numRuns: 150 },
    );
  });
});
