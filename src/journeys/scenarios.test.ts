import { describe, expect, it } from 'vitest';
import { DAY, HOUR, localTime } from '../core/time.js';
import { parseCapRules } from '../capping/rules.js';
import { consentState, parseConsentEvent } from '../consent/ledger.js';
import type { JourneyAction } from './actions.js';
import { advance } from './advance.js';
import { parseJourney, type Journey } from './compile.js';
import type { AdvanceInputs } from './inputs.js';
import { startInstance, type JourneyInstance } from './instance.js';
import { cartAbandonment, maintenance, reflex, renewal, whitePaper } from './scenarios/fixtures.js';

const T0 = Date.parse('2026-03-02T08:00:00Z'); // Monday 09:00 in Paris
const consentFor = (subjectId: string, channels: string[], purposes = ['marketing', 'service']) =>
  consentState(
    channels.flatMap((channel) =>
      purposes.map((purpose, i) => parseConsentEvent({ id: `${channel}-${purpose}-${i}`, subjectId, channel, purpose, kind: 'granted', at: T0 - DAY, evidence: { source: 'test' } })),
    ),
  );

/** Advances at every wake-up until `until`, feeding inputs at their times; returns all actions. */
function drive(journey: Journey, start: JourneyInstance, until: number, base: AdvanceInputs, inbound: Array<{ at: number; inputs: AdvanceInputs }> = []) {
  let inst = start;
  const actions: JourneyAction[] = [];
  const queue = [...inbound].sort((a, b) => a.at - b.at);
  let t = start.wakeAt ?? until;
  for (let guard = 0; guard < 1000; guard++) {
    const nextInput = queue[0];
    const wake = inst.wakeAt ?? Infinity;
    t = Math.min(wake, nextInput?.at ?? Infinity);
    if (t > until || t === Infinity) break;
    const extra = nextInput !== undefined && nextInput.at === t ? queue.shift()!.inputs : {};
    const r = advance(journey, inst, { ...base, ...extra }, t);
    actions.push(...r.actions);
    inst = r.instance;
    if (inst.status !== 'active') break;
  }
  return { instance: inst, actions };
}

const day = (n: number) => T0 + n * DAY;

describe('B2B white paper (canonical)', () => {
  const journey = parseJourney(whitePaper);
  const consent = consentFor('lead-1', ['email', 'direct_mail']);
  const caps = parseCapRules({ rules: [{ id: 'week', kind: 'limit', limit: 3, window: { rolling: '7d' }, scope: { tags: 'marketing' } }] });

  it('runs J+0 … J+60 for an opener who did not click', () => {
    const start = startInstance(journey, 'lead-1', T0);
    const newsletterKey = `${start.id}:newsletter:6`;
    const { instance, actions } = drive(journey, start, day(61), { consent, caps }, [
      { at: day(7) + HOUR, inputs: { responses: [{ subjectId: 'lead-1', kind: 'opened', at: day(7) + HOUR, contactId: newsletterKey }] } },
    ]);
    const seen = actions.map((a) => [Math.round((a.at - T0) / DAY), a.kind === 'send' ? a.message : a.kind === 'task' ? `task:${(a.payload as { reason: string }).reason}` : a.kind, a.kind === 'send' ? a.channel : '']);
    expect(seen).toEqual([
      [0, 'white-paper-download', 'email'],
      [1, 'task:qualify', ''],
      [1, 'brochure', 'direct_mail'],
      [7, 'newsletter', 'email'],
      [15, 'web-demo-invite', 'email'],
      [20, 'webinar-or-open-day', 'email'],
      [25, 'two-video-testimonials', 'email'],
      [40, 'task:qualify-project', ''],
      [60, 'special-promotion', 'email'],
    ]);
    expect(actions.find((a) => a.kind === 'send' && a.message === 'newsletter')!.key).toBe(newsletterKey);
    expect(instance.status).toBe('completed');
  });

  it('does not invite a clicker (or a non-opener) to the web demo', () => {
    const start = startInstance(journey, 'lead-1', T0);
    const key = `${start.id}:newsletter:6`;
    const r = drive(journey, start, day(30), { consent, caps }, [
      // Delivered once both happened: an input is never applied before its time.
      { at: day(8) + 1, inputs: { responses: [{ subjectId: 'lead-1', kind: 'opened', at: day(8), contactId: key }, { subjectId: 'lead-1', kind: 'clicked', at: day(8) + 1, contactId: key }] } },
    ]);
    expect(r.actions.some((a) => a.kind === 'send' && a.message === 'web-demo-invite')).toBe(false);
    expect(r.actions.some((a) => a.kind === 'send' && a.message === 'webinar-or-open-day')).toBe(true);
  });

  it('leaves at once on a booked demo (goal) and on unsubscribe (exit)', () => {
    const start = startInstance(journey, 'lead-1', T0);
    const booked = drive(journey, start, day(61), { consent, caps }, [{ at: day(16), inputs: { events: [{ subjectId: 'lead-1', type: 'demo_booked', at: day(16), properties: {} }] } }]);
    expect(booked.instance).toMatchObject({ status: 'goal', outcome: 'demo-booked', endedAt: day(16) });
    expect(booked.actions.every((a) => a.at <= day(16))).toBe(true);
    const unsub = drive(journey, start, day(61), { consent, caps }, [{ at: day(3), inputs: { responses: [{ subjectId: 'lead-1', kind: 'unsubscribed', at: day(3) }] } }]);
    expect(unsub.instance).toMatchObject({ status: 'exited', outcome: 'unsubscribed' });
    expect(unsub.actions.filter((a) => a.kind === 'send')).toHaveLength(2);
  });

  it('checks consent at send time: a withdrawn email consent holds the newsletter, and the best channel falls back', () => {
    const onlyEmail = consentFor('lead-1', ['email']);
    const start = startInstance(journey, 'lead-1', T0);
    const r = drive(journey, start, day(2), { consent: onlyEmail, caps });
    expect(r.actions.find((a) => a.kind === 'send' && a.message === 'brochure')).toMatchObject({ channel: 'email' });
    const withdrawn = consentState([...['marketing', 'service'].map((purpose, i) => parseConsentEvent({ id: `g${i}`, subjectId: 'lead-1', channel: 'email', purpose, kind: 'granted', at: T0 - DAY, evidence: { source: 't' } })), parseConsentEvent({ id: 'w', subjectId: 'lead-1', channel: 'email', purpose: 'marketing', kind: 'withdrawn', at: day(5), evidence: { source: 't' } })]);
    const at7 = advance(journey, r.instance, { consent: withdrawn, caps }, day(7));
    expect(at7.actions).toHaveLength(0);
    expect(at7.trace.find((t) => t.code === 'JOURNEY_SEND_HELD')?.detail).toMatchObject({ reasons: [expect.objectContaining({ code: 'CONSENT_WITHDRAWN' })] });
    expect(at7.wakeAt).toBe(day(14)); // held at most 7 days, then skipped
  });

  it('holds a capped send until capping’s exact next legal time', () => {
    const tight = parseCapRules({ rules: [{ id: 'gap', kind: 'gap', minGap: '2d', scope: { tags: 'marketing' } }] });
    const start = startInstance(journey, 'lead-1', T0);
    const history = { contacts: [{ at: day(6), channel: 'email', tags: ['marketing'], transactional: false }], responses: [] };
    const r1 = drive(journey, start, day(2), { consent, caps: tight });
    const r = advance(journey, r1.instance, { consent, caps: tight, history }, day(7));
    const held = r.trace.find((t) => t.code === 'JOURNEY_SEND_HELD')!;
    expect(held.detail).toMatchObject({ until: day(8), nextAllowedAt: day(8) });
    expect(r.wakeAt).toBe(day(8));
    const sent = advance(journey, r.instance, { consent, caps: tight, history }, day(8));
    expect(sent.actions).toEqual([expect.objectContaining({ kind: 'send', message: 'newsletter', at: day(8) })]);
  });
});

describe('reflex campaign', () => {
  const journey = parseJourney(reflex);
  const consent = consentFor('p', ['email', 'sms']);
  const start = startInstance(journey, 'p', T0);
  const key = `${start.id}:first:1`;
  const run = (responses: Array<{ kind: 'opened' | 'clicked'; at: number }>) =>
    drive(journey, start, day(10), { consent }, responses.map((x) => ({ at: x.at, inputs: { responses: [{ subjectId: 'p', kind: x.kind, at: x.at, contactId: key }] } })))
      .actions.filter((a) => a.kind === 'send')
      .map((a) => (a.kind === 'send' ? `${a.channel}:${a.message}` : ''));

  it('clicked → phase B at once; opened only → phase A after 3 days; nothing → SMS reminder', () => {
    expect(run([{ kind: 'opened', at: day(1) }, { kind: 'clicked', at: day(1) + HOUR }])).toEqual(['email:spring-offer', 'email:phase-b-checkout-help']);
    expect(run([{ kind: 'opened', at: day(1) }])).toEqual(['email:spring-offer', 'email:phase-a-details']);
    expect(run([])).toEqual(['email:spring-offer', 'sms:spring-offer-reminder']);
  });
});

describe('two-way SMS', () => {
  const journey = parseJourney(renewal);
  const consent = consentFor('parent', ['sms']);
  const profile = { children: ['Paul', 'Léa'] };
  const asked = advance(journey, startInstance(journey, 'parent', T0), { consent, profile }, T0);
  const reply = (text: string, at = T0 + HOUR, inst = asked.instance) => advance(journey, inst, { consent, profile, replies: [{ subjectId: 'parent', channel: 'sms', text, at }] }, at);

  it('reads YES PAUL case-, accent- and typo-insensitively, records the answer and confirms', () => {
    for (const text of ['YES PAUL', 'oui paul', 'Yse Paull', 'ok pour Paul !']) {
      const r = reply(text);
      expect(r.actions.map((a) => a.kind)).toEqual(['answer', 'send']);
      expect(r.actions[0]).toMatchObject({ kind: 'answer', choice: 'yes', name: 'Paul' });
      expect(r.actions[1]).toMatchObject({ kind: 'send', message: 'renewal-confirmed' });
    }
    expect(reply('non LEA').actions[0]).toMatchObject({ choice: 'no', name: 'Léa' });
    expect(reply('NON léa').actions[0]).toMatchObject({ choice: 'no', name: 'Léa' });
  });

  it('answers an unrecognised or ambiguous reply with help once', () => {
    const first = reply('maybe');
    expect(first.actions).toEqual([expect.objectContaining({ kind: 'send', message: 'renewal-help', key: `${asked.instance.id}:answer:2:help` })]);
    expect(reply('yes', T0 + 2 * HOUR, first.instance).actions).toEqual([]); // two children: the name is needed
    expect(reply('yes no paul', T0 + 2 * HOUR, first.instance).trace.some((t) => t.code === 'JOURNEY_REPLY_UNRECOGNISED')).toBe(true);
    expect(reply('yes lea', T0 + 3 * HOUR, first.instance).actions[0]).toMatchObject({ kind: 'answer', choice: 'yes', name: 'Léa' });
  });

  it('STOP opts out of the channel and leaves', () => {
    const r = reply('Stop');
    expect(r.actions).toEqual([expect.objectContaining({ kind: 'optOut', channel: 'sms' })]);
    expect(r.instance.status).toBe('exited');
  });
});

describe('lifecycle', () => {
  it('maintenance reminder 11 months after the last service, 10:00 local on a weekday', () => {
    const journey = parseJourney(maintenance);
    const consent = consentFor('car', ['email']);
    const profile = { lastServiceAt: '2025-05-03', timeZone: 'Europe/Paris' }; // + 11 months = Sunday 2026-04-03? checked below
    const r = advance(journey, startInstance(journey, 'car', T0), { consent, profile }, T0);
    const lt = localTime(r.wakeAt!, 'Europe/Paris');
    expect([lt.year, lt.month, lt.hour, lt.minute]).toEqual([2026, 4, 10, 0]);
    expect(lt.weekday).toBeGreaterThanOrEqual(1);
    expect(lt.weekday).toBeLessThanOrEqual(5);
    expect(advance(journey, r.instance, { consent, profile }, r.wakeAt!).actions).toEqual([expect.objectContaining({ message: 'maintenance-due' })]);
  });

  it('cart abandonment: 1 h push, 24 h email, 72 h SMS, stopping at purchase', () => {
    const journey = parseJourney(cartAbandonment);
    const consent = consentFor('shopper', ['push', 'email', 'sms']);
    const start = startInstance(journey, 'shopper', T0);
    const all = drive(journey, start, day(5), { consent });
    expect(all.actions.map((a) => [(a.at - T0) / HOUR, a.kind === 'send' ? a.channel : ''])).toEqual([[1, 'push'], [24, 'email'], [72, 'sms']]);
    const bought = drive(journey, start, day(5), { consent }, [{ at: T0 + 30 * HOUR, inputs: { events: [{ subjectId: 'shopper', type: 'purchase', at: T0 + 30 * HOUR, properties: {} }] } }]);
    expect(bought.actions.map((a) => (a.kind === 'send' ? a.channel : ''))).toEqual(['push', 'email']);
    expect(bought.instance).toMatchObject({ status: 'goal', outcome: 'purchased' });
  });
});
