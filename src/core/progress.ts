/**
 * Progress of batch operations that can run for more than a second (segment refreshes, attribution over streams,
 * identity stitching and matching, experiment statistics, insights over histories): one convention everywhere.
 * Counted by items, never by the clock (no hidden clock in a module).
 */
import { inputError } from './errors.js';

/**
 * Progress reporting of a batch operation.
 *
 * The callback runs every `progressEvery` items and once at the end with the number processed so far (so the last
 * call says the total). It runs synchronously inside the operation: keep it cheap. If it throws, the operation
 * stops and the error propagates — a way to cancel a long batch; what the operation had not finished is not
 * returned.
 *
 * @example
 * ```ts
 * import type { ProgressOptions } from 'crosschannel';
 * const progress: ProgressOptions = { onProgress: (n) => process.stderr.write(`\r${n.toLocaleString('en-US')} done`), progressEvery: 50_000 };
 * ```
 */
export interface ProgressOptions {
  /** Called every `progressEvery` items and once at the end, with the number of items processed so far. */
  readonly onProgress?: (processed: number) => void;
  /** Items between two calls (default 10,000). */
  readonly progressEvery?: number;
}

/** A counter behind {@link ProgressOptions}: `step()` per item, `end()` once. Internal. */
export class ProgressCounter {
  processed = 0;

  constructor(
    private readonly on: (processed: number) => void,
    private readonly every: number,
  ) {}

  /** One more item done. */
  step(): void {
    if (++this.processed % this.every === 0) this.on(this.processed);
  }

  /** `n` more items done at once (progress is reported when a multiple of `progressEvery` is crossed). */
  advance(n: number): void {
    const before = Math.floor(this.processed / this.every);
    this.processed += n;
    if (Math.floor(this.processed / this.every) > before) this.on(this.processed);
  }

  /** The operation finished: the final count. */
  end(): void {
    this.on(this.processed);
  }
}

/**
 * The counter for `options`, or `null` when no callback is given (callers then pay one null check per item).
 * Throws `INPUT_INVALID` on a callback that is not a function or a bad `progressEvery`. Internal.
 */
export function progressCounter(options: ProgressOptions | undefined, path: ReadonlyArray<string | number> = ['options']): ProgressCounter | null {
  if (options === undefined) return null;
  if (options === null || typeof options !== 'object') throw inputError('progress options must be an object', path);
  const on = options.onProgress;
  if (on === undefined) return null;
  if (typeof on !== 'function') throw inputError('onProgress must be a function', [...path, 'onProgress']);
  const every = options.progressEvery ?? 10_000;
  if (!Number.isSafeInteger(every) || every < 1) throw inputError('progressEvery must be a positive integer', [...path, 'progressEvery']);
  return new ProgressCounter(on, every);
}
