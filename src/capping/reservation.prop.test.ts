import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { evaluateCaps } from './evaluate.js';
import { explainRefusal, planReservation, reservationAllows } from './reservation.js';
import { parseCapRules } from './rules.js';
import { capCandidateArb, capHistoryArb, capNowArb, capRuleSetArb, CAPPING_ZONES } from '../../test/arbitraries/capping.js';

const scenarioArb = fc
  .record({ set: capRuleSetArb, now: capNowArb, candidate: capCandidateArb, zone: fc.constantFrom(...CAPPING_ZONES) })
  .chain((s) => capHistoryArb(s.now).map((history) => ({ ...s, history })));

describe('planReservation (properties)', () => {
  it('executing the plan allows exactly when evaluateCaps does', () => {
    fc.assert(
      fc.property(scenarioArb, ({ set, now, candidate, zone, history }) => {
        const caps = parseCapRules(set);
        const plan = planReservation(caps, candidate, now, zone);
        const d = evaluateCaps(history, caps, candidate, { now, timeZone: zone });
        expect(reservationAllows(plan, history)).toBe(d.allowed);
        // A refusal explained from a snapshot that reaches back as far as the plan says is evaluateCaps' own.
        if (!d.allowed) {
          const from = plan.contactsFrom ?? Number.POSITIVE_INFINITY;
          const rfrom = plan.responsesFrom ?? Number.POSITIVE_INFINITY;
          const snapshot = { contacts: history.contacts.filter((c) => c.at >= from), responses: history.responses.filter((r) => r.at >= rfrom) };
          expect(explainRefusal(plan, snapshot)).toEqual(d);
          // Without transactional contacts when no rule counts them (what a store may leave out).
          const ordinary = { ...snapshot, contacts: snapshot.contacts.filter((c) => !c.transactional || plan.countsTransactional) };
          expect(explainRefusal(plan, ordinary)).toEqual(d);
        }
      }),
      { numRuns: 1000 },
    );
  });

  it('is a pure function of its inputs', () => {
    fc.assert(
      fc.property(scenarioArb, ({ set, now, candidate, zone }) => {
        const a = planReservation(parseCapRules(set), candidate, now, zone);
        const b = planReservation(parseCapRules(set), candidate, now, zone);
        expect({ ...a, caps: null }).toEqual({ ...b, caps: null });
      }),
      { numRuns: 200 },
    );
  });
});
