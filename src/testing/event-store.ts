/**
 * Conformance suite of {@link EventStore}: every implementation (memory, PostgreSQL, an integrator's own)
 * must pass it. Run inside vitest.
 */
import { expect, it } from 'vitest';
import { isCrossChannelError } from '../core/errors.js';
import type { BehaviourEventInput } from '../core/records.js';
import type { EventStore } from '../segments/store.js';
import { runConformance, type ConformanceTargets } from './harness.js';

const ev = (over: Partial<BehaviourEventInput> & { at: number }): BehaviourEventInput => ({ subjectId: 'alice', type: 'page_view', properties: {}, ...over });

/**
 * Runs the EventStore conformance suite against each implementation.
 *
 * @example
 * ```ts
 * runEventStoreConformance([{ name: 'memory', create: () => new MemoryEventStore() }]);
 * ```
 */
export function runEventStoreConformance(implementations: ConformanceTargets<EventStore>): void {
  runConformance('EventStore', implementations, (store) => {
    it('returns no events for an unknown subject', async () => {
      expect(await store().read('nobody')).toEqual([]);
    });

    it('reads events back parsed, sorted by time, equal times in append order', async () => {
      const s = store();
      expect(await s.append([ev({ id: 'b', at: 3_000, type: 'purchase', channel: 'web', properties: { amount: 42.5, items: [{ sku: 'A1' }] } }), ev({ at: 1_000 })])).toBe(2);
      expect(await s.append([ev({ id: 'c', at: 3_000, type: 'cart_add' }), ev({ id: 'd', at: '1970-01-01T00:00:02Z' as unknown as number })])).toBe(2);
      const got = await s.read('alice');
      expect(got.map((e) => [e.at, e.type])).toEqual([
        [1_000, 'page_view'],
        [2_000, 'page_view'],
        [3_000, 'purchase'],
        [3_000, 'cart_add'],
      ]);
      expect(got[2]).toEqual({ id: 'b', subjectId: 'alice', type: 'purchase', at: 3_000, channel: 'web', properties: { amount: 42.5, items: [{ sku: 'A1' }] } });
      expect(got[0]).toEqual({ subjectId: 'alice', type: 'page_view', at: 1_000, properties: {} });
    });

    it('reads the half-open window [from, to) and filters by type', async () => {
      const s = store();
      await s.append([1_000, 2_000, 3_000, 4_000].map((at, i) => ev({ at, type: i % 2 === 0 ? 'a' : 'b' })));
      expect((await s.read('alice', { from: 2_000, to: 4_000 })).map((e) => e.at)).toEqual([2_000, 3_000]);
      expect((await s.read('alice', { from: 2_001 })).map((e) => e.at)).toEqual([3_000, 4_000]);
      expect((await s.read('alice', { to: 1_000 })).map((e) => e.at)).toEqual([]);
      expect((await s.read('alice', { from: 4_000, to: 4_000 })).map((e) => e.at)).toEqual([]);
      expect((await s.read('alice', { types: ['b'] })).map((e) => e.at)).toEqual([2_000, 4_000]);
    });

    it('keeps append order among equal times, whatever the ids (not id order)', async () => {
      const s = store();
      await s.append([ev({ id: 'z', at: 5_000, type: 'first' }), ev({ id: 'a', at: 5_000, type: 'second' })]);
      await s.append([ev({ id: 'm', at: 5_000, type: 'third' }), ev({ at: 5_000, type: 'fourth' }), ev({ id: 'b', at: 4_999, type: 'zeroth' })]);
      expect((await s.read('alice')).map((e) => e.type)).toEqual(['zeroth', 'first', 'second', 'third', 'fourth']);
    });

    it('keeps times to the millisecond and orders them as numbers (not as text)', async () => {
      const s = store();
      const times = [10_000, 900, 1_234, 99_999, 100_001, -1_500, 1_767_225_600_123];
      await s.append(times.map((at) => ev({ at })));
      expect((await s.read('alice')).map((e) => e.at)).toEqual([-1_500, 900, 1_234, 10_000, 99_999, 100_001, 1_767_225_600_123]);
      expect((await s.read('alice', { from: 1_234, to: 1_235 })).map((e) => e.at)).toEqual([1_234]);
      expect((await s.read('alice', { from: 901, to: 100_001 })).map((e) => e.at)).toEqual([1_234, 10_000, 99_999]);
    });

    it('applies the types filter together with the window', async () => {
      const s = store();
      await s.append([1_000, 2_000, 3_000, 4_000].map((at, i) => ev({ at, type: i % 2 === 0 ? 'a' : 'b' })));
      expect((await s.read('alice', { from: 1_000, to: 4_000, types: ['a'] })).map((e) => e.at)).toEqual([1_000, 3_000]);
      expect((await s.read('alice', { from: 2_000, types: ['b'] })).map((e) => e.at)).toEqual([2_000, 4_000]);
      expect((await s.read('alice', { to: 3_000, types: ['b'] })).map((e) => e.at)).toEqual([2_000]);
      expect(await s.read('alice', { from: 1_000, to: 5_000, types: [] })).toEqual([]);
    });

    it('takes ±Infinity as open bounds and refuses other bounds, subjects and options at their path', async () => {
      const s = store();
      await s.append([ev({ at: 1_000 }), ev({ at: 2_000 })]);
      expect((await s.read('alice', { from: Number.NEGATIVE_INFINITY, to: Number.POSITIVE_INFINITY })).map((e) => e.at)).toEqual([1_000, 2_000]);
      expect((await s.read('alice', { from: 1_500, to: 1e300 })).map((e) => e.at)).toEqual([2_000]);
      expect(await s.read('alice', { from: Number.POSITIVE_INFINITY })).toEqual([]);
      expect(await s.read('alice', { to: Number.NEGATIVE_INFINITY })).toEqual([]);
      const refused: Array<[string, () => Promise<unknown>]> = [
        ['from', () => s.read('alice', { from: Number.NaN })],
        ['to', () => s.read('alice', { to: Number.NaN })],
        ['from', () => s.read('alice', { from: '1000' as unknown as number })],
        ['to', () => s.read('alice', { to: null as unknown as number })],
        ['types', () => s.read('alice', { types: 'a' as unknown as string[] })],
        ['types[0]', () => s.read('alice', { types: [42 as unknown as string] })],
        ['subjectId', () => s.read(42 as unknown as string)],
        ['options', () => s.read('alice', 'x' as never)],
        ['subjectId', () => s.erase(42 as unknown as string)],
      ];
      for (const [path, call] of refused) {
        const err = await call().then(() => null, (e: unknown) => e);
        expect(isCrossChannelError(err, 'INPUT_INVALID'), path).toBe(true);
        expect((err as { path?: string }).path).toBe(path);
      }
      expect(await s.read('alice')).toHaveLength(2);
    });

    it('refuses subject and event ids with a lone surrogate or a control character, and writes nothing', async () => {
      const s = store();
      for (const bad of ['\ud800', 'a\udc00', '\u0085x', 'a\u0000']) {
        const err = await s.append([ev({ at: 1_000 }), ev({ at: 1_000, subjectId: bad })]).catch((e: unknown) => e);
        expect(isCrossChannelError(err, 'INPUT_INVALID')).toBe(true);
        expect((err as { path?: string }).path).toBe('[1].subjectId');
        const err2 = await s.append([ev({ at: 1_000, id: bad })]).catch((e: unknown) => e);
        expect((err2 as { path?: string }).path).toBe('[0].id');
        for (const call of [() => s.read(bad), () => s.erase(bad)]) {
          const e = await call().then(() => null, (x: unknown) => x);
          expect(isCrossChannelError(e, 'INPUT_INVALID')).toBe(true);
          expect((e as { path?: string }).path).toBe('subjectId');
        }
      }
      expect(await s.read('alice')).toEqual([]);
    });

    it('is idempotent by event id per subject, across and within calls', async () => {
      const s = store();
      expect(await s.append([ev({ id: 'e1', at: 1_000 }), ev({ id: 'e1', at: 5_000 })])).toBe(1);
      expect(await s.append([ev({ id: 'e1', at: 1_000 }), ev({ id: 'e2', at: 2_000 })])).toBe(1);
      expect(await s.append([ev({ id: 'e1', subjectId: 'bob', at: 1_000 })])).toBe(1);
      expect((await s.read('alice')).map((e) => e.id)).toEqual(['e1', 'e2']);
      expect(await s.read('bob')).toHaveLength(1);
      expect(await s.append([ev({ at: 9_000 }), ev({ at: 9_000 })])).toBe(2); // no id: never duplicates
      expect(await s.read('alice', { from: 9_000 })).toHaveLength(2);
    });

    it('rejects a bad batch whole, naming the bad event, and writes nothing', async () => {
      const s = store();
      const err = await s.append([ev({ at: 1_000 }), { subjectId: 'alice', type: '', at: 2_000 }]).catch((e: unknown) => e);
      expect(isCrossChannelError(err, 'INPUT_INVALID')).toBe(true);
      expect((err as { path: string }).path).toBe('[1].type');
      const err2 = await s.append([ev({ at: 'yesterday' as unknown as number })]).catch((e: unknown) => e);
      expect(isCrossChannelError(err2, 'INPUT_INVALID')).toBe(true);
      expect(await s.read('alice')).toEqual([]);
    });

    it('keeps subjects apart and erases one subject entirely', async () => {
      const s = store();
      await s.append([ev({ at: 1_000 }), ev({ at: 2_000, id: 'x' }), ev({ at: 1_500, subjectId: 'bob' })]);
      expect(await s.erase('alice')).toBe(2);
      expect(await s.read('alice')).toEqual([]);
      expect(await s.read('bob')).toHaveLength(1);
      expect(await s.erase('alice')).toBe(0);
      expect(await s.append([ev({ at: 3_000, id: 'x' })])).toBe(1);
    });

    it('returns an empty append as 0', async () => {
      expect(await store().append([])).toBe(0);
    });
  });
}
