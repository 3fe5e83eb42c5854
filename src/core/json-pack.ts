/**
 * A packed JSON document: a large JSON value whose repeated subtrees are stored once. Generated documents
 * (e.g. the JSON Schema of the segment rule language, whose node schemas repeat dozens of times) ship packed
 * instead of shipping the code that derives them. Internal: not exported from the entries.
 */

/** A JSON value whose strings `§<n>` stand for `defs[n]` (itself packed). */
export interface PackedJson {
  readonly root: unknown;
  readonly defs: readonly unknown[];
}

/** The prefix that marks a reference to a shared subtree; no string of a packed document starts with it. */
export const PACK_REF = '§';

/**
 * Rebuilds the document: a fresh tree on every call (no two places share an object, so a caller may mutate
 * what it gets), keys in their original order: `{ root: { a: '§0', b: '§0' }, defs: [{ type: 'string' }] }` unpacks
 * to `{ a: { type: 'string' }, b: { type: 'string' } }`.
 */
export function unpackJson(packed: PackedJson): Record<string, unknown> {
  const { defs } = packed;
  const expand = (v: unknown): unknown =>
    typeof v === 'string' && v.startsWith(PACK_REF)
      ? expand(defs[Number(v.slice(PACK_REF.length))])
      : Array.isArray(v)
        ? v.map(expand)
        : v !== null && typeof v === 'object'
          ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, expand(x)]))
          : v;
  return expand(packed.root) as Record<string, unknown>;
}

/**
 * Packs a JSON value: every object or array subtree that occurs more than once (and is not tiny) becomes one
 * entry of `defs`; `unpackJson(packJson(v))` is `v` again. Used by the generator (scripts/json-schemas.ts), not at
 * run time.
 */
export function packJson(value: unknown, minLength = 24): PackedJson {
  const count = new Map<string, number>();
  const walk = (v: unknown): void => {
    if (typeof v === 'string' && v.startsWith(PACK_REF)) throw new Error(`a string starts with ${PACK_REF}: ${v}`);
    if (v === null || typeof v !== 'object') return;
    const k = JSON.stringify(v);
    count.set(k, (count.get(k) ?? 0) + 1);
    for (const x of Object.values(v)) walk(x);
  };
  walk(value);
  const defs: unknown[] = [];
  const ids = new Map<string, number>();
  const body = (v: object): unknown => (Array.isArray(v) ? v.map(encode) : Object.fromEntries(Object.entries(v).map(([k, x]) => [k, encode(x)])));
  const encode = (v: unknown): unknown => {
    if (v === null || typeof v !== 'object') return v;
    const k = JSON.stringify(v);
    if ((count.get(k) ?? 0) < 2 || k.length < minLength) return body(v);
    let id = ids.get(k);
    if (id === undefined) {
      id = defs.length;
      ids.set(k, id);
      defs.push(null);
      defs[id] = body(v);
    }
    return `${PACK_REF}${id}`;
  };
  return { root: encode(value), defs };
}
