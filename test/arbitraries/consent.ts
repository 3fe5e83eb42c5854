/** fast-check arbitraries for consent: TC string models, GVLs, GPP sections, ledger events. */
import fc from 'fast-check';
import { IdSet } from '../../src/consent/tcf/bits.js';
import type { TcString } from '../../src/consent/tcf/model.js';
import type { GppSectionInput } from '../../src/consent/gpp/encode.js';
import { US_SECTIONS } from '../../src/consent/gpp/sections.js';
import { CONSENT_EVENT_KINDS, parseConsentEvent, type ConsentEvent } from '../../src/consent/ledger.js';

/** A set of ids in 1..max, mixing sparse picks and dense runs (so both vendor encodings get exercised). */
export function idSetArb(max: number, maxPicks = 40): fc.Arbitrary<IdSet> {
  const sparse = fc.uniqueArray(fc.integer({ min: 1, max }), { maxLength: maxPicks });
  const runs = fc.array(
    fc.tuple(fc.integer({ min: 1, max }), fc.integer({ min: 0, max: Math.min(max, 200) })).map(([a, len]) => {
      const out: number[] = [];
      for (let i = a; i <= Math.min(max, a + len); i++) out.push(i);
      return out;
    }),
    { maxLength: 4 },
  );
  return fc.tuple(sparse, runs).map(([s, r]) => IdSet.from([...s, ...r.flat()]));
}

/** Epoch ms in whole deciseconds (what a TC string can store), 2018–2035. */
export const decisecondArb = fc.integer({ min: 15_200_000_000, max: 20_800_000_000 }).map((d) => d * 100);

const letterPair = fc.tuple(fc.integer({ min: 0, max: 25 }), fc.integer({ min: 0, max: 25 })).map(([a, b]) => String.fromCharCode(65 + a, 65 + b));

/** A valid decoded TC string model (everything `decodeTcString` can return). */
export function tcModelArb(options: { maxVendorId?: number } = {}): fc.Arbitrary<TcString> {
  const maxV = options.maxVendorId ?? 1400;
  const restriction = fc.record({
    purposeId: fc.integer({ min: 1, max: 24 }),
    restrictionType: fc.constantFrom<0 | 1 | 2>(0, 1, 2),
    vendors: idSetArb(maxV, 10),
  });
  const publisherTc = fc.integer({ min: 0, max: 63 }).chain((n) =>
    fc.record({
      purposeConsents: idSetArb(24, 8),
      purposeLegitimateInterests: idSetArb(24, 8),
      numCustomPurposes: fc.constant(n),
      customPurposeConsents: n === 0 ? fc.constant(IdSet.EMPTY) : idSetArb(n, 8),
      customPurposeLegitimateInterests: n === 0 ? fc.constant(IdSet.EMPTY) : idSetArb(n, 8),
    }),
  );
  return fc.record({
    version: fc.constant(2 as const),
    created: decisecondArb,
    lastUpdated: decisecondArb,
    // CMP id 0 names no CMP (the decoder refuses it); @iabtcf/core also refuses 1, which the decoder accepts.
    cmpId: fc.integer({ min: 2, max: 4095 }),
    cmpVersion: fc.integer({ min: 0, max: 4095 }),
    consentScreen: fc.integer({ min: 0, max: 63 }),
    consentLanguage: letterPair,
    vendorListVersion: fc.integer({ min: 0, max: 4095 }),
    policyVersion: fc.integer({ min: 0, max: 63 }),
    isServiceSpecific: fc.boolean(),
    useNonStandardTexts: fc.boolean(),
    specialFeatureOptIns: idSetArb(12, 4),
    purposeConsents: idSetArb(24, 12),
    purposeLegitimateInterests: idSetArb(24, 12),
    purposeOneTreatment: fc.boolean(),
    publisherCountryCode: letterPair,
    vendorConsents: idSetArb(maxV),
    vendorLegitimateInterests: idSetArb(maxV),
    publisherRestrictions: fc.array(restriction, { maxLength: 4 }),
    disclosedVendors: fc.option(idSetArb(maxV), { nil: null }),
    allowedVendors: fc.option(idSetArb(maxV), { nil: null }),
    publisherTc: fc.option(publisherTc, { nil: null }),
  });
}

/** A plain JSON view of a model (IdSets as sorted arrays), for deep equality. */
export function plain<T>(x: T): unknown {
  return JSON.parse(JSON.stringify(x));
}

/** A GVL v3 JSON document with vendors 1..maxId (some ids missing, some deleted). */
export function gvlJsonArb(maxId = 60): fc.Arbitrary<Record<string, unknown>> {
  const purposes = fc.uniqueArray(fc.integer({ min: 1, max: 11 }), { maxLength: 6 });
  const vendor = fc
    .record({
      consent: purposes,
      li: purposes,
      flex: fc.boolean(),
      sf: fc.uniqueArray(fc.integer({ min: 1, max: 2 }), { maxLength: 2 }),
      deleted: fc.boolean(),
      present: fc.integer({ min: 0, max: 9 }),
    })
    .map((v) => {
      const li = v.li.filter((p) => !v.consent.includes(p) && p !== 1);
      return { ...v, li, flexible: v.flex ? [...v.consent, ...li].filter((p) => p !== 1) : [] };
    });
  return fc.array(vendor, { minLength: maxId, maxLength: maxId }).map((vs) => {
    const vendors: Record<string, unknown> = {};
    vs.forEach((v, i) => {
      const id = i + 1;
      if (v.present === 0) return;
      vendors[String(id)] = {
        id,
        name: `Vendor ${id}`,
        purposes: v.consent,
        legIntPurposes: v.li,
        flexiblePurposes: v.flexible,
        specialPurposes: [1],
        features: [],
        specialFeatures: v.sf,
        ...(v.deleted && v.present === 1 ? { deletedDate: '2024-01-01T00:00:00Z' } : {}),
      };
    });
    const purposes: Record<string, unknown> = {};
    for (let p = 1; p <= 11; p++) purposes[String(p)] = { id: p, name: `Purpose ${p}` };
    return { gvlSpecificationVersion: 3, vendorListVersion: 100, tcfPolicyVersion: 5, lastUpdated: '2026-01-01T00:00:00Z', purposes, specialFeatures: { '1': { id: 1, name: 'geo' }, '2': { id: 2, name: 'scan' } }, vendors };
  });
}

/** A GPP section input: uspv1, a US section (any supported layout, with/without GPC) or tcfeuv2. */
export const gppSectionArb: fc.Arbitrary<GppSectionInput> = fc.oneof(
  fc.record({ kind: fc.constant('uspv1' as const), notice: fc.constantFrom('Y', 'N', '-' as const), optOutSale: fc.constantFrom('Y', 'N', '-' as const), lspaCovered: fc.constantFrom('Y', 'N', '-' as const) }),
  fc.constantFrom(...US_SECTIONS.values()).chain((layout) => {
    const version = layout.id === 7 ? fc.constantFrom(1, 2) : fc.constant(1);
    return version.chain((v) =>
      fc.record({
        kind: fc.constant('us' as const),
        id: fc.constant(layout.id),
        version: fc.constant(v),
        fields: fc.record(
          Object.fromEntries(layout.fields(v).map(([name, count]) => [name, count === 0 ? fc.integer({ min: 0, max: 2 }) : fc.array(fc.integer({ min: 0, max: 2 }), { minLength: count, maxLength: count })])) as Record<string, fc.Arbitrary<number | number[]>>,
        ),
        gpc: layout.gpc ? fc.option(fc.boolean(), { nil: null }) : fc.constant(null),
      }),
    );
  }),
  tcModelArb({ maxVendorId: 300 }).map((tcString) => ({ kind: 'tcfeuv2' as const, tcString })),
);

/** A list of GPP sections with distinct ids. */
export const gppSectionsArb = fc.uniqueArray(gppSectionArb, {
  minLength: 1,
  maxLength: 5,
  selector: (s) => (s.kind === 'tcfeuv2' ? 2 : s.kind === 'uspv1' ? 6 : s.id),
});

const CHANNELS = ['email', 'sms', 'push', 'call_center', 'direct_mail'] as const;
const PURPOSES = ['marketing', 'profiling', 'newsletter'] as const;

/** A ledger event for one subject over a small channel/purpose space, at instants 0..span. */
export function consentEventArb(span = 100 * 86_400_000): fc.Arbitrary<ConsentEvent> {
  return fc
    .record({
      id: fc.uuid(),
      channel: fc.constantFrom<string>(...CHANNELS, '*'),
      purpose: fc.constantFrom<string>(...PURPOSES, '*'),
      kind: fc.constantFrom(...CONSENT_EVENT_KINDS),
      at: fc.integer({ min: 0, max: span }),
    })
    .map((e) => parseConsentEvent({ ...e, subjectId: 's1', evidence: { source: 'test' } }));
}

export { CHANNELS as LEDGER_CHANNELS, PURPOSES as LEDGER_PURPOSES };
