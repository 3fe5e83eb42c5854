/**
 * Global Vendor List (GVL v3 JSON, "Global Vendor List" section of the TCF technical specification) parsed with
 * zod and compiled into id sets for the policy check.
 */
import * as z from 'zod/mini';
import { parseWith, type Result, CrossChannelError } from '../../core/errors.js';
import { IdSet } from './bits.js';
import { refineCheck, intSchema, regexCheck, gteCheck, lteCheck, maxLengthCheck, stringSchema } from '../../core/zod.js';

const idList = /* @__PURE__ */ (() => z.array(intSchema().check(gteCheck(1), lteCheck(0xffff))).check(maxLengthCheck(4096)))();
const isoDate = /* @__PURE__ */ (() => stringSchema().check(refineCheck((s) => !Number.isNaN(Date.parse(s)), 'Must be an ISO 8601 date')))();

/**
 * One vendor of the GVL as it appears in the JSON (unknown keys such as `urls`, `dataRetention` are kept out
 * of the compiled form but accepted).
 *
 * @example
 * ```ts
 * gvlVendorSchema.parse({ id: 755, name: 'Google Advertising Products', purposes: [1], legIntPurposes: [2] });
 * ```
 */
export const gvlVendorSchema = /* @__PURE__ */ (() => z.looseObject({
  id: intSchema().check(gteCheck(1), lteCheck(0xffff)),
  name: stringSchema(),
  // "conditionally OPTIONAL": either may be missing (GVL v3, vendors).
  purposes: z._default(idList, []),
  legIntPurposes: z._default(idList, []),
  flexiblePurposes: z._default(idList, []),
  specialPurposes: z._default(idList, []),
  features: z._default(idList, []),
  specialFeatures: z._default(idList, []),
  deletedDate: z.optional(isoDate),
}))();

const declared = /* @__PURE__ */ (() => z.looseObject({ id: intSchema().check(gteCheck(1)), name: stringSchema() }))();

/**
 * The GVL v3 JSON document (`vendor-list.json`): `vendorListVersion`, `tcfPolicyVersion`, purposes, special
 * purposes, features, special features and vendors keyed by id.
 *
 * @example
 * ```ts
 * gvlSchema.safeParse(await (await fetch('https://vendor-list.consensu.org/v3/vendor-list.json')).json());
 * ```
 */
export const gvlSchema = /* @__PURE__ */ (() => z.looseObject({
  gvlSpecificationVersion: z.optional(intSchema().check(gteCheck(2))),
  vendorListVersion: intSchema().check(gteCheck(0), lteCheck(4095)),
  tcfPolicyVersion: intSchema().check(gteCheck(0), lteCheck(63)),
  lastUpdated: z.optional(isoDate),
  purposes: z._default(z.record(stringSchema(), declared), {}),
  specialPurposes: z._default(z.record(stringSchema(), declared), {}),
  features: z._default(z.record(stringSchema(), declared), {}),
  specialFeatures: z._default(z.record(stringSchema(), declared), {}),
  vendors: z.record(stringSchema().check(regexCheck(/^[1-9][0-9]{0,4}$/, 'Vendor keys must be vendor ids')), gvlVendorSchema),
}))();

/**
 * The GVL JSON as accepted by {@link parseGvl}.
 *
 * @example
 * ```ts
 * const json: GvlJson = { vendorListVersion: 1, tcfPolicyVersion: 5, vendors: {} };
 * parseGvl(json);
 * ```
 */
export type GvlJson = z.input<typeof gvlSchema>;

/**
 * A vendor compiled for checks: declared purposes as {@link IdSet}s, `deletedDate` as epoch ms or `null`.
 *
 * @example
 * ```ts
 * declare const gvl: Gvl;
 * const v: GvlVendor | undefined = gvl.vendors[755];
 * v?.flexiblePurposes.has(2);
 * ```
 */
export interface GvlVendor {
  readonly id: number;
  readonly name: string;
  readonly purposes: IdSet;
  readonly legIntPurposes: IdSet;
  readonly flexiblePurposes: IdSet;
  readonly specialPurposes: IdSet;
  readonly features: IdSet;
  readonly specialFeatures: IdSet;
  readonly deletedDate: number | null;
}

/**
 * A compiled Global Vendor List.
 *
 * @example
 * ```ts
 * const gvl: Gvl = parseGvl({ vendorListVersion: 1, tcfPolicyVersion: 5, vendors: {} });
 * gvl.vendorCount; // 0
 * ```
 */
export interface Gvl {
  readonly vendorListVersion: number;
  readonly tcfPolicyVersion: number;
  readonly lastUpdated: number | null;
  readonly purposeIds: IdSet;
  readonly specialFeatureIds: IdSet;
  /** Vendors by id (an array indexed by id: lookups in the check loop are one bounds check). */
  readonly vendors: ReadonlyArray<GvlVendor | undefined>;
  /** Number of vendors (deleted ones included). */
  readonly vendorCount: number;
}

/**
 * Validates a GVL v3 JSON document and compiles it. Throws `CrossChannelError` `CONSENT_GVL_INVALID` with the
 * path of the first bad field.
 *
 * @example
 * ```ts
 * const gvl = parseGvl({
 *   vendorListVersion: 120, tcfPolicyVersion: 5,
 *   purposes: { '1': { id: 1, name: 'Store and/or access information on a device' } },
 *   vendors: { '755': { id: 755, name: 'Google Advertising Products', purposes: [1, 3, 4], legIntPurposes: [2, 7], flexiblePurposes: [2, 7] } },
 * });
 * gvl.vendors[755]?.purposes.has(4); // true
 * ```
 */
export function parseGvl(input: unknown): Gvl {
  const json = parseWith(gvlSchema, input, 'CONSENT_GVL_INVALID');
  let maxId = 0;
  // GVL v3 "Constraints": purpose ids within the purposes this GVL publishes (1..N), none under both bases, every
  // flexible one declared under one of them.
  let maxPurpose = 0;
  for (const p of Object.values(json.purposes)) if (p.id > maxPurpose) maxPurpose = p.id;
  const invalid = (message: string, path: ReadonlyArray<string | number>): never => {
    throw new CrossChannelError('CONSENT_GVL_INVALID', message, { path });
  };
  for (const [key, v] of Object.entries(json.vendors)) {
    if (Number(key) !== v.id) invalid(`vendor key ${key} does not match its id ${v.id}`, ['vendors', key, 'id']);
    for (const field of ['purposes', 'legIntPurposes', 'flexiblePurposes'] as const) {
      v[field].forEach((p, i) => {
        if (maxPurpose > 0 && p > maxPurpose) invalid(`vendor ${v.id}: purpose ${p} refers to no purpose of this GVL`, ['vendors', key, field, i]);
        if (field === 'legIntPurposes' ? v.purposes.includes(p) : field === 'flexiblePurposes' && !v.purposes.includes(p) && !v.legIntPurposes.includes(p)) {
          invalid(`vendor ${v.id} declares ${field === 'legIntPurposes' ? '' : 'flexible '}purpose ${p} under ${field === 'legIntPurposes' ? 'both' : 'neither'} consent ${field === 'legIntPurposes' ? 'and' : 'nor'} legitimate interest`, ['vendors', key, field, i]);
        }
      });
    }
    if (v.id > maxId) maxId = v.id;
  }
  const vendors = new Array<GvlVendor | undefined>(maxId + 1).fill(undefined);
  let count = 0;
  for (const v of Object.values(json.vendors)) {
    vendors[v.id] = {
      id: v.id,
      name: v.name,
      purposes: IdSet.from(v.purposes),
      legIntPurposes: IdSet.from(v.legIntPurposes),
      flexiblePurposes: IdSet.from(v.flexiblePurposes),
      specialPurposes: IdSet.from(v.specialPurposes),
      features: IdSet.from(v.features),
      specialFeatures: IdSet.from(v.specialFeatures),
      deletedDate: v.deletedDate === undefined ? null : Date.parse(v.deletedDate),
    };
    count++;
  }
  return {
    vendorListVersion: json.vendorListVersion,
    tcfPolicyVersion: json.tcfPolicyVersion,
    lastUpdated: json.lastUpdated === undefined ? null : Date.parse(json.lastUpdated),
    purposeIds: IdSet.from(Object.values(json.purposes).map((p) => p.id)),
    specialFeatureIds: IdSet.from(Object.values(json.specialFeatures).map((p) => p.id)),
    vendors,
    vendorCount: count,
  };
}

/**
 * Non-throwing {@link parseGvl}.
 *
 * @example
 * ```ts
 * const r = safeParseGvl({});
 * r.ok; // false — r.error.code === 'CONSENT_GVL_INVALID'
 * ```
 */
export function safeParseGvl(input: unknown): Result<Gvl, CrossChannelError> {
  try {
    return { ok: true, value: parseGvl(input) };
  } catch (e) {
    if (e instanceof CrossChannelError) return { ok: false, error: e };
    throw e;
  }
}
