/**
 * The `IdentityStore` contract: what `decide` and services call to resolve identifiers to profiles. Memory and
 * PostgreSQL implementations live in `crosschannel/adapters/*`; both pass `runIdentityStoreConformance`.
 */
import { expectIdentifier } from '../core/guards.js';
import { inputError } from '../core/errors.js';
import type { EpochMs } from '../core/time.js';
import type { Identifier } from './normalize.js';
import type { CompiledIdentityRules } from './rules.js';
import type { AuditEntry, ObservationInput, Profile, ProfileChange, StitchReport } from './graph.js';

/**
 * An identifier as callers pass it (normalised by the store with its rules).
 *
 * @example
 * ```ts
 * declare const store: IdentityStore;
 * const seen: IdentifierInput = { type: 'email', value: 'Ada@Example.com' };
 * const profileId = await store.resolve([seen]);
 * ```
 */
export interface IdentifierInput {
  readonly type: string;
  readonly value: string;
}

/**
 * What an unmerge or erasure did, without the erased values: the salted-hash proofs are the only trace kept.
 *
 * @example
 * ```ts
 * declare const store: IdentityStore;
 * const receipt: IdentityErasureReceipt | null = await store.erase('p_1', Date.now());
 * if (receipt) console.log(receipt.identifiers, receipt.proofs);
 * ```
 */
export interface IdentityErasureReceipt {
  readonly erasedAt: EpochMs;
  /** Number of identifiers removed. */
  readonly identifiers: number;
  /** `erasureProof` of each removed identifier, sorted. */
  readonly proofs: ReadonlyArray<string>;
  /** Profiles that remain of the affected component (order unspecified). */
  readonly profiles: ReadonlyArray<string>;
  readonly changes: ReadonlyArray<ProfileChange>;
}

/**
 * Storage of the identity graph. All methods are async; identifiers are normalised by the store's rules, and
 * invalid ones are treated as unknown by lookups (`addObservations` reports them).
 *
 * @example
 * ```ts
 * import { MemoryIdentityStore } from 'crosschannel/adapters/memory';
 * const store: IdentityStore = new MemoryIdentityStore({ rules: { limits: { user_id: 1 } }, erasureSalt: 'secret' });
 * await store.addObservations([{ identifiers: [{ type: 'email', value: 'ada@shop.test' }, { type: 'user_id', value: 'u1' }], at: 1767225600000 }]);
 * const profileId = await store.lookup({ type: 'email', value: 'ADA@shop.test' });
 * ```
 */
export interface IdentityStore {
  /** Adds observations and stitches them (see `IdentityGraph.add`); all or nothing. */
  addObservations(observations: ReadonlyArray<ObservationInput>): Promise<StitchReport>;
  /** Profile id of one identifier, or `null` when unknown. One round trip. */
  lookup(identifier: IdentifierInput): Promise<string | null>;
  /**
   * Profile id of the strongest known identifier among several (a request carrying a cookie and a login), or
   * `null` when none is known; a `nonLinking` identifier (a shared device) only when no other one is known. One
   * round trip.
   */
  resolve(identifiers: ReadonlyArray<IdentifierInput>): Promise<string | null>;
  /** A profile with its identifiers (strongest first) and first/last seen, or `null`. */
  profile(profileId: string): Promise<Profile | null>;
  /** The identifiers of a profile, strongest first (empty when unknown). */
  identifiersOf(profileId: string): Promise<Identifier[]>;
  /** The audit log of a profile: observations that linked its identifiers and refused links. */
  audit(profileId: string): Promise<AuditEntry[]>;
  /** Unmerges one identifier (removes it everywhere; its component splits where links allow); `null` when unknown. */
  removeIdentifier(identifier: IdentifierInput, now: EpochMs): Promise<IdentityErasureReceipt | null>;
  /** Erases a person: every identifier of the profile; `null` when the profile is unknown. */
  erase(profileId: string, now: EpochMs): Promise<IdentityErasureReceipt | null>;
  /** True when this identifier was erased (checked against the salted proofs). */
  wasErased(identifier: IdentifierInput): Promise<boolean>;
}

/**
 * Strongest-first order of identifiers under the rules: type rank, then type name, then value. The minimum of a
 * profile names it; `resolve` picks the profile of the minimum known identifier.
 *
 * @example
 * ```ts
 * const rules = parseIdentityRules();
 * compareIdentifiers(rules, { type: 'user_id', value: 'u1' }, { type: 'anonymous_id', value: 'a' }) < 0; // true
 * ```
 */
export function compareIdentifiers(rules: CompiledIdentityRules, a: Identifier, b: Identifier): number {
  expectRules(rules);
  expectIdentifier(a, ['a']);
  expectIdentifier(b, ['b']);
  const d = rules.rankOf(a.type) - rules.rankOf(b.type);
  if (d !== 0) return d;
  if (a.type !== b.type) return a.type < b.type ? -1 : 1;
  return a.value < b.value ? -1 : a.value > b.value ? 1 : 0;
}

/**
 * Which of two known identifiers names the person in `resolve`: a linking identifier beats a `nonLinking` one (a
 * shared device never names one of its users), then the strongest ({@link compareIdentifiers}). True when `a` wins.
 *
 * @example
 * ```ts
 * const rules = parseIdentityRules({ nonLinking: ['device_id'], priority: ['device_id', 'email'] });
 * preferredIdentifier(rules, { type: 'email', value: 'ada@example.com' }, { type: 'device_id', value: 'ipad' }); // true
 * ```
 */
export function preferredIdentifier(rules: CompiledIdentityRules, a: Identifier, b: Identifier): boolean {
  expectRules(rules);
  expectIdentifier(a, ['a']);
  expectIdentifier(b, ['b']);
  const na = rules.isNonLinking(a.type);
  if (na !== rules.isNonLinking(b.type)) return !na;
  return compareIdentifiers(rules, a, b) < 0;
}

/** Compiled rules from `parseIdentityRules` (plain JavaScript may pass anything). */
function expectRules(rules: unknown): void {
  if (typeof rules !== 'object' || rules === null || typeof (rules as CompiledIdentityRules).rankOf !== 'function') {
    throw inputError('Expected compiled identity rules from parseIdentityRules', ['rules']);
  }
}
