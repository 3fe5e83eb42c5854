/** `enroll` against an assignment store that fails or answers with the wrong shape: typed errors, never a TypeError. */
import { describe, expect, it } from 'vitest';
import { withMethod } from '../../test/arbitraries/stores.js';
import { MemoryAssignmentStore } from '../adapters/memory/assignments.js';
import { parseExperiment } from './config.js';
import { enroll, type AssignmentStore } from './store.js';

const NOW = Date.UTC(2026, 0, 5);
const exp = parseExperiment({ id: 'subject-line', variants: [{ id: 'control' }, { id: 'emoji' }] });

/** The memory store with one method answering `value` (or rejecting with it, when `reject`). */
function answering(method: keyof AssignmentStore, value: unknown, reject = false): AssignmentStore {
  return withMethod<AssignmentStore>(new MemoryAssignmentStore(), method, () => (reject ? Promise.reject(value) : Promise.resolve(value)));
}

describe('enroll', () => {
  it('a putIfAbsent answering with the wrong shape is STORE_ERROR (it was a TypeError, or `sticky: undefined`)', async () => {
    const stored = { experimentId: 'subject-line', unitId: 'p1', variantId: 'emoji', assignedAt: NOW };
    const wrong = [undefined, null, 5, 'x', {}, { created: false }, { created: false, stored: null }, { created: true }, { created: 'yes', stored }, { created: false, stored: { ...stored, variantId: 7 } }];
    for (const value of wrong) {
      await expect(enroll(answering('putIfAbsent', value), exp, { subjectId: 'p1' }, { now: NOW }), JSON.stringify(value)).rejects.toMatchObject({
        code: 'STORE_ERROR',
        message: 'store.putIfAbsent answered with the wrong shape',
        path: 'store.putIfAbsent',
      });
      // The error itself, not a thrown string wrapped as its cause.
      expect(((await enroll(answering('putIfAbsent', value), exp, { subjectId: 'p1' }, { now: NOW }).catch((e: unknown) => e)) as Error).cause).toBeUndefined();
      // The same check when the record is carried over from an anonymous id.
      const carrying = withMethod<AssignmentStore>(answering('putIfAbsent', value), 'get', (original, experimentId, unitId) => (unitId === 'a1' ? Promise.resolve({ ...stored, unitId: 'a1' }) : original(experimentId, unitId)));
      await expect(enroll(carrying, exp, { subjectId: 'p1', anonymousId: 'a1' }, { now: NOW }), JSON.stringify(value)).rejects.toMatchObject({ code: 'STORE_ERROR' });
    }
    // A well-shaped answer from a racing caller wins, carried over or not.
    for (const anonymousId of [undefined, 'a1']) {
      const r = await enroll(answering('putIfAbsent', { created: false, stored }), exp, { subjectId: 'p1', ...(anonymousId ? { anonymousId } : {}) }, { now: NOW });
      expect(r).toMatchObject({ created: false, sticky: stored, assignment: { variantId: 'emoji' } });
    }
  });

  it('carries an anonymous visitor\'s sticky variant over to the person id, anonymousId kept', async () => {
    const store = new MemoryAssignmentStore();
    const anon = await enroll(store, exp, { subjectId: 'a1' }, { now: NOW });
    const person = await enroll(store, exp, { subjectId: 'p1', anonymousId: 'a1' }, { now: NOW + 1000 });
    expect(person).toMatchObject({ created: true, assignment: { variantId: anon.assignment.variantId }, sticky: { unitId: 'p1', anonymousId: 'a1', assignedAt: NOW, variantId: anon.assignment.variantId } });
  });

  it("a store's own failure is STORE_ERROR with the original as its cause; a CrossChannelError passes through", async () => {
    const boom = new Error('connection reset');
    await expect(enroll(answering('get', boom, true), exp, { subjectId: 'p1' }, { now: NOW })).rejects.toMatchObject({ code: 'STORE_ERROR', message: 'Error: connection reset', cause: boom });
    const r = await enroll(new MemoryAssignmentStore(), exp, { subjectId: 'p1' }, { now: NOW });
    expect(r).toMatchObject({ created: true, sticky: { experimentId: 'subject-line', unitId: 'p1' } });
  });

  it('refuses a unit without a string subjectId or with a non-string anonymousId, at its path', async () => {
    const store = new MemoryAssignmentStore();
    for (const [unit, path] of [
      [null, 'unit.subjectId'],
      [{}, 'unit.subjectId'],
      [{ subjectId: 5 }, 'unit.subjectId'],
      [{ subjectId: 'p1', anonymousId: 7 }, 'unit.anonymousId'],
    ] as const) {
      await expect(enroll(store, exp, unit as never, { now: NOW })).rejects.toMatchObject({ code: 'INPUT_INVALID', path });
    }
  });
});
