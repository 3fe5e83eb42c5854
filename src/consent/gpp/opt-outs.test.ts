/**
 * gppOptOuts read against the GPP US section specifications (IAB GPP repository, Sections/US-National and
 * Sections/US-States): what each field value lets a party downstream of the CMP do. Strings are written by
 * @iabgpp/cmpapi, the peer encoder. The full table (every section × purpose × field value, 252,492 cases) is checked
 * by the audit's Python oracle; these are its rules, one example each (audit, 2026-12-08).
 */
import { describe, expect, it } from 'vitest';
import { GppModel } from '@iabgpp/cmpapi';
import { decodeGpp, encodeGpp, gppOptOuts } from '../index.js';

/** A section with every notice given (1) and no opt-out (2), MSPA not covered, then `over`. */
function section(name: string, over: Record<string, unknown> = {}, gpc: boolean | null = null): ReturnType<typeof gppOptOuts> {
  const m = new GppModel();
  m.setFieldValue(name, 'SaleOptOut', 2);
  for (const f of ['SharingNotice', 'ProcessingNotice', 'SaleOptOutNotice', 'SharingOptOutNotice', 'TargetedAdvertisingOptOutNotice']) {
    try { m.setFieldValue(name, f, 1); } catch { /* not a field of this section */ }
  }
  for (const f of ['SharingOptOut', 'TargetedAdvertisingOptOut']) {
    try { m.setFieldValue(name, f, 2); } catch { /* not a field of this section */ }
  }
  for (const [k, v] of Object.entries({ MspaCoveredTransaction: 2, ...over })) m.setFieldValue(name, k, v);
  if (gpc !== null) {
    m.setFieldValue(name, 'GpcSegmentIncluded', true);
    m.setFieldValue(name, 'Gpc', gpc);
  }
  return gppOptOuts(decodeGpp(m.encode()));
}
const none = { saleOptOut: false, sharingOptOut: false, targetedAdvertisingOptOut: false };
const all = { saleOptOut: true, sharingOptOut: true, targetedAdvertisingOptOut: true };
const ads = { saleOptOut: false, sharingOptOut: true, targetedAdvertisingOptOut: true };
const sale = { saleOptOut: true, sharingOptOut: false, targetedAdvertisingOptOut: false };

describe('gppOptOuts against the GPP US sections', () => {
  it('lets everything through when every notice was given and nothing opted out', () => {
    for (const name of ['usnat', 'usca', 'usva', 'usco', 'usut', 'usct', 'usfl', 'usmt', 'usor', 'ustx', 'usde', 'usia', 'usne', 'usnh', 'usnj', 'ustn', 'usmn', 'usmd']) {
      expect(section(name), name).toMatchObject({ ...none, gpc: false, unread: [] });
    }
  });

  it("reads CPRA sharing and the states' targeted advertising as one signal (usca has no targeted-advertising field)", () => {
    // usca's SharingOptOut is CPRA's opt-out of cross-context behavioural advertising: targeted advertising said "not opted out".
    expect(section('usca', { SharingOptOut: 1 })).toMatchObject(ads);
    // A state's TargetedAdvertisingOptOut answers a query for sharing too (it said "not opted out").
    for (const name of ['usva', 'usco', 'usut', 'usct', 'usor', 'ustx']) expect(section(name, { TargetedAdvertisingOptOut: 1 }), name).toMatchObject(ads);
    expect(section('usnat', { SharingOptOut: 1 })).toMatchObject(ads);
    expect(section('usnat', { TargetedAdvertisingOptOut: 1 })).toMatchObject(ads);
    expect(section('usca', { SaleOptOut: 1 })).toMatchObject(sale);
  });

  it('refuses what the person had no notice of, and a "did not opt out" where there was nothing to opt out of', () => {
    // Cal. Civ. Code 1798.115(d): a third party shall not sell unless the consumer received explicit notice.
    expect(section('usca', { SaleOptOutNotice: 2, SaleOptOut: 0 })).toMatchObject(sale);
    expect(section('usco', { TargetedAdvertisingOptOutNotice: 2, TargetedAdvertisingOptOut: 0 })).toMatchObject(ads);
    // Notice not applicable (the business does not sell) yet "did not opt out": inconsistent, refused.
    expect(section('usva', { SaleOptOutNotice: 0, SaleOptOut: 2 })).toMatchObject(sale);
    // Not applicable on both: nothing to refuse.
    expect(section('usva', { SaleOptOutNotice: 0, SaleOptOut: 0 })).toMatchObject(none);
    // No notice of the processing or sharing at all refuses all three.
    expect(section('usva', { SharingNotice: 2 })).toMatchObject(all);
    expect(section('ustx', { ProcessingNotice: 2 })).toMatchObject(all);
    // uspv1 "1NNN": no explicit notice, so no sale.
    expect(gppOptOuts(decodeGpp(encodeGpp([{ kind: 'uspv1', notice: 'N', optOutSale: 'N', lspaCovered: 'N' }])))).toMatchObject(sale);
    expect(gppOptOuts(decodeGpp(encodeGpp([{ kind: 'uspv1', notice: 'Y', optOutSale: 'N', lspaCovered: 'Y' }])))).toMatchObject(none);
  });

  it('refuses all three under MSPA Service Provider Mode; Opt-Out Option Mode reads the opt-outs', () => {
    expect(section('usnat', { MspaCoveredTransaction: 1, MspaServiceProviderMode: 1, MspaOptOutOptionMode: 2 })).toMatchObject(all);
    expect(section('usca', { MspaCoveredTransaction: 1, MspaServiceProviderMode: 1 })).toMatchObject(all);
    expect(section('usmd', { MspaCoveredTransaction: 1, MspaMode: 2 })).toMatchObject(all);
    expect(section('usnat', { MspaCoveredTransaction: 1, MspaServiceProviderMode: 2, MspaOptOutOptionMode: 1 })).toMatchObject(none);
    expect(section('usmd', { MspaCoveredTransaction: 1, MspaMode: 1, SaleOptOut: 1 })).toMatchObject(sale);
  });

  it('makes a GPC flag an opt-out of sale, sharing and targeted advertising (CA, CO, CT and later laws)', () => {
    for (const name of ['usnat', 'usca', 'usco', 'usct', 'usde', 'usmd']) {
      expect(section(name, {}, true), name).toMatchObject({ ...all, gpc: true });
      expect(section(name, {}, false), name).toMatchObject({ ...none, gpc: false });
    }
  });

  it("reads each known-child entry for what it covers (1 = no consent)", () => {
    // usca: (1) sale of under-16s, (2) sharing of under-16s.
    expect(section('usca', { KnownChildSensitiveDataConsents: [1, 0] })).toMatchObject(sale);
    expect(section('usca', { KnownChildSensitiveDataConsents: [2, 1] })).toMatchObject(ads);
    // CT, MT, OR, NH: (1) a known child's data, (2) sale of 13–15s, (3) targeted advertising to 13–15s; DE, NJ add 16–17.
    expect(section('usct', { KnownChildSensitiveDataConsents: [0, 1, 2] })).toMatchObject(sale);
    expect(section('usct', { KnownChildSensitiveDataConsents: [0, 2, 1] })).toMatchObject(ads);
    expect(section('usor', { KnownChildSensitiveDataConsents: [1, 2, 2] })).toMatchObject(all);
    expect(section('usde', { KnownChildSensitiveDataConsents: [0, 0, 0, 1, 0] })).toMatchObject(sale);
    expect(section('usnj', { KnownChildSensitiveDataConsents: [0, 0, 0, 0, 1] })).toMatchObject(ads);
    // One entry (a known child's data) and usnat's age bands refuse everything; consent (2) refuses nothing.
    expect(section('usva', { KnownChildSensitiveDataConsents: 1 })).toMatchObject(all);
    expect(section('usnat', { KnownChildSensitiveDataConsents: [0, 0, 1] })).toMatchObject(all);
    expect(section('usnat', { KnownChildSensitiveDataConsents: [2, 2, 2] })).toMatchObject(none);
  });
});
