import { inputError } from './errors.js';

/**
 * A seeded pseudo-random generator (xoshiro128**, 2^128 − 1 period). Decisions that explore (Thompson
 * sampling) or sample (Shapley permutations) take one of these so that the same seed gives the same result.
 * Never `Math.random` in a module's core.
 */
export interface Rng {
  /** Uniform float in [0, 1). */
  next(): number;
  /** Uniform integer in [0, n). */
  int(n: number): number;
  /** Standard normal variate (Box–Muller). */
  normal(): number;
  /** The generator's state, to resume later with {@link createRng}. */
  state(): [number, number, number, number];
}

/**
 * Creates a seeded generator from a 32-bit integer seed or a string (hashed), or from a saved state.
 *
 * @example
 * ```ts
 * const rng = createRng(42);
 * rng.next(); // same value on every run with seed 42
 * ```
 */
export function createRng(seed: number | string | readonly [number, number, number, number]): Rng {
  const { next, int, state } = uniformRng(seed);
  let spare: number | undefined;
  const normal = (): number => {
    if (spare !== undefined) {
      const s = spare;
      spare = undefined;
      return s;
    }
    let u = 0;
    while (u === 0) u = next();
    const v = next();
    const r = Math.sqrt(-2 * Math.log(u));
    spare = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  };
  return { next, int, normal, state };
}

/**
 * {@link createRng} without `normal()`: the same generator (the same draws for the same seed), for the modules
 * that only draw uniforms (Shapley permutations, EM restarts, persona seeds), so their entries do not carry
 * Box–Muller (`uniformRng(42).next() === createRng(42).next()`). Internal: not exported from the entries.
 */
export function uniformRng(seed: number | string | readonly [number, number, number, number]): Omit<Rng, 'normal'> {
  let a: number, b: number, c: number, d: number;
  if (Array.isArray(seed) ? seed.length !== 4 || !seed.every((x) => typeof x === 'number' && Number.isFinite(x)) : typeof seed !== 'number' && typeof seed !== 'string') {
    throw inputError('seed must be a number, a string or four finite numbers', ['seed']);
  }
  if (Array.isArray(seed)) {
    [a, b, c, d] = seed as [number, number, number, number];
  } else {
    let h = typeof seed === 'number' ? seed >>> 0 : fnv1a(seed as string);
    const sm = (): number => {
      // splitmix32 to spread the seed over the four state words
      h = (h + 0x9e3779b9) >>> 0;
      let z = h;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
      return (z ^ (z >>> 16)) >>> 0;
    };
    a = sm();
    b = sm();
    c = sm();
    d = sm();
  }
  if ((a | b | c | d) === 0) a = 1;
  const nextU32 = (): number => {
    const result = Math.imul(rotl(Math.imul(b, 5) >>> 0, 7), 9) >>> 0;
    const t = (b << 9) >>> 0;
    c ^= a;
    d ^= b;
    b ^= c;
    a ^= d;
    c ^= t;
    d = rotl(d, 11);
    return result;
  };
  return {
    next: () => nextU32() / 4294967296,
    int: (n) => Math.floor((nextU32() / 4294967296) * n),
    state: () => [a >>> 0, b >>> 0, c >>> 0, d >>> 0],
  };
}

/**
 * A Gamma(shape, rate) variate from a seeded generator (Marsaglia & Tsang 2000, with their squeeze test; a shape
 * below 1 is boosted: Gamma(shape + 1) · U^(1/shape)). The one Gamma sampler of the package: Thompson sampling
 * (arbitration, through {@link betaVariate}) and the insights simulations draw from it. Internal: not exported
 * from the entries. `shape` and `rate` are positive finite numbers (the callers check them).
 */
export function gammaVariate(rng: Rng, shape: number, rate = 1): number {
  if (shape < 1) {
    let u = rng.next();
    while (u === 0) u = rng.next();
    return gammaVariate(rng, shape + 1, rate) * Math.pow(u, 1 / shape);
  }
  const d = shape - 1 / 3;
  const c = 1 / Math.sqrt(9 * d);
  for (;;) {
    let x: number;
    let v: number;
    do {
      x = rng.normal();
      v = 1 + c * x;
    } while (v <= 0);
    v = v * v * v;
    const u = rng.next();
    if (u < 1 - 0.0331 * x * x * x * x) return (d * v) / rate;
    if (u > 0 && Math.log(u) < 0.5 * x * x + d * (1 - v + Math.log(v))) return (d * v) / rate;
  }
}

/**
 * A Beta(α, β) variate: X / (X + Y) of two {@link gammaVariate} draws; the mean α / (α + β) when both underflow
 * to 0 (tiny α and β). Internal: not exported from the entries.
 */
export function betaVariate(rng: Rng, alpha: number, beta: number): number {
  const x = gammaVariate(rng, alpha);
  const y = gammaVariate(rng, beta);
  const s = x + y;
  return s > 0 ? x / s : alpha / (alpha + beta);
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}

/**
 * 32-bit FNV-1a hash of a string; a fast, stable, non-cryptographic hash for seeding and tie-breaking.
 *
 * @example
 * ```ts
 * fnv1a('offer-42'); // 32-bit unsigned integer, same on every platform
 * ```
 */
export function fnv1a(text: string): number {
  if (typeof text !== 'string') throw inputError('fnv1a hashes a string', ['text']);
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}
