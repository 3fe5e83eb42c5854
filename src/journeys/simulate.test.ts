import { describe, expect, it } from 'vitest';
import { parseCapRules } from '../capping/rules.js';
import { consentState, parseConsentEvent } from '../consent/ledger.js';
import { simulateJourney, type SimulatedPerson } from './simulate.js';
import { parseJourney } from './compile.js';
import { whitePaper } from './scenarios/fixtures.js';

const start = Date.parse('2026-03-02T08:00:00Z');
const people: SimulatedPerson[] = Array.from({ length: 200 }, (_, i) => ({
  subjectId: `lead-${i}`,
  enterAt: (i % 10) * 3_600_000,
  consent: consentState(
    (i % 5 === 0 ? ['email'] : ['email', 'direct_mail']).flatMap((channel) =>
      ['marketing', 'service'].map((purpose) => parseConsentEvent({ id: `${i}-${channel}-${purpose}`, subjectId: `lead-${i}`, channel, purpose, kind: 'granted', at: 0, evidence: { source: 'sim' } })),
    ),
  ),
}));

describe('simulateJourney', () => {
  const options = { days: 70, seed: 42, start, caps: parseCapRules({ rules: [{ id: 'week', kind: 'limit', limit: 1, window: { rolling: '7d' }, scope: { tags: 'marketing' } }] }), responseModel: { email: { opened: 0.4, clicked: 0.25, unsubscribed: 0.01, goal: 0.2 }, goalEvent: 'demo_booked' } };

  it('forecasts the funnel, pressure and blocks, deterministically for a seed', () => {
    const r = simulateJourney(whitePaper, people, options);
    expect(r).toEqual(simulateJourney(whitePaper, people, options));
    expect(r.population).toBe(200);
    expect(r.funnel[0]).toEqual({ step: 'thanks', reached: 200 });
    expect(r.steps['demo-invite']!.reached).toBeGreaterThan(0);
    expect(r.steps['demo-invite']!.reached).toBeLessThan(200);
    expect(r.blocked.caps).toBeGreaterThan(0); // the weekly cap holds the J+20 / J+25 sends
    expect(r.contactsPerPersonWeek.email).toBeGreaterThan(0);
    expect(Object.values(r.outcomes).reduce((a, b) => a + b, 0)).toBe(200);
    expect(r.outcomes['goal:demo-booked']).toBeGreaterThan(0);
  });
});

describe('simulateJourney with a channel named constructor', () => {
  // Channel names are lowercase words: `constructor` is one, and its contacts count from zero like any other.
  it('counts its contacts per person and week', () => {
    const j = { id: 'c', version: 1, entry: { on: 'manual' as const }, start: 'a', steps: { a: { type: 'send' as const, channel: 'constructor', message: 'm', next: 'b' }, b: { type: 'send' as const, channel: 'email', message: 'm', next: 'z' }, z: { type: 'end' as const } } };
    const r = simulateJourney(j, [{ subjectId: 'p1' }, { subjectId: 'p2' }], { days: 7, seed: 1, start });
    expect(r.contactsPerPersonWeek).toEqual({ constructor: 1, email: 1 });
    expect(Object.keys(r.contactsPerPersonWeek)).toEqual(['constructor', 'email']);
  });
});

describe('simulateJourney given people of the wrong shape', () => {
  it('names the person (population[1].…), not the argument the journey would name', () => {
    const options = { start: Date.UTC(2026, 0, 5), days: 10, seed: 1 };
    const cases: Array<[unknown, string]> = [
      [{ subjectId: 'b', enterAt: { valueOf: 3 } }, 'population[1].enterAt'],
      // An offset that puts the entry outside epoch milliseconds, or between two of them, is named as the offset
      // (it was startInstance's TIME_INVALID at population[1].now, a field the person does not have).
      [{ subjectId: 'b', enterAt: 9e15 }, 'population[1].enterAt'],
      [{ subjectId: 'b', enterAt: -1.8e308 }, 'population[1].enterAt'],
      [{ subjectId: 'b', enterAt: 0.5 }, 'population[1].enterAt'],
      [{ subjectId: '' }, 'population[1].subjectId'],
      [{ subjectId: 'x'.repeat(5000) }, 'population[1].subjectId'],
      [{ subjectId: 'b', profile: 5 }, 'population[1].profile'],
    ];
    for (const [person, path] of cases) {
      expect(() => simulateJourney(whitePaper as never, [{ subjectId: 'a' }, person] as never, options)).toThrow(expect.objectContaining({ code: 'JOURNEY_INPUT_INVALID', path }));
    }
  });

  it('needs a start that is epoch milliseconds (one past them was blamed on the first person\'s enterAt)', () => {
    for (const start of [1e300, -9e15, 0.5, Number.NaN]) {
      expect(() => simulateJourney(whitePaper as never, [{ subjectId: 'a' }], { start, days: 10, seed: 1 })).toThrow(expect.objectContaining({ code: 'JOURNEY_INPUT_INVALID', path: 'options' }));
    }
  });
});

describe('simulateJourney counts blocked sends, not the times they were held', () => {
  const journey = (onBlocked: 'hold' | 'skip', holdAtMost: string) =>
    parseJourney({
      id: 'b',
      version: 1,
      entry: { on: 'manual' },
      start: 's1',
      steps: {
        s1: { type: 'send', channel: 'email', message: 'a', next: 'w' },
        w: { type: 'wait', duration: '1h', next: 's2' },
        s2: { type: 'send', channel: 'email', message: 'b', onBlocked, holdAtMost, next: 'after' },
        after: { type: 'task', task: 'after' },
      },
    });
  const caps = parseCapRules({ rules: [{ id: 'week', kind: 'limit', limit: 1, window: { rolling: '7d' } }] });
  it('a send held, then skipped when the hold runs out, is one blocked send (it was two)', () => {
    const r = simulateJourney(journey('hold', '2d'), [{ subjectId: 'p' }], { days: 20, seed: 1, start, caps });
    expect(r.blocked.caps).toBe(1);
    expect(r.steps.s2!.blockedByCaps).toBe(1);
    expect(r.steps.s2!.sent).toBe(0);
  });
  it('a send held until the cap lets it go is one blocked send, and it is sent', () => {
    const r = simulateJourney(journey('hold', '8d'), [{ subjectId: 'p' }, { subjectId: 'q' }], { days: 20, seed: 1, start, caps });
    expect(r.blocked.caps).toBe(2);
    expect(r.steps.s2!).toMatchObject({ blockedByCaps: 2, sent: 2 });
  });
});
