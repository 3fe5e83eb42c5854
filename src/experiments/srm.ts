import { chiSquareSurvival } from './distributions.js';
import { checkNumber, invalidInput } from './check.js';

/** The outcome of {@link sampleRatioMismatch}. */
export interface SrmCheck {
  readonly chiSquare: number;
  readonly df: number;
  readonly pValue: number;
  /** True when `pValue` is below the threshold: the split is broken, do not trust the effects. */
  readonly mismatch: boolean;
  readonly expected: ReadonlyArray<number>;
}

/**
 * Sample-ratio-mismatch check: Pearson's chi-square goodness of fit of the observed units per variant against the
 * configured shares. A mismatch means assignment or logging is broken (bots, a redirect losing one arm, …).
 *
 * @example
 * ```ts
 * sampleRatioMismatch([5000, 5210], [0.5, 0.5]); // { pValue: 0.0377…, mismatch: false } at the default 0.001
 * ```
 */
export function sampleRatioMismatch(units: ReadonlyArray<number>, shares: ReadonlyArray<number>, threshold = 0.001): SrmCheck {
  if (!Array.isArray(units) || units.length < 2) throw invalidInput('units must list ≥ 2 variants', 'units');
  if (!Array.isArray(shares) || units.length !== shares.length) throw invalidInput('one entry per variant', 'shares');
  shares.forEach((s, i) => {
    if (!(Number.isFinite(s) && s > 0)) throw invalidInput('shares must be positive numbers', 'shares', i);
  });
  units.forEach((u, i) => {
    if (!(Number.isSafeInteger(u) && u >= 0)) throw invalidInput('units must be counts ≥ 0', 'units', i);
  });
  // Summed once every value is known to be a number (a BigInt or an object would throw a TypeError here); whole
  // counts keep every sum finite, and each share is divided by the total first so that huge shares cannot overflow.
  const total = units.reduce((a, b) => a + b, 0);
  const shareTotal = shares.reduce((a, b) => a + b, 0);
  const expected = shares.map((s) => total * (s / shareTotal));
  let chiSquare = 0;
  for (let i = 0; i < units.length; i++) if (expected[i]! > 0) chiSquare += (units[i]! - expected[i]!) ** 2 / expected[i]!;
  const df = units.length - 1;
  const pValue = total === 0 ? 1 : chiSquareSurvival(chiSquare, df);
  return { chiSquare, df, pValue, mismatch: pValue < checkNumber(threshold, 'threshold'), expected };
}
