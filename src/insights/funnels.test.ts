import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createHistory, parseBehaviourEvent } from '../core/records.js';
import type { SubjectHistory } from './accumulate.js';
import { FunnelAccumulator, funnelReport } from './funnels.js';

const T0 = Date.parse('2026-01-05T09:00:00Z');
const H = 3_600_000;
const DAY = 24 * H;
const person = (id: string, events: Array<[string, number, string?, number?]>): SubjectHistory =>
  createHistory(id, {
    events: events.map(([type, at, channel, amount]) => parseBehaviourEvent({ subjectId: id, type, at, ...(channel ? { channel } : {}), properties: amount === undefined ? {} : { amount } })),
  });

const people = [
  person('a', [['visit', T0, 'email'], ['cart', T0 + H], ['checkout', T0 + 2 * H], ['purchase', T0 + 3 * H, 'web', 50]]),
  person('b', [['visit', T0, 'search'], ['cart', T0 + H], ['visit', T0 + 2 * H], ['visit', T0 + 3 * H]]),
  person('c', [['visit', T0, 'email'], ['cart', T0 + 8 * DAY]]), // cart outside the 7-day window
  person('d', [['cart', T0]]), // never entered
];

describe('funnels', () => {
  it('counts reach, drop-off per step and entry channel, times and paths before drop-off', () => {
    const f = new FunnelAccumulator({ steps: ['visit', 'cart', 'checkout', 'purchase'], window: '7d' });
    for (const p of people) f.add(p);
    const r = funnelReport(f);
    expect(r.entered).toBe(3);
    expect(r.completed).toBe(1);
    expect(r.steps.map((s) => [s.reached, s.dropOff])).toEqual([
      [3, 1],
      [2, 1],
      [1, 0],
      [1, 1],
    ]);
    expect(r.steps[1]!.conversionFromPrevious).toBeCloseTo(2 / 3);
    expect(r.steps[1]!.meanTimeFromPrevious).toBe(H);
    expect(r.steps[1]!.topDropPaths).toEqual([{ path: 'visit > visit', people: 1 }]);
    expect(r.steps[0]!.topDropPaths).toEqual([{ path: '(nothing)', people: 1 }]);
    expect(r.byEntryChannel).toEqual([
      { channel: 'email', reached: [2, 1, 1, 1], dropOff: [1, 0, 0, 1] },
      { channel: 'search', reached: [1, 1, 0, 0], dropOff: [0, 1, 0, 0] },
    ]);
  });

  it('merges shards to the same report', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: people.length }), (cut) => {
        const spec = { steps: ['visit', 'cart', 'purchase'], window: '2d' };
        const whole = new FunnelAccumulator(spec);
        people.forEach((p) => whole.add(p));
        const a = new FunnelAccumulator(spec);
        const b = new FunnelAccumulator(spec);
        people.slice(0, cut).forEach((p) => a.add(p));
        people.slice(cut).forEach((p) => b.add(p));
        expect(funnelReport(a.merge(b.toJSON()))).toEqual(funnelReport(whole));
      }),
    );
  });

  it('rejects bad funnels with a path', () => {
    expect(() => new FunnelAccumulator({ steps: ['visit'] })).toThrow(expect.objectContaining({ code: 'CONFIG_INVALID', path: 'steps' }));
    expect(() => funnelReport({} as never)).toThrow(expect.objectContaining({ code: 'INPUT_INVALID' }));
  });
});

describe('funnel states from elsewhere', () => {
  it('checks every value before merging any, and names the funnel definition where it is in the state', () => {
    const h = createHistory('p', { events: [parseBehaviourEvent({ subjectId: 'p', type: 'view', at: 0 }), parseBehaviourEvent({ subjectId: 'p', type: 'buy', at: 10 })] });
    const good = new FunnelAccumulator({ steps: ['view', 'buy'] }).add(h).toJSON();
    const acc = new FunnelAccumulator({ steps: ['view', 'buy'] }).add(h);
    const before = JSON.stringify(acc.toJSON());
    const bad: Array<[unknown, string]> = [
      [{ ...good, timeCount: [{ valueOf: () => { throw new Error('boom'); } }] }, 'timeCount[0]'],
      [{ ...good, timeSum: ['x'] }, 'timeSum[0]'],
      [{ ...good, byChannel: { web: [1, null] } }, 'byChannel.web[1]'],
      [{ ...good, dropPaths: [{ 'view>x': {} }] }, 'dropPaths[0]["view>x"]'],
    ];
    for (const [state, path] of bad) {
      expect(() => acc.merge(state as never)).toThrow(expect.objectContaining({ code: 'INPUT_INVALID', path }));
      expect(JSON.stringify(acc.toJSON())).toBe(before);
    }
    expect(() => funnelReport({ ...good, funnel: { ...good.funnel, steps: ['view', 5] } } as never)).toThrow(expect.objectContaining({ code: 'CONFIG_INVALID', path: 'funnel.steps[1]' }));
  });
});
