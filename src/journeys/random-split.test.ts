import { describe, expect, it } from 'vitest';
import { advance } from './advance.js';
import { parseJourney } from './compile.js';
import { startInstance } from './instance.js';

/** Two random splits in a row; each person's pair of arms. */
function twoSplits(w1: number[], w2: number[], salts: [string | undefined, string | undefined], id = 'j') {
  const arm = (salt: string | undefined, w: number[], prefix: string, next: string) => ({
    type: 'randomSplit' as const,
    ...(salt === undefined ? {} : { salt }),
    arms: w.map((weight, i) => ({ id: `${prefix}${i}`, weight, next })),
  });
  const j = parseJourney({ id, version: 1, entry: { on: 'manual' }, start: 'r1', steps: { r1: arm(salts[0], w1, 'a', 'r2'), r2: arm(salts[1], w2, 'b', 'e'), e: { type: 'end' } } });
  return (subjectId: string, at = 0): [number, number] => {
    const arms = advance(j, startInstance(j, subjectId, at), {}, at).trace.filter((t) => t.code === 'JOURNEY_SPLIT').map((t) => Number(String(t.detail!.arm).slice(1)));
    return [arms[0]!, arms[1]!];
  };
}

/** |observed − expected| within 5 binomial standard deviations. */
function withinBinomial(observed: number, n: number, p: number): boolean {
  return Math.abs(observed - n * p) <= 5 * Math.sqrt(n * p * (1 - p));
}

describe('randomSplit', () => {
  it('gives independent arms in two splits with other salts (FNV-1a modulo the weights made them one choice)', () => {
    for (const [w1, w2] of [[[1, 1], [1, 1]], [[1, 9], [1, 1]], [[1, 1, 1, 1], [1, 1, 1, 1]]] as const) {
      const pick = twoSplits([...w1], [...w2], ['holdout', 'subject-line']);
      const n = 20_000;
      const cells = w1.map(() => w2.map(() => 0));
      for (let i = 0; i < n; i++) {
        const [a, b] = pick(`user-${i}`);
        cells[a]![b]!++;
      }
      const t1 = w1.reduce((s, x) => s + x, 0);
      const t2 = w2.reduce((s, x) => s + x, 0);
      w1.forEach((x, a) => w2.forEach((y, b) => expect(withinBinomial(cells[a]![b]!, n, (x / t1) * (y / t2)), `${JSON.stringify([w1, w2])} cell ${a}/${b}: ${cells[a]![b]}`).toBe(true)));
    }
  });

  it('shares the people by weight', () => {
    const pick = twoSplits([3, 5, 2], [1], [undefined, undefined]);
    const n = 20_000;
    const counts = [0, 0, 0];
    for (let i = 0; i < n; i++) counts[pick(`${(i * 2654435761) >>> 0}`)[0]]!++;
    [0.3, 0.5, 0.2].forEach((p, a) => expect(withinBinomial(counts[a]!, n, p), `arm ${a}: ${counts[a]}`).toBe(true));
  });

  it('is deterministic: the same person takes the same arm on every entry, and a shared salt gives the same arm', () => {
    const pick = twoSplits([1, 1, 1], [1, 1, 1], ['promo', 'promo']);
    for (let i = 0; i < 200; i++) {
      const first = pick(`p${i}`, 0);
      expect(pick(`p${i}`, 86_400_000 * 90)).toEqual(first);
      expect(first[0]).toBe(first[1]);
    }
  });
});
