/**
 * Arbitraries for `crosschannel/decide`: small worlds (a few people, their consent per channel, frequency caps)
 * and sequences of decide requests over a week, so that properties can replay whole conversations.
 */
import fc from 'fast-check';
import { DAY, MINUTE } from '../../src/core/time.js';
import type { DecideConfigInput } from '../../src/decide/index.js';

/** Monday 2 March 2026, 00:00 UTC. */
export const WEEK_START = Date.parse('2026-03-02T00:00:00Z');
export const DECIDE_CHANNELS = ['email', 'sms', 'push', 'web'] as const;
export type DecideChannel = (typeof DECIDE_CHANNELS)[number];
export const PEOPLE = ['ann@example.com', 'bob@example.org', 'cho@example.net'] as const;

/** Ledger state of one person on one opt-in channel. */
export const ledgerStateArb = fc.constantFrom('granted', 'denied', 'withdrawn', 'none' as const);

/** Consent of every person on every opt-in channel. */
export const consentWorldArb = fc.array(fc.record({ email: ledgerStateArb, sms: ledgerStateArb, push: ledgerStateArb }), { minLength: PEOPLE.length, maxLength: PEOPLE.length });
export type ConsentWorld = Array<{ email: string; sms: string; push: string }>;

/** Caps: a weekly marketing limit, a daily per-channel limit, optional quiet hours. */
export const capsArb = fc.record({
  week: fc.integer({ min: 1, max: 4 }),
  day: fc.integer({ min: 1, max: 2 }),
  quiet: fc.boolean(),
});
export type CapsChoice = { week: number; day: number; quiet: boolean };

/** A decide request of the sequence: who, where, when (minutes into the week), how many slots. */
export const askArb = fc.record({
  person: fc.integer({ min: 0, max: PEOPLE.length - 1 }),
  channel: fc.constantFrom(...DECIDE_CHANNELS),
  minute: fc.integer({ min: 0, max: (7 * DAY) / MINUTE - 1 }),
  slots: fc.integer({ min: 1, max: 2 }),
  retry: fc.boolean(),
});
export type Ask = { person: number; channel: DecideChannel; minute: number; slots: number; retry: boolean };

/** A sequence of asks in time order. */
export const asksArb = fc.array(askArb, { minLength: 1, maxLength: 24 }).map((xs) => [...xs].sort((a, b) => a.minute - b.minute));

/** The decide config of a property world. */
export function propertyConfig(caps: CapsChoice): DecideConfigInput {
  return {
    catalogue: {
      offers: [
        { id: 'a', value: 30, tags: ['marketing'] },
        { id: 'b', value: 10, tags: ['marketing', 'discount'], channels: ['email', 'web', 'push'] },
        { id: 'c', value: 3, tags: ['marketing'], channels: ['web', 'sms'] },
      ],
    },
    caps: {
      timeZone: 'UTC',
      rules: [
        { id: 'week', kind: 'limit', limit: caps.week, window: 'week', scope: { tags: 'marketing' } },
        { id: 'day', kind: 'limit', limit: caps.day, window: 'day', per: 'channel' },
        ...(caps.quiet ? [{ id: 'night', kind: 'quiet' as const, ranges: [{ from: '21:00', to: '08:00' }], scope: { channels: ['sms', 'push'] } }] : []),
      ],
    },
    consent: { purpose: 'marketing', ledgerChannels: ['email', 'sms', 'push'] },
    timeZone: 'UTC',
    alternatives: ['email', 'sms', 'push', 'web'],
    storeTimeoutMs: 5000,
  };
}
