/**
 * Timing walkthrough: `npx tsx examples/timing.ts`.
 * The recipe of docs/timing.md — learn when each person answers and on which channel from the shared history,
 * then find the best moment the caps allow in the next week, rank channels by expected value, and check the
 * learned moments against a fixed 10:00 send on held-out weeks.
 */
import { parseCapRules } from 'crosschannel/capping';
import { createHistory, parseContactRecord, type ContactRecord, type ResponseRecord } from 'crosschannel';
import { createRng } from 'crosschannel';
import { toIsoString } from 'crosschannel';
import { bestSendTime, compileSendCaps, hourProfile, parseTimingModel, rankChannels, refit, replayEvaluation, TimingModel } from 'crosschannel/timing';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const start = Date.parse('2026-03-02T00:00:00Z');
const now = start + 12 * 7 * DAY;
const rng = createRng(11);

// Simulated people with hidden habits: 300 customers in Paris and New York, each answering mostly within an
// hour of their own preferred local hour and more on their preferred channel. Alice (Paris) reads at 19:00;
// Bob (New York) at 08:00 and answers SMS rather than email.
const zones = ['Europe/Paris', 'America/New_York'];
const people = [
  { id: 'alice', zone: 'Europe/Paris', hour: 19, channel: 'email' },
  { id: 'bob', zone: 'America/New_York', hour: 8, channel: 'sms' },
  ...Array.from({ length: 298 }, (_, i) => ({ id: `c${i}`, zone: zones[i % 2]!, hour: 7 + rng.int(15), channel: rng.next() < 0.5 ? 'email' : 'sms' })),
];
const localHour = (at: number, zone: string): number => Number(new Intl.DateTimeFormat('en-GB', { timeZone: zone, hour: 'numeric', hourCycle: 'h23' }).format(at));
const histories = people.map((p) => {
  const contacts: ContactRecord[] = [];
  const responses: ResponseRecord[] = [];
  for (let k = 0; k < 60; k++) {
    const at = start + rng.int(12 * 7 * 24) * HOUR;
    const channel = k % 2 === 0 ? 'email' : 'sms';
    const id = `${p.id}-${k}`;
    contacts.push(parseContactRecord({ id, subjectId: p.id, channel, at, tags: ['marketing'] }));
    const d = Math.abs(localHour(at, p.zone) - p.hour);
    if (rng.next() < (Math.min(d, 24 - d) <= 1 ? 0.6 : 0.04) * (channel === p.channel ? 1 : 0.4)) {
      responses.push({ id: `${id}-r`, subjectId: p.id, contactId: id, kind: 'opened', channel, at: at + 20 * 60_000, tags: [] });
    }
  }
  return createHistory(p.id, { contacts, responses });
});

// 1. Learn (incremental per record; `observeHistory` checks every response answers a contact first).
const model = new TimingModel({ channels: ['email', 'sms', 'push'] });
for (const p of people) model.setProfile(p.id, { timeZone: p.zone, segment: 'retail' });
for (const h of histories) model.observeHistory(h, now);
const fit = refit(model);
console.log(`concentrations: hours person ${fit.hours.person.toFixed(1)} (pseudo-responses the segment is worth)`);
for (const p of people.slice(0, 2)) {
  const profile = hourProfile(model, p.id);
  const best = profile.indexOf(Math.max(...profile));
  console.log(`${p.id.padEnd(6)} best hour of week: ${['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'][Math.floor(best / 24)]} ${best % 24}:00 local (true ${p.hour}:00)`);
}

// 2. The best legal moment for Alice this week: no more than 1 message a day, nothing 21:00–08:00.
const caps = compileSendCaps(
  parseCapRules({
    timeZone: 'Europe/Paris',
    rules: [
      { id: 'day', description: 'one message a day', kind: 'limit', limit: 1, window: 'day' },
      { id: 'night', description: 'nothing at night', kind: 'quiet', ranges: [{ from: '21:00', to: '08:00' }] },
    ],
  }),
);
const alice = createHistory('alice', { contacts: [parseContactRecord({ id: 'today', subjectId: 'alice', channel: 'email', at: now - 2 * HOUR })] });
const answer = bestSendTime(model, 'alice', { channel: 'email', now, horizon: '7d', caps, history: alice });
console.log(`\nAlice, email: best ${answer.best ? toIsoString(answer.best.at) : 'none'} — ${answer.reasons[0]?.message}`);
for (const m of answer.runnerUps) console.log(`  runner-up ${toIsoString(m.at)} (score ${m.score.toFixed(4)})`);
for (const e of answer.excluded) console.log(`  excluded  ${toIsoString(e.at)}: ${e.reasons.map((r) => `${r.code} (${r.message})`).join('; ')}`);

// 3. Which channel for Bob? Expected value = P(convert) × value + P(respond) × value − cost, consent first.
const ranked = rankChannels(model, 'bob', {
  channels: { email: { cost: 0.001, responseValue: 1 }, sms: { cost: 0.05, responseValue: 1 }, push: { cost: 0 } },
  consent: { email: true, sms: true, push: 'denied' },
});
console.log('\nBob’s channels:');
for (const c of ranked) console.log(`  ${c.channel.padEnd(5)} response ${c.responseRate.toFixed(3)}  EV ${c.expectedValue === null ? '—' : c.expectedValue.toFixed(3)} ${c.reasons.map((r) => r.code).join(' ')}`);

// 4. Offline replay: train on 9 weeks, replay the last 3 against a fixed 10:00 send.
const { evaluation } = replayEvaluation(histories, { splitAt: start + 9 * 7 * DAY, now, fixedHour: 10, tolerance: 1, profile: (id) => ({ timeZone: people.find((p) => p.id === id)!.zone }) });
console.log(`\nreplay: learned moments ${evaluation.model.responded}/${evaluation.model.matched}, 10:00 ${evaluation.fixed.responded}/${evaluation.fixed.matched}, lift ${evaluation.lift === null ? '—' : `${(evaluation.lift * 100).toFixed(0)}%`}`);

// 5. Ship it: versioned JSON, validated on load.
const copy = parseTimingModel(JSON.parse(JSON.stringify(model)));
console.log(`\nserialised ${JSON.stringify(model).length} bytes; reloaded ${copy.size} people`);
