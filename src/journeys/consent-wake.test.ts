import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DAY, HOUR } from '../core/time.js';
import { consentState, parseConsentEvent } from '../consent/ledger.js';
import { parseCapRules } from '../capping/rules.js';
import { advance } from './advance.js';
import { parseJourney } from './compile.js';
import type { JourneyInput } from './inputs.js';
import { startInstance } from './instance.js';

const T0 = Date.parse('2026-03-02T09:00:00Z');
const S = 'p1';
const journey = parseJourney({
  id: 'promo', version: 1, entry: { on: 'manual' }, start: 'sms',
  steps: { sms: { type: 'send', channel: 'sms', message: 'offer', next: 'after' }, after: { type: 'wait', duration: '30d' } },
});
const granted = (at: number | null) => consentState(at === null ? [] : [parseConsentEvent({ id: 'g', subjectId: S, channel: 'sms', purpose: 'marketing', kind: 'granted', at, evidence: { source: 'form' } })]);
const changed = (at: number, id = `c${at}`): JourneyInput => ({ id, event: { subjectId: S, type: 'consent_changed', at, properties: {} } });

describe('a send held by consent wakes on a new input (docs/journeys.md, "Send held or skipped")', () => {
  it('goes out at the first input after the opt-in, with its usual key, and the trace says why', () => {
    const consent = granted(T0 + HOUR);
    const held = advance(journey, startInstance(journey, S, T0), { consent }, T0);
    expect(held.actions).toEqual([]);
    expect(held.wakeAt).toBe(T0 + 7 * DAY);
    // An input before the opt-in (processed late, after it) re-checks at its own time: still refused.
    const early = advance(journey, held.instance, { consent, inbox: [changed(T0 + HOUR / 2)] }, T0 + 2 * HOUR);
    expect(early.actions).toEqual([]);
    expect(early.instance).toMatchObject({ step: 'sms', heldSince: T0, wakeAt: T0 + 7 * DAY });
    expect(early.trace.map((t) => t.code)).toEqual(['JOURNEY_SEND_RECHECKED', 'JOURNEY_SEND_HELD']);
    const woke = advance(journey, early.instance, { consent, inbox: [changed(T0 + HOUR)] }, T0 + 2 * HOUR);
    expect(woke.actions).toEqual([expect.objectContaining({ kind: 'send', channel: 'sms', at: T0 + HOUR, key: `${held.instance.id}:sms:1` })]);
    expect(woke.trace[0]).toMatchObject({ code: 'JOURNEY_SEND_RECHECKED', detail: { input: 'event' }, at: T0 + HOUR });
    expect(woke.instance).toMatchObject({ step: 'after', wakeAt: T0 + HOUR + 30 * DAY });
    // At most once: a later input does nothing more.
    expect(advance(journey, woke.instance, { consent, inbox: [changed(T0 + 3 * HOUR)] }, T0 + 3 * HOUR).actions).toEqual([]);
  });

  it('a send held by caps is checked again too, and still waits for capping’s exact next time', () => {
    const caps = parseCapRules({ rules: [{ id: 'gap', kind: 'gap', minGap: '2d' }] });
    const history = { contacts: [{ at: T0 - DAY, channel: 'sms', tags: [], transactional: false }], responses: [] };
    const inputs = { consent: granted(0), caps, history };
    const held = advance(journey, startInstance(journey, S, T0), inputs, T0);
    expect(held.wakeAt).toBe(T0 + DAY);
    const r = advance(journey, held.instance, { ...inputs, inbox: [changed(T0 + HOUR)] }, T0 + HOUR);
    expect(r.actions).toEqual([]);
    expect(r.wakeAt).toBe(T0 + DAY);
  });

  it('property: a held send goes out at the first input at or after the opt-in (or at holdAtMost), never before, at most once; one advance or one per input', () => {
    const kinds = ['event', 'response', 'reply'] as const;
    fc.assert(
      fc.property(
        fc.option(fc.integer({ min: -DAY, max: 9 * DAY }), { nil: null }),
        fc.array(fc.record({ dt: fc.integer({ min: 0, max: 10 * DAY }), kind: fc.constantFrom(...kinds) }), { maxLength: 6 }),
        (g, xs) => {
          const consent = granted(g === null ? null : T0 + g);
          const inbox: JourneyInput[] = xs.map((x, i) => {
            const at = T0 + x.dt;
            if (x.kind === 'event') return changed(at, `i${i}`);
            if (x.kind === 'response') return { id: `i${i}`, response: { subjectId: S, kind: 'opened', at } };
            return { id: `i${i}`, reply: { subjectId: S, channel: 'sms', text: 'hello?', at } };
          });
          const sorted = [...inbox].sort((a, b) => at(a) - at(b));
          const end = T0 + 10 * DAY;
          const start = startInstance(journey, S, T0);
          const held = advance(journey, start, { consent }, T0);
          const one = advance(journey, held.instance, { consent, inbox }, end);
          let inst = held.instance;
          const each = [...held.actions];
          for (const x of sorted) {
            const r = advance(journey, inst, { consent, inbox: [x] }, at(x));
            each.push(...r.actions);
            inst = r.instance;
          }
          each.push(...advance(journey, inst, { consent }, end).actions);
          const all = [...held.actions, ...one.actions];
          expect(all).toEqual(each);
          const limit = T0 + 7 * DAY;
          const grant = g === null ? Infinity : T0 + g;
          const candidates = [T0, ...sorted.map(at).filter((t) => t > T0 && t < limit), limit].filter((t) => t >= grant);
          const expected = candidates.length === 0 ? [] : [Math.min(...candidates)];
          expect(all.map((a) => a.at)).toEqual(expected);
          for (const a of all) expect(a.key).toBe(`${start.id}:sms:1`);
        },
      ),
      { numRuns: 300 },
    );
  });
});

function at(x: JourneyInput): number {
  return 'event' in x ? x.event.at : 'response' in x ? x.response.at : x.reply.at;
}

