import * as z from 'zod/mini';
import { enumSchema, booleanSchema, minLengthCheck, maxLengthCheck, stringSchema } from '../core/zod.js';
import { expectArray, expectIterable, expectObject, expectObjects } from '../core/guards.js';
import { attempt, parseWith, type Result, quoted, inputError } from '../core/errors.js';
import { DAY, toEpochMs, type EpochMs } from '../core/time.js';
import { durationSchema } from '../core/schema.js';
import type { BehaviourEvent, ContactRecord, History, ResponseRecord } from '../core/records.js';
import { ownValue } from '../core/own.js';

/** A touchpoint row as a warehouse holds it; contacts and behaviour events with a channel fit this shape too. */
export interface TouchpointRow {
  readonly subjectId: string;
  readonly channel: string;
  /** Epoch ms, `Date` or ISO 8601 string with offset. */
  readonly at: EpochMs | Date | string;
}

/** A conversion row as a warehouse holds it. `value` defaults to 1. */
export interface ConversionRow {
  readonly subjectId: string;
  readonly at: EpochMs | Date | string;
  readonly value?: number | null;
}

/** What {@link buildJourneys} accepts as a touchpoint: a contact, a behaviour event (skipped without a channel), or a plain row. */
export type TouchpointInput = ContactRecord | BehaviourEvent | TouchpointRow;

/**
 * What {@link buildJourneys} accepts as a conversion: a response (only kind `converted` counts), a behaviour
 * event (only the designated `conversionEventTypes`, when set), or a plain row.
 */
export type ConversionInput = ResponseRecord | BehaviourEvent | ConversionRow;

/**
 * One journey: the channels a person met, in time order, up to and including the instant of a conversion
 * (converting journey) or up to the end of the data (non-converting journey). A converting journey with no
 * channel is an **unattributed** conversion (all its touches fell outside the lookback window): models count
 * it in `unattributed`, never credit it.
 */
export interface Journey {
  readonly subjectId: string;
  /** Channel of each touch, oldest first. */
  readonly channels: ReadonlyArray<string>;
  /** Epoch ms of each touch, same order as `channels`. */
  readonly times: ReadonlyArray<EpochMs>;
  readonly converted: boolean;
  /** Epoch ms of the conversion (converting journeys only). */
  readonly conversionAt?: EpochMs;
  /** Conversion value (1 unless given); 0 for non-converting journeys. */
  readonly value: number;
}

/**
 * Schema of the journey options. `lookback`: a touch counts for a conversion when
 * `conversionAt − at ≤ lookback` (inclusive, default 30 days). `collapseRepeats`: merge consecutive touches of
 * the same channel into the first one (default off). `conversionEventTypes`: behaviour-event types that are
 * conversions (default: every event passed as a conversion counts); events of these types are never
 * touchpoints. `valueProperty`: the event property that holds a conversion's value (default `value`).
 * `afterLastConversion`: what becomes of a converter's touches after their last conversion — `'journey'` (the
 * default: they start the next, so far non-converting, journey) or `'drop'` (left out, as most analytics tools
 * do). `nonConvertingLookback`: apply the lookback to non-converting journeys too, measured back from their last
 * touch (default off: a non-converting journey keeps all its touches).
 *
 * @example
 * ```ts
 * journeyOptionsSchema.parse({ lookback: '14d', collapseRepeats: true });
 * ```
 */
export const journeyOptionsSchema = /* @__PURE__ */ (() => z.strictObject({
    lookback: z._default(durationSchema, 30 * DAY),
    collapseRepeats: z._default(booleanSchema(), false),
    conversionEventTypes: z.optional(z.array(stringSchema().check(minLengthCheck(1), maxLengthCheck(128))).check(maxLengthCheck(256))),
    valueProperty: z._default(stringSchema().check(minLengthCheck(1), maxLengthCheck(128)), 'value'),
    afterLastConversion: z._default(enumSchema(['journey', 'drop']), 'journey'),
    nonConvertingLookback: z._default(booleanSchema(), false),
  }))();

/** Journey options as written by a caller. */
export type JourneyOptionsInput = z.input<typeof journeyOptionsSchema>;
/** Journey options after parsing (lookback in ms). */
export type JourneyOptions = z.output<typeof journeyOptionsSchema>;

/**
 * Validates journey options, throwing `CrossChannelError` `CONFIG_INVALID` with the bad field's path.
 *
 * @example
 * ```ts
 * const opts = parseJourneyOptions({ lookback: { days: 7 } }); // opts.lookback === 604800000
 * ```
 */
export function parseJourneyOptions(input: JourneyOptionsInput = {}): JourneyOptions {
  return parseWith(journeyOptionsSchema, input ?? {}, 'CONFIG_INVALID');
}

/** A touch or a conversion after reading, before splitting. */
interface Point {
  at: number;
  /** Channel, or `null` for a conversion. */
  channel: string | null;
  value: number;
  seq: number;
}

function readAt(raw: unknown, path: ReadonlyArray<string | number>): number {
  if (typeof raw === 'number' && Number.isFinite(raw)) return raw;
  return toEpochMs(raw, path);
}

function readSubject(row: { subjectId?: unknown }, path: ReadonlyArray<string | number>): string {
  const s = row.subjectId;
  if (typeof s !== 'string' || s.length === 0) {
    throw inputError('subjectId must be a non-empty string', [...path, 'subjectId']);
  }
  return s;
}

/** Reads one touchpoint; `null` when the row is not a touchpoint (event without channel, or a conversion event). */
function readTouch(row: unknown, conversionTypes: ReadonlySet<string> | null, path: ReadonlyArray<string | number>): { subjectId: string; channel: string; at: number } | null {
  expectObject(row, path);
  const r = row as { subjectId?: unknown; channel?: unknown; at?: unknown; type?: unknown };
  if (typeof r.type === 'string' && conversionTypes !== null && conversionTypes.has(r.type)) return null;
  // A behaviour event without a channel is not a touchpoint; a touchpoint without one fails below.
  if ((r.channel === undefined || r.channel === null) && typeof r.type === 'string') return null;
  if (typeof r.channel !== 'string' || r.channel.length === 0 || r.channel.length > 256) {
    throw inputError('channel must be a non-empty string of at most 256 characters', [...path, 'channel']);
  }
  return { subjectId: readSubject(r, path), channel: r.channel, at: readAt(r.at, [...path, 'at']) };
}

/** Reads one conversion; `null` when the row does not count as a conversion. */
function readConversion(row: unknown, opts: JourneyOptions, conversionTypes: ReadonlySet<string> | null, path: ReadonlyArray<string | number>): { subjectId: string; at: number; value: number } | null {
  expectObject(row, path);
  const r = row as { subjectId?: unknown; at?: unknown; kind?: unknown; type?: unknown; value?: unknown; properties?: unknown };
  let raw: unknown = r.value;
  if (typeof r.kind === 'string') {
    if (r.kind !== 'converted') return null;
  } else if (typeof r.type === 'string') {
    if (conversionTypes !== null && !conversionTypes.has(r.type)) return null;
    const props = r.properties as Record<string, unknown> | undefined;
    // Own key only: a value property named `constructor` is absent from an event without it (value 1), not a function.
    raw = ownValue(props, opts.valueProperty);
  }
  let value = 1;
  if (raw !== undefined && raw !== null) {
    if (typeof raw !== 'number' || !Number.isFinite(raw)) {
      throw inputError('A conversion value must be a finite number', [...path, typeof r.type === 'string' ? 'properties' : 'value'], { value: raw });
    }
    value = raw;
  }
  return { subjectId: readSubject(r, path), at: readAt(r.at, [...path, 'at']), value };
}

/**
 * Splits one person's touches and conversions into journeys (the building block of {@link buildJourneys}).
 * `points` are sorted here: by time, touches before conversions at the same instant, otherwise input order.
 */
function splitSubject(subjectId: string, points: Point[], opts: JourneyOptions, out: Journey[]): void {
  points.sort((a, b) => a.at - b.at || (a.channel === null ? 1 : 0) - (b.channel === null ? 1 : 0) || a.seq - b.seq);
  let channels: string[] = [];
  let times: number[] = [];
  let converted = false;
  for (const p of points) {
    if (p.channel !== null) {
      channels.push(p.channel);
      times.push(p.at);
      continue;
    }
    // A conversion closes the journey; touches older than the lookback belong to no journey. The window is
    // applied before collapsing repeats so that a recent repeat is not lost with an old first occurrence.
    let first = 0;
    while (first < times.length && p.at - times[first]! > opts.lookback) first++;
    const kept = collapse(first === 0 ? channels : channels.slice(first), first === 0 ? times : times.slice(first), opts.collapseRepeats);
    out.push({ subjectId, channels: kept[0], times: kept[1], converted: true, conversionAt: p.at, value: p.value });
    converted = true;
    channels = [];
    times = [];
  }
  if (channels.length > 0 && !(opts.afterLastConversion === 'drop' && converted)) {
    let first = 0;
    if (opts.nonConvertingLookback) {
      const last = times[times.length - 1]!;
      while (last - times[first]! > opts.lookback) first++;
    }
    const kept = collapse(first === 0 ? channels : channels.slice(first), first === 0 ? times : times.slice(first), opts.collapseRepeats);
    out.push({ subjectId, channels: kept[0], times: kept[1], converted: false, value: 0 });
  }
}

/** Keeps the first touch of each run of consecutive touches of one channel (when asked to). */
function collapse(channels: string[], times: number[], on: boolean): [string[], number[]] {
  if (!on || channels.length < 2) return [channels, times];
  const c: string[] = [channels[0]!];
  const t: number[] = [times[0]!];
  for (let i = 1; i < channels.length; i++) {
    if (channels[i] === channels[i - 1]) continue;
    c.push(channels[i]!);
    t.push(times[i]!);
  }
  return [c, t];
}

function conversionTypeSet(opts: JourneyOptions): ReadonlySet<string> | null {
  return opts.conversionEventTypes === undefined ? null : new Set(opts.conversionEventTypes);
}

/**
 * Builds journeys from raw touchpoints and conversions of many people. Per person: touches sorted by time
 * (stable), split at each conversion (touches after a conversion start the next journey; a touch at the same
 * instant as a conversion counts for it), touches older than `lookback` before a conversion dropped, a
 * conversion without any touch in its window returned as an unattributed journey (no channels), and the touches
 * after the last conversion kept as one non-converting journey. Journeys come out grouped by person in order of
 * first appearance.
 *
 * @example
 * ```ts
 * const journeys = buildJourneys(
 *   [{ subjectId: 'p1', channel: 'display', at: '2026-03-01T10:00:00Z' }, { subjectId: 'p1', channel: 'email', at: '2026-03-03T10:00:00Z' }],
 *   [{ subjectId: 'p1', at: '2026-03-04T10:00:00Z', value: 80 }],
 * );
 * // [{ subjectId: 'p1', channels: ['display', 'email'], converted: true, value: 80, … }]
 * ```
 */
export function buildJourneys(touchpoints: Iterable<TouchpointInput>, conversions: Iterable<ConversionInput>, options: JourneyOptionsInput = {}): Journey[] {
  expectIterable(touchpoints, ['touchpoints']);
  expectIterable(conversions, ['conversions']);
  const opts = parseJourneyOptions(options);
  const bySubject = new Map<string, Point[]>();
  let seq = 0;
  addRows(bySubject, touchpoints, conversions, opts, () => seq++);
  const out: Journey[] = [];
  for (const [subjectId, points] of bySubject) splitSubject(subjectId, points, opts, out);
  return out;
}

/**
 * {@link buildJourneys} without throwing: a bad row or option comes back as `{ ok: false, error }` with the
 * path of the field (`touchpoints[12].at`), for rows from files or HTTP bodies.
 *
 * @example
 * ```ts
 * const r = safeBuildJourneys([{ subjectId: 'p1', channel: 'email', at: 'not a date' }], []);
 * if (!r.ok) console.log(r.error.code, r.error.path); // TIME_INVALID touchpoints[0].at
 * ```
 */
export function safeBuildJourneys(touchpoints: Iterable<TouchpointInput>, conversions: Iterable<ConversionInput>, options: JourneyOptionsInput = {}): Result<Journey[]> {
  expectIterable(touchpoints, ['touchpoints']);
  expectIterable(conversions, ['conversions']);
  return attempt(() => buildJourneys(touchpoints, conversions, options));
}

function addRows(
  bySubject: Map<string, Point[]>,
  touchpoints: Iterable<TouchpointInput>,
  conversions: Iterable<ConversionInput>,
  opts: JourneyOptions,
  nextSeq: () => number,
): void {
  const types = conversionTypeSet(opts);
  let i = 0;
  for (const row of touchpoints) addTouch(bySubject, row, opts, types, ['touchpoints', i++], nextSeq());
  i = 0;
  for (const row of conversions) addConversion(bySubject, row, opts, types, ['conversions', i++], nextSeq());
}

function addTouch(bySubject: Map<string, Point[]>, row: unknown, opts: JourneyOptions, types: ReadonlySet<string> | null, path: Array<string | number>, seq: number): void {
  const t = readTouch(row, types, path);
  if (t === null) return;
  let list = bySubject.get(t.subjectId);
  if (list === undefined) bySubject.set(t.subjectId, (list = []));
  list.push({ at: t.at, channel: t.channel, value: 0, seq });
}

function addConversion(bySubject: Map<string, Point[]>, row: unknown, opts: JourneyOptions, types: ReadonlySet<string> | null, path: Array<string | number>, seq: number): void {
  const c = readConversion(row, opts, types, path);
  if (c === null) return;
  let list = bySubject.get(c.subjectId);
  if (list === undefined) bySubject.set(c.subjectId, (list = []));
  list.push({ at: c.at, channel: null, value: c.value, seq });
}

/**
 * {@link buildJourneys} for async sources (database cursors, files): reads both sources fully, then splits.
 * Memory grows with the touches; for constant memory, group rows by person upstream and use
 * {@link streamJourneys}.
 *
 * @example
 * ```ts
 * async function* rows() { yield { subjectId: 'p1', channel: 'search', at: 0 }; }
 * const journeys = await buildJourneysAsync(rows(), [{ subjectId: 'p1', at: 1000 }]);
 * ```
 */
export async function buildJourneysAsync(
  touchpoints: AsyncIterable<TouchpointInput> | Iterable<TouchpointInput>,
  conversions: AsyncIterable<ConversionInput> | Iterable<ConversionInput>,
  options: JourneyOptionsInput = {},
): Promise<Journey[]> {
  const opts = parseJourneyOptions(options);
  expectIterable(touchpoints, ['touchpoints'], true);
  expectIterable(conversions, ['conversions'], true);
  const types = conversionTypeSet(opts);
  const bySubject = new Map<string, Point[]>();
  let seq = 0;
  let i = 0;
  for await (const row of touchpoints) addTouch(bySubject, row, opts, types, ['touchpoints', i++], seq++);
  i = 0;
  for await (const row of conversions) addConversion(bySubject, row, opts, types, ['conversions', i++], seq++);
  const out: Journey[] = [];
  for (const [subjectId, points] of bySubject) splitSubject(subjectId, points, opts, out);
  return out;
}

/** One person's rows, as a warehouse query grouped by person yields them. */
export interface SubjectRows {
  readonly subjectId: string;
  readonly touchpoints: ReadonlyArray<TouchpointInput>;
  readonly conversions: ReadonlyArray<ConversionInput>;
}

/**
 * Journeys of one person from their {@link History}: contacts and behaviour events with a channel are the
 * touchpoints; responses of kind `converted` and events of the designated `conversionEventTypes` are the
 * conversions. Without `conversionEventTypes`, no behaviour event is a conversion here (a history's events are
 * mostly page views).
 *
 * @example
 * ```ts
 * const h = createHistory('p1', { contacts: [parseContactRecord({ id: 'c1', subjectId: 'p1', channel: 'email', at: 0 })] });
 * journeysFromHistory(h); // [{ subjectId: 'p1', channels: ['email'], converted: false, … }]
 * ```
 */
export function journeysFromHistory(history: History | SubjectRows, options: JourneyOptionsInput = {}): Journey[] {
  expectObject(history, ['history']);
  const lists = 'contacts' in history ? ['contacts', 'responses', 'events'] : ['touchpoints', 'conversions'];
  for (const k of lists) {
    expectArray((history as unknown as Record<string, unknown>)[k], ['history', k]);
    expectObjects((history as unknown as Record<string, unknown[]>)[k]!, ['history', k]);
  }
  const opts = parseJourneyOptions(options);
  return splitOne(history, opts);
}

function splitOne(history: History | SubjectRows, opts: JourneyOptions): Journey[] {
  const bySubject = new Map<string, Point[]>();
  let seq = 0;
  if ('contacts' in history) {
    const types = new Set(opts.conversionEventTypes ?? []);
    const events = history.events;
    const touches: TouchpointInput[] = [...history.contacts];
    const conversions: ConversionInput[] = [...history.responses];
    for (const e of events) (types.has(e.type) ? conversions : touches).push(e);
    addRows(bySubject, touches, conversions, { ...opts, conversionEventTypes: [...types] }, () => seq++);
  } else {
    addRows(bySubject, history.touchpoints, history.conversions, opts, () => seq++);
  }
  const out: Journey[] = [];
  for (const [subjectId, points] of bySubject) {
    if (subjectId !== history.subjectId) {
      throw inputError(`Record of subject ${quoted(subjectId)} among the rows of ${quoted(history.subjectId)}`, ['subjectId']);
    }
    splitSubject(subjectId, points, opts, out);
  }
  return out;
}

/**
 * Streams journeys from per-person groups (histories, or `{ subjectId, touchpoints, conversions }` rows from a
 * query ordered by person): memory stays bounded by one person's rows, so warehouse-scale inputs stream
 * straight into {@link collectStatisticsAsync}.
 *
 * @example
 * ```ts
 * import type { History } from 'crosschannel';
 * declare const histories: AsyncIterable<History>; // one per person, from a store
 * const stats = await collectStatisticsAsync(streamJourneys(histories), { models: ['markov', 'shapley'] });
 * ```
 */
export async function* streamJourneys(
  groups: AsyncIterable<History | SubjectRows> | Iterable<History | SubjectRows>,
  options: JourneyOptionsInput = {},
): AsyncGenerator<Journey, void, undefined> {
  const opts = parseJourneyOptions(options);
  for await (const g of groups) yield* splitOne(g, opts);
}
