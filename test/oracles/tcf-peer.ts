/**
 * Views of a decoded TC string as plain data, one from crosschannel and one from @iabtcf/core, shaped the same
 * way so the cross-checks (tests and bench) compare field by field.
 */
import { GVL, type TCModel } from '@iabtcf/core';
import type { TcString } from '../../src/consent/tcf/model.js';

/** Field-by-field view both decoders can produce. */
export interface TcView {
  created: number;
  lastUpdated: number;
  cmpId: number;
  cmpVersion: number;
  consentScreen: number;
  consentLanguage: string;
  vendorListVersion: number;
  policyVersion: number;
  isServiceSpecific: boolean;
  useNonStandardTexts: boolean;
  specialFeatureOptIns: number[];
  purposeConsents: number[];
  purposeLegitimateInterests: number[];
  purposeOneTreatment: boolean;
  publisherCountryCode: string;
  vendorConsents: number[];
  vendorLegitimateInterests: number[];
  /** `purposeId-type` → vendors, empty groups dropped, keys sorted. */
  publisherRestrictions: Record<string, number[]>;
  disclosedVendors: number[];
  allowedVendors: number[];
  publisherPurposeConsents: number[];
  publisherPurposeLegitimateInterests: number[];
  customPurposeConsents: number[];
  customPurposeLegitimateInterests: number[];
}

function sortRecord(r: Record<string, number[]>): Record<string, number[]> {
  const out: Record<string, number[]> = {};
  for (const k of Object.keys(r).sort()) if (r[k]!.length > 0) out[k] = [...new Set(r[k]!)].sort((a, b) => a - b);
  return out;
}

/** crosschannel's decoded string as a {@link TcView}. */
export function ourView(tc: TcString): TcView {
  const restrictions: Record<string, number[]> = {};
  for (const r of tc.publisherRestrictions) (restrictions[`${r.purposeId}-${r.restrictionType}`] ??= []).push(...r.vendors.toArray());
  return {
    created: tc.created,
    lastUpdated: tc.lastUpdated,
    cmpId: tc.cmpId,
    cmpVersion: tc.cmpVersion,
    consentScreen: tc.consentScreen,
    consentLanguage: tc.consentLanguage,
    vendorListVersion: tc.vendorListVersion,
    policyVersion: tc.policyVersion,
    isServiceSpecific: tc.isServiceSpecific,
    useNonStandardTexts: tc.useNonStandardTexts,
    specialFeatureOptIns: tc.specialFeatureOptIns.toArray(),
    purposeConsents: tc.purposeConsents.toArray(),
    purposeLegitimateInterests: tc.purposeLegitimateInterests.toArray(),
    purposeOneTreatment: tc.purposeOneTreatment,
    publisherCountryCode: tc.publisherCountryCode,
    vendorConsents: tc.vendorConsents.toArray(),
    vendorLegitimateInterests: tc.vendorLegitimateInterests.toArray(),
    publisherRestrictions: sortRecord(restrictions),
    disclosedVendors: tc.disclosedVendors?.toArray() ?? [],
    allowedVendors: tc.allowedVendors?.toArray() ?? [],
    publisherPurposeConsents: tc.publisherTc?.purposeConsents.toArray() ?? [],
    publisherPurposeLegitimateInterests: tc.publisherTc?.purposeLegitimateInterests.toArray() ?? [],
    customPurposeConsents: tc.publisherTc?.customPurposeConsents.toArray() ?? [],
    customPurposeLegitimateInterests: tc.publisherTc?.customPurposeLegitimateInterests.toArray() ?? [],
  };
}

interface VectorLike {
  forEach(cb: (value: boolean, id: number) => void): void;
}

function ids(v: VectorLike): number[] {
  const out: number[] = [];
  v.forEach((value, id) => {
    if (value) out.push(id);
  });
  return out;
}

/** @iabtcf/core's decoded model as a {@link TcView}. */
export function peerView(m: TCModel): TcView {
  const restrictions: Record<string, number[]> = {};
  for (const pr of m.publisherRestrictions.getRestrictions()) restrictions[`${pr.purposeId}-${pr.restrictionType}`] = m.publisherRestrictions.getVendors(pr);
  return {
    created: m.created.getTime(),
    lastUpdated: m.lastUpdated.getTime(),
    cmpId: Number(m.cmpId),
    cmpVersion: Number(m.cmpVersion),
    consentScreen: Number(m.consentScreen),
    consentLanguage: m.consentLanguage,
    vendorListVersion: Number(m.vendorListVersion),
    policyVersion: Number(m.policyVersion),
    isServiceSpecific: m.isServiceSpecific,
    useNonStandardTexts: m.useNonStandardStacks,
    specialFeatureOptIns: ids(m.specialFeatureOptins),
    purposeConsents: ids(m.purposeConsents),
    purposeLegitimateInterests: ids(m.purposeLegitimateInterests),
    purposeOneTreatment: m.purposeOneTreatment,
    publisherCountryCode: m.publisherCountryCode,
    vendorConsents: ids(m.vendorConsents),
    vendorLegitimateInterests: ids(m.vendorLegitimateInterests),
    publisherRestrictions: sortRecord(restrictions),
    disclosedVendors: ids(m.vendorsDisclosed),
    allowedVendors: ids(m.vendorsAllowed),
    publisherPurposeConsents: ids(m.publisherConsents),
    publisherPurposeLegitimateInterests: ids(m.publisherLegitimateInterests),
    customPurposeConsents: ids(m.publisherCustomConsents),
    customPurposeLegitimateInterests: ids(m.publisherCustomLegitimateInterests),
  };
}

/** Builds an @iabtcf/core GVL from a GVL v3 JSON object (no network). */
export function peerGvl(json: Record<string, unknown>): GVL {
  return new GVL(json as never);
}
