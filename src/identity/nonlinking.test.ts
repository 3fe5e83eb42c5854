import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MemoryIdentityStore } from '../adapters/memory/identity.js';
import { IdentityGraph, stitch, type ObservationInput } from './graph.js';
import { parseIdentityRules } from './rules.js';

const ada = { type: 'email', value: 'ada@example.com' };
const bob = { type: 'email', value: 'bob@example.com' };
const ipad = { type: 'device_id', value: 'family-ipad' };
const phone = { type: 'device_id', value: 'ada-phone' };

describe('non-linking identifier types (a shared device never merges two people)', () => {
  it('a shared device is attached to each person seen with it, and is a profile of its own', () => {
    const graph = new IdentityGraph({ nonLinking: ['device_id'] });
    graph.add([
      { identifiers: [ipad, ada], at: 1 },
      { identifiers: [ipad, bob], at: 2 },
      { identifiers: [ipad], at: 3 },
    ]);
    const a = graph.profileIdOf(ada)!;
    const b = graph.profileIdOf(bob)!;
    const d = graph.profileIdOf(ipad)!;
    expect(new Set([a, b, d]).size).toBe(3);
    expect(graph.profile(a)).toMatchObject({ identifiers: [ada], attached: [ipad] });
    expect(graph.profile(b)).toMatchObject({ identifiers: [bob], attached: [ipad] });
    expect(graph.profile(d)).toEqual({ id: d, identifiers: [ipad], firstSeen: 1, lastSeen: 3 });
    expect(graph.attachedProfileIds(ipad)).toEqual([a, b].sort());
    expect(graph.attachedProfileIds(ada)).toEqual([]);
    // Without the rule, the same observations merge Ada and Bob through the tablet.
    expect(stitch([{ identifiers: [ipad, ada], at: 1 }, { identifiers: [ipad, bob], at: 2 }]).profiles).toHaveLength(1);
  });

  it('two non-linking identifiers seen together stay apart; repeated sightings store nothing new', () => {
    const graph = new IdentityGraph({ nonLinking: ['device_id', 'ip'] });
    graph.add([{ identifiers: [ipad, { type: 'ip', value: '203.0.113.7' }, ada], at: 1 }]);
    const before = graph.size;
    for (let i = 0; i < 100; i++) graph.add([{ identifiers: [ipad, { type: 'ip', value: '203.0.113.7' }, ada], at: 2 + i }]);
    expect(graph.size).toEqual(before);
    expect(before.profiles).toBe(3);
    expect(graph.profile(graph.profileIdOf(ada)!)?.attached).toEqual([ipad, { type: 'ip', value: '203.0.113.7' }]);
    expect(graph.profile(graph.profileIdOf(ipad)!)?.lastSeen).toBe(101);
  });

  it('attachments follow merges: a device seen with an email belongs to the person the email joins', () => {
    const graph = new IdentityGraph({ nonLinking: ['device_id'] });
    graph.add([{ identifiers: [phone, ada], at: 1 }]);
    graph.add([{ identifiers: [ada, { type: 'user_id', value: 'u1' }], at: 2 }]);
    const p = graph.profile(graph.profileIdOf({ type: 'user_id', value: 'u1' })!)!;
    expect(p.identifiers).toEqual([{ type: 'user_id', value: 'u1' }, ada]);
    expect(p.attached).toEqual([phone]);
    expect(graph.attachedProfileIds(phone)).toEqual([p.id]);
  });

  it('erasing a person takes their own device with them and detaches a shared one', () => {
    const graph = new IdentityGraph({ nonLinking: ['device_id'] });
    graph.add([
      { identifiers: [ipad, ada], at: 1 },
      { identifiers: [phone, ada], at: 1 },
      { identifiers: [ipad, bob], at: 2 },
    ]);
    const r = graph.erase(graph.profileIdOf(ada)!)!;
    expect(r.erased).toEqual(expect.arrayContaining([ada, phone]));
    expect(r.erased).toHaveLength(2);
    expect(graph.profileIdOf(phone)).toBeUndefined();
    expect(graph.attachedProfileIds(ipad)).toEqual([graph.profileIdOf(bob)!]);
    // Removing the shared device detaches it from Bob.
    graph.removeIdentifier(ipad);
    expect(graph.profile(graph.profileIdOf(bob)!)?.attached).toBeUndefined();
  });

  it('a store resolves a request to the person, never to the shared device, whatever the type ranks', async () => {
    const store = new MemoryIdentityStore({ rules: { nonLinking: ['device_id'], priority: ['device_id', 'email'] }, erasureSalt: 's' });
    await store.addObservations([
      { identifiers: [ipad, ada], at: 1 },
      { identifiers: [ipad, bob], at: 2 },
    ]);
    expect(await store.resolve([ipad, bob])).toBe(await store.lookup(bob));
    expect(await store.resolve([ipad])).toBe(await store.lookup(ipad));
    expect(await store.lookup(ipad)).not.toBe(await store.lookup(ada));
  });

  it('rules: nonLinking is validated and compiled', () => {
    expect(parseIdentityRules({ nonLinking: ['device_id'] }).isNonLinking('device_id')).toBe(true);
    expect(parseIdentityRules({}).isNonLinking('device_id')).toBe(false);
    expect(() => parseIdentityRules({ nonLinking: ['Device'] })).toThrow(expect.objectContaining({ code: 'CONFIG_INVALID', path: 'nonLinking[0]' }));
  });

  const TYPES = ['user_id', 'email', 'device_id', 'cookie_id'] as const;
  const identifierArb = fc.record({ type: fc.constantFrom(...TYPES), n: fc.integer({ min: 0, max: 7 }) }).map(({ type, n }) =>
    type === 'email' ? { type, value: `p${n}@example.com` } : { type, value: `${type[0]}k${n}` },
  );
  const observationsArb = fc.array(fc.record({ identifiers: fc.array(identifierArb, { minLength: 1, maxLength: 4 }), at: fc.integer({ min: 0, max: 1000 }) }), { maxLength: 25 });

  it('property: people are exactly the stitching of the observations without the shared identifiers, and attachments are what was seen together', () => {
    fc.assert(
      fc.property(observationsArb, fc.subarray(['device_id', 'cookie_id']), (observations: ObservationInput[], nonLinking) => {
        const shared = (t: string): boolean => nonLinking.includes(t);
        const graph = new IdentityGraph({ nonLinking, limits: { user_id: 1 } });
        graph.add(observations);
        const oracle = new IdentityGraph({ limits: { user_id: 1 } });
        oracle.add(observations.map((o) => ({ ...o, identifiers: o.identifiers.filter((i) => !shared(i.type)) })));
        const people = (g: IdentityGraph) =>
          [...g.profiles()]
            .filter((p) => !shared(p.identifiers[0]!.type))
            .map((p) => ({ id: p.id, identifiers: p.identifiers }))
            .sort((a, b) => (a.id < b.id ? -1 : 1));
        expect(people(graph)).toEqual(people(oracle));
        // Every shared identifier is a profile of its own, attached to the people it was seen with.
        for (const o of observations) {
          for (const n of o.identifiers.filter((i) => shared(i.type))) {
            const own = graph.profile(graph.profileIdOf(n)!)!;
            expect(own.identifiers).toEqual([n]);
            const expected = new Set<string>();
            for (const o2 of observations) {
              if (!o2.identifiers.some((i) => i.type === n.type && i.value === n.value)) continue;
              for (const x of o2.identifiers) if (!shared(x.type)) expected.add(graph.profileIdOf(x)!);
            }
            expect(graph.attachedProfileIds(n)).toEqual([...expected].sort());
            for (const id of expected) expect(graph.profile(id)!.attached).toContainEqual(n);
          }
        }
        // Order and batching do not matter.
        const shuffled = new IdentityGraph({ nonLinking, limits: { user_id: 1 } });
        for (const o of [...observations].reverse()) shuffled.add([o]);
        const all = (g: IdentityGraph) => [...g.profiles()].sort((a, b) => (a.id < b.id ? -1 : 1)).map((p) => ({ id: p.id, identifiers: p.identifiers, attached: p.attached }));
        expect(all(shuffled)).toEqual(all(graph));
      }),
      { numRuns: 300 },
    );
  });
});
