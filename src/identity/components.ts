/**
 * Turning one raw component (everything connected by any valid link) into profiles. When the whole component
 * respects every limit and no link is stale, it is one profile (the fast path, taken by nearly all components).
 * Otherwise links are replayed in one canonical order — strongest link first, then oldest, then by value — and
 * each link that would break a rule is refused. The result depends only on the set of observations in the
 * component, never on the order they arrived in.
 */
import { compareIds, foldedSeenAt, identifierAt, profileIdFor, type GraphState, type ProfileChange, type RefusedLink } from './state.js';

interface Edge {
  /** Local indices: `a` is the observation's strongest identifier (its anchor), `b` another one. */
  a: number;
  b: number;
  at: number;
  source: string;
  /** Type ranks of the weaker and the stronger endpoint. */
  weak: number;
  strong: number;
}

/**
 * Recomputes the profiles of the raw component rooted at `root`: sets `profileOf` and `pnext` of every member,
 * registers the profile ids, and stores the refused links. Returns the canonical identifiers of the profiles.
 */
export function resolveComponent(s: GraphState, root: number, out: number[]): void {
  const { next, idType, typeLimit, typeTtl, firstSeen, lastSeen, obsNext, obsStart, obsLen, obsAt, members } = s;
  // Pass 1: reset first/last seen and check type limits and size.
  let hasTtl = false;
  let count = 0;
  let m = root;
  let canonical = root;
  do {
    firstSeen[m] = Infinity;
    lastSeen[m] = foldedSeenAt(s, m);
    if (typeTtl[idType[m]!]! !== Infinity) hasTtl = true;
    if (m !== canonical && compareIds(s, m, canonical) < 0) canonical = m;
    count++;
    m = next[m]!;
  } while (m !== root);
  let violates = count > s.rules.maxIdentifiers || (count > 1 && exceedsLimits(s, root, typeLimit));
  // Pass 2: first/last seen from the component's observations.
  const head = s.obsHead[root]!;
  if (head >= 0) {
    let o = head;
    do {
      const at = obsAt[o]!;
      const start = obsStart[o]!;
      const end = start + obsLen[o]!;
      for (let k = start; k < end; k++) {
        const x = members[k]!;
        if (at < firstSeen[x]!) firstSeen[x] = at;
        if (at > lastSeen[x]!) lastSeen[x] = at;
      }
      o = obsNext[o]!;
    } while (o !== head);
    if (hasTtl && !violates) violates = hasStaleLink(s, head);
  }
  if (s.refusedByRoot.size > 0) s.refusedByRoot.delete(root);
  if (!violates) {
    if (s.profileById !== undefined) s.profileById.set(profileIdFor(s, canonical), canonical);
    m = root;
    do {
      s.profileOf[m] = canonical;
      s.pnext[m] = next[m]!;
      m = next[m]!;
    } while (m !== root);
    out.push(canonical);
    return;
  }
  resolveConstrained(s, root, out);
}

function exceedsLimits(s: GraphState, root: number, typeLimit: number[]): boolean {
  // Type counts in a scratch array keyed by type index, zeroed again before returning.
  if (s.typeCounts.length < s.typeNames.length) s.typeCounts = new Int32Array(s.typeNames.length * 2);
  const counts = s.typeCounts;
  let m = root;
  let over = false;
  do {
    const t = s.idType[m]!;
    if (++counts[t]! > typeLimit[t]!) over = true;
    m = s.next[m]!;
  } while (m !== root && !over);
  m = root;
  do {
    counts[s.idType[m]!] = 0;
    m = s.next[m]!;
  } while (m !== root);
  return over;
}

function hasStaleLink(s: GraphState, head: number): boolean {
  let o = head;
  do {
    const len = s.obsLen[o]!;
    if (len >= 2) {
      const at = s.obsAt[o]!;
      const start = s.obsStart[o]!;
      for (let k = start; k < start + len; k++) {
        const x = s.members[k]!;
        if (at - s.firstSeen[x]! > s.typeTtl[s.idType[x]!]!) return true;
      }
    }
    o = s.obsNext[o]!;
  } while (o !== head);
  return false;
}

function resolveConstrained(s: GraphState, root: number, out: number[]): void {
  const mem: number[] = [];
  // Local index of each member: a map for this (rare) path rather than an array over every identifier.
  const local = new Map<number, number>();
  let m = root;
  do {
    local.set(m, mem.length);
    mem.push(m);
    m = s.next[m]!;
  } while (m !== root);
  const n = mem.length;
  // Limited types present, strongest first: when a merge breaks several limits, the strongest type is named.
  const limited: number[] = [];
  for (const x of mem) {
    const t = s.idType[x]!;
    if (s.typeLimit[t]! !== Infinity && !limited.includes(t)) limited.push(t);
  }
  limited.sort((p, q) => s.typeRank[p]! - s.typeRank[q]! || (s.typeNames[p]! < s.typeNames[q]! ? -1 : 1));
  const L = limited.length;
  const counts = new Int32Array(n * L);
  for (let i = 0; i < n; i++) {
    const li = limited.indexOf(s.idType[mem[i]!]!);
    if (li >= 0) counts[i * L + li] = 1;
  }
  const edges = collectEdges(s, root, mem, local);
  const parent = new Int32Array(n);
  const size = new Int32Array(n).fill(1);
  for (let i = 0; i < n; i++) parent[i] = i;
  const findLocal = (x: number): number => {
    while (parent[x] !== x) {
      parent[x] = parent[parent[x]!]!;
      x = parent[x]!;
    }
    return x;
  };
  const refused: RefusedLink[] = [];
  const refusedEdges: Edge[] = [];
  const max = s.rules.maxIdentifiers;
  for (const e of edges) {
    let ra = findLocal(e.a);
    let rb = findLocal(e.b);
    if (ra === rb) continue;
    const refusal = ttlRefusal(s, mem, e) ?? limitRefusal(s, limited, counts, L, ra, rb) ?? (size[ra]! + size[rb]! > max ? 'maxIdentifiers' : undefined);
    if (refusal !== undefined) {
      refused.push(refusedLink(s, mem[e.a]!, mem[e.b]!, e, refusal, ra, rb, size));
      refusedEdges.push(e);
      continue;
    }
    if (size[ra]! < size[rb]!) {
      const t = ra;
      ra = rb;
      rb = t;
    }
    parent[rb] = ra;
    size[ra]! += size[rb]!;
    for (let l = 0; l < L; l++) counts[ra * L + l]! += counts[rb * L + l]!;
  }
  // Group members by local root; each group's minimum identifier names the profile.
  const canonicalOf = new Int32Array(n).fill(-1);
  const tailOf = new Int32Array(n).fill(-1);
  for (let i = 0; i < n; i++) {
    const r = findLocal(i);
    const x = mem[i]!;
    const c = canonicalOf[r]!;
    if (c < 0 || compareIds(s, x, mem[c]!) < 0) canonicalOf[r] = i;
    // Build the profile's circular list by threading each member after the group's first one.
    const first = tailOf[r]!;
    if (first < 0) {
      tailOf[r] = i;
      s.pnext[x] = x;
    } else {
      const f = mem[first]!;
      s.pnext[x] = s.pnext[f]!;
      s.pnext[f] = x;
    }
  }
  for (let i = 0; i < n; i++) {
    const r = findLocal(i);
    const canonical = mem[canonicalOf[r]!]!;
    s.profileOf[mem[i]!] = canonical;
    if (i === r) {
      if (s.profileById !== undefined) s.profileById.set(profileIdFor(s, canonical), canonical);
      out.push(canonical);
    }
  }
  // A refused link whose ends were joined later through other links refused nothing: do not report it.
  const effective = refused.filter((_, k) => findLocal(refusedEdges[k]!.a) !== findLocal(refusedEdges[k]!.b));
  if (effective.length > 0) s.refusedByRoot.set(root, effective);
}

function collectEdges(s: GraphState, root: number, mem: number[], local: Map<number, number>): Edge[] {
  const best = new Map<number, Edge>();
  const n = mem.length;
  const head = s.obsHead[root]!;
  if (head < 0) return [];
  let o = head;
  do {
    const len = s.obsLen[o]!;
    if (len >= 2) {
      const start = s.obsStart[o]!;
      let anchor = s.members[start]!;
      for (let k = start + 1; k < start + len; k++) if (compareIds(s, s.members[k]!, anchor) < 0) anchor = s.members[k]!;
      const at = s.obsAt[o]!;
      const source = s.obsSource[o]!;
      const ra = s.typeRank[s.idType[anchor]!]!;
      for (let k = start; k < start + len; k++) {
        const x = s.members[k]!;
        if (x === anchor) continue;
        const a = local.get(anchor)!;
        const b = local.get(x)!;
        const key = a * n + b;
        const prev = best.get(key);
        // The same link asked for twice counts once, at its earliest sighting (then smallest source).
        if (prev === undefined || at < prev.at || (at === prev.at && source < prev.source)) {
          const rb = s.typeRank[s.idType[x]!]!;
          best.set(key, { a, b, at, source, weak: Math.max(ra, rb), strong: Math.min(ra, rb) });
        }
      }
    }
    o = s.obsNext[o]!;
  } while (o !== head);
  const edges = [...best.values()];
  edges.sort((p, q) => {
    if (p.weak !== q.weak) return p.weak - q.weak;
    if (p.strong !== q.strong) return p.strong - q.strong;
    if (p.at !== q.at) return p.at - q.at;
    return compareIds(s, mem[p.a]!, mem[q.a]!) || compareIds(s, mem[p.b]!, mem[q.b]!) || (p.source < q.source ? -1 : p.source > q.source ? 1 : 0);
  });
  return edges;
}

function ttlRefusal(s: GraphState, mem: number[], e: Edge): string | undefined {
  for (const x of [mem[e.a]!, mem[e.b]!]) {
    const t = s.idType[x]!;
    if (e.at - s.firstSeen[x]! > s.typeTtl[t]!) return `ttl:${s.typeNames[t]!}`;
  }
  return undefined;
}

function limitRefusal(s: GraphState, limited: number[], counts: Int32Array, L: number, ra: number, rb: number): string | undefined {
  for (let l = 0; l < L; l++) {
    const t = limited[l]!;
    if (counts[ra * L + l]! + counts[rb * L + l]! > s.typeLimit[t]!) return `limit:${s.typeNames[t]!}`;
  }
  return undefined;
}

function refusedLink(s: GraphState, from: number, to: number, e: Edge, rule: string, ra: number, rb: number, size: Int32Array): RefusedLink {
  const f = identifierAt(s, from);
  const t = identifierAt(s, to);
  if (rule.startsWith('ttl:')) {
    return {
      code: 'IDENTITY_TTL_EXPIRED',
      message: `${rule.slice(4)} older than its time-to-live cannot link new identifiers`,
      rule,
      from: f,
      to: t,
      at: e.at,
      source: e.source,
    };
  }
  if (rule === 'maxIdentifiers') {
    return {
      code: 'IDENTITY_MAX_IDENTIFIERS',
      message: `merged profile would hold ${size[ra]! + size[rb]!} identifiers (max ${s.rules.maxIdentifiers})`,
      rule,
      detail: { size: size[ra]! + size[rb]!, max: s.rules.maxIdentifiers },
      from: f,
      to: t,
      at: e.at,
      source: e.source,
    };
  }
  const type = rule.slice(6);
  const limit = s.rules.limitOf(type);
  return {
    code: 'IDENTITY_LIMIT_EXCEEDED',
    message: `merged profile would hold more than ${limit} ${type}`,
    rule,
    detail: { type, limit },
    from: f,
    to: t,
    at: e.at,
    source: e.source,
  };
}

/** Ids of the profiles `canonicals` name, and which of them replaced earlier ids (`previous`: member → old id). */
export function describeChanges(s: GraphState, canonicals: number[], previous: Map<number, string>): { profiles: string[]; changes: ProfileChange[] } {
  return { profiles: profileIds(s, canonicals), changes: changesOf(s, canonicals, previous) };
}

/** Ids of the profiles `canonicals` name. */
export function profileIds(s: GraphState, canonicals: number[]): string[] {
  const profiles: string[] = new Array(canonicals.length);
  for (let i = 0; i < canonicals.length; i++) profiles[i] = profileIdFor(s, canonicals[i]!);
  return profiles;
}

/** The profiles of `canonicals` whose identifiers had other ids before (`previous`: member → old id), by id. */
export function changesOf(s: GraphState, canonicals: number[], previous: Map<number, string>): ProfileChange[] {
  const changes: ProfileChange[] = [];
  if (previous.size === 0) return changes;
  for (const c of canonicals) {
    const prev = new Set<string>();
    let m = c;
    do {
      const p = previous.get(m);
      if (p !== undefined) prev.add(p);
      m = s.pnext[m]!;
    } while (m !== c);
    if (prev.size === 0) continue;
    const id = profileIdFor(s, c);
    if (!(prev.size === 1 && prev.has(id))) changes.push({ profileId: id, previousIds: [...prev].sort() });
  }
  changes.sort((a, b) => (a.profileId < b.profileId ? -1 : 1));
  return changes;
}
