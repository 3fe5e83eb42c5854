/**
 * createHoldoutCheck decides as assign and enroll do (audit 2 of 2026-12, F2 and F3): it assigned without the
 * person's segments (a targeted experiment's held units were contacted, excluded people were held) and re-hashed
 * the id past the sticky store (818 of 1,040 sticky-held people contacted).
 */
import { describe, expect, it } from 'vitest';
import { MemoryAssignmentStore } from '../adapters/memory/assignments.js';
import { assign } from './assign.js';
import { HOLDOUT_VARIANT_ID, parseExperiment } from './config.js';
import { createHoldoutCheck } from './holdout.js';
import { enroll } from './store.js';

const now = Date.parse('2026-05-01T00:00:00Z');
const near = (a: number, b: number, tol: number) => expect(Math.abs(a - b)).toBeLessThanOrEqual(tol);
const ids = Array.from({ length: 2000 }, (_, i) => `p${i}`);

describe('createHoldoutCheck follows targeting and sticky assignments', () => {
  it('holds exactly the units assign holds given the person\'s segments (targeting all / none)', () => {
    const vip = parseExperiment({ id: 'vip-offer', variants: [{ id: 'control' }, { id: 'b' }], targeting: { all: ['vip'] }, holdout: { share: 0.5 } });
    const churn = parseExperiment({ id: 'no-churners', variants: [{ id: 'control' }, { id: 'b' }], targeting: { none: ['churner'] }, holdout: { share: 0.5 } });
    for (const e of [vip, churn]) {
      for (const segments of [['vip'], ['churner'], []]) {
        const check = createHoldoutCheck({ experiments: [e], person: () => ({ segments }) });
        let held = 0;
        for (const id of ids) {
          const want = assign(e, id, { now, segments }).variantId === HOLDOUT_VARIANT_ID;
          held += +want;
          expect(check(id, { channel: 'email', now }).held).toBe(want);
        }
        // vip people and non-churners: about half held; the others none.
        expect(held > 0).toBe(e === vip ? segments[0] === 'vip' : segments[0] !== 'churner');
      }
    }
  });

  it('a targeted experiment without options.person is refused (the hook carries no segments), naming the experiment', () => {
    const e = parseExperiment({ id: 'vip-offer', variants: [{ id: 'control' }, { id: 'b' }], targeting: { any: ['vip'] }, holdout: { share: 0.1 } });
    expect(() => createHoldoutCheck({ experiments: [e] })).toThrow(expect.objectContaining({ code: 'INPUT_INVALID', pathSegments: ['experiments', 0] }));
    expect(() => createHoldoutCheck({ experiments: [e], person: 1 as never })).toThrow(expect.objectContaining({ code: 'INPUT_INVALID', pathSegments: ['person'] }));
    const check = createHoldoutCheck({ experiments: [e], person: () => ({ sticky: {} as never }) });
    expect(() => check('p1', { channel: 'email', now })).toThrow(expect.objectContaining({ code: 'INPUT_INVALID', pathSegments: ['person'] }));
  });

  it('follows the sticky assignment carried from an anonymous id: held iff enroll says held', async () => {
    const e = parseExperiment({ id: 'promo', variants: [{ id: 'control' }, { id: 'b' }], holdout: { share: 0.2 } });
    const store = new MemoryAssignmentStore();
    const lists = new Map<string, Awaited<ReturnType<typeof store.list>>>();
    const check = createHoldoutCheck({ experiments: [e], person: (id) => ({ sticky: lists.get(id) }) });
    let held = 0;
    for (let i = 0; i < 1000; i++) {
      await enroll(store, e, { subjectId: `anon-${i}` }, { now });
      const { assignment } = await enroll(store, e, { subjectId: `person-${i}`, anonymousId: `anon-${i}` }, { now });
      lists.set(`person-${i}`, await store.list(`person-${i}`));
      held += +assignment.held;
      expect(check(`person-${i}`, { channel: 'email', now }).held).toBe(assignment.variantId === HOLDOUT_VARIANT_ID);
    }
    expect(held).toBeGreaterThan(100);
    // A stored variant that no longer exists falls back to the hash; a stopped experiment holds no one.
    const hashed = (id: string) => assign(e, id, { now }).variantId === HOLDOUT_VARIANT_ID;
    const gone = createHoldoutCheck({ experiments: [e], person: () => ({ sticky: [{ experimentId: 'promo', variantId: 'removed' }] }) });
    for (const id of ids.slice(0, 200)) expect(gone(id, { channel: 'email', now }).held).toBe(hashed(id));
    const stopped = createHoldoutCheck({ experiments: [parseExperiment({ id: 'promo', variants: [{ id: 'control' }, { id: 'b' }], holdout: { share: 0.2 }, stop: '2026-04-01T00:00:00Z' })], person: () => ({ sticky: [{ experimentId: 'promo', variantId: HOLDOUT_VARIANT_ID }] }) });
    expect(stopped('p1', { channel: 'email', now }).held).toBe(false);
  });

  it('the experiment holdout is drawn before coverage, as the guide says (coverage 0.2, share 0.1: 36 % of the experiment held)', () => {
    const heldShare = (coverage: number, share: number) => {
      const e = parseExperiment({ id: 'cov', variants: [{ id: 'control' }, { id: 'b' }], coverage, holdout: { share } });
      let inExp = 0;
      let held = 0;
      for (let i = 0; i < 100_000; i++) {
        const a = assign(e, `u${i}`, { now });
        inExp += +a.inExperiment;
        held += +(a.variantId === HOLDOUT_VARIANT_ID);
      }
      return held / inExp;
    };
    near(heldShare(0.2, 0.1), 0.1 / 0.28, 0.01);
    // The guide's share for 10 % of the experiment's units at coverage 0.2: h·c / (1 − h + h·c).
    near(heldShare(0.2, (0.1 * 0.2) / (1 - 0.1 + 0.1 * 0.2)), 0.1, 0.01);
  });
});
