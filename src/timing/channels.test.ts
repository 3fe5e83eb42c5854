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

  // Channel names are lowercase words and offer ids any string: neither may read an inherited member of a map.
  const protoModel = (): TimingModel => {
    const m = new TimingModel({ channels: ['email', 'constructor'] });
    m.observeContact({ subjectId: 'p', channel: 'constructor', at: NOW - DAY }, NOW);
    return m;
  };

  it('a channel named constructor has unknown consent unless the consent map lists it', () => {
    const m = protoModel();
    const rank = (unknownConsent: 'allow' | 'deny') => rankChannels(m, 'p', { channels: { constructor: {} }, consent: { email: true }, unknownConsent })[0]!;
    expect(rank('allow').allowed).toBe(true);
    expect(rank('deny').reasons[0]).toMatchObject({ code: 'TIMING_CHANNEL_NO_CONSENT', detail: { channel: 'constructor', consent: 'unknown' } });
  });

  it('offer ids __proto__ and constructor get their own weights, after the given ones', () => {
    const m = protoModel();
    const rate = affinityWeights(m, 'p', 'email', ['x']).weights.x!;
    const w = affinityWeights(m, 'p', 'email', ['__proto__', 'constructor', 'card'], JSON.parse('{"card":2}') as Record<string, number>).weights;
    expect(Object.getPrototypeOf(w)).toBe(Object.prototype);
    expect(Object.entries(w)).toEqual([
      ['card', 2 * rate],
      ['__proto__', rate],
      ['constructor', rate],
    ]);
    expect(Object.entries(affinityWeights(m, 'p', 'email', ['__proto__'], JSON.parse('{"__proto__":3}') as Record<string, number>).weights)).toEqual([['__proto__', 3 * rate]]);
  });
});

describe('rankChannels given options of the wrong shape', () => {
  it('names an unknown channel in the map, and refuses a consent value it cannot read (String() of it threw)', () => {
    const model = new TimingModel({ channels: ['email', 'sms'] });
    expect(() => rankChannels(model, 'p', { channels: { fax: {} } })).toThrow(expect.objectContaining({ code: 'TIMING_UNKNOWN_CHANNEL', path: 'channels.fax' }));
    for (const consent of [{ valueOf: 3 }, 'yes', 1]) {
      expect(() => rankChannels(model, 'p', { channels: { email: {} }, consent: { email: consent } } as never)).toThrow(expect.objectContaining({ code: 'INPUT_INVALID', path: 'consent.email' }));
    }
  });
});

describe('affinityWeights input errors (mutation fuzz, 2026-12-05)', () => {
  it('names weights that are not an object, and a weight that is not a number', () => {
    const m = new TimingModel({ channels: ['email', 'sms'] });
    expect(() => affinityWeights(m, 'p1', 'sms', ['card'], null as never)).toThrow(expect.objectContaining({ code: 'INPUT_INVALID', path: 'weights' }));
    expect(() => affinityWeights(m, 'p1', 'sms', ['card'], { card: 'x' } as never)).toThrow(expect.objectContaining({ code: 'INPUT_INVALID', path: 'weights.card' }));
  });
});

describe('junk the channel functions refused silently before (audit, 2026-12-07)', () => {
  const m = new TimingModel({ channels: ['email'] });
  it('affinityWeights refuses a weight that is not a finite number ≥ 0, at its offer', () => {
    for (const w of [Number.NaN, Infinity, -1]) {
      expect(() => affinityWeights(m, 'p', 'email', ['o1'], { o1: w })).toThrow(expect.objectContaining({ code: 'INPUT_INVALID', path: 'weights.o1' }));
      expect(() => affinityWeights(m, 'p', 'email', ['o1'], { o2: w })).toThrow(expect.objectContaining({ code: 'INPUT_INVALID', path: 'weights.o2' }));
    }
    expect(affinityWeights(m, 'p', 'email', ['o1'], { o1: 0, o2: 3 }).weights).toEqual({ o1: 0, o2: 3 });
  });
  it("rankChannels refuses an unknownConsent other than 'allow' or 'deny'", () => {
    expect(() => rankChannels(m, 'p', { channels: { email: {} }, unknownConsent: 'maybe' as never })).toThrow(expect.objectContaining({ code: 'INPUT_INVALID', path: 'unknownConsent' }));
    expect(rankChannels(m, 'p', { channels: { email: {} }, unknownConsent: 'allow' })[0]?.allowed).toBe(true);
    expect(rankChannels(m, 'p', { channels: { email: {} }, unknownConsent: 'deny' })[0]?.allowed).toBe(false);
  });
});
