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

describe('parseJourney — audit of 2026-12-07', () => {
  const send = { type: 'send' as const, channel: 'email', message: 'm' };

  it('refuses a cycle through a wait or timeout that can last 0 (it spun STEP_LIMIT sends per advance), at a step of the cycle', () => {
    for (const b of [
      { type: 'wait', duration: 0, next: 'a' },
      { type: 'wait', duration: '0d', next: 'a' },
      { type: 'wait', until: { time: '10:00' }, next: 'a' },
      { type: 'wait', date: { attr: 'd' }, duration: '1d', next: 'a' },
      { type: 'waitFor', signal: { event: 'x' }, timeout: 0, next: 'a', onTimeout: 'a' },
      { type: 'reply', choices: [{ id: 'y', keywords: ['yes'], next: 'a' }], timeout: 0, onTimeout: 'a' },
    ]) {
      const r = safeParseJourney({ ...base, steps: { a: { ...send, next: 'b' }, b } });
      expect(r.ok, JSON.stringify(b)).toBe(false);
      if (!r.ok) expect(r.error.path).toMatch(/^steps\.(a|b)\./);
    }
    // Through a positive duration or timeout (an `until` after it), still accepted.
    expect(parseJourney({ ...base, steps: { a: { ...send, next: 'b' }, b: { type: 'wait', duration: '1m', until: { time: '10:00' }, next: 'a' } } }).id).toBe('j');
    expect(parseJourney({ ...base, steps: { a: { ...send, next: 'b' }, b: { type: 'waitFor', signal: { event: 'x' }, timeout: '1h', next: 'a', onTimeout: 'a' } } }).id).toBe('j');
    // A zero wait outside a cycle is fine.
    expect(parseJourney({ ...base, steps: { a: { type: 'wait', duration: 0 } } }).id).toBe('j');
  });

  it('refuses a duration over 100,000,000 days at its field (it crashed or woke past the epoch range)', () => {
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ steps: { a: { type: 'wait', duration: 1e300 } } }, 'steps.a.duration'],
      [{ steps: { a: { type: 'wait', duration: '99999999999d' } } }, 'steps.a.duration'],
      [{ steps: { a: { type: 'wait', date: { attr: 'd', offset: 1e16 } } } }, 'steps.a.date.offset'],
      [{ steps: { a: { ...send, holdAtMost: 1e16 } } }, 'steps.a.holdAtMost'],
      [{ steps: { a: { ...send, at: 'bestMoment', within: 1e300 } } }, 'steps.a.within'],
      [{ steps: { a: { type: 'waitFor', signal: { event: 'x' }, timeout: 1e300, next: 'b' }, b: { type: 'end' } } }, 'steps.a.timeout'],
      [{ steps: { a: { type: 'reply', choices: [{ id: 'y', keywords: ['y'] }], timeout: 1e300 } } }, 'steps.a.timeout'],
      [{ entry: { on: 'manual', reentry: { cooldown: 1e300 } }, steps: { a: { type: 'end' } } }, 'entry.reentry.cooldown'],
      [{ entry: { on: 'manual', cap: { max: 1, per: 1e300 } }, steps: { a: { type: 'end' } } }, 'entry.cap.per'],
    ];
    for (const [over, path] of cases) expect(refusal({ ...base, ...over })).toEqual({ code: 'JOURNEY_INVALID', path });
    expect(parseJourney({ ...base, steps: { a: { type: 'wait', duration: 8.64e15 } } }).id).toBe('j');
  });

  it('refuses split conditions nested deeper than 32 levels, with over 2,000 parts, or containing themselves, without a RangeError', () => {
    const split = (when: unknown) => ({ ...base, steps: { a: { type: 'split', branches: [{ when, next: 'c' }] }, c: { type: 'end' } } });
    // Built as JSON text, as an API would receive it (JSON.stringify itself overflows on the deepest).
    const nest = (n: number): unknown => JSON.parse(`${'{"all":['.repeat(n)}{"segment":{"attr":"x","op":"eq","value":1}}${']}'.repeat(n)}`);
    expect(safeParseJourney(split(nest(31))).ok).toBe(true);
    for (const n of [32, 800, 5000]) {
      const r = refusal(split(nest(n)));
      expect(r.code).toBe('JOURNEY_INVALID');
      expect(r.path).toBe(`steps.a.branches[0].when${'.all[0]'.repeat(32)}`);
    }
    const loop: { any: unknown[] } = { any: [] };
    loop.any.push(loop);
    expect(refusal(split(loop))).toEqual({ code: 'JOURNEY_INVALID', path: 'steps.a.branches[0].when.any[0]' });
    // Shared parts count once per use: 16 × 16 × 16 leaves is over 2,000.
    const leaf = { segment: { attr: 'x', op: 'eq', value: 1 } };
    const wide = (c: unknown) => ({ any: Array.from({ length: 16 }, () => c) });
    expect(refusal(split(wide(wide(wide(leaf))))).code).toBe('JOURNEY_INVALID');
  });

  it('refuses a goal or exit response signal on a step that is not a send, like the same signal in a waitFor', () => {
    const steps = { a: { ...send, next: 'w' }, w: { type: 'wait' as const, duration: '3d' } };
    expect(refusal({ ...base, steps, goals: [{ id: 'g', when: { response: 'clicked', step: 'newsletter' } }] })).toEqual({ code: 'JOURNEY_INVALID', path: 'goals[0].when.step' });
    expect(refusal({ ...base, steps, exits: [{ id: 'x', when: { response: 'unsubscribed', step: 'w' } }] })).toEqual({ code: 'JOURNEY_INVALID', path: 'exits[0].when.step' });
    expect(refusal({ ...base, steps, goals: [{ id: 'g', when: { response: 'clicked', step: 'constructor' } }] })).toEqual({ code: 'JOURNEY_INVALID', path: 'goals[0].when.step' });
    expect(parseJourney({ ...base, steps, goals: [{ id: 'g', when: { response: 'clicked', step: 'a' } }], exits: [{ id: 'x', when: { response: 'unsubscribed', step: 'a' } }] }).goals).toHaveLength(1);
  });

  it('refuses duplicate goal, exit, branch, arm and reply choice ids at the duplicate', () => {
    const cond = (value: number) => ({ segment: { attr: 'x', op: 'eq', value } });
    expect(refusal({ ...base, steps: { a: { type: 'end' } }, goals: [{ id: 'g', when: { event: 'x' } }, { id: 'g', when: { event: 'y' } }] })).toEqual({ code: 'JOURNEY_INVALID', path: 'goals[1].id' });
    expect(refusal({ ...base, steps: { a: { type: 'end' } }, exits: [{ id: 'x', when: { event: 'x' } }, { id: 'x', when: { event: 'y' } }] })).toEqual({ code: 'JOURNEY_INVALID', path: 'exits[1].id' });
    expect(refusal({ ...base, steps: { a: { type: 'split', branches: [{ id: 'b', when: cond(1), next: 'c' }, { id: 'b', when: cond(2), next: 'c' }] }, c: { type: 'end' } } })).toEqual({ code: 'JOURNEY_INVALID', path: 'steps.a.branches[1].id' });
    expect(refusal({ ...base, steps: { a: { type: 'randomSplit', arms: [{ id: 'x', weight: 1, next: 'c' }, { id: 'x', weight: 1, next: 'c' }] }, c: { type: 'end' } } })).toEqual({ code: 'JOURNEY_INVALID', path: 'steps.a.arms[1].id' });
    expect(refusal({ ...base, steps: { a: { type: 'reply', choices: [{ id: 'ok', keywords: ['yes'] }, { id: 'ok', keywords: ['later'] }], timeout: '2d' } } })).toEqual({ code: 'JOURNEY_INVALID', path: 'steps.a.choices[1].id' });
    // Branches without ids are fine.
    expect(parseJourney({ ...base, steps: { a: { type: 'split', branches: [{ when: cond(1), next: 'c' }, { when: cond(2), next: 'c' }] }, c: { type: 'end' } } }).id).toBe('j');
  });

  it('refuses __proto__ as a step id at steps.__proto__ (it read as "1 to 500 steps" at steps)', () => {
    const r = refusal(JSON.parse('{"id":"j","version":1,"entry":{"on":"manual"},"start":"a","steps":{"a":{"type":"end"},"__proto__":{"type":"end"}}}'));
    expect(r).toEqual({ code: 'JOURNEY_INVALID', path: 'steps.__proto__' });
    expect(refusal({ ...base, start: '__proto__', steps: { a: { type: 'end' } } })).toEqual({ code: 'JOURNEY_INVALID', path: 'start' });
  });
});
