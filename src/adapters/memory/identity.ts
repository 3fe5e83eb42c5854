/**
 * In-process {@link IdentityStore} over an {@link IdentityGraph}: for tests, demos and single-process services.
 * Not bounded: an identity graph cannot forget people on its own (use `erase`).
 */

import { expectArray, expectObjects } from '../../core/guards.js';
import { IdentityGraph, type AuditEntry, type ObservationInput, type Profile, type StitchReport } from '../../identity/graph.js';
import { erasureProof, erasureSalts, type ErasureResult } from '../../identity/erasure.js';
import { normalizeIdentifier, type Identifier } from '../../identity/normalize.js';
import { parseIdentityRules, type CompiledIdentityRules, type IdentityRulesInput } from '../../identity/rules.js';
import { preferredIdentifier, type IdentityErasureReceipt, type IdentifierInput, type IdentityStore } from '../../identity/store.js';
import type { EpochMs } from '../../core/time.js';
import { refuseUnknownOptions } from '../store-input.js';

/** Options of {@link MemoryIdentityStore}. */
export interface MemoryIdentityStoreOptions {
  /** Identity rules (a rule set or compiled with `parseIdentityRules`). Default: `{}` (the defaults). */
  readonly rules?: CompiledIdentityRules | IdentityRulesInput;
  /**
   * Secret salt of the proofs of erasure. Default: a random salt drawn for this instance, which lives exactly
   * as long as the proofs it salts (they are in memory too). Never empty: unsalted proofs can be reversed.
   */
  readonly erasureSalt?: string;
  /** Salts of earlier keys, still checked by `wasErased` after a rotation (new proofs use `erasureSalt`). */
  readonly retiredErasureSalts?: ReadonlyArray<string>;
}

/**
 * In-memory identity store.
 *
 * @example
 * ```ts
 * const store = new MemoryIdentityStore({ rules: { limits: { user_id: 1 } }, erasureSalt: 'secret' });
 * await store.addObservations([{ identifiers: [{ type: 'anonymous_id', value: 'c1' }, { type: 'user_id', value: 'u1' }], at: 1 }]);
 * await store.lookup({ type: 'anonymous_id', value: 'c1' }); // 'p_…'
 * ```
 */
export class MemoryIdentityStore implements IdentityStore {
  readonly graph: IdentityGraph;
  private readonly salt: string;
  private readonly retired: string[];
  private readonly proofs = new Set<string>();

  constructor(options: MemoryIdentityStoreOptions = {}) {
    refuseUnknownOptions(options, ['rules', 'erasureSalt', 'retiredErasureSalts']);
    const rules = options.rules ?? {};
    this.graph = new IdentityGraph(typeof (rules as CompiledIdentityRules).rankOf === 'function' ? (rules as CompiledIdentityRules) : parseIdentityRules(rules));
    const salts = erasureSalts({ ...options, erasureSalt: options.erasureSalt ?? randomSalt() });
    this.salt = salts.current;
    this.retired = salts.retired;
  }

  async addObservations(observations: ReadonlyArray<ObservationInput>): Promise<StitchReport> {
    return this.graph.add(observations);
  }

  async lookup(identifier: IdentifierInput): Promise<string | null> {
    return this.graph.profileIdOf(identifier) ?? null;
  }

  async resolve(identifiers: ReadonlyArray<IdentifierInput>): Promise<string | null> {
    expectArray(identifiers, ['identifiers']);
    expectObjects(identifiers, ['identifiers']);
    let best: { identifier: Identifier; id: string } | undefined;
    const rules = this.graph.rules;
    for (const i of identifiers) {
      // One normalisation per identifier (a held E.164 phone needs none): the form the graph holds, and its profile.
      const found = this.graph.find(i);
      if (found === undefined) continue;
      if (best === undefined || preferredIdentifier(rules, found.identifier, best.identifier)) best = { identifier: found.identifier, id: found.profileId };
    }
    return best?.id ?? null;
  }

  async profile(profileId: string): Promise<Profile | null> {
    return this.graph.profile(profileId) ?? null;
  }

  async identifiersOf(profileId: string): Promise<Identifier[]> {
    return [...(this.graph.profile(profileId)?.identifiers ?? [])];
  }

  async audit(profileId: string): Promise<AuditEntry[]> {
    return this.graph.audit(profileId);
  }

  async removeIdentifier(identifier: IdentifierInput, now: EpochMs): Promise<IdentityErasureReceipt | null> {
    const r = this.graph.removeIdentifier(identifier);
    return r === undefined ? null : this.receipt(r, now);
  }

  async erase(profileId: string, now: EpochMs): Promise<IdentityErasureReceipt | null> {
    const r = this.graph.erase(profileId);
    return r === undefined ? null : this.receipt(r, now);
  }

  async wasErased(identifier: IdentifierInput): Promise<boolean> {
    const n = normalizeIdentifier(identifier, this.graph.rules.normalize);
    if (!n.ok) return false;
    for (const salt of [this.salt, ...this.retired]) if (this.proofs.has(await erasureProof(n.value, salt))) return true;
    return false;
  }

  private async receipt(r: ErasureResult, now: EpochMs): Promise<IdentityErasureReceipt> {
    const proofs = await Promise.all(r.erased.map((i) => erasureProof(i, this.salt)));
    for (const p of proofs) this.proofs.add(p);
    return { erasedAt: now, identifiers: r.erased.length, proofs: proofs.sort(), profiles: r.profiles, changes: r.changes };
  }
}

function randomSalt(): string {
  const bytes = globalThis.crypto.getRandomValues(new Uint8Array(32));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}
