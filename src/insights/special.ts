/**
 * Special functions for the customer-value models: log-gamma (shared with the experiments' distributions, in
 * src/core/special.ts), digamma and the Gauss hypergeometric function ₂F₁ by its power series.
 */

export { lgamma } from '../core/special.js';

/**
 * ₂F₁(a, b; c; z) for |z| < 1 by its power series (terms until they stop changing the sum). The BG/NBD
 * conditional expectation evaluates it at z = t / (α + T + t), well inside the disc for usual horizons.
 *
 * For instance:
 *   hyp2f1(1, 1, 2, 0.5); // −ln(0.5) / 0.5 ≈ 1.3862944
 */
export function hyp2f1(a: number, b: number, c: number, z: number): number {
  if (!(Math.abs(z) < 1)) return Number.NaN;
  let term = 1;
  let sum = 1;
  for (let n = 0; n < 1_000_000; n++) {
    term *= ((a + n) * (b + n) * z) / ((c + n) * (n + 1));
    sum += term;
    if (Math.abs(term) <= 1e-16 * Math.abs(sum)) break;
  }
  return sum;
}

/** ln(e^x + e^y) without overflow. */
export function logAddExp(x: number, y: number): number {
  if (x === -Infinity) return y;
  if (y === -Infinity) return x;
  return x > y ? x + Math.log1p(Math.exp(y - x)) : y + Math.log1p(Math.exp(x - y));
}

/**
 * Digamma ψ(x) = d/dx ln Γ(x) for x > 0: recurrence up to x ≥ 6, then the asymptotic series.
 *
 * For instance:
 *   digamma(1); // −0.5772156649 (minus the Euler–Mascheroni constant)
 */
export function digamma(x: number): number {
  let r = 0;
  while (x < 6) {
    r -= 1 / x;
    x += 1;
  }
  const f = 1 / (x * x);
  return r + Math.log(x) - 0.5 / x - f * (1 / 12 - f * (1 / 120 - f * (1 / 252 - f * (1 / 240 - f / 132))));
}
