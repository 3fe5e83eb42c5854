/**
 * Internal views of a graph for the stores (the PostgreSQL store writes these rows back). Not part of the public
 * entry point.
 */
import { indexOf, type IdentityGraph } from './graph.js';
import type { Identifier } from './normalize.js';
import { find, identifierAt, noteFoldedSeen, profileIdFor } from './state.js';

/** Internal view for stores: every live identifier with its raw component root, profile id and sightings. */
export function liveIdentifiers(graph: IdentityGraph): Array<{ identifier: Identifier; component: number; profileId: string; firstSeen: number; lastSeen: number }> {
  const s = graph.state;
  const out = [];
  for (let i = 0; i < s.n; i++) {
    if (s.profileOf[i]! < 0) continue;
    out.push({ identifier: identifierAt(s, i), component: find(s, i), profileId: profileIdFor(s, s.profileOf[i]!), firstSeen: s.firstSeen[i]!, lastSeen: s.lastSeen[i]! });
  }
  return out;
}

/** Internal view for stores: every stored observation with its (normalised) identifiers. */
export function liveObservations(graph: IdentityGraph, from = 0): Array<{ identifiers: Identifier[]; at: number; source: string }> {
  const s = graph.state;
  const out = [];
  for (let o = from; o < s.nObs; o++) {
    const len = s.obsLen[o]!;
    if (len === 0) continue;
    const ids: Identifier[] = [];
    for (let k = s.obsStart[o]!; k < s.obsStart[o]! + len; k++) ids.push(identifierAt(s, s.members[k]!));
    out.push({ identifiers: ids, at: s.obsAt[o]!, source: s.obsSource[o]! });
  }
  return out;
}


/** Internal view for stores: every attachment of a non-linking identifier `n` to a linking identifier `x`. */
export function liveAttachments(graph: IdentityGraph): Array<{ n: Identifier; x: Identifier }> {
  const s = graph.state;
  const out = [];
  for (const [n, owners] of s.ownersOf) for (const x of owners) if (x >= 0) out.push({ n: identifierAt(s, n), x: identifierAt(s, x) });
  return out;
}

/**
 * Internal, for stores that rebuild part of a graph: restores the attachment of non-linking identifier `n` to `x`,
 * or to somebody outside the rebuilt part (`x` null), so that erasure knows a device is shared.
 */
export function restoreAttachment(graph: IdentityGraph, n: Identifier, x: Identifier | null): void {
  const s = graph.state;
  const a = indexOf(s, n);
  const b = x === null ? -1 : (indexOf(s, x) ?? -1);
  if (a === undefined) return;
  const owners = s.ownersOf.get(a);
  if (owners === undefined) s.ownersOf.set(a, [b]);
  else if (owners.includes(b)) return;
  else owners.push(b);
  if (b < 0) return;
  const list = s.attachedOf.get(b);
  if (list === undefined) s.attachedOf.set(b, [a]);
  else list.push(a);
}

/**
 * Internal, for stores that rebuild a graph from stored observations: restores an identifier's last sighting
 * (a stored `last_seen`), which may come from observations folded instead of stored.
 */
export function restoreLastSeen(graph: IdentityGraph, identifier: Identifier, at: number): void {
  const s = graph.state;
  const x = indexOf(s, identifier);
  if (x === undefined) return;
  noteFoldedSeen(s, x, at);
  if (at > s.lastSeen[x]!) s.lastSeen[x] = at;
}
