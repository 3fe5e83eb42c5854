/**
 * Valid inputs with one bad field (found by test/package/fuzz-mutations-analytics.test.ts): a CrossChannelError
 * naming the field's place, never a TypeError and never a path of some internal helper.
 */
import { describe, expect, it } from 'vitest';
import { assign } from './assign.js';
import { parseExperiment, parseHoldout } from './config.js';
import { exposureEvent } from './exposure.js';
import { createHoldoutCheck } from './holdout.js';
import { firstExposure, parseMetrics, statsFromHistories } from './metrics.js';
import { sampleRatioMismatch } from './srm.js';
import { mergeExperimentStats, statsFromColumns } from './stats.js';

const NOW = Date.parse('2026-05-01T09:00:00Z');

describe('experiments: one bad field', () => {
  it('mergeExperimentStats names the part (its fields were named as if it were the only one)', () => {
    const s = statsFromColumns('e', ['a', 'b'], ['revenue'], { variant: [0, 1], values: [[1, 2]] });
    expect(() => mergeExperimentStats([s, { ...s, moments: s.moments.map((x, i) => (i === 3 ? -1 : x)) }])).toThrow(
      expect.objectContaining({ code: 'EXPERIMENT_STATS_INVALID', path: '[1].moments[3]' }),
    );
    expect(() => mergeExperimentStats([{ ...s, units: [1, 'x' as never] }, s])).toThrow(expect.objectContaining({ code: 'EXPERIMENT_STATS_INVALID', path: '[0].units[1]' }));
  });

  it('exposureEvent names the exposure field or the assignment it read, not a field of the event it builds', () => {
    const exp = parseExperiment({ id: 'subject-line', variants: [{ id: 'a' }, { id: 'b' }] });
    const a = assign(exp, 'p1', { now: NOW });
    const exposure = { subjectId: 'p1', anonymousId: 'anon-7', at: NOW, channel: 'email' };
    expect(() => exposureEvent(a, { ...exposure, subjectId: 5 as never })).toThrow(expect.objectContaining({ code: 'INPUT_INVALID', path: 'exposure.subjectId' }));
    expect(() => exposureEvent(a, { ...exposure, at: null as never })).toThrow(expect.objectContaining({ code: 'INPUT_INVALID', path: 'exposure.at' }));
    expect(() => exposureEvent(a, { ...exposure, anonymousId: Symbol('x') as never })).toThrow(expect.objectContaining({ code: 'INPUT_INVALID', path: 'exposure.anonymousId' }));
    expect(() => exposureEvent({ ...a, variantIndex: undefined as never }, exposure)).toThrow(expect.objectContaining({ code: 'INPUT_INVALID', path: 'assignment' }));
  });

  it('exposureEvent logs an experiment whose id is 248–256 characters (its event id passed the 256 limit)', () => {
    const ids = ['x'.repeat(256), `${'x'.repeat(255)}y`, 'x'.repeat(247)];
    const events = ids.map((id) => exposureEvent(assign(parseExperiment({ id, variants: [{ id: 'a' }, { id: 'b' }] }), 'p1', { now: NOW }), { subjectId: 'p1', at: NOW })!);
    expect(events.map((e) => e.properties.experimentId)).toEqual(ids);
    // Distinct and at most 256 characters; a short id keeps the readable form.
    expect(new Set(events.map((e) => e.id)).size).toBe(3);
    expect(events.every((e) => e.id!.length <= 256)).toBe(true);
    expect(events[2]!.id).toBe(`exposure:${ids[2]}`);
  });

  it('firstExposure refuses an exposure event without properties (a TypeError, then skipped) or with an at that is no integer, at its place', () => {
    const exposure = (properties: unknown, at: unknown = NOW): never => ({ subjectId: 'p1', type: 'experiment_exposure', at, ...(properties === undefined ? {} : { properties }) }) as never;
    const history = (...events: never[]) => ({ subjectId: 'p1', contacts: [], responses: [], events });
    const view = { subjectId: 'p1', type: 'page_view', at: NOW } as never; // other events are not read
    expect(() => firstExposure(history(view, exposure(undefined)), 'subject-line')).toThrow(expect.objectContaining({ code: 'INPUT_INVALID', path: 'history.events[1].properties' }));
    expect(() => firstExposure(history(exposure({ experimentId: 'subject-line', variantId: 'emoji' }, '2026-05-01')), 'subject-line')).toThrow(expect.objectContaining({ code: 'INPUT_INVALID', path: 'history.events[0].at' }));
    // Another experiment's exposure is not this one's: its at is not read.
    expect(firstExposure(history(exposure({ experimentId: 'other', variantId: 'a' }, 'x'), exposure({ experimentId: 'subject-line', variantId: 'emoji' })), 'subject-line')).toEqual({ at: NOW, variantId: 'emoji' });
    // statsFromHistories names the history by its index among the histories.
    const metrics = parseMetrics([{ id: 'buys', type: 'purchase', aggregate: 'count', window: '7d' }]);
    const good = history(exposure({ experimentId: 'subject-line', variantId: 'emoji' }));
    expect(() => statsFromHistories('subject-line', ['control', 'emoji'], metrics, [good, history(exposure(null))], NOW + 1)).toThrow(expect.objectContaining({ code: 'INPUT_INVALID', path: 'histories[1].events[0].properties' }));
    expect(() => statsFromHistories('subject-line', ['control', 'emoji'], metrics, [good, {} as never], NOW + 1)).toThrow(expect.objectContaining({ code: 'INPUT_INVALID', path: 'histories[1]' }));
  });

  it("an exposure of this experiment without a string variantId is refused (skipped, the unit went to a later exposure's variant; SQL drops it)", () => {
    const exposure = (variantId: unknown, at: number): never => ({ subjectId: 'p1', type: 'experiment_exposure', at, properties: { experimentId: 'subject-line', variantId } }) as never;
    const history = { subjectId: 'p1', contacts: [], responses: [], events: [exposure(7, NOW), exposure('emoji', NOW + 1)] };
    expect(() => firstExposure(history, 'subject-line')).toThrow(expect.objectContaining({ code: 'INPUT_INVALID', path: 'history.events[0].properties' }));
    const metrics = parseMetrics([{ id: 'buys', type: 'purchase', aggregate: 'count', window: '7d' }]);
    for (const v of [null, 7, undefined]) {
      const h = { ...history, events: [exposure(v, NOW), exposure('emoji', NOW + 1)] };
      expect(() => statsFromHistories('subject-line', ['control', 'emoji'], metrics, [h], NOW + 10)).toThrow(expect.objectContaining({ code: 'INPUT_INVALID', path: 'histories[0].events[0].properties' }));
    }
    // Another experiment's exposure without one is not read.
    const other = { ...history, events: [{ ...(exposure(7, NOW) as object), properties: { experimentId: 'other', variantId: 7 } } as never, exposure('emoji', NOW + 1)] };
    expect(firstExposure(other, 'subject-line')).toEqual({ at: NOW + 1, variantId: 'emoji' });
  });

  it("a holdout check names a ctx without a finite now at ctx (at `now`, a name of isHeldOut's, before)", () => {
    const check = createHoldoutCheck({ holdout: parseHoldout({ id: 'global', share: 0.05 }) });
    expect(() => check('p1', { channel: 'email' } as never)).toThrow(expect.objectContaining({ code: 'INPUT_INVALID', path: 'ctx' }));
  });

  it('sampleRatioMismatch checks every value before summing (TypeErrors before) and names units that are not a list', () => {
    expect(() => sampleRatioMismatch([5000, 10n as never], [0.5, 0.5])).toThrow(expect.objectContaining({ code: 'INPUT_INVALID', path: 'units[1]' }));
    expect(() => sampleRatioMismatch([5000, 5210], [Symbol('s') as never, 0.5])).toThrow(expect.objectContaining({ code: 'INPUT_INVALID', path: 'shares[0]' }));
    expect(() => sampleRatioMismatch([5000, 5210], [0.5, 0.5], {} as never)).toThrow(expect.objectContaining({ code: 'INPUT_INVALID', path: 'threshold' }));
    expect(() => sampleRatioMismatch(null as never, [0.5, 0.5])).toThrow(expect.objectContaining({ code: 'INPUT_INVALID', path: 'units' }));
    // A huge share overflowed `total × share` to NaN, which reached chiSquareSurvival and was named at its `x`.
    expect(sampleRatioMismatch([5000, 5210], [1e308, 0.5]).mismatch).toBe(true);
  });
});
