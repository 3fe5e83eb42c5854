/**
 * Regression tests for the second audit of `decide` (2026-12-07, oracles from the guide): one `describe` per
 * finding, each failing without its fix.
 */
import { describe, expect, it } from 'vitest';
import { DAY, HOUR } from '../../src/core/time.js';
import { decide, decideScheduled, parseDecideConfig, recordConversion, recordResponse, safeDecide, type DecideBestMoment } from '../../src/decide/index.js';
import { memoryStores } from './memory-stores.js';

const NOW = Date.parse('2026-03-04T10:00:00Z');
const ANN = [{ type: 'email', value: 'ann@example.com' }];

describe('an owned channel is not stopped by a lapsed opt-in', () => {
  const config = (policy: object) =>
    parseDecideConfig({ catalogue: { offers: [{ id: 'A', channels: ['web'], value: 1 }] }, caps: { rules: [] }, consent: { ledgerChannels: ['email'], policy } }, { clock: () => 0 });

  it.each([
    ['a grant past its expiry', { expiry: { marketing: { days: 20 } } }, 'granted'],
    ['a double opt-in never confirmed in its window', { doubleOptIn: { channels: ['web'], window: { days: 3 } } }, 'granted'],
    ['no record at all (as before)', {}, null],
  ] as const)('%s: the web visitor gets the offer, with the DECIDE_OWNED_CHANNEL note', async (_name, policy, kind) => {
    const stores = memoryStores();
    const subjectId = (await stores.identity.addObservations([{ identifiers: ANN, at: NOW - 60 * DAY }])).profiles[0]!;
    if (kind) await stores.consent.append({ id: 'g', subjectId, channel: 'web', purpose: 'marketing', kind, at: NOW - 30 * DAY, evidence: { source: 'form' } });
    const r = await decide({ requestId: 'w1', identifiers: ANN, channel: 'web', now: NOW }, stores, config(policy));
    expect(r.contact).toBe(true);
    expect(r.trace.stages.find((s) => s.stage === 'consent')!.notes.map((n) => n.code)).toContain('DECIDE_OWNED_CHANNEL');
  });

  it('an explicit withdrawal still stops it', async () => {
    const stores = memoryStores();
    const subjectId = (await stores.identity.addObservations([{ identifiers: ANN, at: NOW - 60 * DAY }])).profiles[0]!;
    await stores.consent.append({ id: 'w', subjectId, channel: 'web', purpose: 'marketing', kind: 'withdrawn', at: NOW - 30 * DAY, evidence: { source: 'form' } });
    const r = await decide({ requestId: 'w1', identifiers: ANN, channel: 'web', now: NOW }, stores, config({ expiry: { marketing: { days: 20 } } }));
    expect(r.reasons.map((x) => x.code)).toEqual(['DECIDE_CONSENT_DENIED', 'CONSENT_WITHDRAWN']);
  });
});

describe("decideScheduled refuses a best-moment hook's answer of the wrong shape before anything is written", () => {
  const config = parseDecideConfig({ catalogue: { offers: [{ id: 'A', channels: ['web'], value: 1 }] }, caps: { rules: [] } }, { clock: () => 0 });
  const answers: Array<[string, unknown]> = [
    ['reasons not a list', { at: NOW + HOUR, reasons: 5 }],
    ['a moment before now', { at: NOW - DAY, reasons: [] }],
    ['a moment past the horizon', { at: NOW + 2 * DAY, reasons: [] }],
    ['no moment', { reasons: [] }],
    ['a number', 5],
  ];
  it.each(answers)('%s: INPUT_INVALID at bestMoment, no contact reserved', async (_name, answer) => {
    const stores = memoryStores();
    const hook = (() => answer) as unknown as DecideBestMoment;
    const run = decideScheduled({ requestId: 's1', identifiers: [{ type: 'cookie_id', value: 'ck-1' }], channel: 'web', now: NOW }, stores, config, hook, { subjectId: 'p', horizonMs: DAY });
    await expect(run).rejects.toMatchObject({ code: 'INPUT_INVALID', path: 'bestMoment' });
    const subjectId = await stores.identity.resolve([{ type: 'cookie_id', value: 'ck-1' }]);
    expect(subjectId === null ? [] : (await stores.contacts.history(subjectId)).contacts).toEqual([]);
  });

  it('a moment inside the horizon is decided as of then', async () => {
    const stores = memoryStores();
    const hook: DecideBestMoment = (_id, ctx) => ({ at: ctx.from + HOUR, reasons: [] });
    const s = await decideScheduled({ requestId: 's1', identifiers: [{ type: 'cookie_id', value: 'ck-1' }], channel: 'web', now: NOW }, stores, config, hook, { subjectId: 'p', horizonMs: DAY });
    expect(s.scheduledAt).toBe(NOW + HOUR);
    expect(s.decision?.contact).toBe(true);
  });
});

describe('a request that cannot be read is INPUT_INVALID from every entry point', () => {
  const config = parseDecideConfig({ catalogue: { offers: [{ id: 'A', channels: ['web'], value: 1 }] }, caps: { rules: [] } }, { clock: () => 0 });
  const hostile = (base: Record<string, unknown>) => Object.defineProperty({ ...base }, 'channel', { get: () => { throw new Error('getter'); }, enumerable: true });
  const trap = new Proxy({}, { get: () => { throw new Error('trap'); }, ownKeys: () => { throw new Error('trap'); } });
  const common = { identifiers: ANN, now: NOW };
  const calls: Array<[string, (stores: ReturnType<typeof memoryStores>, input: unknown) => Promise<unknown>]> = [
    ['recordResponse', (stores, input) => recordResponse(input, stores, config)],
    ['recordConversion', (stores, input) => recordConversion(input, stores, config)],
    ['decideScheduled', (stores, input) => decideScheduled(input, stores, config, () => null, { subjectId: 'p', horizonMs: DAY })],
    ['decide', (stores, input) => decide(input, stores, config)],
  ];
  it.each(calls)('%s: a getter that throws, a proxy whose traps throw', async (_name, call) => {
    for (const input of [hostile({ ...common, responseId: 'r', conversionId: 'c', kind: 'accepted', value: 1, requestId: 'q' }), trap]) {
      const stores = memoryStores();
      await expect(call(stores, input)).rejects.toMatchObject({ name: 'CrossChannelError', code: 'INPUT_INVALID' });
      expect(await stores.identity.resolve(ANN)).toBeNull();
    }
  });
  it('safeDecide still answers ok: false', async () => {
    const r = await safeDecide(trap, memoryStores(), config);
    expect(r.ok ? null : r.error.code).toBe('INPUT_INVALID');
  });
});
