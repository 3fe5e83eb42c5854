import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compareRefused, IdentityGraph, stitch, type ObservationInput, type RefusedLink } from './graph.js';
import { identifierKey, normalizeIdentifier } from './normalize.js';
import { parseIdentityRules, type IdentityRulesInput } from './rules.js';
import { identifierArb, observationArb, T0, tightRulesArb } from '../../test/arbitraries/identity.js';

const snapshot = (g: IdentityGraph) => ({
  profiles: [...g.profiles()].sort((a, b) => (a.id < b.id ? -1 : 1)),
  refused: g.refused(),
});

const obsListArb = fc.array(observationArb, { minLength: 1, maxLength: 40 });

/** Observations plus repeats of some of them: a subset of their identifiers, seen again at a nearby time. */
const withRepeatsArb = fc.array(observationArb, { minLength: 1, maxLength: 16 }).chain((base) =>
  fc
    .array(fc.record({ of: fc.nat(), keep: fc.array(fc.boolean(), { minLength: 4, maxLength: 4 }), days: fc.integer({ min: -2, max: 2 }), source: fc.constantFrom('web', 'app', 'pos', 'crm') }), { maxLength: 24 })
    .map((repeats) => [
      ...base,
      ...repeats.map((r) => {
        const o = base[r.of % base.length]!;
        const ids = o.identifiers.filter((_, i) => r.keep[i]);
        return { identifiers: ids.length > 0 ? ids : o.identifiers.slice(0, 1), at: (o.at as number) + r.days * 86_400_000, source: r.source };
      }),
    ]),
);

function shuffled<T>(xs: readonly T[], seed: number): T[] {
  const out = [...xs];
  let s = seed >>> 0 || 1;
  for (let i = out.length - 1; i > 0; i--) {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    const j = s % (i + 1);
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

function build(observations: readonly ObservationInput[], rules: object): IdentityGraph {
  const g = new IdentityGraph(rules);
  g.add(observations);
  return g;
}

describe('stitching properties', () => {
  it('profiles (ids, identifiers, first/last seen) and refused links do not depend on the order of observations', () => {
    fc.assert(
      fc.property(obsListArb, tightRulesArb, fc.integer(), (obs, rules, seed) => {
        expect(snapshot(build(shuffled(obs, seed), rules))).toEqual(snapshot(build(obs, rules)));
      }),
      { numRuns: 300 },
    );
  });

  it('adding observations in batches gives the same graph as rebuilding from all of them', () => {
    fc.assert(
      fc.property(obsListArb, tightRulesArb, fc.array(fc.integer({ min: 0, max: 40 }), { maxLength: 5 }), fc.integer(), (obs, rules, cuts, seed) => {
        const order = shuffled(obs, seed);
        const bounds = [...new Set([0, ...cuts.map((c) => Math.min(c, order.length)), order.length])].sort((a, b) => a - b);
        const g = new IdentityGraph(rules);
        for (let i = 0; i + 1 < bounds.length; i++) g.add(order.slice(bounds[i], bounds[i + 1]));
        expect(snapshot(g)).toEqual(snapshot(build(obs, rules)));
      }),
      { numRuns: 200 },
    );
  });

  it('adding observations one at a time gives the same graph, refused links included, as rebuilding from all of them', () => {
    // One observation per add is where repeats are folded into sightings instead of stored: a fold must never
    // drop a link (or the source of its earliest sighting) that the rebuild keeps.
    fc.assert(
      fc.property(withRepeatsArb, tightRulesArb, fc.integer(), (obs, rules, seed) => {
        const g = new IdentityGraph(rules);
        for (const o of shuffled(obs, seed)) g.add([o]);
        expect(snapshot(g)).toEqual(snapshot(build(obs, rules)));
      }),
      { numRuns: 400 },
    );
  });

  it('a repeat whose strongest identifier differs from the stored observation\'s still links (its link is refused, and reported, after a split)', () => {
    // p1 + u0 + a5 links u0–p1 and u0–a5 (u0 is the strongest); p1 + a5 asks for p1–a5, a link the first never
    // made. An earlier-stamped u1 + p1 then splits the component: u0–p1 and p1–a5 are both refused by the limit.
    const T = Date.UTC(2026, 0, 2);
    const obs: ObservationInput[] = [
      { identifiers: [{ type: 'email', value: 'p1@shop.test' }, { type: 'user_id', value: 'u0' }, { type: 'anonymous_id', value: 'a5' }], at: T, source: 'web' },
      { identifiers: [{ type: 'email', value: 'p1@shop.test' }, { type: 'anonymous_id', value: 'a5' }], at: T, source: 'web' },
      { identifiers: [{ type: 'user_id', value: 'u1' }, { type: 'email', value: 'p1@shop.test' }], at: T - 86_400_000, source: 'web' },
    ];
    const g = new IdentityGraph({});
    for (const o of obs) g.add([o]);
    const links = (x: IdentityGraph) => x.refused().map((r) => `${r.from.type}:${r.from.value}→${r.to?.type}:${r.to?.value} ${r.rule}`);
    expect(links(g)).toEqual(links(build(obs, {})));
    expect(links(g)).toEqual(['email:p1@shop.test→anonymous_id:a5 limit:user_id', 'user_id:u0→email:p1@shop.test limit:user_id']);
  });

  it('every profile respects the limits, and every refused link joins two different profiles', () => {
    fc.assert(
      fc.property(obsListArb, tightRulesArb, (obs, rules) => {
        const g = build(obs, rules);
        const compiled = parseIdentityRules(rules);
        for (const p of g.profiles()) {
          expect(p.identifiers.length).toBeLessThanOrEqual(compiled.maxIdentifiers);
          const counts = new Map<string, number>();
          for (const i of p.identifiers) counts.set(i.type, (counts.get(i.type) ?? 0) + 1);
          for (const [t, c] of counts) expect(c).toBeLessThanOrEqual(compiled.limitOf(t));
          expect(p.firstSeen).toBeLessThanOrEqual(p.lastSeen);
        }
        for (const r of g.refused()) {
          expect(r.to).toBeDefined();
          expect(g.profileIdOf(r.from)).not.toBe(g.profileIdOf(r.to!));
        }
      }),
      { numRuns: 200 },
    );
  });

  it('without limits, profiles are exactly the connected components (checked against a plain BFS)', () => {
    const open = { limits: {}, maxIdentifiers: 1_000_000 };
    fc.assert(
      fc.property(obsListArb, (obs) => {
        const g = build(obs, open);
        const rules = parseIdentityRules(open);
        const adj = new Map<string, Set<string>>();
        for (const o of obs) {
          const keys = o.identifiers
            .map((i) => normalizeIdentifier(i, rules.normalize))
            .filter((r) => r.ok && rules.blockedBy(r.value.type, r.value.value) === undefined)
            .map((r) => (r.ok ? identifierKey(r.value) : ''));
          for (const k of keys) if (!adj.has(k)) adj.set(k, new Set());
          for (let i = 1; i < keys.length; i++) {
            adj.get(keys[0]!)!.add(keys[i]!);
            adj.get(keys[i]!)!.add(keys[0]!);
          }
        }
        const seen = new Set<string>();
        const components: string[][] = [];
        for (const start of adj.keys()) {
          if (seen.has(start)) continue;
          const comp: string[] = [];
          const queue = [start];
          seen.add(start);
          while (queue.length > 0) {
            const k = queue.pop()!;
            comp.push(k);
            for (const n of adj.get(k)!) if (!seen.has(n)) (seen.add(n), queue.push(n));
          }
          components.push(comp.sort());
        }
        const profiles = [...g.profiles()].map((p) => p.identifiers.map(identifierKey).sort());
        const key = (xs: string[][]) => xs.map((x) => x.join('|')).sort();
        expect(key(profiles)).toEqual(key(components));
        expect(g.refused()).toEqual([]);
      }),
      { numRuns: 200 },
    );
  });

  it('removing an identifier gives the graph rebuilt from observations without it', () => {
    fc.assert(
      fc.property(obsListArb, tightRulesArb, fc.nat(), (obs, rules, pick) => {
        const g = build(obs, rules);
        const all = [...g.profiles()].flatMap((p) => p.identifiers);
        fc.pre(all.length > 0);
        const victim = all[pick % all.length]!;
        const compiled = parseIdentityRules(rules);
        const result = g.removeIdentifier(victim);
        expect(result?.erased).toEqual([victim]);
        const without = obs.map((o) => ({
          ...o,
          identifiers: o.identifiers.filter((i) => {
            const n = normalizeIdentifier(i, compiled.normalize);
            return !(n.ok && identifierKey(n.value) === identifierKey(victim));
          }),
        }));
        expect(snapshot(g)).toEqual(snapshot(build(without, rules)));
        expect(g.profileIdOf(victim)).toBeUndefined();
      }),
      { numRuns: 200 },
    );
  });

  it('erasing a profile gives the graph rebuilt without its identifiers, and no erased value remains', () => {
    fc.assert(
      fc.property(obsListArb, tightRulesArb, fc.nat(), (obs, rules, pick) => {
        const g = build(obs, rules);
        const profiles = [...g.profiles()].sort((a, b) => (a.id < b.id ? -1 : 1));
        fc.pre(profiles.length > 0);
        const victim = profiles[pick % profiles.length]!;
        const gone = new Set(victim.identifiers.map(identifierKey));
        const compiled = parseIdentityRules(rules);
        g.erase(victim.id);
        const without = obs.map((o) => ({
          ...o,
          identifiers: o.identifiers.filter((i) => {
            const n = normalizeIdentifier(i, compiled.normalize);
            return !(n.ok && gone.has(identifierKey(n.value)));
          }),
        }));
        const after = snapshot(g);
        expect(after).toEqual(snapshot(build(without, rules)));
        const text = JSON.stringify([after, [...g.profiles()].map((p) => g.audit(p.id))]);
        for (const i of victim.identifiers) expect(text.includes(JSON.stringify(i.value))).toBe(false);
      }),
      { numRuns: 200 },
    );
  });

  it('stitch equals a graph fed the same observations', () => {
    fc.assert(
      fc.property(obsListArb, tightRulesArb, (obs, rules) => {
        const s = stitch(obs, rules);
        expect(s.profiles).toEqual(snapshot(build(obs, rules)).profiles);
      }),
      { numRuns: 50 },
    );
  });
  it('a large batch (read in chunks of observations) reports the invalid and blocked identifiers, and builds the graph, that adding its observations one at a time does', () => {
    // Invalid values (reported with their observation and index), blocked values, values that normalise to a
    // known one, and non-linking types, in batches long enough to span several chunks.
    const messyArb = fc.oneof(
      { weight: 4, arbitrary: identifierArb },
      { weight: 1, arbitrary: fc.constantFrom({ type: 'email', value: 'not-an-email' }, { type: 'device_id', value: '' }, { type: 'anonymous_id', value: 'a\u0000b' }, { type: 'email', value: ' P1@Shop.TEST ' }, { type: 'anonymous_id', value: 'undefined' }) },
    );
    const obsArb = fc.record({
      identifiers: fc.array(messyArb, { minLength: 1, maxLength: 4 }),
      at: fc.integer({ min: 0, max: 120 }).map((d) => T0 + d * 86_400_000),
      source: fc.constantFrom('web', 'app'),
    });
    fc.assert(
      fc.property(fc.array(obsArb, { minLength: 17, maxLength: 90 }), fc.constantFrom<IdentityRulesInput[]>({}, { nonLinking: ['device_id'] }, { limits: { user_id: 1, email: 1 } }), (obs, rules) => {
        const whole = new IdentityGraph(rules);
        const report = whole.add(obs);
        const single = new IdentityGraph(rules);
        const invalid: unknown[] = [];
        const blocked: RefusedLink[] = [];
        obs.forEach((o, i) => {
          const r = single.add([o]);
          for (const x of r.invalid) invalid.push({ ...x, observation: i });
          for (const x of r.refused) if (x.code === 'IDENTITY_BLOCKED_VALUE') blocked.push(x);
        });
        expect(report.invalid).toEqual(invalid);
        expect(report.refused.filter((x) => x.code === 'IDENTITY_BLOCKED_VALUE')).toEqual(blocked.sort(compareRefused));
        // Adding one observation at a time folds repeats a batch stores: the graphs still agree, refused links included.
        expect(whole.size.identifiers).toBe(single.size.identifiers);
        expect(snapshot(single)).toEqual(snapshot(whole));
      }),
      { numRuns: 150 },
    );
  });
});

describe('stitching against the guide\'s replay, written out plainly', () => {
  // Oracle from docs/identity.md ("How links are decided"): each observation links its anchor (strongest: rank,
  // type name, value) to its other identifiers; a link counts once, at its earliest sighting; a link with an end
  // past its type's TTL (from its first sighting) is refused; the rest are replayed by (weaker rank, stronger rank,
  // at, values) in a union-find, refusing a merge that breaks a per-type limit (the strongest such type is the
  // rule) or maxIdentifiers; refused links whose ends end apart are reported.
  const rulesArb = fc.record({
    limits: fc.record({ user_id: fc.constant(1), email: fc.integer({ min: 1, max: 2 }), loyalty_id: fc.constant(1), anonymous_id: fc.integer({ min: 1, max: 3 }) }),
    maxIdentifiers: fc.integer({ min: 2, max: 8 }),
    priority: fc.constantFrom<string[] | undefined>(undefined, ['email', 'user_id', 'anonymous_id'], ['device_id', 'loyalty_id']),
    ttl: fc.constantFrom<Record<string, string>>({}, { anonymous_id: '30d' }, { anonymous_id: '10d', device_id: '60d' }),
  });
  type Id = { type: string; value: string };
  function replay(obs: readonly ObservationInput[], input: IdentityRulesInput) {
    const rules = parseIdentityRules(input);
    const DAY = 86_400_000;
    const ttl = (t: string) => ({ '30d': 30 * DAY, '10d': 10 * DAY, '60d': 60 * DAY })[(input.ttl as Record<string, string>)[t] ?? ''] ?? Infinity;
    const cmp = (a: Id, b: Id) => rules.rankOf(a.type) - rules.rankOf(b.type) || (a.type < b.type ? -1 : a.type > b.type ? 1 : a.value < b.value ? -1 : a.value > b.value ? 1 : 0);
    const valid = (o: ObservationInput) => {
      const out = new Map<string, Id>();
      for (const i of o.identifiers) {
        const r = normalizeIdentifier(i, rules.normalize);
        if (r.ok && rules.blockedBy(r.value.type, r.value.value) === undefined) out.set(identifierKey(r.value), r.value);
      }
      return [...out.values()];
    };
    const first = new Map<string, number>();
    for (const o of obs) for (const i of valid(o)) first.set(identifierKey(i), Math.min(first.get(identifierKey(i)) ?? Infinity, o.at as number));
    const members = new Map<string, Id[]>();
    const links = new Map<string, { s: Id; w: Id; at: number }>();
    for (const o of obs) {
      const ids = valid(o);
      for (const i of ids) members.set(identifierKey(i), [i]);
      const anchor = [...ids].sort(cmp)[0]!;
      const live = (i: Id) => (o.at as number) - first.get(identifierKey(i))! <= ttl(i.type);
      for (const w of ids) {
        const k = `${identifierKey(anchor)} ${identifierKey(w)}`;
        if (w !== anchor && live(anchor) && live(w) && !((links.get(k)?.at ?? Infinity) <= (o.at as number))) links.set(k, { s: anchor, w, at: o.at as number });
      }
    }
    const parent = new Map([...members.keys()].map((k) => [k, k]));
    const find = (k: string): string => (parent.get(k) === k ? k : find(parent.get(k)!));
    const refused: string[] = [];
    const order = [...links.values()].sort((a, b) => rules.rankOf(a.w.type) - rules.rankOf(b.w.type) || rules.rankOf(a.s.type) - rules.rankOf(b.s.type) || a.at - b.at || cmp(a.s, b.s) || cmp(a.w, b.w));
    for (const l of order) {
      const [a, b] = [find(identifierKey(l.s)), find(identifierKey(l.w))];
      if (a === b) continue;
      const all = [...members.get(a)!, ...members.get(b)!];
      const over = [...new Set(all.map((i) => i.type))].filter((t) => all.filter((i) => i.type === t).length > rules.limitOf(t)).sort((x, y) => cmp({ type: x, value: '' }, { type: y, value: '' }));
      const rule = over.length > 0 ? `limit:${over[0]}` : all.length > rules.maxIdentifiers ? 'maxIdentifiers' : undefined;
      if (rule) refused.push(`${identifierKey(l.s)}→${identifierKey(l.w)} ${rule}`);
      else (parent.set(b, a), members.set(a, all), members.delete(b));
    }
    return {
      profiles: [...members.values()].map((m) => m.map(identifierKey).sort().join('|')).sort(),
      refused: refused.filter((r) => find(r.split(/→| /)[0]!) !== find(r.split(/→| /)[1]!)).sort(),
    };
  }

  it('profiles and refused links (limits, maxIdentifiers, priority, TTL) are the guide\'s greedy replay', () => {
    fc.assert(
      fc.property(obsListArb, rulesArb, (obs, rules) => {
        const g = build(obs, rules);
        const want = replay(obs, rules);
        expect([...g.profiles()].map((p) => p.identifiers.map(identifierKey).sort().join('|')).sort()).toEqual(want.profiles);
        const refused = g.refused().filter((r) => r.to !== undefined && !r.rule.startsWith('ttl:'));
        expect(refused.map((r) => `${identifierKey(r.from)}→${identifierKey(r.to!)} ${r.rule}`).sort()).toEqual(want.refused);
      }),
      { numRuns: 300 },
    );
  });
});
