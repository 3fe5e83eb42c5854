/**
 * GPP encoding (the inverse of `decodeGpp`) and the opt-out summary of a decoded GPP string.
 */
import { expectArray, expectObject, expectObjects } from '../../core/guards.js';
import { inputError, underPath } from '../../core/errors.js';
import { BitWriter } from '../tcf/bits.js';
import { encodeTcString, type TcStringInput } from '../tcf/encode.js';
import type { GppString, GppUspV1Section } from './codec.js';
import { US_SECTIONS } from './sections.js';

/**
 * A section as accepted by {@link encodeGpp}.
 *
 * @example
 * ```ts
 * const s: GppSectionInput = { kind: 'uspv1', notice: 'Y', optOutSale: 'N', lspaCovered: 'N' };
 * encodeGpp([s]);
 * ```
 */
export type GppSectionInput =
  | { readonly kind: 'tcfeuv2'; readonly tcString: TcStringInput }
  | Omit<GppUspV1Section, 'id' | 'name' | 'version'>
  | { readonly kind: 'us'; readonly id: number; readonly version: number; readonly fields: Readonly<Record<string, number | ReadonlyArray<number>>>; readonly gpc: boolean | null }
  | { readonly kind: 'other'; readonly id: number; readonly encoded: string };

function bad(message: string, path: ReadonlyArray<string | number>): never {
  throw inputError(message, path);
}

/**
 * Encodes sections (any order; written ascending by id) as a GPP string. The inverse of {@link decodeGpp}.
 *
 * @example
 * ```ts
 * encodeGpp([{ kind: 'uspv1', notice: 'Y', optOutSale: 'N', lspaCovered: 'N' }]); // 'DBABTA~1YNN'
 * ```
 */
export function encodeGpp(sections: ReadonlyArray<GppSectionInput>): string {
  expectArray(sections, ['sections']);
  expectObjects(sections, ['sections']);
  const withIds = sections.map((s, i) => {
    if (!['tcfeuv2', 'uspv1', 'us', 'other'].includes(s.kind)) bad('kind must be tcfeuv2, uspv1, us or other', ['sections', i, 'kind']);
    const id = s.kind === 'tcfeuv2' ? 2 : s.kind === 'uspv1' ? 6 : s.id;
    if (!(Number.isInteger(id) && id > 0 && id < 65536 && id !== 3)) bad('section ids must be integers in 1..65535 but 3 (the header)', ['sections', i, 'id']);
    return { s, id, i };
  });
  withIds.sort((a, b) => a.id - b.id);
  for (let k = 1; k < withIds.length; k++) if (withIds[k]!.id === withIds[k - 1]!.id) bad(`section ${withIds[k]!.id} appears twice`, ['sections', withIds[k]!.i]);
  const h = new BitWriter();
  h.int(3, 6);
  h.int(1, 6);
  // Group consecutive ids into ranges, offsets relative to the previous id written.
  const groups: Array<[number, number]> = [];
  for (const { id } of withIds) {
    const last = groups[groups.length - 1];
    if (last && id === last[1] + 1) last[1] = id;
    else groups.push([id, id]);
  }
  h.int(groups.length, 12);
  let offset = 0;
  for (const [a, b] of groups) {
    h.bit(a !== b);
    h.fibonacci(a - offset);
    offset = a;
    if (a !== b) {
      h.fibonacci(b - offset);
      offset = b;
    }
  }
  const out = [h.toBase64Url(0)];
  for (const { s, i } of withIds) out.push(encodeSection(s, ['sections', i]));
  return out.join('~');
}

function encodeSection(s: GppSectionInput, path: ReadonlyArray<string | number>): string {
  if (s.kind === 'tcfeuv2') {
    try {
      return encodeTcString(s.tcString);
    } catch (e) {
      throw underPath(e, [...path, 'tcString']);
    }
  }
  if (s.kind === 'uspv1') {
    for (const k of ['notice', 'optOutSale', 'lspaCovered'] as const) if (!['Y', 'N', '-'].includes(s[k])) bad('must be Y, N or -', [...path, k]);
    return `1${s.notice}${s.optOutSale}${s.lspaCovered}`;
  }
  // What decodeGpp reads back: base64url segments, `.`-separated.
  if (s.kind === 'other') return typeof s.encoded === 'string' && /^[\w.-]+$/.test(s.encoded) ? s.encoded : bad('must be base64url', [...path, 'encoded']);
  expectObject(s.fields, [...path, 'fields']);
  const layout = US_SECTIONS.get(s.id);
  if (!layout) bad(`section ${s.id} is not a supported US section`, [...path, 'id']);
  const w = new BitWriter();
  if (!Number.isInteger(s.version) || s.version < 1 || s.version > layout.versions) bad(`version must be 1..${layout.versions}`, [...path, 'version']);
  w.int(s.version, 6);
  // A version whose fields came in another layout (usnat 1 as @iabgpp/cmpapi 3.1.x wrote it, read back by
  // decodeGpp) is written in that layout again.
  let fields = layout.fields(s.version);
  const wide = layout.fields(s.version, Infinity);
  if (wide !== fields && wide.every(([name, count]) => count === 0 || (s.fields[name] as unknown[] | undefined)?.length === count)) fields = wide;
  for (const [name, count] of fields) {
    const v = s.fields[name];
    const list = count === 0 ? [v] : Array.isArray(v) && v.length === count ? v : bad(`must be a list of ${count} values`, [...path, 'fields', name]);
    for (const x of list) {
      if (x !== 0 && x !== 1 && x !== 2) bad('must be 0, 1 or 2', [...path, 'fields', name]);
      w.int(x, 2);
    }
  }
  let text = w.toBase64Url(0);
  if (s.gpc !== null) {
    if (!layout.gpc) bad(`${layout.name} has no GPC sub-section`, [...path, 'gpc']);
    const g = new BitWriter();
    g.int(1, 2);
    g.bit(s.gpc);
    text += '.' + g.toBase64Url(0);
  }
  return text;
}

/**
 * What a GPP string's applicable sections let a party downstream of the CMP do: `true` = may not (see
 * {@link gppOptOuts} for the rules).
 *
 * @example
 * ```ts
 * const o: GppOptOuts = gppOptOuts(decodeGpp('DBABTA~1YYN')); // saleOptOut: true
 * ```
 */
export interface GppOptOuts {
  readonly saleOptOut: boolean;
  /** CPRA "sharing" (for cross-context behavioural advertising): always equal to `targetedAdvertisingOptOut`. */
  readonly sharingOptOut: boolean;
  readonly targetedAdvertisingOptOut: boolean;
  /** A GPC sub-section flag set to true (it also sets the three above). */
  readonly gpc: boolean;
  /**
   * Applicable sections kept encoded (a US section in an unknown version, a state without a final layout, an
   * unregistered id): their signals are unknown, so the three opt-outs above count as `true`.
   */
  readonly unread: ReadonlyArray<number>;
}

// Sections whose KnownChildSensitiveDataConsents list, after a known child's entry, consents to the sale and to
// targeted advertising of 13–15 (DE, NJ: then 16–17) year olds: CT, MT, OR, NH, DE, NJ.
const TEENS = [12, 14, 15, 17, 20, 21];

/** Refused: opted out (1), no notice given (notice 2), or "did not opt out" with no opt-out to give (notice 0). */
function refused(notice: unknown, optOut: unknown): boolean {
  return optOut === 1 || notice === 2 || (notice === 0 && optOut === 2);
}

/**
 * Summarises what the applicable sections of a decoded GPP string let a downstream party do. Sale is refused by an
 * opt-out (US `saleOptOut` 1, uspv1 `optOutSale` `Y`) or a missing notice (`saleOptOutNotice` 2, uspv1 notice `N`:
 * "a third party shall not sell … unless the consumer has received explicit notice", Cal. Civ. Code 1798.115(d)).
 * Sharing (CPRA's cross-context behavioural advertising) and targeted advertising are one signal: usca's
 * `sharingOptOut` answers both, as the other states' `targetedAdvertisingOptOut` does, and usnat's two fields are
 * combined. A section refuses all three under MSPA Service Provider Mode (`mspaServiceProviderMode` 1, usmd
 * `mspaMode` 2), with its GPC flag set (California, Colorado, Connecticut and later state laws make GPC an opt-out
 * of sale and targeted advertising), or without notice of the processing (`sharingNotice` / `processingNotice` 2).
 * A known-child entry set to 1 (no consent) refuses what it covers: usca's sale and sharing of under-16s, the sale
 * and targeted-advertising entries of CT, MT, OR, NH, DE and NJ; every other entry (a known child's data, usnat's
 * age bands, FL's) refuses all three. An applicable section it could not read (kept encoded, listed in `unread`)
 * refuses all three: never "may" on a signal it did not see. The TCF sections (1, 2, 5) and signal integrity (4)
 * carry no US opt-out.
 *
 * @example
 * ```ts
 * gppOptOuts(decodeGpp('DBABTA~1YYN')).saleOptOut; // true
 * ```
 */
export function gppOptOuts(gpp: GppString): GppOptOuts {
  expectObject(gpp, ['gpp']);
  expectArray((gpp as { sections?: unknown }).sections, ['gpp', 'sections']);
  expectObjects(gpp.sections, ['gpp', 'sections']);
  expectArray(gpp.applicableSections, ['gpp', 'applicableSections']);
  // 1 sale, 2 sharing and targeted advertising.
  let no = 0;
  let gpc = false;
  const unread: number[] = [];
  for (const s of gpp.sections) {
    if (!gpp.applicableSections.includes(s.id)) continue;
    if (s.kind === 'uspv1') {
      if (s.optOutSale === 'Y' || s.notice === 'N') no |= 1;
    } else if (s.kind === 'us') {
      const f = s.fields ?? {};
      if (refused(f.saleOptOutNotice, f.saleOptOut)) no |= 1;
      if (refused(f.sharingOptOutNotice, f.sharingOptOut) || refused(f.targetedAdvertisingOptOutNotice, f.targetedAdvertisingOptOut)) no |= 2;
      if (s.gpc === true || f.mspaServiceProviderMode === 1 || f.mspaMode === 2 || f.sharingNotice === 2 || f.processingNotice === 2) no = 3;
      gpc ||= s.gpc === true;
      const kids = f.knownChildSensitiveDataConsents;
      ([] as unknown[]).concat(kids).forEach((v, k) => {
        if (v === 1) no |= s.id === 8 ? k + 1 : k > 0 && TEENS.includes(s.id) ? 2 - (k % 2) : 3;
      });
    } else if (s.kind === 'other' && ![1, 4, 5].includes(s.id)) {
      no = 3;
      unread.push(s.id);
    }
  }
  return { saleOptOut: (no & 1) > 0, sharingOptOut: no > 1, targetedAdvertisingOptOut: no > 1, gpc, unread };
}
