/**
 * Capping walkthrough: `npx tsx examples/capping.ts`.
 * The recipe of docs/capping.md — at most 3 marketing messages a week across all channels, 1 SMS a day, nothing
 * between 21:00 and 08:00 local time, nothing for 30 days after an unsubscribe, service messages always allowed —
 * evaluated purely, planned, then reserved atomically through a store.
 */
import { MemoryContactHistoryStore } from 'crosschannel/adapters/memory';
import { evaluateCaps, parseCapRules, planContacts } from 'crosschannel/capping';
import { toIsoString } from 'crosschannel';

const caps = parseCapRules({
  timeZone: 'Europe/Paris',
  rules: [
    { id: 'marketing-week', description: 'at most 3 marketing messages a week', kind: 'limit', limit: 3, window: 'week', scope: { tags: 'marketing' } },
    { id: 'sms-day', description: 'at most 1 SMS a day', kind: 'limit', limit: 1, window: 'day', scope: { channels: 'sms' } },
    { id: 'night', description: 'nothing between 21:00 and 08:00', kind: 'quiet', ranges: [{ from: '21:00', to: '08:00' }] },
    { id: 'unsubscribed', description: '30 days of silence after an unsubscribe', kind: 'cooldown', after: ['unsubscribed'], duration: '30d' },
  ],
});

const store = new MemoryContactHistoryStore({ retention: '90d' });
const monday = Date.parse('2026-06-01T09:00:00+02:00');
const at = (hours: number) => monday + hours * 3_600_000;
const show = (label: string, d: { allowed: boolean; reasons: ReadonlyArray<{ code: string; message: string }>; nextAllowedAt: number | null }) =>
  console.log(
    `${label.padEnd(42)} ${d.allowed ? 'ALLOWED ' : 'REFUSED '}${d.reasons.map((r) => `${r.code} (${r.message})`).join('; ')}${
      d.allowed ? '' : ` → next ${d.nextAllowedAt === null ? 'never' : toIsoString(d.nextAllowedAt)}`
    }`,
  );

// Three channels send marketing on Monday (09:00, 12:00, 15:00 Paris); each reservation is atomic.
for (const [i, channel] of (['email', 'sms', 'push'] as const).entries()) {
  const r = await store.reserve({ id: `m${i}`, subjectId: 'ana', channel, tags: ['marketing'], at: at(i * 3), idempotencyKey: `campaign-42/${channel}` }, caps);
  show(`reserve ${channel} marketing @ ${toIsoString(at(i * 3))}`, r.decision);
}

// A fourth marketing message the same week is refused until next Monday 08:00 Paris (midnight is in quiet hours).
const history = await store.history('ana');
show('email marketing, Wednesday 10:00', evaluateCaps(history, caps, { channel: 'email', tags: ['marketing'] }, { now: at(49) }));
// A second SMS the same day, even a service one that is not transactional, waits for tomorrow 08:00.
show('sms service, Monday 17:00', evaluateCaps(history, caps, { channel: 'sms', tags: ['service'] }, { now: at(8) }));
// Service messages flagged transactional bypass every rule (order confirmations, password resets).
show('sms transactional, Monday 23:00', evaluateCaps(history, caps, { channel: 'sms', transactional: true }, { now: at(14) }));
// Same instant, a subject in New York is outside quiet hours.
show('push, 22:00 Paris for a New Yorker', evaluateCaps({ contacts: [], responses: [] }, caps, { channel: 'push' }, { now: at(13), timeZone: 'America/New_York' }));

// A retried reservation (same idempotency key) returns the original outcome and counts once.
const retry = await store.reserve({ id: 'm0-retry', subjectId: 'ana', channel: 'email', tags: ['marketing'], at: at(1), idempotencyKey: 'campaign-42/email' }, caps);
console.log(`retry of campaign-42/email: replayed=${retry.replayed} granted=${retry.granted}; contacts stored: ${(await store.history('ana')).contacts.length}`);

// An unsubscribe silences every channel for 30 days.
await store.recordResponse({ id: 'u1', subjectId: 'ana', kind: 'unsubscribed', channel: 'email', at: at(50) });
show('push after unsubscribe', evaluateCaps(await store.history('ana'), caps, { channel: 'push', tags: ['news'] }, { now: at(51) }));

// Several candidates at once: the planner admits by priority, then id, counting the ones it admitted.
const plan = planContacts({ contacts: [], responses: [] }, caps, [
  { id: 'promo-sms', channel: 'sms', tags: ['marketing'], priority: 1 },
  { id: 'reminder-sms', channel: 'sms', priority: 5 },
  { id: 'promo-email', channel: 'email', tags: ['marketing'], priority: 1 },
], { now: at(2) });
console.log(`plan: send ${plan.send.map((c) => c.id).join(', ')}; hold ${plan.hold.map((h) => `${h.candidate.id} (${h.decision.reasons.map((r) => r.rule).join(', ')})`).join(', ')}`);
