/**
 * IAB Global Privacy Platform (GPP) strings: a base64url header (Type 6 bits = 3, Version 6 bits = 1, section
 * ids as a Fibonacci-coded range list), then one encoded section per id, all joined by `~`. Decoded here: the
 * header, tcfeuv2 (2, a TC string), uspv1 (6, the 4-character US Privacy string), usnat (7) and the US state
 * sections 8–24 in the versions whose layout is known; other sections and versions are kept encoded.
 */
import { CrossChannelError, type Result, quoted } from '../../core/errors.js';
import { BitReader, BitsError, base64UrlToBytes } from '../tcf/bits.js';
import { decodeTcString } from '../tcf/decode.js';
import type { TcString } from '../tcf/model.js';
import { GPP_SECTION_NAMES, US_SECTIONS } from './sections.js';

/**
 * A decoded tcfeuv2 section.
 *
 * @example
 * ```ts
 * declare const gpp: GppString;
 * const s = gpp.sections.find((x): x is GppTcfEuV2Section => x.kind === 'tcfeuv2');
 * s?.tcString.vendorConsents.has(755);
 * ```
 */
export interface GppTcfEuV2Section {
  readonly kind: 'tcfeuv2';
  readonly id: 2;
  readonly name: 'tcfeuv2';
  readonly tcString: TcString;
}

/**
 * A decoded uspv1 section: `Y`, `N` or `-` (not applicable) per field.
 *
 * @example
 * ```ts
 * const s = decodeGpp('DBABTA~1YYN').sections[0] as GppUspV1Section;
 * s.optOutSale; // 'Y'
 * ```
 */
export interface GppUspV1Section {
  readonly kind: 'uspv1';
  readonly id: 6;
  readonly name: 'uspv1';
  readonly version: 1;
  readonly notice: 'Y' | 'N' | '-';
  readonly optOutSale: 'Y' | 'N' | '-';
  readonly lspaCovered: 'Y' | 'N' | '-';
}

/**
 * A decoded US section (usnat or a state). `fields` holds the 2-bit values by camelCase field name
 * (`saleOptOut`, `sensitiveDataProcessing` as an array…): 0 not applicable, 1 yes / opted out, 2 no.
 * `gpc` is the GPC sub-section's flag, `null` when the sub-section is absent.
 *
 * @example
 * ```ts
 * declare const gpp: GppString;
 * const usnat = gpp.sections.find((x): x is GppUsSection => x.kind === 'us' && x.name === 'usnat');
 * usnat?.fields.saleOptOut; // 0 | 1 | 2
 * ```
 */
export interface GppUsSection {
  readonly kind: 'us';
  readonly id: number;
  readonly name: string;
  readonly version: number;
  readonly fields: Readonly<Record<string, number | ReadonlyArray<number>>>;
  readonly gpc: boolean | null;
}

/**
 * A section this decoder does not interpret, kept as its encoded text.
 *
 * @example
 * ```ts
 * declare const gpp: GppString;
 * const raw = gpp.sections.filter((x): x is GppOtherSection => x.kind === 'other').map((x) => x.encoded);
 * ```
 */
export interface GppOtherSection {
  readonly kind: 'other';
  readonly id: number;
  readonly name: string | null;
  readonly encoded: string;
}

/**
 * One GPP section.
 *
 * @example
 * ```ts
 * declare const gpp: GppString;
 * for (const s of gpp.sections) if (s.kind === 'us') console.log(s.name, s.gpc);
 * ```
 */
export type GppSection = GppTcfEuV2Section | GppUspV1Section | GppUsSection | GppOtherSection;

/**
 * A decoded GPP string.
 *
 * @example
 * ```ts
 * const gpp: GppString = decodeGpp('DBABTA~1YNN');
 * gpp.sections.find((s) => s.kind === 'uspv1');
 * ```
 */
export interface GppString {
  readonly version: 1;
  /** Section ids from the header, ascending. */
  readonly sectionIds: ReadonlyArray<number>;
  /** Sections in header order. */
  readonly sections: ReadonlyArray<GppSection>;
  /** The ids that apply to this transaction (`gpp_sid`), defaulting to all sections present. */
  readonly applicableSections: ReadonlyArray<number>;
}

/**
 * Longest GPP string accepted (characters).
 *
 * @example
 * ```ts
 * declare const gpp: string; declare function rejectEarly(): void;
 * if (gpp.length > MAX_GPP_STRING_LENGTH) rejectEarly();
 * ```
 */
export const MAX_GPP_STRING_LENGTH = 131_072;

function fail(message: string, path: ReadonlyArray<string | number> = [], cause?: unknown): never {
  throw new CrossChannelError('CONSENT_GPP_MALFORMED', message, { path, ...(cause === undefined ? {} : { cause }) });
}

function reader(text: string, path: ReadonlyArray<string | number>): BitReader {
  if (text.length === 0) fail('empty segment', path);
  try {
    const { bytes, bitLength } = base64UrlToBytes(text);
    return new BitReader(bytes, bitLength);
  } catch (e) {
    fail((e as Error).message, path);
  }
}

/**
 * Options of {@link decodeGpp}.
 *
 * @example
 * ```ts
 * const options: DecodeGppOptions = { applicableSections: '7,8' };
 * ```
 */
export interface DecodeGppOptions {
  /**
   * Section ids that apply (the `gpp_sid` parameter or the CMP's `applicableSections`): must be present in the
   * string; `-1` / `0` entries (no section applies) are dropped. Default: all sections present.
   */
  readonly applicableSections?: ReadonlyArray<number> | string;
}

/**
 * Decodes a GPP string. Throws `CrossChannelError` `CONSENT_GPP_MALFORMED` (with the section in `path`) on any
 * malformed header or decoded section.
 *
 * @example
 * ```ts
 * import { decodeGpp } from 'crosschannel/consent';
 * const gpp = decodeGpp('DBABTA~1YNN');
 * gpp.sectionIds; // [6]
 * gpp.sections[0]; // { kind: 'uspv1', optOutSale: 'N', … }
 * ```
 */
export function decodeGpp(text: string, options: DecodeGppOptions = {}): GppString {
  if (typeof text !== 'string') fail('GPP string must be a string');
  if (text.length === 0) fail('GPP string is empty');
  if (text.length > MAX_GPP_STRING_LENGTH) fail(`GPP string is ${text.length} characters, more than the ${MAX_GPP_STRING_LENGTH} accepted`);
  const parts = text.split('~');
  const r = reader(parts[0]!, ['header']);
  let sectionIds: number[];
  try {
    const type = r.int(6, 'header type');
    if (type !== 3) fail(`header type is ${type}, expected 3`, ['header', 'type']);
    const version = r.int(6, 'header version');
    if (version !== 1) fail(`unsupported GPP version ${version}`, ['header', 'version']);
    sectionIds = readFibonacciRange(r, parts.length - 1);
    // Id 3 is the GPP header itself (Section Information): never a discrete section.
    if (sectionIds.includes(3)) fail('section id 3 is the GPP header, not a section', ['header', 'sectionIds']);
  } catch (e) {
    if (e instanceof BitsError) fail(`header: ${e.message}`, ['header']);
    throw e;
  }
  if (sectionIds.length !== parts.length - 1) fail(`header lists ${sectionIds.length} sections but ${parts.length - 1} follow`, ['header', 'sectionIds']);
  const sections: GppSection[] = [];
  for (let i = 0; i < sectionIds.length; i++) sections.push(decodeSection(sectionIds[i]!, parts[i + 1]!, ['sections', i]));
  return { version: 1, sectionIds, sections, applicableSections: applicable(options.applicableSections, sectionIds) };
}

/**
 * Non-throwing {@link decodeGpp}.
 *
 * @example
 * ```ts
 * const r = safeDecodeGpp('garbage');
 * if (!r.ok) console.log(r.error.code); // 'CONSENT_GPP_MALFORMED'
 * ```
 */
export function safeDecodeGpp(text: string, options: DecodeGppOptions = {}): Result<GppString, CrossChannelError<'CONSENT_GPP_MALFORMED'>> {
  try {
    return { ok: true, value: decodeGpp(text, options) };
  } catch (e) {
    if (e instanceof CrossChannelError && e.code === 'CONSENT_GPP_MALFORMED') return { ok: false, error: e as CrossChannelError<'CONSENT_GPP_MALFORMED'> };
    return { ok: false, error: new CrossChannelError('CONSENT_GPP_MALFORMED', `GPP string could not be decoded: ${String(e)}`, { cause: e }) };
  }
}

function applicable(input: ReadonlyArray<number> | string | undefined, present: number[]): number[] {
  if (input === undefined) return [...present];
  const list = typeof input === 'string' ? (input.trim() === '' ? [] : input.split(/[,_]/).map((s) => Number(s.trim()))) : [...input];
  const out: number[] = [];
  for (const id of list) {
    if (!Number.isInteger(id)) fail(`applicable section ${String(id)} is not an integer`, ['applicableSections']);
    if (id <= 0) continue;
    if (!present.includes(id)) fail(`applicable section ${id} is not in the GPP string`, ['applicableSections'], undefined);
    if (!out.includes(id)) out.push(id);
  }
  return out;
}

/** NumEntries (12 bits), then per entry IsRange + Fibonacci offsets from the previous id (GPP header spec). */
function readFibonacciRange(r: BitReader, limit: number): number[] {
  const n = r.int(12, 'sectionIds count');
  const ids: number[] = [];
  let offset = 0;
  for (let i = 0; i < n; i++) {
    const isRange = r.bit('sectionIds isRange');
    const start = offset + r.fibonacci('sectionIds id');
    offset = isRange ? start + r.fibonacci('sectionIds range end') : start;
    // Refuse before expanding: a range can't name more sections than the string carries.
    if (ids.length + (offset - start + 1) > limit) fail(`header names more sections than the ${limit} present`, ['header', 'sectionIds']);
    for (let id = start; id <= offset; id++) ids.push(id);
  }
  return ids;
}

function decodeSection(id: number, encoded: string, path: ReadonlyArray<string | number>): GppSection {
  if (encoded.length === 0) fail(`section ${id} is empty`, path);
  if (id === 2) {
    try {
      return { kind: 'tcfeuv2', id: 2, name: 'tcfeuv2', tcString: decodeTcString(encoded) };
    } catch (e) {
      fail(`tcfeuv2: ${(e as Error).message}`, path, e);
    }
  }
  if (id === 6) {
    const m = /^1([YN-])([YN-])([YN-])$/.exec(encoded);
    if (!m) fail(`uspv1 must be "1" followed by three of Y, N or -, got ${quoted(encoded.slice(0, 16))}`, path);
    return { kind: 'uspv1', id: 6, name: 'uspv1', version: 1, notice: m[1] as 'Y', optOutSale: m[2] as 'Y', lspaCovered: m[3] as 'Y' };
  }
  const layout = US_SECTIONS.get(id);
  // A version this decoder has no layout for (e.g. usnat 3) is kept encoded: read with a known layout its bits
  // would give wrong values.
  const sub = encoded.split('.');
  const r = layout && reader(sub[0]!, path);
  // At least one base64url character: 6 bits, so this read can't run out.
  const version = r ? r.int(6, 'version') : 0;
  if (!layout || version > layout.versions) {
    if (!/^[A-Za-z0-9_.-]+$/.test(encoded)) fail(`section ${id} is not base64url`, path);
    return { kind: 'other', id, name: GPP_SECTION_NAMES.get(id) ?? null, encoded };
  }
  if (sub.length > 2) fail(`${layout.name}: more than one sub-section`, path);
  if (sub.length === 2 && !layout.gpc) fail(`${layout.name} has no GPC sub-section`, path);
  try {
    if (version === 0) fail(`${layout.name}: version 0`, [...path, 'version']);
    const fields: Record<string, number | number[]> = {};
    for (const [name, count] of layout.fields(version, sub[0]!.length * 6)) {
      if (count === 0) fields[name] = twoBits(r!, layout.name, name, path);
      else {
        const list: number[] = [];
        for (let k = 0; k < count; k++) list.push(twoBits(r!, layout.name, name, path));
        fields[name] = list;
      }
    }
    let gpc: boolean | null = null;
    if (sub.length === 2) {
      const g = reader(sub[1]!, [...path, 'gpc']);
      const type = g.int(2, 'GPC SubsectionType');
      if (type !== 1) fail(`${layout.name}: unknown sub-section type ${type}`, [...path, 'gpc']);
      gpc = g.bit('Gpc');
    }
    return { kind: 'us', id, name: layout.name, version, fields, gpc };
  } catch (e) {
    if (e instanceof BitsError) fail(`${layout.name}: ${e.message}`, path);
    throw e;
  }
}

function twoBits(r: BitReader, section: string, name: string, path: ReadonlyArray<string | number>): number {
  const v = r.int(2, name);
  if (v === 3) fail(`${section}.${name} has the undefined value 3`, [...path, name]);
  return v;
}

