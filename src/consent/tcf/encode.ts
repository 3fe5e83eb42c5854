/**
 * TC string encoder, the inverse of `decodeTcString`: `decodeTcString(encodeTcString(m))` equals `m` for every
 * valid model whose dates are whole deciseconds (the string stores deciseconds).
 */
import { expectObject, expectOptions } from '../../core/guards.js';
import { inputError } from '../../core/errors.js';
import { BitWriter, toIdSet, type IdSet, type IdSetInput } from './bits.js';
import { TCF_BITS as B, type TcString } from './model.js';

/**
 * A publisher restriction as accepted by the encoder (vendors as any id collection).
 *
 * @example
 * ```ts
 * const r: PublisherRestrictionInput = { purposeId: 2, restrictionType: 1, vendors: [755] };
 * ```
 */
export interface PublisherRestrictionInput {
  readonly purposeId: number;
  readonly restrictionType: 0 | 1 | 2;
  readonly vendors: IdSetInput;
}

/**
 * The Publisher TC segment as accepted by the encoder.
 *
 * @example
 * ```ts
 * const p: PublisherTcInput = { purposeConsents: [1], purposeLegitimateInterests: [], numCustomPurposes: 1, customPurposeConsents: [1], customPurposeLegitimateInterests: [] };
 * ```
 */
export interface PublisherTcInput {
  readonly purposeConsents: IdSetInput;
  readonly purposeLegitimateInterests: IdSetInput;
  readonly numCustomPurposes: number;
  readonly customPurposeConsents: IdSetInput;
  readonly customPurposeLegitimateInterests: IdSetInput;
}

/**
 * What {@link encodeTcString} takes: the fields of a decoded {@link TcString}, with id sets given as an `IdSet` or
 * any iterable of ids, and the optional segments optional.
 *
 * @example
 * ```ts
 * declare const tc: TcString;
 * const model: TcStringInput = { ...tc, vendorConsents: [...tc.vendorConsents, 755] };
 * encodeTcString(model);
 * ```
 */
export interface TcStringInput {
  readonly version?: 2;
  readonly created: number;
  readonly lastUpdated: number;
  readonly cmpId: number;
  readonly cmpVersion: number;
  readonly consentScreen: number;
  readonly consentLanguage: string;
  readonly vendorListVersion: number;
  readonly policyVersion: number;
  readonly isServiceSpecific: boolean;
  readonly useNonStandardTexts: boolean;
  readonly specialFeatureOptIns: IdSetInput;
  readonly purposeConsents: IdSetInput;
  readonly purposeLegitimateInterests: IdSetInput;
  readonly purposeOneTreatment: boolean;
  readonly publisherCountryCode: string;
  readonly vendorConsents: IdSetInput;
  readonly vendorLegitimateInterests: IdSetInput;
  readonly publisherRestrictions?: ReadonlyArray<PublisherRestrictionInput>;
  readonly disclosedVendors?: IdSetInput | null;
  readonly allowedVendors?: IdSetInput | null;
  readonly publisherTc?: PublisherTcInput | null;
}

/**
 * Options of {@link encodeTcString}.
 *
 * @example
 * ```ts
 * const options: EncodeTcStringOptions = { vendorEncoding: 'range' };
 * ```
 */
export interface EncodeTcStringOptions {
  /**
   * How vendor sections are written: `auto` (default) picks the shorter of bitfield and range encoding, as CMPs
   * do; `bitfield` / `range` force one (range falls back to bitfield past 4,095 runs, the NumEntries limit).
   */
  readonly vendorEncoding?: 'auto' | 'bitfield' | 'range';
}

function bad(message: string, path: ReadonlyArray<string | number>): never {
  throw inputError(message, path);
}

function uint(value: unknown, bits: number, path: ReadonlyArray<string | number>): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value >= 2 ** bits) bad(`must be an integer in 0..${2 ** bits - 1}`, path);
  return value;
}

function ids(input: IdSetInput | undefined, maxId: number, path: ReadonlyArray<string | number>): IdSet {
  if (input === undefined || input === null) bad('must be a set of ids', path);
  let set: IdSet;
  try {
    set = toIdSet(input);
  } catch (e) {
    bad((e as Error).message, path);
  }
  if (set.max > maxId) bad(`holds id ${set.max}, above the maximum ${maxId}`, path);
  return set;
}

function letters(w: BitWriter, value: unknown, path: ReadonlyArray<string | number>): void {
  if (typeof value !== 'string' || !/^[A-Za-z]{2}$/.test(value)) bad('must be two letters A–Z', path);
  const up = value.toUpperCase();
  w.int(up.charCodeAt(0) - 65, 6);
  w.int(up.charCodeAt(1) - 65, 6);
}

/**
 * Encodes a TC string model as base64url segments joined by `.` (core, then disclosed vendors, allowed vendors
 * and publisher TC when present). Invalid models throw `CrossChannelError` `INPUT_INVALID` with the field path.
 *
 * @example
 * ```ts
 * import { encodeTcString, decodeTcString } from 'crosschannel/consent';
 * const s = encodeTcString({
 *   created: 1_767_225_600_000, lastUpdated: 1_767_225_600_000, cmpId: 300, cmpVersion: 2, consentScreen: 1,
 *   consentLanguage: 'EN', vendorListVersion: 120, policyVersion: 5, isServiceSpecific: true,
 *   useNonStandardTexts: false, specialFeatureOptIns: [1], purposeConsents: [1, 2, 3, 4],
 *   purposeLegitimateInterests: [2, 7], purposeOneTreatment: false, publisherCountryCode: 'FR',
 *   vendorConsents: [755, 1000], vendorLegitimateInterests: [755], disclosedVendors: [755, 1000],
 * });
 * decodeTcString(s).vendorConsents.has(755); // true
 * ```
 */
export function encodeTcString(model: TcStringInput, options: EncodeTcStringOptions = {}): string {
  expectObject(model, ['model']);
  expectOptions(options, ['options']);
  if (typeof model !== 'object' || model === null) bad('TC string model must be an object', []);
  if (model.version !== undefined && model.version !== 2) bad('only version 2 can be encoded', ['version']);
  const mode = options.vendorEncoding ?? 'auto';
  const w = new BitWriter();
  w.int(2, B.version);
  w.int(deciseconds(model.created, ['created']), B.created);
  w.int(deciseconds(model.lastUpdated, ['lastUpdated']), B.lastUpdated);
  const cmpId = uint(model.cmpId, B.cmpId, ['cmpId']);
  if (cmpId === 0) bad('cmpId 0 is no registered CMP', ['cmpId']);
  w.int(cmpId, B.cmpId);
  w.int(uint(model.cmpVersion, B.cmpVersion, ['cmpVersion']), B.cmpVersion);
  w.int(uint(model.consentScreen, B.consentScreen, ['consentScreen']), B.consentScreen);
  letters(w, model.consentLanguage, ['consentLanguage']);
  w.int(uint(model.vendorListVersion, B.vendorListVersion, ['vendorListVersion']), B.vendorListVersion);
  w.int(uint(model.policyVersion, B.policyVersion, ['policyVersion']), B.policyVersion);
  w.bit(bool(model.isServiceSpecific, ['isServiceSpecific']));
  w.bit(bool(model.useNonStandardTexts, ['useNonStandardTexts']));
  w.bitfield(ids(model.specialFeatureOptIns, B.specialFeatureOptIns, ['specialFeatureOptIns']), B.specialFeatureOptIns);
  w.bitfield(ids(model.purposeConsents, B.purposes, ['purposeConsents']), B.purposes);
  w.bitfield(ids(model.purposeLegitimateInterests, B.purposes, ['purposeLegitimateInterests']), B.purposes);
  w.bit(bool(model.purposeOneTreatment, ['purposeOneTreatment']));
  letters(w, model.publisherCountryCode, ['publisherCountryCode']);
  writeVendorSection(w, ids(model.vendorConsents, 0xffff, ['vendorConsents']), mode);
  writeVendorSection(w, ids(model.vendorLegitimateInterests, 0xffff, ['vendorLegitimateInterests']), mode);
  const restrictions = model.publisherRestrictions ?? [];
  if (!Array.isArray(restrictions) || restrictions.length >= 2 ** B.numRestrictions) bad('must be an array of at most 4095 restrictions', ['publisherRestrictions']);
  w.int(restrictions.length, B.numRestrictions);
  restrictions.forEach((r: PublisherRestrictionInput, i: number) => {
    const path = ['publisherRestrictions', i];
    const purposeId = uint(r.purposeId, B.purposeId, [...path, 'purposeId']);
    if (purposeId === 0 || purposeId > B.purposes) bad(`purpose id must be 1..${B.purposes}`, [...path, 'purposeId']);
    if (r.restrictionType !== 0 && r.restrictionType !== 1 && r.restrictionType !== 2) bad('must be 0, 1 or 2', [...path, 'restrictionType']);
    w.int(purposeId, B.purposeId);
    w.int(r.restrictionType, B.restrictionType);
    const runs = runsOf(ids(r.vendors, 0xffff, [...path, 'vendors']));
    if (runs.length / 2 >= 2 ** B.numEntries) bad('too many vendor ranges (max 4095)', [...path, 'vendors']);
    writeRuns(w, runs);
  });
  let out = w.toBase64Url();

  if (model.disclosedVendors !== undefined && model.disclosedVendors !== null) {
    const s = new BitWriter();
    s.int(1, B.segmentType);
    writeVendorSection(s, ids(model.disclosedVendors, 0xffff, ['disclosedVendors']), mode);
    out += '.' + s.toBase64Url();
  }
  if (model.allowedVendors !== undefined && model.allowedVendors !== null) {
    const s = new BitWriter();
    s.int(2, B.segmentType);
    writeVendorSection(s, ids(model.allowedVendors, 0xffff, ['allowedVendors']), mode);
    out += '.' + s.toBase64Url();
  }
  const p = model.publisherTc;
  if (p !== undefined && p !== null) {
    const s = new BitWriter();
    s.int(3, B.segmentType);
    s.bitfield(ids(p.purposeConsents, B.purposes, ['publisherTc', 'purposeConsents']), B.purposes);
    s.bitfield(ids(p.purposeLegitimateInterests, B.purposes, ['publisherTc', 'purposeLegitimateInterests']), B.purposes);
    const n = uint(p.numCustomPurposes, B.numCustomPurposes, ['publisherTc', 'numCustomPurposes']);
    s.int(n, B.numCustomPurposes);
    s.bitfield(ids(p.customPurposeConsents, n, ['publisherTc', 'customPurposeConsents']), n);
    s.bitfield(ids(p.customPurposeLegitimateInterests, n, ['publisherTc', 'customPurposeLegitimateInterests']), n);
    out += '.' + s.toBase64Url();
  }
  return out;
}

function bool(v: unknown, path: ReadonlyArray<string | number>): boolean {
  if (typeof v !== 'boolean') bad('must be a boolean', path);
  return v;
}

function deciseconds(ms: unknown, path: ReadonlyArray<string | number>): number {
  if (typeof ms !== 'number' || !Number.isFinite(ms) || ms < 0) bad('must be epoch milliseconds ≥ 0', path);
  const ds = Math.round(ms / 100);
  if (ds >= 2 ** 36) bad('is beyond the 36-bit decisecond range', path);
  return ds;
}

/** Runs of consecutive ids as a flat [start0, end0, start1, end1, …] list. */
function runsOf(set: IdSet): number[] {
  const runs: number[] = [];
  let start = 0;
  let prev = -1;
  for (const id of set.toArray()) {
    if (id === prev + 1 && start !== 0) {
      prev = id;
      continue;
    }
    if (start !== 0) runs.push(start, prev);
    start = id;
    prev = id;
  }
  if (start !== 0) runs.push(start, prev);
  return runs;
}

function writeRuns(w: BitWriter, runs: number[]): void {
  w.int(runs.length / 2, B.numEntries);
  for (let i = 0; i < runs.length; i += 2) {
    const a = runs[i]!;
    const b = runs[i + 1]!;
    w.bit(a !== b);
    w.int(a, B.vendorId);
    if (a !== b) w.int(b, B.vendorId);
  }
}

function writeVendorSection(w: BitWriter, set: IdSet, mode: 'auto' | 'bitfield' | 'range'): void {
  const maxId = set.max;
  w.int(maxId, B.maxVendorId);
  let useRange = false;
  let runs: number[] = [];
  if (mode !== 'bitfield') {
    runs = runsOf(set);
    const entries = runs.length / 2;
    if (entries < 2 ** B.numEntries) {
      let rangeBits = B.numEntries;
      for (let i = 0; i < runs.length; i += 2) rangeBits += runs[i] === runs[i + 1] ? 17 : 33;
      useRange = mode === 'range' || rangeBits < maxId;
    }
  }
  w.bit(useRange);
  if (useRange) writeRuns(w, runs);
  else w.bitfield(set, maxId);
}
