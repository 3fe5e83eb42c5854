/**
 * The demo retailer's journeys: a welcome series for new sign-ups and the cart-abandonment reflex (1 h push,
 * 24 h email, 72 h SMS, stopping at purchase), forecast with `simulateJourney` over the demo's customers with
 * real consent and the retailer's caps. Returns text for the console and an HTML section with each journey's
 * step funnel. Kept in its own file so the demo only needs one hook line.
 */
import { createRng } from 'crosschannel';
import { DAY, HOUR } from 'crosschannel';
import { parseCapRules } from 'crosschannel/capping';
import { consentState, parseConsentEvent } from 'crosschannel/consent';
import { parseJourney, simulateJourney, type JourneyDefinitionInput, type SimulatedPerson, type SimulationReport } from 'crosschannel/journeys';

const welcome: JourneyDefinitionInput = {
  id: 'welcome',
  version: 1,
  entry: { on: { event: 'signup' } },
  goals: [{ id: 'first-purchase', when: { event: 'purchase' } }],
  exits: [{ id: 'unsubscribed', when: { response: 'unsubscribed' } }],
  start: 'hello',
  steps: {
    hello: { type: 'send', channel: 'email', message: 'welcome-1', next: 'd3' },
    d3: { type: 'wait', duration: '3d', until: { time: '10:00' }, next: 'tips' },
    tips: { type: 'send', channel: 'email', message: 'welcome-2-tips', next: 'd7' },
    d7: { type: 'wait', duration: '4d', until: { time: '10:00' }, next: 'offer' },
    offer: { type: 'send', channel: { best: ['email', 'push'] }, message: 'welcome-3-offer' },
  },
};

const cartAbandonment: JourneyDefinitionInput = {
  id: 'cart-abandonment',
  version: 1,
  entry: { on: { event: 'cart_abandon' }, reentry: { cooldown: '7d' } },
  goals: [{ id: 'purchased', when: { event: 'purchase' } }],
  start: 'h1',
  steps: {
    h1: { type: 'wait', duration: '1h', next: 'push' },
    push: { type: 'send', channel: 'push', message: 'cart-push', onBlocked: 'skip', next: 'h24' },
    h24: { type: 'wait', duration: '23h', next: 'email' },
    email: { type: 'send', channel: 'email', message: 'cart-email', onBlocked: 'skip', next: 'h72' },
    h72: { type: 'wait', duration: '2d', next: 'sms' },
    sms: { type: 'send', channel: 'sms', message: 'cart-sms', onBlocked: 'skip' },
  },
};

/** What the demo prints and embeds. */
export interface JourneysSection {
  readonly text: string;
  readonly html: string;
  readonly reports: Readonly<Record<string, SimulationReport>>;
}

/** Forecasts both journeys over `customers` people (at most 3,000, for speed) entering during `days`. */
export function runJourneysSection(options: { seed: number; customers: number; days: number; start?: number }): JourneysSection {
  const start = options.start ?? Date.UTC(2026, 2, 2);
  const rng = createRng(`journeys:${options.seed}`);
  const caps = parseCapRules({
    rules: [
      { id: 'marketing-day', kind: 'limit', limit: 2, window: 'day', scope: { tags: 'marketing' } },
      { id: 'night', kind: 'quiet', ranges: [{ from: '21:00', to: '08:00' }] },
    ],
    timeZone: 'Europe/Paris',
  });
  const n = Math.min(options.customers, 3000);
  const people: SimulatedPerson[] = [];
  for (let i = 0; i < n; i++) {
    const subjectId = `c${i}`;
    const channels = ['email', ...(rng.next() < 0.6 ? ['push'] : []), ...(rng.next() < 0.4 ? ['sms'] : [])].filter((c) => c !== 'email' || rng.next() < 0.8);
    const consent = consentState(channels.map((channel) => parseConsentEvent({ id: `${subjectId}-${channel}`, subjectId, channel, purpose: 'marketing', kind: 'granted', at: 0, evidence: { source: 'demo' } })));
    people.push({ subjectId, consent, profile: { timeZone: 'Europe/Paris' }, enterAt: rng.int(options.days) * DAY + (9 + rng.int(12)) * HOUR });
  }
  const reports = {
    welcome: simulateJourney(parseJourney(welcome), people, { days: options.days + 12, seed: options.seed, start, caps, responseModel: { email: { opened: 0.4, clicked: 0.12, unsubscribed: 0.01, goal: 0.3 }, push: { opened: 0.25, clicked: 0.1, goal: 0.3 }, goalEvent: 'purchase' } }),
    'cart-abandonment': simulateJourney(parseJourney(cartAbandonment), people, { days: options.days + 4, seed: options.seed + 1, start, caps, responseModel: { push: { opened: 0.3, clicked: 0.15, goal: 0.35 }, email: { opened: 0.35, clicked: 0.15, goal: 0.3 }, sms: { opened: 0.9, clicked: 0.1, goal: 0.3 }, goalEvent: 'purchase' } }),
  };
  const lines = ['Journeys (forecast with simulateJourney, real consent and caps):'];
  let html = '<section id="journeys"><h2>Journeys: step funnels</h2>';
  for (const [id, r] of Object.entries(reports)) {
    lines.push(`  ${id}: ${r.population} people; outcomes ${JSON.stringify(r.outcomes)}; blocked by caps ${r.blocked.caps}, by consent ${r.blocked.consent}`);
    html += `<h3>${id}</h3><table><tr><th>step</th><th>reached</th><th>sent</th><th></th></tr>`;
    for (const f of r.funnel) {
      const s = r.steps[f.step]!;
      lines.push(`    ${f.step.padEnd(8)} ${String(f.reached).padStart(5)} reached  ${String(s.sent).padStart(5)} sent`);
      const w = r.population === 0 ? 0 : Math.round((240 * f.reached) / r.population);
      html += `<tr><td>${f.step}</td><td>${f.reached}</td><td>${s.sent}</td><td><div style="background:#4c78a8;height:10px;width:${w}px"></div></td></tr>`;
    }
    html += '</table>';
  }
  html += '</section>';
  return { text: lines.join('\n'), html, reports };
}
