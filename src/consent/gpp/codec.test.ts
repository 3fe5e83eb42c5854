import { describe, expect, it } from 'vitest';
import { GppModel } from '@iabgpp/cmpapi';
import { decodeGpp, encodeGpp, encodeTcString, gppOptOuts, readGpc, safeDecodeGpp } from '../index.js';
import { BitWriter } from '../tcf/bits.js';

function expectMalformed(text: string, message: RegExp, options?: Parameters<typeof decodeGpp>[1]): void {
  const r = safeDecodeGpp(text, options);
  expect(r.ok).toBe(false);
  if (!r.ok) {
    expect(r.error.code).toBe('CONSENT_GPP_MALFORMED');
    expect(r.error.message).toMatch(message);
  }
}

function header(type: number, version: number, ids: number[]): string {
  const w = new BitWriter();
  w.int(type, 6);
  w.int(version, 6);
  w.int(ids.length, 12);
  let prev = 0;
  for (const id of ids) {
    w.bit(false);
    w.fibonacci(id - prev);
    prev = id;
  }
  return w.toBase64Url(0);
}

describe('decodeGpp', () => {
  it('decodes the header and a uspv1 section', () => {
    const gpp = decodeGpp('DBABTA~1YNN');
    expect(gpp.version).toBe(1);
    expect(gpp.sectionIds).toEqual([6]);
    expect(gpp.sections[0]).toEqual({ kind: 'uspv1', id: 6, name: 'uspv1', version: 1, notice: 'Y', optOutSale: 'N', lspaCovered: 'N' });
  });

  it('decodes tcfeuv2, usnat with GPC and a state section written by @iabgpp/cmpapi', () => {
    const peer = new GppModel();
    peer.setFieldValue('usnat', 'SaleOptOut', 1);
    peer.setFieldValue('usnat', 'SharingOptOut', 2);
    peer.setFieldValue('usnat', 'Gpc', true);
    peer.setFieldValue('usco', 'TargetedAdvertisingOptOut', 1);
    peer.setFieldValue('usva', 'SaleOptOutNotice', 1);
    const text = `${peer.encode()}`;
    const gpp = decodeGpp(text);
    expect(gpp.sectionIds).toEqual([7, 9, 10]);
    const usnat = gpp.sections[0]!;
    expect(usnat.kind === 'us' && usnat.fields.saleOptOut).toBe(1);
    expect(usnat.kind === 'us' && usnat.gpc).toBe(true);
    expect(usnat.kind === 'us' && (usnat.fields.sensitiveDataProcessing as number[]).length).toBe(16);
    // GPC set: an opt-out of all three (and sharing is targeted advertising's CPRA name).
    expect(gppOptOuts(gpp)).toEqual({ saleOptOut: true, sharingOptOut: true, targetedAdvertisingOptOut: true, gpc: true, unread: [] });

    const tc = encodeTcString({
      created: 1_767_225_600_000, lastUpdated: 1_767_225_600_000, cmpId: 300, cmpVersion: 1, consentScreen: 1, consentLanguage: 'EN',
      vendorListVersion: 120, policyVersion: 5, isServiceSpecific: true, useNonStandardTexts: false, specialFeatureOptIns: [],
      purposeConsents: [1, 2], purposeLegitimateInterests: [], purposeOneTreatment: false, publisherCountryCode: 'FR',
      vendorConsents: [755], vendorLegitimateInterests: [], disclosedVendors: [755],
    });
    const withTcf = decodeGpp(`${header(3, 1, [2])}~${tc}`);
    const s = withTcf.sections[0]!;
    expect(s.kind === 'tcfeuv2' && s.tcString.vendorConsents.toArray()).toEqual([755]);
  });

  it('decodes usnat version 1 (12 sensitive categories, 2 child entries)', () => {
    const fields = {
      sharingNotice: 1, saleOptOutNotice: 1, sharingOptOutNotice: 1, targetedAdvertisingOptOutNotice: 1, sensitiveDataProcessingOptOutNotice: 1,
      sensitiveDataLimitUseNotice: 1, saleOptOut: 2, sharingOptOut: 2, targetedAdvertisingOptOut: 2,
      sensitiveDataProcessing: [0, 1, 2, 0, 1, 2, 0, 1, 2, 0, 1, 2], knownChildSensitiveDataConsents: [1, 2], personalDataConsents: 0,
      mspaCoveredTransaction: 1, mspaOptOutOptionMode: 0, mspaServiceProviderMode: 0,
    };
    const text = encodeGpp([{ kind: 'us', id: 7, version: 1, fields, gpc: null }]);
    const peer = new GppModel(text);
    expect(peer.getFieldValue('usnat', 'SensitiveDataProcessing')).toEqual(fields.sensitiveDataProcessing);
    const s = decodeGpp(text).sections[0]!;
    expect(s.kind === 'us' && s.fields).toEqual(fields);
  });

  it('reads usnat version 1 written in the 16 / 3 layout (as @iabgpp/cmpapi 3.1.x wrote it), as cmpapi does', () => {
    // 72 bits with version 1: the MSPA fields were read from the wrong bits, and 4 categories and a child entry dropped.
    const text = 'DBABLA~BqqaAAAAAAJY';
    const peer = new GppModel(text);
    const s = decodeGpp(text).sections[0]!;
    expect(s.kind === 'us' && s.version).toBe(1);
    if (s.kind !== 'us') return;
    expect((s.fields.sensitiveDataProcessing as number[]).length).toBe(16);
    expect((s.fields.knownChildSensitiveDataConsents as number[]).length).toBe(3);
    for (const [ours, theirs] of [['personalDataConsents', 'PersonalDataConsents'], ['mspaCoveredTransaction', 'MspaCoveredTransaction'], ['mspaOptOutOptionMode', 'MspaOptOutOptionMode'], ['mspaServiceProviderMode', 'MspaServiceProviderMode']] as const) {
      expect(s.fields[ours], ours).toEqual(peer.getFieldValue('usnat', theirs));
    }
    // cmpapi reads the same bits and then shows version 1's 12 and 2 entries; the package keeps all that was written.
    expect((s.fields.sensitiveDataProcessing as number[]).slice(0, 12)).toEqual(peer.getFieldValue('usnat', 'SensitiveDataProcessing'));
    expect((s.fields.knownChildSensitiveDataConsents as number[]).slice(0, 2)).toEqual(peer.getFieldValue('usnat', 'KnownChildSensitiveDataConsents'));
    // Written back in the layout it came in.
    expect(decodeGpp(encodeGpp([{ kind: 'us', id: 7, version: 1, fields: s.fields, gpc: null }])).sections[0]).toEqual(s);
  });

  it('keeps sections it does not interpret, encoded', () => {
    const gpp = decodeGpp(`${header(3, 1, [5, 6])}~BAAAAAAA~1---`);
    expect(gpp.sections[0]).toEqual({ kind: 'other', id: 5, name: 'tcfcav1', encoded: 'BAAAAAAA' });
  });

  it('filters applicable sections (gpp_sid) and refuses ones not present', () => {
    const text = encodeGpp([{ kind: 'uspv1', notice: 'Y', optOutSale: 'Y', lspaCovered: 'N' }, { kind: 'us', id: 8, version: 1, fields: Object.fromEntries([['saleOptOutNotice', 1], ['sharingOptOutNotice', 0], ['sensitiveDataLimitUseNotice', 0], ['saleOptOut', 2], ['sharingOptOut', 0], ['sensitiveDataProcessing', [0, 0, 0, 0, 0, 0, 0, 0, 0]], ['knownChildSensitiveDataConsents', [0, 0]], ['personalDataConsents', 0], ['mspaCoveredTransaction', 1], ['mspaOptOutOptionMode', 0], ['mspaServiceProviderMode', 0]]), gpc: false }]);
    expect(decodeGpp(text, { applicableSections: '8' }).applicableSections).toEqual([8]);
    expect(gppOptOuts(decodeGpp(text, { applicableSections: [8] })).saleOptOut).toBe(false);
    expect(gppOptOuts(decodeGpp(text)).saleOptOut).toBe(true);
    expect(decodeGpp(text, { applicableSections: [-1] }).applicableSections).toEqual([]);
    expectMalformed(text, /applicable section 2 is not in the GPP string/, { applicableSections: '2,8' });
  });

  it('is strict', () => {
    expectMalformed('', /empty/);
    expectMalformed('x'.repeat(200_000), /more than/);
    expectMalformed(`${header(4, 1, [6])}~1YNN`, /header type is 4/);
    expectMalformed(`${header(3, 2, [6])}~1YNN`, /unsupported GPP version 2/);
    expectMalformed(`${header(3, 1, [6, 7])}~1YNN`, /more sections than the 1 present/);
    expectMalformed(`${header(3, 1, [6])}~1YNN~1YNN`, /more sections than the 2 present|lists 1 sections but 2 follow/);
    expectMalformed(`${header(3, 1, [6])}~`, /section 6 is empty/);
    expectMalformed(`${header(3, 1, [6])}~2YNN`, /uspv1 must be/);
    expectMalformed('DB*BTA~1YNN', /invalid base64url/);
    expectMalformed(`${header(3, 1, [9])}~BAAAAAAA.YA`, /usva has no GPC sub-section/);
    expectMalformed(`${header(3, 1, [8])}~B`, /truncated/);
    // usca with saleOptOutNotice = 3.
    const w = new BitWriter();
    w.int(1, 6);
    w.int(3, 2);
    w.int(0, 60);
    expectMalformed(`${header(3, 1, [8])}~${w.toBase64Url(0)}`, /undefined value 3/);
    expectMalformed(`${header(3, 1, [2])}~COvFyGBOvFyGBAbAAAENAPCAAOAA`, /tcfeuv2: .*truncated/);
    // A range header naming a billion sections fails before expanding it.
    const big = new BitWriter();
    big.int(3, 6);
    big.int(1, 6);
    big.int(1, 12);
    big.bit(true);
    big.fibonacci(1);
    big.fibonacci(1_000_000_000);
    expectMalformed(`${big.toBase64Url(0)}~1YNN`, /more sections than/);
  });
});

/** A section's core bits: 6-bit version then 2-bit values, base64url. */
function core(version: number, values: number[]): string {
  const w = new BitWriter();
  w.int(version, 6);
  for (const v of values) w.int(v, 2);
  return w.toBase64Url(0);
}

describe('GPP section versions and ids without a known layout', () => {
  it('keeps a US section in a version without a known layout encoded (usca 2, usnat 3, 9, 63) and gppOptOuts counts it as opted out', () => {
    for (const [id, version] of [[8, 2], [7, 3], [8, 9], [13, 63], [24, 2]] as const) {
      // Every value 2 ("no"): read with the version 1 layout the string would say "not opted out".
      const encoded = core(version, Array(30).fill(2));
      const gpp = decodeGpp(`${header(3, 1, [id])}~${encoded}`);
      expect(gpp.sections[0]).toMatchObject({ kind: 'other', id, encoded });
      expect(gppOptOuts(gpp)).toEqual({ saleOptOut: true, sharingOptOut: true, targetedAdvertisingOptOut: true, gpc: false, unread: [id] });
    }
    // The known versions still decode.
    expect(decodeGpp(`${header(3, 1, [8])}~${core(1, Array(18).fill(2))}`).sections[0]).toMatchObject({ kind: 'us', name: 'usca', version: 1 });
    expect(decodeGpp(`${header(3, 1, [7])}~${core(2, Array(33).fill(2))}`).sections[0]).toMatchObject({ kind: 'us', name: 'usnat', version: 2 });
    expect(() => encodeGpp([{ kind: 'us', id: 7, version: 3, fields: {}, gpc: null }])).toThrow(expect.objectContaining({ code: 'INPUT_INVALID', path: 'sections[0].version' }));
  });

  it('does not misread a Maryland string with the section header of the MD specification (public comment) as saleOptOut 0', () => {
    // SectionID 24, Version 1, SubSections (one id: 0, the core), then the core: MspaVersion 1 and the fields,
    // SaleOptOut = 1 (opted out). Read in the @iabgpp/cmpapi layout it gave version 24 and saleOptOut 0.
    const w = new BitWriter();
    w.int(24, 6);
    w.int(1, 6);
    w.int(1, 12);
    w.bit(false);
    w.fibonacci(1);
    w.int(1, 6);
    for (const v of [1, 0, 1, 1, 1, 1, 1, 2]) w.int(v, 2);
    const gpp = decodeGpp(`${header(3, 1, [24])}~${w.toBase64Url(0)}`);
    expect(gpp.sections[0]).toMatchObject({ kind: 'other', id: 24, name: 'usmd' });
    expect(gppOptOuts(gpp)).toMatchObject({ saleOptOut: true, unread: [24] });
    // The layout @iabgpp/cmpapi 3.2 writes (MspaVersion first, no section header) still decodes.
    const peer = new GppModel();
    peer.setFieldValue('usmd', 'SaleOptOut', 1);
    expect(decodeGpp(peer.encode()).sections[0]).toMatchObject({ kind: 'us', name: 'usmd', version: 1, fields: { saleOptOut: 1 } });
  });

  it('refuses section id 3 (the GPP header itself); keeps 4 (signal integrity) and unregistered ids encoded', () => {
    const r = safeDecodeGpp(`${header(3, 1, [3])}~BAAAAA`);
    expect(!r.ok && [r.error.code, r.error.path]).toEqual(['CONSENT_GPP_MALFORMED', 'header.sectionIds']);
    expect(() => encodeGpp([{ kind: 'other', id: 3, encoded: 'BAAAAA' }])).toThrow(expect.objectContaining({ path: 'sections[0].id' }));
    const gpp = decodeGpp(`${header(3, 1, [4, 5, 28, 40])}~BAAAAA~BAAAAA~BAAAAA~BAAAAA`);
    expect(gpp.sections.map((x) => [x.kind, x.name])).toEqual([['other', null], ['other', 'tcfcav1'], ['other', null], ['other', null]]);
    // Signal integrity and the Canadian TCF carry no US opt-out; an unregistered section may: unread, opted out.
    expect(gppOptOuts(gpp)).toMatchObject({ saleOptOut: true, unread: [28, 40] });
    expect(gppOptOuts(decodeGpp(`${header(3, 1, [4, 5, 6])}~BAAAAA~BAAAAA~1YNN`))).toEqual({ saleOptOut: false, sharingOptOut: false, targetedAdvertisingOptOut: false, gpc: false, unread: [] });
  });
});

describe('readGpc', () => {
  it('reads Sec-GPC: 1 from plain objects, Fetch Headers and arrays, and the navigator flag', () => {
    expect(readGpc({ headers: { 'Sec-GPC': '1' } })).toEqual({ optOut: true, source: 'header' });
    expect(readGpc({ headers: new Headers({ 'sec-gpc': ' 1 ' }) })).toEqual({ optOut: true, source: 'header' });
    expect(readGpc({ headers: { 'sec-gpc': ['1'] } })).toEqual({ optOut: true, source: 'header' });
    expect(readGpc({ globalPrivacyControl: true })).toEqual({ optOut: true, source: 'navigator' });
  });
  it('treats anything else as no signal', () => {
    expect(readGpc({ headers: { 'sec-gpc': '0' } }).optOut).toBe(false);
    expect(readGpc({ headers: { 'sec-gpc': 'true' } }).optOut).toBe(false);
    expect(readGpc({ globalPrivacyControl: 'true' }).optOut).toBe(false);
    expect(readGpc({})).toEqual({ optOut: false, source: null });
  });
});

describe('encodeGpp and gppOptOuts with plain JavaScript input', () => {
  const bad = (path: string) => expect.objectContaining({ code: 'INPUT_INVALID', path });
  const uspv1 = { kind: 'uspv1', notice: 'Y', optOutSale: 'Y', lspaCovered: 'N' } as const;

  it('encodeGpp names a bad section field under `sections` (paths were `[1].encoded`, or a TypeError, or a string it could not decode)', () => {
    expect(encodeGpp([uspv1, { kind: 'other', id: 5, encoded: 'BAAAAAAA' }])).toMatch(/~BAAAAAAA~1YYN$/);
    expect(() => encodeGpp([uspv1, { kind: 'other', id: 5, encoded: { toString: () => 'x' } } as never])).toThrow(bad('sections[1].encoded'));
    expect(() => encodeGpp([uspv1, { kind: 'other', id: 5, encoded: '}$@' }])).toThrow(bad('sections[1].encoded'));
    expect(() => encodeGpp([{ kind: 'us', id: 7, version: 1, gpc: null } as never])).toThrow(bad('sections[0].fields'));
    expect(() => encodeGpp([{ ...uspv1, optOutSale: 'yes' } as never])).toThrow(bad('sections[0].optOutSale'));
    expect(() => encodeGpp([{ kind: 'tcfeuv2', tcString: { cmpId: 1 } } as never])).toThrow(expect.objectContaining({ path: expect.stringMatching(/^sections\[0\]\.tcString\./) }));
    expect(() => encodeGpp([{ ...uspv1, kind: 'usp' } as never])).toThrow(bad('sections[0].kind'));
    expect(() => encodeGpp([{ kind: 'other', id: 1e308, encoded: 'BA' }])).toThrow(bad('sections[0].id'));
    expect(() => encodeGpp([{ kind: 'other', id: { valueOf: () => { throw new Error('boom'); } }, encoded: 'BA' } as never, uspv1])).toThrow(bad('sections[0].id'));
  });

  it('gppOptOuts refuses sections or applicable sections of the wrong shape (was a TypeError)', () => {
    const gpp = decodeGpp(encodeGpp([uspv1]));
    expect(gppOptOuts(gpp).saleOptOut).toBe(true);
    expect(() => gppOptOuts({ ...gpp, applicableSections: undefined } as never)).toThrow(bad('gpp.applicableSections'));
    expect(() => gppOptOuts({ ...gpp, sections: [null] } as never)).toThrow(bad('gpp.sections[0]'));
  });
});
