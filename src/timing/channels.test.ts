import { describe, expect, it } from 'vitest';
import { arbitrate } from '../arbitration/arbitrate.js';
import { parseCatalogue } from '../arbitration/offers.js';
import { CrossChannelError } from '../core/errors.js';
import { createHistory } from '../core/records.js';
import { DAY, HOUR } from '../core/time.js';
import { affinityWeights, rankChannels } from './channels.js';
import { TimingModel } from './model.js';

const NOW = Date.parse('2026-06-01T12:00:00Z');

function model(): TimingModel {
  const m = new TimingModel({ channels: ['email', 'sms', 'push'] });
  for (let i = 0; i < 20; i++) {
    const at = NOW - (i + 1) * DAY;
    m.observeContact({ subjectId: 'p', channel: 'email', at }, NOW);
    m.observeContact({ subjectId: 'p', channel: 'sms', at }, NOW);
    // Answers SMS nearly always, email rarely; converts on SMS a third of the time.
    if (i % 10 === 0) m.observeResponse({ subjectId: 'p', channel: 'email', kind: 'opened', at: at + HOUR, contactId: `e${i}` }, NOW);
    if (i % 10 !== 9) m.observeResponse({ subjectId: 'p', channel: 'sms', kind: i % 3 === 0 ? 'converted' : 'clicked', at: at + HOUR, contactId: `s${i}` }, NOW);
  }
  return m;
}

describe('channel affinity', () => {
  it('ranks channels by expected value; no consent goes last with a reason', () => {
    const m = model();
    const ranked = rankChannels(m, 'p', {
      channels: { email: { cost: 0.001, conversionValue: 40 }, sms: { cost: 0.05, conversionValue: 40 }, push: { cost: 0 } },
      consent: { email: true, sms: 'granted', push: 'denied' },
    });
    expect(ranked.map((c) => c.channel)).toEqual(['sms', 'email', 'push']);
    expect(ranked[0]!.responseRate).toBeGreaterThan(ranked[1]!.responseRate);
    expect(ranked[2]).toMatchObject({ allowed: false, expectedValue: null, reasons: [{ code: 'TIMING_CHANNEL_NO_CONSENT' }] });
    // Unknown consent fails closed unless allowed.
    expect(rankChannels(m, 'p', { channels: { email: {} } })[0]!.allowed).toBe(false);
    expect(rankChannels(m, 'p', { channels: { email: {} }, unknownConsent: 'allow' })[0]!.allowed).toBe(true);
  });

  it('rejects bad economics and unknown channels with typed errors', () => {
    const m = model();
    const code = (fn: () => unknown): string => {
      try {
        fn();
        return 'none';
      } catch (e) {
        return e instanceof CrossChannelError ? e.code : 'TypeError';
      }
    };
    expect(code(() => rankChannels(m, 'p', { channels: { email: { cost: -1 } } }))).toBe('INPUT_INVALID');
    expect(code(() => rankChannels(m, 'p', { channels: { fax: {} } }))).toBe('TIMING_UNKNOWN_CHANNEL');
    expect(code(() => rankChannels(m, 'p', null as never))).toBe('INPUT_INVALID');
    expect(code(() => affinityWeights(m, 'p', 'sms', 'card' as never))).toBe('INPUT_INVALID');
  });

  it('feeds arbitration context weights, so (offer, channel) pairs rank on one scale', () => {
    const m = model();
    const catalogue = parseCatalogue({ offers: [{ id: 'card', value: 40, channels: ['email', 'sms'] }] });
    const score = (channel: string): number =>
      arbitrate({ subjectId: 'p', ...affinityWeights(m, 'p', channel, ['card']) }, catalogue, createHistory('p'), { now: NOW, channel }).selected[0]!.score;
    expect(score('sms')).toBeGreaterThan(score('email'));
    expect(affinityWeights(m, 'p', 'sms', ['card'], { card: 2 }).weights.card).toBeCloseTo(2 * affinityWeights(m, 'p', 'sms', ['card']).weights.card!, 12);
  });
});
