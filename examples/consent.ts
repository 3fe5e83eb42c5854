/**
 * May we? One person, three sources of consent: the website CMP's TC string, a GPC browser signal, and the
 * first-party opt-in ledger kept by the email tool and the call centre.
 * Run: npx tsx examples/consent.ts
 */
import { MemoryConsentStore } from 'crosschannel/adapters/memory';
import {
  canContact,
  consentState,
  consentSummary,
  decodeGpp,
  decodeTcString,
  encodeGpp,
  encodeTcString,
  gppOptOuts,
  parseConsentEvent,
  parseConsentPolicy,
  parseGvl,
  readGpc,
  safeDecodeTcString,
  tcfCanProcess,
} from 'crosschannel/consent';

const DAY = 86_400_000;
const now = Date.parse('2026-03-01T10:00:00Z');

// 1. The CMP on the website wrote a TC string (here we build one; in production it arrives in a cookie or `gdpr_consent`).
const tcString = encodeTcString({
  created: now - 10 * DAY,
  lastUpdated: now - 10 * DAY,
  cmpId: 300,
  cmpVersion: 4,
  consentScreen: 1,
  consentLanguage: 'FR',
  vendorListVersion: 150,
  policyVersion: 5,
  isServiceSpecific: true,
  useNonStandardTexts: false,
  specialFeatureOptIns: [],
  purposeConsents: [1, 2, 3, 4, 7],
  purposeLegitimateInterests: [2, 7, 8],
  purposeOneTreatment: false,
  publisherCountryCode: 'FR',
  vendorConsents: [755, 1126],
  vendorLegitimateInterests: [755],
  publisherRestrictions: [{ purposeId: 7, restrictionType: 1, vendors: [755] }],
  disclosedVendors: [755, 1126, 1400],
});
console.log(`TC string (${tcString.length} chars): ${tcString.slice(0, 60)}…`);

const gvl = parseGvl({
  vendorListVersion: 150,
  tcfPolicyVersion: 5,
  purposes: Object.fromEntries(Array.from({ length: 11 }, (_, i) => [String(i + 1), { id: i + 1, name: `Purpose ${i + 1}` }])),
  vendors: {
    '755': { id: 755, name: 'Google Advertising Products', purposes: [1, 3, 4], legIntPurposes: [2, 7, 9, 10], flexiblePurposes: [2, 7, 9, 10] },
    '1126': { id: 1126, name: 'Retail media partner', purposes: [1, 2, 4], legIntPurposes: [], flexiblePurposes: [] },
    '1400': { id: 1400, name: 'Measurement vendor', purposes: [], legIntPurposes: [8], flexiblePurposes: [] },
  },
});

const tc = decodeTcString(tcString);
for (const [vendorId, purposeId] of [
  [755, 4],
  [755, 7],
  [1400, 8],
  [1126, 3],
] as const) {
  const d = tcfCanProcess(tc, { vendorId, purposeId }, gvl);
  console.log(`vendor ${vendorId} purpose ${purposeId}: ${d.allowed ? `allowed (${d.basis})` : 'refused'} — ${d.reasons.map((r) => r.code).join(', ')}`);
}
const broken = safeDecodeTcString(tcString.slice(0, 30));
if (!broken.ok) console.log(`truncated string → ${broken.error.code}: ${broken.error.message}`);

// 2. A US visitor's GPP string and GPC header.
const gppString = encodeGpp([
  { kind: 'uspv1', notice: 'Y', optOutSale: 'N', lspaCovered: 'N' },
  {
    kind: 'us',
    id: 7,
    version: 2,
    gpc: true,
    fields: {
      sharingNotice: 1, saleOptOutNotice: 1, sharingOptOutNotice: 1, targetedAdvertisingOptOutNotice: 1,
      sensitiveDataProcessingOptOutNotice: 1, sensitiveDataLimitUseNotice: 1, saleOptOut: 2, sharingOptOut: 1,
      targetedAdvertisingOptOut: 1, sensitiveDataProcessing: new Array(16).fill(0), knownChildSensitiveDataConsents: [0, 0, 0],
      personalDataConsents: 0, mspaCoveredTransaction: 2, mspaOptOutOptionMode: 0, mspaServiceProviderMode: 0,
    },
  },
]);
const gpp = decodeGpp(gppString, { applicableSections: '7' });
console.log(`\nGPP ${gppString}: sections ${gpp.sectionIds.join(',')}, opt-outs`, gppOptOuts(gpp));
const gpc = readGpc({ headers: { 'sec-gpc': '1' } });

// 3. The first-party ledger: events appended by every channel, folded under one policy.
const policy = parseConsentPolicy({
  doubleOptIn: { channels: ['email'], window: { days: 7 } },
  expiry: { marketing: { days: 395 } },
  softOptIn: [{ channel: 'sms', purposes: ['marketing'] }],
  optOutChannels: ['direct_mail'],
});
const store = new MemoryConsentStore({ erasureSalt: 'example-salt' });
const events = [
  { id: 'e1', channel: 'email', purpose: 'marketing', kind: 'granted', at: now - 30 * DAY, evidence: { source: 'web-signup', textVersion: 'newsletter-v3' } },
  { id: 'e2', channel: 'email', purpose: 'marketing', kind: 'confirmed', at: now - 29 * DAY, evidence: { source: 'doi-link', proofId: 'click-8812' } },
  { id: 'e3', channel: 'sms', purpose: 'marketing', kind: 'existing_customer', at: now - 20 * DAY, evidence: { source: 'pos-receipt' } },
  { id: 'e4', channel: 'call_center', purpose: '*', kind: 'withdrawn', at: now - 2 * DAY, evidence: { source: 'call-center', text: 'Do not call me again' } },
  { id: 'e5', channel: 'web', purpose: 'targeted_advertising', kind: 'granted', at: now - 5 * DAY, evidence: { source: 'preference-center' } },
] as const;
for (const e of events) await store.append(parseConsentEvent({ ...e, subjectId: 'cust-42' }));
const state = consentState(await store.events('cust-42'), policy);

console.log('\nLedger:');
for (const c of consentSummary(state, now)) console.log(`  ${c.channel.padEnd(12)} ${c.purpose.padEnd(22)} ${c.status}${c.basis ? ` (${c.basis})` : ''}`);

console.log('\nMay we…');
const ask = (channel: string, purpose: string, extra: Partial<Parameters<typeof canContact>[1]> = {}): void => {
  const d = canContact(state, { channel, purpose, now, ...extra });
  console.log(`  ${channel} for ${purpose}? ${d.allowed ? 'yes' : 'no'} — ${d.reasons.map((r) => r.code).join(', ')}`);
};
ask('email', 'marketing');
ask('sms', 'marketing');
ask('call_center', 'marketing');
ask('direct_mail', 'marketing');
ask('web', 'targeted_advertising', { gpc });
ask('display', 'marketing', { tcf: { tc, query: { vendorId: 755, purposeId: 4 }, gvl } });

// Erasure keeps only a salted hash as proof.
const receipt = await store.erase('cust-42', now);
console.log('\nErased:', receipt, '→ events left:', (await store.events('cust-42')).length);
