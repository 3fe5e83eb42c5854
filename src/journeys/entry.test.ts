import { describe, expect, it } from 'vitest';
import { parseJourney } from './compile.js';
import { canEnter, triggersEntry } from './instance.js';
import { createJourneyRunner } from './runner.js';
import { whitePaper, welcome } from './scenarios/fixtures.js';
import { entryPlan } from './store.js';

// Inputs from plain JavaScript found by the mutation fuzz (test/package/fuzz-mutations-flow.test.ts, 2026-12-05):
// each was a TypeError (or an error at another field's path) before.
const NOW = Date.parse('2026-03-10T10:00:00Z');
const gated = parseJourney({ ...whitePaper, entry: { on: { event: 'white_paper_download' }, reentry: { cooldown: '90d' }, cap: { max: 1000, per: '1d' } } });
const bySegment = parseJourney({ ...welcome, entry: { on: { segment: { attr: 'tier', op: 'eq', value: 'gold' } } } });
const objectNoPrimitive = { valueOf: 3, toString: 2 };

describe('entry policy input errors', () => {
  it('canEnter names a bad now, lastEnteredAt or capCount', () => {
    const prior = { active: false, lastEnteredAt: NOW - 100 * 86_400_000, capCount: 3 };
    expect(() => canEnter(gated, prior, objectNoPrimitive as never)).toThrow(expect.objectContaining({ code: 'TIME_INVALID', path: 'now' }));
    expect(() => canEnter(gated, { ...prior, lastEnteredAt: 10n as never }, NOW)).toThrow(expect.objectContaining({ code: 'TIME_INVALID', path: 'prior.lastEnteredAt' }));
    expect(() => canEnter(gated, { ...prior, capCount: Symbol('n') as never }, NOW)).toThrow(expect.objectContaining({ code: 'JOURNEY_INPUT_INVALID', path: 'prior.capCount' }));
  });

  it('entryPlan names a bad now', () => {
    expect(() => entryPlan(gated, objectNoPrimitive as never)).toThrow(expect.objectContaining({ code: 'TIME_INVALID', path: 'now' }));
  });

  it('triggersEntry names a segment entry’s bad events and now under input', () => {
    const events = [{ subjectId: 'p1', type: 'signup', at: NOW, properties: {} }];
    expect(() => triggersEntry(bySegment, { profile: { tier: 'gold' }, events: [{ ...events[0]!, at: objectNoPrimitive as never }] })).toThrow(expect.objectContaining({ path: 'input.events[0].at' }));
    expect(() => triggersEntry(bySegment, { profile: { tier: 'gold' }, events, now: [] as never })).toThrow(expect.objectContaining({ path: 'input.now' }));
  });

  it('createJourneyRunner names a leaseMs that is not a number', () => {
    expect(() => createJourneyRunner({ store: {} as never, journeys: [whitePaper], handlers: {}, leaseMs: objectNoPrimitive as never })).toThrow(expect.objectContaining({ code: 'CONFIG_INVALID', path: 'leaseMs' }));
  });

  it('createJourneyRunner checks every hook where it is built, named by its option (at tick, a bad one failed every claim)', () => {
    const base = { store: {} as never, journeys: [whitePaper], handlers: {} };
    const bad: Array<[Record<string, unknown>, string]> = [
      [{ person: 'p' }, 'person'],
      [{ holdout: {} }, 'holdout'],
      [{ bestMoment: 5 }, 'bestMoment'],
      [{ handlers: { send: 'email' } }, 'handlers.send'],
      [{ handlers: { optOut: {} } }, 'handlers.optOut'],
      [{ caps: { rules: [] } }, 'caps'],
      [{ contacts: {} }, 'contacts'],
      [{ contacts: { history: () => null } }, 'contacts'],
      [{ owner: '' }, 'owner'],
      [{ owner: 7 }, 'owner'],
    ];
    for (const [options, path] of bad) {
      expect(() => createJourneyRunner({ ...base, ...options } as never), path).toThrow(expect.objectContaining({ code: 'CONFIG_INVALID', path }));
    }
    // Absent hooks and handlers are fine; so are the right ones.
    expect(() => createJourneyRunner({ ...base, person: () => ({}), handlers: { send: () => undefined }, owner: 'w1' })).not.toThrow();
  });
});
