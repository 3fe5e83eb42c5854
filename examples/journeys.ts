/**
 * Journeys end to end: the B2B white-paper nurture for one prospect, run by a journey runner over memory
 * stores with a simulated clock; then a forecast over 1,000 prospects before launch, and a dry run of a new
 * version. Run with `npx tsx examples/journeys.ts`.
 */
import { MemoryContactHistoryStore, MemoryJourneyStore } from 'crosschannel/adapters/memory';
import { DAY, HOUR } from 'crosschannel';
import { parseCapRules } from 'crosschannel/capping';
import { consentState, parseConsentEvent } from 'crosschannel/consent';
import { createJourneyRunner, diffJourney, parseJourney, simulateJourney, type JourneyDefinitionInput } from 'crosschannel/journeys';

const whitePaper: JourneyDefinitionInput = {
  id: 'white-paper',
  version: 1,
  timeZone: 'Europe/Paris',
  entry: { on: { event: 'white_paper_download' }, reentry: 'never' },
  goals: [{ id: 'demo-booked', when: { event: 'demo_booked' } }, { id: 'purchased', when: { event: 'purchase' } }],
  exits: [{ id: 'unsubscribed', when: { response: 'unsubscribed' } }],
  start: 'thanks',
  steps: {
    thanks: { type: 'send', channel: 'email', message: 'white-paper-download', tags: ['service'], transactional: true, purpose: 'service', next: 'j1' },
    j1: { type: 'wait', duration: '1d', next: 'qualify-call' },
    'qualify-call': { type: 'task', task: 'call_center', payload: { reason: 'qualify' }, next: 'brochure' },
    brochure: { type: 'send', channel: { best: ['direct_mail', 'email'] }, message: 'brochure', next: 'j7' },
    j7: { type: 'wait', duration: '6d', next: 'newsletter' },
    newsletter: { type: 'send', channel: 'email', message: 'newsletter', next: 'j9' },
    j9: { type: 'wait', duration: '2d', next: 'look' },
    look: {
      type: 'split',
      branches: [{ id: 'opened-not-clicked', when: { all: [{ reacted: { step: 'newsletter', kind: 'opened' } }, { notReacted: { step: 'newsletter', kind: 'clicked' } }] }, next: 'j15' }],
      otherwise: 'j20-direct',
    },
    j15: { type: 'wait', duration: '6d', next: 'demo-invite' },
    'demo-invite': { type: 'send', channel: 'email', message: 'web-demo-invite', next: 'j20' },
    j20: { type: 'wait', duration: '5d', next: 'event-invite' },
    'j20-direct': { type: 'wait', duration: '11d', next: 'event-invite' },
    'event-invite': { type: 'send', channel: 'email', message: 'webinar-or-open-day', next: 'j25' },
    j25: { type: 'wait', duration: '5d', next: 'testimonials' },
    testimonials: { type: 'send', channel: 'email', message: 'two-video-testimonials', next: 'j40' },
    j40: { type: 'wait', duration: '15d', next: 'project-call' },
    'project-call': { type: 'task', task: 'call_center', payload: { reason: 'qualify-project' }, next: 'j60' },
    j60: { type: 'wait', duration: '20d', next: 'promotion' },
    promotion: { type: 'send', channel: 'email', message: 'special-promotion' },
  },
};

const journey = parseJourney(whitePaper);
const caps = parseCapRules({ rules: [{ id: 'marketing-week', kind: 'limit', limit: 2, window: { rolling: '7d' }, scope: { tags: 'marketing' } }] });
const consentOf = (subjectId: string) =>
  consentState(
    ['email', 'direct_mail'].flatMap((channel) =>
      ['marketing', 'service'].map((purpose) => parseConsentEvent({ id: `${subjectId}-${channel}-${purpose}`, subjectId, channel, purpose, kind: 'granted', at: 0, evidence: { source: 'white-paper-form' } })),
    ),
  );

// 1. One prospect, a runner over memory stores, a simulated clock.
const T0 = Date.parse('2026-03-02T08:00:00Z');
const day = (n: number) => T0 + n * DAY;
const contacts = new MemoryContactHistoryStore();
const log: string[] = [];
const runner = createJourneyRunner({
  store: new MemoryJourneyStore(),
  contacts,
  caps,
  journeys: [journey],
  person: (subjectId) => ({ consent: consentOf(subjectId), profile: { timeZone: 'Europe/Paris' } }),
  handlers: {
    send: (a) => void log.push(`J+${Math.round((a.at - T0) / DAY)} send ${a.channel} ${a.message} (key ${a.key})`),
    task: (a) => void log.push(`J+${Math.round((a.at - T0) / DAY)} task ${a.task} ${JSON.stringify(a.payload)}`),
  },
});
const enrolled = await runner.ingest({ id: 'form-881', event: { subjectId: 'lead-1', type: 'white_paper_download', at: T0, properties: { paper: 'edge-ai' } } }, T0);
const instanceId = enrolled.enrolled[0]!;
for (let t = T0; t <= day(61); t += 12 * HOUR) {
  if (t === day(8)) {
    // The prospect opens the J+7 newsletter (the reaction names the send by its key) but does not click.
    await runner.ingest({ id: 'open-1', response: { subjectId: 'lead-1', kind: 'opened', at: t, contactId: `${instanceId}:newsletter:6` } }, t);
  }
  await runner.drain(t);
}
console.log('One prospect, J+0 … J+60:');
for (const line of log) console.log(`  ${line}`);
console.log(`  contacts recorded in the shared history: ${(await contacts.history('lead-1')).contacts.length}`);

// 2. Forecast before launch: 1,000 prospects, the real caps and consent, a seeded response model.
const people = Array.from({ length: 1000 }, (_, i) => ({ subjectId: `p${i}`, consent: consentOf(`p${i}`), enterAt: (i % 24) * HOUR }));
const forecast = simulateJourney(journey, people, {
  days: 65,
  seed: 2026,
  start: T0,
  caps,
  responseModel: { email: { opened: 0.35, clicked: 0.3, unsubscribed: 0.01, goal: 0.15 }, goalEvent: 'demo_booked' },
});
console.log('\nForecast over 1,000 prospects:');
for (const f of forecast.funnel) console.log(`  ${f.step.padEnd(14)} ${String(f.reached).padStart(5)}`);
console.log(`  outcomes: ${JSON.stringify(forecast.outcomes)}`);
console.log(`  email contacts per person-week: ${forecast.contactsPerPersonWeek.email?.toFixed(2)}; blocked by caps: ${forecast.blocked.caps}, by consent: ${forecast.blocked.consent}`);

// 3. A new version while people are in flight: a dry run says who would move where.
const v2 = parseJourney({ ...whitePaper, version: 2, steps: { ...whitePaper.steps, j60: { type: 'wait', duration: '10d', next: 'promotion' } } });
const inFlight = [{ id: 'x', journeyId: 'white-paper', version: 1, subjectId: 'p9', status: 'active' as const, step: 'j60', seq: 20, enteredAt: T0, stepAt: day(40), wakeAt: day(60) }];
console.log('\nVersion 2 dry run:', diffJourney(journey, v2, inFlight, { j60: 'j60' }).counts);
