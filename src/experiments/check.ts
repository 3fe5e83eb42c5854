import { CrossChannelError, inputError } from '../core/errors.js';

/** An `INPUT_INVALID` error at `path`: the one constructor of the experiments entry's argument checks. */
export const invalidInput = (message: string, ...path: Array<string | number>): CrossChannelError => inputError(message, path);

/** Cheap argument checks for the exported helpers: plain-JS callers get a CrossChannelError, never a TypeError. */
export function checkNumber(x: unknown, path: string): number {
  if (typeof x !== 'number' || Number.isNaN(x)) throw invalidInput(`${path} must be a number`, path);
  return x;
}

/** Throws unless `x` is a string. */
export function checkString(x: unknown, path: string): string {
  if (typeof x !== 'string') throw invalidInput(`${path} must be a string`, path);
  return x;
}

/** Throws unless `now` is a finite number (epoch ms). */
export function checkNow(now: unknown): void {
  if (!Number.isFinite(now)) throw invalidInput('now must be a finite epoch ms', 'now');
}

/** Throws unless `x` is an array of numbers (or a typed array). */
export function checkNumbers(x: unknown, path: string): ArrayLike<number> {
  const ok = (Array.isArray(x) && x.every((v) => typeof v === 'number' && !Number.isNaN(v))) || x instanceof Float64Array;
  if (!ok) throw invalidInput(`${path} must be an array of numbers`, path);
  return x as ArrayLike<number>;
}

/** Throws unless `x` is `{ n ≥ 2, mean, variance ≥ 0 }` with finite numbers. */
export function checkArm(x: unknown, path: string): void {
  const a = x as { n?: unknown; mean?: unknown; variance?: unknown } | null;
  const fine = typeof a?.n === 'number' && a.n >= 2 && Number.isFinite(a.mean) && Number.isFinite(a.variance) && (a.variance as number) >= 0;
  if (!fine) throw invalidInput(`${path} must be finite { n ≥ 2, mean, variance ≥ 0 }`, path);
}
