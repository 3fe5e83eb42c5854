/**
 * Every public function and class of `crosschannel/insights`, called from plain JavaScript with JSON values of
 * the wrong shape, throws (or rejects with) a CrossChannelError — never a TypeError.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CrossChannelError } from '../core/errors.js';
import { createRng } from '../core/random.js';
import * as insights from './index.js';

const json = fc.jsonValue({ maxDepth: 2 });
const CLASSES = new Set(['KpiAccumulator', 'FunnelAccumulator', 'CohortAccumulator']);

async function outcome(f: () => unknown): Promise<unknown> {
  try {
    await f();
    return undefined;
  } catch (e) {
    return e;
  }
}

describe('insights: bad input from plain JavaScript', () => {
  const fns = Object.entries(insights).filter(([, v]) => typeof v === 'function') as Array<[string, (...a: unknown[]) => unknown]>;

  it('covers the public functions', () => {
    expect(fns.length).toBeGreaterThan(25);
  });

  for (const [name, fn] of fns) {
    it(`${name} throws CrossChannelError, never a TypeError`, async () => {
      await fc.assert(
        fc.asyncProperty(fc.array(json, { maxLength: 3 }), async (args) => {
          const e = await outcome(() => (CLASSES.has(name) ? new (fn as unknown as new (...a: unknown[]) => unknown)(...args) : fn(...args)));
          if (e !== undefined) expect(e, `${name}(${JSON.stringify(args)}) threw ${String(e)}`).toBeInstanceOf(CrossChannelError);
        }),
        { numRuns: 40 },
      );
    });
  }

  it('names a KPI JSON cannot print (a BigInt) in INSIGHTS_KPI_UNKNOWN, not a TypeError', () => {
    expect(() => insights.resolveKpis(['contacts', 10n])).toThrow(expect.objectContaining({ code: 'INSIGHTS_KPI_UNKNOWN', path: 'kpis[1]', message: expect.stringContaining('Unknown KPI 10') }));
  });

  it('accumulator methods refuse bad histories and states', async () => {
    await fc.assert(
      fc.asyncProperty(json, async (v) => {
        for (const acc of [new insights.KpiAccumulator(), new insights.FunnelAccumulator({ steps: ['a', 'b'] }), new insights.CohortAccumulator()]) {
          for (const call of [() => acc.add(v as never), () => acc.merge(v as never), () => acc.addAll(v as never)]) {
            const e = await outcome(call);
            if (e !== undefined) expect(e).toBeInstanceOf(CrossChannelError);
          }
        }
      }),
      { numRuns: 60 },
    );
  });
});

// Found by test/package/fuzz-mutations-analytics.test.ts: a valid input with one bad field.
describe('insights: one bad field is named at its place', () => {
  const NOW = Date.parse('2026-03-10T10:00:00Z');
  const history = { subjectId: 'p', contacts: [{ id: 'c', subjectId: 'p', channel: 'email', tags: [], at: NOW }], responses: [], events: [] };

  it('simulateGammaGamma refuses a frequency of 1e308 (it looped for ever) and fitBgNbd one of 1e300 (a RangeError)', () => {
    expect(() => insights.simulateGammaGamma({ p: 6.25, q: 3.74, gamma: 15.44 }, [1, 1e308], createRng(7))).toThrow(
      expect.objectContaining({ code: 'INPUT_INVALID', path: 'frequencies[1]' }),
    );
    expect(() => insights.fitBgNbd([{ frequency: 0, recency: 0, age: 3 }, { frequency: 1e300, recency: 1, age: 3 }])).toThrow(expect.objectContaining({ code: 'INPUT_INVALID', path: '[1].frequency' }));
  });

  it('accumulateKpis names the history by its index, and an instant beyond year 9999 at its record (TIME_INVALID at `ms` before)', () => {
    expect(() => insights.accumulateKpis([history, { ...history, contacts: [{ ...history.contacts[0]!, at: null }] }] as never)).toThrow(
      expect.objectContaining({ code: 'INPUT_INVALID', path: '[1].contacts[0]' }),
    );
    expect(() => insights.accumulateKpis([{ ...history, contacts: [{ ...history.contacts[0]!, at: -6.6e137 }] }] as never)).toThrow(expect.objectContaining({ code: 'INPUT_INVALID', path: '[0].contacts[0]' }));
  });

  it("kpiTable refuses null options (a TypeError) and names a state's options under options", () => {
    const acc = insights.accumulateKpis([history] as never, { by: ['channel'] });
    expect(() => insights.kpiTable(acc, ['contacts'], null as never)).toThrow(expect.objectContaining({ code: 'INPUT_INVALID', path: 'options' }));
    const state = JSON.parse(JSON.stringify(acc.toJSON()));
    state.options.by = null;
    expect(() => insights.kpiTable(state, ['contacts'])).toThrow(expect.objectContaining({ code: 'CONFIG_INVALID', path: 'options.by' }));
  });

  it('labelOf names the key field (a TypeError or the Error of a toString, or TIME_INVALID at `ms`, before)', () => {
    expect(() => insights.labelOf({ channel: Symbol('s') } as never, 'week', 'UTC')).toThrow(expect.objectContaining({ code: 'INPUT_INVALID', path: 'key.channel' }));
    expect(() => insights.labelOf({ period: 2 ** 53 }, 'week', 'UTC')).toThrow(expect.objectContaining({ code: 'TIME_INVALID', path: 'key.period' }));
  });
});

describe('insights: arrays with holes', () => {
  const T = Date.parse('2026-03-02T10:00:00Z');
  const h = { subjectId: 'p', contacts: [{ id: 'c', subjectId: 'p', channel: 'email', tags: [], transactional: false, at: T }], responses: [], events: [{ subjectId: 'p', type: 'purchase', at: T, properties: {} }] };
  const acc = insights.accumulateKpis([h as never], { by: ['channel'] });
  const state = JSON.parse(JSON.stringify(acc.toJSON()));
  const cstate = JSON.parse(JSON.stringify(new insights.CohortAccumulator().add(h as never).toJSON()));
  /** `list` with a hole inserted at `at`. */
  const holed = <T>(list: T[], at: number): T[] => {
    const a = [...list.slice(0, at), undefined as T, ...list.slice(at)];
    delete a[at];
    return a;
  };

  it('are refused at the hole with a typed error (TypeErrors, or a hole accepted as a KPI, before)', () => {
    const cases: Array<[() => unknown, string, string]> = [
      [() => insights.kpiTable(acc, holed(['contacts', 'revenue'], 1) as never), 'INSIGHTS_KPI_UNKNOWN', 'kpis[1]'],
      [() => insights.resolveKpis(holed(['revenue'], 0)), 'INSIGHTS_KPI_UNKNOWN', 'kpis[0]'],
      [() => insights.accumulateKpis([], { by: ['channel'] }).merge({ ...state, groups: holed(state.groups, 0) }), 'INPUT_INVALID', 'groups[0]'],
      [() => insights.kpiTable({ ...state, groups: new Array(1) }, ['contacts']), 'INPUT_INVALID', 'groups[0]'],
      [() => insights.accumulateKpis([], { by: ['channel'] }).merge({ ...state, groups: [{ ...state.groups[0], counters: holed(state.groups[0].counters, 3) }] }), 'INPUT_INVALID', 'groups[0].counters[3]'],
      [() => insights.cohortReport({ ...cstate, cohorts: holed(cstate.cohorts, 0) }, T + 1e9), 'INPUT_INVALID', 'cohorts[0]'],
      [() => insights.findPersonas(holed([{ subjectId: 'a', features: { x: 1 } }, { subjectId: 'c', features: { x: 3 } }], 1), { k: 2, seed: 1 }), 'INPUT_INVALID', '[1]'],
    ];
    for (const [call, code, path] of cases) expect(call, path).toThrow(expect.objectContaining({ code, path }));
  });
});

describe('insights: events out of time order', () => {
  // Funnels, cohorts, new customers and recency read events in the history's order (the History contract: sorted
  // by at). Out of order from plain JavaScript, they were miscounted without a word: the later purchase made the
  // customer new in the wrong week, the cohort and the funnel missed the earlier events, and recency came out −7.
  const D = 86_400_000;
  const T0 = Date.parse('2026-03-02T00:00:00Z');
  const ev = (type: string, at: number) => ({ subjectId: 'a', type, at, properties: { amount: 5 } });
  const unsorted = { subjectId: 'a', contacts: [], responses: [], events: [ev('purchase', T0 + 9 * D), ev('view', T0 + D), ev('purchase', T0 + 2 * D)] };

  it('every accumulator refuses them at the first event earlier than the one before it, and counts nothing', () => {
    const accs = [new insights.KpiAccumulator({ by: ['period'] }), new insights.FunnelAccumulator({ steps: ['view', 'purchase'] }), new insights.CohortAccumulator()];
    for (const acc of accs) {
      const before = JSON.stringify(acc.toJSON());
      expect(() => acc.add(unsorted as never)).toThrow(expect.objectContaining({ code: 'INPUT_INVALID', path: 'events[1].at' }));
      expect(JSON.stringify(acc.toJSON())).toBe(before);
    }
    expect(() => insights.summariseCustomers([unsorted as never], T0 + 20 * D)).toThrow(expect.objectContaining({ code: 'INPUT_INVALID', path: '[0].events[1].at' }));
    expect(() => insights.accumulateKpis([unsorted as never])).toThrow(expect.objectContaining({ path: '[0].events[1].at' }));
  });

  it('property: a history is refused exactly when its events are not in time order (equal times in any order are fine)', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 5 }), { maxLength: 8 }), (days) => {
        const h = { subjectId: 'a', contacts: [], responses: [], events: days.map((d, i) => ev(i % 2 ? 'view' : 'purchase', T0 + d * D)) };
        const sorted = days.every((d, i) => i === 0 || d >= days[i - 1]!);
        const e = (() => {
          try {
            new insights.CohortAccumulator().add(h as never);
          } catch (x) {
            return x;
          }
        })();
        expect(e === undefined).toBe(sorted);
        if (!sorted) expect(e).toMatchObject({ code: 'INPUT_INVALID', path: `events[${days.findIndex((d, i) => i > 0 && d < days[i - 1]!)}].at` });
      }),
    );
  });
});
