/**
 * Strict TC string decoder. Every failure is a `CONSENT_TCF_MALFORMED` error naming the segment and field; sizes
 * are checked against the bits left before anything is allocated, so time and memory are bounded by the
 * input length (≤ {@link MAX_TC_STRING_LENGTH} characters).
 */
import { CrossChannelError, type Result } from '../../core/errors.js';
import { BitReader, BitsError, IdSet, asciiCodesInto, base64UrlCodesToBytes, base64UrlToBytes, idSetFromPairs, popcount32, zeroWords } from './bits.js';
import {
  MAX_TC_STRING_LENGTH,
  TCF_BITS as B,
  type PublisherRestriction,
  type PublisherTc,
  type RestrictionType,
  type TcString,
} from './model.js';

type Malformed = CrossChannelError<'CONSENT_TCF_MALFORMED'>;

function fail(message: string, path: ReadonlyArray<string | number>, detail?: Record<string, unknown>): never {
  throw new CrossChannelError('CONSENT_TCF_MALFORMED', message, { path, ...(detail ? { detail } : {}) });
}

// decodeTcString's segment bytes: grown to the longest string decoded so far (at most MAX_TC_STRING_LENGTH · 6 / 8
// bytes + 48) and reused. Never visible outside one synchronous call, which calls no user code.
let scratch = new Uint8Array(0);
function scratchBytes(n: number): Uint8Array {
  if (scratch.length < n) scratch = new Uint8Array(Math.max(n, 4096));
  return scratch;
}

// Above this many characters decodeTcString copies the string's char codes with the platform's encoder first.
const SHORT_TEXT = 256;

// decodeTcString's char codes (one byte per character of an ASCII string), grown and reused like `scratch`.
let codeScratch = new Uint8Array(0);
function scratchCodes(n: number): Uint8Array {
  if (codeScratch.length < n) codeScratch = new Uint8Array(Math.max(n, 4096));
  return codeScratch;
}

// The paths of the first segments in errors, shared (CrossChannelError copies a path): a TC string has at most
// four segments unless it is malformed.
const SEGMENT_PATHS: ReadonlyArray<ReadonlyArray<string | number>> = Object.freeze([0, 1, 2, 3].map((i) => Object.freeze(['segments', i])));

/**
 * Decodes a TC string (core segment plus optional disclosed-vendors, allowed-vendors and publisher-TC
 * segments). Throws `CrossChannelError` with code `CONSENT_TCF_MALFORMED` on any malformed input.
 *
 * @example
 * ```ts
 * import { decodeTcString } from 'crosschannel/consent';
 * const tc = decodeTcString('COvFyGBOvFyGBAbAAAENAPCAAOAAAAAAAAAAAEEUACCKAAA');
 * tc.cmpId; // 27
 * tc.purposeConsents.toArray(); // [1, 2, 3]
 * tc.vendorConsents.has(6); // true
 * ```
 */
export function decodeTcString(text: string): TcString {
  if (typeof text !== 'string') fail('TC string must be a string', []);
  if (text.length === 0) fail('TC string is empty', []);
  if (text.length > MAX_TC_STRING_LENGTH) fail(`TC string is ${text.length} characters, more than the ${MAX_TC_STRING_LENGTH} accepted`, [], { length: text.length });

  let core: Mutable<TcString> | undefined;
  let disclosedVendors: IdSet | null = null;
  let allowedVendors: IdSet | null = null;
  let publisherTc: PublisherTc | null = null;
  // A long string's char codes as bytes, read by the base64url step instead of a charCodeAt per character (which
  // also walks the string's representation: a concatenated or sliced string costs more per call). A short one is
  // read with charCodeAt: there the encoder's native call costs more than it saves. Text with a character ≥ 128
  // is malformed anyway; it keeps the charCodeAt decoder, which finds and reports the character.
  const codes = text.length > SHORT_TEXT ? scratchCodes(text.length) : null;
  const ascii = codes !== null && asciiCodesInto(text, codes);
  // One byte buffer for the bits of the segment being read. Each segment is read to its end before the next is
  // decoded, and every decoded set is written into arrays of its own, so every segment starts at byte 0 of the
  // module's scratch buffer (the base64url step writes every byte a reader sees, the padding's zeros included),
  // with no buffer or view of its own.
  const byteBuffer = scratchBytes(((text.length * 6) >>> 3) + 5);
  let segIndex = 0;
  let start = 0;
  while (start <= text.length) {
    let end = text.indexOf('.', start);
    if (end === -1) end = text.length;
    const path = segIndex < SEGMENT_PATHS.length ? SEGMENT_PATHS[segIndex]! : ['segments', segIndex];
    if (end === start) fail(`segment ${segIndex} is empty`, path);
    let reader: BitReader;
    try {
      const { bytes, bitLength } = ascii ? base64UrlCodesToBytes(codes!, text, start, end, byteBuffer) : base64UrlToBytes(text, start, end, byteBuffer);
      reader = new BitReader(bytes, bitLength);
    } catch (e) {
      fail(`segment ${segIndex}: ${(e as Error).message}`, path);
    }
    try {
      if (segIndex === 0) {
        core = readCore(reader, path);
      } else {
        const type = reader.int(B.segmentType, 'segmentType');
        if (type === 1) {
          if (disclosedVendors) fail('repeated DisclosedVendors segment', path);
          disclosedVendors = readVendorSection(reader, path, 'disclosedVendors');
        } else if (type === 2) {
          if (allowedVendors) fail('repeated AllowedVendors segment', path);
          allowedVendors = readVendorSection(reader, path, 'allowedVendors');
        } else if (type === 3) {
          if (publisherTc) fail('repeated PublisherTC segment', path);
          publisherTc = readPublisherTc(reader);
        } else {
          fail(`unknown segment type ${type}`, [...path, 'segmentType'], { segmentType: type });
        }
      }
    } catch (e) {
      if (e instanceof BitsError) fail(`segment ${segIndex}: ${e.message}`, path);
      throw e;
    }
    segIndex++;
    start = end + 1;
  }
  const c = core!;
  c.disclosedVendors = disclosedVendors;
  c.allowedVendors = allowedVendors;
  c.publisherTc = publisherTc;
  return c;
}

/**
 * Non-throwing {@link decodeTcString}: `{ ok: true, value }` or `{ ok: false, error }` with code
 * `CONSENT_TCF_MALFORMED`.
 *
 * @example
 * ```ts
 * const r = safeDecodeTcString('not a tc string');
 * if (!r.ok) console.log(r.error.code, r.error.message);
 * ```
 */
export function safeDecodeTcString(text: string): Result<TcString, Malformed> {
  try {
    return { ok: true, value: decodeTcString(text) };
  } catch (e) {
    if (e instanceof CrossChannelError && e.code === 'CONSENT_TCF_MALFORMED') return { ok: false, error: e as Malformed };
    // Defensive: the decoder only throws the typed error, but never let anything else escape the safe variant.
    return { ok: false, error: new CrossChannelError('CONSENT_TCF_MALFORMED', `TC string could not be decoded: ${String(e)}`, { cause: e }) };
  }
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

// A field's path in errors. The readers take their parent's path and their field's key, and build the field's
// path only for an error.
type Path = ReadonlyArray<string | number>;

/** The core segment; the optional segments' fields start null and are set by the caller (one object shape). */
function readCore(r: BitReader, path: Path): Mutable<TcString> {
  const version = r.int(B.version, 'version');
  if (version !== 2) fail(`unsupported TC string version ${version} (only 2 is supported)`, [...path, 'version'], { version });
  const created = r.int(B.created, 'created') * 100;
  const lastUpdated = r.int(B.lastUpdated, 'lastUpdated') * 100;
  const cmpId = r.int(B.cmpId, 'cmpId');
  // IAB Europe assigns each registered CMP an id from 1: 0 names no CMP, and only a registered CMP may create a
  // TC string ("using its assigned CMP ID"). @iabtcf/core refuses it too.
  if (cmpId === 0) fail('cmpId 0 is no registered CMP', [...path, 'cmpId']);
  const cmpVersion = r.int(B.cmpVersion, 'cmpVersion');
  const consentScreen = r.int(B.consentScreen, 'consentScreen');
  const consentLanguage = readLetters(r, path, 'consentLanguage');
  const vendorListVersion = r.int(B.vendorListVersion, 'vendorListVersion');
  const policyVersion = r.int(B.policyVersion, 'policyVersion');
  const isServiceSpecific = r.bit('isServiceSpecific');
  const useNonStandardTexts = r.bit('useNonStandardTexts');
  const specialFeatureOptIns = readFixed(r, B.specialFeatureOptIns, 'specialFeatureOptIns');
  const purposeConsents = readFixed(r, B.purposes, 'purposeConsents');
  const purposeLegitimateInterests = readFixed(r, B.purposes, 'purposeLegitimateInterests');
  const purposeOneTreatment = r.bit('purposeOneTreatment');
  const publisherCountryCode = readLetters(r, path, 'publisherCountryCode');
  const vendorConsents = readVendorSection(r, path, 'vendorConsents');
  const vendorLegitimateInterests = readVendorSection(r, path, 'vendorLegitimateInterests');
  const publisherRestrictions = readRestrictions(r, path);
  return {
    version: 2,
    created,
    lastUpdated,
    cmpId,
    cmpVersion,
    consentScreen,
    consentLanguage,
    vendorListVersion,
    policyVersion,
    isServiceSpecific,
    useNonStandardTexts,
    specialFeatureOptIns,
    purposeConsents,
    purposeLegitimateInterests,
    purposeOneTreatment,
    publisherCountryCode,
    vendorConsents,
    vendorLegitimateInterests,
    publisherRestrictions,
    disclosedVendors: null,
    allowedVendors: null,
    publisherTc: null,
  };
}

function readLetters(r: BitReader, parent: Path, key: string): string {
  const a = r.int(6, key);
  const b = r.int(6, key);
  if (a > 25 || b > 25) fail(`${key} holds a letter index above 25 (Z)`, [...parent, key], { letters: [a, b] });
  return String.fromCharCode(65 + a, 65 + b);
}

function readFixed(r: BitReader, n: number, what: string): IdSet {
  return r.bitfield(n, what, zeroWords(n));
}

/** MaxVendorId, IsRangeEncoding, then a bitfield or range entries (TC String Format: vendor consent section). */
function readVendorSection(r: BitReader, parent: Path, key: string): IdSet {
  const maxVendorId = r.int(B.maxVendorId, key);
  const isRange = r.bit(key);
  if (!isRange) {
    if (maxVendorId > r.remaining) fail(`${key}: maxVendorId ${maxVendorId} exceeds the ${r.remaining} bits left`, [...parent, key, 'maxVendorId'], { maxVendorId });
    return r.bitfield(maxVendorId, key, zeroWords(maxVendorId));
  }
  return readRanges(r, parent, key, maxVendorId);
}

function readRanges(r: BitReader, parent: Path, key: string, maxVendorId: number): IdSet {
  const what = key;
  const numEntries = r.int(B.numEntries, what);
  // Each entry takes at least 17 bits: refuse absurd counts before looping.
  if (numEntries * 17 > r.remaining) fail(`${what}: numEntries ${numEntries} cannot fit in the ${r.remaining} bits left`, [...parent, key, 'numEntries'], { numEntries });
  // Common case: the set will be a bitset and MaxVendorId bounds it, so ranges are OR-ed straight into its
  // words as they are read — no pairs array, no sort, no second pass; the size is the population count
  // of the words at the end, so overlapping entries are counted once.
  if ((maxVendorId >>> 5) + 1 <= 4 * numEntries + 64) return readRangesIntoBitset(r, parent, key, maxVendorId, numEntries, zeroWords(maxVendorId));
  // The entries go to a reused scratch buffer first: the largest id decides the set's form.
  const pairs = scratchPairs(numEntries * 2);
  let max = 0;
  for (let i = 0; i < numEntries; i++) {
    const isRange = r.bit(what);
    const first = r.int(B.vendorId, what);
    const last = isRange ? r.int(B.vendorId, what) : first;
    if (first === 0 || last < first || last > maxVendorId) rangeEntryError(parent, key, i, first, last, maxVendorId);
    pairs[i << 1] = first;
    pairs[(i << 1) + 1] = last;
    if (last > max) max = last;
  }
  // A bitset answers has() in O(1); take it whenever it costs no more than a few words per entry read, so a
  // short hostile range (1..65535) still stays in range form and memory stays linear in the input. Its entries
  // are OR-ed into the words in any order (overlaps included); the size is the words' population count.
  const words = (max >>> 5) + 1;
  if (words > 4 * numEntries + 64) return idSetFromPairs(pairs.slice(0, numEntries * 2));
  const bits = zeroWords(max);
  for (let i = 0; i < numEntries; i++) orRange(bits, pairs[i << 1]!, pairs[(i << 1) + 1]!);
  let size = 0;
  for (let w = 0; w < bits.length; w++) size += popcount32(bits[w]!);
  return new IdSet(bits, null, size, max);
}

// readRanges' entries as read, before they become a set: 4,095 entries at most (a 12-bit count). Never visible
// outside one synchronous call.
let pairScratch = new Uint16Array(0);
function scratchPairs(n: number): Uint16Array {
  if (pairScratch.length < n) pairScratch = new Uint16Array(Math.max(n, 256));
  return pairScratch;
}

/** Sets the bits of ids first..last in `words`, a word at a time. */
function orRange(words: number[], first: number, last: number): void {
  let id = first;
  while (id <= last) {
    const w = id >>> 5;
    const bit = id & 31;
    const span = Math.min(32 - bit, last - id + 1);
    words[w] = words[w]! | (span === 32 ? 0xffffffff : ((1 << span) - 1) << bit);
    id += span;
  }
}

function readRangesIntoBitset(r: BitReader, parent: Path, key: string, maxVendorId: number, numEntries: number, words: number[]): IdSet {
  const what = key;
  const bytes = r.bytes;
  // The position lives in a local while entries are read from windows; the reader's own is synced around its reads.
  const fast = r.bitLength - 33;
  let p = r.pos;
  let max = 0;
  for (let i = 0; i < numEntries; i++) {
    let first: number;
    let last: number;
    if (p <= fast) {
      // Room for the longest entry (1 + 16 + 16 bits): read it from one 32-bit window plus a 16-bit one, without
      // the per-field bounds checks.
      const b = p >>> 3;
      const window = ((bytes[b]! << 24) | (bytes[b + 1]! << 16) | (bytes[b + 2]! << 8) | bytes[b + 3]!) << (p & 7);
      first = (window >>> 15) & 0xffff;
      if (window < 0) {
        const q = p + 17;
        const c = q >>> 3;
        last = ((((bytes[c]! << 24) | (bytes[c + 1]! << 16) | (bytes[c + 2]! << 8)) << (q & 7)) >>> 16) & 0xffff;
        p += 33;
      } else {
        last = first;
        p += 17;
      }
    } else {
      r.pos = p;
      const isRange = r.bit(what);
      first = r.int(B.vendorId, what);
      last = isRange ? r.int(B.vendorId, what) : first;
      p = r.pos;
    }
    if (first === 0 || last < first || last > maxVendorId) rangeEntryError(parent, key, i, first, last, maxVendorId);
    if (last > max) max = last;
    if (first === last) {
      // Most entries are one id: one bit.
      words[first >>> 5] = words[first >>> 5]! | (1 << (first & 31));
      continue;
    }
    orRange(words, first, last);
  }
  r.pos = p;
  // The words started zeroed: the size is their population count once every entry is in (overlapping entries
  // counted once), a few dozen words rather than a count per entry.
  let size = 0;
  for (let w = 0; w < words.length; w++) size += popcount32(words[w]!);
  return new IdSet(words, null, size, max);
}

/** The same messages and paths as the general range reader, for the fast path's failures. */
function rangeEntryError(parent: Path, key: string, i: number, first: number, last: number, maxVendorId: number): never {
  const path = [...parent, key, 'entries', i];
  if (first === 0) fail(`${key}: entry ${i} has vendor id 0`, path);
  if (last < first) fail(`${key}: entry ${i} ends at ${last} before it starts at ${first}`, path, { start: first, end: last });
  fail(`${key}: entry ${i} reaches vendor ${last} above maxVendorId ${maxVendorId}`, path, { end: last, maxVendorId });
}

function readRestrictions(r: BitReader, parent: Path): PublisherRestriction[] {
  const n = r.int(B.numRestrictions, 'numPubRestrictions');
  // Each restriction takes at least 6 + 2 + 12 bits.
  if (n * 20 > r.remaining) fail(`numPubRestrictions ${n} cannot fit in the ${r.remaining} bits left`, [...parent, 'publisherRestrictions'], { numPubRestrictions: n });
  const out: PublisherRestriction[] = [];
  for (let i = 0; i < n; i++) {
    const path = [...parent, 'publisherRestrictions', i];
    const purposeId = r.int(B.purposeId, 'purposeId');
    const type = r.int(B.restrictionType, 'restrictionType');
    // Purposes live in the string's 24-bit purpose fields: a restriction on purpose 0 or 25–63 names a purpose
    // no TC string can carry (the 6-bit field allows them, the specification defines none).
    if (purposeId === 0 || purposeId > B.purposes) fail(`restriction ${i} has purpose id ${purposeId}, outside 1..${B.purposes}`, [...path, 'purposeId'], { purposeId });
    if (type === 3) fail(`restriction ${i} has undefined restriction type 3`, [...path, 'restrictionType']);
    // Restriction vendor ranges have no MaxVendorId; the 16-bit id field is the bound.
    const vendors = readRanges(r, path, 'vendors', 0xffff);
    out.push({ purposeId, restrictionType: type as RestrictionType, vendors });
  }
  return out;
}

function readPublisherTc(r: BitReader): PublisherTc {
  const purposeConsents = readFixed(r, B.purposes, 'pubPurposesConsent');
  const purposeLegitimateInterests = readFixed(r, B.purposes, 'pubPurposesLITransparency');
  const numCustomPurposes = r.int(B.numCustomPurposes, 'numCustomPurposes');
  const customPurposeConsents = readFixed(r, numCustomPurposes, 'customPurposesConsent');
  const customPurposeLegitimateInterests = readFixed(r, numCustomPurposes, 'customPurposesLITransparency');
  return { purposeConsents, purposeLegitimateInterests, numCustomPurposes, customPurposeConsents, customPurposeLegitimateInterests };
}
