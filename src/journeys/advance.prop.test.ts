import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isCrossChannelError } from '../core/errors.js';
import { DAY, HOUR } from '../core/time.js';
import { parseCapRules } from '../capping/rules.js';
import { consentState, parseConsentEvent } from '../consent/ledger.js';
import { advance } from './advance.js';
import { parseJourney } from './compile.js';
import type { JourneyAction } from './actions.js';
import type { AdvanceInputs } from './inputs.js';
import { startInstance, type JourneyInstance } from './instance.js';
import { cartAbandonment, reflex, renewal, whitePaper } from './scenarios/fixtures.js';

const T0 = Date.parse('2026-03-02T08:00:00Z');
const journeys = [whitePaper, reflex, renewal, cartAbandonment].map((d) => parseJourney(d));
const consent = consentState(
  ['email', 'sms', 'push', 'direct_mail'].flatMap((channel) =>
    ['marketing', 'service'].map((purpose) => parseConsentEvent({ id: `${channel}-${purpose}`, subjectId: 'p', channel, purpose, kind: 'granted', at: 0, evidence: { source: 't' } })),
  ),
);
const caps = parseCapRules({ rules: [{ id: 'day', kind: 'limit', limit: 2, window: 'day', scope: { tags: 'marketing' } }, { id: 'night', kind: 'quiet', ranges: [{ from: '21:00', to: '08:00' }] }] });

/** One inbound thing at an offset from T0 (or nothing: a bare tick). */
const inbound = fc.record({
  dt: fc.integer({ min: 0, max: 70 * DAY }),
  what: fc.constantFrom('tick', 'opened', 'clicked', 'unsubscribed', 'purchase', 'demo_booked', 'reply-yes', 'reply-junk', 'reply-stop'),
  onStep: fc.constantFrom('first', 'newsletter', 'ask', 'brochure'),
});

function inputsFor(x: { dt: number; what: string; onStep: string }, inst: JourneyInstance, seqGuess: number): AdvanceInputs {
  const at = T0 + x.dt;
  const base = { consent, caps, profile: { children: ['Paul'] } };
  switch (x.what) {
    case 'opened':
    case 'clicked':
    case 'unsubscribed':
      return { ...base, responses: [{ subjectId: 'p', kind: x.what, at, contactId: `${inst.id}:${x.onStep}:${seqGuess}` }] };
    case 'purchase':
    case 'demo_booked':
      return { ...base, events: [{ subjectId: 'p', type: x.what, at, properties: {} }] };
    case 'reply-yes':
      return { ...base, replies: [{ subjectId: 'p', channel: 'sms', text: 'oui paul', at }] };
    case 'reply-junk':
      return { ...base, replies: [{ subjectId: 'p', channel: 'sms', text: 'hein ?', at }] };
    case 'reply-stop':
      return { ...base, replies: [{ subjectId: 'p', channel: 'sms', text: 'STOP', at }] };
    default:
      return base;
  }
}

function play(ji: number, script: Array<{ dt: number; what: string; onStep: string }>) {
  const journey = journeys[ji]!;
  let inst = startInstance(journey, 'p', T0);
  const keys: string[] = [];
  const sorted = [...script].sort((a, b) => a.dt - b.dt);
  const snapshots: Array<{ before: JourneyInstance; inputs: AdvanceInputs; now: number; after: JourneyInstance; keys: string[] }> = [];
  for (const x of [...sorted, { dt: 75 * DAY, what: 'tick', onStep: 'first' }]) {
    const now = T0 + x.dt;
    // Run the timers due before this input, then the input.
    while (inst.wakeAt !== null && inst.wakeAt < now) {
      const r = advance(journey, inst, { consent, caps, profile: { children: ['Paul'] } }, inst.wakeAt);
      keys.push(...r.actions.map((a) => a.key));
      inst = r.instance;
    }
    const inputs = inputsFor(x, inst, (x.dt % 7) + 1);
    const r = advance(journey, inst, inputs, now);
    snapshots.push({ before: inst, inputs, now, after: r.instance, keys: r.actions.map((a) => a.key) });
    keys.push(...r.actions.map((a) => a.key));
    inst = r.instance;
  }
  return { inst, keys, snapshots };
}

describe('advance — properties', () => {
  const scripts = fc.tuple(fc.integer({ min: 0, max: journeys.length - 1 }), fc.array(inbound, { maxLength: 12 }));

  it('is deterministic: the same script gives the same instances and actions', () => {
    fc.assert(
      fc.property(scripts, ([ji, script]) => {
        expect(play(ji, script)).toEqual(play(ji, script));
      }),
      { numRuns: 150 },
    );
  });

  it('never emits the same idempotency key twice over a whole run', () => {
    fc.assert(
      fc.property(scripts, ([ji, script]) => {
        const { keys } = play(ji, script);
        expect(new Set(keys).size).toBe(keys.length);
      }),
      { numRuns: 200 },
    );
  });

  it('advancing again with no new input emits nothing new and changes nothing', () => {
    fc.assert(
      fc.property(scripts, ([ji, script]) => {
        for (const s of play(ji, script).snapshots) {
          const again = advance(journeys[ji]!, s.after, { consent, caps, profile: { children: ['Paul'] } }, s.now);
          expect(again.actions).toEqual([]);
          expect(again.instance).toEqual(s.after);
        }
      }),
      { numRuns: 100 },
    );
  });

  it('never mutates the instance it is given', () => {
    fc.assert(
      fc.property(scripts, ([ji, script]) => {
        for (const s of play(ji, script).snapshots) {
          const copy = structuredClone(s.before);
          advance(journeys[ji]!, s.before, s.inputs, s.now);
          expect(s.before).toEqual(copy);
        }
      }),
      { numRuns: 50 },
    );
  });

  /** The inputs of a script step without its caps (inputsFor gives caps; the batched advance is given none). */
  const withoutCaps = ({ caps: _caps, ...rest }: AdvanceInputs): AdvanceInputs => rest;

  it('one advance over many inputs equals advancing input by input, each delivered on time (and so does a late delivery of them all)', () => {
    // No caps: each advance checks caps against the history it is given, which the two ways would give differently.
    const base = { consent, profile: { children: ['Paul'] } };
    fc.assert(
      fc.property(scripts, ([ji, script]) => {
        const journey = journeys[ji]!;
        const i0 = startInstance(journey, 'p', T0);
        const end = T0 + 75 * DAY;
        // Sorted by time only (stable): the delivery order of one instant is kept both ways.
        const sorted = [...script].sort((a, b) => a.dt - b.dt).map((x, n) => ({ x, inputs: withoutCaps(inputsFor(x, i0, (x.dt % 7) + 1)), n }));
        let inst = i0;
        const onTime: JourneyAction[] = [];
        for (const { x, inputs } of sorted) {
          const r = advance(journey, inst, { ...base, ...inputs }, T0 + x.dt);
          onTime.push(...r.actions);
          inst = r.instance;
        }
        const last = advance(journey, inst, base, end);
        onTime.push(...last.actions);
        const inbox = sorted.flatMap(({ inputs, n }) => [
          ...(inputs.events ?? []).map((event) => ({ id: `${n}`, event })),
          ...(inputs.responses ?? []).map((response) => ({ id: `${n}`, response })),
          ...(inputs.replies ?? []).map((reply) => ({ id: `${n}`, reply })),
        ]);
        const batched = advance(journey, i0, { ...base, inbox }, end);
        expect(batched.actions).toEqual(onTime);
        expect(batched.instance).toEqual(last.instance);
      }),
      { numRuns: 300 },
    );
  });

  it('bad input: a CrossChannelError, nothing changed, nothing emitted', () => {
    const junk = fc.oneof(fc.constant(null), fc.string(), fc.integer(), fc.object(), fc.array(fc.anything()), fc.record({ subjectId: fc.constant('p'), at: fc.anything(), kind: fc.anything(), type: fc.anything(), text: fc.anything(), channel: fc.anything() }));
    fc.assert(
      fc.property(fc.integer({ min: 0, max: journeys.length - 1 }), fc.constantFrom('events', 'responses', 'replies', 'profile', 'caps', 'consent', 'history', 'timeZone', 'holdout'), junk, (ji, field, value) => {
        const journey = journeys[ji]!;
        const inst = Object.freeze(startInstance(journey, 'p', T0));
        const inputs = { consent, caps, [field]: Array.isArray(value) || field === 'events' || field === 'responses' || field === 'replies' ? [value] : value } as unknown as AdvanceInputs;
        try {
          advance(journey, inst, inputs, T0 + HOUR);
        } catch (e) {
          expect(isCrossChannelError(e)).toBe(true);
        }
      }),
      { numRuns: 300 },
    );
    const journey = journeys[0]!;
    for (const bad of [null, {}, { ...startInstance(journey, 'p', T0), step: 'nope' }, { ...startInstance(journey, 'p', T0), version: 2 }, { ...startInstance(journey, 'p', T0), journeyId: 'x' }]) {
      expect(() => advance(journey, bad as JourneyInstance, {}, T0)).toThrow(expect.objectContaining({ code: 'JOURNEY_INSTANCE_INVALID' }));
    }
    expect(() => advance(journey, startInstance(journey, 'p', T0), { events: [{ subjectId: 'someone-else', type: 'x', at: T0, properties: {} }] }, T0)).toThrow(expect.objectContaining({ code: 'JOURNEY_INPUT_INVALID', path: 'inputs.events[0].subjectId' }));
    expect(() => advance({} as never, startInstance(journey, 'p', T0), {}, T0)).toThrow(expect.objectContaining({ code: 'JOURNEY_INVALID' }));
  });
});
