/**
 * The four scenarios of the journeys issue as definitions, shared by the tests, the docs example, the
 * simulation and the benchmark. Test-only helpers; not part of the public API.
 */
import { DAY, HOUR } from '../../core/time.js';
import type { JourneyDefinitionInput } from '../definition.js';

/** B2B white paper: the canonical scenario (J+1 … J+60 after the download). */
export const whitePaper: JourneyDefinitionInput = {
  id: 'white-paper',
  version: 1,
  name: 'B2B white paper nurture',
  timeZone: 'Europe/Paris',
  entry: { on: { event: 'white_paper_download' }, reentry: 'never' },
  goals: [
    { id: 'demo-booked', when: { event: 'demo_booked' } },
    { id: 'purchased', when: { event: 'purchase' } },
  ],
  exits: [{ id: 'unsubscribed', when: { response: ['unsubscribed', 'complained'] } }],
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

/** Reflex: opened → phase A, clicked → phase B, nothing within 3 days → reminder by SMS. */
export const reflex: JourneyDefinitionInput = {
  id: 'reflex',
  version: 1,
  entry: { on: 'manual' },
  start: 'first',
  steps: {
    first: { type: 'send', channel: 'email', message: 'spring-offer', next: 'clicked' },
    clicked: { type: 'waitFor', signal: { response: 'clicked', step: 'first' }, timeout: '3d', next: 'phase-b', onTimeout: 'opened' },
    // After the 3 days: an opener without a click gets phase A; nobody reacted: a reminder on another channel.
    opened: { type: 'split', branches: [{ when: { reacted: { step: 'first', kind: 'opened' } }, next: 'phase-a' }], otherwise: 'reminder' },
    'phase-a': { type: 'send', channel: 'email', message: 'phase-a-details' },
    'phase-b': { type: 'send', channel: 'email', message: 'phase-b-checkout-help' },
    reminder: { type: 'send', channel: 'sms', message: 'spring-offer-reminder' },
  },
};

/** Two-way SMS: "reply YES PAUL or NO PAUL". */
export const renewal: JourneyDefinitionInput = {
  id: 'renewal',
  version: 1,
  entry: { on: 'manual' },
  start: 'ask',
  steps: {
    ask: { type: 'send', channel: 'sms', message: 'renewal-reply-yes-or-no-with-name', tags: ['service'], purpose: 'service', next: 'answer' },
    answer: {
      type: 'reply',
      channel: 'sms',
      names: 'children',
      choices: [
        { id: 'yes', keywords: ['yes', 'oui', 'ok'], next: 'confirm-yes' },
        { id: 'no', keywords: ['no', 'non'], next: 'confirm-no' },
      ],
      help: 'renewal-help',
      timeout: '7d',
    },
    'confirm-yes': { type: 'send', channel: 'sms', message: 'renewal-confirmed', tags: ['service'], transactional: true, purpose: 'service' },
    'confirm-no': { type: 'send', channel: 'sms', message: 'renewal-declined', tags: ['service'], transactional: true, purpose: 'service' },
  },
};

/** Lifecycle: maintenance reminder 11 months after the last service, at 10:00 local on a weekday. */
export const maintenance: JourneyDefinitionInput = {
  id: 'maintenance',
  version: 1,
  timeZone: 'Europe/Paris',
  entry: { on: 'manual', reentry: { cooldown: '300d' } },
  start: 'when',
  steps: {
    when: { type: 'wait', date: { attr: 'lastServiceAt', offsetMonths: 11 }, until: { time: '10:00', weekdays: [1, 2, 3, 4, 5] }, next: 'remind' },
    remind: { type: 'send', channel: 'email', message: 'maintenance-due', tags: ['service'], purpose: 'service' },
  },
};

/** Cart abandonment: 1 h push, 24 h email, 72 h SMS, stopping at purchase. */
export const cartAbandonment: JourneyDefinitionInput = {
  id: 'cart-abandonment',
  version: 1,
  entry: { on: { event: 'cart_abandon' }, reentry: { cooldown: '7d' } },
  goals: [{ id: 'purchased', when: { event: 'purchase' } }],
  start: 'h1',
  steps: {
    h1: { type: 'wait', duration: HOUR, next: 'push' },
    push: { type: 'send', channel: 'push', message: 'cart-push', onBlocked: 'skip', next: 'h24' },
    h24: { type: 'wait', duration: 23 * HOUR, next: 'email' },
    email: { type: 'send', channel: 'email', message: 'cart-email', onBlocked: 'skip', next: 'h72' },
    h72: { type: 'wait', duration: 2 * DAY, next: 'sms' },
    sms: { type: 'send', channel: 'sms', message: 'cart-sms', onBlocked: 'skip' },
  },
};

/** A welcome series (the demo's retailer). */
export const welcome: JourneyDefinitionInput = {
  id: 'welcome',
  version: 1,
  entry: { on: { event: 'signup' } },
  goals: [{ id: 'first-purchase', when: { event: 'purchase' } }],
  exits: [{ id: 'unsubscribed', when: { response: 'unsubscribed' } }],
  start: 'hello',
  steps: {
    hello: { type: 'send', channel: 'email', message: 'welcome-1', next: 'd3' },
    d3: { type: 'wait', duration: '3d', next: 'tips' },
    tips: { type: 'send', channel: 'email', message: 'welcome-2-tips', next: 'd7' },
    d7: { type: 'wait', duration: '4d', next: 'offer' },
    offer: { type: 'send', channel: 'email', message: 'welcome-3-offer' },
  },
};
