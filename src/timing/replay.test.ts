import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { normalQuantileOf } from '../core/special.js';
import { CrossChannelError } from '../core/errors.js';
import { DAY, HOUR, MINUTE } from '../core/time.js';
import { evaluateReplay, replayEvaluation, type ReplayContact } from './replay.js';
import { TimingModel } from './model.js';
import { refit } from './fit.js';

const START = Date.parse('2026-03-02T00:00:00Z');
const NOW = START + 12 * 7 * DAY;

/** People with a hidden preferred hour, sent at random hours; answering mostly near that hour. */
function simulate(people: number): Array<{ subjectId: string; contacts: Array<{ id: string; subjectId: string; channel: string; at: number }>; responses: Array<{ id: string; subjectId: string; channel: string; kind: string; at: number; contactId: string }> }> {
  let seed = 42;
  const rand = (): number => ((seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) / 2 ** 32);
  const out = [];
  for (let p = 0; p < people; p++) {
    const preferred = 6 + Math.floor(rand() * 16);
    const contacts = [];
    const responses = [];
    for (let k = 0; k < 80; k++) {
      const day = Math.floor(rand() * 12 * 7);
      const hour = Math.floor(rand() * 24);
      const at = START + day * DAY + hour * HOUR;
      const id = `p${p}-c${k}`;
      contacts.push({ id, subjectId: `p${p}`, channel: 'email', at });
      const near = Math.abs(hour - preferred) <= 1;
      if (rand() < (near ? 0.6 : 0.05)) responses.push({ id: `${id}-r`, subjectId: `p${p}`, channel: 'email', kind: 'opened', at: at + 10 * MINUTE, contactId: id });
    }
    contacts.sort((a, b) => a.at - b.at);
    responses.sort((a, b) => a.at - b.at);
    out.push({ subjectId: `p${p}`, contacts, responses });
  }
  return out;
}

describe('replay evaluation', () => {
  it('finds a clear lift of the learned moments over a fixed 10:00 on people with hidden hours', () => {
    const { evaluation } = replayEvaluation(simulate(150), { splitAt: START + 9 * 7 * DAY, now: NOW, fixedHour: 10, model: { channels: ['email'] } });
    expect(evaluation.model.matched).toBeGreaterThan(50);
    expect(evaluation.model.rate).toBeGreaterThan(evaluation.fixed.rate);
    expect(evaluation.lift!).toBeGreaterThan(0.5);
    expect(evaluation.liftInterval![0]).toBeGreaterThan(0);
    expect(evaluation.liftInterval![0]).toBeLessThan(evaluation.lift!);
  });

  it('returns null lift when an arm matches nothing, and rejects bad options', () => {
    const r = evaluateReplay(new TimingModel(), [], { fixedHour: 10 });
    expect(r).toMatchObject({ lift: null, liftInterval: null, contacts: 0 });
    expect(() => evaluateReplay(new TimingModel(), [], { fixedHour: 24 })).toThrow(CrossChannelError);
    expect(() => replayEvaluation([], { splitAt: NOW + 1, now: NOW, fixedHour: 1 })).toThrow(CrossChannelError);
  });
});

describe('replay intervals', () => {
  // Both arms match the same contacts (an empty model's best hour of a day is its first, and fixedHour is 0), so
  // the difference is 0 and its interval is ±z·se: z read back must be the normal quantile, for any confidence.
  it('use the exact normal quantile of the confidence (core\'s Halley-refined quantile as the oracle)', () => {
    fc.assert(fc.property(fc.integer({ min: 2, max: 500 }), fc.integer({ min: 1, max: 499 }), fc.double({ min: 0.5, max: 0.999999, noNaN: true }), (n, k, confidence) => {
      fc.pre(k < n);
      const heldOut = Array.from({ length: n }, (_, i) => ({ subjectId: `p${i}`, channel: 'email', sentAt: START + i * DAY, responded: i < k }));
      const r = evaluateReplay(new TimingModel(), heldOut, { fixedHour: 0, confidence });
      const p = k / n;
      const se = Math.sqrt((2 * p * (1 - p)) / n);
      expect(r.model.matched).toBe(n);
      expect(r.difference).toBe(0);
      const z = r.differenceInterval![1] / se;
      expect(Math.abs(z - normalQuantileOf(1 - (1 - confidence) / 2))).toBeLessThan(1e-9 * Math.max(1, z));
      expect(r.differenceInterval![0]).toBe(-r.differenceInterval![1]);
    }), { numRuns: 300 });
    const at = (confidence: number): number => {
      const r = evaluateReplay(new TimingModel(), [{ subjectId: 'a', channel: 'email', sentAt: START, responded: true }, { subjectId: 'b', channel: 'email', sentAt: START, responded: false }], { fixedHour: 0, confidence });
      return r.differenceInterval![1] / Math.sqrt(0.25);
    };
    expect(at(0.95)).toBeCloseTo(1.959963984540054, 13);
    expect(at(0.99)).toBeCloseTo(2.5758293035489004, 12);
    expect(at(0.5)).toBeCloseTo(0.6744897501960817, 13);
  });
});

describe('replay input errors name the bad field (mutation fuzz, 2026-12-05)', () => {
  const h = { subjectId: 'p1', contacts: [{ id: 'c1', subjectId: 'p1', channel: 'email', at: NOW - 2 * DAY }, { id: 'c2', subjectId: 'p1', channel: 'email', at: NOW - HOUR }], responses: [] };
  const bad = (path: string, code = 'INPUT_INVALID') => expect.objectContaining({ code, path });

  it('evaluateReplay: a held-out list that is not iterable, a confidence that is no number, a contact without subject or integer sentAt', () => {
    const model = new TimingModel();
    expect(() => evaluateReplay(model, {} as never, { fixedHour: 10 })).toThrow(bad('heldOut'));
    expect(() => evaluateReplay(model, [], { fixedHour: 10, confidence: { toString: () => { throw new Error('boom'); } } as never })).toThrow(bad('confidence'));
    expect(() => evaluateReplay(model, [{ subjectId: 'p1', channel: 'email', sentAt: 0.5, responded: true }], { fixedHour: 10 })).toThrow(bad('heldOut[0]'));
    expect(() => evaluateReplay(model, [{ subjectId: '', channel: 'email', sentAt: NOW, responded: true }], { fixedHour: 10 })).toThrow(bad('heldOut[0]'));
  });

  it('evaluateReplay: a responded that is not a boolean is INPUT_INVALID, not counted as its truthiness (audit 2026-12-07)', () => {
    const model = new TimingModel();
    const ok = { subjectId: 'p1', channel: 'email', sentAt: NOW, responded: true };
    for (const responded of [1, 0, 'no', null, undefined, [null]]) {
      expect(() => evaluateReplay(model, [ok, { ...ok, responded: responded as never }], { fixedHour: 10 })).toThrow(bad('heldOut[1]'));
    }
  });

  it('replayEvaluation: names the history, the record by its place in it, the model options, the profile hook and now', () => {
    const options = { splitAt: NOW - DAY, now: NOW, fixedHour: 10 };
    expect(() => replayEvaluation({} as never, options)).toThrow(bad('histories'));
    expect(() => replayEvaluation([{ subjectId: 'p1' }] as never, options)).toThrow(bad('histories[0].contacts'));
    expect(() => replayEvaluation([{ ...h, subjectId: 7 }] as never, options)).toThrow(bad('histories[0].subjectId'));
    expect(() => replayEvaluation([h], { ...options, profile: 'p' as never })).toThrow(bad('profile'));
    expect(() => replayEvaluation([h], { ...options, model: { channels: 'email' as never } })).toThrow(expect.objectContaining({ path: 'model.channels' }));
    expect(() => replayEvaluation([h], { ...options, now: null as never })).toThrow(bad('now', 'TIME_INVALID'));
    // The second training response (the first answers a held-out contact) is responses[1] of the history.
    const answered = { ...h, responses: [{ id: 'r1', subjectId: 'p1', contactId: 'c2', kind: 'opened', channel: 'email', at: NOW - 1 }, { id: 'r2', subjectId: 'p1', contactId: 'c1', kind: 'bogus', channel: 'email', at: NOW - 2 * DAY + 1 }] };
    expect(() => replayEvaluation([answered], options)).toThrow(bad('histories[0].responses[1].kind'));
    // A held-out contact after now is refused, as a training one is.
    expect(() => replayEvaluation([{ ...h, contacts: [...h.contacts, { id: 'c3', subjectId: 'p1', channel: 'email', at: NOW + HOUR }] }], options)).toThrow(bad('histories[0].contacts[2].at', 'TIMING_FUTURE_RECORD'));
  });

  it('replayEvaluation refuses a response after now, as it refuses a contact after now (it counted its held-out contact as answered; audit 2, 2026-12-07)', () => {
    const options = { splitAt: NOW - DAY, now: NOW, fixedHour: 10 };
    const late = { id: 'r1', subjectId: 'p1', contactId: 'c2', kind: 'opened', channel: 'email', at: NOW + HOUR };
    expect(() => replayEvaluation([{ ...h, responses: [late] }], options)).toThrow(bad('histories[0].responses[0].at', 'TIMING_FUTURE_RECORD'));
    // At now exactly it counts.
    const { evaluation } = replayEvaluation([{ ...h, responses: [{ ...late, at: NOW }] }], { ...options, fixedHour: new Date(NOW - HOUR).getUTCHours() });
    expect(evaluation.fixed).toEqual({ matched: 1, responded: 1, rate: 1 });
  });
});

describe('replay lift and its interval come from the same cells (audit, 2026-12-07)', () => {
  // An empty model's best hour of each day is 00:00: contacts at 00:30 count for the model arm, at 10:30 for a fixed 10:00.
  const arms = (mM: number, mR: number, fM: number, fR: number): ReplayContact[] => [
    ...Array.from({ length: mM }, (_, i) => ({ subjectId: `m${i}`, channel: 'email', sentAt: START + 30 * MINUTE, responded: i < mR })),
    ...Array.from({ length: fM }, (_, i) => ({ subjectId: `f${i}`, channel: 'email', sentAt: START + 10.5 * HOUR, responded: i < fR })),
  ];
  it('adds ½ to every cell when one is 0 (Haldane–Anscombe), to the lift as to its interval', () => {
    const r = evaluateReplay(new TimingModel(), arms(10, 0, 10, 5), { fixedHour: 10 });
    expect(r.lift).toBeCloseTo(0.5 / 11 / (5.5 / 11) - 1, 12); // −0.909 (it said −1, outside its interval)
    const se = Math.sqrt(1 / 0.5 - 1 / 11 + 1 / 5.5 - 1 / 11);
    const z = 1.959963984540054;
    expect(r.liftInterval![0]).toBeCloseTo((1 / 11) * Math.exp(-z * se) - 1, 12);
    expect(r.liftInterval![1]).toBeCloseTo((1 / 11) * Math.exp(z * se) - 1, 12);
    // No zero cell: the plain rate ratio and Katz's interval.
    const plain = evaluateReplay(new TimingModel(), arms(20, 8, 40, 6), { fixedHour: 10 });
    expect(plain.lift).toBeCloseTo(0.4 / 0.15 - 1, 12);
    const sePlain = Math.sqrt(1 / 8 - 1 / 20 + 1 / 6 - 1 / 40);
    expect(plain.liftInterval![1]).toBeCloseTo((0.4 / 0.15) * Math.exp(z * sePlain) - 1, 12);
  });

  it('the lift lies inside its interval for any arms', () => {
    const model = new TimingModel();
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 40 }), fc.integer({ min: 1, max: 40 }), fc.nat(), fc.nat(), fc.double({ min: 0.5, max: 0.999, noNaN: true }), (mM, fM, a, b, confidence) => {
        const r = evaluateReplay(model, arms(mM, a % (mM + 1), fM, b % (fM + 1)), { fixedHour: 10, confidence });
        expect(r.model.matched).toBe(mM);
        expect(r.fixed.matched).toBe(fM);
        expect(Number.isFinite(r.lift!)).toBe(true);
        expect(r.liftInterval![0]).toBeLessThanOrEqual(r.lift!);
        expect(r.lift!).toBeLessThanOrEqual(r.liftInterval![1]);
      }),
      { numRuns: 300 },
    );
  });
});

describe('matching near midnight (audit 3, 2026-12-07)', () => {
  it('a contact within the tolerance of the hour the model picks on the neighbouring day counts; one 23 h from the same day’s pick does not', () => {
    // p answers on Tuesdays at 00:xx and Mondays at 05:xx (UTC): the model picks Tuesday 00:00 and Monday 05:00; on
    // other days the profile is flat and the first hour, 00:00, is picked.
    const now = Date.parse('2026-06-01T12:00:00Z'); // a Monday
    const m = new TimingModel({ channels: ['email'] });
    for (let i = 0; i < 6; i++) {
      const at = Date.parse('2026-05-26T00:20:00Z') - i * 7 * DAY; // Tuesdays 00:20
      m.observeContact({ subjectId: 'p', channel: 'email', at: at - HOUR }, now);
      m.observeResponse({ subjectId: 'p', channel: 'email', kind: 'opened', at, contactId: `c${i}` }, now);
      // and Mondays at 05:xx, so Monday's pick is 05:00, not 00:00
      m.observeContact({ subjectId: 'p', channel: 'email', at: at - DAY + 4 * HOUR }, now);
      m.observeResponse({ subjectId: 'p', channel: 'email', kind: 'opened', at: at - DAY + 5 * HOUR, contactId: `d${i}` }, now);
    }
    refit(m);
    // 30 min before Tuesday's pick: it was compared with Monday's pick (05:00) and missed.
    const monday2330 = Date.parse('2026-06-01T23:30:00Z');
    const sunday2330 = Date.parse('2026-05-31T23:30:00Z'); // 23.5 h after Sunday's pick, 5.5 h before Monday's
    const r = evaluateReplay(m, [{ subjectId: 'p', channel: 'email', sentAt: monday2330, responded: true }], { fixedHour: 0, tolerance: 1 });
    expect(r.model).toMatchObject({ matched: 1, responded: 1 });
    expect(r.fixed).toMatchObject({ matched: 1, responded: 1 });
    // Saturday 23:30 → Sunday 00:00 across the end of the week: Sunday's pick is its 00:00 (flat prior).
    const saturday2330 = Date.parse('2026-06-06T23:30:00Z');
    expect(evaluateReplay(m, [{ subjectId: 'p', channel: 'email', sentAt: saturday2330, responded: false }], { fixedHour: 0, tolerance: 1 }).model.matched).toBe(1);
    // Sunday 23:30 was compared with Sunday's own pick, 00:00, 23.5 h earlier, and matched.
    expect(evaluateReplay(m, [{ subjectId: 'p', channel: 'email', sentAt: sunday2330, responded: false }], { fixedHour: 0, tolerance: 1 }).model.matched).toBe(0);
  });
});
