import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { evaluateCaps } from '../capping/evaluate.js';
import { CrossChannelError } from '../core/errors.js';
import { createHistory, parseContactRecord, parseResponseRecord } from '../core/records.js';
import { DAY, HOUR, MINUTE } from '../core/time.js';
import { CAPPING_ZONES, capCandidateArb, capHistoryArb, capNowArb, capRuleSetArb } from '../../test/arbitraries/capping.js';
import { bestSendTime } from './best.js';
import { hourProfile } from './fit.js';
import { bestMomentCheck } from './hook.js';
import { compileSendCaps } from './legal.js';
import { TimingModel } from './model.js';
import { hourOfWeek } from './week.js';

const NOW = Date.parse('2026-06-01T06:00:00Z'); // Monday 08:00 in Paris

/** A model where p1 answers emails on weekday evenings at 19:00 Paris time. */
function eveningModel(): TimingModel {
  const m = new TimingModel({ channels: ['email', 'sms', 'push'], timeZone: 'Europe/Paris' });
  for (let d = 1; d <= 28; d++) {
    const at = NOW - d * DAY + 11 * HOUR; // 17:00Z = 19:00 Paris (summer)
    m.observeContact({ subjectId: 'p1', channel: 'email', at: at - 2 * HOUR }, NOW);
    m.observeResponse({ subjectId: 'p1', channel: 'email', kind: 'opened', at, contactId: `c${d}` }, NOW);
    // Mondays at 19:00 best of all.
    if (d % 7 === 0) m.observeResponse({ subjectId: 'p1', channel: 'email', kind: 'opened', at: at + 5 * MINUTE, contactId: `m${d}` }, NOW);
  }
  return m;
}

describe('bestSendTime', () => {
  it('picks the person’s best hour, and explains the better hours the caps exclude', () => {
    const model = eveningModel();
    const caps = compileSendCaps({
      timeZone: 'Europe/Paris',
      rules: [
        { id: 'day', kind: 'limit', limit: 1, window: 'day' },
        { id: 'night', kind: 'quiet', ranges: [{ from: '21:00', to: '08:00' }] },
      ],
    });
    // Already contacted today (Monday): today's 19:00 is excluded by the daily limit.
    const history = createHistory('p1', { contacts: [parseContactRecord({ id: 'x', subjectId: 'p1', channel: 'email', at: NOW - HOUR })] });
    const r = bestSendTime(model, 'p1', { channel: 'email', now: NOW, horizon: '48h', caps, history });
    expect(r.best?.at).toBe(Date.parse('2026-06-02T17:00:00Z')); // Tuesday 19:00 Paris
    expect(r.excluded[0]?.at).toBe(Date.parse('2026-06-01T17:00:00Z'));
    expect(r.excluded[0]?.reasons.map((x) => x.code)).toEqual(['CAP_LIMIT_REACHED']);
    expect(r.reasons[0]?.code).toBe('TIMING_BEST_MOMENT');
    expect(r.runnerUps.length).toBe(3);
    expect(r.runnerUps.every((m) => m.score <= r.best!.score)).toBe(true);
    expect(r.priorOnly).toBe(false);
  });

  it('answers null with TIMING_NO_LEGAL_MOMENT when the caps allow nothing, and prior-only for strangers', () => {
    const model = eveningModel();
    const caps = compileSendCaps({ rules: [{ id: 'never', kind: 'limit', limit: 0, window: 'day' }] });
    const none = bestSendTime(model, 'p1', { channel: 'email', now: NOW, horizon: '24h', caps, history: createHistory('p1') });
    expect(none.best).toBeNull();
    expect(none.reasons[0]?.code).toBe('TIMING_NO_LEGAL_MOMENT');
    const stranger = bestSendTime(model, 'p2', { channel: 'email', now: NOW, horizon: '24h', caps: { rules: [] }, history: createHistory('p2') });
    expect(stranger.priorOnly).toBe(true);
    expect(stranger.reasons.map((x) => x.code)).toContain('TIMING_PRIOR_ONLY');
    expect(Number.isFinite(stranger.best!.expectedResponse)).toBe(true);
  });

  it('rejects bad input with typed errors', () => {
    const model = eveningModel();
    const base = { channel: 'email', now: NOW, horizon: '24h', caps: { rules: [] }, history: createHistory('p1') };
    const code = (o: object): string | undefined => {
      try {
        bestSendTime(model, 'p1', o as never);
      } catch (e) {
        return e instanceof CrossChannelError ? e.code : 'TypeError';
      }
      return undefined;
    };
    expect(code({ ...base, channel: 'fax' })).toBe('TIMING_UNKNOWN_CHANNEL');
    expect(code({ ...base, timeZone: 'Mars/Base' })).toBe('TIMEZONE_INVALID');
    expect(code({ ...base, horizon: '400d', resolution: '1m' })).toBe('TIMING_HORIZON_TOO_LARGE');
    expect(code({ ...base, from: NOW - 1 })).toBe('INPUT_INVALID');
    expect(code({ ...base, now: 'soon' })).toBe('TIME_INVALID');
    expect(code({ ...base, history: null })).toBe('INPUT_INVALID');
    expect(code({ ...base, caps: { rules: 'none' } })).toBe('CONFIG_INVALID');
    for (const junk of [null, 1, 'x', []]) expect(code(junk as never)).not.toBe('TypeError');
  });


  it('names a history record of the wrong shape at its path (it was a TypeError, or TIME_INVALID at "ms")', () => {
    const model = eveningModel();
    const caps = { rules: [{ id: 'day', kind: 'limit', limit: 1, window: 'day' }, { id: 'roll', kind: 'limit', limit: 2, window: { rolling: 3 * DAY } }, { id: 'gap', kind: 'gap', minGap: '4h' }] };
    const good = { id: 'c', subjectId: 'p1', channel: 'email', tags: [], transactional: false };
    const fine = [NOW - 3 * HOUR, NOW - 2 * HOUR, NOW - HOUR].map((at) => ({ ...good, at }));
    for (const [junk, field] of [[null, ''], [5, ''], [{ ...good, at: Number.NaN }, '.at'], [{ ...good, at: 'x' }, '.at'], [{ ...good, at: Symbol('at') }, '.at'], [{ ...good, at: {} }, '.at']] as const) {
      // The first record is read by the calendar and gap windows, the last by the rolling window (read newest first).
      for (const i of [0, 2]) {
        const contacts: unknown[] = [...fine];
        contacts[i] = junk;
        const history = { subjectId: 'p1', contacts, responses: [], events: [] };
        expect(() => bestSendTime(model, 'p1', { channel: 'email', now: NOW, horizon: '24h', caps, history } as never), String(junk)).toThrow(
          expect.objectContaining({ code: 'INPUT_INVALID', path: `history.contacts[${i}]${field}` }),
        );
      }
    }
    // The same history without junk: the caps leave the 4th day open.
    const answer = bestSendTime(model, 'p1', { channel: 'email', now: NOW, horizon: '7d', caps, history: { subjectId: 'p1', contacts: fine, responses: [], events: [] } } as never);
    expect(answer.best!.at).toBeGreaterThanOrEqual(NOW - HOUR + 3 * DAY);
  });
  it('is the best moment of the brute-force oracle (evaluateCaps at every moment, then the best hour)', () => {
    const model = eveningModel();
    model.setProfile('p', { timeZone: 'America/New_York' });
    // Grids of different sizes one after another: bestSendTime reuses its slot grid's storage between calls.
    const grids = [
      { horizon: '3d', resolution: '30m', days: 3, step: 30 },
      { horizon: '1d', resolution: '15m', days: 1, step: 15 },
      { horizon: '4d', resolution: '60m', days: 4, step: 60 },
      { horizon: '2d', resolution: '20m', days: 2, step: 20 },
    ] as const;
    fc.assert(
      fc.property(capRuleSetArb, capCandidateArb, fc.constantFrom(...CAPPING_ZONES), capNowArb.chain((now) => fc.tuple(fc.constant(now), capHistoryArb(now))), fc.constantFrom(...grids), (rules, candidate, zone, [now, history], grid) => {
        const r = bestSendTime(model, 'p', { channel: candidate.channel, candidate, now, horizon: grid.horizon, resolution: grid.resolution, caps: rules, history, timeZone: zone });
        const profile = hourProfile(model, 'p');
        let best: number | null = null;
        for (let t = now; t < now + grid.days * DAY; t += grid.step * MINUTE) {
          if (!evaluateCaps(history, rules, candidate, { now: t, timeZone: zone }).allowed) continue;
          if (best === null || profile[hourOfWeek(t, zone)]! > profile[hourOfWeek(best, zone)]!) best = t;
        }
        expect(r.best?.at ?? null).toBe(best);
        for (const e of r.excluded) {
          expect(evaluateCaps(history, rules, candidate, { now: e.at, timeZone: zone }).allowed).toBe(false);
          expect(e.reasons.length).toBeGreaterThan(0);
        }
      }),
      { numRuns: 80 },
    );
  }, 60_000);

  it('serves the BestMomentCheck hook', () => {
    const model = eveningModel();
    const history = createHistory('p1', { responses: [parseResponseRecord({ id: 'r', subjectId: 'p1', kind: 'unsubscribed', channel: 'sms', at: NOW - HOUR })] });
    const check = bestMomentCheck(model, { caps: { rules: [{ id: 'cool', kind: 'cooldown', after: ['unsubscribed'], duration: '30d', per: 'channel' }] }, history: (id) => (id === 'p1' ? history : undefined) });
    const ctx = { from: NOW, horizonMs: DAY, now: NOW, timeZone: 'Europe/Paris' };
    const email = check('p1', { ...ctx, channel: 'email' });
    expect(email?.at).toBe(Date.parse('2026-06-01T17:00:00Z'));
    expect(email?.reasons[0]?.code).toBe('TIMING_BEST_MOMENT');
    expect(check('p1', { ...ctx, channel: 'sms' })).toBeNull();
    expect(check('p2', { ...ctx, channel: 'sms' })?.reasons.map((r) => r.code)).toContain('TIMING_PRIOR_ONLY');
  });
});

describe('caps, candidate and horizon errors name the option (mutation fuzz, 2026-12-05)', () => {
  const caps = { rules: [{ id: 'night', kind: 'quiet', ranges: [{ from: '21:00', to: '08:00' }] }] };
  const ctx = { channel: 'email', from: NOW, horizonMs: DAY, now: NOW, timeZone: 'Europe/Paris' };
  it('a bad rule set under caps, a candidate priority that is no number under candidate', () => {
    const m = new TimingModel({ channels: ['email'] });
    expect(() => bestMomentCheck(m, { caps: { rules: [{ id: 'x', kind: 'nope' }] } as never, history: () => undefined })).toThrow(expect.objectContaining({ code: 'CONFIG_INVALID', path: 'caps.rules[0].kind' }));
    expect(() => bestSendTime(m, 'p1', { channel: 'email', now: NOW, horizon: DAY, caps: { rules: null } as never, history: createHistory('p1') })).toThrow(expect.objectContaining({ path: 'caps.rules' }));
    const check = bestMomentCheck(m, { caps: caps as never, history: () => undefined, candidate: { priority: {} as never } });
    expect(() => check('p1', ctx)).toThrow(expect.objectContaining({ code: 'INPUT_INVALID', path: 'candidate.priority' }));
  });
  it('the hook names a bad horizon horizonMs, as its caller wrote it', () => {
    const check = bestMomentCheck(new TimingModel({ channels: ['email'] }), { caps: caps as never, history: () => undefined });
    expect(() => check('p1', { ...ctx, horizonMs: 1e308 })).toThrow(expect.objectContaining({ code: 'TIMING_HORIZON_TOO_LARGE', path: 'horizonMs' }));
    expect(() => check('p1', { ...ctx, horizonMs: 'soon' as never })).toThrow(expect.objectContaining({ code: 'INPUT_INVALID', path: 'horizonMs' }));
  });
});

describe('the window and the horizon (audit, 2026-12-07)', () => {
  it('the hook answers inside [max(from, now), from + horizonMs) when from is before now, and null once that window is over', () => {
    const now = Date.parse('2026-06-01T08:00:00Z'); // a Monday
    const m = new TimingModel({ channels: ['email'] });
    for (let i = 0; i < 5; i++) {
      m.observeContact({ subjectId: 'p1', channel: 'email', at: now - DAY }, now);
      // p1 answers on Mondays at 10:xx UTC: later than the window's end.
      m.observeResponse({ subjectId: 'p1', channel: 'email', kind: 'opened', at: Date.parse('2026-05-25T10:30:00Z'), contactId: `c${i}` }, now);
    }
    const check = bestMomentCheck(m, { caps: { rules: [] }, history: () => undefined });
    const ctx = { channel: 'email', now, timeZone: 'UTC' };
    const r = check('p1', { ...ctx, from: now - 2 * HOUR, horizonMs: 3 * HOUR });
    expect(r?.at).toBeGreaterThanOrEqual(now);
    expect(r?.at).toBeLessThan(now + HOUR);
    expect(check('p1', { ...ctx, from: now - 2 * HOUR, horizonMs: 2 * HOUR })).toBeNull();
    expect(() => check('p1', { ...ctx, channel: 'fax', from: now - 2 * HOUR, horizonMs: HOUR })).toThrow(expect.objectContaining({ code: 'TIMING_UNKNOWN_CHANNEL' }));
    expect(() => check('p1', { ...ctx, from: now, horizonMs: 0 })).toThrow(expect.objectContaining({ code: 'INPUT_INVALID', path: 'horizonMs' }));
  });

  it('refuses a horizon of 0 at horizon (it answered TIMING_NO_LEGAL_MOMENT, blaming the caps)', () => {
    const m = new TimingModel({ channels: ['email'] });
    const options = { channel: 'email', now: NOW, caps: { rules: [] }, history: createHistory('p') };
    expect(() => bestSendTime(m, 'p', { ...options, horizon: 0 })).toThrow(expect.objectContaining({ code: 'INPUT_INVALID', path: 'horizon' }));
    expect(() => bestSendTime(m, 'p', { ...options, horizon: '0h' })).toThrow(expect.objectContaining({ code: 'INPUT_INVALID', path: 'horizon' }));
    expect(bestSendTime(m, 'p', { ...options, horizon: 1 }).best?.at).toBe(NOW);
  });

  it('names horizon, not the calendar’s ms, when the horizon runs past the year 9999', () => {
    const m = new TimingModel({ channels: ['email'] });
    const now = Date.parse('9999-12-30T00:00:00Z');
    const options = { channel: 'email', now, caps: { rules: [] }, history: createHistory('p'), timeZone: 'Pacific/Kiritimati' };
    for (const horizon of ['60d', '7d']) expect(() => bestSendTime(m, 'p', { ...options, horizon })).toThrow(expect.objectContaining({ code: 'TIME_INVALID', path: 'horizon' }));
    expect(bestSendTime(m, 'p', { ...options, horizon: '48h' }).best?.at).toBe(now);
    const check = bestMomentCheck(m, { caps: { rules: [] }, history: () => undefined });
    expect(() => check('p', { channel: 'email', from: now, now, horizonMs: 60 * DAY, timeZone: 'UTC' })).toThrow(expect.objectContaining({ code: 'TIME_INVALID', path: 'horizonMs' }));
  });
});

describe('the history is checked as capping checks it (audit 3, 2026-12-07)', () => {
  it('refuses an unsorted list at the first record out of order (it silently allowed a moment evaluateCaps refuses)', () => {
    const m = new TimingModel({ channels: ['email'] });
    const caps = { rules: [{ id: 'week', kind: 'limit', limit: 1, window: { rolling: '7d' } }] };
    const c = (id: string, at: number) => parseContactRecord({ id, subjectId: 'p', channel: 'email', at });
    // Newest first: the rolling window read the last record as the newest, a month old, and allowed a send now.
    const history = { subjectId: 'p', contacts: [c('a', NOW - HOUR), c('b', NOW - 30 * DAY)], responses: [], events: [] };
    expect(() => evaluateCaps(history, caps as never, { channel: 'email' }, { now: NOW })).toThrow(expect.objectContaining({ code: 'INPUT_INVALID', path: 'history.contacts[1].at' }));
    expect(() => bestSendTime(m, 'p', { channel: 'email', now: NOW, horizon: '1d', caps, history } as never)).toThrow(expect.objectContaining({ code: 'INPUT_INVALID', path: 'history.contacts[1].at' }));
    const sorted = { ...history, contacts: [...history.contacts].reverse() };
    expect(bestSendTime(m, 'p', { channel: 'email', now: NOW, horizon: '1d', caps, history: sorted } as never).best).toBeNull();
  });

  it('answers or refuses a shuffled history exactly when evaluateCaps does, with the same code and path', () => {
    const model = eveningModel();
    fc.assert(
      fc.property(capRuleSetArb, capCandidateArb, capNowArb.chain((now) => fc.tuple(fc.constant(now), capHistoryArb(now), fc.nat(), fc.boolean())), (rules, candidate, [now, history, seed, shuffleResponses]) => {
        const shuffle = <T>(xs: readonly T[]): T[] => xs.map((x, i) => [x, (seed * (i + 7919)) % 1009] as const).sort((a, b) => a[1] - b[1]).map(([x]) => x);
        const h = shuffleResponses ? { ...history, responses: shuffle(history.responses) } : { ...history, contacts: shuffle(history.contacts) };
        let want: unknown = null;
        try {
          evaluateCaps(h, rules, candidate, { now });
        } catch (e) {
          want = { code: (e as CrossChannelError).code, path: (e as CrossChannelError).path };
        }
        let got: unknown = null;
        try {
          bestSendTime(model, 'p1', { channel: candidate.channel, candidate, now, horizon: '1d', caps: rules, history: h });
        } catch (e) {
          got = { code: (e as CrossChannelError).code, path: (e as CrossChannelError).path };
        }
        expect(got).toEqual(want);
      }),
      { numRuns: 200 },
    );
  });
});
