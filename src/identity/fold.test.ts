/**
 * Defect 3: an observation that adds no identifier and no link must cost nothing to store (it folds into
 * last-seen), and the graph must still be exactly the graph of every observation stored.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { IdentityGraph, type ObservationInput } from './graph.js';
import { observationArb, tightRulesArb } from '../../test/arbitraries/identity.js';

const DAY = 86_400_000;
const snapshot = (g: IdentityGraph) => ({ profiles: [...g.profiles()].sort((a, b) => (a.id < b.id ? -1 : 1)), refused: g.refused() });

/** Repeats of earlier observations: the same identifiers or a subset, seen again later. */
function repeatsOf(obs: ReadonlyArray<ObservationInput>, picks: ReadonlyArray<{ i: number; keep: number; later: number }>): ObservationInput[] {
  return picks.map(({ i, keep, later }) => {
    const o = obs[i % obs.length]!;
    const ids = o.identifiers.slice(0, 1 + (keep % o.identifiers.length));
    return { identifiers: ids, at: (o.at as number) + later * DAY, source: 'repeat' };
  });
}

describe('folding repeated observations', () => {
  it('one person seen 10,000 times with the same identifiers is stored as one observation, last-seen kept', () => {
    const g = new IdentityGraph();
    const ids = [{ type: 'anonymous_id', value: 'ck-1' }, { type: 'email', value: 'ada@shop.test' }];
    const first = g.add([{ identifiers: ids, at: 1000, source: 'web' }]);
    for (let i = 1; i <= 10_000; i++) {
      const r = g.add([{ identifiers: i % 2 ? ids : ids.slice(0, 1), at: 1000 + i, source: 'web' }]);
      expect(r.observations).toBe(1);
      if (i === 1) expect(r.profiles).toEqual(first.profiles);
    }
    expect(g.size).toEqual({ profiles: 1, identifiers: 2, observations: 1 });
    const p = g.profile(first.profiles[0]!)!;
    expect([p.firstSeen, p.lastSeen]).toEqual([1000, 11_000]);
    // The audit log names the observation that made the link, once.
    expect(g.audit(p.id)).toHaveLength(1);
  });

  it('property: with repeats (same or fewer identifiers, later) added in later batches, the graph equals the one-batch graph', () => {
    fc.assert(
      fc.property(
        fc.array(observationArb, { minLength: 1, maxLength: 25 }),
        fc.array(fc.record({ i: fc.nat(), keep: fc.nat(), later: fc.integer({ min: 0, max: 40 }) }), { maxLength: 25 }),
        tightRulesArb,
        fc.integer({ min: 1, max: 4 }),
        (obs, picks, rules, batches) => {
          const repeats = repeatsOf(obs, picks);
          const all = [...obs, ...repeats];
          const once = new IdentityGraph(rules);
          once.add(all);
          const inc = new IdentityGraph(rules);
          inc.add(obs);
          const size = Math.ceil(repeats.length / batches);
          for (let k = 0; k < repeats.length; k += size) inc.add(repeats.slice(k, k + size));
          expect(snapshot(inc)).toEqual(snapshot(once));
          // Erasure afterwards still agrees with the graph rebuilt from the remaining observations.
          const victim = [...once.profiles()][0];
          if (victim) {
            inc.erase(victim.id);
            once.erase(victim.id);
            expect(snapshot(inc)).toEqual(snapshot(once));
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it('property: without refused links, adding the very same observations again stores nothing new', () => {
    fc.assert(
      fc.property(fc.array(observationArb, { minLength: 1, maxLength: 25 }), (obs) => {
        // A component with refused links keeps storing repeats (their refusals are part of its audit).
        const g = new IdentityGraph({ limits: {}, maxIdentifiers: 1_000_000 });
        g.add(obs);
        const before = g.size.observations;
        g.add(obs);
        expect(g.size.observations).toBe(before);
      }),
      { numRuns: 200 },
    );
  });
});
