/**
 * Conformance suite of {@link AssignmentStore}: every implementation (memory, Redis, PostgreSQL, an integrator's
 * own) must pass it. Run inside vitest.
 */
import { expect, it } from 'vitest';
import { isCrossChannelError } from '../core/errors.js';
import { parseExperiment } from '../experiments/config.js';
import { enroll, type AssignmentStore, type StickyAssignment } from '../experiments/store.js';
import { runConformance, type ConformanceTargets } from './harness.js';

const rec = (over: Partial<StickyAssignment> = {}): StickyAssignment => ({ experimentId: 'subject-line', unitId: 'alice', variantId: 'b', assignedAt: 1_000, ...over });

/**
 * Runs the AssignmentStore conformance suite against each implementation.
 *
 * @example
 * ```ts
 * runAssignmentStoreConformance([{ name: 'memory', create: () => new MemoryAssignmentStore() }]);
 * ```
 */
export function runAssignmentStoreConformance(implementations: ConformanceTargets<AssignmentStore>): void {
  runConformance('AssignmentStore', implementations, (store) => {
    it('reads nothing for an unknown unit, without enrolling it', async () => {
      const s = store();
      expect(await s.get('subject-line', 'nobody')).toBeNull();
      expect(await s.list('nobody')).toEqual([]);
      await s.putIfAbsent(rec({ experimentId: 'other' }));
      expect(await s.get('subject-line', 'alice')).toBeNull();
    });

    it('stores once: the first writer wins, also when callers race', async () => {
      const s = store();
      expect(await s.putIfAbsent(rec())).toEqual({ stored: rec(), created: true });
      expect(await s.putIfAbsent(rec({ variantId: 'a', assignedAt: 2_000 }))).toEqual({ stored: rec(), created: false });
      const racing = await Promise.all(Array.from({ length: 20 }, (_, i) => s.putIfAbsent(rec({ unitId: 'bob', variantId: i % 2 ? 'a' : 'b', assignedAt: i }))));
      expect(racing.filter((r) => r.created)).toHaveLength(1);
      const winner = racing.find((r) => r.created)!.stored;
      for (const r of racing) expect(r.stored).toEqual(winner);
      expect(await s.get('subject-line', 'bob')).toEqual(winner);
    });

    it('keeps the anonymous id and lists a unit`s experiments in id order', async () => {
      const s = store();
      await s.putIfAbsent(rec({ experimentId: 'z-exp', anonymousId: 'anon-1' }));
      await s.putIfAbsent(rec({ experimentId: 'a-exp' }));
      expect((await s.list('alice')).map((a) => a.experimentId)).toEqual(['a-exp', 'z-exp']);
      expect(await s.get('z-exp', 'alice')).toEqual(rec({ experimentId: 'z-exp', anonymousId: 'anon-1' }));
    });

    it('lists experiments in UTF-16 code-unit order, whatever the locale or collation', async () => {
      const s = store();
      const ids = ['b-test', 'B-test', 'a_exp', 'a-exp', 'aexp', 'Z', '\u{1F600}', '\uFF01', 'a', 'é', 'e\u0301', '10', '2'];
      for (const experimentId of ids) await s.putIfAbsent(rec({ experimentId }));
      expect((await s.list('alice')).map((a) => a.experimentId)).toEqual(['10', '2', 'B-test', 'Z', 'a', 'a-exp', 'a_exp', 'aexp', 'b-test', 'e\u0301', 'é', '\u{1F600}', '\uFF01']);
    });

    it('refuses unit and experiment ids with a lone surrogate or a control character, and writes nothing', async () => {
      const s = store();
      for (const bad of ['\ud800', 'a\udc00', '\u0085x']) {
        for (const [path, call] of [
          ['unitId', () => s.putIfAbsent(rec({ unitId: bad }))],
          ['experimentId', () => s.putIfAbsent(rec({ experimentId: bad }))],
          ['unitId', () => s.get('subject-line', bad)],
          ['experimentId', () => s.get(bad, 'alice')],
          ['unitId', () => s.list(bad)],
          ['unitId', () => s.erase(bad)],
        ] as Array<[string, () => Promise<unknown>]>) {
          const err = await call().then(() => null, (e: unknown) => e);
          expect(isCrossChannelError(err, 'INPUT_INVALID'), `${path} ${JSON.stringify(bad)}`).toBe(true);
          expect((err as { path?: string }).path).toBe(path);
        }
      }
      expect(await s.list('alice')).toEqual([]);
    });

    it('rejects a malformed record and writes nothing', async () => {
      const s = store();
      const err = await s.putIfAbsent({ ...rec(), variantId: '' }).catch((e: unknown) => e);
      expect(isCrossChannelError(err, 'INPUT_INVALID')).toBe(true);
      expect((err as { path?: string }).path).toBe('variantId');
      const err2 = await s.putIfAbsent({ ...rec(), assignedAt: Number.NaN }).catch((e: unknown) => e);
      expect(isCrossChannelError(err2, 'INPUT_INVALID')).toBe(true);
      expect(await s.get('subject-line', 'alice')).toBeNull();
      expect(isCrossChannelError(await s.get(42 as unknown as string, 'alice').catch((e: unknown) => e), 'INPUT_INVALID')).toBe(true);
    });

    it('erases one unit entirely (ids are exact: no case folding, no truncation)', async () => {
      const s = store();
      const long = 'u'.repeat(250);
      for (const unitId of ['Alice', `${long}1`, `${long}2`]) await s.putIfAbsent(rec({ unitId }));
      await s.putIfAbsent(rec());
      await s.putIfAbsent(rec({ experimentId: 'other' }));
      await s.putIfAbsent(rec({ unitId: 'bob' }));
      expect(await s.erase('alice')).toBe(2);
      expect(await s.list('alice')).toEqual([]);
      expect(await s.get('subject-line', 'bob')).not.toBeNull();
      expect(await s.erase('alice')).toBe(0);
      expect([await s.erase(`${long}1`), await s.erase('Alice'), (await s.list(`${long}2`)).length]).toEqual([1, 1, 1]);
    });

    it('keeps enrolled people in their variant when the weights change (enroll)', async () => {
      const s = store();
      const before = parseExperiment({ id: 'w', variants: [{ id: 'a', weight: 0.5 }, { id: 'b', weight: 0.5 }] });
      const after = parseExperiment({ id: 'w', variants: [{ id: 'a', weight: 0.1 }, { id: 'b', weight: 0.9 }] });
      const ids = Array.from({ length: 30 }, (_, i) => `p${i}`);
      const first = await Promise.all(ids.map((id) => enroll(s, before, { subjectId: id }, { now: 1 })));
      const again = await Promise.all(ids.map((id) => enroll(s, after, { subjectId: id }, { now: 2 })));
      expect(again.map((e) => e.assignment.variantId)).toEqual(first.map((e) => e.assignment.variantId));
      expect(again.every((e) => e.assignment.reason.code === 'EXPERIMENT_STICKY' && !e.created)).toBe(true);
    });

    it('carries an anonymous visitor`s variant over to the identified person (first exposure wins)', async () => {
      const s = store();
      const exp = parseExperiment({ id: 'w', variants: [{ id: 'a' }, { id: 'b' }, { id: 'c' }, { id: 'd' }] });
      for (let i = 0; i < 8; i++) {
        const anon = await enroll(s, exp, { subjectId: `anon-${i}` }, { now: 1 });
        const known = await enroll(s, exp, { subjectId: `person-${i}`, anonymousId: `anon-${i}` }, { now: 2 });
        expect(known.assignment.variantId).toBe(anon.assignment.variantId);
        expect(known.sticky).toMatchObject({ unitId: `person-${i}`, anonymousId: `anon-${i}`, assignedAt: 1 });
      }
    });
  });
}
