import { inputError } from '../core/errors.js';
import { expectIterable, expectObject, expectString } from '../core/guards.js';
import { AttributionStatistics, createStatistics } from './stats.js';
import type { AttributionConfig, AttributionConfigInput } from './models.js';

/**
 * One aggregated path row, the form attribution tools and warehouse marts often keep: the channel path
 * (`'search > email > direct'` or an array), how many journeys took it and converted (`conversions`, total
 * `value`) and how many did not (`nulls`). Paths carry no times, so time decay treats their touches as
 * simultaneous (equal weights).
 */
export interface PathRow {
  readonly path: string | ReadonlyArray<string>;
  readonly conversions?: number;
  readonly value?: number;
  readonly nulls?: number;
}

/**
 * Splits a path string on `separator` (default `>`), trimming blanks around each channel.
 *
 * @example
 * ```ts
 * parsePath('search > email >direct'); // ['search', 'email', 'direct']
 * ```
 */
export function parsePath(text: string, separator = '>'): string[] {
  expectString(text, ['text']);
  expectString(separator, ['separator']);
  if (text.trim() === '') return [];
  return text.split(separator).map((c) => c.trim());
}

function count(row: PathRow, key: 'conversions' | 'value' | 'nulls', i: number, allowNegative: boolean): number {
  const v = row[key];
  if (v === undefined || v === null) return 0;
  if (typeof v !== 'number' || !Number.isFinite(v) || (!allowNegative && v < 0)) {
    throw inputError(`${key} must be a ${allowNegative ? '' : 'non-negative '}finite number`, ['paths', i, key], { value: v });
  }
  return v;
}

/**
 * Adds aggregated path rows to statistics (validated: empty channels and negative counts are rejected with
 * the row's path). A row's `value` defaults to its `conversions` (value 1 each). All or nothing: the rows are
 * counted apart and merged in at the end, so a bad row leaves `stats` as it was (the rows are read once, as a
 * stream).
 *
 * @example
 * ```ts
 * const stats = addPaths(createStatistics({ models: ['markov', 'shapley'] }), [
 *   { path: 'search > email', conversions: 12, value: 960, nulls: 88 },
 *   { path: 'display', nulls: 400 },
 * ]);
 * ```
 */
export function addPaths(stats: AttributionStatistics, rows: Iterable<PathRow>, separator = '>'): AttributionStatistics {
  if (!(stats instanceof AttributionStatistics)) throw inputError('stats must come from createStatistics', ['stats']);
  expectIterable(rows, ['paths']);
  expectString(separator, ['separator']);
  return stats.merge(countRows(createStatistics(stats.config), rows, separator));
}

/** Counts checked rows into `stats` (fresh statistics: a bad row throws with only them half-counted). */
function countRows(stats: AttributionStatistics, rows: Iterable<PathRow>, separator: string): AttributionStatistics {
  let i = 0;
  const zeros: number[] = [];
  for (const row of rows) {
    expectObject(row, ['paths', i]);
    const channels = typeof row.path === 'string' ? parsePath(row.path, separator) : Array.isArray(row.path) ? row.path : null;
    if (channels === null) throw inputError('path must be a string or an array of channels', ['paths', i, 'path']);
    channels.forEach((c, k) => {
      if (typeof c !== 'string' || c.length === 0) throw inputError('Empty channel in path', ['paths', i, 'path', k]);
    });
    const conversions = count(row, 'conversions', i, false);
    const value = row.value === undefined ? conversions : count(row, 'value', i, true);
    const nulls = count(row, 'nulls', i, false);
    // No times: every touch at 0 (rule models read only the first `length` entries).
    while (zeros.length < channels.length) zeros.push(0);
    stats.addCounted(channels, zeros, 0, conversions, value, nulls);
    i++;
  }
  return stats;
}

/**
 * Statistics from aggregated path rows in one call.
 *
 * @example
 * ```ts
 * const comparison = computeAttribution(statisticsFromPaths([{ path: 'a > b', conversions: 3, nulls: 7 }, { path: 'b', conversions: 1, nulls: 9 }]));
 * ```
 */
export function statisticsFromPaths(rows: Iterable<PathRow>, config: AttributionConfigInput | AttributionConfig = {}, separator = '>'): AttributionStatistics {
  expectIterable(rows, ['paths']);
  expectString(separator, ['separator']);
  return countRows(createStatistics(config), rows, separator);
}
