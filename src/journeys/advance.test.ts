import { describe, expect, it } from 'vitest';
import { DAY, HOUR, MAX_EPOCH_MS } from '../core/time.js';
import { consentState } from '../consent/ledger.js';
import type { JourneyAction } from './actions.js';
import { advance } from './advance.js';
import { parseJourney } from './compile.js';
import { startInstance, type JourneyInstance } from './instance.js';
import { inboxInputs } from './store.js';

const T0 = Date.parse('2026-03-02T09:00:00Z');
const S = 'p1';
const show = (actions: ReadonlyArray<JourneyAction>) => actions.map((a) => `${a.kind}:${'message' in a ? a.message : 'choice' in a ? a.choice : 'task' in a ? a.task : ''}@${(a.at - T0) / HOUR}h`);

describe('advance — nothing happens after the end', () => {
  it('an input after the journey ended earlier in the same advance neither relabels it nor acts', () => {
    const ask = parseJourney({ id: 'c', version: 1, entry: { on: 'manual' }, start: 'ask', exits: [{ id: 'unsubscribed', when: { response: 'unsubscribed' } }], steps: {
      ask: { type: 'reply', choices: [{ id: 'yes', keywords: ['yes'], next: 'confirm' }], help: 'help-msg', timeout: '1d' },
      confirm: { type: 'send', channel: 'sms', message: 'confirmed' },
    } });
    const i0 = startInstance(ask, S, T0);
    // The reply step timed out at +24h (completed); replies and an unsubscribe at +48h, in one advance at +72h.
    const r = advance(ask, i0, { replies: [{ subjectId: S, channel: 'sms', text: 'blah', at: T0 + 2 * DAY }, { subjectId: S, channel: 'sms', text: 'yes', at: T0 + 2 * DAY + 1 }], responses: [{ subjectId: S, kind: 'unsubscribed', at: T0 + 2 * DAY }] }, T0 + 3 * DAY);
    expect(r.actions).toEqual([]);
    expect(r.instance).toMatchObject({ status: 'completed', outcome: 'completed', step: 'ask', seq: 1, endedAt: T0 + DAY, wakeAt: null });
    // The same as advancing to the end first, then delivering them.
    const ended = advance(ask, i0, {}, T0 + DAY).instance;
    const later = advance(ask, ended, { replies: [{ subjectId: S, channel: 'sms', text: 'yes', at: T0 + 2 * DAY }] }, T0 + 3 * DAY);
    expect(later.actions).toEqual([]);
    expect(r.instance).toEqual(later.instance);
  });

  it('a waitFor that timed out into the end is not moved by a later match; a goal step is not relabelled by a later goal', () => {
    const wf = parseJourney({ id: 'd', version: 1, entry: { on: 'manual' }, start: 'wf', steps: { wf: { type: 'waitFor', signal: { event: 'click' }, timeout: '1d', next: 'thanks' }, thanks: { type: 'send', channel: 'email', message: 'thanks' } } });
    const r = advance(wf, startInstance(wf, S, T0), { events: [{ subjectId: S, type: 'click', at: T0 + 2 * DAY, properties: {} }] }, T0 + 2 * DAY);
    expect(r.instance).toMatchObject({ status: 'completed', step: 'wf', seq: 1, wakeAt: null });
    expect(r.actions).toEqual([]);
    const goal = parseJourney({ id: 'b', version: 1, entry: { on: 'manual' }, start: 'w', goals: [{ id: 'purchased', when: { event: 'purchase' } }], steps: { w: { type: 'wait', duration: '1d', next: 'won' }, won: { type: 'goal', goal: 'nurtured' } } });
    const g = advance(goal, startInstance(goal, S, T0), { events: [{ subjectId: S, type: 'purchase', at: T0 + 3 * DAY, properties: {} }] }, T0 + 3 * DAY);
    expect(g.instance).toMatchObject({ status: 'goal', outcome: 'nurtured', endedAt: T0 + DAY });
  });
});

describe('advance — input times', () => {
  const reflex = parseJourney({ id: 'reflex', version: 1, entry: { on: 'manual' }, start: 'news', steps: {
    news: { type: 'send', channel: 'email', message: 'newsletter', next: 'pause' },
    pause: { type: 'wait', duration: '2d', next: 'watch' },
    watch: { type: 'waitFor', signal: { response: 'clicked', step: 'news' }, timeout: '3d', next: 'phase-b', onTimeout: 'reminder' },
    'phase-b': { type: 'send', channel: 'email', message: 'phase-b' },
    reminder: { type: 'send', channel: 'sms', message: 'reminder' },
  } });
  const r0 = advance(reflex, startInstance(reflex, S, T0), {}, T0);
  const click = { subjectId: S, kind: 'clicked' as const, at: T0 + DAY, contactId: r0.actions[0]!.key };

  it('an input dated before the current step began is recorded but answers no wait that began after it (as if on time)', () => {
    const onTime = advance(reflex, advance(reflex, r0.instance, { responses: [click] }, T0 + DAY).instance, {}, T0 + 10 * DAY);
    const atWait = advance(reflex, r0.instance, {}, T0 + 2 * DAY).instance;
    const late = advance(reflex, atWait, { responses: [click] }, T0 + 2 * DAY + HOUR);
    expect(late.instance).toMatchObject({ step: 'watch', reactions: { news: ['clicked'] } });
    const after = advance(reflex, late.instance, {}, T0 + 10 * DAY);
    expect(show(after.actions)).toEqual(show(onTime.actions));
    expect(show(after.actions)).toEqual(['send:reminder@120h']);
    expect(after.instance).toEqual(onTime.instance);
  });

  it('an input dated after now is refused, naming its at, before anything changes', () => {
    const atWait = advance(reflex, r0.instance, {}, T0 + 2 * DAY).instance;
    const future = { ...click, at: T0 + 5 * DAY + HOUR };
    expect(() => advance(reflex, atWait, { responses: [future] }, T0 + 4 * DAY)).toThrow(expect.objectContaining({ code: 'JOURNEY_INPUT_INVALID', path: 'inputs.responses[0].at' }));
    expect(() => advance(reflex, atWait, { inbox: [{ id: 'x', response: future }] }, T0 + 4 * DAY)).toThrow(expect.objectContaining({ code: 'JOURNEY_INPUT_INVALID', path: 'inputs.inbox[0].response.at' }));
    // Delivered at its time, it is too late for the timeout of day 5.
    expect(show(advance(reflex, atWait, { responses: [future] }, T0 + 6 * DAY).actions)).toEqual(['send:reminder@120h']);
  });

  it('inputs at one instant follow the order given (the inbox: delivery order), whatever their kinds', () => {
    const promo = parseJourney({ id: 'promo', version: 1, entry: { on: 'manual' }, start: 'w', steps: { w: { type: 'wait', duration: '3d' } }, goals: [{ id: 'clicked', when: { response: 'clicked' } }], exits: [{ id: 'opted-out', when: { event: 'optout' } }] });
    const T = T0 + 5 * HOUR;
    const clickIn = { id: 'c1', response: { subjectId: S, kind: 'clicked' as const, at: T } };
    const optIn = { id: 'o1', event: { subjectId: S, type: 'optout', at: T, properties: {} } };
    const i0 = startInstance(promo, S, T0);
    const oneByOne = advance(promo, advance(promo, i0, { inbox: [clickIn] }, T).instance, { inbox: [optIn] }, T);
    expect(advance(promo, i0, { inbox: [clickIn, optIn] }, T).instance).toEqual(oneByOne.instance);
    expect(oneByOne.instance).toMatchObject({ status: 'goal', outcome: 'clicked' });
    expect(advance(promo, i0, { inbox: [optIn, clickIn] }, T).instance).toMatchObject({ status: 'exited', outcome: 'opted-out' });
    expect(() => advance(promo, i0, { inbox: [{ id: 'z' } as never] }, T)).toThrow(expect.objectContaining({ code: 'JOURNEY_INPUT_INVALID', path: 'inputs.inbox[0]' }));
  });

  it('a leftSegment exit is judged at now after the earlier inputs: a goal that happened first wins', () => {
    const trial = parseJourney({ id: 'trial', version: 1, entry: { on: 'manual' }, start: 'w', steps: { w: { type: 'wait', duration: '7d' } }, goals: [{ id: 'purchased', when: { event: 'purchase' } }], exits: [{ id: 'left-trial', when: { leftSegment: { attr: 'plan', op: 'eq', value: 'trial' } } }] });
    const i0 = startInstance(trial, S, T0);
    const r = advance(trial, i0, { profile: { plan: 'pro' }, events: [{ subjectId: S, type: 'purchase', at: T0 + HOUR, properties: {} }] }, T0 + 2 * HOUR);
    expect(r.instance).toMatchObject({ status: 'goal', outcome: 'purchased', endedAt: T0 + HOUR });
    expect(advance(trial, i0, { profile: { plan: 'pro' } }, T0 + 2 * HOUR).instance).toMatchObject({ status: 'exited', outcome: 'left-trial', endedAt: T0 + 2 * HOUR });
  });
});

describe('advance — split conditions over the person’s recent events', () => {
  const j = parseJourney({ id: 'x', version: 1, entry: { on: 'manual' }, start: 'pause', steps: {
    pause: { type: 'wait', duration: '3d', next: 'look' },
    look: { type: 'split', branches: [{ id: 'buyer', when: { segment: { count: { type: 'purchase' }, window: { last: '7d' }, op: 'gte', value: 1 } }, next: 'upsell' }], otherwise: 'discount' },
    upsell: { type: 'send', channel: 'email', message: 'upsell' },
    discount: { type: 'send', channel: 'email', message: 'discount' },
  } });
  const purchase = { subjectId: S, type: 'purchase', at: T0 + DAY, properties: {} };
  const i0 = startInstance(j, S, T0);

  it('recentEvents: a purchase delivered days before the split counts, however the inputs were batched', () => {
    const batch = advance(j, i0, { events: [purchase], recentEvents: [purchase] }, T0 + 4 * DAY);
    const a1 = advance(j, i0, { events: [purchase], recentEvents: [purchase] }, T0 + DAY);
    const a2 = advance(j, a1.instance, { recentEvents: [purchase] }, T0 + 4 * DAY);
    expect(show(batch.actions)).toEqual(['send:upsell@72h']);
    expect(show([...a1.actions, ...a2.actions])).toEqual(['send:upsell@72h']);
  });

  it('an event after the split’s moment is not seen by it, and recentEvents must be events', () => {
    const later = { ...purchase, at: T0 + 3 * DAY + 1 };
    expect(show(advance(j, i0, { events: [later] }, T0 + 4 * DAY).actions)).toEqual(['send:discount@72h']);
    expect(show(advance(j, i0, { recentEvents: [later] }, T0 + 4 * DAY).actions)).toEqual(['send:discount@72h']);
    expect(() => advance(j, i0, { recentEvents: [null] as never }, T0)).toThrow(expect.objectContaining({ code: 'JOURNEY_INPUT_INVALID', path: 'inputs.recentEvents' }));
  });
});

describe('advance — malformed state and times at the edge of the epoch range', () => {
  const j = parseJourney({ id: 'x', version: 1, entry: { on: 'manual' }, start: 'news', steps: {
    news: { type: 'send', channel: 'email', message: 'nl', next: 'look' },
    look: { type: 'split', branches: [{ id: 'clicked', when: { reacted: { step: 'news', kind: 'clicked' } }, next: 'yes' }], otherwise: 'no' },
    yes: { type: 'task', task: 'clicked-branch' },
    no: { type: 'task', task: 'otherwise-branch' },
  } });
  const at: JourneyInstance = { ...startInstance(j, S, T0), step: 'look', seq: 2 };

  it('refuses reactions that are not lists of response kinds with JOURNEY_INSTANCE_INVALID at the step', () => {
    for (const v of ['unclicked', 5, {}, [5], null]) {
      expect(() => advance(j, { ...at, reactions: { news: v } } as never, {}, T0)).toThrow(expect.objectContaining({ code: 'JOURNEY_INSTANCE_INVALID', path: 'instance.reactions.news' }));
    }
    expect(show(advance(j, { ...at, reactions: { news: ['clicked'] } }, {}, T0).actions)).toEqual(['task:clicked-branch@0h']);
  });

  it('refuses instance times outside ±8.64e15', () => {
    expect(() => advance(j, { ...at, stepAt: 1e300, wakeAt: 1e300 }, {}, T0)).toThrow(expect.objectContaining({ code: 'JOURNEY_INSTANCE_INVALID', path: 'instance.stepAt' }));
    expect(() => advance(j, { ...at, wakeAt: -1e300 }, {}, T0)).toThrow(expect.objectContaining({ code: 'JOURNEY_INSTANCE_INVALID', path: 'instance.wakeAt' }));
  });

  it('never computes a time past ±8.64e15: waits, timeouts and holds that would end later end at its end', () => {
    const edge = MAX_EPOCH_MS - DAY;
    const longest = parseJourney({ id: 'l', version: 1, entry: { on: 'manual' }, start: 'a', steps: {
      a: { type: 'send', channel: 'email', message: 'm', holdAtMost: 8.64e15, next: 'b' },
      b: { type: 'waitFor', signal: { event: 'x' }, timeout: 8.64e15, next: 'c' },
      c: { type: 'wait', duration: 8.64e15, until: { time: '10:00' } },
    } });
    const held = advance(longest, startInstance(longest, S, edge), { consent: consentState([]) }, edge);
    expect(held.wakeAt).toBe(MAX_EPOCH_MS);
    for (const step of ['b', 'c']) {
      const r = advance(longest, { ...startInstance(longest, S, edge), step }, {}, edge);
      expect(r.wakeAt).toBe(MAX_EPOCH_MS);
      expect(advance(longest, r.instance, {}, MAX_EPOCH_MS).instance.status).toBe('completed');
    }
    // A best-moment hook answering a time outside the range is refused.
    const best = parseJourney({ id: 'b', version: 1, entry: { on: 'manual' }, start: 'a', steps: { a: { type: 'send', channel: 'email', message: 'm', at: 'bestMoment' } } });
    expect(() => advance(best, startInstance(best, S, T0), { bestMoment: () => ({ at: 1e300, reasons: [] }) }, T0)).toThrow(expect.objectContaining({ path: 'inputs.bestMoment' }));
    // A profile date outside the range is no usable date.
    const dated = parseJourney({ id: 'd', version: 1, entry: { on: 'manual' }, start: 'a', steps: { a: { type: 'wait', date: { attr: 'd', offsetMonths: 1 }, next: 'b' }, b: { type: 'end' } } });
    expect(advance(dated, startInstance(dated, S, T0), { profile: { d: 1e300 } }, T0).instance.status).toBe('completed');
  });
});

describe('advance — sparse input lists from plain JavaScript', () => {
  const j = parseJourney({ id: 'h', version: 1, entry: { on: 'manual' }, goals: [{ id: 'bought', when: { event: 'purchase' } }], start: 'w', steps: { w: { type: 'wait', duration: '1d' } } });
  const i0 = startInstance(j, S, T0);
  const ev = { subjectId: S, type: 'purchase', at: T0, properties: {} };

  it('refuses a hole in an input list at its index instead of dropping it', () => {
    // forEach skipped the hole: the list was read as if it had one input fewer.
    const hole = <T>(x: T): T[] => [, x] as T[];
    expect(() => advance(j, i0, { inbox: hole({ id: 'e', event: ev }) }, T0)).toThrow(expect.objectContaining({ code: 'JOURNEY_INPUT_INVALID', path: 'inputs.inbox[0]' }));
    expect(() => advance(j, i0, { events: hole(ev) }, T0)).toThrow(expect.objectContaining({ code: 'JOURNEY_INPUT_INVALID', path: 'inputs.events[0]' }));
    expect(() => advance(j, i0, { recentEvents: hole(ev) }, T0)).toThrow(expect.objectContaining({ code: 'JOURNEY_INPUT_INVALID', path: 'inputs.recentEvents' }));
    expect(() => inboxInputs(hole({ id: 'e', event: ev }))).toThrow(expect.objectContaining({ code: 'JOURNEY_INPUT_INVALID', path: 'inbox[0]' }));
    expect(advance(j, i0, { inbox: [{ id: 'e', event: ev }] }, T0).instance).toMatchObject({ status: 'goal', outcome: 'bought' });
  });
});

describe('advance — reactions count for the send they answer (a journey that loops)', () => {
  // A weekly digest: sent, then a split on whether it was opened; openers get the next digest a week on, the
  // others a win-back.
  const digest = parseJourney({ id: 'digest', version: 1, entry: { on: 'manual' }, start: 'news', steps: {
    news: { type: 'send', channel: 'email', message: 'digest', next: 'pause' },
    pause: { type: 'wait', duration: '2d', next: 'opened' },
    'opened': { type: 'split', branches: [{ when: { notReacted: { step: 'news', kind: 'opened' } }, next: 'winback' }], otherwise: 'week' },
    week: { type: 'wait', duration: '5d', next: 'news' },
    winback: { type: 'send', channel: 'email', message: 'win-back' },
  } });
  const r0 = advance(digest, startInstance(digest, S, T0), {}, T0);
  const open = (key: string, at: number) => ({ subjectId: S, kind: 'opened' as const, at, contactId: key });

  it('an opener of the first digest who ignores the second gets the win-back (they counted as an opener of every later one)', () => {
    const r1 = advance(digest, r0.instance, { responses: [open(r0.actions[0]!.key, T0 + HOUR)] }, T0 + 8 * DAY);
    expect(show(r1.actions)).toEqual(['send:digest@168h']);
    const r2 = advance(digest, r1.instance, {}, T0 + 10 * DAY);
    expect(show(r2.actions)).toEqual(['send:win-back@216h']);
    expect(r1.instance.sent).toEqual({ news: r1.instance.seq - 1 }); // entered news, then pause
  });

  it('a late open of the first digest neither counts for the second nor answers for it; an open of the second does', () => {
    const r1 = advance(digest, r0.instance, { responses: [open(r0.actions[0]!.key, T0 + HOUR)] }, T0 + 8 * DAY);
    const second = r1.actions[0]!.key;
    const late = advance(digest, r1.instance, { responses: [open(r0.actions[0]!.key, T0 + 8 * DAY + HOUR)] }, T0 + 10 * DAY);
    expect(show(late.actions)).toEqual(['send:win-back@216h']);
    const onTime = advance(digest, r1.instance, { responses: [open(second, T0 + 8 * DAY + HOUR)] }, T0 + 10 * DAY);
    expect(onTime.instance).toMatchObject({ step: 'week', reactions: { news: ['opened'] } });
  });

  it('refuses a sent map that is not send steps to attempt numbers with JOURNEY_INSTANCE_INVALID', () => {
    for (const sent of [[], { news: -1 }, { news: 1.5 }, { news: '3' }, null]) {
      expect(() => advance(digest, { ...r0.instance, sent } as never, {}, T0)).toThrow(expect.objectContaining({ code: 'JOURNEY_INSTANCE_INVALID', path: 'instance.sent' }));
    }
  });
});
