import { describe, expect, it } from 'vitest';
import { estimateMatchParameters } from './em.js';
import { parseMatchModel, scorePair, type MatchModelInput, type MatchRecord } from './match.js';

/**
 * Oracle: the textbook EM of Fellegi–Sunter (Winkler 1988; Splink's "u fixed, m and λ by EM"), pair by pair with
 * no aggregation, over the comparison levels `scorePair` reports. A missing value is neutral (Splink's null level).
 */
function referenceEm(records: MatchRecord[], input: MatchModelInput, u: Record<string, ReadonlyArray<number>>, iterations: number) {
  const model = parseMatchModel(input);
  const clamp = (x: number) => Math.min(1 - 1e-6, Math.max(1e-6, x));
  const vectors: number[][] = [];
  for (let i = 0; i < records.length; i++) {
    for (let j = i + 1; j < records.length; j++) {
      vectors.push(scorePair(records[i]!, records[j]!, model).fields.map((c, f) => (c.level === 'missing' ? -1 : model.fields[f]!.labels.indexOf(c.level))));
    }
  }
  const uu = model.fields.map((f) => u[f.name]!);
  const m = model.fields.map((f) => [...f.m]);
  const posterior = (v: number[], lambda: number) => {
    let pm = lambda;
    let pu = 1 - lambda;
    v.forEach((l, f) => {
      if (l >= 0) {
        pm *= m[f]![l]!;
        pu *= uu[f]![l]!;
      }
    });
    return pm / (pm + pu);
  };
  const run = (updateM: boolean) => {
    let lambda = model.lambda;
    for (let it = 0; it < iterations; it++) {
      const g = vectors.map((v) => posterior(v, lambda));
      lambda = clamp(g.reduce((a, b) => a + b, 0) / vectors.length);
      if (!updateM) continue;
      model.fields.forEach((field, f) => {
        const num = field.labels.map((_, l) => vectors.reduce((s, v, k) => s + (v[f] === l ? g[k]! : 0), 0));
        const sum = num.reduce((a, b) => a + b, 0);
        if (sum > 0) m[f] = num.map((x) => clamp(x / sum));
      });
    }
    return lambda;
  };
  run(true);
  return { m: Object.fromEntries(model.fields.map((f, i) => [f.name, m[i]!])), lambda: run(false) };
}

describe('estimateMatchParameters against the textbook EM', () => {
  // One blocking key outside the model's fields: one EM session over every pair, all fields estimated.
  const check = (fields: MatchModelInput['fields'], records: MatchRecord[]) => {
    const input: MatchModelInput = { fields, blocking: [['blk']], maxBlockSize: 1000 };
    const iterations = 25;
    const est = estimateMatchParameters(records, parseMatchModel(input), { seed: 5, maxIterations: iterations, tolerance: -1 });
    const ref = referenceEm(records, input, est.u, iterations);
    for (const f of fields) est.m[f.name]!.forEach((x, l) => expect(x).toBeCloseTo(ref.m[f.name]![l]!, 9));
    // The prior of the model is over all record pairs; here every pair is a candidate.
    expect(est.pairs).toBe((records.length * (records.length - 1)) / 2);
    expect(est.lambda).toBeCloseTo(ref.lambda, 9);
  };

  it('agrees on a small model, missing values included', () => {
    const names = ['ann lee', 'anne lee', 'bob ray', 'rob ray', 'cy twombly', null];
    const records = Array.from({ length: 24 }, (_, i) => ({
      id: `r${i}`,
      values: { blk: 'x', name: names[(i * 7) % 6]!, dob: i % 5 === 0 ? null : `199${i % 4}-01-0${1 + (i % 3)}`, city: ['paris', 'lyon', 'nice'][i % 3]! },
    }));
    check([{ name: 'name', comparison: { kind: 'jaroWinkler' } }, { name: 'dob', comparison: { kind: 'date', thresholdDays: [1, 400] } }, { name: 'city', comparison: { kind: 'exact' } }], records);
  });

  it('keeps comparison vectors apart with 15 fields (their key was a base-16 number past 2^53: vectors merged, m left at its start)', () => {
    const fields = Array.from({ length: 15 }, (_, i) => ({ name: `f${i}`, comparison: { kind: 'exact' as const } }));
    const records = Array.from({ length: 30 }, (_, i) => ({
      id: `r${i}`,
      values: { blk: 'x', ...Object.fromEntries(fields.map((f, k) => [f.name, k < 12 ? 'same' : String((i * (k + 1)) % 3)])) },
    }));
    check(fields, records);
  });

  it('keeps comparison vectors apart with 16 levels or more in a field (a level carried into the next field)', () => {
    const thresholds = Array.from({ length: 15 }, (_, i) => i + 1);
    const records = Array.from({ length: 30 }, (_, i) => ({ id: `r${i}`, values: { blk: 'x', a: String(i % 2), b: 'x'.repeat(1 + ((i * 5) % 19)) } }));
    check([{ name: 'a', comparison: { kind: 'exact' } }, { name: 'b', comparison: { kind: 'levenshtein', thresholds } }], records);
  });
});
