/**
 * Consent: TC string decoding against @iabtcf/core, GPP decoding against @iabgpp/cmpapi (same corpus, same
 * process, identical decoded fields checked first), tcfCanProcess throughput after decode, and heap bytes
 * retained per decoded TC string.
 */
import { TCString } from '@iabtcf/core';
import { GppModel } from '@iabgpp/cmpapi';
import { createRng } from '../src/core/random.js';
import { decodeGpp, decodeTcString, encodeGpp, encodeTcString, parseGvl, tcfCanProcess, type GppSectionInput, type TcStringInput } from '../src/consent/index.js';
import { US_SECTIONS } from '../src/consent/gpp/sections.js';
import { ourView, peerView } from '../test/oracles/tcf-peer.js';
import { checkSame, compare } from './harness.js';

const rng = createRng(2026);
// rng.int(n) is uniform in [0, n); between(a, b) is inclusive.
const between = (a: number, b: number): number => a + rng.int(b - a + 1);
const pick = <T>(xs: readonly T[]): T => xs[rng.int(xs.length)]!;
const subset = (ids: readonly number[], p: number): number[] => ids.filter(() => rng.next() < p);

// A synthetic GVL: ~900 vendors over ids 1..1400.
const vendorIds: number[] = [];
for (let id = 1; id <= 1400; id++) if (rng.next() < 0.643) vendorIds.push(id);
const vendors: Record<string, unknown> = {};
for (const id of vendorIds) {
  const consent = subset([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11], 0.5);
  const li = subset([2, 7, 8, 9, 10, 11], 0.4).filter((p) => !consent.includes(p));
  vendors[String(id)] = { id, name: `Vendor ${id}`, purposes: consent, legIntPurposes: li, flexiblePurposes: subset([...consent, ...li].filter((p) => p > 1), 0.3), specialPurposes: [1, 2], features: [1], specialFeatures: subset([1, 2], 0.3) };
}
const purposes = Object.fromEntries(Array.from({ length: 11 }, (_, i) => [String(i + 1), { id: i + 1, name: `Purpose ${i + 1}` }]));
const gvl = parseGvl({ vendorListVersion: 150, tcfPolicyVersion: 5, purposes, vendors });

// ≥ 1,000 TC strings: mixed vendor encodings, with and without restrictions, publisher TC and disclosed vendors.
const N = 1000;
const encodings = ['auto', 'bitfield', 'range'] as const;
const corpus: string[] = [];
for (let i = 0; i < N; i++) {
  const accept = rng.next();
  const consentRate = accept < 0.5 ? 0.95 : accept < 0.8 ? 0.05 : rng.next();
  const model: TcStringInput = {
    created: 1_767_225_600_000 + between(0, 1e6) * 100,
    lastUpdated: 1_767_225_600_000 + between(0, 1e6) * 100,
    cmpId: between(2, 400),
    cmpVersion: between(0, 20),
    consentScreen: between(0, 5),
    consentLanguage: pick(['EN', 'FR', 'DE', 'ES', 'IT']),
    vendorListVersion: 150,
    policyVersion: pick([4, 5]),
    isServiceSpecific: rng.next() < 0.7,
    useNonStandardTexts: false,
    specialFeatureOptIns: subset([1, 2], consentRate),
    purposeConsents: subset([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11], consentRate),
    purposeLegitimateInterests: subset([2, 7, 8, 9, 10, 11], 0.9),
    purposeOneTreatment: rng.next() < 0.05,
    publisherCountryCode: pick(['FR', 'DE', 'GB', 'NL']),
    vendorConsents: subset(vendorIds, consentRate),
    vendorLegitimateInterests: subset(vendorIds, 0.9),
    publisherRestrictions: rng.next() < 0.4 ? Array.from({ length: between(1, 4) }, () => ({ purposeId: between(1, 11), restrictionType: pick([0, 1, 2] as const), vendors: subset(vendorIds, 0.02) })) : [],
    disclosedVendors: rng.next() < 0.8 ? vendorIds : null,
    publisherTc: rng.next() < 0.3 ? { purposeConsents: subset([1, 2, 3, 4], 0.5), purposeLegitimateInterests: [], numCustomPurposes: 2, customPurposeConsents: [1], customPurposeLegitimateInterests: [] } : null,
  };
  corpus.push(encodeTcString(model, { vendorEncoding: encodings[i % 3]! }));
}
const avgLen = corpus.reduce((a, s) => a + s.length, 0) / N;

for (const s of corpus) checkSame('TC string decode', ourView(decodeTcString(s)), peerView(TCString.decode(s)));

let i = 0;
const rows = await compare(
  `decode one TC string (corpus of ${N}, ${vendorIds.length} GVL vendors, max id 1400, avg ${Math.round(avgLen)} chars; fields checked identical)`,
  { name: 'crosschannel decodeTcString', fn: () => decodeTcString(corpus[i++ % N]!) },
  [{ name: '@iabtcf/core TCString.decode', fn: () => TCString.decode(corpus[i++ % N]!) }],
  { timeMs: 2000, repeat: 5 },
);
void rows;

// The corpus above is long strings (1,803 characters on average). Real traffic also carries short ones — a
// reject-all, a handful of vendors — where both decoders' fixed costs dominate, so the ratio by kind of string:
const ids = (n: number, keep: (id: number) => boolean): number[] => Array.from({ length: n }, (_, k) => k + 1).filter(keep);
const kindBase: TcStringInput = {
  created: 1_767_225_600_000, lastUpdated: 1_767_225_600_000, cmpId: 7, cmpVersion: 1, consentScreen: 1, consentLanguage: 'EN', vendorListVersion: 150,
  policyVersion: 5, isServiceSpecific: true, useNonStandardTexts: false, specialFeatureOptIns: [1], purposeConsents: [1, 2, 3, 4, 7, 9, 10],
  purposeLegitimateInterests: [2, 7, 8, 9, 10, 11], purposeOneTreatment: false, publisherCountryCode: 'FR', vendorConsents: [], vendorLegitimateInterests: [],
  publisherRestrictions: [], disclosedVendors: null, publisherTc: null,
};
const kinds: Array<[string, string]> = [
  ['reject all', encodeTcString({ ...kindBase, specialFeatureOptIns: [], purposeConsents: [] })],
  ['five vendors (range)', encodeTcString({ ...kindBase, vendorConsents: [1, 10, 25, 91, 755], vendorLegitimateInterests: [10, 91] })],
  // The TCF v2 specification's example string (core + disclosed vendors).
  ['specification sample', 'COvFyGBOvFyGBAbAAAENAPCAAOAAAAAAAAAAAAAAAAAA.IFoEUQQgAIQwgIwQABAEAAAAOIAACAIAAAAQAIAgEAACEAAAAAgAQBAAAAAAAGBAAgAAAAAAAAFAAECAAAACAAAAAQAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA'],
  ['accept most of 1,300 (bitfields + disclosed)', encodeTcString({ ...kindBase, vendorConsents: ids(1300, (v) => v % 3 !== 0), vendorLegitimateInterests: ids(1300, (v) => v % 2 !== 0), disclosedVendors: ids(1300, () => true) }, { vendorEncoding: 'bitfield' })],
];
// 20 decodes per timed sample: the timer's own cost per sample (≈ 0.3 µs) would otherwise be a third of a short
// decode on our side (see `repeat` in harness.ts).
for (const [kind, s] of kinds) {
  checkSame(`TC string decode (${kind})`, ourView(decodeTcString(s)), peerView(TCString.decode(s)));
  await compare(
    `decode one TC string: ${kind}, ${s.length} characters`,
    { name: 'crosschannel decodeTcString', fn: () => decodeTcString(s) },
    [{ name: '@iabtcf/core TCString.decode', fn: () => TCString.decode(s) }],
    { timeMs: 700, allocation: false, repeat: 20 },
  );
}

// Check throughput after decode. A request decodes one string, then asks about many vendor × purpose pairs
// (an auction, a tag manager): 64 checks per decoded string. The scattered pattern (every check on another
// of the 1,000 strings) is printed too: it measures cache misses more than the check.
const decoded = corpus.map((s) => decodeTcString(s));
const queries = Array.from({ length: 4096 }, () => ({ vendorId: pick(vendorIds), purposeId: between(1, 11) }));
const CHECKS = 10_000_000;
function checkRate(index: (k: number) => number): { rate: number; allowed: number } {
  let allowed = 0;
  for (let k = 0; k < 200_000; k++) if (tcfCanProcess(decoded[index(k)]!, queries[k & 4095]!, gvl).allowed) allowed++;
  allowed = 0;
  const t0 = performance.now();
  for (let k = 0; k < CHECKS; k++) if (tcfCanProcess(decoded[index(k)]!, queries[k & 4095]!, gvl).allowed) allowed++;
  return { rate: (CHECKS / (performance.now() - t0)) * 1000, allowed: allowed / CHECKS };
}
const perRequest = checkRate((k) => (k >>> 6) % N);
const scattered = checkRate((k) => k % N);
const fmt = (n: number): string => Math.round(n).toLocaleString('en-US');
console.log(
  `\n## tcfCanProcess after decode (with GVL, ${fmt(CHECKS)} checks each)\n` +
    `64 checks per decoded string: ${fmt(perRequest.rate)} checks/s (${(perRequest.allowed * 100).toFixed(1)}% allowed)\n` +
    `scattered over 1,000 strings: ${fmt(scattered.rate)} checks/s`,
);

// Heap retained per decoded string (needs --expose-gc; run through `npm run bench`).
const gc = (globalThis as { gc?: () => void }).gc;
function retained(decode: (s: string) => unknown): { heap: number; buffers: number } {
  gc?.();
  const m0 = process.memoryUsage();
  const keep = corpus.map(decode);
  gc?.();
  const m1 = process.memoryUsage();
  if (keep.length !== N) throw new Error('unreachable');
  return { heap: (m1.heapUsed - m0.heapUsed) / N, buffers: (m1.arrayBuffers - m0.arrayBuffers) / N };
}
if (gc) {
  const ours = retained((s) => decodeTcString(s));
  const peer = retained((s) => TCString.decode(s));
  const b = (n: number): string => `${Math.round(Math.max(0, n)).toLocaleString('en-US')} B`;
  console.log(`\n## memory retained per decoded TC string (JS heap + off-heap buffers)\ncrosschannel ${b(ours.heap)} + ${b(ours.buffers)} · @iabtcf/core ${b(peer.heap)} + ${b(peer.buffers)}`);
} else console.log('\n(run with --expose-gc for retained heap per string)');

// GPP: header + uspv1 + usnat + usca, against @iabgpp/cmpapi (decode forced by reading every section).
const usnat = US_SECTIONS.get(7)!;
const usca = US_SECTIONS.get(8)!;
const twoBits = (): number => between(0, 2);
const fieldsOf = (layout: typeof usnat, v: number): Record<string, number | number[]> =>
  Object.fromEntries(layout.fields(v).map(([name, count]) => [name, name === 'mspaCoveredTransaction' ? between(1, 2) : count === 0 ? twoBits() : Array.from({ length: count }, twoBits)]));
const gppCorpus = Array.from({ length: N }, () =>
  encodeGpp([
    { kind: 'uspv1', notice: 'Y', optOutSale: pick(['Y', 'N'] as const), lspaCovered: 'N' },
    { kind: 'us', id: 7, version: 2, fields: fieldsOf(usnat, 2), gpc: rng.next() < 0.5 },
    { kind: 'us', id: 8, version: 1, fields: fieldsOf(usca, 1), gpc: null },
  ] satisfies GppSectionInput[]),
);
const peerGpp = (s: string): unknown => {
  const m = new GppModel(s);
  return m.getSectionIds().map((id) => m.getSection(m.getSectionIds().length ? (id === 6 ? 'uspv1' : id === 7 ? 'usnat' : 'usca') : ''));
};
for (const s of gppCorpus.slice(0, 50)) {
  const ours = decodeGpp(s).sections.map((x) => (x.kind === 'us' ? x.fields.saleOptOut : x.kind === 'uspv1' ? x.optOutSale : null));
  const peer = (peerGpp(s) as Array<Record<string, unknown>>).map((x) => x.SaleOptOut ?? x.OptOutSale);
  checkSame('GPP decode', ours, peer);
}
let j = 0;
await compare(
  `decode one GPP string (uspv1 + usnat + usca, corpus of ${N})`,
  { name: 'crosschannel decodeGpp', fn: () => decodeGpp(gppCorpus[j++ % N]!) },
  [{ name: '@iabgpp/cmpapi GppModel', fn: () => peerGpp(gppCorpus[j++ % N]!) }],
  { timeMs: 1500, repeat: 10 },
);
