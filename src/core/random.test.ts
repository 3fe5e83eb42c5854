import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import jStat from 'jstat';
import { betaVariate, createRng, fnv1a, gammaVariate, uniformRng } from './random.js';
import { sha256Hex, saltedSha256Hex } from './hash.js';

describe('seeded generator', () => {
  it('same seed → same sequence; state resumes it', () => {
    fc.assert(
      fc.property(fc.oneof(fc.integer(), fc.string()), (seed) => {
        const a = createRng(seed);
        const b = createRng(seed);
        for (let i = 0; i < 5; i++) expect(a.next()).toBe(b.next());
        const c = createRng(a.state());
        expect(c.next()).toBe(a.next());
      }),
    );
  });

  it('keeps its sequence (values of the generator before uniformRng was split out of it)', () => {
    const r = createRng(42);
    expect([r.next(), r.int(1000), r.normal(), r.normal(), r.next(), r.state()]).toEqual([0.6606157226487994, 126, 0.8308018983638238, -1.9218767357296727, 0.07910565007477999, [1824647166, 603999424, 1022928101, 1623123832]]);
    const s = createRng('seed');
    expect([s.next(), s.int(10), s.state()]).toEqual([0.30900401109829545, 7, [4278921015, 1377310873, 3765863678, 3313312368]]);
  });

  it('uniformRng draws what createRng draws, and resumes from the same state', () => {
    fc.assert(
      fc.property(fc.oneof(fc.integer(), fc.string(), fc.tuple(fc.integer(), fc.integer(), fc.integer(), fc.integer())), fc.integer({ min: 1, max: 1000 }), (seed, n) => {
        const a = createRng(seed);
        const b = uniformRng(seed);
        for (let i = 0; i < 5; i++) expect([b.next(), b.int(n)]).toEqual([a.next(), a.int(n)]);
        expect(b.state()).toEqual(a.state());
      }),
    );
    expect(() => uniformRng({} as never)).toThrow(expect.objectContaining({ code: 'INPUT_INVALID', path: 'seed' }));
  });

  it('draws in range and roughly uniform', () => {
    const rng = createRng(7);
    const counts = new Array(10).fill(0);
    for (let i = 0; i < 100_000; i++) {
      const x = rng.next();
      expect(x >= 0 && x < 1).toBe(true);
      counts[rng.int(10)]++;
    }
    for (const c of counts) expect(Math.abs(c - 10_000)).toBeLessThan(500);
    let sum = 0;
    let sq = 0;
    for (let i = 0; i < 20_000; i++) {
      const z = rng.normal();
      sum += z;
      sq += z * z;
    }
    expect(Math.abs(sum / 20_000)).toBeLessThan(0.05);
    expect(Math.abs(sq / 20_000 - 1)).toBeLessThan(0.05);
  });

  it('fnv1a is the reference FNV-1a', () => {
    expect(fnv1a('')).toBe(0x811c9dc5);
    expect(fnv1a('a')).toBe(0xe40c292c);
  });
});

describe('sha256 (Web Crypto)', () => {
  it('matches known vectors', async () => {
    expect(await sha256Hex('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    expect(await saltedSha256Hex('s', 'abc')).toBe(await sha256Hex('s:abc'));
  });
});

// jStat's published types leave out the distributions it has beyond normal, Student t and chi-square.
const dist = jStat as unknown as { gamma: { cdf(x: number, shape: number, scale: number): number }; beta: { cdf(x: number, a: number, b: number): number } };

/** Kolmogorov–Smirnov distance between a sample and a CDF. */
/** The double just below `v` (for v ≥ 0; −MIN_VALUE below 0). */
function prevDouble(v: number): number {
  if (v === 0) return -Number.MIN_VALUE;
  const f = new Float64Array([v]);
  const bits = new BigInt64Array(f.buffer);
  bits[0]! -= 1n;
  return f[0]!;
}

/**
 * The Kolmogorov–Smirnov distance between a sample of doubles and a CDF, ties counted once: equal values are
 * one step of the empirical CDF, compared with F at the value and with F just below it (the previous double).
 * A variate whose true value is closer to 1 than a double can be (Beta(40, 0.1) puts ≈ 3 % of its mass within
 * 1e-16 of 1) is 1; counting each such tie as its own step would charge the sampler for that rounding.
 */
function ksDistance(sample: number[], cdf: (x: number) => number): number {
  const xs = [...sample].sort((a, b) => a - b);
  const n = xs.length;
  let d = 0;
  for (let i = 0; i < n; ) {
    let j = i;
    while (j + 1 < n && xs[j + 1] === xs[i]) j++;
    const v = xs[i]!;
    d = Math.max(d, Math.abs((j + 1) / n - cdf(v)), Math.abs(cdf(prevDouble(v)) - i / n));
    i = j + 1;
  }
  return d;
}

describe('Gamma and Beta variates', () => {
  // The oracle is jStat's CDFs (an independent implementation); the bound is the KS test's critical value at
  // α = 0.001 (1.95 / √n). A sampler off by a shape or a rate, or boosting wrongly below shape 1, misses by far more.
  const N = 4000;
  const CRITICAL = 1.95 / Math.sqrt(N);

  it('gammaVariate follows Gamma(shape, rate), below and above shape 1', () => {
    fc.assert(
      fc.property(fc.integer(), fc.double({ min: 0.05, max: 40, noNaN: true }), fc.double({ min: 0.01, max: 100, noNaN: true }), (seed, shape, rate) => {
        const rng = createRng(seed);
        const xs = Array.from({ length: N }, () => gammaVariate(rng, shape, rate));
        expect(xs.every((x) => x >= 0 && Number.isFinite(x))).toBe(true);
        expect(ksDistance(xs, (x) => (x <= 0 ? 0 : dist.gamma.cdf(x, shape, 1 / rate)))).toBeLessThan(CRITICAL);
      }),
      { numRuns: 15, seed: 2026 },
    );
  });

  it('betaVariate follows Beta(α, β) and stays in [0, 1]', () => {
    fc.assert(
      fc.property(fc.integer(), fc.double({ min: 0.1, max: 80, noNaN: true }), fc.double({ min: 0.1, max: 80, noNaN: true }), (seed, a, b) => {
        const rng = createRng(seed);
        const xs = Array.from({ length: N }, () => betaVariate(rng, a, b));
        expect(xs.every((x) => x >= 0 && x <= 1)).toBe(true);
        expect(ksDistance(xs, (x) => (x <= 0 ? 0 : x >= 1 ? 1 : dist.beta.cdf(x, a, b)))).toBeLessThan(CRITICAL);
      }),
      { numRuns: 15, seed: 2026 },
    );
  });

  it('betaVariate(40, 0.1) follows Beta: its values rounded to 1 are one step of the sample, not a misfit', () => {
    const rng = createRng(11);
    const xs = Array.from({ length: N }, () => betaVariate(rng, 40, 0.1));
    // ≈ 3 % of Beta(40, 0.1) lies within 1e-16 of 1: those draws are exactly 1 as doubles.
    expect(xs.filter((x) => x === 1).length).toBeGreaterThan(N * 0.01);
    expect(ksDistance(xs, (x) => (x >= 1 ? 1 : dist.beta.cdf(x, 40, 0.1)))).toBeLessThan(CRITICAL);
  });

  it('the KS check fails a sampler with the wrong rate (the test can fail)', () => {
    const rng = createRng(7);
    const xs = Array.from({ length: N }, () => gammaVariate(rng, 2, 1));
    expect(ksDistance(xs, (x) => dist.gamma.cdf(x, 2, 1 / 1.1))).toBeGreaterThan(CRITICAL);
  });

  it('betaVariate with both shapes so small that both draws underflow answers the mean', () => {
    const rng = createRng(3);
    const xs = Array.from({ length: 200 }, () => betaVariate(rng, 1e-300, 1e-300));
    expect(xs.every((x) => x >= 0 && x <= 1)).toBe(true);
    expect(xs).toContain(0.5);
  });

  it('the same seed gives the same draws (Thompson sampling replays)', () => {
    const a = createRng(11);
    const b = createRng(11);
    for (let i = 0; i < 50; i++) expect(betaVariate(a, 0.5, 3)).toBe(betaVariate(b, 0.5, 3));
  });
});
