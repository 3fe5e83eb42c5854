/**
 * Deterministic stitching: observations ("these identifiers were seen together") become profiles. Union-find
 * with path compression and union by size over interned identifiers; merge protection in `components.ts`;
 * unmerge and erasure in `erasure.ts`.
 */
import { progressCounter, type ProgressOptions } from '../core/progress.js';
import { expectIdentifier, expectObject } from '../core/guards.js';
import { CrossChannelError, inputError } from '../core/errors.js';
import type { Reason } from '../core/explain.js';
import { toEpochMs, type EpochMs, type TimeInput } from '../core/time.js';
import { isIdentifierType, normalizerKindOf, normalizeWithKind, type Identifier } from './normalize.js';
import { phoneLib } from './phone-lib.js';
import { requirePhoneLib } from './phone-lib-type.js';
import type { IdentifierReasonCode } from './errors.js';
import { parseIdentityRules, type CompiledIdentityRules, type IdentityRulesInput } from './rules.js';
import { changesOf, profileIds, resolveComponent } from './components.js';
import { eraseIdentifiers, type ErasureResult } from './erasure.js';
import {
  compareIds,
  createState,
  find,
  identifierAt,
  identifierHash,
  lookupIdentifier,
  profileIdFor,
  profileIndex,
  deferProfiles,
  initIdentifiers,
  internIdentifier,
  touchSlots,
  reserveKeys,
  reserveObservations,
  useHeapArrays,
  BULK_MEMBERS,
  typeIdOf,
  linkObservation,
  noteFoldedSeen,
  type GraphState,
  type RefusedLink,
  type ProfileChange,
} from './state.js';

export type { RefusedLink, ProfileChange } from './state.js';
export type { RefusalCode } from './errors.js';

/**
 * "These identifiers were seen together": a login form, an app session, a till receipt, a CRM import row.
 *
 * @example
 * ```ts
 * const seen: ObservationInput = { identifiers: [{ type: 'cookie_id', value: 'ck-1' }, { type: 'email', value: 'ada@example.com' }], at: '2026-01-05T10:00:00Z', source: 'web' };
 * ```
 */
export interface ObservationInput {
  readonly identifiers: ReadonlyArray<{ readonly type: string; readonly value: string }>;
  /** When it was seen (epoch ms, `Date` or ISO 8601 with offset). */
  readonly at: TimeInput;
  /** Where it came from (`web`, `pos`, `crm-import`, `match`), kept for the audit log. */
  readonly source?: string;
}

/**
 * An identifier of an observation that was not accepted, with the typed reason.
 *
 * @example
 * ```ts
 * const report = new IdentityGraph().add([{ identifiers: [{ type: 'email', value: 'not-an-email' }], at: 0 }]);
 * const bad: InvalidIdentifier | undefined = report.invalid[0]; // { observation: 0, index: 0, reason: { code: 'IDENTITY_EMAIL_INVALID', … } }
 * ```
 */
export interface InvalidIdentifier {
  /** Index of the observation in the batch, and of the identifier in the observation. */
  readonly observation: number;
  readonly index: number;
  readonly reason: Reason<IdentifierReasonCode>;
}

/**
 * A stitched person: a stable id, every identifier (strongest first), and first/last seen.
 *
 * @example
 * ```ts
 * declare const graph: IdentityGraph;
 * const id = graph.profileIdOf({ type: 'email', value: 'ada@example.com' });
 * const p: Profile | undefined = id === undefined ? undefined : graph.profile(id);
 * console.log(p?.identifiers.map((i) => i.type), p?.firstSeen);
 * ```
 */
export interface Profile {
  readonly id: string;
  readonly identifiers: ReadonlyArray<Identifier>;
  /**
   * Identifiers of `nonLinking` types seen with this person (a shared device cookie), strongest first. They are
   * attached to every profile they were seen with and are not the profile's own: present only when non-empty.
   */
  readonly attached?: ReadonlyArray<Identifier>;
  readonly firstSeen: EpochMs;
  readonly lastSeen: EpochMs;
}

/**
 * What one {@link IdentityGraph.add} did.
 *
 * @example
 * ```ts
 * const graph = new IdentityGraph();
 * const report: StitchReport = graph.add([{ identifiers: [{ type: 'email', value: 'ada@example.com' }, { type: 'user_id', value: 'u1' }], at: 0 }]);
 * console.log(report.profiles.length, report.changes, report.refused, report.invalid);
 * ```
 */
export interface StitchReport {
  /** Observations that held at least one valid identifier. */
  readonly observations: number;
  /**
   * Ids of every profile the batch touched (each once; order unspecified). Hashed on first read (or before
   * the next erasure), so a bulk load that never reads them does not pay for them.
   */
  readonly profiles: ReadonlyArray<string>;
  readonly changes: ReadonlyArray<ProfileChange>;
  /** Links refused in the components the batch touched (blocked identifiers of this batch included). */
  readonly refused: ReadonlyArray<RefusedLink>;
  readonly invalid: ReadonlyArray<InvalidIdentifier>;
}

/**
 * One line of a profile's audit log.
 *
 * @example
 * ```ts
 * declare const graph: IdentityGraph;
 * declare const profileId: string;
 * const log: AuditEntry[] = [...graph.audit(profileId)];
 * const refusals = log.filter((e) => e.kind === 'refused');
 * ```
 */
export type AuditEntry =
  | { readonly kind: 'linked'; readonly at: EpochMs; readonly source: string; readonly identifiers: ReadonlyArray<Identifier> }
  | ({ readonly kind: 'refused' } & RefusedLink);

/**
 * Options of an {@link IdentityGraph} beside its rules.
 *
 * @example
 * ```ts
 * const bulk = new IdentityGraph({}, { sharedMemory: true }); // one long-lived graph, loaded in bulk
 * ```
 */
export interface IdentityGraphOptions {
  /**
   * Back the large typed arrays with `SharedArrayBuffer` where available (default false). Since a bulk batch
   * keeps most of its arrays on the JavaScript heap by default, this changes little for one bulk load; it still
   * spares the full collections that the typed arrays of many smaller batches schedule, with the same price.
   */
  readonly sharedMemory?: boolean;
}

/**
 * An in-memory identity graph. Adding observations in any order, in one batch or many, gives the same
 * profiles as adding all of them at once (the result is a function of the set of observations).
 *
 * @example
 * ```ts
 * const graph = new IdentityGraph({ limits: { user_id: 1 } });
 * graph.add([
 *   { identifiers: [{ type: 'anonymous_id', value: 'c-1' }, { type: 'email', value: 'Ada@Example.com' }], at: '2026-01-05T10:00:00Z', source: 'web' },
 *   { identifiers: [{ type: 'email', value: 'ada@example.com' }, { type: 'loyalty_id', value: 'L-77' }], at: '2026-01-06T15:30:00Z', source: 'pos' },
 * ]);
 * const id = graph.profileIdOf({ type: 'loyalty_id', value: 'L-77' });
 * graph.profile(id!)?.identifiers.length; // 3
 * ```
 */
export class IdentityGraph {
  /** @internal */
  readonly state: GraphState;

  /**
   * @param rules compiled rules from `parseIdentityRules`, or a rule set to compile.
   * @param options `sharedMemory: true` backs the graph's large typed arrays with `SharedArrayBuffer` (where the
   *   runtime has one), which V8 does not count when it schedules full collections, at the price of dropped
   *   graphs' arrays waiting longer to be freed. A bulk batch (a million identifier occurrences or more) is about
   *   as fast without it: it keeps most of its arrays on the JavaScript heap either way. See
   *   [the benchmark in docs/identity.md](../../docs/identity.md#benchmark).
   */
  constructor(rules: CompiledIdentityRules | IdentityRulesInput = {}, options: IdentityGraphOptions = {}) {
    expectObject(rules, ['rules']);
    expectObject(options, ['options']);
    if (options.sharedMemory !== undefined && typeof options.sharedMemory !== 'boolean') {
      throw new CrossChannelError('CONFIG_INVALID', 'sharedMemory must be a boolean', { path: ['options', 'sharedMemory'] });
    }
    this.state = createState(isCompiled(rules) ? rules : parseIdentityRules(rules), { sharedMemory: options.sharedMemory === true });
  }

  /** The compiled rules. */
  get rules(): CompiledIdentityRules {
    return this.state.rules;
  }

  /**
   * Adds observations and recomputes the profiles of the components they touch. Throws `INPUT_INVALID` /
   * `TIME_INVALID` (with the path) when an observation is malformed, before changing anything; identifiers with
   * invalid values are reported in `invalid` and left out.
   */
  add(observations: ReadonlyArray<ObservationInput>): StitchReport {
    const s = this.state;
    const { ats, memberCount } = checkBatch(observations);
    // Without the optional phone peer, refuse a batch holding a phone before anything is interned.
    if (phoneLib === null && s.rules.normalize.phone === undefined) assertNoPhones(observations, s.rules);
    const nBefore = s.n;
    const invalid: InvalidIdentifier[] = [];
    const blocked: RefusedLink[] = [];
    // A bulk batch moves the graph's append-only arrays to the heap first (see useHeapArrays: no full collection
    // of the caller's heap for them). The same with sharedMemory, so that bulk graphs have one layout.
    if (memberCount >= BULK_MEMBERS) useHeapArrays(s);
    reserveObservations(s, observations.length, memberCount);
    reserveKeys(s, memberCount);
    const firstObs = s.nObs;
    const folded: number[] = [];
    const opts = s.rules.normalize;
    let lastType = '';
    let lastT = -1;
    // Observations are read a chunk at a time: the chunk's identifiers are normalised and hashed first, then the
    // interning-table slots they hash to are touched together, so that their cache misses overlap instead of
    // following one another; then they are interned and linked in order, exactly as one at a time.
    const types: number[] = [];
    // What each phone text of this batch normalised to (made at the first phone): see phoneInBatch.
    let phones: Map<unknown, string> | undefined;
    const values: Array<string | Reason<IdentifierReasonCode>> = [];
    const hashes: number[] = [];
    for (let i0 = 0; i0 < observations.length; i0 += CHUNK) {
      const i1 = Math.min(observations.length, i0 + CHUNK);
      let q = 0;
      for (let i = i0; i < i1; i++) {
        const ids = observations[i]!.identifiers;
        for (let j = 0; j < ids.length; j++, q++) {
          const raw = ids[j]!;
          // Consecutive identifiers usually share a type string; skip the map lookup then.
          const t = raw.type === lastType ? lastT : typeIdOf(s, raw.type);
          lastType = raw.type;
          lastT = t;
          const kind = s.typeKind[t]!;
          const v = kind === 'phone' ? phoneInBatch(s, t, raw.value, raw.type, (phones ??= new Map())) : normalizeWithKind(kind, raw.value, raw.type, opts);
          types[q] = t;
          values[q] = v;
          hashes[q] = typeof v === 'string' ? identifierHash(t, v) : 0;
        }
      }
      touchSlots(s, hashes, q);
      q = 0;
      for (let i = i0; i < i1; i++) {
        const obs = observations[i]!;
        const count = obs.identifiers.length;
        const start = s.nMembers;
        const source = obs.source ?? '';
        for (let j = 0; j < count; j++, q++) {
          const v = values[q]!;
          if (typeof v !== 'string') {
            invalid.push({ observation: i, index: j, reason: v });
            continue;
          }
          const t = types[q]!;
          const h = hashes[q]!;
          let x = lookupIdentifier(s, t, v, h);
          if (x < 0) {
            // Values refused earlier are remembered per type; the map is usually empty (skip hashing the value then).
            const known = s.typeBlocked[t]!;
            const type = s.typeNames[t]!;
            const rule = (known.size === 0 ? undefined : known.get(v)) ?? s.rules.blockedBy(type, v);
            if (rule !== undefined) {
              known.set(v, rule);
              blocked.push(blockedLink(type, v, rule, ats[i]!, source));
              continue;
            }
            x = internIdentifier(s, t, v, h);
          }
          let dup = false;
          for (let k = start; k < s.nMembers; k++) if (s.members[k] === x) dup = true;
          if (!dup) s.members[s.nMembers++] = x;
        }
        if (s.nMembers === start) continue;
        // Non-linking identifiers leave the observation: each is sighted on its own (a profile of its own, linked
        // to nothing) and attached to the observation's linking identifiers.
        const shared = s.anyNonLinking ? splitNonLinking(s, start) : undefined;
        const linking = shared === undefined || s.nMembers === start ? undefined : s.members.slice(start, s.nMembers);
        storeObservation(s, start, ats[i]!, source, nBefore, folded);
        if (shared === undefined) continue;
        reserveObservations(s, shared.length, 0);
        for (const n of shared) {
          if (linking !== undefined) for (const x of linking) attach(s, n, x);
          const at = s.nMembers;
          s.members[s.nMembers++] = n;
          storeObservation(s, at, ats[i]!, source, nBefore, folded);
        }
      }
    }
    initIdentifiers(s, nBefore);
    // Profiles that existed before and are touched: remember their ids to report renames, merges and splits.
    s.epoch++;
    const previous = new Map<number, string>();
    for (let o = firstObs; o < s.nObs; o++) {
      for (let k = s.obsStart[o]!; k < s.obsStart[o]! + s.obsLen[o]!; k++) {
        const x = s.members[k]!;
        if (x >= nBefore) continue;
        const r = find(s, x);
        if (s.mark[r] === s.epoch) continue;
        s.mark[r] = s.epoch;
        let m = r;
        do {
          const pid = profileIdFor(s, s.profileOf[m]!);
          previous.set(m, pid);
          s.profileById?.delete(pid);
          m = s.next[m]!;
        } while (m !== r);
        s.refusedByRoot.delete(r);
      }
    }
    for (let o = firstObs; o < s.nObs; o++) linkObservation(s, o);
    s.epoch++;
    const canonicals: number[] = [];
    const refused: RefusedLink[] = [...blocked];
    for (let o = firstObs; o < s.nObs; o++) {
      const r = find(s, s.members[s.obsStart[o]!]!);
      if (s.mark[r] === s.epoch) continue;
      s.mark[r] = s.epoch;
      resolveComponent(s, r, canonicals);
      const rr = s.refusedByRoot.get(r);
      if (rr) for (const x of rr) refused.push(x);
    }
    // Folded sightings touched their profiles too (read after resolution: a later observation may have merged them).
    if (folded.length > 0) {
      const e = ++s.epoch;
      for (const c of canonicals) s.mark[c] = e;
      for (const x of folded) {
        const c = s.profileOf[x]!;
        if (s.mark[c] === e) continue;
        s.mark[c] = e;
        canonicals.push(c);
      }
    }
    refused.sort(compareRefused);
    const report = { observations: s.nObs - firstObs + folded.length, profiles: [] as string[], changes: changesOf(s, canonicals, previous), refused, invalid };
    // A small batch (a request observing one person) names its profiles at once: their ids are usually cached.
    if (canonicals.length <= 64) {
      report.profiles = profileIds(s, canonicals);
      return report;
    }
    // Profile ids of a bulk load are hashed when the report's `profiles` is first read (or before an erasure, the
    // only change that alters an id): a bulk load whose caller never reads them does not pay for them.
    let profiles: string[] | undefined;
    Object.defineProperty(report, 'profiles', { get: () => (profiles ??= profileIds(s, canonicals)), enumerable: true, configurable: true });
    deferProfiles(s, report);
    return report;
  }

  /** Profile id of an identifier (normalised first), or `undefined` when unknown, invalid or blocked. */
  profileIdOf(identifier: { readonly type: string; readonly value: string }): string | undefined {
    const x = indexOf(this.state, identifier);
    return x === undefined ? undefined : profileIdFor(this.state, this.state.profileOf[x]!);
  }

  /**
   * The identifier as the graph holds it (normalised by its rules) and its profile id, or `undefined` when it is
   * unknown, invalid or blocked: one normalisation for both, where `normalizeIdentifier` then `profileIdOf` would
   * normalise twice. A phone the graph holds, given in E.164 form, is found without parsing.
   *
   * @example
   * ```ts
   * const graph = new IdentityGraph();
   * graph.add([{ identifiers: [{ type: 'email', value: 'ada@example.com' }], at: 1 }]);
   * graph.find({ type: 'email', value: ' Ada@Example.COM ' });
   * // { identifier: { type: 'email', value: 'ada@example.com' }, profileId: 'p_…' }
   * ```
   */
  find(identifier: { readonly type: string; readonly value: string }): { identifier: Identifier; profileId: string } | undefined {
    const s = this.state;
    const x = indexOf(s, identifier);
    return x === undefined ? undefined : { identifier: identifierAt(s, x), profileId: profileIdFor(s, s.profileOf[x]!) };
  }

  /**
   * Ids of the profiles a `nonLinking` identifier (a shared device cookie) was seen with, sorted; empty for an
   * identifier of a linking type, or one never seen with anybody. `profileIdOf` of such an identifier names its
   * own profile: what is known of the device when nobody is identified on it, never one of its users.
   *
   * @example
   * ```ts
   * const graph = new IdentityGraph({ nonLinking: ['device_id'] });
   * graph.add([
   *   { identifiers: [{ type: 'device_id', value: 'family-ipad' }, { type: 'email', value: 'ada@example.com' }], at: 1 },
   *   { identifiers: [{ type: 'device_id', value: 'family-ipad' }, { type: 'email', value: 'bob@example.com' }], at: 2 },
   * ]);
   * graph.attachedProfileIds({ type: 'device_id', value: 'family-ipad' }).length; // 2: Ada and Bob, never merged
   * ```
   */
  attachedProfileIds(identifier: { readonly type: string; readonly value: string }): string[] {
    const s = this.state;
    const x = indexOf(s, identifier);
    const owners = x === undefined ? undefined : s.ownersOf.get(x);
    if (owners === undefined) return [];
    const ids = new Set<string>();
    for (const y of owners) if (s.profileOf[y]! >= 0) ids.add(profileIdFor(s, s.profileOf[y]!));
    return [...ids].sort();
  }

  /** A profile by id, or `undefined`. */
  profile(profileId: string): Profile | undefined {
    const c = profileIndex(this.state).get(profileId);
    return c === undefined ? undefined : profileView(this.state, c);
  }

  /** Every profile (order unspecified). */
  *profiles(): IterableIterator<Profile> {
    const s = this.state;
    for (let c = 0; c < s.n; c++) if (s.profileOf[c] === c) yield profileView(s, c);
  }

  /** Number of profiles, identifiers and stored observations. */
  get size(): { profiles: number; identifiers: number; observations: number } {
    const s = this.state;
    let live = 0;
    let profiles = 0;
    for (let i = 0; i < s.n; i++) {
      if (s.profileOf[i]! >= 0) live++;
      if (s.profileOf[i] === i) profiles++;
    }
    let obs = 0;
    for (let o = 0; o < s.nObs; o++) if (s.obsLen[o]! > 0) obs++;
    return { profiles, identifiers: live, observations: obs };
  }

  /** Every link merge protection currently refuses (blocked identifiers are reported by `add` only). */
  refused(): RefusedLink[] {
    const out: RefusedLink[] = [];
    for (const list of this.state.refusedByRoot.values()) out.push(...list);
    return out.sort(compareRefused);
  }

  /**
   * Unmerges one identifier: removes it from every observation and recomputes its component, which splits
   * where the remaining links allow. Returns `undefined` when the identifier is unknown.
   */
  removeIdentifier(identifier: { readonly type: string; readonly value: string }): ErasureResult | undefined {
    const x = indexOf(this.state, identifier);
    return x === undefined ? undefined : eraseIdentifiers(this.state, [x]);
  }

  /**
   * Erases a person (right to erasure): every identifier of the profile leaves the graph, observations are
   * stripped of them, and the rest of the component is recomputed. `undefined` when the profile is unknown.
   */
  erase(profileId: string): ErasureResult | undefined {
    const s = this.state;
    const c = profileIndex(s).get(profileId);
    if (c === undefined) return undefined;
    const targets: number[] = [];
    let m = c;
    do {
      targets.push(m);
      m = s.pnext[m]!;
    } while (m !== c);
    // A non-linking identifier seen only with this person (their own device) goes with them; a shared one stays,
    // detached from them.
    const own = targets.length;
    for (let i = 0; i < own; i++) {
      for (const n of s.attachedOf.get(targets[i]!) ?? []) {
        if (!targets.includes(n) && s.ownersOf.get(n)!.every((y) => s.profileOf[y] === c)) targets.push(n);
      }
    }
    return eraseIdentifiers(s, targets);
  }

  /**
   * The audit log of a profile, oldest first: every observation that linked two or more of its identifiers
   * (which observation caused which merge), and every refused link involving one of them.
   */
  audit(profileId: string): AuditEntry[] {
    const s = this.state;
    const c = profileIndex(s).get(profileId);
    if (c === undefined) return [];
    const out: AuditEntry[] = [];
    const root = find(s, c);
    const h = s.obsHead[root]!;
    if (h >= 0) {
      let o = h;
      do {
        const ids: number[] = [];
        for (let k = s.obsStart[o]!; k < s.obsStart[o]! + s.obsLen[o]!; k++) if (s.profileOf[s.members[k]!] === c) ids.push(s.members[k]!);
        if (ids.length >= 2) {
          ids.sort((a, b) => compareIds(s, a, b));
          out.push({ kind: 'linked', at: s.obsAt[o]!, source: s.obsSource[o]!, identifiers: ids.map((x) => identifierAt(s, x)) });
        }
        o = s.obsNext[o]!;
      } while (o !== h);
    }
    for (const r of s.refusedByRoot.get(root) ?? []) {
      const mine = indexOf(s, r.from) !== undefined && s.profileOf[indexOf(s, r.from)!] === c;
      const theirs = r.to !== undefined && s.profileOf[indexOf(s, r.to)!] === c;
      if (mine || theirs) out.push({ kind: 'refused', ...r });
    }
    out.sort((a, b) => a.at - b.at || (a.kind < b.kind ? -1 : a.kind > b.kind ? 1 : 0) || (a.source < b.source ? -1 : a.source > b.source ? 1 : 0));
    return out;
  }
}

/** Observations read per chunk by {@link IdentityGraph.add}: enough identifiers for their cache misses to overlap. */
const CHUNK = 16;

/** Phone texts a batch remembers the normalised form of (≈ 100 B each). */
const PHONE_MEMO = 65_536;

/** E.164: `+`, a country code's first digit (never 0), at most 15 digits in all. */
const E164_RE = /^\+[1-9][0-9]{1,14}$/;

/**
 * Index of `value` when it is in E.164 form and the graph already holds it as an identifier of type `t` (a phone
 * type), else -1: such a value is its own normalised form, without parsing. Only normalised values are interned,
 * and phone normalisation is idempotent on them (a property test holds libphonenumber-js to that).
 */
function knownE164(s: GraphState, t: number, value: unknown): number {
  return typeof value === 'string' && E164_RE.test(value) ? lookupIdentifier(s, t, value, identifierHash(t, value)) : -1;
}

/**
 * A phone's normalised value inside one {@link IdentityGraph.add} batch. Parsing with libphonenumber-js costs
 * ≈ 4–5 µs a number where every other step of a batch costs well under 1 µs per identifier, and the same number
 * comes back in many observations: a value the graph already holds in E.164 form is taken as it is, and a text
 * the batch parsed before gives what it gave then (`seen`, up to {@link PHONE_MEMO} texts, freed with the batch).
 * Answers exactly as `normalizeWithKind` (the phone options are the graph's, the same for every phone type).
 */
function phoneInBatch(s: GraphState, t: number, value: string, type: string, seen: Map<unknown, string>): string | Reason<IdentifierReasonCode> {
  if (knownE164(s, t, value) >= 0) return value;
  const known = seen.get(value);
  if (known !== undefined) return known;
  const v = normalizeWithKind('phone', value, type, s.rules.normalize);
  if (typeof v === 'string' && seen.size < PHONE_MEMO) seen.set(value, v);
  return v;
}

/**
 * True when the observation at `members[start…start+len)` would change nothing but last-seen: its identifiers
 * all exist already, in one raw component that refuses no link, its links are not stale, and a stored
 * observation at or before it, with the same anchor, holds all of them (so every link it asks for is already
 * asked for, earlier).
 * Profiles, first-seen, refusals and erasure then come out exactly as if it were stored.
 */
function isRedundant(s: GraphState, start: number, len: number, at: number, source: string, nBefore: number): boolean {
  const members = s.members;
  const x0 = members[start]!;
  if (x0 >= nBefore) return false;
  const r = find(s, x0);
  for (let k = start + 1; k < start + len; k++) {
    const x = members[k]!;
    if (x >= nBefore || find(s, x) !== r) return false;
  }
  if (s.refusedByRoot.has(r)) return false;
  if (len >= 2) {
    for (let k = start; k < start + len; k++) {
      const x = members[k]!;
      if (at - s.firstSeen[x]! > s.typeTtl[s.idType[x]!]!) return false;
    }
  }
  const head = s.obsHead[r]!;
  if (head < 0) return false;
  const e = ++s.epoch;
  for (let k = start; k < start + len; k++) s.mark[members[k]!] = e;
  // A stored observation covers this one when it holds every identifier, was seen no later (on a tie, from a
  // source that sorts no later: the earliest sighting of a link names its source) and, for a link-making
  // observation, has the same anchor (strongest identifier). Links run from the anchor to each other
  // identifier, so a superset anchored elsewhere does not make this observation's links: p1 + a5 asks for
  // p1–a5, which p1 + u0 + a5 (anchored at u0) never does.
  let o = head;
  do {
    const n = s.obsLen[o]!;
    const oAt = s.obsAt[o]!;
    if (n >= len && (oAt < at || (oAt === at && (len < 2 || s.obsSource[o]! <= source)))) {
      const from = s.obsStart[o]!;
      let hits = 0;
      for (let k = from; k < from + n; k++) if (s.mark[members[k]!] === e) hits++;
      if (hits === len) {
        if (len < 2) return true;
        let anchor = members[from]!;
        for (let k = from + 1; k < from + n; k++) if (compareIds(s, members[k]!, anchor) < 0) anchor = members[k]!;
        if (s.mark[anchor] === e) return true;
      }
    }
    o = s.obsNext[o]!;
  } while (o !== head);
  return false;
}

/**
 * Stores the observation at `members[start…nMembers)`, or folds it into a sighting when it is redundant (nothing
 * new to link or intern: a service observing the same person on every request does not grow the graph, or the
 * database, by one observation per request).
 */
function storeObservation(s: GraphState, start: number, at: number, source: string, nBefore: number, folded: number[]): void {
  const len = s.nMembers - start;
  if (len === 0) return;
  if (isRedundant(s, start, len, at, source, nBefore)) {
    foldSighting(s, start, len, at);
    folded.push(s.members[start]!);
    s.nMembers = start;
    return;
  }
  const o = s.nObs++;
  s.obsStart[o] = start;
  s.obsLen[o] = len;
  s.obsAt[o] = at;
  s.obsSource[o] = source;
}

/** Moves the non-linking identifiers out of `members[start…nMembers)` (keeping the others in order) and returns them. */
function splitNonLinking(s: GraphState, start: number): number[] | undefined {
  let shared: number[] | undefined;
  let w = start;
  for (let k = start; k < s.nMembers; k++) {
    const x = s.members[k]!;
    if (s.typeNonLinking[s.idType[x]!]) (shared ??= []).push(x);
    else s.members[w++] = x;
  }
  s.nMembers = w;
  return shared;
}

/** Attaches non-linking identifier `n` to linking identifier `x` (both ways, once). */
function attach(s: GraphState, n: number, x: number): void {
  const owners = s.ownersOf.get(n);
  if (owners === undefined) s.ownersOf.set(n, [x]);
  else if (owners.includes(x)) return;
  else owners.push(x);
  const list = s.attachedOf.get(x);
  if (list === undefined) s.attachedOf.set(x, [n]);
  else list.push(n);
}

/** Records a folded observation's time as the last sighting of its identifiers. */
function foldSighting(s: GraphState, start: number, len: number, at: number): void {
  for (let k = start; k < start + len; k++) {
    const x = s.members[k]!;
    noteFoldedSeen(s, x, at);
    if (at > s.lastSeen[x]!) s.lastSeen[x] = at;
  }
}

function isCompiled(r: CompiledIdentityRules | IdentityRulesInput): r is CompiledIdentityRules {
  return typeof (r as CompiledIdentityRules).rankOf === 'function';
}

/** Index of a known identifier, after normalisation; `undefined` when unknown or invalid. */
export function indexOf(s: GraphState, identifier: { readonly type: string; readonly value: string }): number | undefined {
  expectIdentifier(identifier, ['identifier']);
  const t = s.typeIndex.get(identifier.type);
  if (t === undefined) return undefined;
  const kind = s.typeKind[t]!;
  // A phone the graph holds, asked for in E.164 form (as telephony systems pass caller ids), needs no parsing.
  if (kind === 'phone') {
    const known = knownE164(s, t, identifier.value);
    if (known >= 0) return known;
  }
  const v = normalizeWithKind(kind, identifier.value, identifier.type, s.rules.normalize);
  if (typeof v !== 'string') return undefined;
  const x = lookupIdentifier(s, t, v, identifierHash(t, v));
  return x < 0 ? undefined : x;
}

export function profileView(s: GraphState, c: number): Profile {
  const ids: number[] = [];
  let first = Infinity;
  let last = -Infinity;
  let m = c;
  do {
    ids.push(m);
    if (s.firstSeen[m]! < first) first = s.firstSeen[m]!;
    if (s.lastSeen[m]! > last) last = s.lastSeen[m]!;
    m = s.pnext[m]!;
  } while (m !== c);
  ids.sort((a, b) => compareIds(s, a, b));
  const view: Profile = { id: profileIdFor(s, c), identifiers: ids.map((x) => identifierAt(s, x)), firstSeen: first, lastSeen: last };
  if (s.attachedOf.size === 0) return view;
  const attached: number[] = [];
  for (const x of ids) for (const n of s.attachedOf.get(x) ?? []) if (!attached.includes(n)) attached.push(n);
  if (attached.length === 0) return view;
  attached.sort((a, b) => compareIds(s, a, b));
  return { ...view, attached: attached.map((x) => identifierAt(s, x)) };
}

/** Deterministic order of refused links: time, source, then the identifiers. */
export function compareRefused(a: RefusedLink, b: RefusedLink): number {
  return (
    a.at - b.at ||
    cmp(a.source, b.source) ||
    cmp(a.from.type, b.from.type) ||
    cmp(a.from.value, b.from.value) ||
    cmp(a.to?.type ?? '', b.to?.type ?? '') ||
    cmp(a.to?.value ?? '', b.to?.value ?? '') ||
    cmp(a.rule, b.rule)
  );
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function blockedLink(type: string, value: string, rule: string, at: number, source: string): RefusedLink {
  return { code: 'IDENTITY_BLOCKED_VALUE', message: `${type} value is blocked (${rule})`, rule, from: { type, value }, at, source };
}

/** Throws `DEPENDENCY_MISSING` at the first identifier whose type normalises as a phone (libphonenumber-js absent). */
function assertNoPhones(observations: ReadonlyArray<ObservationInput>, rules: CompiledIdentityRules): void {
  observations.forEach((o, i) =>
    o.identifiers.forEach((id, j) => {
      if (normalizerKindOf(id.type, rules.normalize) === 'phone') requirePhoneLib(null, [i, 'identifiers', j, 'value']);
    }),
  );
}

/** Checks the shape of every observation and reads its time, before anything is changed. */
export function validateBatch(observations: ReadonlyArray<ObservationInput>): ReadonlyArray<number> {
  return checkBatch(observations).ats;
}

/** {@link validateBatch}, also counting the identifiers of the batch (one pass over the input, not two). */
function checkBatch(observations: ReadonlyArray<ObservationInput>): { ats: number[]; memberCount: number } {
  if (!Array.isArray(observations)) throw inputError('observations must be an array');
  // A JavaScript array of doubles (as compact as a Float64Array, without counting as external memory).
  const ats = new Array<number>(observations.length).fill(0.5);
  let memberCount = 0;
  // Type names already checked in this batch: a handful of distinct strings, compared before running the regex.
  const knownTypes: unknown[] = [];
  for (let i = 0; i < observations.length; i++) {
    const o = observations[i] as ObservationInput | undefined;
    if (o === null || typeof o !== 'object') throw inputError('observation must be an object', [i]);
    const ids = o.identifiers as unknown;
    if (!Array.isArray(ids)) throw inputError('identifiers must be an array', [i, 'identifiers']);
    memberCount += ids.length;
    for (let j = 0; j < ids.length; j++) {
      const id = ids[j] as { type?: unknown; value?: unknown } | null;
      if (id === null || typeof id !== 'object') throw inputError('identifier must be an object { type, value }', [i, 'identifiers', j]);
      const type = id.type;
      if (!knownTypes.includes(type)) {
        if (!isIdentifierType(type)) throw inputError('identifier type must match [a-z][a-z0-9_]* (at most 64 characters)', [i, 'identifiers', j, 'type']);
        if (knownTypes.length < 64) knownTypes.push(type);
      }
      if (typeof id.value !== 'string') throw inputError('identifier value must be a string', [i, 'identifiers', j, 'value']);
    }
    const at = o.at;
    ats[i] = typeof at === 'number' && Number.isSafeInteger(at) ? at : toEpochMs(at, [i, 'at']);
    if (o.source !== undefined && (typeof o.source !== 'string' || o.source.length > 256)) {
      throw inputError('source must be a string of at most 256 characters', [i, 'source']);
    }
  }
  return { ats, memberCount };
}

/**
 * Stitches observations in one go: the pure form of {@link IdentityGraph}.
 *
 * @example
 * ```ts
 * const { profiles, refused } = stitch(
 *   [
 *     { identifiers: [{ type: 'anonymous_id', value: 'tablet-1' }, { type: 'user_id', value: 'u1' }], at: 1 },
 *     { identifiers: [{ type: 'anonymous_id', value: 'tablet-1' }, { type: 'user_id', value: 'u2' }], at: 2 },
 *   ],
 *   { limits: { user_id: 1 } },
 * );
 * profiles.length;   // 2
 * refused[0]?.rule;  // 'limit:user_id'
 * ```
 */
export function stitch(
  observations: ReadonlyArray<ObservationInput>,
  rules: CompiledIdentityRules | IdentityRulesInput = {},
  progress?: ProgressOptions,
): { profiles: Profile[]; refused: RefusedLink[]; invalid: ReadonlyArray<InvalidIdentifier> } {
  const g = new IdentityGraph(rules);
  const tracker = progressCounter(progress, ['progress']);
  let r: StitchReport;
  if (tracker === null) r = g.add(observations);
  else {
    // In batches of `progressEvery` (the result does not depend on batching): a throwing callback stops between
    // two consistent batches, and the graph is discarded with the call.
    validateBatch(observations);
    const every = progress!.progressEvery ?? 10_000;
    const refusedAll: RefusedLink[] = [];
    const invalidAll: InvalidIdentifier[] = [];
    for (let start = 0; start < observations.length || start === 0; start += every) {
      const part = g.add(observations.slice(start, start + every));
      for (const x of part.invalid) invalidAll.push({ ...x, observation: x.observation + start });
      for (const x of part.refused) refusedAll.push(x);
      tracker.advance(Math.min(every, observations.length - start));
      if (observations.length === 0) break;
    }
    tracker.end();
    // Refused links are those the final graph refuses, plus every blocked identifier seen.
    const refused = [...g.refused(), ...refusedAll.filter((x) => x.code === 'IDENTITY_BLOCKED_VALUE')].sort(compareRefused);
    r = { observations: observations.length, profiles: [], changes: [], refused, invalid: invalidAll };
  }
  const profiles = [...g.profiles()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  return { profiles, refused: [...r.refused], invalid: r.invalid };
}
