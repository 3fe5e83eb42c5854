import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CrossChannelError } from '../core/errors.js';
import { HOUR, DAY, MINUTE } from '../core/time.js';
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

  it('merging shards equals learning everything in one model, profiles set in either shard included, and JSON round-trips', () => {
    // A person's zone is set in both shards, one, or none (`zoneIn`: bit 1 shard a, bit 2 shard b); a shard without
    // it sees their contacts but no response (their hours would be read in another zone than in the one model).
    // Their segment is set only by the events that say so (`segment`), in the event's shard and the one model.
    const event = fc.record({ person: fc.integer({ min: 0, max: 5 }), hours: fc.integer({ min: 1, max: 24 * 60 }), respond: fc.boolean(), convert: fc.boolean(), shard: fc.boolean(), segment: fc.boolean() });
    fc.assert(
      fc.property(fc.array(event, { maxLength: 60 }), fc.array(fc.integer({ min: 0, max: 3 }), { minLength: 6, maxLength: 6 }), (events, zoneIn) => {
        const all = new TimingModel({ channels: ['email', 'sms'] });
        const a = new TimingModel({ channels: ['email', 'sms'] });
        const b = new TimingModel({ channels: ['email', 'sms'] });
        const zone = (p: number): string => (p % 2 ? 'America/New_York' : 'Europe/Paris');
        zoneIn.forEach((z, p) => {
          if (z & 1) a.setProfile(`p${p}`, { timeZone: zone(p) });
          if (z & 2) b.setProfile(`p${p}`, { timeZone: zone(p) });
          if (z) all.setProfile(`p${p}`, { timeZone: zone(p) });
        });
        events.forEach((e, i) => {
          const id = `p${e.person}`;
          const at = NOW - e.hours * HOUR;
          const shard = e.shard ? a : b;
          for (const m of [all, shard]) {
            if (e.segment) m.setProfile(id, { segment: `s${e.person % 3}` });
            m.observeContact({ subjectId: id, channel: 'sms', at: at - HOUR }, NOW);
            if (e.respond && zoneIn[e.person]! & (e.shard ? 1 : 2)) m.observeResponse({ subjectId: id, channel: 'sms', kind: e.convert ? 'converted' : 'clicked', at, contactId: `c${i}` }, NOW);
          }
        });
        a.merge(b);
        for (let p = 0; p < 6; p++) expect(a.profileOf(`p${p}`)).toEqual(all.profileOf(`p${p}`));
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

describe('observeHistory checks everything before it writes (audit, 2026-12-07)', () => {
  const contact = { id: 'c1', subjectId: 'p1', channel: 'email', at: NOW - 2 * HOUR };
  it('refuses a response naming a contact of the history on another channel at responses[i].contactId; nothing written', () => {
    const m = new TimingModel({ channels: ['email', 'sms'] });
    const opened = { subjectId: 'p1', channel: 'email', kind: 'opened', at: NOW - HOUR, contactId: 'c1' };
    expect(() => m.observeHistory({ subjectId: 'p1', contacts: [contact], responses: [{ ...opened, channel: 'sms' }] }, NOW)).toThrow(
      expect.objectContaining({ code: 'TIMING_RESPONSE_WITHOUT_CONTACT', path: 'responses[0].contactId' }),
    );
    expect(() => m.observeHistory({ subjectId: 'p1', contacts: [contact], responses: [opened, { ...opened, channel: 'sms', kind: 'clicked' }] }, NOW)).toThrow(
      expect.objectContaining({ code: 'TIMING_RESPONSE_WITHOUT_CONTACT', path: 'responses[1].contactId' }),
    );
    expect(m.size).toBe(0);
    expect(m.toJSON().people).toEqual([]);
  });

  it('a throwing observeHistory leaves the model as it was (random histories, one random defect)', () => {
    const CH = ['email', 'sms'];
    const defects = ['otherChannel', 'unknownContact', 'noContactId', 'futureResponse', 'badKind', 'unknownChannel', 'otherSubject', 'futureContact', 'badSubject'] as const;
    const historyArb = fc.record({
      contacts: fc.array(fc.record({ ch: fc.integer({ min: 0, max: 1 }), ago: fc.integer({ min: 2, max: 500 }) }), { minLength: 1, maxLength: 8 }),
      responses: fc.array(fc.record({ c: fc.nat(), kind: fc.constantFrom('opened', 'clicked', 'converted', 'refused'), after: fc.integer({ min: 0, max: 90 }) }), { minLength: 1, maxLength: 10 }),
    });
    const build = (subjectId: string, h: { contacts: Array<{ ch: number; ago: number }>; responses: Array<{ c: number; kind: string; after: number }> }) => {
      const contacts = h.contacts.map((c, i) => ({ id: `c${i}`, subjectId, channel: CH[c.ch]!, at: NOW - c.ago * HOUR }));
      const responses = h.responses.map((r) => {
        const c = contacts[r.c % contacts.length]!;
        return { subjectId, channel: c.channel, kind: r.kind, at: c.at + r.after * MINUTE, contactId: c.id as string | undefined };
      });
      return { subjectId, contacts, responses };
    };
    fc.assert(
      fc.property(fc.array(historyArb, { maxLength: 3 }), historyArb, fc.constantFrom(...defects), fc.nat(), fc.constantFrom('p0', 'p1', 'new'), (before, h, defect, where, who) => {
        const m = new TimingModel({ channels: CH });
        before.forEach((b, i) => m.observeHistory(build(`p${i}`, b), NOW));
        m.setProfile('p1', { timeZone: 'Europe/Paris', segment: 's' });
        const history = build(who, h);
        const rs = history.responses as Array<Record<string, unknown>>;
        const cs = history.contacts as Array<Record<string, unknown>>;
        const r = where % rs.length;
        const c = where % cs.length;
        const list = defect === 'unknownChannel' || defect === 'otherSubject' || defect === 'futureContact' ? 'contacts' : 'responses';
        if (defect === 'otherChannel') rs[r]!.channel = rs[r]!.channel === 'email' ? 'sms' : 'email';
        if (defect === 'unknownContact') rs[r]!.contactId = 'nope';
        if (defect === 'noContactId') rs[r]!.contactId = undefined;
        if (defect === 'futureResponse') rs[r]!.at = NOW + 1;
        if (defect === 'badKind') rs[r]!.kind = 'liked';
        if (defect === 'unknownChannel') cs[c]!.channel = 'fax';
        if (defect === 'otherSubject') cs[c]!.subjectId = 'someone else';
        if (defect === 'futureContact') cs[c]!.at = NOW + 1;
        if (defect === 'badSubject') history.subjectId = 'p\n1';
        const snapshot = (): unknown => [JSON.stringify(m.toJSON()), Array.from(m.ring.subarray(0, m.size * 4)), Array.from(m.ringNext.subarray(0, m.size)), Array.from(m.ringConverted.subarray(0, m.size))];
        const wanted = snapshot();
        let error: unknown;
        try {
          m.observeHistory(history, NOW);
        } catch (e) {
          error = e;
        }
        expect(error).toBeInstanceOf(CrossChannelError);
        const path = (error as CrossChannelError).pathSegments;
        // A contact's defect can also surface first at a response naming it (the record before it is fine).
        if (defect === 'badSubject') expect(path).toEqual(['subjectId']);
        else if (list === 'responses') expect(path.slice(0, 2)).toEqual(['responses', r]);
        else expect(path.slice(0, 2)).toEqual(['contacts', c]);
        expect(snapshot()).toEqual(wanted);
      }),
      { numRuns: 300 },
    );
  });
});

describe('first responses: what the model remembers (audit, 2026-12-07)', () => {
  const at = NOW - 10 * HOUR;
  it('observeHistory counts each answered contact once, however many the person answered in between', () => {
    const m = new TimingModel({ channels: ['email'] });
    const contacts = Array.from({ length: 6 }, (_, i) => ({ id: `c${i}`, subjectId: 'p', channel: 'email', at }));
    const responses = [
      ...contacts.map((c, i) => ({ subjectId: 'p', channel: 'email', kind: 'opened', at: at + (i + 1) * MINUTE, contactId: c.id })),
      { subjectId: 'p', channel: 'email', kind: 'clicked', at: NOW - HOUR, contactId: 'c0' },
      { subjectId: 'p', channel: 'email', kind: 'converted', at: NOW - 30 * MINUTE, contactId: 'c0' },
      { subjectId: 'p', channel: 'email', kind: 'converted', at: NOW - 20 * MINUTE, contactId: 'c0' },
    ];
    m.observeHistory({ subjectId: 'p', contacts, responses }, NOW);
    const a = channelAffinity(m, 'p', 'email');
    expect([a.contacts, a.responses, a.conversions]).toEqual([6, 6, 1]);
    expect(m.totals[0]).toBe(6);
    expect(m.hours[hourOfWeek(at, 'UTC')]).toBe(6);
  });

  it('observeResponse remembers the last 4 contacts answered: a response to an older one counts again (documented bound)', () => {
    const m = new TimingModel({ channels: ['email'] });
    for (let i = 0; i < 6; i++) m.observeContact({ subjectId: 'p', channel: 'email', at }, NOW);
    const answer = (id: string, kind = 'opened'): void => m.observeResponse({ subjectId: 'p', channel: 'email', kind, at: NOW - HOUR, contactId: id }, NOW);
    for (const id of ['c1', 'c2', 'c3', 'c4']) answer(id);
    answer('c1', 'clicked'); // remembered
    expect(m.totals[0]).toBe(4);
    answer('c5'); // c1 is now the fifth contact back: forgotten
    answer('c1', 'clicked');
    expect(m.totals[0]).toBe(6);
    expect(channelAffinity(m, 'p', 'email').responses).toBe(6);
  });

  it('counts the first response it is given per contact, not the earliest; observeHistory sorts (documented)', () => {
    const sunday = Date.parse('2026-05-31T08:00:00Z');
    const click = { subjectId: 'p', channel: 'email', kind: 'clicked', at: sunday + 12 * HOUR, contactId: 'c1' };
    const open = { subjectId: 'p', channel: 'email', kind: 'opened', at: sunday + HOUR, contactId: 'c1' };
    const m = new TimingModel({ channels: ['email'] });
    m.observeContact({ subjectId: 'p', channel: 'email', at: sunday }, NOW);
    m.observeResponse(click, NOW);
    m.observeResponse(open, NOW);
    expect(m.toJSON().people[0]![3]).toEqual([20, 1]);
    const sorted = new TimingModel({ channels: ['email'] });
    sorted.observeHistory({ subjectId: 'p', contacts: [{ id: 'c1', subjectId: 'p', channel: 'email', at: sunday }], responses: [click, open] }, NOW);
    expect(sorted.toJSON().people[0]![3]).toEqual([9, 1]);
  });
});

describe('ids the model accepts are ids its JSON reloads (audit, 2026-12-07)', () => {
  it('refuses a control character in a person id or segment name at its path, as parseTimingModel does', () => {
    const m = new TimingModel({ channels: ['email'] });
    for (const bad of ['tab\there', 'nl\nx', '\u0000', '\u007f', '', 'x'.repeat(257)]) {
      expect(() => m.observeContact({ subjectId: bad, channel: 'email', at: NOW - HOUR }, NOW)).toThrow(expect.objectContaining({ code: 'INPUT_INVALID', path: 'subjectId' }));
      expect(() => m.setProfile('p', { segment: bad })).toThrow(expect.objectContaining({ code: 'INPUT_INVALID', path: 'profile.segment' }));
      expect(() => m.setProfile(bad, {})).toThrow(expect.objectContaining({ code: 'INPUT_INVALID', path: 'subjectId' }));
    }
    expect(m.size).toBe(0);
  });

  it('round-trips every id and segment name the model accepts (arbitrary strings)', () => {
    const text = fc.oneof(fc.string({ unit: 'binary', maxLength: 300 }), fc.string({ unit: 'grapheme', maxLength: 8 }), fc.string({ maxLength: 4 }));
    fc.assert(
      fc.property(text, text, (id, segment) => {
        const m = new TimingModel({ channels: ['email'] });
        try {
          m.observeContact({ subjectId: id, channel: 'email', at: NOW - HOUR }, NOW);
          m.observeResponse({ subjectId: id, channel: 'email', kind: 'opened', at: NOW - 1, contactId: 'c' }, NOW);
        } catch (e) {
          expect(e).toMatchObject({ code: 'INPUT_INVALID', path: 'subjectId' });
        }
        try {
          m.setProfile('p', { segment });
        } catch (e) {
          expect(e).toMatchObject({ code: 'INPUT_INVALID', path: 'profile.segment' });
        }
        const json = m.toJSON();
        expect(parseTimingModel(JSON.parse(JSON.stringify(json))).toJSON()).toEqual(json);
      }),
      { numRuns: 200 },
    );
  });
});

describe('merge keeps a profile set in either shard (audit, 2026-12-07)', () => {
  it('a shard that knows the person only by default takes the other’s zone and segment; one set here wins', () => {
    const contact = { subjectId: 'p1', channel: 'email', at: NOW - 2 * HOUR };
    const a = new TimingModel({ channels: ['email'] });
    a.observeContact(contact, NOW);
    const b = new TimingModel({ channels: ['email'] });
    b.setProfile('p1', { timeZone: 'Europe/Paris', segment: 'students' });
    b.observeContact(contact, NOW);
    b.observeResponse({ ...contact, kind: 'opened', at: NOW - HOUR, contactId: 'c2' }, NOW);
    a.merge(b);
    expect(a.profileOf('p1')).toEqual({ timeZone: 'Europe/Paris', segment: 'students' });
    // Both contacts moved to the segment's sums.
    expect(a.segmentCounters[3]).toBe(2);
    expect(a.segmentCounters[0]).toBe(0);
    const c = new TimingModel({ channels: ['email'] });
    c.setProfile('p1', { timeZone: 'Asia/Tokyo' });
    c.merge(b);
    expect(c.profileOf('p1')).toEqual({ timeZone: 'Asia/Tokyo', segment: 'students' });
    const d = new TimingModel({ channels: ['email'] });
    d.setProfile('p1', { segment: 'owls' });
    d.merge(b);
    expect(d.profileOf('p1')).toEqual({ timeZone: 'Europe/Paris', segment: 'owls' });
  });
});

describe('parseTimingModel refuses what toJSON never writes (audit, 2026-12-07)', () => {
  it('an hour named twice for one person, at its place', () => {
    const json = new TimingModel({ channels: ['email'] }).toJSON();
    expect(() => parseTimingModel({ ...json, people: [['p', 0, 0, [5, 40_000, 5, 40_000], [1, 0, 0]]] })).toThrow(expect.objectContaining({ code: 'TIMING_MODEL_INVALID', path: 'people[0][3][2]' }));
    // Each person's hours are their own: the same hour for two people is fine.
    expect(parseTimingModel({ ...json, people: [['p', 0, 0, [5, 1], [1, 0, 0]], ['q', 0, 0, [7, 2, 5, 1], [1, 0, 0]]] }).size).toBe(2);
  });
});

describe('saturated channel counters (audit 3, 2026-12-07)', () => {
  it('a merge adding a large count halves once per saturation, as updates one at a time do (it halved until the count fit whole, wiping the other shard)', () => {
    const contact = { subjectId: 'p', channel: 'email', at: NOW - HOUR };
    const one = new TimingModel({ channels: ['email'] });
    const a = new TimingModel({ channels: ['email'] });
    const b = new TimingModel({ channels: ['email'] });
    for (let i = 0; i < 40_000; i++) a.observeContact(contact, NOW);
    for (let i = 0; i < 65_535; i++) b.observeContact(contact, NOW);
    for (let i = 0; i < 105_535; i++) one.observeContact(contact, NOW);
    a.observeResponse({ ...contact, kind: 'opened', contactId: 'c1' }, NOW);
    one.observeResponse({ ...contact, kind: 'opened', contactId: 'c1' }, NOW);
    a.merge(b);
    // 0 → 65,535, halved to 32,767, → 65,535 again, halved, + 7,232: 39,999 (it was 65,535, a's 40,000 and its response halved away).
    expect(channelAffinity(a, 'p', 'email')).toMatchObject({ contacts: 39_999, responses: 0 });
    expect(channelAffinity(one, 'p', 'email').contacts).toBe(39_999);
    expect(a.populationCounters[0]).toBe(39_999);
    // A response counted before the halvings survives them in proportion: a's 1 of 40,000 halves to 0, as in `one`.
    const c = new TimingModel({ channels: ['email'] });
    for (let i = 0; i < 60_000; i++) c.observeContact(contact, NOW);
    for (let i = 0; i < 4; i++) c.observeResponse({ ...contact, kind: 'converted', contactId: `r${i}` }, NOW);
    const d = new TimingModel({ channels: ['email'] });
    for (let i = 0; i < 10_000; i++) d.observeContact(contact, NOW);
    c.merge(d);
    expect(channelAffinity(c, 'p', 'email')).toMatchObject({ contacts: 32_767 + 4_465, responses: 2, conversions: 2 });
  });
});

describe('many segments (audit 3, 2026-12-07)', () => {
  it('grows the segment sums by doubling: a few reallocations for 3,000 segments (it copied them all for each new one: quadratic)', () => {
    const m = new TimingModel({ channels: ['email', 'sms'] });
    let grown = 0;
    let last = m.segmentHours;
    for (let i = 0; i < 3_000; i++) {
      m.setProfile(`p${i}`, { segment: `s${i}` });
      m.observeContact({ subjectId: `p${i}`, channel: 'sms', at: NOW - HOUR }, NOW);
      m.observeResponse({ subjectId: `p${i}`, channel: 'sms', kind: 'opened', at: NOW - HOUR + i, contactId: 'c' }, NOW);
      if (m.segmentHours !== last) grown++;
      last = m.segmentHours;
    }
    expect(grown).toBeLessThanOrEqual(13);
    // The sums are right whatever the spare capacity: each segment holds its one person.
    refit(m);
    const copy = parseTimingModel(JSON.parse(JSON.stringify(m)));
    for (const i of [0, 1, 2, 1_500, 2_999]) {
      expect(channelAffinity(m, `p${i}`, 'sms')).toMatchObject({ contacts: 1, responses: 1 });
      expect(Array.from(hourProfile(copy, `p${i}`))).toEqual(Array.from(hourProfile(m, `p${i}`)));
    }
    expect(m.segmentCounters[(2_999 + 1) * 6 + 3]).toBe(1);
    expect(m.segmentCounters[(3_000 + 1) * 6 + 3] ?? 0).toBe(0);
  });
});

describe('a segment change keeps the concentrations (audit 3, 2026-12-07)', () => {
  it('setProfile moves the counts live and leaves the fit to refit, as the updates do (the next prediction re-estimated over every person)', () => {
    const m = new TimingModel({ channels: ['email'] });
    for (let i = 0; i < 40; i++) habit(m, `p${i}`, 'UTC', (i % 5) * 24 + 9, 3, `s${i % 3}`);
    const fit = refit(m);
    m.setProfile('p0', { segment: 'new' });
    m.setProfile('p1', { segment: 's2' });
    hourProfile(m, 'p0');
    channelAffinity(m, 'p1', 'email');
    expect(m.fit).toBe(fit);
    // The live sums with the kept concentrations: p0 alone in its segment, shrunk towards the population.
    const alone = hourProfile(m, 'p0');
    const pop = Array.from(m.populationHours, (x) => (x + 1) / (40 * 3 + HOURS_PER_WEEK));
    const seg = pop.map((p, h) => (m.hours[h]! + fit.hours.segment * p) / (3 + fit.hours.segment));
    alone.forEach((v, h) => expect(v).toBeCloseTo((m.hours[h]! + fit.hours.person * seg[h]!) / (3 + fit.hours.person), 12));
    expect(refit(m)).not.toBe(fit);
  });
});
