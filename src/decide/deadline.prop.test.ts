import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { isCrossChannelError } from '../core/errors.js';
import { allWithDeadline, withDeadline } from './deadline.js';

/**
 * `withDeadline` / `allWithDeadline` against an oracle that replays the calls' settlements in time order.
 *
 * Each call answers a value, rejects, throws synchronously or never settles; a call that settles does so in the
 * same microtask turn (delay 0) or after `delay` ms of a timer. Timers fire in time order, and at equal times in
 * the order they were made: the calls' (made in order, when the calls are invoked) before the deadline's (armed
 * after them). Microtask settlements come before any timer, in call order.
 */
type Outcome = { readonly kind: 'value' | 'reject' | 'throw' | 'never'; readonly delay: number };

const outcomeArb: fc.Arbitrary<Outcome> = fc.oneof(
  fc.record({ kind: fc.constant<'value'>('value'), delay: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 30 })) }),
  fc.record({ kind: fc.constant<'reject'>('reject'), delay: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 30 })) }),
  fc.record({ kind: fc.constant<'throw'>('throw'), delay: fc.constant(0) }),
  fc.record({ kind: fc.constant<'never'>('never'), delay: fc.constant(0) }),
);

type Expected = { readonly ok: true; readonly values: unknown[] } | { readonly ok: false; readonly code: 'STORE_ERROR' | 'STORE_TIMEOUT'; readonly operation: string };

function oracle(outcomes: readonly Outcome[], timeoutMs: number): Expected {
  const n = outcomes.length;
  const events: Array<{ at: number; order: number; i: number }> = [];
  outcomes.forEach((o, i) => {
    if (o.kind !== 'never') events.push({ at: o.delay, order: i, i });
  });
  if (Number.isFinite(timeoutMs) && timeoutMs > 0) events.push({ at: timeoutMs, order: n, i: -1 });
  events.sort((a, b) => a.at - b.at || a.order - b.order);
  const done = new Array<boolean>(n).fill(false);
  let left = n;
  for (const e of events) {
    if (e.i < 0) return { ok: false, code: 'STORE_TIMEOUT', operation: `op${done.indexOf(false)}` };
    const o = outcomes[e.i]!;
    if (o.kind !== 'value') return { ok: false, code: 'STORE_ERROR', operation: `op${e.i}` };
    done[e.i] = true;
    if (--left === 0) return { ok: true, values: outcomes.map((_, i) => i * 10) };
  }
  throw new Error('the oracle needs a deadline or calls that all settle');
}

function call(o: Outcome, i: number): () => unknown {
  return () => {
    if (o.kind === 'throw') throw new Error(`thrown ${i}`);
    if (o.kind === 'never') return new Promise(() => undefined);
    if (o.delay === 0) return o.kind === 'value' ? Promise.resolve(i * 10) : Promise.reject(new Error(`rejected ${i}`));
    return new Promise((resolve, reject) => setTimeout(() => (o.kind === 'value' ? resolve(i * 10) : reject(new Error(`rejected ${i}`))), o.delay));
  };
}

async function settle(p: Promise<unknown>): Promise<{ ok: true; value: unknown } | { ok: false; error: unknown }> {
  const result = p.then(
    (value) => ({ ok: true as const, value }),
    (error: unknown) => ({ ok: false as const, error }),
  );
  await vi.runAllTimersAsync();
  return result;
}

describe('deadline helpers against a time-ordered oracle', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  const timeoutArb = fc.oneof(fc.integer({ min: 1, max: 40 }), fc.constant(Number.POSITIVE_INFINITY), fc.constant(0));
  const caseArb = fc
    .tuple(fc.array(outcomeArb, { minLength: 1, maxLength: 5 }), timeoutArb)
    // Without a deadline, a call that never settles would hang the real helper as well as the oracle.
    .filter(([outcomes, t]) => (Number.isFinite(t) && t > 0) || outcomes.every((o) => o.kind !== 'never'));

  it('allWithDeadline: values in call order, else the first failure or the deadline in time order, typed with its operation', async () => {
    await fc.assert(
      fc.asyncProperty(caseArb, async ([outcomes, timeoutMs]) => {
        const expected = oracle(outcomes, timeoutMs);
        const got = await settle(allWithDeadline('load', timeoutMs, outcomes.map((o, i) => [`op${i}`, call(o, i)] as const) as never));
        if (expected.ok) {
          expect(got).toEqual({ ok: true, value: expected.values });
        } else {
          expect(got.ok).toBe(false);
          const error = (got as { error: unknown }).error;
          expect(isCrossChannelError(error, expected.code)).toBe(true);
          expect((error as { detail?: unknown }).detail).toMatchObject({ stage: 'load', operation: expected.operation });
        }
        // Whatever settles later is ignored, and no timer is left behind.
        expect(vi.getTimerCount()).toBe(0);
      }),
      { numRuns: 300 },
    );
  });

  it('withDeadline: one call, the same rules, and its value itself rather than a list', async () => {
    await fc.assert(
      fc.asyncProperty(caseArb.map(([outcomes, t]) => [outcomes.slice(0, 1), t] as const), async ([outcomes, timeoutMs]) => {
        const expected = oracle(outcomes, timeoutMs);
        const got = await settle(withDeadline('reserve', 'op0', timeoutMs, call(outcomes[0]!, 0)));
        if (expected.ok) expect(got).toEqual({ ok: true, value: expected.values[0] });
        else {
          const error = (got as { error: unknown }).error;
          expect(isCrossChannelError(error, expected.code)).toBe(true);
          expect((error as { detail?: unknown }).detail).toMatchObject({ stage: 'reserve', operation: 'op0' });
        }
      }),
      { numRuns: 200 },
    );
  });

  it('arms no timer when every call settles within microtasks', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(outcomeArb.filter((o) => o.delay === 0 && o.kind !== 'never'), { minLength: 1, maxLength: 5 }), fc.integer({ min: 1, max: 40 }), async (outcomes, timeoutMs) => {
        const spy = vi.spyOn(globalThis, 'setTimeout');
        try {
          await allWithDeadline('load', timeoutMs, outcomes.map((o, i) => [`op${i}`, call(o, i)] as const) as never).catch(() => undefined);
          // Two more promise turns: the point at which a still-pending call would arm the deadline.
          await Promise.resolve();
          await Promise.resolve();
          expect(spy).not.toHaveBeenCalled();
        } finally {
          spy.mockRestore();
        }
      }),
      { numRuns: 100 },
    );
  });
});
