import { describe, expect, it } from 'vitest';
import { DAY, HOUR } from '../../src/core/time.js';
import { isCrossChannelError } from '../../src/core/errors.js';
import {
  decide,
  formatTrace,
  parseDecideConfig,
  recordResponse,
  safeDecide,
  safeParseDecideConfig,
  rekeyHistories,
  DECIDE_STAGES,
  type DecideResult,
} from '../../src/decide/index.js';
import { memoryStores } from './memory-stores.js';
import { ANN, BOB, CONFIG, runScenario, scenarioConfig, seed, T0, tcString, type Outcome } from './scenario.js';

function decisionOf(out: Outcome[], requestId: string, nth = 0): DecideResult {
  const found = out.filter((o): o is Extract<Outcome, { decision: unknown }> => 'decision' in o && o.decision.requestId === requestId);
  const d = found[nth];
  if (!d) throw new Error(`no decision ${requestId}`);
  return d.decision as DecideResult;
}
const codes = (d: DecideResult): string[] => d.reasons.map((r) => r.code);

describe('decide on memory stores: the scenario', async () => {
  const out = await runScenario(memoryStores());

  it('contacts an opted-in person with the best eligible offer and reserves it', () => {
    const d = decisionOf(out, 'd1');
    expect(d.contact).toBe(true);
    expect(d.offers).toEqual([{ offerId: 'cart-reminder', rank: 1, score: expect.any(Number), contactId: 'd1#1', tags: ['marketing', 'category:shoes'] }]);
    expect(d.trace.stages.map((s) => s.stage)).toEqual([...DECIDE_STAGES]);
    expect(d.trace.stages.every((s) => s.status === 'ok')).toBe(true);
  });

  it('when every offer is capped: no contact, the earliest nextAllowedAt, an alternative channel allowed now', () => {
    const d = decisionOf(out, 'd2');
    expect(d.contact).toBe(false);
    expect(codes(d)).toEqual(['DECIDE_ALL_CAPPED', 'CAP_LIMIT_REACHED']);
    // email-day: the next local day in Paris starts at 23:00 UTC
    expect(d.nextAllowedAt).toBe(Date.parse('2026-03-02T23:00:00Z'));
    expect(d.alternative).toEqual({ channel: 'push', offerId: 'cart-reminder' });
    const capping = d.trace.stages.find((s) => s.stage === 'capping')!;
    expect(capping.removed.map((r) => r.id).sort()).toEqual(['cart-reminder', 'coupon-20', 'loyalty-points']);
    expect(d.trace.stages.some((s) => s.stage === 'reserve')).toBe(false);
  });

  it('fills several slots, counting the first slot against the caps of the second', () => {
    const d = decisionOf(out, 'd3');
    expect(d.offers.map((o) => o.offerId)).toEqual(['cart-reminder', 'coupon-20']);
    expect(d.offers.map((o) => o.contactId)).toEqual(['d3#1', 'd3#2']);
  });

  it('fails closed on CMP channels without a TC string, and on a refused TC string', () => {
    expect(codes(decisionOf(out, 'd4'))).toContain('DECIDE_TCF_MISSING');
    const refused = decisionOf(out, 'd6');
    expect(refused.contact).toBe(false);
    expect(codes(refused)).toEqual(expect.arrayContaining(['DECIDE_CONSENT_DENIED', 'CONSENT_TCF_DENIED']));
    expect(refused.trace.stages.find((s) => s.stage === 'consent')!.removed[0]!.id).toBe('web');
  });

  it('gives a new visitor a profile and an offer that needs no segment', () => {
    const d = decisionOf(out, 'd5');
    expect(d.subjectId).toMatch(/^p_/);
    expect(d.offers.map((o) => o.offerId)).toEqual(['coupon-20']);
    const arb = d.trace.stages.find((s) => s.stage === 'arbitration')!;
    expect(arb.removed.find((r) => r.id === 'cart-reminder')!.reasons[0]!.code).toBe('OFFER_NOT_IN_SEGMENT');
  });

  it('honours a ledger refusal on one channel while another channel of the same person is open', () => {
    expect(codes(decisionOf(out, 'd8'))).toEqual(['DECIDE_CONSENT_DENIED', 'CONSENT_DENIED']);
    expect(decisionOf(out, 'd9').offers[0]!.offerId).toBe('vip-preview');
  });

  it('quiet hours block the call centre at 22:00 Paris time until 08:00', () => {
    const d = decisionOf(out, 'd10');
    expect(codes(d)).toEqual(['DECIDE_ALL_CAPPED', 'CAP_QUIET_HOURS']);
    expect(d.nextAllowedAt).toBe(Date.parse('2026-03-03T07:00:00Z'));
  });

  it('the weekly marketing cap spans channels: push is refused after email + two web offers', () => {
    const d = decisionOf(out, 'd11');
    expect(d.contact).toBe(false);
    expect(d.reasons.find((r) => r.code === 'CAP_LIMIT_REACHED')!.rule).toBe('marketing-week');
    // Next week starts at 00:00 Paris, but push is in quiet hours until 08:00: the exact answer is 08:00 Monday.
    expect(d.nextAllowedAt).toBe(Date.parse('2026-03-09T07:00:00Z'));
  });

  it('an unsubscribe withdraws ledger consent, so the next email is refused by consent', () => {
    expect(codes(decisionOf(out, 'd12'))).toEqual(['DECIDE_CONSENT_DENIED', 'CONSENT_WITHDRAWN']);
  });

  it('a retried request (same requestId) returns its original contacts and reserves nothing more', () => {
    const first = decisionOf(out, 'd13', 0);
    const again = decisionOf(out, 'd13', 1);
    expect(again.contact).toBe(true);
    expect(again.offers.map((o) => [o.offerId, o.contactId])).toEqual(first.offers.map((o) => [o.offerId, o.contactId]));
    expect(codes(again)).toEqual(['DECIDE_REPLAYED']);
  });

  it('global offer capacity: the third coupon of the day goes to the next best offer', () => {
    expect(decisionOf(out, 'd14').offers[0]!.offerId).toBe('coupon-20');
    expect(decisionOf(out, 'd15').offers[0]!.offerId).toBe('coupon-20');
    const d = decisionOf(out, 'd16');
    expect(d.offers[0]!.offerId).toBe('loyalty-points');
    const arb = d.trace.stages.find((s) => s.stage === 'arbitration')!;
    expect(arb.removed.find((r) => r.id === 'coupon-20')!.reasons[0]!.code).toMatch(/CAPACITY/);
  });

  it('a new week opens the caps again', () => {
    expect(decisionOf(out, 'd17').contact).toBe(true);
  });

  it('formats a trace as readable lines', () => {
    const text = formatTrace(decisionOf(out, 'd2').trace);
    expect(text).toContain('capping');
    expect(text).toContain('CAP_LIMIT_REACHED');
  });

  it('formatTrace refuses a trace of the wrong shape with INPUT_INVALID at trace (a stage without status, a ms that is no number were TypeErrors)', () => {
    const t = decisionOf(out, 'd2').trace;
    const broken = [
      { ...t, stages: [{ ...t.stages[0]!, status: null }] },
      { ...t, stages: [{ ...t.stages[0]!, ms: {} }] },
      { ...t, stages: [{ ...t.stages[0]!, removed: 0 }] },
      { ...t, totalMs: 'x' },
    ];
    for (const b of broken) expect(() => formatTrace(b as never)).toThrow(expect.objectContaining({ code: 'INPUT_INVALID', path: 'trace' }));
  });
});

describe('decide: requests, config and records', () => {
  it('rejects a malformed request with INPUT_INVALID, the field path and a trace', async () => {
    const stores = memoryStores();
    const r = await safeDecide({ requestId: 'x', identifiers: [], channel: 'email', now: T0 }, stores, scenarioConfig());
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.error.code).toBe('INPUT_INVALID');
    expect(r.error.path).toBe('identifiers');
    expect(r.trace.stages).toEqual([expect.objectContaining({ stage: 'validate', status: 'failed' })]);
    await expect(decide({ requestId: 'x', identifiers: [{ type: 'email', value: 'a@b.co' }], channel: 'Email!', now: T0 }, stores, scenarioConfig())).rejects.toMatchObject({
      code: 'INPUT_INVALID',
      path: 'channel',
    });
  });

  it('reports config errors with the module part in the path', () => {
    const r = safeParseDecideConfig({ ...CONFIG, caps: { rules: [{ id: 'x', kind: 'limit', limit: -1, window: 'day' }] } });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.path).toBe('caps.rules[0].limit');
    expect(() => parseDecideConfig({ ...CONFIG, segments: [] })).toThrow(/segment "cart-abandoners"/);
    expect(() => parseDecideConfig({ ...CONFIG, storeTimeoutMs: 0 })).toThrow(expect.objectContaining({ code: 'CONFIG_INVALID', path: 'storeTimeoutMs' }));
  });

  it('names the place of the error: the consent policy under consent.policy, an undefined segment at the offer referring to it', () => {
    // Both were reported elsewhere: at `consent.softOptIn` (no `policy`) and at `segments`.
    expect(() => parseDecideConfig({ ...CONFIG, consent: { ...CONFIG.consent, policy: { softOptIn: 'yes' } } } as never)).toThrow(
      expect.objectContaining({ code: 'CONFIG_INVALID', path: 'consent.policy.softOptIn' }),
    );
    const i = CONFIG.catalogue.offers.findIndex((o) => JSON.stringify(o).includes('cart-abandoners'));
    expect(i).toBeGreaterThanOrEqual(0);
    expect(() => parseDecideConfig({ ...CONFIG, segments: [] })).toThrow(
      expect.objectContaining({ code: 'CONFIG_INVALID', path: `catalogue.offers[${i}].eligibility`, detail: expect.objectContaining({ segment: 'cart-abandoners' }) }),
    );
  });

  it('recordResponse for an unknown person is a typed error and writes nothing', async () => {
    const stores = memoryStores();
    const config = scenarioConfig();
    await expect(
      recordResponse({ responseId: 'r', identifiers: [{ type: 'email', value: 'nobody@example.com' }], kind: 'accepted', channel: 'email', now: T0 }, stores, config),
    ).rejects.toMatchObject({ code: 'DECIDE_UNKNOWN_PERSON' });
  });

  it('refusals feed arbitration suppression: two refusals pause the offer on every channel', async () => {
    const stores = memoryStores();
    const config = scenarioConfig({ caps: { rules: [] } });
    await seed(stores);
    const ann = [{ type: 'email', value: ANN.email }];
    for (const [i, ch] of (['email', 'push'] as const).entries()) {
      const d = await decide({ requestId: `s${i}`, identifiers: ann, channel: ch, now: T0 + i * HOUR }, stores, config);
      expect(d.offers[0]!.offerId).toBe('cart-reminder');
      await recordResponse({ responseId: `rs${i}`, identifiers: ann, kind: 'refused', channel: ch, offerId: 'cart-reminder', contactId: d.offers[0]!.contactId, now: T0 + i * HOUR + 60_000 }, stores, config);
    }
    const d = await decide({ requestId: 's3', identifiers: [{ type: 'cookie_id', value: ANN.cookie }], channel: 'web', now: T0 + 3 * HOUR, tcString: tcString(true) }, stores, config);
    const arb = d.trace.stages.find((s) => s.stage === 'arbitration')!;
    expect(arb.removed.find((r) => r.id === 'cart-reminder')!.reasons[0]!.code).toMatch(/REFUS/);
    expect(d.offers[0]!.offerId).not.toBe('cart-reminder');
  });

  it('excludeOffers removes an offer with a reason and the next one is chosen', async () => {
    const stores = memoryStores();
    await seed(stores);
    const d = await decide(
      { requestId: 'x1', identifiers: [{ type: 'email', value: BOB.email }], channel: 'email', now: T0, excludeOffers: ['vip-preview'] },
      stores,
      scenarioConfig(),
    );
    expect(d.offers[0]!.offerId).not.toBe('vip-preview');
    const arb = d.trace.stages.find((s) => s.stage === 'arbitration')!;
    expect(arb.removed.find((r) => r.id === 'vip-preview')!.reasons[0]!.code).toBe('DECIDE_EXCLUDED_BY_CALLER');
  });

  it('merging profiles moves their histories to the surviving profile, so caps still count them', async () => {
    const stores = memoryStores();
    const config = scenarioConfig({ caps: { rules: [{ id: 'week', kind: 'limit', limit: 1, window: 'week', scope: { tags: 'marketing' } }] } });
    await seed(stores);
    // An anonymous visitor gets an offer…
    const anon = await decide({ requestId: 'm1', identifiers: [{ type: 'cookie_id', value: 'ck-new' }], channel: 'web', now: T0, tcString: tcString(true) }, stores, config);
    expect(anon.contact).toBe(true);
    await stores.events.append([{ id: 'anon-cart', subjectId: anon.subjectId!, type: 'cart_abandon', at: T0 + 60_000, channel: 'web', properties: {} }]);
    await stores.consent.append({ id: 'anon-push', subjectId: anon.subjectId!, channel: 'push', purpose: 'marketing', kind: 'denied', at: T0, evidence: { source: 'app' } });
    // …then logs in with Bob's email on the same cookie: the cookie's profile merges into Bob's.
    const merged = await decide(
      { requestId: 'm2', identifiers: [{ type: 'cookie_id', value: 'ck-new' }, { type: 'email', value: BOB.email }], channel: 'web', now: T0 + HOUR, tcString: tcString(true) },
      stores,
      config,
    );
    expect(merged.subjectId).not.toBe(anon.subjectId);
    expect(merged.contact).toBe(false);
    expect(merged.reasons.map((r) => r.code)).toContain('CAP_LIMIT_REACHED');
    expect(merged.trace.stages[1]!.notes.map((n) => n.code)).toContain('DECIDE_HISTORY_REKEYED');
    expect((await stores.contacts.history(anon.subjectId!)).contacts).toEqual([]);
    // Events and consent moved too: the anonymous cart and the push refusal now belong to Bob.
    expect((await stores.events.read(merged.subjectId!)).map((e) => e.id)).toContain('anon-cart');
    expect(await stores.events.read(anon.subjectId!)).toEqual([]);
    expect((await stores.consent.events(merged.subjectId!)).find((e) => e.id === 'anon-push')).toMatchObject({ kind: 'denied', channel: 'push' });
  });

  it('contacts stamped later than now (a clock running ahead) still count in their windows, as in the store', async () => {
    const stores = memoryStores();
    await seed(stores);
    const config = scenarioConfig();
    const later = await decide({ requestId: 'late', identifiers: [{ type: 'email', value: BOB.email }], channel: 'email', now: T0 + HOUR }, stores, config);
    expect(later.contact).toBe(true);
    const earlier = await decide({ requestId: 'early', identifiers: [{ type: 'email', value: BOB.email }], channel: 'email', now: T0 }, stores, config);
    expect(earlier.contact).toBe(false);
    expect(earlier.reasons.find((r) => r.code === 'CAP_LIMIT_REACHED')!.rule).toBe('email-day');
    // The pure check agreed with the store: nothing reached the reservation stage.
    expect(earlier.trace.stages.some((s) => s.stage === 'reserve')).toBe(false);
  });

  it('errors thrown are CrossChannelErrors carrying the trace', async () => {
    const stores = memoryStores();
    try {
      await decide({ requestId: 1 }, stores, scenarioConfig());
      expect.unreachable();
    } catch (e) {
      expect(isCrossChannelError(e, 'INPUT_INVALID')).toBe(true);
      expect((e as { detail: { trace: { stages: unknown[] } } }).detail.trace.stages).toHaveLength(1);
    }
  });
});

describe('decide: request ids and contact ids', () => {
  it('contact ids derive from the request id and fit an id; longer request ids are refused up front', async () => {
    const stores = memoryStores();
    await seed(stores);
    const long = 'r'.repeat(240);
    const d = await decide({ requestId: long, identifiers: [{ type: 'email', value: BOB.email }], channel: 'email', now: T0 }, stores, scenarioConfig());
    expect(d.offers[0]!.contactId).toBe(`${long}#1`);
    await expect(decide({ requestId: 'r'.repeat(241), identifiers: [{ type: 'email', value: BOB.email }], channel: 'email', now: T0 }, stores, scenarioConfig())).rejects.toMatchObject({
      code: 'INPUT_INVALID',
      path: 'requestId',
    });
  });

  it('an unknown time zone in the request is TIMEZONE_INVALID with its path', async () => {
    const stores = memoryStores();
    await seed(stores);
    await expect(decide({ requestId: 'tz', identifiers: [{ type: 'email', value: BOB.email }], channel: 'email', now: T0, timeZone: 'Mars/Olympus' }, stores, scenarioConfig())).rejects.toMatchObject({
      code: 'TIMEZONE_INVALID',
      path: 'timeZone',
      detail: { stage: 'validate' },
    });
  });
});

describe('decide: learned propensities', () => {
  it('reservations and acceptances feed the shared PropensityTable, which re-ranks offers', async () => {
    const { PropensityTable } = await import('../../src/arbitration/index.js');
    const model = new PropensityTable({ alpha: 1, beta: 1 });
    const config = parseDecideConfig(
      {
        catalogue: { offers: [{ id: 'x', value: 10, tags: ['marketing'] }, { id: 'y', value: 10, tags: ['marketing'] }] },
        caps: { rules: [] },
        consent: { purpose: 'marketing', ledgerChannels: [] },
      },
      { model, clock: () => 0 },
    );
    const stores = memoryStores();
    const who = (i: number) => [{ type: 'cookie_id', value: `ck-${i}` }];
    // y is accepted every time it is shown, x never.
    for (let i = 0; i < 12; i++) {
      const d = await decide({ requestId: `l${i}`, identifiers: who(i), channel: 'web', now: T0 + i * HOUR, excludeOffers: [i % 2 ? 'x' : 'y'] }, stores, config);
      const offer = d.offers[0]!;
      if (offer.offerId === 'y') await recordResponse({ responseId: `a${i}`, identifiers: who(i), kind: 'accepted', channel: 'web', offerId: 'y', contactId: offer.contactId, now: T0 + i * HOUR + 1 }, stores, config);
    }
    expect(model.toJSON().offers).toEqual({ x: { presented: 6, accepted: 0 }, y: { presented: 6, accepted: 6 } });
    const d = await decide({ requestId: 'l-final', identifiers: who(99), channel: 'web', now: T0 + DAY }, stores, config);
    expect(d.offers[0]!.offerId).toBe('y');
    const arb = d.trace.stages.find((s) => s.stage === 'arbitration')!;
    expect(arb.output).toEqual({ offers: 2 });
  });
});

describe('decide: convenience forms', () => {
  it('takes an unparsed config (parsed on the call) and gives the same decision as the parsed one', async () => {
    const a = memoryStores();
    const b = memoryStores();
    await seed(a);
    await seed(b);
    const request = { requestId: 'c1', identifiers: [{ type: 'email', value: BOB.email }], channel: 'email', now: T0 };
    const parsed = await decide(request, a, scenarioConfig());
    const raw = await decide(request, b, CONFIG);
    expect(raw.offers).toEqual(parsed.offers);
    expect(raw.reasons).toEqual(parsed.reasons);
    await expect(decide(request, b, { ...CONFIG, caps: { rules: [{ id: 'x', kind: 'nope' }] } } as never)).rejects.toMatchObject({ code: 'CONFIG_INVALID', path: expect.stringMatching(/^caps\.rules\[0\]/), detail: { stage: 'validate' } });
  });

  it('without a requestId, the idempotency key is derived from the request: an identical retry replays, a different request does not', async () => {
    const stores = memoryStores();
    await seed(stores);
    const config = scenarioConfig({ caps: { rules: [] } });
    const request = { identifiers: [{ type: 'email', value: BOB.email }], channel: 'email', now: T0 };
    const first = await decide(request, stores, config);
    const retry = await decide(request, stores, config);
    expect(first.requestId).toMatch(/^auto-[0-9a-f]{16}$/);
    expect(retry.requestId).toBe(first.requestId);
    expect(retry.reasons.map((r) => r.code)).toEqual(['DECIDE_REPLAYED']);
    const other = await decide({ ...request, now: T0 + 1 }, stores, config);
    expect(other.requestId).not.toBe(first.requestId);
    expect(other.reasons.map((r) => r.code)).not.toContain('DECIDE_REPLAYED');
    const aliased = await decide({ ...request, idempotencyKey: 'from-the-channel', now: T0 + 2 }, stores, config);
    expect(aliased.requestId).toBe('from-the-channel');
  });
});

describe('rekeyHistories', () => {
  it('copies a split profile’s history to both halves and never erases an id that is still live', async () => {
    const stores = memoryStores();
    await stores.contacts.recordContact({ id: 'c1', subjectId: 'p_old', channel: 'email', tags: ['marketing'], at: T0 });
    await stores.events.append([{ id: 'e1', subjectId: 'p_old', type: 'page_view', at: T0, properties: {} }]);
    await stores.contacts.recordContact({ id: 'c2', subjectId: 'p_gone', channel: 'sms', tags: ['marketing'], at: T0 });
    const moved = await rekeyHistories(stores, [
      { profileId: 'p_old', previousIds: ['p_old'] }, // one half keeps the old id
      { profileId: 'p_new', previousIds: ['p_old', 'p_gone'] },
    ]);
    expect(moved).toBe(3);
    expect((await stores.contacts.history('p_old')).contacts.map((c) => c.id)).toEqual(['c1']);
    expect((await stores.contacts.history('p_new')).contacts.map((c) => c.id).sort()).toEqual(['c1', 'c2']);
    expect((await stores.events.read('p_new')).map((e) => e.id)).toEqual(['e1']);
    expect((await stores.contacts.history('p_gone')).contacts).toEqual([]);
    // Idempotent: running it again copies nothing new.
    await rekeyHistories(stores, [{ profileId: 'p_new', previousIds: ['p_old'] }]);
    expect((await stores.contacts.history('p_new')).contacts).toHaveLength(2);
  });
});
