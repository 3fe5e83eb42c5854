import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  collectStatistics,
  compareModels,
  computeAttribution,
  createStatistics,
  statisticsFromJSON,
  type AttributionComparison,
  type AttributionResult,
  type Journey,
} from './index.js';
import { journeysArb } from '../../test/arbitraries/attribution.js';

const RULES = ['last_touch', 'last_non_direct', 'first_touch', 'linear', 'time_decay', 'position_based'] as const;
const ALL = [...RULES, 'markov', { model: 'markov', name: 'markov_2', order: 2 }, { model: 'markov', name: 'markov_3', order: 3 }, 'shapley', { model: 'shapley', name: 'shapley_sampled', maxExactChannels: 2, samples: 200 }] as const;

const relClose = (a: number, b: number, tol = 1e-9): boolean => Math.abs(a - b) <= tol * Math.max(1, Math.abs(a), Math.abs(b));
const credit = (r: AttributionResult, channel: string): { conversions: number; value: number } => r.channels.find((c) => c.channel === channel) ?? { conversions: 0, value: 0 };

describe('attribution properties', () => {
  it('every model credits exactly the attributed conversions and value (relative error ≤ 1e-9)', () => {
    fc.assert(
      fc.property(journeysArb({ withUnattributed: true }), (journeys) => {
        const c = compareModels(journeys, { models: [...ALL] });
        const attributed = journeys.filter((j) => j.converted && j.channels.length > 0);
        expect(c.totals.conversions).toBe(attributed.length);
        expect(relClose(c.totals.value, attributed.reduce((s, j) => s + j.value, 0))).toBe(true);
        expect(c.unattributed.conversions).toBe(journeys.filter((j) => j.converted && j.channels.length === 0).length);
        for (const m of c.models) {
          const conv = m.channels.reduce((s, x) => s + x.conversions, 0);
          const val = m.channels.reduce((s, x) => s + x.value, 0);
          expect(relClose(conv, c.totals.conversions), `${m.model} conversions ${conv}`).toBe(true);
          if (c.totals.value > 0) expect(relClose(val, c.totals.value), `${m.model} value ${val} vs ${c.totals.value}`).toBe(true);
          for (const x of m.channels) expect(x.conversions).toBeGreaterThanOrEqual(-1e-12);
        }
      }),
      { numRuns: 120 },
    );
  });

  it('renaming channels renames the credits (deterministic models)', () => {
    const rename = (c: string): string => `zz_${c.split('').reverse().join('')}`;
    fc.assert(
      fc.property(journeysArb(), fc.boolean(), (journeys, reverse) => {
        const models = ALL.filter((m) => typeof m === 'string' || m.name !== 'shapley_sampled').map((m) =>
          m === 'last_non_direct' ? { model: 'last_non_direct' as const, directChannels: ['direct', rename('direct')] } : m,
        );
        const a = compareModels(journeys, { models: [...models] });
        const renamed = journeys.map((j) => ({ ...j, channels: j.channels.map(rename) }));
        const b = compareModels(reverse ? renamed.reverse() : renamed, { models: [...models] });
        a.models.forEach((m, i) => {
          for (const x of m.channels) {
            const y = credit(b.models[i]!, rename(x.channel));
            expect(relClose(x.conversions, y.conversions), `${m.model} ${x.channel}`).toBe(true);
            expect(relClose(x.value, y.value)).toBe(true);
          }
        });
      }),
      { numRuns: 80 },
    );
  });

  it('a channel seen only in non-converting journeys gets 0 from rule-based models and from Shapley', () => {
    fc.assert(
      fc.property(journeysArb({ channels: ['display', 'email', 'search'] }), fc.array(fc.integer({ min: 0, max: 5 }), { minLength: 1, maxLength: 5 }), (journeys, spots) => {
        const withGhost = journeys.map((j, i): Journey => {
          if (j.converted || !spots.includes(i % 6)) return j;
          return { ...j, channels: [...j.channels, 'ghost'], times: [...j.times, (j.times[j.times.length - 1] ?? 0) + 1] };
        });
        const c = compareModels(withGhost, { models: [...RULES, 'shapley', { model: 'shapley', name: 'sampled', maxExactChannels: 1, samples: 50 }] });
        for (const m of c.models) {
          expect(credit(m, 'ghost').conversions).toBe(0);
          expect(credit(m, 'ghost').value).toBe(0);
        }
      }),
      { numRuns: 80 },
    );
  });

  it('Shapley: exact equals the unanimity-game closed form Σ_{T∋i} w(T)/|T|, is symmetric, and sampling agrees within its error', () => {
    fc.assert(
      fc.property(journeysArb({ channels: ['a', 'b', 'c', 'd', 'e'] }), (base) => {
        // Mirror every journey with a and b swapped: a and b become symmetric players.
        const swap = (c: string): string => (c === 'a' ? 'b' : c === 'b' ? 'a' : c);
        const journeys = [...base, ...base.map((j) => ({ ...j, channels: j.channels.map(swap) }))];
        const c = compareModels(journeys, { models: ['shapley', { model: 'shapley', name: 'sampled', maxExactChannels: 1, samples: 400, seed: 3 }] });
        const exact = c.models[0]!;
        const oracle = new Map<string, number>();
        for (const j of journeys) {
          if (!j.converted || j.channels.length === 0) continue;
          const set = [...new Set(j.channels)];
          for (const ch of set) oracle.set(ch, (oracle.get(ch) ?? 0) + 1 / set.length);
        }
        for (const x of exact.channels) expect(relClose(x.conversions, oracle.get(x.channel) ?? 0)).toBe(true);
        expect(relClose(credit(exact, 'a').conversions, credit(exact, 'b').conversions)).toBe(true);
        expect(relClose(credit(exact, 'a').value, credit(exact, 'b').value)).toBe(true);
        const sampled = c.models[1]!;
        expect(sampled.shapley?.method).toBe(sampled.shapley!.players > 1 ? 'sampled' : 'exact');
        if (sampled.shapley!.method === 'exact') return;
        for (const x of sampled.channels) {
          const se = sampled.shapley!.standardErrors![x.channel]!.conversions;
          expect(Math.abs(x.conversions - credit(exact, x.channel).conversions)).toBeLessThanOrEqual(6 * se + 1e-9);
        }
      }),
      { numRuns: 60 },
    );
  });

  it('Markov removal effects equal a brute-force absorbing-chain inversion (orders 1–4, paths longer than the order)', () => {
    fc.assert(
      fc.property(journeysArb({ channels: ['a', 'b', 'c', 'd'], maxTouches: 7, maxJourneys: 20 }), fc.integer({ min: 1, max: 4 }), (journeys, order) => {
        const r = compareModels(journeys, { models: [{ model: 'markov', order }] }).models[0]!;
        const brute = bruteForceMarkov(journeys, order);
        expect(relClose(r.markov!.conversionProbability, brute.p, 1e-9)).toBe(true);
        for (const ch of Object.keys(brute.effects)) expect(relClose(r.markov!.removalEffects[ch]!, brute.effects[ch]!, 1e-8), `${ch}`).toBe(true);
      }),
      { numRuns: 80 },
    );
  });

  it('statistics of shards merge (also through JSON) into the single-pass result', () => {
    fc.assert(
      fc.property(journeysArb({ withUnattributed: true }), fc.array(fc.integer({ min: 0, max: 3 }), { minLength: 1, maxLength: 60 }), (journeys, assign) => {
        const config = { models: [...ALL] };
        const single = computeAttribution(collectStatistics(journeys, config));
        const shards = [0, 1, 2, 3].map(() => createStatistics(config));
        journeys.forEach((j, i) => shards[assign[i % assign.length]!]!.add(j));
        const merged = statisticsFromJSON(JSON.parse(JSON.stringify(shards[0]!.toJSON())), config).merge(shards[1]!).merge(shards[2]!.toJSON()).merge(shards[3]!);
        expectSameComparison(computeAttribution(merged), single);
      }),
      { numRuns: 60 },
    );
  });
});

function expectSameComparison(a: AttributionComparison, b: AttributionComparison): void {
  expect(a.channels).toEqual(b.channels);
  expect(a.totals.conversions).toBe(b.totals.conversions);
  expect(a.unattributed.conversions).toBe(b.unattributed.conversions);
  a.models.forEach((m, i) => {
    m.channels.forEach((x, k) => {
      const y = b.models[i]!.channels[k]!;
      expect(relClose(x.conversions, y.conversions), `${m.model} ${x.channel}`).toBe(true);
      expect(relClose(x.value, y.value), `${m.model} ${x.channel} value`).toBe(true);
    });
  });
}

/**
 * Independent Markov: string states, explicit fundamental matrix N = (I − Q)^−1 by Gauss–Jordan, absorption
 * B = N·R; removal by redirecting transitions into states containing the channel to null.
 */
function bruteForceMarkov(journeys: ReadonlyArray<Journey>, order: number): { p: number; effects: Record<string, number> } {
  const counts = new Map<string, Map<string, number>>();
  const add = (from: string, to: string): void => {
    const row = counts.get(from) ?? new Map<string, number>();
    counts.set(from, row);
    row.set(to, (row.get(to) ?? 0) + 1);
  };
  const channels = new Set<string>();
  for (const j of journeys) {
    if (j.channels.length === 0) continue;
    let prev = '<start>';
    j.channels.forEach((c, i) => {
      channels.add(c);
      const state = j.channels.slice(Math.max(0, i - order + 1), i + 1).join('>');
      add(prev, state);
      prev = state;
    });
    add(prev, j.converted ? '<conv>' : '<null>');
  }
  const solve = (removed: string | null): number => {
    const states = [...counts.keys()].filter((s) => removed === null || s === '<start>' || !s.split('>').includes(removed));
    const ix = new Map(states.map((s, i) => [s, i]));
    const n = states.length;
    const m = states.map((_, i) => states.map((__, k) => (i === k ? 1 : 0)));
    const r = states.map(() => 0);
    states.forEach((s, i) => {
      const row = counts.get(s)!;
      const out = [...row.values()].reduce((a, b) => a + b, 0);
      for (const [t, c] of row) {
        if (t === '<conv>') r[i]! += c / out;
        else if (ix.has(t)) m[i]![ix.get(t)!]! -= c / out;
      }
    });
    // Gauss–Jordan inverse of (I − Q).
    const inv = states.map((_, i) => states.map((__, k) => (i === k ? 1 : 0)));
    for (let c = 0; c < n; c++) {
      let p = c;
      for (let k = c + 1; k < n; k++) if (Math.abs(m[k]![c]!) > Math.abs(m[p]![c]!)) p = k;
      [m[c], m[p]] = [m[p]!, m[c]!];
      [inv[c], inv[p]] = [inv[p]!, inv[c]!];
      const d = m[c]![c]!;
      for (let k = 0; k < n; k++) {
        m[c]![k]! /= d;
        inv[c]![k]! /= d;
      }
      for (let rr = 0; rr < n; rr++) {
        if (rr === c) continue;
        const f = m[rr]![c]!;
        if (f === 0) continue;
        for (let k = 0; k < n; k++) {
          m[rr]![k]! -= f * m[c]![k]!;
          inv[rr]![k]! -= f * inv[c]![k]!;
        }
      }
    }
    const s0 = ix.get('<start>')!;
    return inv[s0]!.reduce((acc: number, v: number, k: number) => acc + v * r[k]!, 0);
  };
  const p = solve(null);
  const effects: Record<string, number> = {};
  for (const c of channels) effects[c] = p > 0 ? Math.max(0, 1 - solve(c) / p) : 0;
  return { p, effects };
}
