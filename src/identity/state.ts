/**
 * The identity graph's storage: identifiers interned to integers, everything else in flat arrays of numbers so a
 * million observations cost a few arrays rather than millions of objects. Internal to the module.
 *
 * The arrays are typed arrays, except after a bulk batch ({@link BULK_MEMBERS}): then the interned hashes and
 * types, the times and the observations move to plain JavaScript arrays of numbers, on the JavaScript heap,
 * and stay there (see {@link useHeapArrays} for why). Either way they hold the same numbers.
 */
import type { CompiledIdentityRules } from './rules.js';
import { normalizerKindOf, type Identifier, type NormalizerKind } from './normalize.js';
import type { EpochMs } from '../core/time.js';
import { writeHexWord } from '../core/hash.js';
import type { Reason } from '../core/explain.js';
import type { RefusalCode } from './errors.js';

/**
 * A link merge protection refused, with the rule that refused it: `limit:<type>`, `maxIdentifiers`,
 * `ttl:<type>`, `blocked:value` or `blocked:pattern:<regex>`. `to` is absent for a blocked identifier (it links
 * nothing at all). `at`/`source` are those of the observation that asked for the link.
 *
 * @example
 * ```ts
 * declare const report: StitchReport;
 * const tooMany: RefusedLink[] = report.refused.filter((r) => r.code === 'IDENTITY_LIMIT_EXCEEDED');
 * ```
 */
export interface RefusedLink extends Reason<RefusalCode> {
  readonly rule: string;
  readonly from: Identifier;
  readonly to?: Identifier;
  readonly at: EpochMs;
  readonly source: string;
}

/**
 * A profile whose id replaced others (a merge, a split or a stronger identifier joining).
 *
 * @example
 * ```ts
 * declare const report: StitchReport;
 * for (const change of report.changes) {
 *   const moved: ProfileChange = change;
 *   console.log(`${moved.previousIds.join(', ')} → ${moved.profileId}`);
 * }
 * ```
 */
export interface ProfileChange {
  readonly profileId: string;
  /** Ids the profile's identifiers had before, sorted; histories keyed by them belong to `profileId` now. */
  readonly previousIds: ReadonlyArray<string>;
}

export interface GraphState {
  readonly rules: CompiledIdentityRules;
  /** Large arrays on `SharedArrayBuffer` (opt-in, see {@link int32Array}). */
  readonly sharedMemory: boolean;
  typeNames: string[];
  typeRank: number[];
  typeLimit: number[];
  typeTtl: number[];
  typeKind: NormalizerKind[];
  typeIndex: Map<string, number>;
  /** True when the rules list any `nonLinking` type (the common case, false, skips the split per observation). */
  readonly anyNonLinking: boolean;
  /** Per type: true when the rules list it in `nonLinking` (attached to profiles, never linking). */
  typeNonLinking: boolean[];
  /** Per type: normalised value → blocking rule, for values seen and refused. */
  typeBlocked: Array<Map<string, string>>;
  /**
   * Attachments of non-linking identifiers (see `nonLinking` in the rules), both ways, without duplicates: a
   * linking identifier → the non-linking ones seen with it, and a non-linking identifier → the linking ones it was
   * seen with. A profile's attached identifiers are those of its members, so merges and splits carry them along.
   */
  attachedOf: Map<number, number[]>;
  ownersOf: Map<number, number[]>;
  /**
   * Interning table from (type, normalised value) to identifier index: open addressing with linear probing over
   * a flat `Int32Array` (slot = index + 1, 0 = empty), so a million identifiers cost no per-entry heap objects
   * and no Map rehashing garbage. See {@link lookupIdentifier}.
   */
  slots: Int32Array;
  /** Scratch written by {@link touchSlots} (a sum of slots, meaningless: it keeps the reads from being optimised away). */
  touched: number;
  /** Live identifiers in `slots` (erased ones are removed). */
  interned: number;
  /**
   * Hash of each identifier's (type, value), kept for probing and for growing the table without rehashing
   * strings. Reserved ahead for each batch with `idType` (and `idValue` on the heap): see {@link reserveKeys}.
   */
  idHash: Int32Array | number[];
  /** Number of identifier slots (erased ones stay as tombstones). */
  n: number;
  idType: Int32Array | number[];
  idValue: string[];
  /**
   * Raw union-find over every valid link, merge protection ignored: the unit of recomputation. A root holds
   * minus the size of its component (union by size without a separate array: 4 bytes less per identifier).
   */
  parent: Int32Array;
  /** Circular list of the members of each raw component (O(1) concatenation on union). */
  next: Int32Array;
  /** Head observation of each raw root's circular observation list, -1 when none. */
  obsHead: Int32Array;
  /** Canonical identifier of the profile an identifier belongs to; -1 when erased. */
  profileOf: Int32Array;
  /** Circular list of the members of each profile. */
  pnext: Int32Array;
  firstSeen: Float64Array | number[];
  lastSeen: Float64Array | number[];
  /**
   * Latest sighting of each identifier by an observation that was folded instead of stored (it added no
   * identifier and no link: see `isRedundant` in graph.ts). `lastSeen` is the max of this and the stored ones.
   * Only identifiers that were folded have an entry: a map on the JavaScript heap rather than an array of every
   * identifier, so a bulk load that folds nothing allocates nothing for it (read it with {@link foldedSeenAt}).
   */
  foldedSeen: Map<number, number>;
  /** Scratch: stamps for de-duplication. */
  mark: Int32Array;
  typeCounts: Int32Array;
  epoch: number;
  nObs: number;
  /** Stored observations, appended to: where their identifiers start in `members`, how many, when, where from. */
  obsStart: Int32Array | number[];
  obsLen: Int32Array | number[];
  obsAt: Float64Array | number[];
  obsSource: string[];
  /** Circular list of the observations of each raw component (see `obsHead`). */
  obsNext: Int32Array | number[];
  /** Identifiers of the stored observations, back to back; entries past `nMembers` are stale scratch. */
  members: Int32Array | number[];
  /** True once {@link useHeapArrays} moved the arrays above to the JavaScript heap (never reverts). */
  heapArrays: boolean;
  nMembers: number;
  refusedByRoot: Map<number, RefusedLink[]>;
  /** Cache of profile ids by canonical identifier (a hash is cheap, but lookups are hotter). */
  profileIdOf: Array<string | undefined>;
  /**
   * Profile id → canonical identifier, built on the first lookup by id and maintained from then on. Bulk
   * stitching that nobody looks up by id never hashes a profile id.
   */
  profileById: Map<string, number> | undefined;
  /**
   * Large `add` reports whose profile ids are not computed yet. An id is a function of its canonical
   * identifier's type and value, which only erasure changes: {@link settle} computes them before an erasure, so
   * a report never names an erased value's profile differently from what it would have said at once. Held
   * strongly and few (see {@link deferProfiles}).
   */
  pending: Array<{ readonly profiles: ReadonlyArray<string> }>;
}

export function createState(rules: CompiledIdentityRules, options: { readonly sharedMemory?: boolean } = {}): GraphState {
  const cap = 1024;
  return {
    rules,
    sharedMemory: options.sharedMemory === true && typeof globalThis.SharedArrayBuffer === 'function',
    typeNames: [],
    typeRank: [],
    typeLimit: [],
    typeTtl: [],
    typeKind: [],
    typeIndex: new Map(),
    anyNonLinking: rules.source.nonLinking.length > 0,
    typeNonLinking: [],
    typeBlocked: [],
    attachedOf: new Map(),
    ownersOf: new Map(),
    slots: new Int32Array(cap * 2),
    touched: 0,
    interned: 0,
    idHash: new Int32Array(cap),
    n: 0,
    idType: new Int32Array(cap),
    idValue: [],
    parent: new Int32Array(cap),
    next: new Int32Array(cap),
    obsHead: new Int32Array(cap),
    profileOf: new Int32Array(cap),
    pnext: new Int32Array(cap),
    firstSeen: new Float64Array(cap),
    lastSeen: new Float64Array(cap),
    foldedSeen: new Map(),
    mark: new Int32Array(cap),
    typeCounts: new Int32Array(16),
    epoch: 0,
    nObs: 0,
    obsStart: new Int32Array(cap),
    obsLen: new Int32Array(cap),
    obsAt: new Float64Array(cap),
    obsSource: [],
    obsNext: new Int32Array(cap),
    members: new Int32Array(cap * 2),
    heapArrays: false,
    nMembers: 0,
    refusedByRoot: new Map(),
    profileIdOf: [],
    profileById: undefined,
    pending: [],
  };
}

/**
 * Where a graph's large typed arrays live. V8 counts every new `ArrayBuffer` towards a budget of external memory
 * and starts a full mark-compact of the whole heap (the caller's objects included) each time about 64 MB more
 * have been allocated since the last one. With `shared` (the graph's `sharedMemory` option) arrays of 64 kB and
 * more are backed by a `SharedArrayBuffer` where the runtime offers it (Node; a browser only when cross-origin
 * isolated), which V8 leaves out of that budget, and by an `ArrayBuffer` otherwise. The memory is the same,
 * zeroed the same way, and freed when the array is collected; the price is that arrays of dropped graphs wait
 * for ordinary heap pressure to be collected (see {@link useHeapArrays} for the default's answer). This relies on
 * how V8 accounts memory today, not on a documented guarantee; results never depend on it. Nothing is shared
 * with another thread.
 */
export function int32Array(length: number, shared: boolean): Int32Array {
  return shared && length >= 16_384 ? new Int32Array(new SharedArrayBuffer(length * 4)) : new Int32Array(length);
}

/** A `Float64Array` of `length` zeros, allocated as {@link int32Array} says. */
export function float64Array(length: number, shared: boolean): Float64Array {
  return shared && length >= 8_192 ? new Float64Array(new SharedArrayBuffer(length * 8)) : new Float64Array(length);
}

/**
 * Identifier occurrences in one batch from which a graph moves to heap arrays ({@link useHeapArrays}). A bulk
 * load of n occurrences needs about 60·n bytes of typed arrays (1M observations of 2.1M identifiers: ~130 MB),
 * so from a million on it would cross V8's 64 MB external-memory trigger at least once, and each crossing costs
 * a full mark-compact of everything the caller holds (200–450 ms with a million observation objects live), for
 * no garbage at all. Below it, a batch allocates typed arrays as before, and their external-memory accounting is
 * what lets V8 free dropped graphs promptly (many graphs built in a row stay near one graph's memory).
 */
export const BULK_MEMBERS = 1_000_000;

/**
 * Moves the graph's interned hashes and types, first/last seen, observations and members from typed arrays to
 * plain JavaScript arrays of numbers (small integers and doubles: V8 stores them unboxed, 8 bytes an entry),
 * for good: {@link IdentityGraph.add} calls it before a batch of {@link BULK_MEMBERS} occurrences or more. Those
 * arrays then live on the JavaScript heap, whose collections V8 schedules from the heap's own growth (relative
 * to what was live at the last one), so a bulk load next to a large live input allocates only the union-find
 * arrays and the interning table as `ArrayBuffer`s (~28 bytes per new identifier, under the trigger for a
 * million observations) and pays no full collection for them. The values are the same numbers either way.
 */
export function useHeapArrays(s: GraphState): void {
  if (s.heapArrays) return;
  s.heapArrays = true;
  // Interned hashes and types: the used part only (each batch reserves its room, see reserveKeys).
  s.idHash = Array.from((s.idHash as Int32Array).subarray(0, s.n));
  s.idType = Array.from((s.idType as Int32Array).subarray(0, s.n));
  // The others stay reserved ahead (same lengths): copies filled like the typed arrays.
  s.firstSeen = heapCopy(s.firstSeen as Float64Array, 0.5);
  s.lastSeen = heapCopy(s.lastSeen as Float64Array, 0.5);
  s.obsStart = heapCopy(s.obsStart as Int32Array, 0);
  s.obsLen = heapCopy(s.obsLen as Int32Array, 0);
  s.obsAt = heapCopy(s.obsAt as Float64Array, 0.5);
  s.obsNext = heapCopy(s.obsNext as Int32Array, 0);
  s.members = heapCopy(s.members as Int32Array, 0);
}

function heapCopy(a: Int32Array | Float64Array, kind: number): number[] {
  return numbers(a.length, kind, a);
}

/**
 * A JavaScript array of `length` numbers, `from` copied at its start and zeros after it. `kind` is 0 for small
 * integers, 0.5 for doubles: the array is created holding it, so V8 picks the matching unboxed elements kind
 * once, and a double array never has to be converted later.
 */
function numbers(length: number, kind: number, from: ArrayLike<number>): number[] {
  const a = new Array<number>(length).fill(kind);
  for (let i = 0; i < from.length; i++) a[i] = from[i]!;
  return a.fill(0, from.length);
}

// Growth by half (not doubling), or to the need plus an eighth: the arrays are large, and every megabyte of
// new ArrayBuffer counts towards V8's external-memory trigger for a full collection of the whole heap. The
// eighth leaves room for the small batches that usually follow a bulk load, so they do not copy everything.
function grownLength(a: { readonly length: number }, need: number): number {
  return Math.max(need + (need >> 3), Math.ceil(a.length * 1.5));
}

/**
 * `a` when it holds `need` entries, else a longer copy of it of the same kind: typed (Int32 or, with `doubles`,
 * Float64) or on the heap (small integers, or doubles).
 */
function grown<T extends Int32Array | Float64Array | number[]>(s: GraphState, a: T, need: number, doubles = false): T {
  if (need <= a.length) return a;
  const len = grownLength(a, need);
  if (Array.isArray(a)) return numbers(len, doubles ? 0.5 : 0, a) as T;
  const b = doubles ? float64Array(len, s.sharedMemory) : int32Array(len, s.sharedMemory);
  b.set(a);
  return b as T;
}

/**
 * {@link grown} for a plain array of other values (interned strings, cached profile ids), with the same growth:
 * `a` when it holds `need` entries, else a longer copy, its new entries `fill` (dense: every entry written).
 */
function grownArray<T>(a: T[], need: number, fill: T): T[] {
  if (need <= a.length) return a;
  const b = new Array<T>(grownLength(a, need)).fill(fill);
  for (let i = 0; i < a.length; i++) b[i] = a[i]!;
  return b;
}

/** {@link grown} for arrays of doubles. */
function grownDoubles<T extends Float64Array | number[]>(s: GraphState, a: T, need: number): T {
  return grown(s, a, need, true);
}

/** Makes room for `count` more observations holding `memberCount` identifiers in all. */
export function reserveObservations(s: GraphState, count: number, memberCount: number): void {
  const need = s.nObs + count;
  if (need > s.obsStart.length) {
    s.obsStart = grown(s, s.obsStart, need);
    s.obsLen = grown(s, s.obsLen, need);
    s.obsAt = grownDoubles(s, s.obsAt, need);
    s.obsNext = grown(s, s.obsNext, need);
  }
  s.members = grown(s, s.members, s.nMembers + memberCount);
}

/** Makes room for `count` more identifiers. */
export function reserveIdentifiers(s: GraphState, count: number): void {
  reserveKeys(s, count);
  reserveSlots(s, s.n + count);
}

/** Makes room for `count` more identifiers in the interning arrays only (type, hash, value, table). */
export function reserveKeys(s: GraphState, count: number): void {
  // Room for one new key per occurrence (the bound: repeats leave part of it unused, for the batches that follow).
  s.idType = grown(s, s.idType, s.n + count);
  s.idHash = grown(s, s.idHash, s.n + count);
  // On the heap the values are reserved with them. Appended to one key at a time, as they once were (with the
  // hashes and types), the three arrays grew by half again and again, each growth a fresh copy (≈ 3 times their
  // final size allocated and faulted in): 14 % of a 1M-observation bulk load, whose repeats now leave 25 MB of
  // the room unused instead. Typed graphs (small batches) keep appending values.
  if (s.heapArrays) s.idValue = grownArray(s.idValue, s.n + count, '');
  const live = s.interned + count;
  if (2 * live > s.slots.length) {
    let len = s.slots.length;
    // At most `count` new keys, usually far fewer (repeats): sized for a load of 2/3 at that bound.
    while (3 * live > 2 * len) len *= 2;
    rehash(s, len);
  }
}

/** Grows the per-identifier arrays other than the interning ones to hold `need` identifiers. */
function reserveSlots(s: GraphState, need: number): void {
  if (need <= s.parent.length) return;
  s.parent = grown(s, s.parent, need);
  s.next = grown(s, s.next, need);
  s.obsHead = grown(s, s.obsHead, need);
  s.profileOf = grown(s, s.profileOf, need);
  s.pnext = grown(s, s.pnext, need);
  s.mark = grown(s, s.mark, need);
  s.firstSeen = grownDoubles(s, s.firstSeen, need);
  s.lastSeen = grownDoubles(s, s.lastSeen, need);
}

/** Index of a type, registering it (with its rank, limit and TTL) on first sight. */
export function typeIdOf(s: GraphState, type: string): number {
  // A graph sees a handful of types: compare with the first few names (usually the same string objects) first.
  const names = s.typeNames;
  for (let k = 0; k < names.length && k < 8; k++) if (names[k] === type) return k;
  let t = s.typeIndex.get(type);
  if (t === undefined) {
    t = s.typeNames.length;
    s.typeIndex.set(type, t);
    s.typeNames.push(type);
    s.typeRank.push(s.rules.rankOf(type));
    s.typeLimit.push(s.rules.limitOf(type));
    s.typeTtl.push(s.rules.ttlOf(type));
    s.typeKind.push(normalizerKindOf(type, s.rules.normalize));
    s.typeNonLinking.push(s.rules.isNonLinking(type));
    s.typeBlocked.push(new Map());
  }
  return t;
}

/** Hash of an identifier (type index, normalised value) for the interning table. */
export function identifierHash(t: number, value: string): number {
  let h = Math.imul(t + 1, 0x9e3779b1) ^ value.length;
  for (let i = 0; i < value.length; i++) h = Math.imul(h ^ value.charCodeAt(i), 0x01000193);
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  return h;
}

/** Index of the identifier (type `t`, normalised `value`, hash `h` from {@link identifierHash}), or -1 when unknown. */
export function lookupIdentifier(s: GraphState, t: number, value: string, h: number): number {
  const slots = s.slots;
  const mask = slots.length - 1;
  for (let i = h & mask; ; i = (i + 1) & mask) {
    const e = slots[i]!;
    if (e === 0) return -1;
    const x = e - 1;
    if (s.idHash[x] === h && s.idType[x] === t && s.idValue[x] === value) return x;
  }
}

/**
 * Reads the interning-table slots of the first `count` hashes, and the hash of the identifier in each, so that
 * the CPU fetches their cache lines together; the lookups that follow then find them in cache. Only a hint: it
 * changes nothing.
 */
export function touchSlots(s: GraphState, hashes: ReadonlyArray<number>, count: number): void {
  const slots = s.slots;
  const mask = slots.length - 1;
  const idHash = s.idHash;
  let sum = 0;
  for (let k = 0; k < count; k++) {
    const e = slots[hashes[k]! & mask]!;
    // And the hash of the identifier found there, which the lookup compares first.
    sum = (sum + (e === 0 ? 0 : idHash[e - 1]!)) | 0;
  }
  // Kept so that the compiler cannot drop the reads as unused.
  s.touched = sum;
}

function insertSlot(slots: Int32Array, h: number, x: number): void {
  const mask = slots.length - 1;
  let i = h & mask;
  while (slots[i] !== 0) i = (i + 1) & mask;
  slots[i] = x + 1;
}

/** Removes identifier `x` from the interning table (backward-shift deletion: no tombstones). */
export function forgetIdentifier(s: GraphState, x: number): void {
  const slots = s.slots;
  const mask = slots.length - 1;
  let i = s.idHash[x]! & mask;
  while (slots[i] !== x + 1) {
    if (slots[i] === 0) return;
    i = (i + 1) & mask;
  }
  s.interned--;
  // Shift later entries of the probe run back into the hole when their home slot allows it.
  for (let j = (i + 1) & mask; slots[j] !== 0; j = (j + 1) & mask) {
    const home = s.idHash[slots[j]! - 1]! & mask;
    const between = i <= j ? i < home && home <= j : i < home || home <= j;
    if (!between) {
      slots[i] = slots[j]!;
      i = j;
    }
  }
  slots[i] = 0;
}

function rehash(s: GraphState, len: number): void {
  const slots = int32Array(len, s.sharedMemory);
  for (let i = 0; i < s.slots.length; i++) {
    const e = s.slots[i]!;
    if (e !== 0) insertSlot(slots, s.idHash[e - 1]!, e - 1);
  }
  s.slots = slots;
}

/**
 * Interns a new identifier (type, value, hash) without initialising its graph slots: bulk adding interns a
 * whole batch first, then sizes the other arrays once for the identifiers actually new ({@link initIdentifiers}).
 * Needs {@link reserveKeys}.
 */
export function internIdentifier(s: GraphState, t: number, value: string, h: number): number {
  if (2 * (s.interned + 1) > s.slots.length) rehash(s, s.slots.length * 2);
  const i = s.n++;
  s.idHash[i] = h;
  s.idType[i] = t;
  s.idValue[i] = value;
  insertSlot(s.slots, h, i);
  s.interned++;
  return i;
}

/** Latest folded sighting of identifier `x` (see {@link GraphState.foldedSeen}), `-Infinity` when none. */
export function foldedSeenAt(s: GraphState, x: number): number {
  return s.foldedSeen.size === 0 ? -Infinity : (s.foldedSeen.get(x) ?? -Infinity);
}

/** Records `at` as a folded sighting of identifier `x` when it is the latest. */
export function noteFoldedSeen(s: GraphState, x: number, at: number): void {
  if (at > foldedSeenAt(s, x)) s.foldedSeen.set(x, at);
}

/** Makes identifiers `from`…`n - 1` (interned by {@link internIdentifier}) their own raw components and profiles. */
export function initIdentifiers(s: GraphState, from: number): void {
  reserveSlots(s, s.n);
  // Ids are cached on demand, in any order: keep the cache a dense array (a write far past its end would turn
  // it into a slow dictionary).
  const ids = s.profileIdOf;
  const gap = s.n - ids.length;
  // Many new identifiers (a bulk batch): one array of the new length and an eighth (room for the smaller batches
  // that follow), instead of pushes that would regrow it one half at a time.
  if (gap > ids.length >> 1) s.profileIdOf = grownArray(ids, s.n, undefined);
  else while (ids.length < s.n) ids.push(undefined);
  s.firstSeen.fill(Infinity, from, s.n);
  s.lastSeen.fill(-Infinity, from, s.n);
  s.parent.fill(-1, from, s.n);
  s.obsHead.fill(-1, from, s.n);
  for (let i = from; i < s.n; i++) {
    s.next[i] = i;
    s.profileOf[i] = i;
    s.pnext[i] = i;
  }
}

/** Registers a new identifier as its own raw component and profile. Needs {@link reserveIdentifiers}. */
export function addIdentifier(s: GraphState, t: number, value: string, h = identifierHash(t, value)): number {
  const i = internIdentifier(s, t, value, h);
  initIdentifiers(s, i);
  return i;
}

export function find(s: GraphState, x: number): number {
  const parent = s.parent;
  let r = x;
  while (parent[r]! >= 0) r = parent[r]!;
  while (x !== r && parent[x] !== r) {
    const up = parent[x]!;
    parent[x] = r;
    x = up;
  }
  return r;
}

/** Union by size of two raw roots; concatenates their member and observation lists. Returns the new root. */
export function unionRoots(s: GraphState, a: number, b: number): number {
  // Roots hold minus their size: the larger component has the smaller (more negative) value.
  if (s.parent[a]! > s.parent[b]!) {
    const t = a;
    a = b;
    b = t;
  }
  s.parent[a]! += s.parent[b]!;
  s.parent[b] = a;
  const na = s.next[a]!;
  s.next[a] = s.next[b]!;
  s.next[b] = na;
  const ha = s.obsHead[a]!;
  const hb = s.obsHead[b]!;
  if (ha < 0) s.obsHead[a] = hb;
  else if (hb >= 0) {
    const t = s.obsNext[ha]!;
    s.obsNext[ha] = s.obsNext[hb]!;
    s.obsNext[hb] = t;
  }
  s.obsHead[b] = -1;
  return a;
}

/**
 * Links the identifiers of stored observation `o` (union by size) and threads `o` into the observation ring of
 * the resulting root. Shared by adding observations and by rebuilding a component after erasure.
 */
export function linkObservation(s: GraphState, o: number): void {
  const start = s.obsStart[o]!;
  const end = start + s.obsLen[o]!;
  let r = find(s, s.members[start]!);
  for (let k = start + 1; k < end; k++) {
    const q = find(s, s.members[k]!);
    if (q !== r) r = unionRoots(s, r, q);
  }
  const h = s.obsHead[r]!;
  if (h < 0) {
    s.obsHead[r] = o;
    s.obsNext[o] = o;
  } else {
    s.obsNext[o] = s.obsNext[h]!;
    s.obsNext[h] = o;
  }
}

/** The profile index (built from the canonical identifiers on first use). */
export function profileIndex(s: GraphState): Map<string, number> {
  let index = s.profileById;
  if (index === undefined) {
    index = new Map();
    for (let i = 0; i < s.n; i++) if (s.profileOf[i] === i) index.set(profileIdFor(s, i), i);
    s.profileById = index;
  }
  return index;
}

/** Computes the profile ids of every `add` report not read yet (see {@link GraphState.pending}). */
export function settle(s: GraphState): void {
  const pending = s.pending;
  s.pending = [];
  for (const r of pending) void r.profiles;
}

/**
 * Registers a large `add` report whose profile ids are computed on first read (or by {@link settle}). Strong
 * references, at most eight: a `WeakRef` keeps its target alive until the current job ends, and a loop of
 * awaits that never yields to the event loop is one job, so every report of a long loop stayed in memory (about
 * 1 kB per decision). Settling a full list costs one hash per profile at most once.
 */
export function deferProfiles(s: GraphState, report: { readonly profiles: ReadonlyArray<string> }): void {
  if (s.pending.length >= 8) settle(s);
  s.pending.push(report);
}

/** Total order on identifiers: type rank, then type name, then value. The minimum names the profile. */
export function compareIds(s: GraphState, a: number, b: number): number {
  const ta = s.idType[a]!;
  const tb = s.idType[b]!;
  if (ta !== tb) {
    const d = s.typeRank[ta]! - s.typeRank[tb]!;
    if (d !== 0) return d;
    return s.typeNames[ta]! < s.typeNames[tb]! ? -1 : 1;
  }
  const va = s.idValue[a]!;
  const vb = s.idValue[b]!;
  return va < vb ? -1 : va > vb ? 1 : 0;
}

export function identifierAt(s: GraphState, i: number): Identifier {
  return { type: s.typeNames[s.idType[i]!]!, value: s.idValue[i]! };
}

/**
 * Profile id of a canonical identifier: `p_` + 128-bit hash of (salt, type, value), so that the id is stable,
 * independent of arrival order, and does not spell out the email or phone it derives from.
 */
export function profileIdFor(s: GraphState, canonical: number): string {
  let id = s.profileIdOf[canonical];
  if (id === undefined) {
    id = profileIdHash(`${s.rules.profileIdSalt}\u0000${s.typeNames[s.idType[canonical]!]!}\u0000${s.idValue[canonical]!}`);
    s.profileIdOf[canonical] = id;
  }
  return id;
}

/**
 * `p_` + MurmurHash3 x86 128-bit over UTF-16 code units (their little-endian bytes), as 32 hex digits. Not
 * cryptographic; collision-resistant enough for ids. Two departures from the reference, fixed forever since ids are
 * stored: a start value per lane (not one seed), and the length mixed in is in code units, not bytes (identity guide).
 */
export function profileIdHash(text: string): string {
  let h1 = 0x9747b28c;
  let h2 = 0x85ebca6b;
  let h3 = 0xc2b2ae35;
  let h4 = 0x27d4eb2f;
  const c1 = 0x239b961b;
  const c2 = 0xab0e9789;
  const c3 = 0x38b34ae5;
  const c4 = 0xa1e38b93;
  const len = text.length;
  let i = 0;
  for (; i + 8 <= len; i += 8) {
    let k1 = text.charCodeAt(i) | (text.charCodeAt(i + 1) << 16);
    let k2 = text.charCodeAt(i + 2) | (text.charCodeAt(i + 3) << 16);
    let k3 = text.charCodeAt(i + 4) | (text.charCodeAt(i + 5) << 16);
    let k4 = text.charCodeAt(i + 6) | (text.charCodeAt(i + 7) << 16);
    k1 = Math.imul(k1, c1); k1 = (k1 << 15) | (k1 >>> 17); k1 = Math.imul(k1, c2); h1 ^= k1;
    h1 = (h1 << 19) | (h1 >>> 13); h1 = (h1 + h2) | 0; h1 = (Math.imul(h1, 5) + 0x561ccd1b) | 0;
    k2 = Math.imul(k2, c2); k2 = (k2 << 16) | (k2 >>> 16); k2 = Math.imul(k2, c3); h2 ^= k2;
    h2 = (h2 << 17) | (h2 >>> 15); h2 = (h2 + h3) | 0; h2 = (Math.imul(h2, 5) + 0x0bcaa747) | 0;
    k3 = Math.imul(k3, c3); k3 = (k3 << 17) | (k3 >>> 15); k3 = Math.imul(k3, c4); h3 ^= k3;
    h3 = (h3 << 15) | (h3 >>> 17); h3 = (h3 + h4) | 0; h3 = (Math.imul(h3, 5) + 0x96cd1c35) | 0;
    k4 = Math.imul(k4, c4); k4 = (k4 << 18) | (k4 >>> 14); k4 = Math.imul(k4, c1); h4 ^= k4;
    h4 = (h4 << 13) | (h4 >>> 19); h4 = (h4 + h1) | 0; h4 = (Math.imul(h4, 5) + 0x32ac3b17) | 0;
  }
  // Tail: fold remaining code units into the four lanes (locals, not an array: this runs once per profile).
  let t1 = 0;
  let t2 = 0;
  let t3 = 0;
  let t4 = 0;
  for (let j = 0; i < len; i++, j++) {
    const c = text.charCodeAt(i) << ((j & 1) * 16);
    if (j < 2) t1 |= c;
    else if (j < 4) t2 |= c;
    else if (j < 6) t3 |= c;
    else t4 |= c;
  }
  h1 ^= Math.imul(((Math.imul(t1, c1) << 15) | (Math.imul(t1, c1) >>> 17)), c2);
  h2 ^= Math.imul(((Math.imul(t2, c2) << 16) | (Math.imul(t2, c2) >>> 16)), c3);
  h3 ^= Math.imul(((Math.imul(t3, c3) << 17) | (Math.imul(t3, c3) >>> 15)), c4);
  h4 ^= Math.imul(((Math.imul(t4, c4) << 18) | (Math.imul(t4, c4) >>> 14)), c1);
  h1 ^= len; h2 ^= len; h3 ^= len; h4 ^= len;
  h1 = (h1 + h2 + h3 + h4) | 0; h2 = (h2 + h1) | 0; h3 = (h3 + h1) | 0; h4 = (h4 + h1) | 0;
  h1 = fmix(h1); h2 = fmix(h2); h3 = fmix(h3); h4 = fmix(h4);
  h1 = (h1 + h2 + h3 + h4) | 0; h2 = (h2 + h1) | 0; h3 = (h3 + h1) | 0; h4 = (h4 + h1) | 0;
  writeHexWord(idBytes, 2, h1);
  writeHexWord(idBytes, 10, h2);
  writeHexWord(idBytes, 18, h3);
  writeHexWord(idBytes, 26, h4);
  return ID_TEXT.decode(idBytes);
}

function fmix(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h;
}

// A profile id's characters, written as ASCII bytes and decoded once: an id concatenated from its hex digits was a
// rope until first read, 232 bytes of heap a kept id against 64, built in ≈ 0.95 µs against 0.38 and inserted in a
// Map in ≈ 1.2 µs against 0.9 (a Map flattens a rope key first). Reused; never visible outside one call.
const idBytes = new Uint8Array([112, 95, ...new Array<number>(32).fill(48)]); // 'p_' + 32 digits
const ID_TEXT = new TextDecoder();
