import { expectObject } from '../core/guards.js';
import * as z from 'zod/mini';
import { gteCheck, lteCheck, minLengthCheck, maxLengthCheck, numberSchema } from '../core/zod.js';
import { CrossChannelError, parseWith, quoted, namingUnder, inputError } from '../core/errors.js';
import { CHANNELS, channelSchema, isIdString, timeZoneSchema } from '../core/schema.js';
import { DAY, MINUTE, assertTimeZone, isCalendarInstant, type EpochMs } from '../core/time.js';
import { zoneOffsetMs } from '../core/zone.js';
import type { TimingErrorCode } from './errors.js';
import { HOURS_PER_WEEK as H, wallHourOfWeek } from './week.js';
import { checkHistoryArg, type RecordList } from '../core/record-checks.js';

/**
 * Options of a {@link TimingModel}. The channels are fixed when the model is built (they size its per-person
 * storage); the concentrations are what the person and segment levels fall back to before there is enough data
 * to estimate them (see [Shrinkage in docs/timing.md](../../docs/timing.md#shrinkage-person-→-segment-→-population)).
 *
 * @example
 * ```ts
 * const options: TimingModelOptionsInput = { channels: ['email', 'sms', 'push'], timeZone: 'Europe/Paris' };
 * ```
 */
export const timingModelOptionsSchema = /* @__PURE__ */ (() => z.strictObject({
    /** Channels the model learns affinity for (default: the well-known channels). */
    channels: z._default(z.array(channelSchema).check(minLengthCheck(1), maxLengthCheck(32)), Object.values(CHANNELS)),
    /** Zone of people whose profile names none. */
    timeZone: z._default(timeZoneSchema, 'UTC'),
    /** Pseudo-observations the parent level is worth when too few people have data to estimate it. */
    fallbackConcentration: z._default(z.strictObject({ hours: z._default(numberSchema().check(gteCheck(1), lteCheck(10_000)), 24), channels: z._default(numberSchema().check(gteCheck(1), lteCheck(10_000)), 10) }), { hours: 24, channels: 10 }),
    /** Fixed concentrations instead of estimated ones (tests, or a prior you trust more than the data). */
    fixedConcentration: z.optional(z.strictObject({ hours: numberSchema().check(gteCheck(0.01), lteCheck(1e6)), channels: numberSchema().check(gteCheck(0.01), lteCheck(1e6)) })),
  }))();

/** What {@link TimingModel}'s constructor accepts. */
export type TimingModelOptionsInput = z.input<typeof timingModelOptionsSchema>;
/** Parsed {@link timingModelOptionsSchema}. */
export type TimingModelOptions = z.output<typeof timingModelOptionsSchema>;

/**
 * Where a person lives and which segment their habits are pooled with.
 *
 * @example
 * ```ts
 * const p: TimingProfile = { timeZone: 'America/New_York', segment: 'students' };
 * ```
 */
export interface TimingProfile {
  readonly timeZone?: string | undefined;
  readonly segment?: string | undefined;
}

/** The fields of a contact the model reads (a `ContactRecord` has them). */
export interface TimingContact {
  readonly subjectId: string;
  readonly channel: string;
  readonly at: EpochMs;
}

/** The fields of a response the model reads (a `ResponseRecord` has them); `contactId` is required. */
export interface TimingResponse {
  readonly subjectId: string;
  readonly channel: string;
  readonly kind: string;
  readonly at: EpochMs;
  readonly contactId?: string | undefined;
}

// Per-channel counters of a person: contacts, contacts with a response, contacts with a conversion.
const SENT = 0;
const RESPONDED = 1;
const CONVERTED = 2;
const RING = 4;
const MAX_U16 = 65_535;
// 0: a valid kind the model does not learn from (refused, ignored, …); 1: engagement; 2: conversion.
const KIND: ReadonlyMap<string, number> = new Map([
  ['opened', 1],
  ['clicked', 1],
  ['accepted', 1],
  ['converted', 2],
  ['refused', 0],
  ['ignored', 0],
  ['unsubscribed', 0],
  ['complained', 0],
]);

/**
 * The send-time and channel-affinity model: per person, how many first responses fell in each of the 168 local
 * hours of the week, and per channel how many contacts, responded contacts and converted contacts there were —
 * plus the same sums per segment and for the whole population, kept live on every update.
 *
 * Storage is a handful of typed arrays indexed by person (16-bit counters halved together when one saturates,
 * which also slowly forgets old habits): about 430 bytes per person with 11 channels, plus the id. Updates are
 * O(1) and allocate nothing. Predictions shrink a person towards their segment and the segment towards the
 * population (empirical Bayes, see `refit`). Mergeable across shards (`merge`) and serialisable (`toJSON` /
 * `parseTimingModel`).
 *
 * @example
 * ```ts
 * const model = new TimingModel({ channels: ['email', 'sms'], timeZone: 'Europe/Paris' });
 * const now = Date.parse('2026-06-01T12:00:00Z');
 * model.observeContact({ subjectId: 'p1', channel: 'email', at: now - 3_600_000 }, now);
 * model.observeResponse({ subjectId: 'p1', channel: 'email', kind: 'opened', at: now - 600_000, contactId: 'c1' }, now);
 * hourProfile(model, 'p1'); // 168 probabilities, highest around Monday 13:00 Paris
 * ```
 */
export class TimingModel {
  /** The parsed options. */
  readonly options: TimingModelOptions;
  /** The channels, in storage order. */
  readonly channels: ReadonlyArray<string>;
  /** @internal */ readonly channelIndex: Map<string, number>;
  /** @internal */ ids: string[] = [];
  /** @internal */ readonly index = new Map<string, number>();
  /** @internal */ capacity = 0;
  /** @internal First responses per local hour of week, person-major. */ hours: Uint16Array = new Uint16Array(0);
  /** @internal Σ hours per person. */ totals: Uint32Array = new Uint32Array(0);
  /** @internal [sent, responded, converted] per person × channel. */ counters: Uint16Array = new Uint16Array(0);
  /** @internal Hashes of the last contacts answered (a later response to one of them is not a first). */ ring: Uint32Array = new Uint32Array(0);
  /** @internal Bit i: ring entry i already converted. */ ringConverted: Uint8Array = new Uint8Array(0);
  /** @internal */ ringNext: Uint8Array = new Uint8Array(0);
  /** @internal */ zoneOf: Uint16Array = new Uint16Array(0);
  /** @internal */ segmentOf: Uint16Array = new Uint16Array(0);
  /** @internal Zone names; 0 is the default zone. */ readonly zones: string[];
  /** @internal */ readonly zoneIds = new Map<string, number>();
  /** @internal Per zone: the UTC day whose offset is cached (see `offsetAt`), and that offset. */ readonly zoneDay: number[] = [Number.NaN];
  /** @internal */ readonly zoneOffset: number[] = [0];
  /** @internal Segment names; 0 is "no segment" (pooled with the population directly). */ readonly segments: string[] = [''];
  /** @internal */ readonly segmentIds = new Map<string, number>();
  /** @internal Σ hours over everyone. */ readonly populationHours: Float64Array = new Float64Array(H);
  /** @internal Σ hours per segment, segment-major. */ segmentHours: Float64Array = new Float64Array(H);
  /** @internal Σ counters over everyone. */ readonly populationCounters: Float64Array;
  /** @internal Σ counters per segment. */ segmentCounters: Float64Array;
  /** @internal Estimated concentrations, refreshed by `refit`. */ fit: TimingFit | null = null;
  /**
   * @internal `bestSendTime`'s hour profile and slot-grid storage, reused by each call on this model (both live
   * only during one call): two buffers outside the JavaScript heap per call cost ≈ 3 µs of ≈ 20. Not serialised.
   */
  bestProfile: Float64Array | null = null;
  /** @internal See `bestProfile`; at most MAX_MOMENTS × 12 bytes (240 kB). */ bestGrid = new ArrayBuffer(0);

  constructor(options: TimingModelOptionsInput = {}) {
    this.options = parseWith(timingModelOptionsSchema, options, 'CONFIG_INVALID');
    const channels = [...new Set(this.options.channels)];
    this.channels = channels;
    this.channelIndex = new Map(channels.map((c, i) => [c, i]));
    this.zones = [this.options.timeZone];
    this.zoneIds.set(this.options.timeZone, 0);
    this.populationCounters = new Float64Array(channels.length * 3);
    this.segmentCounters = new Float64Array(channels.length * 3);
  }

  /** Number of people the model holds. */
  get size(): number {
    return this.ids.length;
  }

  /** True when the model holds the person (a contact, response or profile was recorded). */
  has(subjectId: string): boolean {
    return this.index.has(subjectId);
  }

  /**
   * Sets a person's zone and/or segment (their counts move to the new segment's sums; the concentrations wait for
   * the next `refit`, as after any update). Throws `TIMEZONE_INVALID`.
   */
  setProfile(subjectId: string, profile: TimingProfile): void {
    checkId(subjectId, 'subjectId');
    expectObject(profile, ['profile']);
    const { timeZone, segment } = profile;
    if (timeZone !== undefined) assertTimeZone(timeZone, ['profile', 'timeZone']);
    if (segment !== undefined) checkId(segment, 'profile', 'segment');
    const row = this.rowOf(subjectId);
    if (timeZone !== undefined) this.zoneOf[row] = this.zoneId(timeZone);
    if (segment !== undefined) {
      const next = this.segmentId(segment);
      const prev = this.segmentOf[row]!;
      if (next !== prev) {
        this.moveSegment(row, prev, next);
        this.segmentOf[row] = next;
      }
    }
  }

  /** The person's profile (defaults filled in), or `undefined` when the model does not hold them. */
  profileOf(subjectId: string): { readonly timeZone: string; readonly segment: string | undefined } | undefined {
    const row = this.index.get(subjectId);
    if (row === undefined) return undefined;
    const s = this.segmentOf[row]!;
    return { timeZone: this.zones[this.zoneOf[row]!]!, segment: s === 0 ? undefined : this.segments[s] };
  }

  /**
   * Counts a contact. Throws `INPUT_INVALID` (bad shape), `TIMING_UNKNOWN_CHANNEL`, `TIME_INVALID`, or
   * `TIMING_FUTURE_RECORD` when `at > now`; nothing is written then.
   */
  observeContact(contact: TimingContact, now: EpochMs): void {
    expectObject(contact, ['contact']);
    checkId(contact.subjectId, 'subjectId');
    const ch = this.channelOf(contact.channel);
    checkAt(contact.at, now);
    const row = this.rowOf(contact.subjectId);
    this.bump(row, ch, SENT);
  }

  /**
   * Counts a response: the first engagement per contact it is given (opened, clicked, accepted or converted) adds
   * one to the person's local hour of the week at `at` and to the channel's responded count; a conversion adds to
   * the converted count. Other kinds (refused, ignored, …) are valid and not learned from. O(1), no allocation.
   *
   * "First" is in call order, not in time: give responses in time order (`observeHistory` sorts them); a click
   * given before the open it followed counts the click's hour. Which contacts are remembered: per person, the
   * last 4 contacts answered (a 32-bit fingerprint of `contactId` each, in the order of their first response;
   * not saved by `toJSON`, not merged). A response to one of them adds nothing but a first conversion; a
   * response to a contact answered before those 4 counts again as a first response (its hour, responded, and
   * converted when it converts; responded and converted never exceed sent). The bound keeps the memory at 18 B
   * per person; remembering every answered contact would grow without end. Two ids of one person with the same
   * fingerprint count as one contact.
   *
   * Throws `TIMING_RESPONSE_WITHOUT_CONTACT` when the response has no `contactId` or its person has no contact
   * on that channel in the model; `TIMING_FUTURE_RECORD` when `at > now`; `TIMING_UNKNOWN_CHANNEL`;
   * `INPUT_INVALID` on a bad kind or shape. Nothing is written then.
   */
  observeResponse(response: TimingResponse, now: EpochMs): void {
    expectObject(response, ['response']);
    const { subjectId, contactId, at } = response;
    checkId(subjectId, 'subjectId');
    const ch = this.channelOf(response.channel);
    const kind = KIND.get(response.kind);
    if (kind === undefined) throw inputError(`Unknown response kind ${quoted(response.kind)}`, ['kind']);
    checkAt(at, now);
    const row = this.index.get(subjectId);
    if (typeof contactId !== 'string' || contactId.length === 0 || row === undefined || this.counters[(row * this.channels.length + ch) * 3 + SENT] === 0) {
      throw new CrossChannelError<TimingErrorCode>('TIMING_RESPONSE_WITHOUT_CONTACT', `A ${response.kind} response of ${subjectId} on ${response.channel} answers no contact the model has seen`, {
        path: ['contactId'],
        detail: { subjectId, channel: response.channel, contactId: contactId ?? null },
      });
    }
    if (kind === 0) return;
    const hash = fnv1a(contactId);
    const base = row * RING;
    let slot = -1;
    for (let i = 0; i < RING; i++) if (this.ring[base + i] === hash) slot = i;
    if (slot < 0) {
      slot = this.ringNext[row]!;
      this.ringNext[row] = (slot + 1) % RING;
      this.ring[base + slot] = hash;
      this.ringConverted[row] = this.ringConverted[row]! & ~(1 << slot);
      this.bumpHour(row, wallHourOfWeek(at + this.offsetAt(this.zoneOf[row]!, at)));
      this.bump(row, ch, RESPONDED);
    }
    if (kind === 2 && (this.ringConverted[row]! & (1 << slot)) === 0) {
      this.ringConverted[row] = this.ringConverted[row]! | (1 << slot);
      this.bump(row, ch, CONVERTED);
    }
  }

  /**
   * Counts one person's history: its contacts, then for each answered contact one first response — the earliest
   * engagement (responses are sorted by `at`), counted as converted when any response to that contact is a
   * conversion — so within one history every contact counts once, however many the person answered. Everything
   * is checked before anything is written; on error nothing is written: a response whose `contactId` names no
   * contact of the history on the response's channel throws `TIMING_RESPONSE_WITHOUT_CONTACT` at its path
   * (`responses[3].contactId`), a record after `now` `TIMING_FUTURE_RECORD`, a bad id, kind, channel or subject
   * `INPUT_INVALID` / `TIMING_UNKNOWN_CHANNEL` at its path. Across calls, {@link TimingModel.observeResponse}'s
   * memory of answered contacts applies.
   */
  observeHistory(history: { readonly subjectId: string; readonly contacts: ReadonlyArray<TimingContact & { readonly id?: string }>; readonly responses: ReadonlyArray<TimingResponse> }, now: EpochMs): void {
    checkHistoryArg(history, [], HISTORY_LISTS, false);
    checkId(history.subjectId, 'subjectId');
    // Contact id and channel (channels hold no NUL, so the key names one pair).
    const sent = new Set<string>();
    history.contacts.forEach((c, i) => {
      namingUnder(['contacts', i], () => {
        expectObject(c, []);
        if (c.subjectId !== history.subjectId) throw inputError('contact of another subject', ['subjectId']);
        this.channelOf(c.channel);
        checkAt(c.at, now);
      });
      if (typeof c.id === 'string') sent.add(c.id + '\0' + c.channel);
    });
    history.responses.forEach((r, i) => {
      namingUnder(['responses', i], () => {
        expectObject(r, []);
        if (r.subjectId !== history.subjectId) throw inputError('response of another subject', ['subjectId']);
        this.channelOf(r.channel);
        if (!KIND.has(r.kind)) throw inputError(`Unknown response kind ${quoted(r.kind)}`, ['kind']);
        checkAt(r.at, now);
        if (typeof r.contactId !== 'string' || !sent.has(r.contactId + '\0' + r.channel)) {
          throw new CrossChannelError<TimingErrorCode>('TIMING_RESPONSE_WITHOUT_CONTACT', `Response ${i} names no ${r.channel} contact of this history`, { path: ['contactId'], detail: { contactId: r.contactId ?? null } });
        }
      });
    });
    for (const c of history.contacts) this.observeContact(c, now);
    const first = new Map<string, TimingResponse>();
    for (const r of [...history.responses].sort((a, b) => a.at - b.at)) {
      if (KIND.get(r.kind) === 0) continue;
      const seen = first.get(r.contactId!);
      first.set(r.contactId!, !seen ? r : r.kind === 'converted' ? { ...seen, kind: r.kind } : seen);
    }
    for (const r of first.values()) this.observeResponse(r, now);
  }

  /**
   * Adds another model's counts (a shard learned elsewhere) into this one. Both must have the same channels
   * (else `TIMING_MODEL_INVALID`). A profile set in either model survives, field by field: a person's zone or
   * segment set here wins over the other's; where this model has none for them (its default zone, no segment),
   * the other's is taken (a zone set to this model's default counts as none).
   */
  merge(other: TimingModel): this {
    if (!(other instanceof TimingModel)) throw inputError('merge expects a TimingModel', ['other']);
    if (other === this) throw inputError('A model cannot be merged into itself', ['other']);
    if (other.channels.length !== this.channels.length || other.channels.some((c, i) => c !== this.channels[i])) {
      throw new CrossChannelError<TimingErrorCode>('TIMING_MODEL_INVALID', 'Models with different channels cannot be merged', { detail: { ours: this.channels, theirs: other.channels } });
    }
    const C = this.channels.length;
    for (let r = 0; r < other.ids.length; r++) {
      const id = other.ids[r]!;
      const row = this.rowOf(id);
      // Per field, a zone or segment set here wins; one this model does not know (default zone, no segment) is the other's.
      if (this.zoneOf[row] === 0) this.zoneOf[row] = this.zoneId(other.zones[other.zoneOf[r]!]!);
      const s = other.segmentOf[r]!;
      if (s !== 0 && this.segmentOf[row] === 0) {
        const next = this.segmentId(other.segments[s]!);
        this.moveSegment(row, 0, next);
        this.segmentOf[row] = next;
      }
      for (let h = 0; h < H; h++) {
        const n = other.hours[r * H + h]!;
        if (n > 0) this.bumpHour(row, h, n);
      }
      for (let ch = 0; ch < C; ch++) {
        const o = (r * C + ch) * 3;
        // Sent first, so that responded ≤ sent holds at every step.
        for (const k of [SENT, RESPONDED, CONVERTED]) {
          const n = other.counters[o + k]!;
          if (n > 0) this.bump(row, ch, k, n);
        }
      }
    }
    this.fit = null;
    return this;
  }

  /**
   * The model as versioned JSON (counts only; the concentrations are re-estimated after loading). Load it back
   * with `parseTimingModel`, which validates it.
   */
  toJSON(): TimingModelJSON {
    const C = this.channels.length;
    const people: Array<[string, number, number, number[], number[]]> = [];
    for (let r = 0; r < this.ids.length; r++) {
      const hours: number[] = [];
      for (let h = 0; h < H; h++) {
        const n = this.hours[r * H + h]!;
        if (n > 0) hours.push(h, n);
      }
      people.push([this.ids[r]!, this.zoneOf[r]!, this.segmentOf[r]!, hours, Array.from(this.counters.subarray(r * C * 3, (r + 1) * C * 3))]);
    }
    const o = this.options;
    return {
      version: 1,
      options: { channels: [...this.channels], timeZone: o.timeZone, fallbackConcentration: { ...o.fallbackConcentration }, ...(o.fixedConcentration ? { fixedConcentration: { ...o.fixedConcentration } } : {}) },
      zones: [...this.zones],
      segments: [...this.segments],
      people,
    };
  }

  /** Approximate bytes held per person (typed arrays plus the id and its map entry). */
  bytesPerPerson(): number {
    const C = this.channels.length;
    const arrays = H * 2 + 4 + C * 3 * 2 + RING * 4 + 1 + 1 + 2 + 2;
    let idBytes = 0;
    const sample = Math.min(this.ids.length, 1000);
    for (let i = 0; i < sample; i++) idBytes += 16 + this.ids[i]!.length * 2;
    // A Map entry costs about 3 words on V8; the id array one more.
    return arrays + (sample === 0 ? 0 : idBytes / sample) + 32;
  }

  /** @internal The row of a person, created (default zone, no segment) when new. */
  rowOf(subjectId: string): number {
    let row = this.index.get(subjectId);
    if (row !== undefined) return row;
    row = this.ids.length;
    if (row >= this.capacity) this.grow(Math.max(64, this.capacity * 2));
    this.ids.push(subjectId);
    this.index.set(subjectId, row);
    return row;
  }

  /**
   * @internal Offset of zone `z` at `at`, from a one-entry cache per zone: the UTC day last asked about, when the
   * offset is the same at both its ends (responses mostly arrive in time order, so most lookups hit it).
   */
  offsetAt(z: number, at: number): number {
    const day = Math.floor(at / DAY);
    if (this.zoneDay[z] === day) return this.zoneOffset[z]!;
    const zone = this.zones[z]!;
    const offset = zoneOffsetMs(at, zone);
    if (zoneOffsetMs(day * DAY, zone) === offset && zoneOffsetMs(day * DAY + DAY - 1, zone) === offset) {
      this.zoneDay[z] = day;
      this.zoneOffset[z] = offset;
    }
    return offset;
  }

  /** @internal `path`: where the caller named the channel (`channel`, or `channels.sms` for rankChannels' map). */
  channelOf(channel: unknown, path: ReadonlyArray<string> = ['channel']): number {
    const ch = typeof channel === 'string' ? this.channelIndex.get(channel) : undefined;
    if (ch === undefined) {
      throw new CrossChannelError<TimingErrorCode>('TIMING_UNKNOWN_CHANNEL', `Channel ${quoted(channel)} is not one of the model's channels`, { path, detail: { channels: this.channels } });
    }
    return ch;
  }

  /** @internal */
  zoneId(zone: string): number {
    let z = this.zoneIds.get(zone);
    if (z === undefined) {
      z = this.zones.length;
      if (z > MAX_U16) throw inputError('Too many distinct time zones');
      this.zones.push(zone);
      this.zoneIds.set(zone, z);
      this.zoneDay.push(Number.NaN);
      this.zoneOffset.push(0);
    }
    return z;
  }

  /** @internal */
  segmentId(segment: string): number {
    let s = this.segmentIds.get(segment);
    if (s === undefined) {
      s = this.segments.length;
      if (s > MAX_U16) throw inputError('Too many distinct segments');
      this.segments.push(segment);
      this.segmentIds.set(segment, s);
      // Grown by doubling, like the people's arrays: one segment at a time copied all the sums each time
      // (quadratic: 8,000 segments took 38 s).
      if (this.segmentHours.length < (s + 1) * H) {
        const hours = new Float64Array(2 * s * H);
        hours.set(this.segmentHours);
        this.segmentHours = hours;
        const counters = new Float64Array(2 * s * this.channels.length * 3);
        counters.set(this.segmentCounters);
        this.segmentCounters = counters;
      }
    }
    return s;
  }

  /** @internal Adds `n` first responses at hour `h`, halving the person's hours when a counter would overflow. */
  bumpHour(row: number, h: number, n = 1): void {
    const i = row * H + h;
    const seg = this.segmentOf[row]!;
    while (this.hours[i]! + n > MAX_U16) {
      const take = Math.min(n, MAX_U16 - this.hours[i]!);
      if (take > 0) {
        this.addHour(row, seg, h, take);
        n -= take;
      }
      this.halveHours(row, seg);
    }
    this.addHour(row, seg, h, n);
  }

  private addHour(row: number, seg: number, h: number, n: number): void {
    this.hours[row * H + h] = this.hours[row * H + h]! + n;
    this.totals[row] = this.totals[row]! + n;
    this.populationHours[h] = this.populationHours[h]! + n;
    this.segmentHours[seg * H + h] = this.segmentHours[seg * H + h]! + n;
  }

  private halveHours(row: number, seg: number): void {
    let total = 0;
    for (let h = 0; h < H; h++) {
      const old = this.hours[row * H + h]!;
      const half = old >>> 1;
      this.hours[row * H + h] = half;
      this.populationHours[h] = this.populationHours[h]! - (old - half);
      this.segmentHours[seg * H + h] = this.segmentHours[seg * H + h]! - (old - half);
      total += half;
    }
    this.totals[row] = total;
  }

  /** @internal Adds `n` to one counter of a person × channel, halving that channel's counters on overflow. */
  bump(row: number, ch: number, k: number, n = 1): void {
    const C = this.channels.length;
    const o = (row * C + ch) * 3;
    const seg = this.segmentOf[row]!;
    const so = (seg * C + ch) * 3;
    const po = ch * 3;
    // Responded and converted never exceed sent (a lost ring entry could otherwise count a response twice), so
    // only sent saturates.
    if (k !== SENT) n = Math.min(n, this.counters[o + SENT]! - this.counters[o + k]!);
    while (this.counters[o + k]! + n > MAX_U16) {
      // What fits is added before each halving, as updates one at a time would: a merge adding a large count
      // halves once per saturation, not until the count fits whole.
      const take = MAX_U16 - this.counters[o + k]!;
      this.counters[o + k] = MAX_U16;
      this.segmentCounters[so + k] = this.segmentCounters[so + k]! + take;
      this.populationCounters[po + k] = this.populationCounters[po + k]! + take;
      n -= take;
      for (let j = 0; j < 3; j++) {
        const old = this.counters[o + j]!;
        const half = old >>> 1;
        this.counters[o + j] = half;
        this.segmentCounters[so + j] = this.segmentCounters[so + j]! - (old - half);
        this.populationCounters[po + j] = this.populationCounters[po + j]! - (old - half);
      }
    }
    if (n <= 0) return;
    this.counters[o + k] = this.counters[o + k]! + n;
    this.segmentCounters[so + k] = this.segmentCounters[so + k]! + n;
    this.populationCounters[po + k] = this.populationCounters[po + k]! + n;
  }

  private moveSegment(row: number, from: number, to: number): void {
    for (let h = 0; h < H; h++) {
      const n = this.hours[row * H + h]!;
      this.segmentHours[from * H + h] = this.segmentHours[from * H + h]! - n;
      this.segmentHours[to * H + h] = this.segmentHours[to * H + h]! + n;
    }
    const C = this.channels.length;
    for (let j = 0; j < C * 3; j++) {
      const n = this.counters[row * C * 3 + j]!;
      this.segmentCounters[from * C * 3 + j] = this.segmentCounters[from * C * 3 + j]! - n;
      this.segmentCounters[to * C * 3 + j] = this.segmentCounters[to * C * 3 + j]! + n;
    }
    // The concentrations are kept, as after any update (they do not depend on which segments exist): discarding
    // them made the next prediction re-estimate them, one pass over every person, after each segment change.
  }

  private grow(capacity: number): void {
    const C = this.channels.length;
    const grown = <T extends Uint8Array | Uint16Array | Uint32Array>(old: T, make: (n: number) => T, per: number): T => {
      const next = make(capacity * per);
      next.set(old);
      return next;
    };
    this.hours = grown(this.hours, (n) => new Uint16Array(n), H);
    this.totals = grown(this.totals, (n) => new Uint32Array(n), 1);
    this.counters = grown(this.counters, (n) => new Uint16Array(n), C * 3);
    this.ring = grown(this.ring, (n) => new Uint32Array(n), RING);
    this.ringConverted = grown(this.ringConverted, (n) => new Uint8Array(n), 1);
    this.ringNext = grown(this.ringNext, (n) => new Uint8Array(n), 1);
    this.zoneOf = grown(this.zoneOf, (n) => new Uint16Array(n), 1);
    this.segmentOf = grown(this.segmentOf, (n) => new Uint16Array(n), 1);
    this.capacity = capacity;
  }
}

/**
 * Versioned JSON form of a {@link TimingModel}: options, the zone and segment names, and per person
 * `[id, zone index, segment index, [hour, count, hour, count, …], [sent, responded, converted per channel]]`.
 *
 * @example
 * ```ts
 * declare const model: TimingModel;
 * const json: TimingModelJSON = model.toJSON();
 * ```
 */
export interface TimingModelJSON {
  readonly version: 1;
  readonly options: TimingModelOptionsInput;
  readonly zones: ReadonlyArray<string>;
  readonly segments: ReadonlyArray<string>;
  readonly people: ReadonlyArray<readonly [string, number, number, ReadonlyArray<number>, ReadonlyArray<number>]>;
}

/**
 * Concentrations estimated by `refit` (see [docs/timing.md](../../docs/timing.md)): how many pseudo-observations the parent level is
 * worth, for the hours of the week and per channel for response and conversion rates.
 *
 * @example
 * ```ts
 * declare const model: TimingModel;
 * const fit: TimingFit = refit(model);
 * fit.hours.person; // e.g. 18: a person with 18 responses is half themselves, half their segment
 * ```
 */
export interface TimingFit {
  readonly hours: { readonly person: number; readonly segment: number };
  /** Per channel (storage order): response-rate concentrations. */
  readonly response: { readonly person: Float64Array; readonly segment: Float64Array };
  /** Per channel: conversion-rate concentrations. */
  readonly conversion: { readonly person: Float64Array; readonly segment: Float64Array };
}

/** What `parseTimingModel` takes back (`idSchema`): 1–256 characters, no control characters. */
function checkId(v: unknown, ...path: string[]): void {
  if (!isIdString(v)) throw inputError(`${path.join('.')} must be 1–256 characters without control characters`, path);
}

/** @internal Throws `TIME_INVALID` unless the field `name` is integer epoch ms. */
export function checkEpochMs(value: unknown, name: string, hint = ''): asserts value is number {
  // The model reads local hours, so an instant must be one the calendar takes (years 1–9999), named as itself.
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || !isCalendarInstant(value)) {
    throw new CrossChannelError<TimingErrorCode>('TIME_INVALID', `${name} must be integer epoch ms between the years 1 and 9999${hint}`, { path: [name] });
  }
}

/** @internal Throws `TIME_INVALID` or `TIMING_FUTURE_RECORD` (at `at`) unless `at` is integer epoch ms ≤ `now`. */
export function checkAt(at: unknown, now: unknown): void {
  checkEpochMs(now, 'now');
  checkEpochMs(at, 'at', ' (parse records first)');
  if (at > now) throw new CrossChannelError<TimingErrorCode>('TIMING_FUTURE_RECORD', `A record dated ${at} is after now (${now})`, { path: ['at'], detail: { at, now } });
}


/** FNV-1a, 32 bits: a contact id's fingerprint in the ring of answered contacts (a collision only merges two). */
function fnv1a(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0 || 1;
}

/** @internal The record lists of a history the model and `bestSendTime` read. */
export const HISTORY_LISTS: ReadonlyArray<RecordList> = ['contacts', 'responses'];

