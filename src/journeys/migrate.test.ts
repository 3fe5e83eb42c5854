import { describe, expect, it } from 'vitest';
import { DAY } from '../core/time.js';
import { advance } from './advance.js';
import { parseJourney } from './compile.js';
import { diffJourney, migrateInstance } from './migrate.js';
import { startInstance } from './instance.js';
import { welcome } from './scenarios/fixtures.js';

const T0 = Date.parse('2026-03-02T08:00:00Z');
const v1 = parseJourney(welcome);
const v2 = parseJourney({
  ...welcome,
  version: 2,
  steps: { ...welcome.steps, d7: { type: 'wait', duration: '2d', next: 'survey' }, survey: { type: 'send', channel: 'email', message: 'welcome-survey', next: 'offer' } },
});

describe('versions in flight', () => {
  const waiting = advance(v1, startInstance(v1, 'p1', T0), {}, T0).instance; // on d3
  const later = advance(v1, waiting, {}, T0 + 3 * DAY).instance; // on d7
  const ended = { ...later, id: 'x', status: 'completed' as const, wakeAt: null };

  it('diffJourney is a dry run: steps added/changed and who would move where', () => {
    const d = diffJourney(v1, v2, [waiting, later, ended], { d7: 'd7' });
    expect(d.added).toEqual(['survey']);
    expect(d.changed).toEqual(['d7']);
    expect(d.counts).toEqual({ 'd3→(stay)': 1, 'd7→d7': 1, 'd7→(ended)': 1 });
  });

  it('migrateInstance and advance check the whole instance: junk fields from plain JavaScript are JOURNEY_INSTANCE_INVALID at their path, not a TypeError', () => {
    const throwing = { toString: () => { throw new Error('boom'); } };
    for (const step of [[Symbol('s')], throwing, 7]) {
      expect(() => migrateInstance(v1, v2, { ...later, step } as never, { d7: 'd7' }, T0)).toThrow(expect.objectContaining({ code: 'JOURNEY_INSTANCE_INVALID', path: 'instance.step' }));
    }
    expect(() => advance(v1, { ...later, version: throwing } as never, {}, T0)).toThrow(expect.objectContaining({ code: 'JOURNEY_INSTANCE_INVALID', path: 'instance.version' }));
  });

  it('migrateInstance moves along the mapping, keeps the wait start, never reuses a key', () => {
    const moved = migrateInstance(v1, v2, later, { d7: 'd7' }, T0 + 3 * DAY + 1);
    expect(moved).toMatchObject({ version: 2, step: 'd7', seq: later.seq + 1, stepAt: later.stepAt });
    const r = advance(v2, moved, {}, T0 + 5 * DAY);
    expect(r.actions.map((a) => a.key)).toEqual([`${later.id}:survey:${later.seq + 2}`, `${later.id}:offer:${later.seq + 3}`]);
    expect(migrateInstance(v1, v2, waiting, { d7: 'd7' }, T0)).toBe(waiting); // unmapped: stays on v1
  });

  it('refuses a mapping to an unknown step', () => {
    expect(() => diffJourney(v1, v2, [], { d7: 'nope' })).toThrow(expect.objectContaining({ code: 'JOURNEY_MIGRATION_INVALID', path: 'mapping.d7' }));
    expect(() => migrateInstance(v1, v2, later, { ghost: 'd7' }, T0)).toThrow(expect.objectContaining({ code: 'JOURNEY_MIGRATION_INVALID' }));
  });
});

describe('step ids that name Object.prototype members', () => {
  // Ids are any 1–256 characters: `constructor` and `toString` are steps like any other, never inherited targets.
  const def = (version: number) => ({
    id: 'proto',
    version,
    entry: { on: 'manual' as const },
    start: 'constructor',
    steps: { constructor: { type: 'wait' as const, duration: '1d', next: 'toString' }, toString: { type: 'wait' as const, duration: '1d', next: 'end' }, end: { type: 'end' as const } },
  });
  const a = parseJourney(def(1));
  const b = parseJourney(def(2));
  const waiting = advance(a, startInstance(a, 'p1', T0), {}, T0).instance;

  it('an unmapped step stays, in the dry run and in the move', () => {
    expect(waiting.step).toBe('constructor');
    const d = diffJourney(a, b, [waiting], {});
    expect(d.moves).toEqual([{ instanceId: waiting.id, subjectId: 'p1', from: 'constructor', to: null, action: 'stay' }]);
    expect(d.counts).toEqual({ 'constructor→(stay)': 1 });
    expect(migrateInstance(a, b, waiting, {}, T0)).toBe(waiting);
  });

  it('a mapped one moves to its own target', () => {
    expect(diffJourney(a, b, [waiting], { constructor: 'toString' }).counts).toEqual({ 'constructor→toString': 1 });
    expect(migrateInstance(a, b, waiting, { constructor: 'toString' }, T0)).toMatchObject({ version: 2, step: 'toString' });
  });
});

describe('diffJourney instance fields (mutation fuzz, 2026-12-05)', () => {
  it('names an instance field that is not a string instead of failing to print it', () => {
    const i = startInstance(v1, 'p1', T0);
    expect(() => diffJourney(v1, v2, [{ ...i, step: { toString: 2 } as never }], {})).toThrow(expect.objectContaining({ code: 'JOURNEY_INSTANCE_INVALID', path: 'instances[0].step' }));
    expect(() => diffJourney(v1, v2, [i, { ...i, subjectId: Symbol('s') as never }], {})).toThrow(expect.objectContaining({ path: 'instances[1].subjectId' }));
  });
});
