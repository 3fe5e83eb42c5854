/**
 * Regression tests for the audit of `decide` (2026-12-07): one `describe` per finding, each failing without its fix.
 */
import { describe, expect, it } from 'vitest';
import { DAY } from '../../src/core/time.js';
import { contactIdFor, decide, parseDecideConfig, recordResponse, safeDecide, type DecideConfigInput, type DecideResult, type DecideStores } from '../../src/decide/index.js';
import { memoryStores } from './memory-stores.js';

const NOW = Date.parse('2026-03-04T10:00:00Z');
const ANN = [{ type: 'email', value: 'ann@example.com' }];
const codes = (r: DecideResult): string[] => r.reasons.map((x) => x.code);

async function world(email = 'ann@example.com', channels: string[] = ['email']) {
  const stores = memoryStores();
  const report = await stores.identity.addObservations([{ identifiers: [{ type: 'email', value: email }], at: NOW - 200 * DAY }]);
  const subjectId = report.profiles[0]!;
  for (const channel of channels) {
    await stores.consent.append({ id: `${subjectId}-${channel}`, subjectId, channel, purpose: 'marketing', kind: 'granted', at: NOW - 200 * DAY, evidence: { source: 'test' } });
  }
  return { stores, subjectId };
}

const config = (input: Partial<DecideConfigInput> & Pick<DecideConfigInput, 'catalogue'>) =>
  parseDecideConfig({ caps: { rules: [] }, consent: { ledgerChannels: ['email', 'sms'] }, ...input }, { clock: () => 0 });
const ask = (requestId: string, extra: Record<string, unknown> = {}) => ({ requestId, identifiers: ANN, channel: 'email', now: NOW, ...extra });

describe('finding 1: a reservation the store refuses falls back to the next ranked offer under its own key', () => {
  const cfg = config({
    catalogue: { offers: [{ id: 'A', channels: ['email'], value: 10 }, { id: 'B', channels: ['email'], value: 5 }] },
    caps: { rules: [{ id: 'A-once', kind: 'limit', limit: 1, window: 'day', scope: { offers: 'A' } }] },
  });

  it('two concurrent decisions: the loser of A gets B, reserved as attempt 2 of slot 1, and the trace names A-once', async () => {
    const { stores, subjectId } = await world();
    const [r1, r2] = await Promise.all([decide(ask('r1'), stores, cfg), decide(ask('r2'), stores, cfg)]);
    expect(r1.offers.map((o) => [o.offerId, o.contactId])).toEqual([['A', 'r1#1']]);
    expect(r2.contact).toBe(true);
    expect(r2.offers.map((o) => [o.offerId, o.rank, o.contactId])).toEqual([['B', 1, contactIdFor('r2', 1, 2)]]);
    const refused = r2.trace.stages.find((s) => s.stage === 'reserve')!.removed;
    expect(refused.map((x) => [x.id, x.reasons.map((y) => y.rule ?? y.code)])).toEqual([['A', ['DECIDE_RESERVATION_REFUSED', 'A-once']]]);
    expect((await stores.contacts.history(subjectId)).contacts.map((c) => `${c.id}:${c.offerId}`)).toEqual(['r1#1:A', 'r2#1.2:B']);
    // A retry of the whole request replays what it reserved, and reserves nothing more.
    const again = await decide(ask('r2'), stores, cfg);
    expect(codes(again)).toEqual(['DECIDE_REPLAYED']);
    expect(again.offers.map((o) => [o.offerId, o.rank, o.contactId])).toEqual([['B', 1, 'r2#1.2']]);
    expect((await stores.contacts.history(subjectId)).contacts).toHaveLength(2);
  });

  it('contactIdFor: the first attempt keeps the documented id, later ones are suffixed', () => {
    expect(contactIdFor('q', 2)).toBe('q#2');
    expect(contactIdFor('q', 2, 3)).toBe('q#2.3');
  });
});

describe('findings 2 and 3: the history loaded reaches every window a stage reads', () => {
  it('a forever cooldown loads the whole history: the capping stage sees the old complaint (not a false concurrency refusal)', async () => {
    const { stores, subjectId } = await world();
    await stores.contacts.recordResponse({ id: 'c1', subjectId, channel: 'email', kind: 'complained', at: NOW - 120 * DAY, tags: ['marketing'] });
    const cfg = config({
      catalogue: { offers: [{ id: 'A', channels: ['email'], value: 10 }] },
      caps: { rules: [{ id: 'never-after-complaint', kind: 'cooldown', after: ['complained'], duration: 'forever', scope: { tags: 'marketing' } }] },
    });
    expect(cfg.lookbackMs).toBe(Number.POSITIVE_INFINITY);
    const r = await decide(ask('q1'), stores, cfg);
    expect(codes(r)).toEqual(['DECIDE_ALL_CAPPED', 'CAP_COOLDOWN']);
    expect(r.trace.stages.find((s) => s.stage === 'capping')!.output).toEqual({ offers: 0 });
  });

  it('a segment window of 180 days loads 180 days of events', async () => {
    const { stores, subjectId } = await world();
    await stores.events.append([{ id: 'e1', subjectId, type: 'purchase', at: NOW - 120 * DAY, properties: {} }]);
    const cfg = config({
      catalogue: { offers: [{ id: 'loyal', channels: ['email'], value: 10, eligibility: 'buyers-6m' }] },
      segments: [{ id: 'buyers-6m', rule: { count: { type: 'purchase' }, window: { last: '180d' }, op: 'gte', value: 1 } }],
    });
    expect(cfg.lookbackMs).toBe(180 * DAY);
    const r = await decide(ask('q2'), stores, cfg);
    expect(r.offers.map((o) => o.offerId)).toEqual(['loyal']);
  });

  it("an offer's refusal policy (200 days + 200 days) loads the refusal 100 days back", async () => {
    const { stores, subjectId } = await world();
    await stores.contacts.recordResponse({ id: 'ref1', subjectId, channel: 'email', offerId: 'loan', kind: 'refused', at: NOW - 100 * DAY, tags: [] });
    const cfg = config({ catalogue: { offers: [{ id: 'loan', channels: ['email'], value: 10, policy: { afterRefusals: { count: 1, window: '200d', suppressFor: '200d' } } }] } });
    expect(cfg.lookbackMs).toBe(400 * DAY);
    const r = await decide(ask('q3'), stores, cfg);
    expect(r.contact).toBe(false);
    expect(r.trace.stages.find((s) => s.stage === 'arbitration')!.removed.map((x) => x.reasons[0]!.code)).toEqual(['OFFER_SUPPRESSED_REFUSALS']);
  });

  it('an event condition without window, or a calendar window, sets the lookback as far as it reaches', () => {
    const unbounded = config({ catalogue: { offers: [{ id: 'x', eligibility: 'ever' }] }, segments: [{ id: 'ever', rule: { count: { type: 'purchase' }, op: 'gte', value: 1 } }] });
    expect(unbounded.lookbackMs).toBe(Number.POSITIVE_INFINITY);
    const months = config({
      catalogue: { offers: [{ id: 'x', eligibility: 'last-months' }] },
      segments: [{ id: 'last-months', rule: { not: { count: { type: 'purchase' }, window: { calendar: 'month', offset: -5 }, op: 'gte', value: 1 } } }],
      lookback: '1d',
    });
    expect(months.lookbackMs).toBe(6 * 31 * DAY + 2 * DAY);
    // Segments no offer refers to do not widen it.
    const unused = config({ catalogue: { offers: [{ id: 'x' }] }, segments: [{ id: 'ever', rule: { count: { type: 'purchase' }, op: 'gte', value: 1 } }] });
    expect(unused.lookbackMs).toBe(90 * DAY);
  });
});

describe('finding 4: a requestId reused on another channel', () => {
  it('is refused with INPUT_INVALID at requestId, naming the recorded contact, and nothing is reported as reserved', async () => {
    const { stores, subjectId } = await world();
    const cfg = config({ catalogue: { offers: [{ id: 'mail-only', channels: ['email'], value: 10 }, { id: 'web-only', channels: ['web'], value: 5 }] } });
    expect((await decide(ask('same-key'), stores, cfg)).offers.map((o) => o.contactId)).toEqual(['same-key#1']);
    const r = await safeDecide(ask('same-key', { channel: 'web' }), stores, cfg);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.error.code).toBe('INPUT_INVALID');
    expect(r.error.path).toBe('requestId');
    expect(r.error.message).toContain('same-key#1');
    expect((await stores.contacts.history(subjectId)).contacts.map((c) => c.channel)).toEqual(['email']);
  });

  it('also when the earlier contact is older than the loaded history (the store replays the key)', async () => {
    const { stores, subjectId } = await world();
    await stores.contacts.recordContact({ id: 'old#1', subjectId, channel: 'email', offerId: 'mail-only', tags: [], at: NOW - 300 * DAY, idempotencyKey: 'old#1' });
    const cfg = config({ catalogue: { offers: [{ id: 'web-only', channels: ['web'], value: 5 }] } });
    const r = await safeDecide(ask('old', { channel: 'web' }), stores, cfg);
    expect(!r.ok && [r.error.code, r.error.path]).toEqual(['INPUT_INVALID', 'requestId']);
  });
});

describe('finding 5: excludeOffers is applied before the cut to slots + fallbackOffers', () => {
  it.each([0, 4])('fallbackOffers %i: excluding the top offers still leaves the next eligible one', async (fallbackOffers) => {
    const { stores } = await world();
    const offers = Array.from({ length: 7 }, (_, i) => ({ id: `o${i}`, channels: ['web'], value: 70 - i * 10 }));
    const cfg = config({ catalogue: { offers }, fallbackOffers });
    const excludeOffers = offers.slice(0, fallbackOffers + 1).map((o) => o.id);
    const r = await decide(ask(`x${fallbackOffers}`, { channel: 'web', excludeOffers }), stores, cfg);
    expect(r.offers.map((o) => o.offerId)).toEqual([`o${fallbackOffers + 1}`]);
    expect(r.trace.stages.find((s) => s.stage === 'arbitration')!.output).toEqual({ offers: Math.min(1 + fallbackOffers, 7 - excludeOffers.length) });
  });
});

describe('finding 7: the alternative channel reads global capacity usage as the main path does', () => {
  it('does not name an offer whose capacity is used up', async () => {
    const stores = memoryStores();
    for (const email of ['bob@example.com', 'ann@example.com']) await stores.identity.addObservations([{ identifiers: [{ type: 'email', value: email }], at: NOW - DAY }]);
    const bob = (await stores.identity.resolve([{ type: 'email', value: 'bob@example.com' }]))!;
    await stores.consent.append({ id: 'g', subjectId: bob, channel: 'email', purpose: 'marketing', kind: 'granted', at: NOW - DAY, evidence: { source: 'test' } });
    const cfg = config({ catalogue: { offers: [{ id: 'coupon', channels: ['email', 'web'], value: 10, capacity: { total: 1 } }, { id: 'news', channels: ['web'], value: 1 }] }, alternatives: ['web'] });
    expect((await decide({ ...ask('b1'), identifiers: [{ type: 'email', value: 'bob@example.com' }] }, stores, cfg)).offers.map((o) => o.offerId)).toEqual(['coupon']);
    const ann = await decide(ask('a1'), stores, cfg);
    expect(codes(ann)[0]).toBe('DECIDE_CONSENT_DENIED');
    expect(ann.alternative).toEqual({ channel: 'web', offerId: 'news' });
  });
});

describe('finding 8: running out of global capacity', () => {
  it('is summarised as DECIDE_CAPACITY_EXHAUSTED, without a claim of a concurrent decision', async () => {
    const stores = memoryStores();
    const emails = ['u0@example.com', 'u1@example.com', 'u2@example.com'];
    for (const email of emails) {
      const p = (await stores.identity.addObservations([{ identifiers: [{ type: 'email', value: email }], at: NOW - DAY }])).profiles[0]!;
      await stores.consent.append({ id: `g-${p}`, subjectId: p, channel: 'email', purpose: 'marketing', kind: 'granted', at: NOW - DAY, evidence: { source: 'test' } });
    }
    const cfg = config({ catalogue: { offers: [{ id: 'coupon', channels: ['email'], value: 10, capacity: { total: 1 } }] } });
    const rs = await Promise.all(emails.map((email, i) => decide({ ...ask(`c${i}`), identifiers: [{ type: 'email', value: email }] }, stores, cfg)));
    expect(rs.filter((r) => r.contact)).toHaveLength(1);
    for (const r of rs.filter((x) => !x.contact)) expect(codes(r)).toEqual(['DECIDE_CAPACITY_EXHAUSTED']);
  });
});

describe('finding 9: bad input is refused before any write', () => {
  const cfg = config({ catalogue: { offers: [{ id: 'A', channels: ['email'], value: 10 }] }, caps: { rules: [{ id: 'w', kind: 'limit', limit: 3, window: 'week' }] } });
  const visitor = { requestId: 'm1', identifiers: [{ type: 'email', value: 'new-visitor@example.com' }], channel: 'email', now: NOW };

  it.each([
    ['without contacts', (s: DecideStores) => ({ ...s, contacts: undefined }), 'stores.contacts'],
    ['null', () => null, 'stores'],
    ['{}', () => ({}), 'stores.identity'],
    ['a contacts store without reserve', (s: DecideStores) => ({ ...s, contacts: { history: s.contacts.history.bind(s.contacts) } }), 'stores.contacts.reserve'],
  ] as const)('stores %s: INPUT_INVALID at its path, the new visitor not observed', async (_, make, path) => {
    const { stores } = await world();
    const r = await safeDecide(visitor, make(stores) as unknown as DecideStores, cfg);
    expect(!r.ok && [r.error.code, r.error.path, r.trace.stages.at(-1)?.stage]).toEqual(['INPUT_INVALID', path, 'validate']);
    expect(await stores.identity.resolve(visitor.identifiers)).toBeNull();
  });

  it.each([8_640_000_000_000_000, 8_639_999_999_999_999, -8_640_000_000_000_000, 253_402_300_800_000])('now = %i: INPUT_INVALID at now, before the identity write', async (now) => {
    const { stores } = await world();
    const r = await safeDecide({ ...visitor, now }, stores, cfg);
    expect(!r.ok && [r.error.code, r.error.path]).toEqual(['INPUT_INVALID', 'now']);
    expect(await stores.identity.resolve(visitor.identifiers)).toBeNull();
  });
});

describe('finding 10: safeDecide never throws', () => {
  it('a request whose getter throws is INPUT_INVALID from both entry points', async () => {
    const { stores } = await world();
    const cfg = config({ catalogue: { offers: [{ id: 'A', channels: ['email'], value: 10 }] } });
    const hostile = Object.defineProperty({ ...ask('g') }, 'channel', {
      get() {
        throw new Error('boom');
      },
      enumerable: true,
    });
    const r = await safeDecide(hostile, stores, cfg);
    expect(!r.ok && r.error.code).toBe('INPUT_INVALID');
    expect(!r.ok && r.trace.requestId).toBe('g');
    await expect(decide(hostile, stores, cfg)).rejects.toMatchObject({ code: 'INPUT_INVALID' });
  });
});

describe('finding 11: a holdout hook that fails', () => {
  const throwing = (): never => {
    throw new Error('hook down');
  };
  const garbage = (): unknown => 42;
  it.each([
    ['throws', throwing, 'DECIDE_STAGE_FAILED'],
    ['answers garbage', garbage, 'INPUT_INVALID'],
  ] as const)('%s: the trace ends with the failed reserve stage, the error names it', async (_, hook, code) => {
    const { stores } = await world();
    const cfg = parseDecideConfig({ catalogue: { offers: [{ id: 'A', channels: ['email'], value: 10 }] }, caps: { rules: [] } }, { clock: () => 0, holdout: hook as never });
    const r = await safeDecide(ask('h'), stores, cfg);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.error.code).toBe(code);
    expect((r.error.detail as { stage: string }).stage).toBe('reserve');
    expect(r.trace.stages.at(-1)).toMatchObject({ stage: 'reserve', status: 'failed', error: { code } });
  });
});

describe("finding 12: the caps' own timeZone applies when neither the request nor the configuration gives one", () => {
  const caps: DecideConfigInput['caps'] = { timeZone: 'Europe/Paris', rules: [{ id: 'night', kind: 'quiet', ranges: [{ from: '21:00', to: '08:00' }] }] };
  const at = Date.parse('2026-03-04T07:30:00Z'); // 08:30 in Paris, 07:30 in UTC

  it('quiet hours written for Paris are read in Paris', async () => {
    const { stores } = await world('ann@example.com', ['sms']);
    const cfg = config({ catalogue: { offers: [{ id: 'A', channels: ['sms'], value: 10 }] }, caps });
    expect(cfg.timeZone).toBe('Europe/Paris');
    expect((await decide(ask('z1', { channel: 'sms', now: at }), stores, cfg)).contact).toBe(true);
  });

  it("the request's zone, and an explicit configuration zone, still win", async () => {
    const { stores } = await world('ann@example.com', ['sms']);
    const cfg = config({ catalogue: { offers: [{ id: 'A', channels: ['sms'], value: 10 }] }, caps });
    expect(codes(await decide(ask('z2', { channel: 'sms', now: at, timeZone: 'UTC' }), stores, cfg))).toContain('CAP_QUIET_HOURS');
    const utc = config({ catalogue: { offers: [{ id: 'A', channels: ['sms'], value: 10 }] }, caps, timeZone: 'UTC' });
    expect(codes(await decide(ask('z3', { channel: 'sms', now: at }), stores, utc))).toContain('CAP_QUIET_HOURS');
  });
});

describe('finding 13: nextAllowedAt is when the best blocked offer passes the caps', () => {
  it('the best offer (A, free in 6.5 days), not the earliest of any (B, free in 50 minutes)', async () => {
    const { stores, subjectId } = await world();
    await stores.contacts.recordContact({ id: 'old-A', subjectId, channel: 'email', offerId: 'A', tags: [], at: NOW - DAY / 2 });
    await stores.contacts.recordContact({ id: 'old-B', subjectId, channel: 'email', offerId: 'B', tags: [], at: NOW - 10 * 60_000 });
    const cfg = config({
      catalogue: { offers: [{ id: 'A', channels: ['email'], value: 50 }, { id: 'B', channels: ['email'], value: 5 }] },
      caps: { rules: [{ id: 'A-weekly', kind: 'limit', limit: 1, window: { rolling: '7d' }, scope: { offers: 'A' } }, { id: 'B-hourly', kind: 'limit', limit: 1, window: { rolling: '1h' }, scope: { offers: 'B' } }] },
      contactTags: [],
    });
    const r = await decide(ask('n1'), stores, cfg);
    expect(r.nextAllowedAt).toBe(NOW - DAY / 2 + 7 * DAY);
    expect(r.reasons[0]!.detail).toEqual({ nextAllowedAt: NOW - DAY / 2 + 7 * DAY, offerId: 'A' });
  });
});

describe('finding 14: recordResponse without contactId', () => {
  it('attaches the response to the latest contact of offerId on the channel', async () => {
    const { stores } = await world();
    const cfg = config({ catalogue: { offers: [{ id: 'A', channels: ['email'], value: 10 }] } });
    await decide(ask('r1'), stores, cfg);
    const r = await recordResponse({ responseId: 'resp-1', identifiers: ANN, kind: 'refused', channel: 'email', offerId: 'A', now: NOW + 1000 }, stores, cfg);
    expect(r.response.contactId).toBe('r1#1');
    const other = await recordResponse({ responseId: 'resp-2', identifiers: ANN, kind: 'clicked', channel: 'sms', offerId: 'A', now: NOW + 2000 }, stores, cfg);
    expect(other.response.contactId).toBeUndefined();
  });
});

describe('finding 15: reason codes and messages as documented', () => {
  it('every identifier invalid, with observation on: DECIDE_IDENTIFIER_REJECTED with the identity reason, not DECIDE_UNKNOWN_PERSON', async () => {
    const stores = memoryStores();
    const cfg = config({ catalogue: { offers: [{ id: 'A', channels: ['web'], value: 1 }] } });
    const r = await decide({ requestId: 'u1', identifiers: [{ type: 'email', value: 'not an email' }], channel: 'web', now: NOW }, stores, cfg);
    expect(codes(r)).toEqual(['DECIDE_IDENTIFIER_REJECTED', 'IDENTITY_EMAIL_INVALID']);
  });

  it('with observation off, an unknown identifier is DECIDE_UNKNOWN_PERSON', async () => {
    const stores = memoryStores();
    const cfg = config({ catalogue: { offers: [{ id: 'A', channels: ['web'], value: 1 }] }, identity: { observe: false } });
    const r = await decide({ requestId: 'u2', identifiers: [{ type: 'email', value: 'nobody@example.com' }], channel: 'web', now: NOW }, stores, cfg);
    expect(codes(r)).toEqual(['DECIDE_UNKNOWN_PERSON']);
  });

  it.each([241, 257, 300])('a requestId of %i characters: "at most 240 characters"', async (n) => {
    const r = await safeDecide(ask('x'.repeat(n)), memoryStores(), config({ catalogue: { offers: [] } }));
    expect(!r.ok && r.error.message).toBe('Must be at most 240 characters at requestId');
  });
});
