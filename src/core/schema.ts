import { z } from 'zod';
import { isValidTimeZone, toEpochMs, durationToMs, type EpochMs } from './time.js';
import { CrossChannelError } from './errors.js';

/**
 * Well-known channel names. Channels are open strings: these constants exist so that services spell the
 * common ones the same way.
 *
 * @example
 * ```ts
 * import { CHANNELS } from 'crosschannel';
 * const c = CHANNELS.callCenter; // 'call_center'
 * ```
 */
export const CHANNELS = {
  email: 'email',
  sms: 'sms',
  push: 'push',
  web: 'web',
  app: 'app',
  callCenter: 'call_center',
  store: 'store',
  directMail: 'direct_mail',
  display: 'display',
  social: 'social',
  search: 'search',
} as const;

/** A well-known channel name (`email`, `sms`, …). Any other string matching {@link channelSchema} is allowed too. */
export type WellKnownChannel = (typeof CHANNELS)[keyof typeof CHANNELS];

/** A channel name: a well-known one or any other lowercase token. */
export type Channel = WellKnownChannel | (string & {});

/**
 * An identifier: a non-empty string of at most 256 characters without control characters.
 *
 * @example
 * ```ts
 * idSchema.parse('cust-42'); // 'cust-42'
 * ```
 */
export const idSchema = z
  .string()
  .min(1, 'Must not be empty')
  .max(256, 'Must be at most 256 characters')
  // eslint-disable-next-line no-control-regex
  .regex(/^[^\u0000-\u001f\u007f]*$/, 'Must not contain control characters');

/**
 * A channel name: lowercase letters, digits, `_`, `-` or `.`, starting with a letter, at most 64 characters.
 *
 * @example
 * ```ts
 * channelSchema.parse('call_center'); // 'call_center'
 * ```
 */
export const channelSchema = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[a-z][a-z0-9_.-]*$/, 'Channel must be lowercase letters, digits, "_", "-" or "." and start with a letter');

/**
 * A tag (`marketing`, `promotion`, `category:shoes`): 1–128 characters without control characters.
 *
 * @example
 * ```ts
 * tagSchema.parse('marketing');
 * ```
 */
export const tagSchema = z
  .string()
  .min(1)
  .max(128)
  // eslint-disable-next-line no-control-regex
  .regex(/^[^\u0000-\u001f\u007f]*$/, 'Must not contain control characters');

/**
 * A timestamp accepted as epoch ms, `Date` or ISO 8601 string with offset; parses to epoch ms.
 *
 * @example
 * ```ts
 * timestampSchema.parse('2026-01-01T00:00:00Z'); // 1767225600000
 * ```
 */
export const timestampSchema = z
  .union([z.number(), z.string(), z.date()])
  .transform((v, ctx): EpochMs => {
    try {
      return toEpochMs(v);
    } catch (e) {
      ctx.addIssue({ code: 'custom', message: e instanceof CrossChannelError ? e.message : 'Invalid timestamp' });
      return z.NEVER;
    }
  });

/**
 * Epoch milliseconds only (integers); what parsed records hold. Use in output schemas and hot-path records.
 *
 * @example
 * ```ts
 * epochMsSchema.parse(1767225600000);
 * ```
 */
export const epochMsSchema = z.number().int().min(-8.64e15).max(8.64e15);

/**
 * An IANA time-zone name known to the runtime (`Europe/Paris`, `UTC`).
 *
 * @example
 * ```ts
 * timeZoneSchema.parse('Asia/Kolkata');
 * ```
 */
export const timeZoneSchema = z.string().refine(isValidTimeZone, { message: 'Unknown IANA time zone' });

/**
 * A duration (`'7d'`, `'PT1H'`, `{ days: 30 }` or ms) parsed to milliseconds.
 *
 * @example
 * ```ts
 * durationSchema.parse('30d'); // 2592000000
 * ```
 */
export const durationSchema = z
  .union([
    z.number(),
    z.string(),
    z
      .object({
        weeks: z.number().optional(),
        days: z.number().optional(),
        hours: z.number().optional(),
        minutes: z.number().optional(),
        seconds: z.number().optional(),
        milliseconds: z.number().optional(),
      })
      .strict(),
  ])
  .transform((v, ctx): number => {
    try {
      return durationToMs(v as Parameters<typeof durationToMs>[0]);
    } catch (e) {
      ctx.addIssue({ code: 'custom', message: e instanceof CrossChannelError ? e.message : 'Invalid duration' });
      return z.NEVER;
    }
  });

/** A JSON value. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/**
 * A JSON value (finite numbers only), bounded in depth by zod's recursion.
 *
 * @example
 * ```ts
 * jsonValueSchema.parse({ sku: 'A1', qty: 2 });
 * ```
 */
export const jsonValueSchema: z.ZodType<JsonValue> = z.lazy(() =>
  z.union([z.string(), z.number().finite(), z.boolean(), z.null(), z.array(jsonValueSchema), z.record(z.string(), jsonValueSchema)]),
);

/**
 * A JSON object (`properties` of an event, attributes of a profile).
 *
 * @example
 * ```ts
 * jsonObjectSchema.parse({ category: 'shoes' });
 * ```
 */
export const jsonObjectSchema = z.record(z.string(), jsonValueSchema);

/**
 * JSON Schema (draft 2020-12) of a public config schema, from zod 4's native converter. Describes the
 * *input* side (what a user writes in a config file), so transforms such as durations show their accepted
 * forms.
 *
 * @example
 * ```ts
 * const jsonSchema = toJSONSchema(channelSchema); // { type: 'string', pattern: '^[a-z][a-z0-9_.-]*$', … }
 * ```
 */
export function toJSONSchema(schema: z.ZodType): Record<string, unknown> {
  if (!(schema instanceof z.ZodType)) throw new CrossChannelError('INPUT_INVALID', 'toJSONSchema needs a zod schema', { path: ['schema'] });
  return z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
}
