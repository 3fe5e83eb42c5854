import * as z from 'zod/mini';
import { intSchema, gteCheck, lteCheck, maxLengthCheck, numberSchema, stringSchema } from '../core/zod.js';
import { parseWith, inputError } from '../core/errors.js';
import { uniformRng } from '../core/random.js';
import { attributePathSchema, type SegmentRule } from '../segments/dsl.js';
import type { InsightsErrorCode } from './errors.js';

/**
 * Personas: k-prototypes clustering (Huang 1998) of people described by numeric and categorical features —
 * k-means on z-scored numbers plus a mismatch cost on categories — seeded with k-means++ from the core's seeded
 * generator, so the same input and seed give the same personas. Written here (≈200 lines) rather than taken
 * from npm: the clustering packages found mix numbers and categories poorly, are unseeded, or would be a new
 * runtime dependency, which the library restricts.
 */

/** One person's features: numbers (orders, revenue, days since last visit) and categories (preferred channel). */
export interface PersonaInput {
  readonly subjectId: string;
  readonly features: Readonly<Record<string, number | string>>;
}

/**
 * Schema of the persona options: `k` clusters, the `seed`, the weight of a category mismatch against one
 * standard deviation of a number (`categoryWeight`), the attribute prefix the exported segment rules read the
 * features under (`'features.'` → `features.orders`), and how many distinguishing features a description names.
 *
 * @example
 * ```ts
 * personaOptionsSchema.parse({ k: 4, seed: 7 });
 * ```
 */
export const personaOptionsSchema = /* @__PURE__ */ (() => z.strictObject({
    k: intSchema().check(gteCheck(1), lteCheck(50)),
    seed: z._default(intSchema(), 1),
    maxIterations: z._default(intSchema().check(gteCheck(1), lteCheck(1000)), 100),
    categoryWeight: z._default(numberSchema().check(gteCheck(0)), 1),
    attributePrefix: z._default(stringSchema().check(maxLengthCheck(128)), ''),
    describeTop: z._default(intSchema().check(gteCheck(1), lteCheck(10)), 3),
  }))();

/** Persona options as a caller writes them. */
export type PersonaOptionsInput = z.input<typeof personaOptionsSchema>;

/** One distinguishing feature of a persona. */
export interface PersonaTrait {
  readonly feature: string;
  /** Numbers: (cluster mean − overall mean) ÷ overall standard deviation; categories: share in the cluster ÷ share overall − 1. */
  readonly effect: number;
  readonly text: string;
}

/** A persona: its members, centre, traits in plain words, and a segment rule approximating membership. */
export interface Persona {
  readonly id: number;
  readonly name: string;
  readonly size: number;
  readonly share: number;
  readonly members: ReadonlyArray<string>;
  /** Mean of each numeric feature, most frequent value of each category. */
  readonly centre: Readonly<Record<string, number | string>>;
  readonly traits: ReadonlyArray<PersonaTrait>;
  readonly description: string;
  /** A rule of the segments language over the distinguishing features (5th–95th percentile ranges, modes). */
  readonly rule: SegmentRule;
  /** Of the people the rule selects, the share in this persona; of the persona, the share the rule selects. */
  readonly rulePrecision: number;
  readonly ruleRecall: number;
}

const fmt = (v: number): string => (Math.abs(v) >= 100 ? v.toFixed(0) : Math.abs(v) >= 10 ? v.toFixed(1) : v.toFixed(2));

/**
 * Clusters people into `k` personas and describes each in plain words.
 *
 * @example
 * ```ts
 * const personas = findPersonas(
 *   [
 *     { subjectId: 'a', features: { orders: 12, revenue: 900, channel: 'email' } },
 *     { subjectId: 'b', features: { orders: 1, revenue: 20, channel: 'social' } },
 *   ],
 *   { k: 2, seed: 7 },
 * );
 * personas[0]?.description; // 'Persona 1 (1 people, 50%): much higher orders (12 vs 6.50), …'
 * ```
 */
export function findPersonas(people: ReadonlyArray<PersonaInput>, options: PersonaOptionsInput): Persona[] {
  const o = parseWith(personaOptionsSchema, options, 'CONFIG_INVALID');
  if (!Array.isArray(people) || people.length === 0) throw inputError('Expected a non-empty array of people', []);
  // Feature kinds from the first person; every person must have the same features with the same kinds.
  const first = people[0];
  if (typeof first !== 'object' || first === null || typeof first.features !== 'object' || first.features === null) {
    throw inputError('Expected { subjectId, features }', [0]);
  }
  const names = Object.keys(first.features).sort();
  for (const n of names) parseWith(attributePathSchema, o.attributePrefix + n, 'INPUT_INVALID' as InsightsErrorCode, [0, 'features', n]);
  const numeric = names.filter((n) => typeof first.features[n] === 'number');
  const categorical = names.filter((n) => typeof first.features[n] === 'string');
  const N = people.length;
  const num = numeric.map(() => new Float64Array(N));
  const cat = categorical.map(() => new Array<string>(N));
  // Every index, holes included (forEach would skip a hole and leave its person unfilled).
  for (let i = 0; i < N; i++) {
    const p = people[i]!;
    if (typeof p !== 'object' || p === null || typeof p.subjectId !== 'string' || typeof p.features !== 'object' || p.features === null) {
      throw inputError('Expected { subjectId, features }', [i]);
    }
    numeric.forEach((n, j) => {
      const v = p.features[n];
      if (typeof v !== 'number' || !Number.isFinite(v)) throw inputError(`Feature ${n} must be a finite number`, [i, 'features', n]);
      num[j]![i] = v;
    });
    categorical.forEach((n, j) => {
      const v = p.features[n];
      if (typeof v !== 'string') throw inputError(`Feature ${n} must be a string`, [i, 'features', n]);
      cat[j]![i] = v;
    });
  }
  const mean = num.map((col) => col.reduce((s, v) => s + v, 0) / N);
  const sd = num.map((col, j) => Math.sqrt(col.reduce((s, v) => s + (v - mean[j]!) ** 2, 0) / N) || 1);
  const z = num.map((col, j) => Float64Array.from(col, (v) => (v - mean[j]!) / sd[j]!));
  const k = Math.min(o.k, N);

  const dist = (i: number, cz: Float64Array, cc: string[]): number => {
    let d = 0;
    for (let j = 0; j < z.length; j++) d += (z[j]![i]! - cz[j]!) ** 2;
    for (let j = 0; j < cat.length; j++) if (cat[j]![i] !== cc[j]) d += o.categoryWeight;
    return d;
  };
  // k-means++ seeding.
  const rng = uniformRng(o.seed);
  const centresZ: Float64Array[] = [];
  const centresC: string[][] = [];
  const pick = (i: number): void => {
    centresZ.push(Float64Array.from(z, (col) => col[i]!));
    centresC.push(cat.map((col) => col[i]!));
  };
  pick(rng.int(N));
  const d2 = new Float64Array(N).fill(Infinity);
  while (centresZ.length < k) {
    let total = 0;
    const c = centresZ.length - 1;
    for (let i = 0; i < N; i++) {
      d2[i] = Math.min(d2[i]!, dist(i, centresZ[c]!, centresC[c]!));
      total += d2[i]!;
    }
    let target = rng.next() * total;
    let chosen = N - 1;
    for (let i = 0; i < N; i++) {
      target -= d2[i]!;
      if (target < 0) {
        chosen = i;
        break;
      }
    }
    pick(chosen);
  }
  // Lloyd iterations with mode updates for categories.
  const assign = new Int32Array(N).fill(-1);
  for (let it = 0; it < o.maxIterations; it++) {
    let changed = false;
    for (let i = 0; i < N; i++) {
      let best = 0;
      let bd = Infinity;
      for (let c = 0; c < k; c++) {
        const d = dist(i, centresZ[c]!, centresC[c]!);
        if (d < bd) [bd, best] = [d, c];
      }
      if (assign[i] !== best) {
        assign[i] = best;
        changed = true;
      }
    }
    if (!changed) break;
    for (let c = 0; c < k; c++) {
      const idx: number[] = [];
      for (let i = 0; i < N; i++) if (assign[i] === c) idx.push(i);
      if (idx.length === 0) continue; // an empty cluster keeps its centre
      for (let j = 0; j < z.length; j++) centresZ[c]![j] = idx.reduce((s, i) => s + z[j]![i]!, 0) / idx.length;
      for (let j = 0; j < cat.length; j++) centresC[c]![j] = modeOf(idx.map((i) => cat[j]![i]!))[0];
    }
  }

  const overallShare = cat.map((col) => shares(col));
  const clusters = Array.from({ length: k }, (_, c) => c)
    .map((c) => ({ c, idx: [...assign.keys()].filter((i) => assign[i] === c) }))
    .filter((x) => x.idx.length > 0)
    .sort((a, b) => b.idx.length - a.idx.length || a.c - b.c);
  return clusters.map(({ idx }, rank) => {
    const traits: PersonaTrait[] = [];
    // Entries, then fromEntries: a feature named `__proto__` (JSON.parse makes one) stays a key of the centre.
    const centre: Array<[string, number | string]> = [];
    const clauses: Array<{ feature: string; effect: number; rule: SegmentRule; test: (i: number) => boolean }> = [];
    numeric.forEach((n, j) => {
      const vals = idx.map((i) => num[j]![i]!).sort((a, b) => a - b);
      const m = vals.reduce((s, v) => s + v, 0) / vals.length;
      centre.push([n, m]);
      const effect = (m - mean[j]!) / sd[j]!;
      const word = effect >= 1 ? 'much higher' : effect >= 0.3 ? 'higher' : effect <= -1 ? 'much lower' : effect <= -0.3 ? 'lower' : 'average';
      traits.push({ feature: n, effect, text: `${word} ${n} (${fmt(m)} vs ${fmt(mean[j]!)})` });
      const lo = quantileSorted(vals, 0.05);
      const hi = quantileSorted(vals, 0.95);
      clauses.push({ feature: n, effect: Math.abs(effect), rule: { attr: o.attributePrefix + n, op: 'between', value: [lo, hi] }, test: (i) => num[j]![i]! >= lo && num[j]![i]! <= hi });
    });
    categorical.forEach((n, j) => {
      const [mode, count] = modeOf(idx.map((i) => cat[j]![i]!));
      centre.push([n, mode]);
      const share = count / idx.length;
      const base = overallShare[j]!.get(mode) ?? 0;
      const effect = base === 0 ? 0 : share / base - 1;
      traits.push({ feature: n, effect, text: `mostly ${n} = ${mode} (${Math.round(share * 100)}% vs ${Math.round(base * 100)}% overall)` });
      clauses.push({ feature: n, effect: Math.abs(effect), rule: { attr: o.attributePrefix + n, op: 'eq', value: mode }, test: (i) => cat[j]![i] === mode });
    });
    traits.sort((a, b) => Math.abs(b.effect) - Math.abs(a.effect) || (a.feature < b.feature ? -1 : 1));
    const top = traits.slice(0, o.describeTop);
    const used = clauses.sort((a, b) => b.effect - a.effect || (a.feature < b.feature ? -1 : 1)).slice(0, o.describeTop);
    const members = new Set(idx);
    let selected = 0;
    let hits = 0;
    for (let i = 0; i < N; i++) {
      if (used.every((u) => u.test(i))) {
        selected++;
        if (members.has(i)) hits++;
      }
    }
    const id = rank + 1;
    return {
      id,
      name: `Persona ${id}: ${top[0]?.text.replace(/ \(.*$/, '') ?? 'everyone'}`,
      size: idx.length,
      share: idx.length / N,
      members: idx.map((i) => people[i]!.subjectId),
      centre: Object.fromEntries(centre),
      traits,
      description: `Persona ${id} (${idx.length} people, ${Math.round((idx.length / N) * 100)}%): ${top.map((t) => t.text).join(', ')}`,
      rule: used.length === 1 ? used[0]!.rule : { and: used.map((u) => u.rule) },
      rulePrecision: selected === 0 ? 0 : hits / selected,
      ruleRecall: hits / idx.length,
    };
  });
}

function modeOf(values: ReadonlyArray<string>): [string, number] {
  const m = new Map<string, number>();
  for (const v of values) m.set(v, (m.get(v) ?? 0) + 1);
  let best = '';
  let n = -1;
  for (const [v, c] of m) if (c > n || (c === n && v < best)) [best, n] = [v, c];
  return [best, n];
}

function shares(values: ReadonlyArray<string>): Map<string, number> {
  const m = new Map<string, number>();
  for (const v of values) m.set(v, (m.get(v) ?? 0) + 1 / values.length);
  return m;
}

function quantileSorted(sorted: ReadonlyArray<number>, q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.floor(q * (sorted.length - 1))))]!;
}
