import { describe, expect, it } from 'vitest';
import { capRuleSetSchema, isCompiledCapRules, parseCapRules } from './rules.js';
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

  it('exports a JSON Schema of the rule set', () => {
    const schema = toJSONSchema(capRuleSetSchema);
    expect(JSON.stringify(schema)).toContain('cooldown');
  });
});
