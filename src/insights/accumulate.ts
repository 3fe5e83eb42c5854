import { inputError, underPath } from '../core/errors.js';
import { progressCounter, type ProgressOptions } from '../core/progress.js';
import type { History } from '../core/records.js';
import { isCalendarInstant, type EpochMs } from '../core/time.js';
import { COUNTER, COUNTER_SLOTS } from './kpis.js';
import { parseKpiOptions, type GroupDimension, type KpiOptions, type KpiOptionsInput } from './options.js';
import { PeriodIndex } from './periods.js';
import { checkHistory, checkMergeable, finiteNumbers, forEachHistory } from './validate.js';

/** A person's history plus, optionally, the segments they belong to (for grouping by segment). */
export interface SubjectHistory extends History {
  readonly segments?: ReadonlyArray<string>;
}

/** The value of each grouping dimension for one group; `(none)` when a record has no campaign/offer/channel. */
export interface GroupKey {
  readonly channel?: string;
  readonly campaign?: string;
  readonly offer?: string;
  readonly segment?: string;
  /** Start of the local period (epoch ms). */
  readonly period?: EpochMs;
}

/** The label of a missing dimension value (a behaviour event has no campaign; some have no channel). */
export const NONE = '(none)';

interface Group {
  readonly key: string;
  readonly dims: GroupKey;
  readonly c: Float64Array;
  prevKey: string | null | undefined;
  seenActive: number;
  seenReached: number;
  seenBuyer: number;
  purchasesNow: number;
}

/** The JSON form of a {@link KpiAccumulator}'s state: options, one counter array per group, pressure histograms. */
export interface KpiStateJSON {
  readonly version: 1;
  readonly options: KpiOptions;
  readonly groups: ReadonlyArray<{ readonly key: GroupKey; readonly counters: ReadonlyArray<number> }>;
  /** Per channel, person-weeks by marketing contacts 0 … `pressureBuckets`, the last bucket holding that many or more. */
  readonly pressure: Readonly<Record<string, ReadonlyArray<number>>>;
  /**
   * Per channel, the person-weeks of the last bucket with more than `pressureBuckets` contacts, by their exact
   * count (`{ "40": 1 }`), so that caps, means and percentiles above the buckets stay exact. Absent in states
   * written before it existed: their last bucket then counts as exactly `pressureBuckets`.
   */
  readonly pressureAbove?: Readonly<Record<string, Readonly<Record<string, number>>>>;
  readonly subjects: number;
  /**
   * The channels of the records in the range (sorted), against which a spend table's channels are checked whatever the
   * grouping. Absent in states written before it existed: a spend table is then checked only when grouped by channel.
   */
  readonly channels?: ReadonlyArray<string>;
}

const SEP = '\u001f';

/**
 * The one-pass, mergeable KPI accumulator. Feed it each person's {@link History} once (any order of people, from
 * any number of shards); it keeps one small counter array per group and a pressure histogram per channel, so
 * memory depends on the number of groups, never on the number of records. Distinct-people counts (active
 * people, buyers, retention) add up across shards when shards split people, not records.
 *
 * @example
 * ```ts
 * declare const histories: Iterable<SubjectHistory>;
 *
 * const acc = new KpiAccumulator({ by: ['channel'] });
 * for (const h of histories) acc.add(h);
 * const table = kpiTable(acc, ['contacts', 'conversionRate']);
 * ```
 */
export class KpiAccumulator {
  /** The parsed options. */
  readonly options: KpiOptions;
  private readonly groups = new Map<string, Group>();
  private readonly pressureHist = new Map<string, Float64Array>();
  private readonly pressureAbove = new Map<string, Map<number, number>>();
  private readonly periods: PeriodIndex | undefined;
  private readonly weeks: PeriodIndex;
  private readonly undelivered: ReadonlySet<string>;
  private readonly dims: ReadonlyArray<GroupDimension>;
  private readonly hasSegment: boolean;
  private ordinal = 0;
  private subjectCount = 0;
  private readonly activeNow: Group[] = [];
  private readonly buf: Group[] = [];
  private readonly wkChannel: string[] = [];
  private readonly wkStart: number[] = [];
  private readonly wkCount: number[] = [];
  /** Groups by their non-period key, then by period start (0 without periods): no string per record for the period. */
  private readonly index = new Map<string, Map<number, Group>>();
  private readonly nonPeriod: ReadonlyArray<GroupDimension>;
  /** Channels of the records in the range, when not grouped by channel (the groups name them otherwise); `undefined` once a state without them was merged. */
  private channelSet: Set<string> | undefined;
  private lastGroup: Group | undefined;
  private lastPartial = '';
  private lastPeriod = 0;

  constructor(options: KpiOptionsInput | KpiOptions = {}) {
    this.options = parseKpiOptions(options as KpiOptionsInput);
    const o = this.options;
    this.dims = o.by;
    this.hasSegment = o.by.includes('segment');
    this.nonPeriod = o.by.filter((d) => d !== 'period');
    this.periods = o.by.includes('period') ? new PeriodIndex(o.period, o.timeZone, o.weekStartsOn) : undefined;
    this.weeks = new PeriodIndex('week', o.timeZone, o.weekStartsOn);
    this.undelivered = new Set(o.undeliveredTags);
    if (!o.by.includes('channel')) this.channelSet = new Set();
  }

  /** Number of people added so far. */
  get subjects(): number {
    return this.subjectCount;
  }

  /**
   * Adds one person's history. The history is checked first (a bad record throws `INPUT_INVALID` or
   * `INSIGHTS_AMOUNT_NEGATIVE` with its path, and nothing is counted).
   */
  add(history: SubjectHistory): this {
    checkHistory(history, this.options);
    const o = this.options;
    const from = o.from ?? -Infinity;
    const to = o.to ?? Infinity;
    const ord = ++this.ordinal;
    this.subjectCount++;
    const segs = this.hasSegment ? (history.segments ?? []) : [];
    // Channels of the records in the range, when not grouped by channel (the groups name them otherwise).
    const seen = this.channelSet;
    let lastChannel: string | undefined;
    const active = this.activeNow;
    active.length = 0;

    const contacts = history.contacts;
    const buf = this.buf;
    // Marketing contacts per (channel, week) of this person: a handful of entries, scanned linearly.
    const wkChannel = this.wkChannel;
    const wkStart = this.wkStart;
    const wkCount = this.wkCount;
    let wkN = 0;
    for (let i = 0; i < contacts.length; i++) {
      const r = contacts[i]!;
      if (r.at < from || r.at >= to) continue;
      if (seen !== undefined && r.channel !== lastChannel) seen.add((lastChannel = r.channel));
      let delivered = 1;
      const tags = r.tags;
      if (tags !== undefined) for (let t = 0; t < tags.length; t++) if (this.undelivered.has(tags[t]!)) delivered = 0;
      const marketing = r.transactional === true ? 0 : 1;
      if (marketing === 1) {
        const w = this.weeks.startOf(r.at);
        let k = 0;
        while (k < wkN && (wkStart[k] !== w || wkChannel[k] !== r.channel)) k++;
        if (k === wkN) {
          wkChannel[k] = r.channel;
          wkStart[k] = w;
          wkCount[k] = 0;
          wkN++;
        }
        wkCount[k]!++;
      }
      const n = this.resolve(r.channel, r.campaignId, r.offerId, r.at, segs);
      for (let j = 0; j < n; j++) {
        const g = buf[j]!;
        const c = g.c;
        c[COUNTER.contacts]!++;
        c[COUNTER.marketingContacts]! += marketing;
        c[COUNTER.delivered]! += delivered;
        if (g.seenReached !== ord) {
          g.seenReached = ord;
          c[COUNTER.reached]!++;
        }
      }
    }
    for (let k = 0; k < wkN; k++) {
      const channel = wkChannel[k]!;
      const n = wkCount[k]!;
      this.histogramOf(channel)[Math.min(n, o.pressureBuckets)]!++;
      if (n > o.pressureBuckets) this.addAbove(channel, n, 1);
    }

    const responses = history.responses;
    // Opens and clicks of this person's contacts already counted: `3`/`4` (the slot) + contact id (made when needed).
    let once: Set<string> | undefined;
    for (let i = 0; i < responses.length; i++) {
      const r = responses[i]!;
      if (r.at < from || r.at >= to) continue;
      if (seen !== undefined && r.channel !== lastChannel) seen.add((lastChannel = r.channel));
      let slot = responseSlot(r.kind);
      // Unique opens and clicks: a contact opened three times is one open (rates stay shares of the delivered);
      // the key is the slot (one digit) and the contact id, counted when adding it grows the set.
      if (r.contactId !== undefined && (slot === COUNTER.opened || slot === COUNTER.clicked) && (once ??= new Set()).size === once.add(slot + r.contactId).size) slot = -1;
      const value = r.kind === 'converted' ? (r.value ?? 0) : 0;
      const n = this.resolve(r.channel, r.campaignId, r.offerId, r.at, segs);
      for (let j = 0; j < n; j++) {
        const g = buf[j]!;
        if (slot >= 0) g.c[slot]!++;
        g.c[COUNTER.conversionValue]! += value;
        this.markActive(g, ord, active);
      }
    }

    const events = history.events;
    let firstPurchase = -1;
    for (let i = 0; i < events.length; i++) {
      if (events[i]!.type === o.purchaseEvent) {
        firstPurchase = i;
        break;
      }
    }
    for (let i = 0; i < events.length; i++) {
      const e = events[i]!;
      if (e.at < from || e.at >= to) continue;
      if (seen !== undefined && (e.channel ?? NONE) !== lastChannel) seen.add((lastChannel = e.channel ?? NONE));
      const isPurchase = e.type === o.purchaseEvent;
      const isAbandon = e.type === o.cartAbandonEvent;
      const amount = isPurchase ? amountOf(e.properties, o.amountProperty) : 0;
      const acquired = i === firstPurchase;
      const n = this.resolve(e.channel ?? NONE, undefined, undefined, e.at, segs);
      for (let j = 0; j < n; j++) {
        const g = buf[j]!;
        const c = g.c;
        this.markActive(g, ord, active);
        if (isAbandon) c[COUNTER.cartAbandons]!++;
        if (isPurchase) {
          c[COUNTER.purchases]!++;
          c[COUNTER.revenue]! += amount;
          if (g.seenBuyer !== ord) {
            g.seenBuyer = ord;
            g.purchasesNow = 0;
            c[COUNTER.buyers]!++;
          }
          if (++g.purchasesNow === 2) c[COUNTER.repeatBuyers]!++;
          if (acquired) c[COUNTER.acquired]!++;
        }
      }
    }

    if (this.periods !== undefined) {
      for (let i = 0; i < active.length; i++) {
        const g = active[i]!;
        const prev = this.previousOf(g);
        if (prev !== undefined && prev.seenActive === ord) g.c[COUNTER.retained]!++;
      }
    }
    return this;
  }

  /** Adds every history of an iterable or async iterable (a store scan, a file stream). */
  async addAll(histories: Iterable<SubjectHistory> | AsyncIterable<SubjectHistory>): Promise<this> {
    await forEachHistory(histories, (h) => this.add(h));
    return this;
  }

  /** Adds another accumulator's (or its JSON's) counts: the result is as if this one had seen both. */
  merge(other: KpiAccumulator | KpiStateJSON): this {
    const json = other instanceof KpiAccumulator ? other.toJSON() : other;
    checkMergeable(json, 'options', this.options, 'Cannot merge KPI states computed with different options');
    if (!Array.isArray(json.groups) || typeof json.pressure !== 'object' || json.pressure === null || typeof json.subjects !== 'number') {
      throw inputError('Malformed KPI state', []);
    }
    checkStateValues(json, this.options.pressureBuckets);
    if (json.channels === undefined) this.channelSet = undefined;
    else for (const ch of json.channels) this.channelSet?.add(ch);
    for (const { key, counters } of json.groups) {
      const g = this.groupOf(key);
      for (let s = 0; s < COUNTER_SLOTS; s++) g.c[s]! += Number(counters[s] ?? 0);
    }
    for (const [channel, hist] of Object.entries(json.pressure)) {
      const h = this.histogramOf(channel);
      for (let b = 0; b < h.length; b++) h[b]! += Number(hist[b] ?? 0);
    }
    for (const [channel, counts] of Object.entries(json.pressureAbove ?? {})) for (const [n, weeks] of Object.entries(counts)) this.addAbove(channel, Number(n), Number(weeks));
    this.subjectCount += json.subjects;
    return this;
  }

  /** A JSON-able snapshot, to send from a worker and {@link KpiAccumulator.merge} elsewhere. */
  toJSON(): KpiStateJSON {
    const channels = this.channels();
    return {
      version: 1,
      options: this.options,
      groups: [...this.groups.values()].map((g) => ({ key: g.dims, counters: Array.from(g.c) })),
      pressure: Object.fromEntries([...this.pressureHist].map(([k, v]) => [k, Array.from(v)])),
      pressureAbove: Object.fromEntries([...this.pressureAbove].map(([k, m]) => [k, Object.fromEntries([...m].sort((a, b) => a[0] - b[0]))])),
      subjects: this.subjectCount,
      ...(channels === undefined ? {} : { channels }),
    };
  }

  /** @internal The channels of the records in the range (sorted); `undefined` when a state merged in did not say. */
  channels(): string[] | undefined {
    if (!this.options.by.includes('channel')) return this.channelSet && [...this.channelSet].sort();
    return [...new Set([...this.groups.values()].map((g) => g.dims.channel!))].sort();
  }

  /** @internal Groups with their counters and the previous period's counters. */
  entries(): Array<{ key: GroupKey; counters: Float64Array; previous: Float64Array | undefined }> {
    return [...this.groups.values()].map((g) => ({ key: g.dims, counters: g.c, previous: this.periods === undefined ? undefined : this.previousOf(g)?.c }));
  }

  /** @internal Pressure histograms by channel (index = marketing contacts in a person-week; last = that many or more). */
  pressure(): ReadonlyMap<string, Float64Array> {
    return this.pressureHist;
  }

  /** @internal Person-weeks above the last bucket by their exact count, by channel. */
  pressureTail(channel: string): ReadonlyMap<number, number> | undefined {
    return this.pressureAbove.get(channel);
  }

  private histogramOf(channel: string): Float64Array {
    let h = this.pressureHist.get(channel);
    if (h === undefined) {
      h = new Float64Array(this.options.pressureBuckets + 1);
      this.pressureHist.set(channel, h);
    }
    return h;
  }

  private addAbove(channel: string, n: number, weeks: number): void {
    let m = this.pressureAbove.get(channel);
    if (m === undefined) {
      m = new Map();
      this.pressureAbove.set(channel, m);
    }
    m.set(n, (m.get(n) ?? 0) + weeks);
  }

  private markActive(g: Group, ord: number, active: Group[]): void {
    if (g.seenActive !== ord) {
      g.seenActive = ord;
      g.c[COUNTER.people]!++;
      active.push(g);
    }
  }

  private previousOf(g: Group): Group | undefined {
    if (g.prevKey === undefined) {
      // The period containing the instant before this one's start: a day that began at 01:00 (clocks set forward at
      // midnight) follows the day before, which one local day back at the same time of day does not find.
      const p = g.dims.period;
      g.prevKey = p === undefined || !isCalendarInstant(p - 1) ? null : keyOf(this.dims, { ...g.dims, period: this.periods!.startOf(p - 1) });
    }
    return g.prevKey === null ? undefined : this.groups.get(g.prevKey);
  }

  /** Puts the groups a record counts in into `buf` (one, or one per segment) and returns how many. */
  private resolve(channel: string, campaign: string | undefined, offer: string | undefined, at: EpochMs, segs: ReadonlyArray<string>): number {
    const period = this.periods === undefined ? 0 : this.periods.startOf(at);
    if (!this.hasSegment) {
      this.buf[0] = this.groupAt(this.partialKey(channel, campaign, offer, ''), period, channel, campaign, offer, undefined);
      return 1;
    }
    for (let s = 0; s < segs.length; s++) {
      const seg = segs[s]!;
      this.buf[s] = this.groupAt(this.partialKey(channel, campaign, offer, seg), period, channel, campaign, offer, seg);
    }
    return segs.length;
  }

  private partialKey(channel: string, campaign: string | undefined, offer: string | undefined, segment: string): string {
    const dims = this.nonPeriod;
    if (dims.length === 0) return '';
    if (dims.length === 1) {
      const d = dims[0]!;
      return d === 'channel' ? channel : d === 'campaign' ? (campaign ?? NONE) : d === 'offer' ? (offer ?? NONE) : segment;
    }
    let k = '';
    for (let i = 0; i < dims.length; i++) {
      const d = dims[i]!;
      const v = d === 'channel' ? channel : d === 'campaign' ? (campaign ?? NONE) : d === 'offer' ? (offer ?? NONE) : segment;
      // A value holding the separator (rare) makes a JSON key, which holds none: two groups never share a key.
      if (v.indexOf(SEP) >= 0) return JSON.stringify([channel, campaign ?? NONE, offer ?? NONE, segment]);
      k = i === 0 ? v : k + SEP + v;
    }
    return k;
  }

  private groupAt(partial: string, period: number, channel?: string, campaign?: string, offer?: string, segment?: string): Group {
    // Consecutive records of a person mostly fall in the same group (a response follows its contact).
    const last = this.lastGroup;
    if (last !== undefined && period === this.lastPeriod && partial === this.lastPartial) return last;
    const g = this.lookup(partial, period, channel, campaign, offer, segment);
    this.lastGroup = g;
    this.lastPartial = partial;
    this.lastPeriod = period;
    return g;
  }

  private lookup(partial: string, period: number, channel?: string, campaign?: string, offer?: string, segment?: string): Group {
    let byPeriod = this.index.get(partial);
    if (byPeriod === undefined) {
      byPeriod = new Map();
      this.index.set(partial, byPeriod);
    }
    let g = byPeriod.get(period);
    if (g === undefined) {
      const dims: Record<string, string | number> = {};
      for (const d of this.dims) dims[d] = d === 'channel' ? channel! : d === 'campaign' ? (campaign ?? NONE) : d === 'offer' ? (offer ?? NONE) : d === 'segment' ? segment! : period;
      const k = keyOf(this.dims, dims as GroupKey);
      g = { key: k, dims: dims as GroupKey, c: new Float64Array(COUNTER_SLOTS), prevKey: undefined, seenActive: 0, seenReached: 0, seenBuyer: 0, purchasesNow: 0 };
      byPeriod.set(period, g);
      this.groups.set(k, g);
    }
    return g;
  }

  private groupOf(key: GroupKey): Group {
    return this.groupAt(this.partialKey(key.channel ?? NONE, key.campaign, key.offer, key.segment ?? NONE), key.period ?? 0, key.channel, key.campaign, key.offer, key.segment);
  }
}

/** A group's key: its dimensions' values as JSON (injective, whatever the values hold). */
function keyOf(dims: ReadonlyArray<GroupDimension>, key: GroupKey): string {
  return JSON.stringify(dims.map((d) => (d === 'period' ? key.period : (key[d] ?? NONE))));
}

function responseSlot(kind: string): number {
  switch (kind) {
    case 'opened':
      return COUNTER.opened;
    case 'clicked':
      return COUNTER.clicked;
    case 'converted':
      return COUNTER.converted;
    case 'unsubscribed':
      return COUNTER.unsubscribed;
    case 'complained':
      return COUNTER.complained;
    default:
      return -1;
  }
}

/** An order's amount: the numeric property, 0 when absent (validation has rejected non-numbers and negatives). */
export function amountOf(properties: unknown, name: string): number {
  const v = (properties as Record<string, unknown> | undefined)?.[name];
  return typeof v === 'number' ? v : 0;
}

/**
 * Computes the KPI state of a whole population in one pass (sync iterable) — a shortcut for
 * `new KpiAccumulator(options)` plus `add` for each history.
 *
 * @example
 * ```ts
 * declare const histories: SubjectHistory[];
 *
 * const state = accumulateKpis(histories, { by: ['channel', 'period'], period: 'month', timeZone: 'Europe/Paris' });
 * ```
 */
export function accumulateKpis(histories: Iterable<SubjectHistory>, options: KpiOptionsInput = {}, progress?: ProgressOptions): KpiAccumulator {
  const acc = new KpiAccumulator(options);
  const tracker = progressCounter(progress, ['progress']);
  if (histories === null || typeof histories !== 'object' || typeof (histories as Iterable<unknown>)[Symbol.iterator] !== 'function') {
    throw inputError('Expected an iterable of histories', []);
  }
  let i = 0;
  for (const h of histories) {
    try {
      acc.add(h);
    } catch (e) {
      throw underPath(e, [i]);
    }
    i++;
    tracker?.step();
  }
  tracker?.end();
  return acc;
}

/**
 * Every value a merge reads, checked before anything is added (a state from another process may be malformed; a
 * bad value found halfway would leave this accumulator half-merged): group keys of strings (a period in epoch ms),
 * counters and pressure histograms of finite numbers, exact counts above the last bucket (`last`) that its bucket
 * holds, a finite subject count.
 */
function checkStateValues(json: KpiStateJSON, last: number): void {
  const bad = (path: Array<string | number>): never => {
    throw inputError('Malformed KPI state', path);
  };
  // Every index, holes included (forEach skips them, and the merge would then read undefined).
  for (let i = 0; i < json.groups.length; i++) {
    const g = json.groups[i];
    if (typeof g !== 'object' || g === null || typeof g.key !== 'object' || g.key === null) bad(['groups', i]);
    for (const [k, v] of Object.entries(g!.key)) if (typeof v !== (k === 'period' ? 'number' : 'string')) bad(['groups', i, 'key', k]);
    finiteNumbers(g!.counters, ['groups', i, 'counters'], 'KPI');
  }
  const ch = json.channels;
  if (ch !== undefined) {
    if (!Array.isArray(ch)) bad(['channels']);
    for (let i = 0; i < ch.length; i++) if (typeof ch[i] !== 'string') bad(['channels', i]);
  }
  for (const [channel, hist] of Object.entries(json.pressure)) finiteNumbers(hist, ['pressure', channel], 'KPI');
  // Exact counts above the last bucket: whole numbers beyond it, with finite person-weeks that its bucket holds.
  const above = json.pressureAbove;
  if (above !== undefined) {
    if (typeof above !== 'object' || above === null || Array.isArray(above)) bad(['pressureAbove']);
    for (const [channel, counts] of Object.entries(above)) {
      if (typeof counts !== 'object' || counts === null || Array.isArray(counts)) bad(['pressureAbove', channel]);
      let total = 0;
      for (const [n, weeks] of Object.entries(counts)) {
        if (!/^[1-9]\d{0,14}$/.test(n) || Number(n) <= last || typeof weeks !== 'number' || !(weeks >= 0 && weeks < Infinity)) bad(['pressureAbove', channel, n]);
        total += weeks;
      }
      if (total > Number(Object.hasOwn(json.pressure, channel) ? (json.pressure[channel]?.[last] ?? 0) : 0)) bad(['pressureAbove', channel]);
    }
  }
  if (!Number.isFinite(json.subjects)) bad(['subjects']);
}
