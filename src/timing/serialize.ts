import * as z from 'zod/mini';
import { arrayOf, ENGLISH, tupleItem, intSchema, literalSchema, gteCheck, lteCheck, minLengthCheck, maxLengthCheck } from '../core/zod.js';
import { CrossChannelError, attempt, fromZodError, type Result, quoted } from '../core/errors.js';
import { idSchema, timeZoneSchema } from '../core/schema.js';
import type { TimingErrorCode } from './errors.js';
import { TimingModel, timingModelOptionsSchema, type TimingModelJSON } from './model.js';
import { HOURS_PER_WEEK as H } from './week.js';

const count = /* @__PURE__ */ (() => intSchema().check(gteCheck(0), lteCheck(65_535)))();

/**
 * Schema of {@link TimingModelJSON} (version 1): what `parseTimingModel` checks before rebuilding a model.
 *
 * @example
 * ```ts
 * timingModelJsonSchema.safeParse({ version: 1, options: {}, zones: ['UTC'], segments: [''], people: [] }).success; // true
 * ```
 */
export const timingModelJsonSchema = /* @__PURE__ */ (() => z.strictObject({
    version: literalSchema(1),
    options: timingModelOptionsSchema,
    zones: z.array(timeZoneSchema).check(minLengthCheck(1), maxLengthCheck(65_536)),
    segments: z.array(z.union([literalSchema(''), idSchema])).check(minLengthCheck(1), maxLengthCheck(65_536)),
    // A tuple checked by hand, with zod's issues (zod's tuple type would cost the entry ≈ 0.45 kB; src/core/zod.ts).
    people: arrayOf(tupleItem([idSchema, intSchema().check(gteCheck(0)), intSchema().check(gteCheck(0)), z.array(count).check(maxLengthCheck(2 * H)), z.array(count).check(maxLengthCheck(96))])),
  }))();

/**
 * Rebuilds a {@link TimingModel} from its JSON (`model.toJSON()`, possibly from another process or version of
 * the data). Everything is validated first — version, option values, ids and segment names (1–256 characters,
 * no control characters: what the model accepts), zone names, index ranges, hour pairs (each hour at most once
 * per person), counter sizes, responded ≤ sent — and a bad document throws `TIMING_MODEL_INVALID` with the path
 * of the first bad field; nothing half-loaded is returned.
 *
 * @example
 * ```ts
 * declare const model: TimingModel;
 * const copy = parseTimingModel(JSON.parse(JSON.stringify(model)));
 * copy.size === model.size; // true
 * ```
 */
export function parseTimingModel(json: unknown): TimingModel {
  const r = timingModelJsonSchema.safeParse(json, ENGLISH);
  if (!r.success) throw fromZodError(r.error, 'TIMING_MODEL_INVALID' satisfies TimingErrorCode);
  const doc = r.data;
  const bad = (message: string, path: ReadonlyArray<string | number>): CrossChannelError<TimingErrorCode> => new CrossChannelError<TimingErrorCode>('TIMING_MODEL_INVALID', message, { path });
  if (doc.zones[0] !== doc.options.timeZone) throw bad('zones[0] must be the default time zone', ['zones', 0]);
  if (doc.segments[0] !== '') throw bad('segments[0] must be "" (no segment)', ['segments', 0]);
  if (doc.segments.slice(1).includes('')) throw bad('Only segments[0] may be ""', ['segments']);
  const C = new Set(doc.options.channels).size;
  if (C !== doc.options.channels.length) throw bad('Duplicate channel', ['options', 'channels']);
  const seen = new Set<string>();
  // Per hour of the week, 1 + the index of the last person whose hours named it.
  const hourSeen = new Float64Array(H);
  doc.people.forEach(([id, zone, segment, hours, counters], i) => {
    if (seen.has(id)) throw bad(`Duplicate person ${quoted(id)}`, ['people', i, 0]);
    seen.add(id);
    if (zone >= doc.zones.length) throw bad('Zone index out of range', ['people', i, 1]);
    if (segment >= doc.segments.length) throw bad('Segment index out of range', ['people', i, 2]);
    if (hours.length % 2 !== 0) throw bad('Hours must be [hour, count] pairs', ['people', i, 3]);
    for (let k = 0; k < hours.length; k += 2) {
      if (hours[k]! >= H) throw bad('Hour of week out of range', ['people', i, 3, k]);
      if (hourSeen[hours[k]!] === i + 1) throw bad('Duplicate hour of week', ['people', i, 3, k]);
      hourSeen[hours[k]!] = i + 1;
    }
    if (counters.length !== C * 3) throw bad(`Expected ${C * 3} counters`, ['people', i, 4]);
    for (let c = 0; c < C; c++) {
      if (counters[c * 3 + 1]! > counters[c * 3]! || counters[c * 3 + 2]! > counters[c * 3]!) throw bad('Responded and converted cannot exceed sent', ['people', i, 4, c * 3]);
    }
  });
  const model = new TimingModel(doc.options);
  for (const [id, zone, segment, hours, counters] of doc.people) {
    model.setProfile(id, { timeZone: doc.zones[zone], ...(segment === 0 ? {} : { segment: doc.segments[segment] }) });
    const row = model.index.get(id)!;
    for (let k = 0; k < hours.length; k += 2) if (hours[k + 1]! > 0) model.bumpHour(row, hours[k]!, hours[k + 1]!);
    for (let c = 0; c < C; c++) for (let j = 0; j < 3; j++) if (counters[c * 3 + j]! > 0) model.bump(row, c, j, counters[c * 3 + j]!);
  }
  return model;
}

/**
 * Non-throwing {@link parseTimingModel}.
 *
 * @example
 * ```ts
 * const r = safeParseTimingModel({ version: 2 }); // { ok: false, error: CrossChannelError { code: 'TIMING_MODEL_INVALID' } }
 * ```
 */
export function safeParseTimingModel(json: unknown): Result<TimingModel> {
  return attempt(() => parseTimingModel(json));
}
