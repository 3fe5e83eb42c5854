import { describe, expect, it } from 'vitest';
import { MemoryConsentStore, MemoryContactHistoryStore, MemoryEventStore, MemoryIdentityStore } from '../adapters/memory/index.js';
import { decide } from './pipeline.js';
import { parseDecideConfig } from './config.js';
import type { DecideStores } from './stores.js';

// The trace items of exclusions that depend on the offer alone (wrong channel, expired…) are made once per catalogue
// and shared by every decision's trace (issue 21): frozen, so no caller can change another decision's trace through one.
describe('decide: the arbitration stage trace items of static exclusions', () => {
  const now = Date.parse('2026-03-10T10:00:00Z');
  const config = parseDecideConfig({
    catalogue: {
      offers: [
        { id: 'web-only', channels: ['web'], value: 30 },
        { id: 'ended', value: 20, validUntil: '2026-01-01T00:00:00Z' },
        { id: 'plain', value: 1 },
      ],
    },
    caps: { rules: [] },
    identity: { observe: true },
  });
  const stores: DecideStores = {
    identity: new MemoryIdentityStore({ erasureSalt: 's' }),
    consent: new MemoryConsentStore({ erasureSalt: 's' }),
    contacts: new MemoryContactHistoryStore(),
    events: new MemoryEventStore(),
  };
  const removedOf = async (requestId: string, cookie: string) => {
    const d = await decide({ requestId, identifiers: [{ type: 'cookie_id', value: cookie }], channel: 'app', now }, stores, config);
    return d.trace.stages.find((s) => s.stage === 'arbitration')!.removed;
  };

  it('carry the stage in their detail, as before, and are frozen: mutating one trace fails and leaves the next intact', async () => {
    const a = await removedOf('r1', 'ck-1');
    const expected = [
      { kind: 'offer', id: 'web-only', reasons: [{ code: 'OFFER_WRONG_CHANNEL', message: 'Not presented on this channel', detail: { channels: ['web'], stage: 'applicability' } }] },
      { kind: 'offer', id: 'ended', reasons: [{ code: 'OFFER_EXPIRED', message: 'Expired', detail: { validUntil: Date.parse('2026-01-01T00:00:00Z'), stage: 'applicability' } }] },
    ];
    expect(a).toEqual(expected);
    const item = a[0]! as unknown as { id: string; reasons: Array<{ detail: Record<string, unknown> }> };
    expect(() => {
      item.id = 'x';
    }).toThrow(TypeError);
    expect(() => item.reasons.push({ detail: {} })).toThrow(TypeError);
    expect(() => {
      item.reasons[0]!.detail.stage = 'x';
    }).toThrow(TypeError);
    expect(() => (item.reasons[0]!.detail.channels as string[]).push('x')).toThrow(TypeError);
    expect(await removedOf('r2', 'ck-2')).toEqual(expected);
  });
});
