import { inputError } from '../core/errors.js';
import { betaVariate, gammaVariate, type Rng } from '../core/random.js';
import { checkParams, MAX_FREQUENCY, type BgNbdParams, type CustomerSummary } from './bgnbd.js';
import type { GammaGammaParams, SpendSummary } from './gamma-gamma.js';

/**
 * Seeded simulation of populations from the models' own generative stories, to test recovery of parameters
 * and to benchmark fits without shipping anyone's data.
 */

/**
 * Simulates BG/NBD customers: each has a first purchase at time 0 and is observed for `ages[i]` time units.
 *
 * @example
 * ```ts
 * import { createRng } from 'crosschannel';
 *
 * const customers = simulateBgNbd({ r: 0.243, alpha: 4.414, a: 0.793, b: 2.426 }, [39, 38, 27], createRng(7));
 * ```
 */
export function simulateBgNbd(params: BgNbdParams, ages: ReadonlyArray<number>, rng: Rng): CustomerSummary[] {
  checkParams(params, ['r', 'alpha', 'a', 'b']);
  checkInputs(ages, rng, 'ages', Infinity);
  return ages.map((T) => {
    const lambda = gammaVariate(rng, params.r, params.alpha);
    const p = betaVariate(rng, params.a, params.b);
    let t = 0;
    let x = 0;
    let last = 0;
    for (;;) {
      t += -Math.log(1 - rng.next()) / lambda;
      if (t > T) break;
      // Extreme parameters (a rate of 1e300, a drop-out chance of 1e-300) would buy for ever: refused, not hung.
      if (++x > MAX_FREQUENCY) throw inputError(`A customer would buy over ${MAX_FREQUENCY} times`);
      last = t;
      if (rng.next() < p) break;
    }
    return { frequency: x, recency: last, age: T };
  });
}

/**
 * Adds Gamma-Gamma mean values to customers with repeat purchases (others get 0).
 *
 * @example
 * ```ts
 * import { createRng } from 'crosschannel';
 *
 * const spend = simulateGammaGamma({ p: 6.25, q: 3.74, gamma: 15.44 }, [1, 3, 0], createRng(7));
 * ```
 */
export function simulateGammaGamma(params: GammaGammaParams, frequencies: ReadonlyArray<number>, rng: Rng): SpendSummary[] {
  checkParams(params, ['p', 'q', 'gamma']);
  checkInputs(frequencies, rng, 'frequencies', MAX_FREQUENCY);
  return frequencies.map((x) => {
    if (x === 0) return { frequency: 0, monetaryValue: 0 };
    const nu = gammaVariate(rng, params.q, params.gamma);
    let sum = 0;
    for (let i = 0; i < x; i++) sum += gammaVariate(rng, params.p, nu);
    return { frequency: x, monetaryValue: sum / x };
  });
}

// `max`: the largest value allowed, MAX_FREQUENCY for frequencies (whole numbers: each is a loop's count).
function checkInputs(values: unknown, rng: unknown, name: string, max: number): void {
  if (!Array.isArray(values)) throw inputError(`${name} must be an array of numbers ≥ 0`, [name]);
  const i = values.findIndex((v) => typeof v !== 'number' || !Number.isFinite(v) || v < 0 || v > max || (max !== Infinity && !Number.isInteger(v)));
  if (i >= 0) throw inputError(max === Infinity ? `${name} must be numbers ≥ 0` : `${name} must be whole numbers in 0–${max}`, [name, i]);
  if (typeof rng !== 'object' || rng === null || typeof (rng as Rng).next !== 'function' || typeof (rng as Rng).normal !== 'function') {
    throw inputError('Expected a seeded generator from createRng', ['rng']);
  }
}
