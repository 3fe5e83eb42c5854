/**
 * Special functions for the customer-value models: log-gamma (shared with the experiments' distributions, in
 * src/core/special.ts), digamma and the Gauss hypergeometric function ₂F₁ by its power series.
 */

export { lgamma } from '../core/special.js';

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
