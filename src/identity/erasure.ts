/**
 * Unmerge and erasure (GDPR art. 17): remove identifiers from every observation, rebuild only the raw
 * component they were in, and let it split where the remaining links allow. No erased value survives in the
 * graph; a salted hash is the only proof kept, and only by whoever asks for it.
 */
import { expectIdentifier, expectString } from '../core/guards.js';
import { saltedSha256Hex } from '../core/hash.js';
import { CrossChannelError } from '../core/errors.js';
import { identifierKey, type Identifier } from './normalize.js';
import { describeChanges, resolveComponent } from './components.js';
import { find, forgetIdentifier, identifierAt, linkObservation, profileIdFor, settle, type GraphState, type ProfileChange } from './state.js';

/**
 * What an unmerge or erasure did. `erased` holds the removed identifiers, returned once to the caller.
 *
 * @example
 * ```ts
 * declare const graph: IdentityGraph;
 * const r: ErasureResult | undefined = graph.removeIdentifier({ type: 'cookie_id', value: 'ck-1' });
 * console.log(r?.erased.length, r?.profiles, r?.changes);
 * ```
 */
export interface ErasureResult {
  readonly erased: ReadonlyArray<Identifier>;
  /** Ids of the profiles that remain of the affected components (order unspecified). */
  readonly profiles: ReadonlyArray<string>;
  readonly changes: ReadonlyArray<ProfileChange>;
}

/** Removes the identifiers at `targets` (indices) from the graph and recomputes their components. */
export function eraseIdentifiers(s: GraphState, targets: ReadonlyArray<number>): ErasureResult {
  settle(s);
  s.epoch++;
  const roots: number[] = [];
  for (const x of targets) {
    const r = find(s, x);
    if (s.mark[r] !== s.epoch) {
      s.mark[r] = s.epoch;
      roots.push(r);
    }
  }
  const previous = new Map<number, string>();
  const survivors: number[] = [];
  const observations: number[] = [];
  const gone = new Set(targets);
  for (const r of roots) {
    let m = r;
    do {
      const pid = profileIdFor(s, s.profileOf[m]!);
      s.profileById?.delete(pid);
      if (!gone.has(m)) {
        previous.set(m, pid);
        survivors.push(m);
      }
      m = s.next[m]!;
    } while (m !== r);
    const h = s.obsHead[r]!;
    if (h >= 0) {
      let o = h;
      do {
        observations.push(o);
        o = s.obsNext[o]!;
      } while (o !== h);
    }
    s.refusedByRoot.delete(r);
  }
  for (const x of targets) detach(s, x);
  const erased: Identifier[] = [];
  for (const x of targets) {
    erased.push(identifierAt(s, x));
    forgetIdentifier(s, x);
    s.profileIdOf[x] = undefined;
    s.foldedSeen.delete(x);
    s.idValue[x] = '';
    s.profileOf[x] = -1;
    s.pnext[x] = x;
    s.obsHead[x] = -1;
  }
  // Drop erased identifiers from every observation of the component (in place; slots are never reused).
  for (const o of observations) {
    const start = s.obsStart[o]!;
    let w = start;
    for (let k = start; k < start + s.obsLen[o]!; k++) {
      const x = s.members[k]!;
      if (!gone.has(x)) s.members[w++] = x;
    }
    s.obsLen[o] = w - start;
    if (w === start) s.obsSource[o] = '';
  }
  for (const m of survivors) {
    s.parent[m] = -1;
    s.next[m] = m;
    s.obsHead[m] = -1;
  }
  for (const o of observations) {
    if (s.obsLen[o]! > 0) linkObservation(s, o);
  }
  s.epoch++;
  const canonicals: number[] = [];
  for (const m of survivors) {
    const r = find(s, m);
    if (s.mark[r] === s.epoch) continue;
    s.mark[r] = s.epoch;
    resolveComponent(s, r, canonicals);
  }
  return { erased, ...describeChanges(s, canonicals, previous) };
}

/** Removes every attachment of identifier `x` (as a non-linking identifier, and as the owner of some). */
function detach(s: GraphState, x: number): void {
  const drop = (from: Map<number, number[]>, key: number, value: number): void => {
    const list = from.get(key);
    if (list === undefined) return;
    const i = list.indexOf(value);
    if (i >= 0) list.splice(i, 1);
    if (list.length === 0) from.delete(key);
  };
  for (const n of s.attachedOf.get(x) ?? []) drop(s.ownersOf, n, x);
  s.attachedOf.delete(x);
  for (const y of s.ownersOf.get(x) ?? []) drop(s.attachedOf, y, x);
  s.ownersOf.delete(x);
}

/**
 * The proof of erasure of one identifier: `sha256(salt + ':' + type + ':' + value)` as hex. Keep the salt
 * secret and out of the database holding the proofs; with it, a later request can show that a given value was
 * erased, without the proofs revealing which values they cover.
 *
 * @example
 * ```ts
 * const proof = await erasureProof({ type: 'email', value: 'ada@example.com' }, process.env.ERASURE_SALT ?? 'dev-salt');
 * proof.length; // 64
 * ```
 */
export async function erasureProof(identifier: Identifier, salt: string): Promise<string> {
  expectIdentifier(identifier, ['identifier']);
  expectString(salt, ['salt']);
  return saltedSha256Hex(salt, identifierKey(identifier));
}

/**
 * The salts of an identity store's proofs of erasure, checked once at construction: `current` proves new
 * erasures; `retired` (from a key rotation) still answer `wasErased` for proofs made before it. An empty salt
 * is refused: `sha256(':' + type + ':' + value)` is reversed by hashing a list of known emails.
 */
export function erasureSalts(options: { readonly erasureSalt?: unknown; readonly retiredErasureSalts?: unknown }): { current: string; retired: string[] } {
  const ok = (v: unknown): v is string => typeof v === 'string' && v.length > 0;
  if (!ok(options.erasureSalt)) {
    throw new CrossChannelError('CONFIG_INVALID', 'erasureSalt must be a non-empty secret string (proofs of erasure without one can be reversed by a dictionary)', { path: ['erasureSalt'] });
  }
  const retired = options.retiredErasureSalts ?? [];
  if (!Array.isArray(retired)) throw new CrossChannelError('CONFIG_INVALID', 'retiredErasureSalts must be an array of strings', { path: ['retiredErasureSalts'] });
  retired.forEach((r, i) => {
    if (!ok(r)) throw new CrossChannelError('CONFIG_INVALID', 'retiredErasureSalts must hold non-empty strings', { path: ['retiredErasureSalts', i] });
  });
  return { current: options.erasureSalt, retired: [...(retired as string[])] };
}
