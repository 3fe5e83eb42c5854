import { describe, expect, it } from 'vitest';
import { planContacts } from './plan.js';
import { parseCapRules } from './rules.js';
import { createHistory } from '../core/records.js';

const now = Date.parse('2026-02-10T12:00:00Z');

describe('planContacts', () => {
  const caps = parseCapRules({
    rules: [
      { id: 'day', kind: 'limit', limit: 2, window: 'day' },
      { id: 'sms', kind: 'limit', limit: 1, window: 'day', scope: { channels: 'sms' } },
    ],
  });

  it('admits by priority, then id, then input order, counting the ones already admitted', () => {
    const plan = planContacts(createHistory('p'), caps, [
      { id: 'b-promo', channel: 'sms', priority: 1 },
      { id: 'a-promo', channel: 'sms', priority: 1 },
      { id: 'alert', channel: 'push', priority: 9 },
      { id: 'news', channel: 'email' },
    ], { now });
    expect(plan.send.map((c) => c.id)).toEqual(['alert', 'a-promo']);
    expect(plan.hold.map((h) => [h.candidate.id, h.decision.reasons.map((r) => r.rule)])).toEqual([
      ['b-promo', ['day', 'sms']],
      ['news', ['day']],
    ]);
  });

  it('is deterministic whatever the input order', () => {
    const cs = [
      { id: 'x', channel: 'email', priority: 2 },
      { id: 'y', channel: 'email', priority: 2 },
      { id: 'z', channel: 'push', priority: 2 },
    ];
    const a = planContacts(createHistory('p'), caps, cs, { now });
    const b = planContacts(createHistory('p'), caps, [...cs].reverse(), { now });
    expect(a.send.map((c) => c.id)).toEqual(['x', 'y']);
    expect(b.send.map((c) => c.id)).toEqual(['x', 'y']);
  });

  it('transactional candidates pass and do not use marketing slots', () => {
    const plan = planContacts(createHistory('p'), caps, [
      { id: 'receipt', channel: 'email', transactional: true, priority: 100 },
      { id: 'm1', channel: 'email' },
      { id: 'm2', channel: 'push' },
    ], { now });
    expect(plan.send.map((c) => c.id)).toEqual(['receipt', 'm1', 'm2']);
  });
});

describe('planContacts options errors (mutation fuzz, 2026-12-05)', () => {
  it('names a zone that is not a string timeZone, as the evaluation names now and an unknown zone', () => {
    const caps = parseCapRules({ rules: [{ id: 'day', kind: 'limit', limit: 1, window: 'day' }] });
    const run = (options: unknown) => () => planContacts(createHistory('p1'), caps, [{ id: 'a', channel: 'email' }], options as never);
    expect(run({ now, timeZone: {} })).toThrow(expect.objectContaining({ code: 'INPUT_INVALID', path: 'timeZone' }));
    expect(run({ now, timeZone: 'Mars/Base' })).toThrow(expect.objectContaining({ path: 'timeZone' }));
    expect(run({ now: null })).toThrow(expect.objectContaining({ code: 'TIME_INVALID', path: 'now' }));
  });
});

describe('planContacts options', () => {
  it('refuses a bad now or zone even with no candidate to plan (it returned { send: [], hold: [] })', () => {
    const caps = parseCapRules({ rules: [] });
    expect(() => planContacts(createHistory('p'), caps, [], { now: Number.NaN })).toThrow(expect.objectContaining({ code: 'TIME_INVALID', path: 'now' }));
    expect(() => planContacts(createHistory('p'), caps, [], { now: 1, timeZone: 'Mars/Olympus' })).toThrow(expect.objectContaining({ code: 'TIMEZONE_INVALID', path: 'timeZone' }));
    expect(planContacts(createHistory('p'), caps, [], { now: 1 })).toEqual({ send: [], hold: [] });
  });
});
