import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { arbitrate, parseCatalogue, prepareArbitration, PropensityTable, type ArbitrationContext, type CatalogueInput } from './index.js';
import { usedUpBy } from './arbitrate.js';
import { isCrossChannelError } from '../core/errors.js';
import { DAY, NOW, buildHistory, naiveArbitrate } from '../../test/arbitraries/arbitration.js';

const empty = buildHistory('p1', [], [], []);
const codeOf = (r: ReturnType<typeof arbitrate>, id: string): string | undefined => r.excluded.find((e) => e.offerId === id)?.reason.code;
const ids = (r: ReturnType<typeof arbitrate>): string[] => r.selected.map((s) => s.offerId);

describe('seed scenario: a store customer who researches online', () => {
  const catalogue = parseCatalogue({
    offers: [
      { id: 'shoes-20', channels: ['web', 'email'], value: 30, propensity: 0.3, tags: ['discount', 'category:shoes'] },
      { id: 'bags-10', channels: ['web', 'email'], value: 15, propensity: 0.2, tags: ['discount', 'category:bags'] },
      { id: 'shoes-care', channels: ['web'], value: 8, propensity: 0.1, tags: ['category:shoes'] },
    ],
    guards: [{ id: 'no-discount-on-full-price', offerTags: ['discount'], window: '30d' }],
  });
  const storePurchase = buildHistory('p1', [], [], [{ at: NOW - 3 * DAY, category: 'shoes', fullPrice: true, type: 'purchase' }]);

  it('does not offer an online discount on a category bought at full price in store', () => {
    const r = arbitrate({}, catalogue, storePurchase, { now: NOW, channel: 'web', slots: 3 });
    const ex = r.excluded.find((e) => e.offerId === 'shoes-20');
    expect(ex?.stage).toBe('suitability');
    expect(ex?.reason).toMatchObject({ code: 'OFFER_CANNIBALISATION', rule: 'no-discount-on-full-price', detail: { category: 'shoes' } });
    expect(ids(r)).toEqual(['bags-10', 'shoes-care']); // other categories and non-discount offers still go
  });

  it('discounted purchases do not trigger the guard, and it lapses after the window', () => {
    const discounted = buildHistory('p1', [], [], [{ at: NOW - 3 * DAY, category: 'shoes', fullPrice: false, type: 'purchase' }]);
    expect(ids(arbitrate({}, catalogue, discounted, { now: NOW, channel: 'web' }))).toEqual(['shoes-20']);
    expect(ids(arbitrate({}, catalogue, storePurchase, { now: NOW + 28 * DAY, channel: 'web' }))).toEqual(['shoes-20']);
  });

  it('a context or history of the wrong shape from plain JavaScript is INPUT_INVALID at its path (was a TypeError)', () => {
    const ev = storePurchase.events[0]!;
    const cases: Array<[unknown, unknown, string]> = [
      [{ segments: 5 }, storePurchase, 'context.segments'],
      [{}, { contacts: [], responses: [] }, 'history.events'],
      [{}, { ...storePurchase, responses: null }, 'history.responses'],
      [{}, { ...storePurchase, events: [{ ...ev, at: Symbol('t') }] }, 'history.events[0].at'],
      [{}, { ...storePurchase, events: [{ ...ev, properties: undefined }] }, 'history.events[0].properties'],
      [{}, { ...storePurchase, events: [null] }, 'history.events[0]'],
    ];
    for (const [context, history, path] of cases) {
      expect(() => arbitrate(context as never, catalogue, history as never, { now: NOW, channel: 'web' }), path).toThrow(expect.objectContaining({ code: 'INPUT_INVALID', path }));
    }
  });

  it('refuses a NaN minScore, a propensity that is no finite number and a negative or NaN context weight (they were passed over)', () => {
    const cat = parseCatalogue({ offers: [{ id: 'card', value: 40 }] });
    const call = (context: ArbitrationContext, minScore?: number) => () => arbitrate({ subjectId: 'p1', ...context }, cat, empty, { now: NOW, channel: 'web', ...(minScore === undefined ? {} : { minScore }) });
    expect(call({}, Number.NaN)).toThrow(expect.objectContaining({ code: 'INPUT_INVALID', path: 'minScore' }));
    for (const v of [Number.NaN, Infinity, '0.5']) expect(call({ propensities: { card: v as number } })).toThrow(expect.objectContaining({ code: 'INPUT_INVALID', path: 'context.propensities.card' }));
    for (const v of [-1, Number.NaN, Infinity]) expect(call({ weights: { card: v } })).toThrow(expect.objectContaining({ code: 'INPUT_INVALID', path: 'context.weights.card' }));
    // Values that mean something still work: −∞ as "no threshold", a propensity clamped into [0, 1]; a weight of 0 excludes.
    expect(call({ weights: { card: 0.5 }, propensities: { card: 2 } }, -Infinity)().selected[0]?.factors.propensity).toBe(1);
    expect(call({ weights: { card: 0 } })().selected).toEqual([]);
  });

  it('also reads full-price conversions recorded as responses on any channel', () => {
    const h = buildHistory('p1', [], [{ offerId: 'other', channel: 'call_center', at: NOW - DAY, kind: 'converted', fullPrice: true, category: 'shoes' }], []);
    expect(codeOf(arbitrate({}, catalogue, h, { now: NOW, channel: 'email' }), 'shoes-20')).toBe('OFFER_CANNIBALISATION');
  });
});

describe('contact policies over the shared history', () => {
  const base: CatalogueInput = {
    offers: [
      { id: 'card', value: 40, propensity: 0.2, policy: { afterRefusals: { count: 3, window: '30d', suppressFor: '60d' } } },
      { id: 'fallback', value: 1, propensity: 0.01 },
    ],
  };
  const catalogue = parseCatalogue(base);
  const refusals = (days: number[]) =>
    buildHistory(
      'p1',
      [],
      days.map((d, i) => ({ offerId: 'card', channel: ['email', 'sms', 'web'][i % 3]!, at: NOW - d * DAY, kind: 'refused' as const })),
      [],
    );

  it('3 refusals in 30 days on any channels pause the offer for 60 days, in the call centre too', () => {
    const r = arbitrate({}, catalogue, refusals([20, 10, 2]), { now: NOW, channel: 'call_center' });
    expect(ids(r)).toEqual(['fallback']);
    expect(r.excluded[0]).toMatchObject({ offerId: 'card', stage: 'suitability', reason: { code: 'OFFER_SUPPRESSED_REFUSALS', detail: { until: NOW - 2 * DAY + 60 * DAY } } });
    expect(ids(arbitrate({}, catalogue, refusals([20, 10, 2]), { now: NOW + 58 * DAY, channel: 'web' }))).toEqual(['card']);
    expect(ids(arbitrate({}, catalogue, refusals([20, 10, 2]), { now: NOW + 58 * DAY - 1, channel: 'web' }))).toEqual(['fallback']);
  });

  it('two refusals, or three spread over more than 30 days, do not pause', () => {
    expect(ids(arbitrate({}, catalogue, refusals([10, 2]), { now: NOW, channel: 'sms' }))).toEqual(['card']);
    expect(ids(arbitrate({}, catalogue, refusals([35, 10, 2]), { now: NOW, channel: 'sms' }))).toEqual(['card']);
  });

  it('an older burst of refusals still pauses when its pause has not ended', () => {
    expect(codeOf(arbitrate({}, catalogue, refusals([50, 45, 40, 1]), { now: NOW, channel: 'sms' }), 'card')).toBe('OFFER_SUPPRESSED_REFUSALS');
  });

  it('suppresses after acceptance, forever or for a duration', () => {
    const accepted = buildHistory('p1', [], [{ offerId: 'card', channel: 'web', at: NOW - 10 * DAY, kind: 'accepted' }], []);
    const forever = parseCatalogue({ offers: [{ id: 'card', policy: { afterAcceptance: { suppressFor: 'forever' } } }] });
    expect(codeOf(arbitrate({}, forever, accepted, { now: NOW + 999 * DAY, channel: 'email' }), 'card')).toBe('OFFER_SUPPRESSED_ACCEPTED');
    const week = parseCatalogue({ offers: [{ id: 'card', policy: { afterAcceptance: { suppressFor: '7d' } } }] });
    expect(ids(arbitrate({}, week, accepted, { now: NOW, channel: 'email' }))).toEqual(['card']);
    expect(codeOf(arbitrate({}, week, accepted, { now: NOW - 4 * DAY, channel: 'email' }), 'card')).toBe('OFFER_SUPPRESSED_ACCEPTED');
  });

  it('limits presentations in a trailing window, counting every channel', () => {
    const cat = parseCatalogue({ offers: [{ id: 'card', policy: { maxPresentations: { count: 2, window: '7d' } } }] });
    const h = buildHistory('p1', [{ offerId: 'card', channel: 'email', at: NOW - 6 * DAY }, { offerId: 'card', channel: 'push', at: NOW - DAY }], [], []);
    const r = arbitrate({}, cat, h, { now: NOW, channel: 'web' });
    expect(r.excluded[0]?.reason).toMatchObject({ code: 'OFFER_SUPPRESSED_PRESENTATIONS', detail: { count: 2, limit: 2, until: NOW + DAY } });
    expect(ids(arbitrate({}, cat, h, { now: NOW + DAY, channel: 'web' }))).toEqual(['card']);
  });

  it('suppresses after N presentations without any response; a response resets the count; ignored is no response', () => {
    const cat = parseCatalogue({ defaultPolicy: { withoutResponse: { count: 3, suppressFor: '14d' } }, offers: [{ id: 'card' }] });
    const contacts = [5, 4, 3].map((d) => ({ offerId: 'card', channel: 'email', at: NOW - d * DAY }));
    const silent = buildHistory('p1', contacts, [{ offerId: 'card', channel: 'email', at: NOW - 2 * DAY, kind: 'ignored' }], []);
    expect(arbitrate({}, cat, silent, { now: NOW, channel: 'email' }).excluded[0]?.reason).toMatchObject({ code: 'OFFER_SUPPRESSED_NO_RESPONSE', detail: { until: NOW - 3 * DAY + 14 * DAY } });
    const answered = buildHistory('p1', contacts, [{ offerId: 'card', channel: 'email', at: NOW - 3.5 * DAY, kind: 'opened' }], []);
    expect(ids(arbitrate({}, cat, answered, { now: NOW, channel: 'email' }))).toEqual(['card']);
  });

  it('attributes a response without offerId through its contactId', () => {
    const cat = parseCatalogue({ offers: [{ id: 'card', policy: { afterAcceptance: { suppressFor: 'forever' } } }] });
    const h = {
      ...empty,
      contacts: [{ id: 'c9', subjectId: 'p1', channel: 'sms', offerId: 'card', tags: [], at: NOW - DAY, transactional: false }],
      responses: [{ id: 'r1', subjectId: 'p1', contactId: 'c9', kind: 'accepted' as const, channel: 'sms', tags: [], at: NOW - DAY + 1000 }],
    };
    expect(codeOf(arbitrate({}, cat, h, { now: NOW, channel: 'web' }), 'card')).toBe('OFFER_SUPPRESSED_ACCEPTED');
  });

  it('needs prerequisites accepted first ("B only after A accepted")', () => {
    const cat = parseCatalogue({ offers: [{ id: 'A', channels: ['email'] }, { id: 'B', prerequisites: ['A'] }] });
    expect(arbitrate({}, cat, empty, { now: NOW, channel: 'web' }).excluded.find((e) => e.offerId === 'B')?.reason).toMatchObject({ code: 'OFFER_PREREQUISITE_MISSING', detail: { missing: ['A'] } });
    const h = buildHistory('p1', [], [{ offerId: 'A', channel: 'email', at: NOW - DAY, kind: 'accepted' }], []);
    expect(ids(arbitrate({}, cat, h, { now: NOW, channel: 'web' }))).toEqual(['B']);
  });
});

describe('eligibility and applicability', () => {
  const adult = (ctx: { attributes?: Readonly<Record<string, unknown>> }) => Number(ctx.attributes?.age ?? 0) >= 18;
  const catalogue = parseCatalogue(
    {
      offers: [
        { id: 'gold-only', eligibility: 'gold' },
        { id: 'any', eligibility: { anyOfSegments: ['gold', 'silver'] } },
        { id: 'not-young', eligibility: { notSegments: ['young'] } },
        { id: 'adults', eligibility: { predicate: 'adult' } },
        { id: 'inline', eligibility: (ctx: ArbitrationContext) => ctx.subjectId === 'vip' },
        { id: 'throws', eligibility: () => { throw new Error('boom'); } },
        { id: 'web-only', channels: ['web'] },
        { id: 'future', validFrom: NOW + 1 },
        { id: 'past', validUntil: NOW },
        { id: 'off', enabled: false },
      ],
    },
    { predicates: { adult } },
  );

  it('names the stage and reason of every exclusion', () => {
    const r = arbitrate({ subjectId: 'p1', segments: new Set(['young']), attributes: { age: 16 } }, catalogue, empty, { now: NOW, channel: 'email', slots: 10 });
    expect(r.selected).toEqual([]);
    expect(r.excluded.map((e) => [e.offerId, e.stage, e.reason.code])).toEqual([
      ['gold-only', 'eligibility', 'OFFER_NOT_IN_SEGMENT'],
      ['any', 'eligibility', 'OFFER_NOT_IN_SEGMENT'],
      ['not-young', 'eligibility', 'OFFER_IN_EXCLUDED_SEGMENT'],
      ['adults', 'eligibility', 'OFFER_PREDICATE_FALSE'],
      ['inline', 'eligibility', 'OFFER_PREDICATE_FALSE'],
      ['throws', 'eligibility', 'OFFER_PREDICATE_FALSE'],
      ['web-only', 'applicability', 'OFFER_WRONG_CHANNEL'],
      ['future', 'applicability', 'OFFER_NOT_YET_VALID'],
      ['past', 'applicability', 'OFFER_EXPIRED'],
      ['off', 'eligibility', 'OFFER_DISABLED'],
    ]);
    expect(r.excluded.find((e) => e.offerId === 'throws')?.reason.detail).toEqual({ error: 'boom' });
  });

  it('admits the customer who qualifies (segments as an array or a set)', () => {
    const r = arbitrate({ subjectId: 'vip', segments: ['gold'], attributes: { age: 40 } }, catalogue, empty, { now: NOW, channel: 'web', slots: 10 });
    expect(ids(r).sort()).toEqual(['adults', 'any', 'gold-only', 'inline', 'not-young', 'web-only']);
  });

  it('eligibility runs before applicability', () => {
    const cat = parseCatalogue({ offers: [{ id: 'x', eligibility: 'gold', channels: ['web'] }] });
    expect(arbitrate({}, cat, empty, { now: NOW, channel: 'sms' }).excluded[0]?.stage).toBe('eligibility');
  });
});

describe('capacity, budget, groups, slots, ranking', () => {
  it('excludes offers whose global capacity or budget is used up (usage as Map or record)', () => {
    const cat = parseCatalogue({
      offers: [
        { id: 'slot', capacity: { perDay: 500 }, value: 10 },
        { id: 'week', capacity: { perWeek: 3 } },
        { id: 'coupon', budget: { total: 100, cost: 5 } },
      ],
    });
    const usage = new Map([
      ['slot', { day: 500 }],
      ['week', { day: 0, week: 3 }],
      ['coupon', { spent: 96 }],
    ]);
    const r = arbitrate({}, cat, empty, { now: NOW, channel: 'call_center', usage });
    expect(r.excluded.map((e) => [e.offerId, e.reason.code, e.reason.rule])).toEqual([
      ['slot', 'OFFER_CAPACITY_EXHAUSTED', 'day'],
      ['week', 'OFFER_CAPACITY_EXHAUSTED', 'week'],
      ['coupon', 'OFFER_BUDGET_EXHAUSTED', undefined],
    ]);
    expect(ids(arbitrate({}, cat, empty, { now: NOW, channel: 'call_center', usage: { slot: { day: 499 } } }))).toEqual(['slot']);
  });

  it('keeps one offer per exclusion group, the better ranked, then fills the slots', () => {
    const cat = parseCatalogue({
      valueScale: 'linear',
      offers: [
        { id: 'visa', value: 50, propensity: 0.5, exclusionGroups: ['cards'] },
        { id: 'amex', value: 60, propensity: 0.5, exclusionGroups: ['cards'] },
        { id: 'loan', value: 40, propensity: 0.5 },
        { id: 'savings', value: 10, propensity: 0.5 },
      ],
    });
    const r = arbitrate({}, cat, empty, { now: NOW, channel: 'web', slots: 2 });
    expect(ids(r)).toEqual(['amex', 'loan']);
    expect(r.selected.map((s) => s.rank)).toEqual([1, 2]);
    expect(r.excluded.map((e) => [e.offerId, e.stage, e.reason.code])).toEqual([
      ['visa', 'constraints', 'OFFER_EXCLUSION_GROUP'],
      ['savings', 'constraints', 'OFFER_NO_SLOT'],
    ]);
    expect(r.excluded[0]?.reason.detail).toMatchObject({ group: 'cards', by: 'amex' });
    // Ranked after the slots filled, a clashing offer is still named by its group (more slots would not present it).
    const late = arbitrate({}, parseCatalogue({ valueScale: 'linear', offers: [
      { id: 'amex', value: 60, propensity: 0.5, exclusionGroups: ['cards'] },
      { id: 'loan', value: 55, propensity: 0.5 },
      { id: 'visa', value: 50, propensity: 0.5, exclusionGroups: ['cards'] },
      { id: 'savings', value: 10, propensity: 0.5, exclusionGroups: ['other'] },
    ] }), empty, { now: NOW, channel: 'web', slots: 2 });
    expect(late.excluded.map((e) => [e.offerId, e.reason.code])).toEqual([['visa', 'OFFER_EXCLUSION_GROUP'], ['savings', 'OFFER_NO_SLOT']]);
  });

  it('breaks ties by priority, then by offer id — never at random', () => {
    const cat = parseCatalogue({ offers: [{ id: 'b' }, { id: 'a' }, { id: 'c', priority: 1 }, { id: 'd', priority: -1 }] });
    const r = arbitrate({}, cat, empty, { now: NOW, channel: 'web', slots: 4 });
    expect(ids(r)).toEqual(['c', 'a', 'b', 'd']);
    expect(new Set(r.selected.map((s) => s.score)).size).toBe(1);
  });

  it('score = propensity × context weight × value × lever, with every factor reported', () => {
    const cat = parseCatalogue({ valueScale: 'none', offers: [{ id: 'x', value: 10, weight: 2, channelWeights: { web: 1.5 }, lever: 0.5, propensity: 0.1 }] });
    const s = arbitrate({ weights: { x: 2 }, propensities: {} }, cat, empty, { now: NOW, channel: 'web' }).selected[0]!;
    expect(s.factors).toEqual({ propensity: 0.1, propensitySource: 'offer', contextWeight: 6, value: 10, lever: 0.5 });
    expect(s.score).toBeCloseTo(3, 12);
    const given = arbitrate({ propensities: { x: 0.3 } }, cat, empty, { now: NOW, channel: 'email' }).selected[0]!;
    expect(given.factors).toMatchObject({ propensity: 0.3, propensitySource: 'context', contextWeight: 2 });
  });

  it('a channel without a channel weight, even one named constructor, keeps the offer weight', () => {
    // Channel names are lowercase words: `constructor` is valid, and the parsed record has no own weight for it.
    const cat = parseCatalogue({ valueScale: 'none', offers: [{ id: 'x', value: 10, weight: 2, channelWeights: { web: 1.5 }, propensity: 0.1 }] });
    for (const channel of ['constructor', 'email']) {
      const s = arbitrate({}, cat, empty, { now: NOW, channel }).selected[0]!;
      expect(s.factors.contextWeight).toBe(2);
      expect(s.score).toBeCloseTo(2, 12);
    }
  });

  it('an offer named like an Object member (constructor, toString, __proto__) reads only own context propensities and weights (any such record made the call INPUT_INVALID)', () => {
    const cat = parseCatalogue({ valueScale: 'none', offers: [{ id: 'constructor', value: 10 }, { id: 'toString', value: 5 }, { id: '__proto__', value: 3 }] });
    for (const ctx of [{ propensities: { other: 0.9 } }, { weights: { other: 2 } }]) {
      const r = arbitrate(ctx, cat, empty, { now: NOW, channel: 'web', slots: 3 });
      expect(r.selected.map((s) => [s.offerId, s.factors.propensitySource, s.factors.contextWeight])).toEqual([
        ['constructor', 'prior', 1],
        ['toString', 'prior', 1],
        ['__proto__', 'prior', 1],
      ]);
    }
    // An own `__proto__` key (as JSON.parse makes it) is still read.
    const own = arbitrate({ propensities: JSON.parse('{"__proto__": 0.9}') as Record<string, number> }, cat, empty, { now: NOW, channel: 'web', slots: 3 });
    expect(own.selected.find((s) => s.offerId === '__proto__')?.factors).toMatchObject({ propensity: 0.9, propensitySource: 'context' });
  });

  it('excludes at scoring when propensity is below the minimum or a factor is zero', () => {
    const cat = parseCatalogue({ minPropensity: 0.05, offers: [{ id: 'low', propensity: 0.01 }, { id: 'zero', lever: 0 }, { id: 'ok', propensity: 0.5 }] });
    const r = arbitrate({}, cat, empty, { now: NOW, channel: 'web', minScore: 0 });
    expect(r.excluded.map((e) => [e.offerId, e.stage, e.reason.code])).toEqual([
      ['low', 'scoring', 'OFFER_BELOW_MIN_PROPENSITY'],
      ['zero', 'scoring', 'OFFER_ZERO_SCORE'],
    ]);
  });
});

describe('the "most expensive offer always wins" guard', () => {
  const offers: CatalogueInput['offers'] = [
    { id: 'premium', value: 2000, tags: ['premium'] },
    { id: 'everyday', value: 40 },
  ];
  const customers = [
    { premium: 0.01, everyday: 0.3 },
    { premium: 0.02, everyday: 0.25 },
    { premium: 0.3, everyday: 0.3 },
  ];
  const winners = (valueScale: CatalogueInput['valueScale']): string[] => {
    const cat = parseCatalogue({ valueScale, offers });
    return customers.map((propensities) => arbitrate({ propensities }, cat, empty, { now: NOW, channel: 'web' }).selected[0]!.offerId);
  };

  it('linear value lets the expensive offer win for everyone, even at 1% propensity', () => {
    expect(winners('linear')).toEqual(['premium', 'premium', 'premium']);
  });

  it('the default log normalisation makes the expensive offer also need a plausible propensity', () => {
    expect(winners(undefined)).toEqual(['everyday', 'everyday', 'premium']);
    expect(winners({ power: 0.3 })).toEqual(['everyday', 'everyday', 'premium']);
  });
});

describe('built-in propensity and Thompson sampling', () => {
  const cat = parseCatalogue({ valueScale: 'linear', offers: [{ id: 'a', value: 10 }, { id: 'b', value: 10 }] });
  const model = new PropensityTable().observe('a', { presented: 100, accepted: 30 }).observe('b', { presented: 100, accepted: 20 });

  it('uses posterior means without a seed', () => {
    const r = arbitrate({}, cat, empty, { now: NOW, channel: 'web', model, slots: 2 });
    expect(ids(r)).toEqual(['a', 'b']);
    expect(r.selected[0]!.factors).toMatchObject({ propensity: 31 / 102, propensitySource: 'model' });
  });

  it('explores with a seeded generator: reproducible per seed, and the weaker offer sometimes wins', () => {
    const pick = (seed: number) => arbitrate({}, cat, empty, { now: NOW, channel: 'web', model, thompson: { seed } }).selected[0]!.offerId;
    const picks = Array.from({ length: 200 }, (_, i) => pick(i));
    expect(Array.from({ length: 200 }, (_, i) => pick(i))).toEqual(picks);
    const bWins = picks.filter((p) => p === 'b').length;
    expect(bWins).toBeGreaterThan(5);
    expect(bWins).toBeLessThan(100);
    expect(arbitrate({}, cat, empty, { now: NOW, channel: 'web', model, thompson: { seed: 'req-1' } })).toEqual(
      arbitrate({}, cat, empty, { now: NOW, channel: 'web', model, thompson: { seed: 'req-1' } }),
    );
  });

  it('uses the segment rate when the context names a segment', () => {
    const seg = new PropensityTable().observe('a', { presented: 100, accepted: 10 }).observe('b', { presented: 100, accepted: 40 }).observe('a', { presented: 50, accepted: 40 }, 'students'); // counts into 'a' offer-wide too
    expect(ids(arbitrate({}, cat, empty, { now: NOW, channel: 'web', model: seg }))).toEqual(['b']);
    expect(ids(arbitrate({ propensitySegment: 'students' }, cat, empty, { now: NOW, channel: 'web', model: seg }))).toEqual(['a']);
  });
});

describe('bad calls', () => {
  const cat = parseCatalogue({ offers: [{ id: 'a' }] });
  it.each([
    ['now', { now: Number.NaN, channel: 'web' }],
    ['channel', { now: NOW, channel: '' }],
    ['slots', { now: NOW, channel: 'web', slots: -1 }],
    ['slots', { now: NOW, channel: 'web', slots: 1.5 }],
  ])('rejects a bad %s with INPUT_INVALID', (path, opts) => {
    let err: unknown;
    try {
      arbitrate({}, cat, empty, opts);
    } catch (e) {
      err = e;
    }
    expect(isCrossChannelError(err, 'INPUT_INVALID')).toBe(true);
    expect((err as { path: string }).path).toBe(path);
  });

  it('zero slots selects nothing and explains every offer', () => {
    const r = arbitrate({}, cat, empty, { now: NOW, channel: 'web', slots: 0 });
    expect(r.selected).toEqual([]);
    expect(r.excluded[0]?.reason.code).toBe('OFFER_NO_SLOT');
  });
});

describe('ranking paths', () => {
  it('many slots over many offers (sorted path) and few slots (scan path) agree with the reference', () => {
    const offers: CatalogueInput['offers'] = Array.from({ length: 120 }, (_, i) => ({
      id: `o${(i * 37) % 120}`,
      value: 1 + ((i * 13) % 17),
      priority: i % 3,
      propensity: 0.1 + ((i * 7) % 5) / 10,
      exclusionGroups: i % 4 === 0 ? [`g${i % 3}`] : [],
    }));
    const cat = parseCatalogue({ offers });
    for (const slots of [3, 12, 200]) {
      const r = arbitrate({}, cat, empty, { now: NOW, channel: 'web', slots });
      const ref = naiveArbitrate(cat, empty, { segments: [] }, { now: NOW, channel: 'web', slots });
      expect(ids(r)).toEqual(ref.selected);
      expect(r.excluded.map((e) => [e.offerId, e.reason.code])).toEqual(ref.excluded);
    }
  });
});

describe('scores that overflow', () => {
  it('a score of ∞ × 0 (NaN: an overflowing context weight, an underflowing value) is excluded, never ranked first', () => {
    const cat = parseCatalogue({ valueScale: 'linear', offers: [{ id: 'x', value: 1e-320, channelWeights: { web: 1e308 } }, { id: 'm', value: 1e308 }] });
    const r = arbitrate({ weights: { x: 10 } }, cat, empty, { now: NOW, channel: 'web' });
    expect(ids(r)).toEqual(['m']);
    expect(codeOf(r, 'x')).toBe('OFFER_ZERO_SCORE');
  });

  it('scores tied at ∞ rank by priority then id on both ranking paths (the sorted path kept catalogue order)', () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.record({ id: fc.constantFrom('a', 'b', 'c', 'd', 'B'), priority: fc.integer({ min: -2, max: 2 }) }), { selector: (o) => o.id, minLength: 1 }), fc.constantFrom(3, 80), (huge, fill) => {
        const cat = parseCatalogue({
          valueScale: 'none',
          offers: [...huge.map((o) => ({ ...o, value: 1e308, lever: 10 })), ...Array.from({ length: fill }, (_, i) => ({ id: `f${i}`, value: 1 }))],
        });
        const expected = [...huge].sort((p, q) => q.priority - p.priority || (p.id < q.id ? -1 : 1)).map((o) => o.id);
        expect(ids(arbitrate({}, cat, empty, { now: NOW, channel: 'web', slots: 9 })).slice(0, huge.length)).toEqual(expected);
      }),
      { numRuns: 100 },
    );
  });
});

describe('budgets below 1', () => {
  it('an offer whose budget of 1e-10 is spent is excluded (the 1e-9 slack let it through)', () => {
    const cat = parseCatalogue({ offers: [{ id: 'x', budget: { total: 1e-10, cost: 1e-10 } }] });
    const r = arbitrate({}, cat, empty, { now: NOW, channel: 'web', usage: { x: { spent: 1e-10 } } });
    expect(codeOf(r, 'x')).toBe('OFFER_BUDGET_EXHAUSTED');
    expect(ids(arbitrate({}, cat, empty, { now: NOW, channel: 'web', usage: { x: { spent: 0 } } }))).toEqual(['x']);
  });
});

describe('budgets past 2^53', () => {
  it('an offer is excluded exactly when spent + cost exceeds the total (integers up to 2^62, compared as BigInt)', () => {
    const big = fc.oneof(fc.bigInt({ min: 0n, max: 2n ** 62n }), fc.bigInt({ min: 0n, max: 64n }));
    fc.assert(
      fc.property(big, big, fc.bigInt({ min: -8n, max: 8n }), (t, c, d) => {
        const [total, cost] = [Number(t), Number(c)];
        // Spent near total − cost, where rounding decides; every value an exact double, compared exactly as BigInt.
        const spent = Math.max(0, Number(BigInt(total) - BigInt(cost) + d));
        const over = BigInt(spent) + BigInt(cost) > BigInt(total);
        const reason = usedUpBy({ capacity: null, budget: { total, cost } }, { spent });
        expect(reason?.code === 'OFFER_BUDGET_EXHAUSTED').toBe(over);
      }),
      { numRuns: 3000 },
    );
    expect(usedUpBy({ capacity: null, budget: { total: 1e16, cost: 1 } }, { spent: 1e16 })?.code).toBe('OFFER_BUDGET_EXHAUSTED');
    expect(usedUpBy({ capacity: null, budget: { total: 1e300, cost: 1 } }, { spent: 1e300 })?.code).toBe('OFFER_BUDGET_EXHAUSTED');
    expect(usedUpBy({ capacity: null, budget: { total: 1e300, cost: 1 } }, { spent: 0 })).toBeNull();
    expect(usedUpBy({ capacity: null, budget: { total: 100_000, cost: 0.1 } }, { spent: 99_999.9 })).toBeNull();
    expect(usedUpBy({ capacity: null, budget: { total: 10, cost: 1 } }, { spent: Number.NaN })?.code).toBe('OFFER_BUDGET_EXHAUSTED');
  });
});

describe('prepareArbitration', () => {
  const cat = parseCatalogue({
    offers: [
      { id: 'a', value: 10, tags: ['discount', 'category:shoes'], policy: { maxPresentations: { count: 1, window: '7d' } } },
      { id: 'b', value: 5, prerequisites: ['a'] },
    ],
    guards: [{ id: 'g', offerTags: ['discount'], window: '30d' }],
  });
  const history = buildHistory('p1', [{ offerId: 'a', channel: 'web', at: NOW - DAY }], [], [{ at: NOW - 2 * DAY, category: 'bags', fullPrice: true, type: 'purchase' }]);

  it('reads the history once for several calls, each answering as without it', () => {
    const prepared = prepareArbitration(cat, history, NOW);
    for (const channel of ['web', 'email', 'web']) {
      expect(arbitrate({}, cat, history, { now: NOW, channel }, prepared)).toEqual(arbitrate({}, cat, history, { now: NOW, channel }));
    }
    expect(codeOf(arbitrate({}, cat, history, { now: NOW, channel: 'web' }, prepared), 'a')).toBe('OFFER_SUPPRESSED_PRESENTATIONS');
  });

  it('reads the history again when records were added to it since (a purchase, the email contact just recorded)', () => {
    const h = buildHistory('p1', [], [], []);
    const prepared = prepareArbitration(cat, h, NOW);
    expect(ids(arbitrate({}, cat, h, { now: NOW, channel: 'email' }, prepared))).toEqual(['a']);
    (h.events as Array<(typeof h.events)[number]>).push({ subjectId: 'p1', type: 'purchase', at: NOW - DAY, channel: 'store', properties: { category: 'shoes', fullPrice: true } });
    expect(codeOf(arbitrate({}, cat, h, { now: NOW, channel: 'push' }, prepared), 'a')).toBe('OFFER_CANNIBALISATION');
    (h.contacts as Array<(typeof h.contacts)[number]>).push({ ...history.contacts[0]!, channel: 'email' });
    expect(codeOf(arbitrate({}, cat, h, { now: NOW, channel: 'push' }, prepared), 'a')).toBe('OFFER_SUPPRESSED_PRESENTATIONS');
  });

  it('refuses a context made for another catalogue, history or now, or not made by it, with INPUT_INVALID at prepared', () => {
    const prepared = prepareArbitration(cat, history, NOW);
    const other = parseCatalogue({ offers: [{ id: 'a' }] });
    const calls: Array<() => unknown> = [
      () => arbitrate({}, other, history, { now: NOW, channel: 'web' }, prepared),
      () => arbitrate({}, cat, { ...history }, { now: NOW, channel: 'web' }, prepared),
      () => arbitrate({}, cat, history, { now: NOW + 1, channel: 'web' }, prepared),
      () => arbitrate({}, cat, history, { now: NOW, channel: 'web' }, { catalogue: cat, history, now: NOW }),
    ];
    for (const call of calls) expect(call).toThrow(expect.objectContaining({ code: 'INPUT_INVALID', path: 'prepared' }));
    // Forged, wrapped, tampered or not an object: a typed error, never a TypeError from inside.
    const forged = Object.assign(Object.create(Object.getPrototypeOf(prepared) as object) as object, { catalogue: cat, history, now: NOW, index: 42, guardSets: null });
    for (const bad of [forged, new Proxy(prepared, {}), null, 5, 'x']) {
      expect(() => arbitrate({}, cat, history, { now: NOW, channel: 'web' }, bad as never)).toThrow(expect.objectContaining({ code: 'INPUT_INVALID', path: 'prepared' }));
    }
    expect(() => prepareArbitration(cat, history, Number.NaN)).toThrow(expect.objectContaining({ code: 'INPUT_INVALID', path: 'now' }));
    expect(() => prepareArbitration(cat, { subjectId: 'p1' } as never, NOW)).toThrow(expect.objectContaining({ code: 'INPUT_INVALID' }));
  });
});
