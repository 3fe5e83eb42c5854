import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CrossChannelError } from '../core/errors.js';
import { HOUR, DAY } from '../core/time.js';
import { channelAffinity, hourProfile, refit } from './fit.js';
import { TimingModel } from './model.js';
import { parseTimingModel, safeParseTimingModel } from './serialize.js';
import { HOURS_PER_WEEK, hourOfWeek } from './week.js';

const NOW = Date.parse('2026-06-01T12:00:00Z');
const code = (fn: () => unknown): string => {
  try {
    fn();
  } catch (e) {
    if (e instanceof CrossChannelError) return e.code;
    throw e;
  }
  return 'no error';
};

/** A person who answers `n` emails in local hour `h` of the week. */
function habit(model: TimingModel, id: string, zone: string, hourOfWeekWanted: number, n: number, segment?: string): void {
  model.setProfile(id, { timeZone: zone, ...(segment ? { segment } : {}) });
  for (let i = 0; i < n; i++) {
    // An instant in that local hour in one of the past 9 weeks (found on the local clock: DST moves it).
    let at = NOW - ((i % 9) + 2) * 7 * DAY;
    while (hourOfWeek(at, zone) !== hourOfWeekWanted) at += HOUR;
    model.observeContact({ subjectId: id, channel: 'email', at: at - HOUR }, NOW);
    model.observeResponse({ subjectId: id, channel: 'email', kind: 'opened', at, contactId: `${id}-c${i}` }, NOW);
  }
}

describe('TimingModel', () => {
  it('reads hours on the local clock, across DST', () => {
    expect(hourOfWeek(Date.parse('2026-03-28T08:30:00Z'), 'Europe/Paris')).toBe(6 * 24 + 9); // Saturday 09:30 CET
    expect(hourOfWeek(Date.parse('2026-03-29T08:30:00Z'), 'Europe/Paris')).toBe(10); // Sunday 10:30 CEST
    expect(hourOfWeek(Date.parse('2026-11-01T13:30:00Z'), 'America/New_York')).toBe(8); // Sunday 08:30 EST
  });

  it('learns a person’s hour, shrunk towards the segment and population; profiles sum to 1', () => {
    const m = new TimingModel({ channels: ['email', 'sms'] });
    for (let i = 0; i < 30; i++) habit(m, `night-${i}`, 'Europe/Paris', 1 * 24 + 21, 5, 'owls');
    habit(m, 'lark', 'Europe/Paris', 2 * 24 + 7, 40, 'owls');
    habit(m, 'new-owl', 'Europe/Paris', 2 * 24 + 7, 1, 'owls');
    refit(m);
    const lark = hourProfile(m, 'lark');
    const newOwl = hourProfile(m, 'new-owl');
    expect(lark.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 9);
    expect(lark.indexOf(Math.max(...lark))).toBe(2 * 24 + 7);
    // One response moves a person less than forty: the newcomer keeps more of the segment's night hour.
    expect(newOwl[2 * 24 + 7]!).toBeLessThan(lark[2 * 24 + 7]!);
    expect(newOwl[1 * 24 + 21]!).toBeGreaterThan(lark[1 * 24 + 21]!);
    expect(newOwl[2 * 24 + 7]!).toBeGreaterThan(hourProfile(m, `night-0`)[2 * 24 + 7]!);
    // Unknown people get the prior-only answer: the population.
    const nobody = hourProfile(m, 'nobody');
    expect(nobody.every((p) => Number.isFinite(p) && p > 0)).toBe(true);
    expect(nobody.indexOf(Math.max(...nobody))).toBe(1 * 24 + 21);
  });

  it('an empty model answers the uniform prior, never NaN', () => {
    const m = new TimingModel();
    const p = hourProfile(m, 'x');
    expect(p.every((v) => v === 1 / HOURS_PER_WEEK)).toBe(true);
    const a = channelAffinity(m, 'x', 'email');
    expect(a).toMatchObject({ contacts: 0, priorOnly: true, responseRate: 0.5, conversionRate: 0.5 });
  });

  it('refuses a channel or response kind JSON cannot print (a BigInt) with its typed error, not a TypeError', () => {
    const m = new TimingModel({ channels: ['email'] });
    expect(() => m.observeResponse({ subjectId: 'p', channel: 10n as never, kind: 'opened', at: NOW - HOUR, contactId: 'c1' }, NOW)).toThrow(expect.objectContaining({ code: 'TIMING_UNKNOWN_CHANNEL', path: 'channel' }));
    expect(() => m.observeResponse({ subjectId: 'p', channel: 'email', kind: 10n as never, at: NOW - HOUR, contactId: 'c1' }, NOW)).toThrow(expect.objectContaining({ code: 'INPUT_INVALID', path: 'kind' }));
  });

  it('counts one response per contact and conversions once; responded never exceeds sent', () => {
    const m = new TimingModel({ channels: ['email'] });
    m.observeContact({ subjectId: 'p', channel: 'email', at: NOW - DAY }, NOW);
    for (const kind of ['opened', 'clicked', 'converted', 'converted']) m.observeResponse({ subjectId: 'p', channel: 'email', kind, at: NOW - HOUR, contactId: 'c1' }, NOW);
    const a = channelAffinity(m, 'p', 'email');
    expect([a.contacts, a.responses, a.conversions]).toEqual([1, 1, 1]);
    expect(m.totals[0]).toBe(1);
  });

  it('rejects bad input with typed errors and writes nothing', () => {
    const m = new TimingModel({ channels: ['email'] });
    const r = { subjectId: 'p', channel: 'email', kind: 'opened', at: NOW - HOUR, contactId: 'c1' };
    expect(code(() => m.observeResponse(r, NOW))).toBe('TIMING_RESPONSE_WITHOUT_CONTACT');
    m.observeContact({ subjectId: 'p', channel: 'email', at: NOW - DAY }, NOW);
    expect(code(() => m.observeResponse({ ...r, contactId: undefined }, NOW))).toBe('TIMING_RESPONSE_WITHOUT_CONTACT');
    expect(code(() => m.observeResponse({ ...r, at: NOW + 1 }, NOW))).toBe('TIMING_FUTURE_RECORD');
    expect(code(() => m.observeResponse({ ...r, channel: 'fax' }, NOW))).toBe('TIMING_UNKNOWN_CHANNEL');
    expect(code(() => m.observeResponse({ ...r, kind: 'liked' }, NOW))).toBe('INPUT_INVALID');
    expect(code(() => m.observeResponse({ ...r, at: Number.NaN }, NOW))).toBe('TIME_INVALID');
    // Inside the epoch range but before year 1 (the model reads local hours): named `at`, not the calendar's `ms`
    // (mutation fuzz at 5,000 mutants, seed 14).
    expect(() => m.observeResponse({ ...r, at: -623_513_486_635_957 }, NOW)).toThrow(expect.objectContaining({ code: 'TIME_INVALID', path: 'at' }));
    expect(() => m.observeContact({ subjectId: 'p', channel: 'email', at: NOW - DAY }, 8e15)).toThrow(expect.objectContaining({ code: 'TIME_INVALID', path: 'now' }));
    expect(code(() => m.setProfile('p', { timeZone: 'Mars/Olympus' }))).toBe('TIMEZONE_INVALID');
    expect(code(() => m.observeHistory({ subjectId: 'q', contacts: [{ id: 'c9', subjectId: 'q', channel: 'email', at: NOW - DAY }], responses: [{ ...r, subjectId: 'q', contactId: 'c8' }] }, NOW))).toBe(
      'TIMING_RESPONSE_WITHOUT_CONTACT',
    );
    expect(m.has('q')).toBe(false);
    expect(m.totals[0]).toBe(0);
    for (const junk of [null, 42, 'x', [], { subjectId: 3 }]) {
      expect(code(() => m.observeResponse(junk as never, NOW))).not.toBe('no error');
      expect(code(() => m.observeContact(junk as never, NOW))).not.toBe('no error');
    }
  });

  it('halves a person’s counters instead of overflowing', () => {
    const m = new TimingModel({ channels: ['email'] });
    m.observeContact({ subjectId: 'p', channel: 'email', at: NOW - DAY }, NOW);
    m.bumpHour(0, 5, 60_000);
    m.bumpHour(0, 6, 10_000);
    expect(m.hours[5]! + m.hours[6]!).toBe(m.totals[0]);
    expect(m.hours[5]).toBeLessThan(65_536);
    expect(m.populationHours[5]).toBe(m.hours[5]);
  });

  it('merging shards equals learning everything in one model, and JSON round-trips', () => {
    const event = fc.record({ person: fc.integer({ min: 0, max: 5 }), hours: fc.integer({ min: 1, max: 24 * 60 }), respond: fc.boolean(), convert: fc.boolean(), shard: fc.boolean() });
    fc.assert(
      fc.property(fc.array(event, { maxLength: 60 }), (events) => {
        const all = new TimingModel({ channels: ['email', 'sms'] });
        const a = new TimingModel({ channels: ['email', 'sms'] });
        const b = new TimingModel({ channels: ['email', 'sms'] });
        events.forEach((e, i) => {
          const id = `p${e.person}`;
          const at = NOW - e.hours * HOUR;
          for (const m of [all, e.shard ? a : b]) {
            m.setProfile(id, { timeZone: e.person % 2 ? 'America/New_York' : 'Europe/Paris', segment: `s${e.person % 3}` });
            m.observeContact({ subjectId: id, channel: 'sms', at: at - HOUR }, NOW);
            if (e.respond) m.observeResponse({ subjectId: id, channel: 'sms', kind: e.convert ? 'converted' : 'clicked', at, contactId: `c${i}` }, NOW);
          }
        });
        a.merge(b);
        // Same counts; the estimates agree up to floating-point summation order.
        const close = (x: ArrayLike<number>, y: ArrayLike<number>): void => Array.from(x).forEach((v, i) => expect(v).toBeCloseTo(y[i]!, 9));
        for (let p = 0; p < 6; p++) {
          close(hourProfile(a, `p${p}`), hourProfile(all, `p${p}`));
          const [x, y] = [channelAffinity(a, `p${p}`, 'sms'), channelAffinity(all, `p${p}`, 'sms')];
          expect([x.contacts, x.responses, x.conversions]).toEqual([y.contacts, y.responses, y.conversions]);
          close([x.responseRate, x.conversionRate], [y.responseRate, y.conversionRate]);
        }
        const copy = parseTimingModel(JSON.parse(JSON.stringify(all)));
        for (let p = 0; p < 6; p++) expect(Array.from(hourProfile(copy, `p${p}`))).toEqual(Array.from(hourProfile(all, `p${p}`)));
      }),
      { numRuns: 60 },
    );
  });

  it('rejects malformed JSON with TIMING_MODEL_INVALID and a path', () => {
    const m = new TimingModel({ channels: ['email'] });
    m.observeContact({ subjectId: 'p', channel: 'email', at: NOW - DAY }, NOW);
    const json = JSON.parse(JSON.stringify(m));
    expect(safeParseTimingModel({ ...json, version: 2 })).toMatchObject({ ok: false, error: { code: 'TIMING_MODEL_INVALID' } });
    expect(safeParseTimingModel({ ...json, people: [['p', 9, 0, [], [1, 0, 0]]] })).toMatchObject({ ok: false, error: { code: 'TIMING_MODEL_INVALID', path: 'people[0][1]' } });
    expect(safeParseTimingModel({ ...json, people: [['p', 0, 0, [200, 1], [1, 0, 0]]] })).toMatchObject({ ok: false, error: { code: 'TIMING_MODEL_INVALID' } });
    expect(safeParseTimingModel({ ...json, people: [['p', 0, 0, [], [1, 2, 0]]] })).toMatchObject({ ok: false, error: { code: 'TIMING_MODEL_INVALID' } });
    expect(safeParseTimingModel('nope')).toMatchObject({ ok: false });
  });

  it('estimates a concentration near the truth on simulated Dirichlet-multinomial people', () => {
    // People draw their hour preferences from Dirichlet(α·π) with α = 20 (sampled as normalised gammas).
    let seed = 7;
    const rand = (): number => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32);
    const gamma = (shape: number): number => {
      // Marsaglia–Tsang for shape < 1 via the boost trick.
      const boost = shape < 1 ? Math.pow(rand(), 1 / shape) : 1;
      const d = (shape < 1 ? shape + 1 : shape) - 1 / 3;
      const c = 1 / Math.sqrt(9 * d);
      for (;;) {
        let x: number;
        let v: number;
        do {
          const u1 = rand() || 1e-12;
          x = Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * rand());
          v = 1 + c * x;
        } while (v <= 0);
        v = v * v * v;
        const u = rand();
        if (Math.log(u || 1e-12) < 0.5 * x * x + d - d * v + d * Math.log(v)) return d * v * boost;
      }
    };
    const m = new TimingModel({ channels: ['email'] });
    const alpha = 20;
    for (let p = 0; p < 400; p++) {
      const w = Array.from({ length: HOURS_PER_WEEK }, () => gamma(alpha / HOURS_PER_WEEK));
      const sum = w.reduce((a, b) => a + b, 0);
      const id = `p${p}`;
      m.observeContact({ subjectId: id, channel: 'email', at: NOW - DAY }, NOW);
      for (let i = 0; i < 30; i++) {
        let u = rand() * sum;
        let h = 0;
        while (h < HOURS_PER_WEEK - 1 && (u -= w[h]!) > 0) h++;
        m.bumpHour(m.index.get(id)!, h);
      }
    }
    const fit = refit(m);
    expect(fit.hours.person).toBeGreaterThan(alpha / 2);
    expect(fit.hours.person).toBeLessThan(alpha * 2);
  });
});

describe('setProfile input errors (mutation fuzz, 2026-12-05)', () => {
  it('names a bad segment under profile, as it names a bad zone', () => {
    expect(() => new TimingModel().setProfile('p1', { segment: {} as never })).toThrow(expect.objectContaining({ code: 'INPUT_INVALID', path: 'profile.segment' }));
  });
});
