import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { reason, type Reason } from '../core/explain.js';
import { dedupeReasons, reasonAtStage } from './reasons.js';

const detailArb = fc.dictionary(fc.oneof(fc.string(), fc.constantFrom('stage', '0', '12', '__proto__x', '__proto__')), fc.jsonValue(), { maxKeys: 5 });

describe('reasonAtStage', () => {
  it('equals the spread it replaces, fields and their order included', () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), fc.option(fc.string(), { nil: undefined }), fc.option(detailArb, { nil: undefined }), fc.string(), (code, message, rule, detail, stage) => {
        const r = reason(code, message, { rule, detail });
        const spread = { ...r, detail: { ...(r.detail ?? {}), stage } };
        const got = reasonAtStage(r, stage);
        expect(got).toStrictEqual(spread);
        expect(JSON.stringify(got)).toBe(JSON.stringify(spread));
      }),
    );
  });

  it('leaves the reason it is given untouched', () => {
    const detail = Object.freeze({ until: 1 });
    const r = Object.freeze(reason('OFFER_EXPIRED', 'ended', { detail }));
    expect(reasonAtStage(r, 'eligibility')).toEqual({ code: 'OFFER_EXPIRED', message: 'ended', detail: { until: 1, stage: 'eligibility' } });
    expect(r.detail).toEqual({ until: 1 });
  });
});

describe('dedupeReasons', () => {
  // Few distinct values, so repeats are common; lists long enough to take both the pairwise and the set path.
  const reasonArb = fc.record(
    { code: fc.constantFrom('CAP_LIMIT_REACHED', 'CAP_QUIET_HOURS', 'CAP_MIN_GAP'), message: fc.constantFrom('1 per day', '3 per week', ''), rule: fc.constantFrom('a', 'b', '') },
    { requiredKeys: ['code', 'message'] },
  );
  const oracle = (rs: ReadonlyArray<Reason>): Reason[] =>
    rs.filter((r, i) => rs.findIndex((o) => o.code === r.code && o.message === r.message && (o.rule ?? '') === (r.rule ?? '')) === i);

  it('keeps the first of each (code, rule, message), in order, at any length', () => {
    fc.assert(
      fc.property(fc.oneof(fc.array(reasonArb, { maxLength: 16 }), fc.array(reasonArb, { minLength: 17, maxLength: 40 })), (rs) => {
        const got = dedupeReasons(rs);
        expect(got).toEqual(oracle(rs));
        // The very objects, not copies.
        got.forEach((r, i) => expect(r).toBe(oracle(rs)[i]));
      }),
    );
  });
});
