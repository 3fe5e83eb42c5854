import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createRng, fnv1a } from './random.js';
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
