/**
 * Internal views of a graph for the stores (the PostgreSQL store writes these rows back). Not part of the public
 * entry point.
 */
import { indexOf, type IdentityGraph } from './graph.js';
import type { Identifier } from './normalize.js';
import { find, identifierAt, profileIdFor } from './state.js';

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


/**
 * Internal, for stores that rebuild a graph from stored observations: restores an identifier's last sighting
 * (a stored `last_seen`), which may come from observations folded instead of stored.
 */
export function restoreLastSeen(graph: IdentityGraph, identifier: Identifier, at: number): void {
  const s = graph.state;
  const x = indexOf(s, identifier);
  if (x === undefined || !(at > s.foldedSeen[x]!)) return;
  s.foldedSeen[x] = at;
  if (at > s.lastSeen[x]!) s.lastSeen[x] = at;
}
