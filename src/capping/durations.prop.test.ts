/**
 * Durations as the guide defines them, against a brute-force oracle written from the guide alone: a duration is
 * rounded to whole milliseconds; a rolling window counts contacts with `at > t − D` (contacts dated after `t`
 * too), a gap blocks less than `minGap` either side of a contact, a cooldown while a matching response is less
 * than `duration` old (or dated after `t`), a UTC day window counts its own day. Durations are drawn whole and
 * fractional, contacts and responses within a few ms of `t − D` (where rounding decides) and anywhere around `t`.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { evaluateCaps, type CapHistory } from './evaluate.js';
import { planReservation, reservationAllows } from './reservation.js';
import { parseCapRules, type CapRuleInput } from './rules.js';
import { DAY, HOUR } from '../core/time.js';

type OracleRule =
  | { kind: 'rolling'; limit: number; d: number; email: boolean }
  | { kind: 'day'; limit: number; email: boolean }
  | { kind: 'gap'; d: number; email: boolean }
  | { kind: 'cooldown'; d: number; email: boolean };

const NOW = Date.parse('2026-06-01T12:00:00Z');
const NEGATIVE = ['refused', 'unsubscribed', 'complained'];

const durationArb = fc.oneof(
  fc.integer({ min: 1, max: 2 * DAY }),
  fc.integer({ min: 1, max: 2 * DAY }).map((ms) => ms + 0.5),
  fc.double({ min: 0.5, max: 2 * DAY, noNaN: true }),
  fc.integer({ min: 1000, max: 5_000_000 }).map((x) => x / 1000), // 1.000–5000.000 ms: sub-millisecond parts
);
const ruleArb: fc.Arbitrary<OracleRule> = fc.oneof(
  fc.record({ kind: fc.constant('rolling' as const), limit: fc.integer({ min: 1, max: 3 }), d: durationArb, email: fc.boolean() }),
  fc.record({ kind: fc.constant('day' as const), limit: fc.integer({ min: 1, max: 3 }), email: fc.boolean() }),
  fc.record({ kind: fc.constant('gap' as const), d: durationArb, email: fc.boolean() }),
  fc.record({ kind: fc.constant('cooldown' as const), d: durationArb, email: fc.boolean() }),
);

/** Offsets from `now`: anywhere within ±2 days, or within 2 ms of one of the rules' `now − D`. */
const offsetArb = (rules: ReadonlyArray<OracleRule>) =>
  fc.oneof(
    fc.integer({ min: -2 * DAY, max: 2 * DAY }),
    fc.tuple(fc.constantFrom(...rules.map((r) => ('d' in r ? r.d : HOUR))), fc.integer({ min: -2, max: 2 })).map(([d, k]) => -Math.round(d) + k),
  );

const scenarioArb = fc.array(ruleArb, { minLength: 1, maxLength: 3 }).chain((rules) =>
  fc.record({
    rules: fc.constant(rules),
    contacts: fc.array(fc.record({ offset: offsetArb(rules), sms: fc.boolean() }), { maxLength: 8 }),
    responses: fc.array(fc.record({ offset: offsetArb(rules), kind: fc.constantFrom('refused', 'opened') }), { maxLength: 3 }),
  }),
);

function toInput(r: OracleRule, i: number): CapRuleInput {
  const scope = r.email ? { channels: 'email' } : {};
  switch (r.kind) {
    case 'rolling':
      return { id: `r${i}`, kind: 'limit', limit: r.limit, window: { rolling: r.d }, scope };
    case 'day':
      return { id: `r${i}`, kind: 'limit', limit: r.limit, window: 'day', scope };
    case 'gap':
      return { id: `r${i}`, kind: 'gap', minGap: r.d, scope };
    case 'cooldown':
      return { id: `r${i}`, kind: 'cooldown', duration: r.d, scope };
  }
}

/** The guide's reading of one rule at `t`, by scanning every record. */
function blocks(r: OracleRule, h: CapHistory, t: number): boolean {
  const inScope = (channel: string) => !r.email || channel === 'email';
  const contacts = h.contacts.filter((c) => inScope(c.channel));
  switch (r.kind) {
    case 'rolling':
      return contacts.filter((c) => c.at > t - Math.round(r.d)).length >= r.limit;
    case 'day':
      return contacts.filter((c) => Math.floor(c.at / DAY) === Math.floor(t / DAY)).length >= r.limit;
    case 'gap':
      return contacts.some((c) => Math.abs(t - c.at) < Math.round(r.d));
    case 'cooldown':
      return h.responses.some((x) => inScope(x.channel) && NEGATIVE.includes(x.kind) && x.at > t - Math.round(r.d));
  }
}

/** The first allowed instant ≥ now: only a release (a record's instant + a duration, a midnight) can end a refusal. */
function oracleNext(rules: ReadonlyArray<OracleRule>, h: CapHistory): number {
  const allowed = (t: number) => rules.every((r) => !blocks(r, h, t));
  const points = [NOW];
  for (const r of rules) {
    if (r.kind === 'day') for (let k = 1; k <= 8; k++) points.push((Math.floor(NOW / DAY) + k) * DAY);
    else for (const x of r.kind === 'cooldown' ? h.responses : h.contacts) points.push(x.at + Math.round(r.d));
  }
  const next = points.filter((t) => t >= NOW && allowed(t)).sort((a, b) => a - b)[0];
  if (next === undefined) throw new Error('the oracle found no allowed instant');
  return next;
}

describe('durations (properties)', () => {
  it('whole and fractional durations: allowed, nextAllowedAt (a whole ms) and the plan agree with the guide', () => {
    fc.assert(
      fc.property(scenarioArb, ({ rules, contacts, responses }) => {
        const caps = parseCapRules({ rules: rules.map(toInput) });
        const h: CapHistory = {
          contacts: contacts.map((c) => ({ at: NOW + c.offset, channel: c.sms ? 'sms' : 'email', tags: [], transactional: false })).sort((a, b) => a.at - b.at),
          responses: responses.map((x) => ({ at: NOW + x.offset, kind: x.kind as 'refused', channel: 'email', tags: [] })).sort((a, b) => a.at - b.at),
        };
        const d = evaluateCaps(h, caps, { channel: 'email' }, { now: NOW });
        const blocking = rules.map((r, i) => (blocks(r, h, NOW) ? `r${i}` : null)).filter((x) => x !== null);
        expect(d.reasons.map((x) => x.rule)).toEqual(blocking);
        expect(reservationAllows(planReservation(caps, { channel: 'email' }, NOW), h)).toBe(d.allowed);
        expect(Number.isSafeInteger(d.nextAllowedAt)).toBe(true);
        expect(d.nextAllowedAt).toBe(oracleNext(rules, h));
        // And it can be fed back as `now`.
        expect(evaluateCaps(h, caps, { channel: 'email' }, { now: d.nextAllowedAt! }).allowed).toBe(true);
      }),
      { numRuns: 1500 },
    );
  });
});
