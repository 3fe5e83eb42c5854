import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { addPaths, collectStatistics, computeAttribution, createStatistics, parsePath, statisticsFromPaths, type Journey, type PathRow } from './index.js';
import { isCrossChannelError } from '../core/errors.js';

const ALL = ['last_touch', 'last_non_direct', 'first_touch', 'linear', 'time_decay', 'position_based', 'markov', { model: 'markov', name: 'markov_2', order: 2 }, 'shapley'] as const;
const relClose = (a: number, b: number): boolean => Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(a), Math.abs(b));

describe('aggregated path rows', () => {
  it('parse path strings', () => {
    expect(parsePath('search > email >direct')).toEqual(['search', 'email', 'direct']);
    expect(parsePath('a|b', '|')).toEqual(['a', 'b']);
    expect(parsePath('  ')).toEqual([]);
  });

  it('equal the same journeys listed one by one (property)', () => {
    const row = fc.record({
      path: fc.array(fc.constantFrom('a', 'b', 'c', 'd'), { minLength: 1, maxLength: 5 }),
      conversions: fc.integer({ min: 0, max: 4 }),
      nulls: fc.integer({ min: 0, max: 4 }),
      unitValue: fc.integer({ min: 0, max: 100 }),
    });
    fc.assert(
      fc.property(fc.array(row, { minLength: 1, maxLength: 12 }), (rows) => {
        const paths: PathRow[] = rows.map((r) => ({ path: r.path.join(' > '), conversions: r.conversions, nulls: r.nulls, value: r.conversions * r.unitValue }));
        const journeys: Journey[] = rows.flatMap((r) => [
          ...Array.from({ length: r.conversions }, (): Journey => ({ subjectId: 's', channels: r.path, times: r.path.map(() => 0), converted: true, conversionAt: 0, value: r.unitValue })),
          ...Array.from({ length: r.nulls }, (): Journey => ({ subjectId: 's', channels: r.path, times: r.path.map(() => 0), converted: false, value: 0 })),
        ]);
        const a = computeAttribution(statisticsFromPaths(paths, { models: [...ALL] }));
        const b = computeAttribution(collectStatistics(journeys, { models: [...ALL] }));
        expect(a.totals).toEqual(b.totals);
        a.models.forEach((m, i) =>
          m.channels.forEach((x, k) => {
            expect(relClose(x.conversions, b.models[i]!.channels[k]!.conversions), `${m.model} ${x.channel}`).toBe(true);
            expect(relClose(x.value, b.models[i]!.channels[k]!.value), `${m.model} ${x.channel} value`).toBe(true);
          }),
        );
      }),
      { numRuns: 80 },
    );
  });

  it('Markov on a ChannelAttribution-style table', () => {
    const stats = statisticsFromPaths(
      [
        { path: 'alpha > beta', conversions: 30, value: 3000, nulls: 70 },
        { path: 'beta', conversions: 10, value: 500, nulls: 90 },
        { path: 'gamma > beta', conversions: 5, value: 250, nulls: 45 },
        { path: ['gamma'], nulls: 50 },
      ],
      { models: ['markov'] },
    );
    const r = computeAttribution(stats).models[0]!;
    expect(r.totals).toEqual({ journeys: 300, conversions: 45, value: 3750 });
    expect(r.channels.reduce((s, c) => s + c.conversions, 0)).toBeCloseTo(45, 9);
    // beta is on every converting path: removing it leaves no conversion.
    expect(r.markov!.removalEffects.beta).toBeCloseTo(1, 12);
    expect(r.markov!.conversionProbability).toBeCloseTo(45 / 300, 12);
  });

  it('rejects bad rows with their path', () => {
    const cases: Array<[unknown[], string]> = [
      [[{ path: 'a > > b', conversions: 1 }], 'paths[0].path[1]'],
      [[{ path: 'a', conversions: -1 }], 'paths[0].conversions'],
      [[{ path: 'a' }, { path: 'b', nulls: Number.NaN }], 'paths[1].nulls'],
      [[{ path: 42 }], 'paths[0].path'],
    ];
    for (const [rows, path] of cases) {
      try {
        statisticsFromPaths(rows as PathRow[]);
        expect.unreachable();
      } catch (e) {
        expect(isCrossChannelError(e, 'INPUT_INVALID')).toBe(true);
        expect((e as { path?: string }).path).toBe(path);
      }
    }
    // An empty path converting is unattributed, not an error.
    expect(computeAttribution(statisticsFromPaths([{ path: '', conversions: 2, value: 9 }], { models: ['linear'] })).unattributed).toEqual({ conversions: 2, value: 9 });
  });

  it('a row without conversions carries no value in any model: credits sum to the totals (Shapley credited it)', () => {
    const rows: PathRow[] = [
      { path: 'a', conversions: 0, value: 50, nulls: 3 },
      { path: 'b', conversions: 1, value: 10 },
    ];
    const stats = statisticsFromPaths(rows, { models: ['linear', 'markov', 'shapley'] });
    const result = computeAttribution(stats);
    expect(result.totals.value).toBe(10);
    for (const m of result.models) {
      expect(m.channels.reduce((s, c) => s + c.value, 0), m.model).toBeCloseTo(10, 9);
      expect(m.channels.find((c) => c.channel === 'a')!.value, m.model).toBe(0);
    }
    // The same through the statistics' JSON and a merge.
    expect(computeAttribution(createStatistics({ models: ['linear', 'markov', 'shapley'] }).merge(stats.toJSON()))).toEqual(result);
  });

  it('names the rows `paths` when they are not iterable, as it names each row (was `rows`)', () => {
    for (const call of [() => statisticsFromPaths(7 as never), () => addPaths(createStatistics({ models: ['linear'] }), null as never)]) {
      expect(call).toThrow(expect.objectContaining({ code: 'INPUT_INVALID', path: 'paths' }));
    }
  });

  it('adds all rows or none: a bad row leaves the statistics as they were (it used to count the rows before it)', () => {
    const stats = addPaths(createStatistics({ models: ['linear', 'markov', 'shapley'] }), [{ path: 'a > b', conversions: 2, nulls: 1 }]);
    const before = JSON.stringify(stats.toJSON());
    function* rows(): Generator<PathRow> {
      yield { path: 'c > a', conversions: 5, nulls: 3 };
      yield { path: 'b', conversions: -1 };
    }
    expect(() => addPaths(stats, rows())).toThrow(expect.objectContaining({ code: 'INPUT_INVALID', path: 'paths[1].conversions' }));
    expect(JSON.stringify(stats.toJSON())).toBe(before);
    expect(() => addPaths({ addCounted() {} } as never, [])).toThrow(expect.objectContaining({ code: 'INPUT_INVALID', path: 'stats' }));
    // The good rows still count, merged in at the end.
    const direct = addPaths(createStatistics({ models: ['linear', 'markov', 'shapley'] }), [{ path: 'a > b', conversions: 2, nulls: 1 }, { path: 'c > a', conversions: 5, nulls: 3 }]);
    expect(computeAttribution(addPaths(stats, [{ path: 'c > a', conversions: 5, nulls: 3 }]))).toEqual(computeAttribution(direct));
  });
});
