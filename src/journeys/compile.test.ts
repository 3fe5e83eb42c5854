import { describe, expect, it } from 'vitest';
import { isCrossChannelError } from '../core/errors.js';
import { DAY } from '../core/time.js';
import { advance } from './advance.js';
import { parseJourney, safeParseJourney } from './compile.js';
import { startInstance } from './instance.js';
import { cartAbandonment, maintenance, reflex, renewal, welcome, whitePaper } from './scenarios/fixtures.js';

const base = { id: 'j', version: 1, entry: { on: 'manual' as const }, start: 'a' };

function refusal(input: unknown): { code: string; path: string | undefined } {
  const r = safeParseJourney(input);
  if (r.ok) throw new Error('expected a refusal');
  return { code: r.error.code, path: r.error.path };
}

describe('parseJourney', () => {
  it('accepts the scenario definitions', () => {
    for (const d of [whitePaper, reflex, renewal, maintenance, cartAbandonment, welcome]) expect(parseJourney(d).id).toBe(d.id);
  });

  it('returns a compiled journey unchanged', () => {
    const j = parseJourney(welcome);
    expect(parseJourney(j)).toBe(j);
  });

  it('refuses a reference to an unknown step, with its path', () => {
    expect(refusal({ ...base, steps: { a: { type: 'wait', duration: '1d', next: 'nowhere' } } })).toEqual({ code: 'JOURNEY_INVALID', path: 'steps.a.next' });
    expect(refusal({ ...base, start: 'x', steps: { a: { type: 'end' } } })).toEqual({ code: 'JOURNEY_INVALID', path: 'start' });
    expect(refusal({ ...base, steps: { a: { type: 'split', branches: [{ when: { reacted: { step: 'a', kind: 'opened' } }, next: 'a' }] } } }).code).toBe('JOURNEY_INVALID');
  });

  it('refuses an unreachable step', () => {
    expect(refusal({ ...base, steps: { a: { type: 'end' }, b: { type: 'end' } } })).toEqual({ code: 'JOURNEY_INVALID', path: 'steps.b' });
  });

  it('refuses a loop that never waits, accepts one through a wait', () => {
    const loop = { a: { type: 'task' as const, task: 'x', next: 'b' }, b: { type: 'split' as const, branches: [{ when: { segment: { attr: 'x', op: 'exists' } }, next: 'a' }] } };
    const r = refusal({ ...base, steps: loop });
    expect(r.code).toBe('JOURNEY_INVALID');
    expect(r.path).toMatch(/^steps\.(a|b)/);
    expect(parseJourney({ ...base, steps: { ...loop, b: { type: 'wait', duration: '1d', next: 'a' } } }).steps.size).toBe(2);
    expect(refusal({ ...base, steps: { a: { type: 'send', channel: 'email', message: 'm', onBlocked: { goto: 'a' } } } }).code).toBe('JOURNEY_INVALID');
  });

  it('translates schema errors and segment errors to JOURNEY_INVALID with paths', () => {
    expect(refusal({ ...base, steps: { a: { type: 'send', channel: 'Email!', message: 'm' } } })).toMatchObject({ code: 'JOURNEY_INVALID', path: 'steps.a.channel' });
    expect(refusal({ ...base, steps: { a: { type: 'wait', next: 'a' } } }).code).toBe('JOURNEY_INVALID');
    expect(refusal({ ...base, steps: { a: { type: 'split', branches: [{ when: { segment: { attr: 'x', op: 'between', value: 3 } }, next: 'b' }] }, b: { type: 'end' } } }).path).toMatch(/^steps\.a\.branches\[0\]\.when/);
  });

  it('never throws anything but CrossChannelError on arbitrary JSON', () => {
    for (const bad of [null, 1, 'x', [], {}, { ...base, steps: [] }, { ...base, steps: { a: null } }, { ...base, version: '1', steps: { a: { type: 'end' } } }]) {
      try {
        parseJourney(bad as never);
        throw new Error('accepted');
      } catch (e) {
        expect(isCrossChannelError(e, 'JOURNEY_INVALID')).toBe(true);
      }
    }
  });
});

describe('reactions to a step named after an Object.prototype member', () => {
  // Step ids are any 1–256 characters: a send named `constructor` has no reaction until one arrives.
  const T0 = Date.parse('2026-03-02T08:00:00Z');
  // Built apart: typed in place, TypeScript would read a `constructor` key against Object's `constructor: Function`.
  const steps = {
    hello: { type: 'send' as const, channel: 'email', message: 'm1', next: 'constructor' },
    constructor: { type: 'send' as const, channel: 'email', message: 'm2', next: 'w' },
    w: { type: 'wait' as const, duration: '1d', next: 's' },
    s: { type: 'split' as const, branches: [{ when: { reacted: { step: 'constructor', kind: 'opened' as const } }, next: 'yes' }, { when: { notReacted: { step: 'constructor', kind: 'clicked' as const } }, next: 'no' }] },
    yes: { type: 'end' as const },
    no: { type: 'end' as const },
  };
  const j = parseJourney({ ...base, start: 'hello', steps });
  const sent = advance(j, startInstance(j, 'p1', T0), {}, T0);
  const key = (step: string): string => sent.actions.find((a) => a.kind === 'send' && a.stepId === step)!.key;

  it('a split reads no reaction when none came', () => {
    expect(advance(j, sent.instance, {}, T0 + 2 * DAY).instance.step).toBe('no');
  });

  it('a reaction to it is recorded beside another step\'s, and the split sees it', () => {
    const opened = (step: string, at: number) => ({ subjectId: 'p1', kind: 'opened' as const, at, contactId: key(step) });
    const r = advance(j, sent.instance, { responses: [opened('hello', T0 + 60_000), opened('constructor', T0 + 120_000)] }, T0 + 180_000);
    expect(r.instance.reactions).toEqual({ hello: ['opened'], constructor: ['opened'] });
    expect(advance(j, r.instance, {}, T0 + 2 * DAY).instance.step).toBe('yes');
  });
});
