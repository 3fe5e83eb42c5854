/** The hand-checked fast path of parseDecideRequest against the schema it stands in for. */
import fc from 'fast-check';
import * as z from 'zod/mini';
import { describe, expect, it } from 'vitest';
import { ENGLISH } from '../core/zod.js';
import { isCrossChannelError } from '../core/errors.js';
import { decideRequestSchema, parseDecideRequest, plainRequest } from './request.js';

// Values near every boundary the schema checks: lengths, control characters, channel syntax, integers, epoch range.
const text = fc.oneof(
  fc.string({ minLength: 0, maxLength: 3 }),
  fc.constantFrom('ok', 'email', 'Web', 'a\u0000b', 'tab\there', '\u007f', 'x'.repeat(64), 'x'.repeat(65), 'x'.repeat(240), 'x'.repeat(241), 'x'.repeat(256), 'x'.repeat(257), 'x'.repeat(512), 'x'.repeat(513), 'call_center', 'sms.2', '1sms', ''),
);
const anyValue = fc.oneof(text, fc.integer(), fc.double(), fc.boolean(), fc.constant(null), fc.constant(undefined), fc.constant([]), fc.constant({}));
const identifier = fc.oneof(
  { weight: 6, arbitrary: fc.record({ type: text, value: text }) },
  { weight: 1, arbitrary: fc.record({ type: text, value: text, extra: anyValue }) },
  { weight: 1, arbitrary: fc.record({ type: anyValue, value: anyValue }, { requiredKeys: [] }) },
  { weight: 1, arbitrary: anyValue },
);
const request = fc.record(
  {
    requestId: fc.oneof({ weight: 4, arbitrary: text }, { weight: 1, arbitrary: anyValue }),
    idempotencyKey: text,
    identifiers: fc.oneof({ weight: 6, arbitrary: fc.array(identifier, { minLength: 0, maxLength: 4 }) }, { weight: 1, arbitrary: fc.constant(Array.from({ length: 33 }, () => ({ type: 'email', value: 'a@b.c' }))) }, { weight: 1, arbitrary: anyValue }),
    channel: fc.oneof({ weight: 4, arbitrary: text }, { weight: 1, arbitrary: anyValue }),
    placement: fc.oneof(text, anyValue),
    slots: fc.oneof(fc.integer({ min: -1, max: 22 }), fc.double(), anyValue),
    tcString: fc.oneof(text, anyValue),
    gpc: fc.oneof(fc.boolean(), anyValue),
    now: fc.oneof({ weight: 4, arbitrary: fc.integer({ min: -9e15, max: 9e15 }) }, { weight: 1, arbitrary: fc.constantFrom(8.64e15, -8.64e15, 8.64e15 + 1, 1.5, Number.NaN, '2026-03-02T09:00:00Z', 'soon') }, { weight: 1, arbitrary: anyValue }),
    timeZone: fc.oneof(text, anyValue),
    context: fc.constant({ page: 'shoes' }),
    excludeOffers: fc.oneof(fc.array(text, { maxLength: 3 }), anyValue),
    unknown: anyValue,
  },
  { requiredKeys: [] },
);
// Mostly the common shape (the fields the fast path accepts), so that it is exercised, not only refused.
const good = fc.oneof({ weight: 5, arbitrary: fc.stringMatching(/^[a-z0-9@.-]{1,20}$/) }, { weight: 1, arbitrary: text });
// Identifier types: mostly identity's names, and the names next to them it refuses.
const idType = fc.oneof(
  { weight: 6, arbitrary: fc.stringMatching(/^[a-z][a-z0-9_]{0,12}$/) },
  { weight: 1, arbitrary: good },
  { weight: 1, arbitrary: fc.constantFrom('x'.repeat(64), 'x'.repeat(65), 'Email', 'e-mail', '_x', '9x', 'a') },
);
const common = fc.record({
  requestId: good,
  identifiers: fc.array(fc.oneof({ weight: 8, arbitrary: fc.record({ type: idType, value: good }) }, { weight: 1, arbitrary: fc.record({ type: idType, value: good, source: good }) }), { minLength: 1, maxLength: 3 }),
  channel: fc.constantFrom('email', 'web', 'call_center', 'sms.2', 'Web', '1x'),
  now: fc.integer({ min: -8.64e15, max: 8.64e15 }),
  slots: fc.option(fc.integer({ min: 0, max: 21 }), { nil: undefined }),
  gpc: fc.option(fc.boolean(), { nil: undefined }),
  excludeOffers: fc.option(fc.array(good, { maxLength: 3 }), { nil: undefined }),
}).map((r) => Object.fromEntries(Object.entries(r).filter(([, v]) => v !== undefined)));

function viaSchema(input: unknown): { ok: true; value: unknown } | { ok: false } {
  const r = z.safeParse(decideRequestSchema, input, ENGLISH);
  return r.success ? { ok: true, value: r.data } : { ok: false };
}

describe('parseDecideRequest fast path (properties)', () => {
  it('accepts only what the schema accepts, and returns exactly what the schema returns', () => {
    let taken = 0;
    fc.assert(
      fc.property(fc.oneof({ weight: 1, arbitrary: request }, { weight: 3, arbitrary: common }), (input) => {
        const fast = plainRequest(input);
        const slow = viaSchema(input);
        if (fast !== null) {
          taken++;
          expect(slow).toEqual({ ok: true, value: fast });
        }
        // parseDecideRequest (fast or not) agrees with the schema either way, errors included.
        let got: { ok: true; value: unknown } | { ok: false };
        try {
          got = { ok: true, value: parseDecideRequest(input as never) };
        } catch (e) {
          expect(isCrossChannelError(e, 'INPUT_INVALID')).toBe(true);
          got = { ok: false };
        }
        expect(got).toEqual(slow);
      }),
      { numRuns: 3000 },
    );
    // The fast path is really used on the common shape.
    expect(taken).toBeGreaterThan(150);
  });

  it('copies the identifiers and exclusions it returns (the caller may reuse its objects)', () => {
    const identifiers = [{ type: 'email', value: 'ann@example.com' }];
    const excludeOffers = ['o1'];
    const req = parseDecideRequest({ requestId: 'r1', identifiers, channel: 'email', now: 0, excludeOffers });
    expect(req.identifiers[0]).not.toBe(identifiers[0]);
    expect(req.excludeOffers).not.toBe(excludeOffers);
    expect(req).toEqual({ requestId: 'r1', identifiers, channel: 'email', slots: 1, now: 0, excludeOffers });
  });
});

describe('parseDecideRequest on a context nested without end', () => {
  it('refuses JSON nested more than 1,000 levels deep with a typed error at the place (a RangeError before)', () => {
    let deep: unknown = 1;
    for (let i = 0; i < 100_000; i++) deep = i % 2 ? [deep] : { a: deep };
    const request = { requestId: 'r1', identifiers: [{ type: 'email', value: 'ann@example.com' }], channel: 'email', now: 0 };
    let error: unknown;
    try {
      parseDecideRequest({ ...request, context: { x: deep } } as never);
    } catch (e) {
      error = e;
    }
    expect(isCrossChannelError(error)).toBe(true);
    expect((error as { pathSegments: unknown[]; message: string }).pathSegments.slice(0, 2)).toEqual(['context', 'x']);
    expect((error as Error).message).toMatch(/^JSON nested more than 1000 levels deep/);
    // 1,000 levels are fine.
    let ok: unknown = 1;
    for (let i = 0; i < 999; i++) ok = i % 2 ? [ok] : { a: ok };
    expect(parseDecideRequest({ ...request, context: { x: ok } } as never).context).toEqual({ x: ok });
  });
});
