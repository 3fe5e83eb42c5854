import * as z from 'zod/mini';
import { CrossChannelError, parseWith } from '../core/errors.js';
import { timeZoneSchema, timestampSchema } from '../core/schema.js';
import type { WeekStartsOn } from '../core/time.js';
import type { InsightsErrorCode } from './errors.js';
import { refineCheck, intSchema, enumSchema, gteCheck, lteCheck, minLengthCheck, maxLengthCheck, stringSchema } from '../core/zod.js';

/** The dimensions a KPI table can be grouped by. */
export const GROUP_DIMENSIONS = ['channel', 'campaign', 'offer', 'segment', 'period'] as const;

/** One grouping dimension. */
export type GroupDimension = (typeof GROUP_DIMENSIONS)[number];

/**
 * Schema of the KPI options: how records are grouped and which event types mean what.
 * - `by`: grouping dimensions (none = one overall row). `segment` counts a person's records in each of their segments.
 * - `period` / `timeZone` / `weekStartsOn`: local calendar periods when `by` holds `period` (and for pressure weeks).
 * - `from` / `to`: only records with `from ≤ at < to` are counted.
 * - `purchaseEvent`, `cartAbandonEvent`, `amountProperty`: which behaviour events are orders, abandoned carts, and
 *   which property holds an order's amount.
 * - `undeliveredTags`: a contact carrying one of these tags was not delivered.
 * - `pressureBuckets`: contacts per person-week beyond this fall in the last bucket of the pressure chart (the mean,
 *   percentiles and person-weeks at and over a cap read the exact counts).
 *
 * @example
 * ```ts
 * kpiOptionsSchema.parse({ by: ['channel', 'period'], period: 'month', timeZone: 'Europe/Paris' });
 * ```
 */
export const kpiOptionsSchema = /* @__PURE__ */ (() => z.strictObject({
    by: z._default(z
      .array(enumSchema(GROUP_DIMENSIONS)).check(maxLengthCheck(5)), []).check(refineCheck((a) => new Set(a).size === a.length, 'Each dimension at most once')),
    period: z._default(enumSchema(['day', 'week', 'month']), 'week'),
    timeZone: z._default(timeZoneSchema, 'UTC'),
    weekStartsOn: z._default(intSchema().check(gteCheck(0), lteCheck(6)), 1),
    from: z.optional(timestampSchema),
    to: z.optional(timestampSchema),
    purchaseEvent: z._default(stringSchema().check(minLengthCheck(1), maxLengthCheck(128)), 'purchase'),
    cartAbandonEvent: z._default(stringSchema().check(minLengthCheck(1), maxLengthCheck(128)), 'cart_abandon'),
    amountProperty: z._default(stringSchema().check(minLengthCheck(1), maxLengthCheck(128)), 'amount'),
    undeliveredTags: z._default(z.array(stringSchema().check(minLengthCheck(1), maxLengthCheck(128))).check(maxLengthCheck(64)), ['bounced', 'undelivered', 'failed']),
    pressureBuckets: z._default(intSchema().check(gteCheck(1), lteCheck(1000)), 20),
  }))();

/** KPI options as a caller writes them. */
export type KpiOptionsInput = z.input<typeof kpiOptionsSchema>;

/** Parsed KPI options. */
export interface KpiOptions extends Omit<z.output<typeof kpiOptionsSchema>, 'weekStartsOn'> {
  readonly weekStartsOn: WeekStartsOn;
}

/**
 * Validates KPI options (`CONFIG_INVALID` with the path of the bad field).
 *
 * @example
 * ```ts
 * const o = parseKpiOptions({ by: ['channel'] }); // o.period === 'week', o.timeZone === 'UTC'
 * ```
 */
export function parseKpiOptions(input: KpiOptionsInput = {}): KpiOptions {
  const o = parseWith(kpiOptionsSchema, input, 'CONFIG_INVALID') as KpiOptions;
  if (o.from !== undefined && o.to !== undefined && o.to <= o.from) {
    throw new CrossChannelError<InsightsErrorCode>('CONFIG_INVALID', '`to` must be after `from`', { path: ['to'] });
  }
  return o;
}
