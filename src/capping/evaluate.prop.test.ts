import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { evaluateCaps } from './evaluate.js';
import { parseCapRules } from './rules.js';
import { DAY, MINUTE } from '../core/time.js';
import { capCandidateArb, capHistoryArb, capNowArb, capRuleSetArb, CAPPING_ZONES } from '../../test/arbitraries/capping.js';
import { oracleBlocking } from '../../test/oracles/capping.js';

const scenarioArb = fc
  .record({ set: capRuleSetArb, now: capNowArb, candidate: capCandidateArb, zone: fc.constantFrom(...CAPPING_ZONES) })
  .chain((s) => capHistoryArb(s.now).map((history) => ({ ...s, history })));

describe('evaluateCaps (properties)', () => {
  it('agrees with a brute-force oracle, rule by rule', () => {
    fc.assert(
      fc.property(scenarioArb, ({ set, now, candidate, zone, history }) => {
        const caps = parseCapRules(set);
        const d = evaluateCaps(history, caps, candidate, { now, timeZone: zone });
        const blocking = oracleBlocking(history, caps.source, candidate, now, zone);
        expect(d.reasons.map((r) => r.rule)).toEqual(blocking);
        expect(d.allowed).toBe(blocking.length === 0);
      }),
      { numRuns: 1000 },
    );
  });

  it('nextAllowedAt is exact: allowed at it, refused 1 ms before and at sampled instants in between', () => {
    fc.assert(
      fc.property(scenarioArb, fc.array(fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }), { minLength: 4, maxLength: 4 }), ({ set, now, candidate, zone, history }, samples) => {
        const caps = parseCapRules(set);
        const d = evaluateCaps(history, caps, candidate, { now, timeZone: zone });
        const allowedAt = (t: number) => oracleBlocking(history, caps.source, candidate, t, zone).length === 0;
        if (d.allowed) {
          expect(d.nextAllowedAt).toBe(now);
          return;
        }
        const next = d.nextAllowedAt;
        if (next === null) {
          // Never: no instant in the next years opens up.
          for (const k of [1, 30, 400, 4000]) expect(allowedAt(now + k * DAY)).toBe(false);
          return;
        }
        expect(next).toBeGreaterThan(now);
        expect(allowedAt(next)).toBe(true);
        expect(allowedAt(next - 1)).toBe(false);
        for (const s of samples) expect(allowedAt(now + Math.floor(s * (next - now)))).toBe(false);
        // Re-evaluating at nextAllowedAt agrees.
        expect(evaluateCaps(history, caps, candidate, { now: next, timeZone: zone }).allowed).toBe(true);
      }),
      { numRuns: 1000 },
    );
  });

  it('each reason’s releasedAt / until is the nextAllowedAt of its rule alone (contacts dated days ahead included)', () => {
    const aheadArb = fc
      .record({ set: capRuleSetArb, now: capNowArb, candidate: capCandidateArb, zone: fc.constantFrom(...CAPPING_ZONES) })
      .chain((s) => capHistoryArb(s.now + 3 * DAY).map((history) => ({ ...s, history })));
    fc.assert(
      fc.property(aheadArb, ({ set, now, candidate, zone, history }) => {
        const d = evaluateCaps(history, set, candidate, { now, timeZone: zone });
        for (const r of d.reasons) {
          const alone = { ...set, rules: set.rules.filter((x) => x.id === r.rule) };
          const detail = r.detail as { releasedAt?: number | null; until?: number | null };
          expect(detail.releasedAt !== undefined ? detail.releasedAt : detail.until).toBe(evaluateCaps(history, alone, candidate, { now, timeZone: zone }).nextAllowedAt);
        }
      }),
      { numRuns: 500 },
    );
  });

  it('quiet hours across a fall-back: no minute before nextAllowedAt is free (the clock going back may leave the ranges)', () => {
    const FOLDS = [
      ['America/New_York', Date.parse('2026-11-01T06:00:00Z')],
      ['Europe/Paris', Date.parse('2026-10-25T01:00:00Z')],
      ['America/St_Johns', Date.parse('2026-11-01T04:30:00Z')],
    ] as const;
    const clock = (q: number) => `${String(Math.floor(q / 4)).padStart(2, '0')}:${String((q % 4) * 15).padStart(2, '0')}`;
    const rangeArb = fc.record({ from: fc.integer({ min: 0, max: 20 }), to: fc.integer({ min: 1, max: 20 }) }).filter((r) => r.from !== r.to).map((r) => ({ from: clock(r.from), to: clock(r.to) }));
    fc.assert(
      fc.property(fc.constantFrom(...FOLDS), fc.array(rangeArb, { minLength: 1, maxLength: 3 }), fc.integer({ min: -3 * 60, max: 60 }), ([zone, fold], ranges, minutes) => {
        const set = { timeZone: zone, rules: [{ id: 'q', kind: 'quiet' as const, ranges }] };
        const now = fold + minutes * MINUTE;
        const d = evaluateCaps({ contacts: [], responses: [] }, set, { channel: 'email' }, { now });
        const free = (t: number) => oracleBlocking({ subjectId: 'p', contacts: [], responses: [], events: [] }, parseCapRules(set).source, { channel: 'email' }, t, zone).length === 0;
        if (d.nextAllowedAt === null) return; // the ranges cover the whole week
        expect(free(d.nextAllowedAt)).toBe(true);
        // Freedom changes only on local quarter hours here (ranges on quarter hours, offsets in half hours): check each.
        expect(free(now)).toBe(d.allowed);
        for (let t = now - (now % (15 * MINUTE)) + 15 * MINUTE; t < d.nextAllowedAt; t += 15 * MINUTE) expect(free(t)).toBe(false);
      }),
      { numRuns: 300 },
    );
  });

  it('more history never turns a refusal into an allowance', () => {
    fc.assert(
      fc.property(scenarioArb, fc.integer({ min: 0, max: 1000 }), ({ set, now, candidate, zone, history }, pick) => {
        const caps = parseCapRules(set);
        const fewer = { ...history, contacts: history.contacts.filter((_, i) => i % 3 !== pick % 3), responses: history.responses.filter((_, i) => i % 2 !== pick % 2) };
        const small = evaluateCaps(fewer, caps, candidate, { now, timeZone: zone });
        const full = evaluateCaps(history, caps, candidate, { now, timeZone: zone });
        if (!small.allowed) expect(full.allowed).toBe(false);
        // And it never brings the next allowed instant earlier.
        if (small.nextAllowedAt === null) expect(full.nextAllowedAt).toBeNull();
        else if (full.nextAllowedAt !== null) expect(full.nextAllowedAt).toBeGreaterThanOrEqual(small.nextAllowedAt);
      }),
      { numRuns: 500 },
    );
  });

  it('calendar windows open exactly at local midnight across DST (no early opening or shutting)', () => {
    fc.assert(
      fc.property(fc.constantFrom('Europe/Paris', 'America/New_York', 'Asia/Kolkata'), capNowArb, fc.constantFrom('day' as const, 'week' as const, 'month' as const), (zone, at, unit) => {
        const caps = parseCapRules({ timeZone: zone, rules: [{ id: 'one', kind: 'limit', limit: 1, window: unit }] });
        const history = { contacts: [{ at, channel: 'email', tags: [], transactional: false }], responses: [] };
        const d = evaluateCaps(history, caps, { channel: 'sms' }, { now: at });
        const lt = new Intl.DateTimeFormat('en-GB', { timeZone: zone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
        expect(d.allowed).toBe(false);
        expect(lt.format(d.nextAllowedAt!)).toBe('00:00');
        // One ms earlier the local clock still reads the previous day (23:59).
        expect(lt.format(d.nextAllowedAt! - 1)).toBe('23:59');
        expect(evaluateCaps(history, caps, { channel: 'sms' }, { now: d.nextAllowedAt! - 1 }).allowed).toBe(false);
      }),
      { numRuns: 300 },
    );
  });
});
