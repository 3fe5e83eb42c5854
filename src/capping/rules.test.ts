import { describe, expect, it } from 'vitest';
import { capRuleSetSchema, isCompiledCapRules, MAX_CAP_DURATION_MS, parseCapRules } from './rules.js';
import { CrossChannelError } from '../core/errors.js';
import { DAY, HOUR } from '../core/time.js';
import { toJSONSchema } from '../core/schema.js';

function errorOf(fn: () => unknown): CrossChannelError {
  try {
    fn();
  } catch (e) {
    if (e instanceof CrossChannelError) return e;
    throw e;
  }
  throw new Error('did not throw');
}

describe('parseCapRules', () => {
  it('compiles shorthands: one value or a list, calendar names, durations, clock times', () => {
    const caps = parseCapRules({
      timeZone: 'Europe/Paris',
      rules: [
        { id: 'week', kind: 'limit', limit: 3, window: 'week', scope: { tags: 'marketing' }, reserve: { slots: 1, minPriority: 10 } },
        { id: 'sms', kind: 'limit', limit: 1, window: { calendar: 'day' }, scope: { channels: ['sms'] } },
        { id: 'rolling', kind: 'limit', limit: 2, window: { rolling: { hours: 36 } } },
        { id: 'gap', kind: 'gap', minGap: 'PT4H' },
        { id: 'night', kind: 'quiet', ranges: [{ from: '21:00', to: '08:00', days: [1, 2] }] },
        { id: 'unsub', kind: 'cooldown', duration: '30d' },
        { id: 'forever', kind: 'cooldown', duration: 'forever', after: ['complained'] },
      ],
    });
    const [week, sms, rolling, gap, night, unsub, forever] = caps.rules;
    expect(week).toMatchObject({ kind: 'limit', limit: 3, tags: ['marketing'], window: { type: 'calendar', unit: 'week', weekStartsOn: 1 }, reserveSlots: 1, reserveMinPriority: 10 });
    expect(sms).toMatchObject({ channels: ['sms'], window: { type: 'calendar', unit: 'day' }, transactionalBypass: true, transactionalCounts: false });
    expect(rolling!.window).toEqual({ type: 'rolling', ms: 36 * HOUR });
    expect(gap!.minGap).toBe(4 * HOUR);
    expect(night!.ranges).toEqual([{ from: 21 * 60, to: 8 * 60, days: 0b0000110 }]);
    expect(unsub).toMatchObject({ cooldownMs: 30 * DAY, cooldownKinds: ['refused', 'unsubscribed', 'complained'] });
    expect(forever!.cooldownMs).toBe(Infinity);
    expect(caps.lookbackMs).toBe(Infinity);
    expect(isCompiledCapRules(caps)).toBe(true);
    expect(parseCapRules(caps)).toBe(caps);
  });

  it.each([
    [{ rules: [{ id: 'a', kind: 'limit', limit: -1, window: 'day' }] }, 'rules[0].limit'],
    [{ rules: [{ id: 'a', kind: 'limit', limit: 2, window: 'year' }] }, 'rules[0].window'],
    [{ rules: [{ id: 'a', kind: 'limit', limit: 1, window: 'day', reserve: { slots: 2, minPriority: 1 } }] }, 'rules[0].reserve.slots'],
    [{ rules: [{ id: 'a', kind: 'quiet', ranges: [{ from: '25:00', to: '08:00' }] }] }, 'rules[0].ranges[0].from'],
    [{ rules: [{ id: 'a', kind: 'quiet', ranges: [{ from: '08:00', to: '08:00' }] }] }, 'rules[0].ranges[0].to'],
    [{ rules: [{ id: 'a', kind: 'gap', minGap: 0 }] }, 'rules[0].minGap'],
    [{ rules: [{ id: 'a', kind: 'sometimes' }] }, 'rules[0].kind'],
    [{ rules: [{ id: 'a', kind: 'limit', limit: 1, window: 'day', scope: { channels: 'E-Mail' } }] }, 'rules[0].scope.channels'],
    [{ rules: [{ id: 'a', kind: 'gap', minGap: '1h' }, { id: 'a', kind: 'gap', minGap: '2h' }] }, 'rules[1].id'],
    [{ timeZone: 'Mars/Olympus', rules: [] }, 'timeZone'],
  ])('rejects %j with CONFIG_INVALID at %s', (input, path) => {
    const e = errorOf(() => parseCapRules(input as never));
    expect(e.code).toBe('CONFIG_INVALID');
    expect(e.path).toBe(path);
  });

  it('durations are whole milliseconds: fractions are rounded, and what rounds to 0 is refused at the field', () => {
    const one = (rule: object) => parseCapRules({ rules: [rule] } as never).rules[0]!;
    expect(one({ id: 'r', kind: 'limit', limit: 1, window: { rolling: { seconds: 1.0005 } } }).window).toEqual({ type: 'rolling', ms: 1001 });
    expect(one({ id: 'r', kind: 'limit', limit: 1, window: { rolling: 1000.5 } }).window).toEqual({ type: 'rolling', ms: 1001 });
    expect(one({ id: 'r', kind: 'limit', limit: 1, window: { rolling: { hours: 1.1 } } }).window).toEqual({ type: 'rolling', ms: 3_960_000 });
    expect(one({ id: 'g', kind: 'gap', minGap: 0.5 }).minGap).toBe(1);
    expect(one({ id: 'c', kind: 'cooldown', duration: 1000.5 }).cooldownMs).toBe(1001);
    for (const [rule, path] of [
      [{ id: 'r', kind: 'limit', limit: 1, window: { rolling: 0.4 } }, 'rules[0].window.rolling'],
      [{ id: 'g', kind: 'gap', minGap: { milliseconds: 0.25 } }, 'rules[0].minGap'],
      [{ id: 'c', kind: 'cooldown', duration: 0.2 }, 'rules[0].duration'],
      [{ id: 'c', kind: 'cooldown', duration: 0 }, 'rules[0].duration'],
    ] as const) {
      expect(errorOf(() => one(rule)), path).toMatchObject({ code: 'CONFIG_INVALID', path, message: expect.stringContaining('at least 1 ms') });
    }
  });

  it('durations longer than 100,000,000 days (8.64e15 ms, or Infinity) are refused at the field', () => {
    expect(MAX_CAP_DURATION_MS).toBe(8.64e15);
    const one = (rule: object) => parseCapRules({ rules: [rule] } as never).rules[0]!;
    expect(one({ id: 'r', kind: 'limit', limit: 1, window: { rolling: 8.64e15 } }).window).toEqual({ type: 'rolling', ms: 8.64e15 });
    for (const [rule, path] of [
      [{ id: 'r', kind: 'limit', limit: 1, window: { rolling: { days: 1e308 } } }, 'rules[0].window.rolling'],
      [{ id: 'r', kind: 'limit', limit: 1, window: { rolling: '9999999999999999999999d' } }, 'rules[0].window.rolling'],
      [{ id: 'r', kind: 'limit', limit: 1, window: { rolling: 8.64e15 + 2 } }, 'rules[0].window.rolling'],
      [{ id: 'g', kind: 'gap', minGap: { days: 1e308 } }, 'rules[0].minGap'],
      [{ id: 'c', kind: 'cooldown', duration: { weeks: 1e300 } }, 'rules[0].duration'],
    ] as const) {
      expect(errorOf(() => one(rule)), path).toMatchObject({ code: 'CONFIG_INVALID', path, message: expect.stringContaining('at most 100,000,000 days') });
    }
  });

  it('a bad window names its sub-field (it said "Invalid input" at the window)', () => {
    const window = (w: unknown) => errorOf(() => parseCapRules({ rules: [{ id: 'r', kind: 'limit', limit: 1, window: w }] } as never));
    expect(window({ rolling: -5 })).toMatchObject({ path: 'rules[0].window.rolling', message: expect.stringContaining('Invalid duration') });
    expect(window({ rolling: '7x' })).toMatchObject({ path: 'rules[0].window.rolling', message: expect.stringContaining('"7x"') });
    expect(window({ rolling: { fortnights: 1 } })).toMatchObject({ path: 'rules[0].window.rolling.fortnights' });
    expect(window({ calendar: 'week', weekStartsOn: 9 })).toMatchObject({ path: 'rules[0].window.weekStartsOn', message: expect.stringContaining('<=6') });
    expect(window({ calendar: 'year' })).toMatchObject({ path: 'rules[0].window.calendar', message: expect.stringContaining('"day"|"week"|"month"') });
    expect(window('year')).toMatchObject({ path: 'rules[0].window', message: expect.stringContaining("Expected 'day', 'week', 'month', { rolling }") });
    expect(errorOf(() => parseCapRules({ rules: [{ id: 'c', kind: 'cooldown', duration: 'never' }] } as never))).toMatchObject({ path: 'rules[0].duration', message: expect.stringContaining('"never"') });
  });

  it('exports a JSON Schema of the rule set', () => {
    const schema = toJSONSchema(capRuleSetSchema);
    expect(JSON.stringify(schema)).toContain('cooldown');
  });
});
