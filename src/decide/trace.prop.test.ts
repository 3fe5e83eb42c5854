import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { reason } from '../core/explain.js';
import { reasonAtStage } from './trace.js';

const detailArb = fc.dictionary(fc.oneof(fc.string(), fc.constantFrom('stage', '0', '12', '__proto__x')), fc.jsonValue(), { maxKeys: 5 });

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
