import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { GppModel } from '@iabgpp/cmpapi';
import { decodeGpp, encodeGpp, gppOptOuts, type GppSection, type GppSectionInput } from '../index.js';
import { BitWriter } from '../tcf/bits.js';
import { US_SECTIONS } from './sections.js';
import { gppSectionsArb, plain } from '../../../test/arbitraries/consent.js';

const pascal = (s: string): string => s[0]!.toUpperCase() + s.slice(1);
const toInput = (s: GppSection): GppSectionInput => (s.kind === 'tcfeuv2' ? { kind: 'tcfeuv2', tcString: s.tcString } : s);
const booleansToIds = (b: boolean[]): number[] => b.flatMap((x, i) => (x ? [i + 1] : []));

/** What @iabgpp/cmpapi should report for one of our decoded sections. */
function expectPeerAgrees(peer: GppModel, s: GppSection): void {
  if (s.kind === 'uspv1') {
    expect(peer.getSection('uspv1')).toMatchObject({ Version: 1, Notice: s.notice, OptOutSale: s.optOutSale, LspaCovered: s.lspaCovered });
  } else if (s.kind === 'us') {
    const obj = peer.getSection(s.name) as Record<string, unknown>;
    const expected: Record<string, unknown> = { [s.name === 'usmd' ? 'MspaVersion' : 'Version']: s.version };
    for (const [k, v] of Object.entries(s.fields)) expected[pascal(k)] = v;
    if (US_SECTIONS.get(s.id)!.gpc) expected.Gpc = s.gpc ?? false;
    expect(obj).toMatchObject(expected);
  } else if (s.kind === 'tcfeuv2') {
    const obj = peer.getSection('tcfeuv2') as Record<string, unknown>;
    expect(obj.CmpId).toBe(s.tcString.cmpId);
    expect(booleansToIds(obj.PurposeConsents as boolean[])).toEqual(s.tcString.purposeConsents.toArray());
    expect(obj.VendorConsents).toEqual(s.tcString.vendorConsents.toArray());
    expect(obj.VendorLegitimateInterests).toEqual(s.tcString.vendorLegitimateInterests.toArray());
    expect((obj.Created as Date).getTime()).toBe(s.tcString.created);
  }
}

describe('GPP properties', () => {
  it('a US section in a version without a known layout is kept encoded, and gppOptOuts reports it opted out', () => {
    const layouts = [...US_SECTIONS.values()];
    fc.assert(
      fc.property(fc.constantFrom(...layouts), fc.integer({ min: 2, max: 63 }), fc.array(fc.integer({ min: 0, max: 3 }), { minLength: 1, maxLength: 60 }), (layout, version, values) => {
        fc.pre(version > layout.versions);
        const w = new BitWriter();
        w.int(version, 6);
        for (const v of values) w.int(v, 2);
        const text = encodeGpp([{ kind: 'other', id: layout.id, encoded: w.toBase64Url(0) }]);
        const gpp = decodeGpp(text);
        expect(gpp.sections[0]!.kind).toBe('other');
        expect(gppOptOuts(gpp)).toMatchObject({ saleOptOut: true, sharingOptOut: true, targetedAdvertisingOptOut: true, unread: [layout.id] });
      }),
      { numRuns: 300 },
    );
  });


  it('gppOptOuts is the union of its applicable sections, one at a time; sharing and targeted advertising are one answer', () => {
    fc.assert(
      fc.property(gppSectionsArb, (sections) => {
        const gpp = decodeGpp(encodeGpp(sections));
        const whole = gppOptOuts(gpp);
        const one = gpp.sectionIds.map((id) => gppOptOuts({ ...gpp, applicableSections: [id] }));
        expect(whole.sharingOptOut).toBe(whole.targetedAdvertisingOptOut);
        for (const k of ['saleOptOut', 'sharingOptOut', 'targetedAdvertisingOptOut', 'gpc'] as const) expect(whole[k], k).toBe(one.some((o) => o[k]));
        // A GPC flag refuses all three wherever it is set.
        if (whole.gpc) expect(whole).toMatchObject({ saleOptOut: true, sharingOptOut: true, targetedAdvertisingOptOut: true });
      }),
      { numRuns: 200 },
    );
  });

  it('decode(encode(sections)) gives the sections back, ascending by id', () => {
    fc.assert(
      fc.property(gppSectionsArb, (sections) => {
        const text = encodeGpp(sections);
        const d = decodeGpp(text);
        expect([...d.sectionIds]).toEqual([...d.sectionIds].sort((a, b) => a - b));
        expect(d.applicableSections).toEqual(d.sectionIds);
        expect(encodeGpp(d.sections.map(toInput))).toBe(text);
        expect(plain(decodeGpp(encodeGpp(d.sections.map(toInput))))).toEqual(plain(d));
      }),
      { numRuns: 500 },
    );
  });

  it('strings crosschannel encodes decode to the same fields with @iabgpp/cmpapi', () => {
    fc.assert(
      fc.property(gppSectionsArb, (sections) => {
        const text = encodeGpp(sections);
        const ours = decodeGpp(text);
        const peer = new GppModel(text);
        expect(peer.getSectionIds()).toEqual(ours.sectionIds);
        for (const s of ours.sections) expectPeerAgrees(peer, s);
      }),
      { numRuns: 500 },
    );
  });

  it('strings @iabgpp/cmpapi encodes decode to the same fields with crosschannel', () => {
    const usOnly = gppSectionsArb.map((ss) => ss.filter((s) => s.kind !== 'tcfeuv2'));
    fc.assert(
      fc.property(usOnly, (sections) => {
        fc.pre(sections.length > 0);
        const peer = new GppModel();
        for (const s of sections) {
          if (s.kind === 'uspv1') {
            peer.setFieldValue('uspv1', 'Notice', s.notice);
            peer.setFieldValue('uspv1', 'OptOutSale', s.optOutSale);
            peer.setFieldValue('uspv1', 'LspaCovered', s.lspaCovered);
          } else if (s.kind === 'us') {
            const layout = US_SECTIONS.get(s.id)!;
            // @iabgpp writes the section's current version; older usnat versions are covered by the other direction.
            if (s.id === 7 && s.version === 1) continue;
            // The peer validates MspaCoveredTransaction to 1 (yes) or 2 (no) when setting it.
            for (const [k, v] of Object.entries(s.fields)) peer.setFieldValue(layout.name, pascal(k), k === 'mspaCoveredTransaction' && v === 0 ? 1 : v);
            if (layout.gpc) peer.setFieldValue(layout.name, 'Gpc', s.gpc === true);
          }
        }
        const text = peer.encode();
        if (text === '' || peer.getSectionIds().length === 0) return;
        const ours = decodeGpp(text);
        expect([...ours.sectionIds]).toEqual(peer.getSectionIds());
        for (const s of ours.sections) expectPeerAgrees(peer, s);
      }),
      { numRuns: 400 },
    );
  });
});
