import type { CoreErrorCode } from '../core/errors.js';

/**
 * Error codes thrown by `crosschannel/experiments` (besides the core ones: `CONFIG_INVALID` for a bad experiment
 * definition, `INPUT_INVALID` for a bad call):
 * - `EXPERIMENT_WEIGHTS_INVALID`: variant weights do not sum to 1 (GrowthBook's tolerance, 0.99–1.01).
 * - `EXPERIMENT_NAMESPACE_OVERLAP`: two experiments of one namespace claim overlapping ranges.
 * - `EXPERIMENT_UNKNOWN`: an id names no experiment of the set.
 * - `EXPERIMENT_METRIC_UNKNOWN`: an analysis asks for a metric that was not defined.
 * - `EXPERIMENT_EMPTY_VARIANT`: a variant has too few units for an interval (no NaN interval is ever returned).
 * - `EXPERIMENT_STATS_INVALID`: aggregated statistics are not finite or not consistent (sums of squares below 0…).
 *
 * @example
 * ```ts
 * const code: ExperimentErrorCode = 'EXPERIMENT_EMPTY_VARIANT';
 * ```
 */
export type ExperimentErrorCode =
  | 'EXPERIMENT_WEIGHTS_INVALID'
  | 'EXPERIMENT_NAMESPACE_OVERLAP'
  | 'EXPERIMENT_UNKNOWN'
  | 'EXPERIMENT_METRIC_UNKNOWN'
  | 'EXPERIMENT_EMPTY_VARIANT'
  | 'EXPERIMENT_STATS_INVALID'
  | CoreErrorCode;

/**
 * Stable reason codes of an assignment:
 * - in: `EXPERIMENT_ASSIGNED` (hashed into a variant), `EXPERIMENT_STICKY` (kept from the sticky store)
 * - out: `EXPERIMENT_INACTIVE`, `EXPERIMENT_NOT_STARTED`, `EXPERIMENT_STOPPED`, `EXPERIMENT_NO_UNIT`,
 *   `EXPERIMENT_NOT_TARGETED`, `EXPERIMENT_NOT_IN_NAMESPACE`, `EXPERIMENT_NOT_IN_COVERAGE`,
 *   `EXPERIMENT_GLOBAL_HOLDOUT` (the person is in the global holdout)
 * - held: `EXPERIMENT_HOLDOUT` (in the experiment's own holdout: no contact, measured as a counterfactual),
 *   `HOLDOUT_HELD` / `HOLDOUT_NOT_HELD` (global holdout checks)
 *
 * @example
 * ```ts
 * const code: ExperimentReasonCode = 'EXPERIMENT_NOT_IN_COVERAGE';
 * ```
 */
export type ExperimentReasonCode =
  | 'EXPERIMENT_ASSIGNED'
  | 'EXPERIMENT_STICKY'
  | 'EXPERIMENT_INACTIVE'
  | 'EXPERIMENT_NOT_STARTED'
  | 'EXPERIMENT_STOPPED'
  | 'EXPERIMENT_NO_UNIT'
  | 'EXPERIMENT_NOT_TARGETED'
  | 'EXPERIMENT_NOT_IN_NAMESPACE'
  | 'EXPERIMENT_NOT_IN_COVERAGE'
  | 'EXPERIMENT_GLOBAL_HOLDOUT'
  | 'EXPERIMENT_HOLDOUT'
  | 'HOLDOUT_HELD'
  | 'HOLDOUT_NOT_HELD';
