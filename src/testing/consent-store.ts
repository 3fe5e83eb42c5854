/**
 * Conformance suite of {@link ConsentStore}: every implementation (memory, PostgreSQL, an integrator's own)
 * must pass it. Run inside vitest.
 */
import { expect, it } from 'vitest';
import { isCrossChannelError } from '../core/errors.js';
import { saltedSha256Hex } from '../core/hash.js';
import { parseConsentEvent, type ConsentEvent } from '../consent/ledger.js';
import type { ConsentStore } from '../consent/store.js';
import { runConformance, type ConformanceTargets } from './harness.js';

/** The salt the suite expects implementations to be created with (to check erasure receipts). */
export const CONFORMANCE_ERASURE_SALT = 'conformance-salt';

const ev = (over: Partial<ConsentEvent> & { id: string }): ConsentEvent =>
  parseConsentEvent({ subjectId: 'alice', channel: 'email', purpose: 'marketing', kind: 'granted', at: 1_000, evidence: { source: 'form' }, ...over });

/**
 * Runs the ConsentStore conformance suite against each implementation. Create stores with
 * `erasureSalt: CONFORMANCE_ERASURE_SALT`.
 *
 * @example
 * ```ts
 * runConsentStoreConformance([{ name: 'memory', create: () => new MemoryConsentStore({ erasureSalt: CONFORMANCE_ERASURE_SALT }) }]);
 * ```
 */
export function runConsentStoreConformance(implementations: ConformanceTargets<ConsentStore>): void {
  runConformance('ConsentStore', implementations, (store) => {
    it('returns no events for an unknown subject', async () => {
      expect(await store().events('nobody')).toEqual([]);
    });

    it('appends and reads back events with their evidence, ordered by time then append order', async () => {
      const s = store();
      const a = ev({ id: 'a', at: 3_000, evidence: { source: 'form', textVersion: 'v2', ipHash: 'ab'.repeat(16), collectedAt: 2_500 } });
      const b = ev({ id: 'b', at: 1_000 });
      const c = ev({ id: 'c', at: 3_000, kind: 'withdrawn', purpose: '*' });
      await s.append(a);
      await s.append(b);
      await s.append(c);
      expect(await s.events('alice')).toEqual([b, a, c]);
    });

    it('keeps append order among equal times, whatever the ids, and orders times as numbers', async () => {
      const s = store();
      const z = ev({ id: 'z', at: 5_000 });
      const a = ev({ id: 'a', at: 5_000, kind: 'withdrawn' });
      const m = ev({ id: 'm', at: 5_000, purpose: 'analytics' });
      const late = ev({ id: 'late', at: 10_000 });
      const early = ev({ id: 'early', at: 900 });
      const before = ev({ id: 'before', at: -1_500 });
      for (const e of [z, late, a, early, m, before]) await s.append(e);
      expect(await s.events('alice')).toEqual([before, early, z, a, m, late]);
    });

    it('refuses subject ids with a lone surrogate or a control character, at every call, and writes nothing', async () => {
      const s = store();
      for (const bad of ['\ud800', 'a\udc00', '\u0085x']) {
        const err = await s.append({ ...ev({ id: 'a' }), subjectId: bad }).catch((e: unknown) => e);
        expect(isCrossChannelError(err, 'INPUT_INVALID')).toBe(true);
        expect((err as { path?: string }).path).toBe('subjectId');
        for (const call of [() => s.events(bad), () => s.erase(bad, 1_000), () => s.erasure(bad)]) {
          const e = await call().then(() => null, (x: unknown) => x);
          expect(isCrossChannelError(e, 'INPUT_INVALID')).toBe(true);
          expect((e as { path?: string }).path).toBe('subjectId');
        }
      }
      expect(isCrossChannelError(await s.events(42 as unknown as string).catch((e: unknown) => e), 'INPUT_INVALID')).toBe(true);
      expect(await s.erasure('alice')).toBeNull();
    });

    it('keeps subjects apart', async () => {
      const s = store();
      await s.append(ev({ id: 'x', subjectId: 'alice' }));
      await s.append(ev({ id: 'x', subjectId: 'bob', channel: 'sms' }));
      expect((await s.events('alice')).map((e) => e.channel)).toEqual(['email']);
      expect((await s.events('bob')).map((e) => e.channel)).toEqual(['sms']);
    });

    it('is idempotent for the identical event and refuses rewriting an event id', async () => {
      const s = store();
      await s.append(ev({ id: 'a' }));
      await s.append(ev({ id: 'a' }));
      expect(await s.events('alice')).toHaveLength(1);
      const err = await s.append(ev({ id: 'a', kind: 'denied' })).catch((e: unknown) => e);
      expect(isCrossChannelError(err, 'STORE_CONFLICT')).toBe(true);
      expect((await s.events('alice'))[0]!.kind).toBe('granted');
    });

    it('rejects invalid events without writing', async () => {
      const s = store();
      const err = await s.append({ ...ev({ id: 'bad' }), channel: 'Not A Channel' }).catch((e: unknown) => e);
      expect(isCrossChannelError(err, 'INPUT_INVALID')).toBe(true);
      expect(await s.events('alice')).toEqual([]);
    });

    it('erases a subject leaving only a salted hash receipt', async () => {
      const s = store();
      await s.append(ev({ id: 'a' }));
      await s.append(ev({ id: 'b', kind: 'withdrawn' }));
      await s.append(ev({ id: 'c', subjectId: 'bob' }));
      const receipt = await s.erase('alice', 9_000);
      expect(receipt).toEqual({ subjectHash: await saltedSha256Hex(CONFORMANCE_ERASURE_SALT, 'alice'), erasedAt: 9_000, eventCount: 2 });
      expect(JSON.stringify(receipt)).not.toContain('alice');
      expect(await s.events('alice')).toEqual([]);
      expect(await s.events('bob')).toHaveLength(1);
      expect(await s.erasure('alice')).toEqual(receipt);
      expect(await s.erasure('bob')).toBeNull();
    });

    it('erasure is idempotent and keeps the first proof', async () => {
      const s = store();
      await s.append(ev({ id: 'a' }));
      const first = await s.erase('alice', 5_000);
      const second = await s.erase('alice', 6_000);
      expect(second).toEqual(first);
      expect(await s.erasure('alice')).toEqual(first);
    });

    it('a second erase returns the stored receipt, not a new one (eventCount 0, a later erasedAt)', async () => {
      const s = store();
      await s.append(ev({ id: 'a' }));
      await s.append(ev({ id: 'b', at: 2_000 }));
      const first = await s.erase('alice', 5_000);
      expect(first.eventCount).toBe(2);
      expect(await s.erase('alice', 6_000)).toEqual(first);
      expect(await s.erase('alice', 7_000)).toEqual(await s.erasure('alice'));
      // A subject never seen: the first erase's receipt is the proof too.
      const none = await s.erase('carol', 5_000);
      expect(none.eventCount).toBe(0);
      expect(await s.erase('carol', 6_000)).toEqual(none);
      // Events appended since are a new erasure, with its own receipt.
      await s.append(ev({ id: 'c', at: 8_000 }));
      const again = await s.erase('alice', 9_000);
      expect(again).toEqual({ subjectHash: first.subjectHash, erasedAt: 9_000, eventCount: 1 });
      expect(await s.erasure('alice')).toEqual(again);
    });

    it('accepts new events after erasure (a new consent)', async () => {
      const s = store();
      await s.append(ev({ id: 'a' }));
      await s.erase('alice', 5_000);
      await s.append(ev({ id: 'a', at: 7_000 }));
      expect((await s.events('alice')).map((e) => e.at)).toEqual([7_000]);
    });
  });
}
