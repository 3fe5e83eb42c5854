import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { IdentityGraph, type ObservationInput, type StitchReport } from './graph.js';
import { BULK_MEMBERS, useHeapArrays } from './state.js';
import { observationArb, T0, tightRulesArb } from '../../test/arbitraries/identity.js';

/** Everything a caller can see of a graph. */
function snapshot(g: IdentityGraph) {
  const profiles = [...g.profiles()].sort((a, b) => (a.id < b.id ? -1 : 1));
  return { profiles, refused: g.refused(), size: g.size, audits: profiles.map((p) => g.audit(p.id)) };
}

/** A report with its profile ids read (sorted: their order is unspecified). */
const seen = (r: StitchReport) => ({ ...r, profiles: [...r.profiles].sort() });

const rulesArb = fc.oneof(tightRulesArb, tightRulesArb.map((r) => ({ ...r, nonLinking: ['device_id'] })));

describe('heap arrays (the layout after a bulk batch)', () => {
  it('property: moving the arrays to the heap before any batch gives the same reports, graph and erasures as typed arrays', () => {
    fc.assert(
      fc.property(
        fc.array(fc.array(observationArb, { minLength: 1, maxLength: 12 }), { minLength: 1, maxLength: 5 }),
        rulesArb,
        fc.nat({ max: 5 }),
        fc.nat(),
        (batches, rules, switchAt, pick) => {
          const typed = new IdentityGraph(rules);
          const heap = new IdentityGraph(rules);
          batches.forEach((batch, k) => {
            // The switch happens before batch `switchAt` (or never), with whatever the graph holds by then.
            if (k === switchAt) useHeapArrays(heap.state);
            expect(seen(heap.add(batch))).toEqual(seen(typed.add(batch)));
          });
          expect(heap.state.heapArrays).toBe(switchAt < batches.length);
          expect(snapshot(heap)).toEqual(snapshot(typed));
          // Erasure, then one more batch, keep them equal.
          const ids = snapshot(typed).profiles.map((p) => p.id);
          const victim = ids[pick % ids.length]!;
          expect(heap.erase(victim)).toEqual(typed.erase(victim));
          const again = batches[0]!;
          expect(seen(heap.add(again))).toEqual(seen(typed.add(again)));
          expect(snapshot(heap)).toEqual(snapshot(typed));
        },
      ),
      { numRuns: 200 },
    );
  });

  it(`a batch of ${BULK_MEMBERS.toLocaleString('en-US')} identifiers or more moves them (with sharedMemory too), one below does not`, () => {
    const pairs = (n: number, from: number): ObservationInput[] =>
      Array.from({ length: n }, (_, i) => ({ identifiers: [{ type: 'anonymous_id', value: `a${from + i}` }, { type: 'user_id', value: `u${(from + i) >> 1}` }], at: T0 + i }));
    const small = new IdentityGraph();
    small.add(pairs(BULK_MEMBERS / 2 - 1, 0));
    expect(small.state.heapArrays).toBe(false);
    expect(small.state.members).toBeInstanceOf(Int32Array);
    const bulk = new IdentityGraph();
    bulk.add(pairs(10, 0));
    expect(bulk.state.members).toBeInstanceOf(Int32Array);
    bulk.add(pairs(BULK_MEMBERS / 2, 10));
    expect(bulk.state.heapArrays).toBe(true);
    for (const a of [bulk.state.idHash, bulk.state.idType, bulk.state.firstSeen, bulk.state.obsAt, bulk.state.obsStart, bulk.state.members]) expect(Array.isArray(a)).toBe(true);
    // The union-find arrays and the interning table stay typed.
    expect(bulk.state.parent).toBeInstanceOf(Int32Array);
    expect(bulk.state.slots).toBeInstanceOf(Int32Array);
    expect(bulk.size).toEqual({ profiles: (BULK_MEMBERS / 2 + 10) / 2, identifiers: BULK_MEMBERS / 2 + 10 + (BULK_MEMBERS / 2 + 10) / 2, observations: BULK_MEMBERS / 2 + 10 });
    expect(bulk.profileIdOf({ type: 'anonymous_id', value: 'a3' })).toBe(bulk.profileIdOf({ type: 'user_id', value: 'u1' }));
    // With sharedMemory too (one layout for bulk graphs), the typed arrays that stay being shared.
    const shared = new IdentityGraph({}, { sharedMemory: true });
    shared.add(pairs(BULK_MEMBERS / 2, 0));
    expect(shared.state.heapArrays).toBe(true);
    expect(shared.state.parent.buffer).toBeInstanceOf(SharedArrayBuffer);
    expect(shared.size).toEqual({ profiles: BULK_MEMBERS / 4, identifiers: BULK_MEMBERS / 2 + BULK_MEMBERS / 4, observations: BULK_MEMBERS / 2 });
    expect(shared.profileIdOf({ type: 'anonymous_id', value: 'a3' })).toBe(bulk.profileIdOf({ type: 'anonymous_id', value: 'a3' }));
  });
});
