import type { BehaviourEvent } from '../core/records.js';
import type { ProgressOptions } from '../core/progress.js';
import { expectCompiledSegments, expectArray, expectFinite, expectIterable, expectObject, expectObjects, expectOptions, expectString } from '../core/guards.js';
import { inputError, underPath } from '../core/errors.js';
import { inTimeOrder } from './events.js';
import type { EpochMs } from '../core/time.js';
import type { CompiledSegments, Profile } from './compile.js';

/** One profile to evaluate in a batch: its id, attributes and events (sorted by `at`, or they are sorted). */
export interface SegmentSubject {
  readonly id: string;
  readonly profile: Profile;
  readonly events: ReadonlyArray<BehaviourEvent>;
}

/** Options of {@link evaluateBatch} and {@link refreshBatch}. */
export interface BatchOptions extends ProgressOptions {
  /** Keep member ids per segment (default true); `false` keeps only counts, for very large populations. */
  readonly collectMembers?: boolean;
}

/**
 * Memberships of a population: counts per segment and (optionally) member ids. Results of shards merge with
 * {@link mergeBatchResults}.
 */
export interface BatchResult {
  readonly processed: number;
  /** Members per segment id (every segment of the set has an entry, possibly 0). */
  readonly counts: Readonly<Record<string, number>>;
  /** Member subject ids per segment id, in input order; empty arrays when `collectMembers` is false. */
  readonly members: Readonly<Record<string, ReadonlyArray<string>>>;
}

function checkSubject(s: SegmentSubject): void {
  if (typeof s !== 'object' || s === null || typeof s.id !== 'string' || typeof s.profile !== 'object' || s.profile === null || !Array.isArray(s.events)) {
    throw inputError('A batch subject must be { id: string, profile: object, events: array }');
  }
}

/** Evaluates one subject of a batch; an error about it is named under `subjects[index]`. */
function evaluateSubject(segments: CompiledSegments, s: SegmentSubject, index: number, now: EpochMs): string[] {
  try {
    checkSubject(s);
    return segments.evaluate(s.profile, s.events, now);
  } catch (e) {
    throw underPath(e, ['subjects', index]);
  }
}

function emptyRecord<T>(ids: ReadonlyArray<string>, make: () => T): Record<string, T> {
  const out: Record<string, T> = Object.create(null) as Record<string, T>;
  for (const id of ids) out[id] = make();
  return out;
}

/**
 * Evaluates every segment over a population (an array or any (async) iterable — a database cursor, a file
 * stream). Memory grows with members kept, not with the population.
 *
 * @example
 * ```ts
 * const segments = compileSegments([{ id: 'fr', rule: { attr: 'country', op: 'eq', value: 'FR' } }]);
 * const r = await evaluateBatch(segments, [{ id: 'p1', profile: { country: 'FR' }, events: [] }], Date.UTC(2026, 0, 1), {
 *   onProgress: (n) => console.log(n),
 * });
 * // r.counts.fr === 1, r.members.fr = ['p1']
 * ```
 */
export async function evaluateBatch(
  segments: CompiledSegments,
  subjects: Iterable<SegmentSubject> | AsyncIterable<SegmentSubject>,
  now: EpochMs,
  options: BatchOptions = {},
): Promise<BatchResult> {
  expectCompiledSegments(segments);
  expectIterable(subjects, ['subjects'], true);
  expectFinite(now, ['now']);
  expectOptions(options, ['options']);
  const ids = segments.ids;
  const counts = emptyRecord(ids, () => 0);
  const members = emptyRecord<string[]>(ids, () => []);
  const collect = options.collectMembers !== false;
  const every = Math.max(1, options.progressEvery ?? 10_000);
  let processed = 0;
  for await (const s of subjects) {
    const inSegments = evaluateSubject(segments, s, processed, now);
    for (const id of inSegments) {
      counts[id]!++;
      if (collect) members[id]!.push(s.id);
    }
    processed++;
    if (options.onProgress && processed % every === 0) options.onProgress(processed);
  }
  options.onProgress?.(processed);
  return { processed, counts, members };
}

/**
 * Merges batch results of shards of one population evaluated with the same segment set.
 *
 * @example
 * ```ts
 * declare const shardA: BatchResult, shardB: BatchResult; // evaluateBatch of two halves of one population
 *
 * const all = mergeBatchResults([shardA, shardB]);
 * ```
 */
export function mergeBatchResults(results: ReadonlyArray<BatchResult>): BatchResult {
  expectArray(results, ['results']);
  expectObjects(results, ['results']);
  // Every value is read before any is added: a shard's result may come back malformed from a worker or a file.
  results.forEach((r, i) => {
    expectFinite(r.processed, ['results', i, 'processed']);
    expectObject((r as { counts?: unknown }).counts, ['results', i, 'counts']);
    expectObject((r as { members?: unknown }).members, ['results', i, 'members']);
    for (const [id, n] of Object.entries(r.counts)) expectFinite(n, ['results', i, 'counts', id]);
    for (const [id, m] of Object.entries(r.members)) expectArray(m, ['results', i, 'members', id]);
  });
  const counts: Record<string, number> = Object.create(null) as Record<string, number>;
  const members: Record<string, string[]> = Object.create(null) as Record<string, string[]>;
  let processed = 0;
  for (const r of results) {
    processed += r.processed;
    for (const [id, n] of Object.entries(r.counts)) counts[id] = (counts[id] ?? 0) + n;
    for (const [id, m] of Object.entries(r.members)) (members[id] ??= []).push(...m);
  }
  return { processed, counts, members };
}

/** Segments entered and exited between two membership lists. */
export interface MembershipChange {
  /** Segment ids in `current` and not in `previous` (in `current`'s order). */
  readonly entered: string[];
  /** Segment ids in `previous` and not in `current` (in `previous`'s order). */
  readonly exited: string[];
}

/**
 * The difference of two membership lists.
 *
 * @example
 * ```ts
 * diffMemberships(['a', 'b'], ['b', 'c']); // { entered: ['c'], exited: ['a'] }
 * ```
 */
export function diffMemberships(previous: Iterable<string>, current: Iterable<string>): MembershipChange {
  const prev = idSet(previous, 'previous');
  const cur = idSet(current, 'current');
  const entered: string[] = [];
  const exited: string[] = [];
  for (const id of cur) if (!prev.has(id)) entered.push(id);
  for (const id of prev) if (!cur.has(id)) exited.push(id);
  return { entered, exited };
}

/** The segment ids of an iterable, each checked to be a string (it becomes a key of the batch results). */
function idSet(ids: Iterable<string>, name: string): Set<string> {
  expectIterable(ids, [name]);
  const out = new Set<string>();
  let i = 0;
  for (const id of ids) {
    expectString(id, [name, i++]);
    out.add(id);
  }
  return out;
}

/**
 * Merges new events into a sorted history: result sorted by `at`, history events before new ones at equal
 * times, and a new event whose `id` is already present skipped (replays are harmless).
 *
 * @example
 * ```ts
 * import type { BehaviourEvent } from 'crosschannel';
 *
 * declare const history: ReadonlyArray<BehaviourEvent>;
 * declare const now: number;
 *
 * mergeEvents(history, [{ subjectId: 'p1', type: 'purchase', at: now, properties: {} }]);
 * ```
 */
export function mergeEvents(history: ReadonlyArray<BehaviourEvent>, incoming: ReadonlyArray<BehaviourEvent>): BehaviourEvent[] {
  expectArray(history, ['history']);
  expectObjects(history, ['history']);
  expectArray(incoming, ['incoming']);
  expectObjects(incoming, ['incoming']);
  const seen = new Set<string>();
  for (const e of history) if (e.id !== undefined) seen.add(e.id);
  const fresh: BehaviourEvent[] = [];
  for (const e of inTimeOrder(incoming, ['incoming'])) {
    if (e.id !== undefined) {
      if (seen.has(e.id)) continue;
      seen.add(e.id);
    }
    fresh.push(e);
  }
  const base = inTimeOrder(history, ['history']);
  const out: BehaviourEvent[] = new Array(base.length + fresh.length);
  let i = 0;
  let j = 0;
  let k = 0;
  while (i < base.length && j < fresh.length) out[k++] = base[i]!.at <= fresh[j]!.at ? base[i++]! : fresh[j++]!;
  while (i < base.length) out[k++] = base[i++]!;
  while (j < fresh.length) out[k++] = fresh[j++]!;
  return out;
}

/** Input of {@link applyEvents}. */
export interface IncrementalInput {
  readonly profile: Profile;
  /** The subject's history before the new events (sorted by `at`). */
  readonly events: ReadonlyArray<BehaviourEvent>;
  /** Events that just arrived. */
  readonly newEvents: ReadonlyArray<BehaviourEvent>;
  /** Segment ids the subject was in before. */
  readonly previous: Iterable<string>;
}

/** Result of {@link applyEvents}. */
export interface IncrementalResult extends MembershipChange {
  /** Every segment the subject is in now. */
  readonly memberships: string[];
  /** The merged history (to store or to pass next time). */
  readonly events: BehaviourEvent[];
}

/**
 * Incremental membership: merges new events into the history, re-evaluates at `now` and reports the
 * segments entered and exited. Time passing alone can move a subject out of a window, so every segment is
 * re-evaluated (with the compiled set, that costs microseconds).
 *
 * @example
 * ```ts
 * import type { BehaviourEvent } from 'crosschannel';
 *
 * declare const segments: CompiledSegments;
 * declare const profile: Profile;
 * declare const history: ReadonlyArray<BehaviourEvent>;
 * declare const purchase: BehaviourEvent;
 * declare const now: number;
 *
 * const r = applyEvents(segments, { profile, events: history, newEvents: [purchase], previous: ['cart-abandoners'] }, now);
 * // r.exited = ['cart-abandoners'], r.entered = ['buyers-30d']
 * ```
 */
export function applyEvents(segments: CompiledSegments, input: IncrementalInput, now: EpochMs): IncrementalResult {
  expectCompiledSegments(segments);
  expectObject(input, ['input']);
  expectFinite(now, ['now']);
  // Checked here, so that a bad event is named at its place in `input` (mergeEvents names its own arguments).
  const events = mergeEvents(inTimeOrder(input.events, ['input', 'events']), inTimeOrder(input.newEvents, ['input', 'newEvents']));
  const memberships = segments.evaluate(input.profile, events, now);
  try {
    return { memberships, events, ...diffMemberships(input.previous, memberships) };
  } catch (e) {
    throw underPath(e, ['input']);
  }
}

/** One subject of {@link refreshBatch}: a batch subject with the segments it was in before. */
export interface RefreshSubject extends SegmentSubject {
  readonly previous: Iterable<string>;
}

/** Entered / exited subject ids per segment id, over a population. */
export interface BatchChanges {
  readonly processed: number;
  readonly entered: Readonly<Record<string, ReadonlyArray<string>>>;
  readonly exited: Readonly<Record<string, ReadonlyArray<string>>>;
}

/**
 * Re-evaluates a population against its previous memberships and lists, per segment, the subjects that
 * entered and exited — what a scheduled audience refresh sends to channels.
 *
 * @example
 * ```ts
 * declare const segments: CompiledSegments;
 * declare const subjectsWithPrevious: AsyncIterable<RefreshSubject>; // { id, profile, events, previous }
 * declare const now: number;
 *
 * const changes = await refreshBatch(segments, subjectsWithPrevious, now);
 * // changes.entered['dormant-30d'] = ['p7', …]
 * ```
 */
export async function refreshBatch(
  segments: CompiledSegments,
  subjects: Iterable<RefreshSubject> | AsyncIterable<RefreshSubject>,
  now: EpochMs,
  options: Pick<BatchOptions, 'onProgress' | 'progressEvery'> = {},
): Promise<BatchChanges> {
  expectCompiledSegments(segments);
  expectIterable(subjects, ['subjects'], true);
  expectFinite(now, ['now']);
  expectOptions(options, ['options']);
  const entered = emptyRecord<string[]>(segments.ids, () => []);
  const exited = emptyRecord<string[]>(segments.ids, () => []);
  const every = Math.max(1, options.progressEvery ?? 10_000);
  let processed = 0;
  for await (const s of subjects) {
    const current = evaluateSubject(segments, s, processed, now);
    let d: MembershipChange;
    try {
      d = diffMemberships(s.previous, current);
    } catch (e) {
      throw underPath(e, ['subjects', processed]);
    }
    for (const id of d.entered) entered[id]!.push(s.id);
    for (const id of d.exited) (exited[id] ??= []).push(s.id);
    processed++;
    if (options.onProgress && processed % every === 0) options.onProgress(processed);
  }
  options.onProgress?.(processed);
  return { processed, entered, exited };
}
