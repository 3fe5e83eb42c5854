/**
 * The synthetic retailer's marketing setup, as a service would write it: one catalogue for every channel,
 * one set of contact-pressure caps, the segments the offers target, the consent policy and identity rules.
 */
import type { DecideConfigInput } from 'crosschannel/decide';
import type { IdentityRulesInput } from 'crosschannel/identity';
import { CATEGORIES } from './world.js';

/** Our TCF vendor id (the retailer's own personalisation, as declared to the CMP). */
export const VENDOR_ID = 1000;

/** Identity rules: French numbers, and the merge protection that stops shared tablets and till placeholders. */
export const IDENTITY_RULES: IdentityRulesInput = {
  normalization: { defaultCountry: 'FR' },
  // One loyalty card and at most two emails/phones per person: a family tablet seen with two members' cards
  // must not make them one profile.
  limits: { loyalty_id: 1, email: 2, phone: 2 },
  ttl: { cookie_id: '90d' },
};

const categoryOffers = CATEGORIES.map((cat) => ({
  id: `${cat}-15`,
  name: `15% off ${cat}`,
  channels: ['email', 'web', 'app', 'push'],
  eligibility: `${cat}-browsers`,
  value: 22,
  tags: ['marketing', 'discount', `category:${cat}`],
  policy: { afterRefusals: { count: 2, window: '30d', suppressFor: '30d' }, afterAcceptance: { suppressFor: '14d' }, maxPresentations: { count: 4, window: '14d' } },
}));

/** The decision configuration shared by every channel. */
export const RETAILER_CONFIG: DecideConfigInput = {
  catalogue: {
    timeZone: 'Europe/Paris',
    valueScale: 'log',
    offers: [
      {
        id: 'cart-rescue',
        name: 'Your basket is waiting — free delivery',
        channels: ['email', 'push', 'web', 'app', 'sms'],
        eligibility: 'cart-abandoners',
        value: 30,
        tags: ['marketing'],
        policy: { afterRefusals: { count: 2, window: '14d', suppressFor: '14d' }, afterAcceptance: { suppressFor: '7d' } },
      },
      ...categoryOffers,
      {
        id: 'vip-preview',
        name: 'Private sale preview',
        channels: ['email', 'call_center', 'store', 'app'],
        eligibility: 'big-spenders',
        value: 60,
        tags: ['marketing'],
        policy: { afterAcceptance: { suppressFor: '30d' } },
      },
      {
        id: 'winback-20',
        name: 'We miss you: 20% off',
        channels: ['email', 'sms'],
        eligibility: 'dormant',
        value: 35,
        tags: ['marketing', 'discount'],
        capacity: { perDay: 300 },
        policy: { afterRefusals: { count: 1, window: '30d', suppressFor: '30d' } },
      },
      {
        id: 'double-points',
        name: 'Double loyalty points this week',
        channels: ['store', 'call_center', 'app', 'email'],
        value: 8,
        tags: ['marketing'],
        policy: { maxPresentations: { count: 2, window: '7d' }, afterAcceptance: { suppressFor: '7d' } },
      },
      {
        id: 'new-arrivals',
        name: 'New arrivals',
        channels: ['web', 'app', 'email', 'push'],
        value: 4,
        tags: ['marketing', 'content'],
        policy: { maxPresentations: { count: 3, window: '7d' } },
      },
    ],
    guards: [{ id: 'no-discount-after-full-price', offerTags: ['discount'], window: '30d' }],
  },
  caps: {
    timeZone: 'Europe/Paris',
    rules: [
      { id: 'marketing-week', kind: 'limit', limit: 4, window: 'week', scope: { tags: 'marketing' } },
      { id: 'email-day', kind: 'limit', limit: 1, window: 'day', scope: { channels: 'email' } },
      { id: 'sms-week', kind: 'limit', limit: 1, window: 'week', scope: { channels: 'sms' } },
      { id: 'push-day', kind: 'limit', limit: 1, window: 'day', scope: { channels: 'push' } },
      // Outbound messages only: an inbound call or a visit at 21:30 may still see an offer.
      { id: 'night', kind: 'quiet', ranges: [{ from: '21:00', to: '08:00' }], scope: { channels: ['sms', 'push'] } },
      { id: 'after-unsubscribe', kind: 'cooldown', after: ['unsubscribed', 'complained'], duration: '30d', scope: { tags: 'marketing' } },
    ],
  },
  segments: [
    { id: 'cart-abandoners', rule: { did: { type: 'cart_abandon' }, notSince: { type: 'purchase' }, window: { last: '7d' } } },
    ...CATEGORIES.map((cat) => ({
      id: `${cat}-browsers`,
      rule: { count: { type: ['page_view', 'app_open', 'store_visit'], where: [{ prop: 'category', op: 'eq', value: cat }] }, window: { last: '14d' }, op: 'gte', value: 2 },
    })),
    { id: 'big-spenders', rule: { aggregate: 'sum', property: 'value', event: { type: 'purchase' }, window: { last: '30d' }, op: 'gte', value: 250 } },
    {
      id: 'dormant',
      rule: {
        and: [
          { count: { type: 'purchase' }, op: 'gte', value: 1 },
          { count: { type: ['page_view', 'app_open', 'store_visit', 'purchase'] }, window: { last: '14d' }, op: 'eq', value: 0 },
        ],
      },
    },
  ],
  consent: {
    purpose: 'marketing',
    policy: {
      doubleOptIn: { channels: ['email'], window: '7d' },
      softOptIn: [{ channel: 'email', purposes: ['marketing'] }],
    },
    // Outbound channels need an opt-in; the web site, the app, the store and inbound calls are owned channels.
    ledgerChannels: ['email', 'sms', 'push'],
    tcf: { vendorId: VENDOR_ID, purposes: [1, 3, 4], channels: ['web', 'app'], missing: 'deny' },
  },
  timeZone: 'Europe/Paris',
  lookback: '60d',
  storeTimeoutMs: 1000,
  fallbackOffers: 3,
  alternatives: ['email', 'push', 'sms'],
  // Thompson sampling on the shared learned model, seeded by each request id: reproducible exploration, so
  // an offer unlucky in its first presentations still gets shown enough to learn its real rate.
  explore: true,
};
