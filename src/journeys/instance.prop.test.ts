import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseJourney } from './compile.js';
import { startInstance } from './instance.js';

const T0 = Date.parse('2026-03-02T09:00:00Z');
const journey = (id: string) => parseJourney({ id, version: 1, entry: { on: 'manual' }, start: 'go', steps: { go: { type: 'end' } } });

describe('startInstance ids', () => {
  it('keep the plain form <journey>:<subject>:<now> for ids without ":" (instances stored before stay valid)', () => {
    expect(startInstance(journey('welcome'), 'p-42', T0).id).toBe(`welcome:p-42:${T0}`);
  });

  it('journey "j:a" with person "1" and journey "j" with person "a:1" get two ids', () => {
    const a = startInstance(journey('j:a'), '1', T0).id;
    const b = startInstance(journey('j'), 'a:1', T0).id;
    expect(a).not.toBe(b);
    expect([a, b]).toEqual([`j:a:1:${T0}:3`, `j:a:1:${T0}:1`]);
  });

  it('no two (journey, person, instant) share an id', () => {
    const part = fc.stringMatching(/^[a-c:]{1,5}$/);
    fc.assert(
      fc.property(part, part, part, part, fc.integer({ min: -2, max: 2 }), fc.integer({ min: -2, max: 2 }), (j1, s1, j2, s2, t1, t2) => {
        fc.pre(j1 !== j2 || s1 !== s2 || t1 !== t2);
        expect(startInstance(journey(j1), s1, T0 + t1).id).not.toBe(startInstance(journey(j2), s2, T0 + t2).id);
      }),
      { numRuns: 2000 },
    );
  });

  it('refuses a person id or an instance id with control characters or a lone surrogate', () => {
    for (const subjectId of ['a\nb', 'a\u0000', '\u0085', '\ud800']) {
      expect(() => startInstance(journey('j'), subjectId, T0)).toThrow(expect.objectContaining({ code: 'JOURNEY_INPUT_INVALID', path: 'subjectId' }));
    }
    expect(() => startInstance(journey('j'), 'p', T0, 'x\ny')).toThrow(expect.objectContaining({ code: 'JOURNEY_INPUT_INVALID', path: 'instanceId' }));
  });
});
