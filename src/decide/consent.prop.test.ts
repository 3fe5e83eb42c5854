/**
 * The consent stage on an owned channel (not in `consent.ledgerChannels`): no opt-in is needed, so only an
 * explicit objection on the ledger (`denied`, `withdrawn`) stops it — not the absence of one, an unconfirmed
 * double opt-in, or a grant that lapsed under the policy's expiry. On an opt-in channel the ledger must be granted.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { consentState, foldConsent, parseConsentPolicy, type ConsentEvent, type ConsentPolicyInput } from '../consent/ledger.js';
import { checkChannelConsent } from './consent.js';
import { parseDecideConfig } from './config.js';
import { parseDecideRequest } from './request.js';

const NOW = Date.parse('2026-03-04T10:00:00Z');
const DAY = 86_400_000;
const POLICIES: ConsentPolicyInput[] = [{}, { expiry: { marketing: { days: 20 } } }, { doubleOptIn: { channels: ['web', 'email'], window: { days: 3 } } }];
const config = (policy: ConsentPolicyInput) =>
  parseDecideConfig({ catalogue: { offers: [] }, caps: { rules: [] }, consent: { ledgerChannels: ['email'], policy } }, { clock: () => 0 });
const request = (channel: string) => parseDecideRequest({ requestId: 'r', identifiers: [{ type: 'email', value: 'ann@example.com' }], channel, now: NOW });

const eventsArb = fc.array(
  fc.record({
    channel: fc.constantFrom('web', 'email', '*'),
    purpose: fc.constantFrom('marketing', '*'),
    kind: fc.constantFrom('granted', 'confirmed', 'denied', 'withdrawn', 'existing_customer'),
    daysAgo: fc.integer({ min: 0, max: 60 }),
  }),
  { maxLength: 6 },
);

describe('checkChannelConsent', () => {
  it('an owned channel is stopped by an explicit objection only; an opt-in channel needs a grant', () => {
    fc.assert(
      fc.property(fc.constantFrom(...POLICIES), eventsArb, (policy, raw) => {
        const events: ConsentEvent[] = raw.map((e, i) => ({ id: `e${i}`, subjectId: 's', channel: e.channel, purpose: e.purpose, kind: e.kind, at: NOW - e.daysAgo * DAY, evidence: { source: 't' } }));
        const ledger = consentState(events, parseConsentPolicy(policy));
        const cfg = config(policy);
        const web = foldConsent(ledger, 'web', 'marketing', NOW).status;
        expect(checkChannelConsent(cfg, ledger, 'web', request('web')).allowed).toBe(web !== 'denied' && web !== 'withdrawn');
        const email = foldConsent(ledger, 'email', 'marketing', NOW).status;
        expect(checkChannelConsent(cfg, ledger, 'email', request('email')).allowed).toBe(email === 'granted');
      }),
      { numRuns: 500 },
    );
  });

  it('a lapsed grant on an owned channel is a note, not a refusal', () => {
    const policy = POLICIES[1]!;
    const ledger = consentState([{ id: 'g', subjectId: 's', channel: 'web', purpose: 'marketing', kind: 'granted', at: NOW - 30 * DAY, evidence: { source: 't' } }], parseConsentPolicy(policy));
    expect(foldConsent(ledger, 'web', 'marketing', NOW).status).toBe('expired');
    const d = checkChannelConsent(config(policy), ledger, 'web', request('web'));
    expect(d.allowed).toBe(true);
    expect(d.reasons.map((r) => r.code)).toEqual(['DECIDE_OWNED_CHANNEL']);
  });
});
