import fc from 'fast-check';
import type { CapRuleInput, CapRuleSetInput } from '../../src/capping/rules.js';
import type { CapCandidate } from '../../src/capping/evaluate.js';
import type { ContactRecord, History, ResponseRecord } from '../../src/core/records.js';
import { DAY, HOUR, MINUTE } from '../../src/core/time.js';

/** The zones the capping issue names, plus UTC. */
export const CAPPING_ZONES = ['Europe/Paris', 'America/New_York', 'Asia/Kolkata', 'UTC'] as const;

/** Instants around which clocks change (or, for Kolkata, do not): windows must neither open nor shut early. */
export const DST_INSTANTS = [
  Date.parse('2026-03-08T07:00:00Z'), // New York springs forward
  Date.parse('2026-03-29T01:00:00Z'), // Paris springs forward
  Date.parse('2026-10-25T01:00:00Z'), // Paris falls back
  Date.parse('2026-11-01T06:00:00Z'), // New York falls back
  Date.parse('2026-06-15T12:00:00Z'),
];

export const CHANNEL_POOL = ['email', 'sms', 'push'] as const;
export const TAG_POOL = ['marketing', 'promotion', 'service'] as const;
const CAMPAIGNS = ['c1', 'c2'] as const;
const OFFERS = ['o1', 'o2'] as const;

const subsetArb = <T>(pool: ReadonlyArray<T>) => fc.subarray([...pool], { minLength: 1 });

/** A scope: global, or a combination of channel / campaign / offer / tag constraints (global and single ones most often). */
export const capScopeArb = fc.oneof(
  { weight: 3, arbitrary: fc.constant({}) },
  { weight: 2, arbitrary: subsetArb(CHANNEL_POOL).map((channels) => ({ channels })) },
  { weight: 2, arbitrary: subsetArb(TAG_POOL).map((tags) => ({ tags })) },
  {
    weight: 2,
    arbitrary: fc.record(
      { channels: subsetArb(CHANNEL_POOL), campaigns: subsetArb(CAMPAIGNS), offers: subsetArb(OFFERS), tags: subsetArb(TAG_POOL) },
      { requiredKeys: [] },
    ),
  },
);

const commonArb = fc.record({
  scope: capScopeArb,
  per: fc.option(fc.constantFrom('channel' as const, 'campaign' as const, 'offer' as const), { freq: 2, nil: undefined }),
  transactional: fc.constantFrom('exempt' as const, 'counted' as const, 'capped' as const),
}).map(({ scope, per, transactional }) => ({ scope, transactional, ...(per === undefined ? {} : { per }) }));

const windowArb = fc.oneof(
  fc.integer({ min: 1, max: 10 * 24 }).map((h) => ({ rolling: h * HOUR + (h % 7) * MINUTE })),
  fc.constantFrom('day' as const, 'week' as const, 'month' as const),
  fc.record({ calendar: fc.constantFrom('day' as const, 'week' as const, 'month' as const), weekStartsOn: fc.integer({ min: 0, max: 6 }) }),
);

const clock = (m: number): string => `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`;

const quietRangeArb = fc
  .record({ from: fc.integer({ min: 0, max: 1439 }), to: fc.integer({ min: 1, max: 1440 }), days: fc.option(fc.uniqueArray(fc.integer({ min: 0, max: 6 }), { minLength: 1, maxLength: 7 }), { nil: undefined }) })
  .filter((r) => r.from !== r.to)
  .map((r) => ({ from: clock(r.from), to: clock(r.to), ...(r.days === undefined ? {} : { days: r.days }) }));

/** One rule of any kind. */
export const capRuleArb: fc.Arbitrary<Omit<CapRuleInput, 'id'>> = fc.oneof(
  fc
    .record({ common: commonArb, limit: fc.integer({ min: 0, max: 4 }), window: windowArb, reserve: fc.option(fc.constant(1), { nil: undefined }) })
    .map(({ common, limit, window, reserve }) => ({ ...common, kind: 'limit' as const, limit, window, ...(reserve !== undefined && limit >= 1 ? { reserve: { slots: reserve, minPriority: 5 } } : {}) })),
  fc.record({ common: commonArb, minGap: fc.integer({ min: 1, max: 48 * 60 }) }).map(({ common, minGap }) => ({ ...common, kind: 'gap' as const, minGap: minGap * MINUTE })),
  fc.record({ common: commonArb, ranges: fc.array(quietRangeArb, { minLength: 1, maxLength: 3 }) }).map(({ common, ranges }) => ({ ...common, kind: 'quiet' as const, ranges })),
  fc
    .record({
      common: commonArb,
      duration: fc.oneof({ weight: 9, arbitrary: fc.integer({ min: 1, max: 40 * 24 }).map((h) => h * HOUR) }, { weight: 1, arbitrary: fc.constant('forever' as const) }),
      after: fc.subarray(['refused', 'unsubscribed', 'complained', 'ignored'] as const, { minLength: 1 }),
    })
    .map(({ common, duration, after }) => ({ ...common, kind: 'cooldown' as const, duration, after: [...after] })),
);

/** A rule set of 1–6 rules with ids r0…, in one of the capping zones. */
export const capRuleSetArb: fc.Arbitrary<CapRuleSetInput> = fc
  .record({ rules: fc.array(capRuleArb, { minLength: 1, maxLength: 6 }), timeZone: fc.constantFrom(...CAPPING_ZONES), weekStartsOn: fc.integer({ min: 0, max: 6 }) })
  .map(({ rules, timeZone, weekStartsOn }) => ({ timeZone, weekStartsOn, rules: rules.map((r, i) => ({ ...r, id: `r${i}` }) as CapRuleInput) }));

const fieldsArb = fc
  .record({
    channel: fc.constantFrom(...CHANNEL_POOL),
    campaignId: fc.option(fc.constantFrom(...CAMPAIGNS), { freq: 5, nil: undefined }),
    offerId: fc.option(fc.constantFrom(...OFFERS), { freq: 5, nil: undefined }),
    tags: fc.subarray([...TAG_POOL]),
    transactional: fc.oneof({ weight: 6, arbitrary: fc.constant(false) }, { weight: 1, arbitrary: fc.constant(true) }),
  })
  .map(({ campaignId, offerId, ...rest }) => ({ ...rest, ...(campaignId === undefined ? {} : { campaignId }), ...(offerId === undefined ? {} : { offerId }) }));

/** A candidate message (priority 0 or 5). */
export const capCandidateArb: fc.Arbitrary<CapCandidate> = fc
  .record({ fields: fieldsArb, priority: fc.constantFrom(0, 5) })
  .map(({ fields, priority }) => ({ ...fields, priority }));

/** A `now` near a DST change (± 10 days). */
export const capNowArb = fc.tuple(fc.constantFrom(...DST_INSTANTS), fc.integer({ min: -10 * DAY, max: 10 * DAY })).map(([base, d]) => base + d);

/** A sorted history of up to 40 contacts and 6 responses in the 40 days before `now` (a few up to 1 h after). */
export function capHistoryArb(now: number): fc.Arbitrary<History> {
  const at = fc.oneof({ weight: 3, arbitrary: fc.integer({ min: now - 40 * DAY, max: now }) }, { weight: 2, arbitrary: fc.integer({ min: now - 2 * DAY, max: now }) }, { weight: 1, arbitrary: fc.integer({ min: now, max: now + HOUR }) });
  const contact = fc.record({ fields: fieldsArb, at }).map(({ fields, at }, ): ContactRecord => ({ id: `c${at}`, subjectId: 'p', ...fields, tags: [...fields.tags], at }));
  const response = fc
    .record({ kind: fc.constantFrom('refused' as const, 'unsubscribed' as const, 'opened' as const, 'ignored' as const), fields: fieldsArb, at })
    .map(({ kind, fields, at }): ResponseRecord => {
      const r: ResponseRecord = { id: `r${at}`, subjectId: 'p', kind, channel: fields.channel, tags: [...fields.tags], at };
      if (fields.campaignId !== undefined) r.campaignId = fields.campaignId;
      if (fields.offerId !== undefined) r.offerId = fields.offerId;
      return r;
    });
  return fc
    .record({ contacts: fc.array(contact, { maxLength: 40 }), responses: fc.array(response, { maxLength: 6 }) })
    .map(({ contacts, responses }) => ({ subjectId: 'p', contacts: contacts.sort((a, b) => a.at - b.at), responses: responses.sort((a, b) => a.at - b.at), events: [] }));
}
