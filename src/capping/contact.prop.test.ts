import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { toContactRecord } from './contact.js';
import { parseContactRecord } from '../core/records.js';

const outcome = (fn: () => unknown) => {
  try {
    return { ok: true, value: fn() };
  } catch (e) {
    return { ok: false, code: (e as { code?: string }).code, path: (e as { path?: string }).path };
  }
};

const maybe = <T>(a: fc.Arbitrary<T>) => fc.option(a, { nil: undefined });
const text = fc.oneof(fc.string({ maxLength: 6 }), fc.constantFrom('email', 'sms', 'E-Mail', '', 'a\u0001b', 'x'.repeat(300)));
const recordArb = fc
  .record({
    id: fc.oneof(text, fc.integer()),
    subjectId: text,
    channel: text,
    campaignId: maybe(text),
    offerId: maybe(text),
    tags: fc.oneof(fc.array(text, { maxLength: 3 }), fc.constant(undefined), fc.constant('marketing')),
    at: fc.oneof(fc.integer(), fc.double(), fc.constant('2026-01-01T00:00:00Z'), fc.constant(9e15)),
    transactional: fc.oneof(fc.boolean(), fc.constant(undefined), fc.constant('yes')),
    idempotencyKey: maybe(text),
    extra: maybe(fc.constant(1)),
  })
  .map((r) => Object.fromEntries(Object.entries(r).filter(([, v]) => v !== undefined)));

// Parsed-form records (the fast path), with one field occasionally broken.
const id = fc.stringMatching(/^[a-z0-9-]{1,12}$/);
const parsedArb = fc
  .record({
    id,
    subjectId: id,
    channel: fc.constantFrom('email', 'sms', 'call_center', 'web.push'),
    campaignId: maybe(id),
    offerId: maybe(id),
    // Left out (undefined) sometimes: the defaults, [] and false, are part of the fast path.
    tags: maybe(fc.array(fc.constantFrom('marketing', 'service', 'category:shoes'), { maxLength: 3 })),
    at: fc.integer({ min: 0, max: 2e12 }),
    transactional: maybe(fc.boolean()),
    idempotencyKey: maybe(id),
  })
  .chain((r) =>
    fc.oneof(
      { weight: 4, arbitrary: fc.constant(r as Record<string, unknown>) },
      { weight: 1, arbitrary: fc.constantFrom<Record<string, unknown>>({ ...r, channel: 'SMS' }, { ...r, tags: [''] }, { ...r, at: 1.5 }, { ...r, campaignId: '' }, { ...r, extra: true }, { ...r, id: 'a\u0007' }) },
    ),
  )
  .map((r) => Object.fromEntries(Object.entries(r).filter(([, v]) => v !== undefined)));

describe('toContactRecord (properties)', () => {
  it('parsed-form records take the fast path with the schema result', () => {
    fc.assert(
      fc.property(parsedArb, (input) => {
        expect(outcome(() => toContactRecord(input))).toEqual(outcome(() => parseContactRecord(input as never)));
      }),
      { numRuns: 1000 },
    );
  });

  it('gives exactly what parseContactRecord gives: same record, or the same error code and path', () => {
    fc.assert(
      fc.property(recordArb, (input) => {
        expect(outcome(() => toContactRecord(input))).toEqual(outcome(() => parseContactRecord(input as never)));
      }),
      { numRuns: 2000 },
    );
  });
});
