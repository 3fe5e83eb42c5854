import { describe, expect, it } from 'vitest';
import { createHistory } from '../core/records.js';
import { planReservation, reservationAllows, explainRefusal } from './reservation.js';
import { parseCapRules } from './rules.js';

const NOW = Date.parse('2026-01-05T12:00:00Z');
const caps = parseCapRules({
  timeZone: 'Europe/Paris',
  rules: [
    { id: 'sms-day', kind: 'limit', limit: 1, window: 'day', scope: { channels: 'sms' } },
    { id: 'per-campaign', kind: 'limit', limit: 2, window: { rolling: '7d' }, per: 'campaign' },
    { id: 'gap', kind: 'gap', minGap: '1h' },
    { id: 'vip', kind: 'limit', limit: 3, window: 'week', reserve: { slots: 3, minPriority: 10 } },
    { id: 'night', kind: 'quiet', ranges: [{ from: '22:00', to: '07:00' }] },
    { id: 'cool', kind: 'cooldown', duration: 'forever', after: ['unsubscribed'] },
  ],
});

describe('planReservation', () => {
  it('resolves windows, narrows per-rule scopes and leaves rule kinds behind', () => {
    const plan = planReservation(caps, { channel: 'sms', campaignId: 'spring', priority: 10 }, NOW);
    expect(plan.refused).toBe(false);
    expect(plan.timeZone).toBe('Europe/Paris');
    const byRule = Object.fromEntries(plan.contacts.map((c) => [c.rule, c]));
    expect(byRule['sms-day']).toMatchObject({ from: Date.parse('2026-01-04T23:00:00Z'), to: Date.parse('2026-01-05T23:00:00Z'), limit: 1, shared: true });
    expect(byRule['per-campaign']).toMatchObject({ limit: 2, to: Number.POSITIVE_INFINITY, shared: false, scope: { campaigns: ['spring'] } });
    expect(byRule['gap']).toMatchObject({ from: NOW - 3_600_000 + 1, to: NOW + 3_600_000, limit: 1 });
    expect(byRule['vip']).toMatchObject({ limit: 3 });
    expect(plan.responses).toEqual([expect.objectContaining({ rule: 'cool', from: Number.NEGATIVE_INFINITY, kinds: ['unsubscribed'] })]);
    expect(plan.responsesFrom).toBe(Number.NEGATIVE_INFINITY);
  });

  it('refuses outright in quiet hours and for a priority with no slot left', () => {
    expect(planReservation(caps, { channel: 'email' }, Date.parse('2026-01-05T22:30:00Z')).refused).toBe(true);
    const low = planReservation(caps, { channel: 'email' }, NOW);
    expect(low.refused).toBe(true);
    expect(low.contacts.map((c) => c.rule)).not.toContain('vip');
    expect(reservationAllows(low, createHistory('p1'))).toBe(false);
    expect(explainRefusal(low, { contacts: [], responses: [] }).reasons.map((r) => r.rule)).toEqual(['vip']);
  });

  it('rejects bad input from plain JS with CrossChannelError', () => {
    const call = (f: () => unknown) => {
      try {
        f();
      } catch (e) {
        return e;
      }
      return null;
    };
    for (const bad of [null, 42, {}, { channel: 1 }, { channel: 'sms', tags: 'x' }, { channel: 'sms', priority: Number.NaN }]) {
      expect(call(() => planReservation(caps, bad as never, NOW))).toMatchObject({ name: 'CrossChannelError', code: 'INPUT_INVALID' });
    }
    expect(call(() => planReservation(caps, { channel: 'sms' }, Number.NaN))).toMatchObject({ code: 'TIME_INVALID' });
    expect(call(() => planReservation(caps, { channel: 'sms' }, NOW, 'Mars/Base'))).toMatchObject({ code: 'TIMEZONE_INVALID' });
    expect(call(() => planReservation({ rules: 'x' } as never, { channel: 'sms' }, NOW))).toMatchObject({ code: 'CONFIG_INVALID' });
    expect(call(() => reservationAllows({} as never, createHistory('p1')))).toMatchObject({ code: 'INPUT_INVALID' });
  });
});

describe('explainRefusal on a torn read', () => {
  it('a snapshot that allows gives CAP_RETRY and nextAllowedAt = now, not null (which means never)', () => {
    const now = Date.parse('2026-06-01T12:00:00Z');
    const caps = parseCapRules({ rules: [{ id: 'sms-day', kind: 'limit', limit: 1, window: 'day', scope: { channels: 'sms' } }] });
    const plan = planReservation(caps, { channel: 'sms' }, now, 'UTC');
    // What the store read before a concurrent reservation landed: empty, so it allows.
    const d = explainRefusal(plan, { contacts: [], responses: [] });
    expect(d).toEqual({ allowed: false, reasons: [{ code: 'CAP_RETRY', message: expect.stringContaining('retry') }], nextAllowedAt: now });
    // A snapshot that refuses is explained by the rules, as before.
    const full = { contacts: [{ at: now - 1000, channel: 'sms', tags: [], transactional: false }], responses: [] };
    expect(explainRefusal(plan, full)).toMatchObject({ reasons: [{ code: 'CAP_LIMIT_REACHED', rule: 'sms-day' }], nextAllowedAt: Date.parse('2026-06-02T00:00:00Z') });
  });
});

describe('reservationAllows on records that were not parsed', () => {
  it('reads a record without tags as in no tagged scope, as evaluateCaps does (it was a TypeError)', () => {
    const caps = parseCapRules({ rules: [{ id: 'mkt', kind: 'limit', limit: 1, window: 'day', scope: { tags: ['marketing'] } }] });
    const plan = planReservation(caps, { channel: 'email', tags: ['marketing'] }, 1_000_000);
    const untagged = { contacts: [{ at: 999_000, channel: 'sms', transactional: false }], responses: [] };
    expect(reservationAllows(plan, untagged as never)).toBe(true);
    expect(reservationAllows(plan, { contacts: [{ ...untagged.contacts[0], tags: ['marketing'] }], responses: [] } as never)).toBe(false);
  });
});
