/**
 * Conformance suite of {@link JourneyStore}: every implementation (memory, Redis, PostgreSQL, yours) must pass it.
 */
import { expect, it } from 'vitest';
import { isCrossChannelError } from '../core/errors.js';
import { HOUR, MINUTE } from '../core/time.js';
import type { JourneyInstance } from '../journeys/instance.js';
import type { EntryPlan, JourneyInput, JourneyStore } from '../journeys/store.js';
import { runConformance, type ConformanceTargets } from './harness.js';

const T0 = Date.parse('2026-03-02T09:00:00Z');
const plan = (extra: Partial<EntryPlan> = {}): EntryPlan => ({ journeyId: 'j', reentry: 'always', enteredBefore: null, cap: null, forgetBefore: 0, ...extra });
const inst = (subjectId: string, wakeAt: number | null, extra: Partial<JourneyInstance> = {}): JourneyInstance => ({
  id: `j:${subjectId}:${extra.enteredAt ?? T0}`,
  journeyId: 'j',
  version: 1,
  subjectId,
  status: 'active',
  step: 'a',
  seq: 1,
  enteredAt: T0,
  stepAt: T0,
  wakeAt,
  ...extra,
});
const event = (id: string, subjectId: string, at: number): JourneyInput => ({ id, event: { subjectId, type: 'purchase', at, properties: {} } });
const claimOpts = (owner = 'r1', limit = 10) => ({ limit, leaseMs: MINUTE, owner });

/**
 * Runs the journey-store conformance suite against each implementation (inside a vitest file).
 *
 * @example
 * ```ts
 * import { runJourneyStoreConformance } from 'crosschannel/testing';
 * import { MemoryJourneyStore } from 'crosschannel/adapters/memory';
 *
 * runJourneyStoreConformance([{ name: 'memory', create: () => new MemoryJourneyStore() }]);
 * ```
 */
export function runJourneyStoreConformance(implementations: ConformanceTargets<JourneyStore>): void {
  runConformance('JourneyStore', implementations, (store) => {
    it('enrols one active instance per journey and person', async () => {
      const s = store();
      expect(await s.enrol(inst('p1', T0), plan())).toEqual({ enrolled: true });
      const again = await s.enrol(inst('p1', T0, { id: 'j:p1:other', enteredAt: T0 + 1 }), plan());
      expect(again).toMatchObject({ enrolled: false, reason: 'active' });
      expect(await s.enrol(inst('p2', T0), plan())).toEqual({ enrolled: true });
      expect((await s.get('j:p1:' + T0))?.subjectId).toBe('p1');
      expect((await s.activeFor('j', 'p1'))?.id).toBe(`j:p1:${T0}`);
      expect(await s.activeFor('j', 'nobody')).toBeNull();
      expect(await s.get('missing')).toBeNull();
    });

    it('applies re-entry (never, cooldown) and the entry cap', async () => {
      const s = store();
      await s.enrol(inst('p1', T0), plan());
      const [c] = await s.claimDue(T0, claimOpts());
      expect(await s.complete(c!, { ...c!.instance, status: 'completed', wakeAt: null }, 0, T0)).toBe(true);
      expect(await s.activeFor('j', 'p1')).toBeNull();
      const later = inst('p1', T0 + HOUR, { enteredAt: T0 + HOUR });
      expect(await s.enrol(later, plan({ reentry: 'never' }))).toMatchObject({ enrolled: false, reason: 'no_reentry' });
      expect(await s.enrol(later, plan({ reentry: 'cooldown', enteredBefore: T0 - 1 }))).toMatchObject({ enrolled: false, reason: 'cooldown' });
      expect(await s.enrol(later, plan({ reentry: 'cooldown', enteredBefore: T0 }))).toEqual({ enrolled: true });
      // Measured from the latest entry, not the first.
      const [c2] = await s.claimDue(T0 + HOUR, claimOpts());
      expect(await s.complete(c2!, { ...later, status: 'completed', wakeAt: null }, 0, T0 + HOUR)).toBe(true);
      expect(await s.enrol(inst('p1', null, { enteredAt: T0 + 2 * HOUR }), plan({ reentry: 'cooldown', enteredBefore: T0 + 1 }))).toMatchObject({ reason: 'cooldown' });
      const capped = plan({ cap: { max: 2, since: null } });
      expect(await s.enrol(inst('a', T0, { journeyId: 'k', id: 'k:a' }), { ...capped, journeyId: 'k' })).toEqual({ enrolled: true });
      expect(await s.enrol(inst('b', T0, { journeyId: 'k', id: 'k:b' }), { ...capped, journeyId: 'k' })).toEqual({ enrolled: true });
      expect(await s.enrol(inst('c', T0, { journeyId: 'k', id: 'k:c' }), { ...capped, journeyId: 'k' })).toMatchObject({ enrolled: false, reason: 'cap' });
      expect(await s.enrol(inst('c', T0 + HOUR, { journeyId: 'k', id: 'k:c', enteredAt: T0 + HOUR }), { ...capped, journeyId: 'k', cap: { max: 2, since: T0 + 1 } })).toEqual({ enrolled: true });
    });

    it('answers the entry rules in the plan’s order: the active instance, then re-entry, then the cap', async () => {
      const s = store();
      const full = plan({ cap: { max: 1, since: null } });
      expect(await s.enrol(inst('p1', T0), full)).toEqual({ enrolled: true });
      // The cap is full too: the person's active instance is the answer, with its id.
      expect(await s.enrol(inst('p1', T0, { id: 'j:p1:again', enteredAt: T0 + 1 }), full)).toEqual({ enrolled: false, reason: 'active', activeId: `j:p1:${T0}` });
      const k = (extra: Partial<EntryPlan>): EntryPlan => ({ ...plan({ cap: { max: 1, since: null }, ...extra }), journeyId: 'k' });
      expect(await s.enrol(inst('p2', null, { journeyId: 'k', id: 'k:p2:1', status: 'completed' }), k({}))).toEqual({ enrolled: true });
      const again = inst('p2', T0, { journeyId: 'k', id: 'k:p2:2', enteredAt: T0 + 1 });
      expect(await s.enrol(again, k({ reentry: 'never' }))).toEqual({ enrolled: false, reason: 'no_reentry' });
      expect(await s.enrol(again, k({ reentry: 'cooldown', enteredBefore: T0 - 1 }))).toEqual({ enrolled: false, reason: 'cooldown' });
      expect(await s.enrol(again, k({}))).toEqual({ enrolled: false, reason: 'cap' });
    });

    it('counts the cap’s entries at or after since, whatever order they arrived in', async () => {
      const s = store();
      const capped = (since: number | null) => plan({ cap: { max: 2, since } });
      expect(await s.enrol(inst('a', T0, { enteredAt: T0 + 100 }), capped(null))).toEqual({ enrolled: true });
      expect(await s.enrol(inst('b', T0, { enteredAt: T0 + 10 }), capped(null))).toEqual({ enrolled: true });
      // Since T0 + 50 only a's entry counts: room for one more, then none.
      expect(await s.enrol(inst('c', T0, { enteredAt: T0 + 200 }), capped(T0 + 50))).toEqual({ enrolled: true });
      expect(await s.enrol(inst('d', T0, { enteredAt: T0 + 201 }), capped(T0 + 50))).toEqual({ enrolled: false, reason: 'cap' });
      // An entry exactly at since counts (the window is [since, …]); one a millisecond before does not.
      expect(await s.enrol(inst('e', T0, { enteredAt: T0 + 202 }), capped(T0 + 100))).toEqual({ enrolled: false, reason: 'cap' });
      expect(await s.enrol(inst('e', T0, { enteredAt: T0 + 202 }), capped(T0 + 101))).toEqual({ enrolled: true });
    });

    it('re-enrolling an existing instance id is refused as active and frees no cap entry', async () => {
      const s = store();
      const capped = plan({ cap: { max: 2, since: null } });
      expect(await s.enrol(inst('a', T0), capped)).toEqual({ enrolled: true });
      const [c] = await s.claimDue(T0, claimOpts());
      expect(await s.complete(c!, { ...c!.instance, status: 'completed', wakeAt: null }, 0, T0)).toBe(true);
      expect(await s.enrol(inst('a', T0), capped)).toEqual({ enrolled: false, reason: 'active', activeId: `j:a:${T0}` });
      expect(await s.enrol(inst('b', T0), capped)).toEqual({ enrolled: true });
      expect(await s.enrol(inst('c', T0), capped)).toEqual({ enrolled: false, reason: 'cap' });
    });

    it('an instance id is one instance: another person’s enrolment under it is refused as active', async () => {
      const s = store();
      expect(await s.enrol(inst('p1', T0, { id: 'X' }), plan())).toEqual({ enrolled: true });
      expect(await s.enrol(inst('p2', T0, { id: 'X' }), plan())).toEqual({ enrolled: false, reason: 'active', activeId: 'X' });
      expect((await s.get('X'))?.subjectId).toBe('p1');
      expect(await s.activeFor('j', 'p2')).toBeNull();
      expect((await s.claimDue(T0, claimOpts())).map((c) => c.instance.subjectId)).toEqual(['p1']);
      // Sent together (one batch on the stores that batch): the same answer.
      const together = await Promise.all([s.enrol(inst('p3', T0, { id: 'Y' }), plan()), s.enrol(inst('p4', T0, { id: 'Y' }), plan())]);
      expect(together).toEqual([{ enrolled: true }, { enrolled: false, reason: 'active', activeId: 'Y' }]);
      expect((await s.get('Y'))?.subjectId).toBe('p3');
    });

    it('erase removes the person’s instances from list() and their entries from the cap', async () => {
      const s = store();
      const full = plan({ cap: { max: 1, since: null } });
      expect(await s.enrol(inst('a', T0), full)).toEqual({ enrolled: true });
      expect(await s.enrol(inst('b', T0), full)).toEqual({ enrolled: false, reason: 'cap' });
      await s.erase('a');
      const listed: string[] = [];
      for await (const x of s.list('j')) listed.push(x.id);
      expect(listed).toEqual([]);
      expect(await s.enrol(inst('b', T0), full)).toEqual({ enrolled: true });
    });

    it('erase frees all the person’s cap entries, ended instances’ too, and their re-entry record', async () => {
      const s = store();
      const capped = plan({ cap: { max: 2, since: null } });
      expect(await s.enrol(inst('a', T0), capped)).toEqual({ enrolled: true });
      const [c] = await s.claimDue(T0, claimOpts());
      expect(await s.complete(c!, { ...c!.instance, status: 'completed', wakeAt: null, outcome: 'done' }, 0, T0)).toBe(true);
      expect(await s.enrol(inst('a', T0, { enteredAt: T0 + HOUR }), capped)).toEqual({ enrolled: true });
      expect(await s.enrol(inst('b', T0), capped)).toEqual({ enrolled: false, reason: 'cap' });
      await s.erase('a');
      expect(await s.enrol(inst('b', T0), capped)).toEqual({ enrolled: true });
      // Both of `a`'s entries are gone: one place left, and no past entry for `reentry: 'never'` to refuse.
      expect(await s.enrol(inst('a', T0, { enteredAt: T0 + 2 * HOUR }), { ...capped, reentry: 'never' })).toEqual({ enrolled: true });
    });

    it('keeps people apart (ids are exact: no case folding, no truncation)', async () => {
      const s = store();
      const ids = ['p1', 'P1', `${'x'.repeat(250)}a`, `${'x'.repeat(250)}b`, '\u{1F600}', '\u{1F601}'];
      for (const [i, subjectId] of ids.entries()) expect(await s.enrol(inst(subjectId, T0, { id: `i${i}` }), plan())).toEqual({ enrolled: true });
      for (const [i, subjectId] of ids.entries()) expect((await s.activeFor('j', subjectId))?.id).toBe(`i${i}`);
      await s.erase('P1');
      await s.erase(ids[3]!);
      const listed: string[] = [];
      for await (const x of s.list('j')) listed.push(`${x.id}:${x.subjectId}`);
      expect(listed.sort()).toEqual([0, 2, 4, 5].map((i) => `i${i}:${ids[i]}`));
    });

    it('refuses an input about another person than the instance’s, or with U+0000 in a string, with JOURNEY_INPUT_INVALID, filing nothing', async () => {
      const s = store();
      const i = inst('p1', T0 + HOUR);
      await s.enrol(i, plan());
      const other = event('e1', 'someone-else', T0);
      await expect(s.deliver(i.id, other, T0)).rejects.toMatchObject({ code: 'JOURNEY_INPUT_INVALID', path: 'input.subjectId' });
      // Sent with a good delivery (one batch on the stores that batch): refused alone.
      const [bad, good] = await Promise.allSettled([s.deliver(i.id, event('e2', 'someone-else', T0), T0), s.deliver(i.id, event('e3', 'p1', T0), T0)]);
      expect(bad.status === 'rejected' && isCrossChannelError(bad.reason, 'JOURNEY_INPUT_INVALID')).toBe(true);
      expect(good).toEqual({ status: 'fulfilled', value: true });
      const [c] = await s.claimDue(T0, claimOpts());
      expect(c!.inbox.map((x) => x.id)).toEqual(['e3']);
      expect(await s.complete(c!, { ...c!.instance, status: 'completed', wakeAt: null }, 1, T0)).toBe(true);
      // U+0000 in a string of the input (PostgreSQL's jsonb cannot hold it): refused by every store.
      await expect(s.deliver(i.id, { id: 'e4', event: { subjectId: 'p1', type: 'a\u0000b', at: T0, properties: {} } }, T0)).rejects.toMatchObject({ code: 'JOURNEY_INPUT_INVALID', path: 'input' });
      await expect(s.deliver(i.id, { id: 'e5', event: { subjectId: 'p1', type: 't', at: T0, properties: { deep: [{ 'k\u0000': 1 }] } } }, T0)).rejects.toMatchObject({ code: 'JOURNEY_INPUT_INVALID', path: 'input' });
      // Ended: refused all the same; a missing instance is false for anyone.
      await expect(s.deliver(i.id, other, T0)).rejects.toMatchObject({ code: 'JOURNEY_INPUT_INVALID' });
      expect(await s.deliver('missing', other, T0)).toBe(false);
    });

    it('refuses ids with control characters or lone surrogates with INPUT_INVALID, storing nothing', async () => {
      const s = store();
      for (const [extra, path] of [
        [{ subjectId: 'a\nb' }, 'instance.subjectId'],
        [{ subjectId: 'a\u0000b' }, 'instance.subjectId'],
        [{ subjectId: '\u0085' }, 'instance.subjectId'],
        [{ subjectId: '\ud800' }, 'instance.subjectId'],
        [{ id: 'x\ny' }, 'instance.id'],
        [{ journeyId: '\udbff' }, 'instance.journeyId'],
      ] as const) {
        await expect(s.enrol(inst('p', T0, extra), plan())).rejects.toMatchObject({ code: 'INPUT_INVALID', path });
      }
      expect(await s.claimDue(T0, claimOpts())).toEqual([]);
      expect(await s.nextDueAt()).toBeNull();
    });

    it('refuses times and versions no store can hold with INPUT_INVALID, alike on every store', async () => {
      const s = store();
      for (const [extra, path] of [
        [{ enteredAt: T0 + 0.5 }, 'instance.enteredAt'],
        [{ enteredAt: 8.64e15 + 1 }, 'instance.enteredAt'],
        [{ wakeAt: 1e300 }, 'instance.wakeAt'],
        [{ wakeAt: T0 + 0.5 }, 'instance.wakeAt'],
        [{ version: 2 ** 40 }, 'instance.version'],
        [{ version: 2 ** 31 }, 'instance.version'],
      ] as const) {
        await expect(s.enrol(inst('p', T0, extra), plan())).rejects.toMatchObject({ code: 'INPUT_INVALID', path });
      }
      await s.enrol(inst('p1', T0), plan());
      for (const [now, options] of [
        [T0 + 0.5, claimOpts()],
        [Number.MAX_SAFE_INTEGER, claimOpts()],
        [T0, { ...claimOpts(), leaseMs: 1000.5 }],
        [T0, { ...claimOpts(), leaseMs: 0 }],
        [8.64e15 - 1, claimOpts()],
      ] as const) {
        await expect(s.claimDue(now, options)).rejects.toSatisfy((e: unknown) => isCrossChannelError(e, 'INPUT_INVALID'));
      }
      const [c] = await s.claimDue(T0, claimOpts());
      await expect(s.complete(c!, c!.instance, 0, T0 + 0.5)).rejects.toMatchObject({ code: 'INPUT_INVALID', path: 'now' });
      await expect(s.deliver(c!.instance.id, event('e1', 'p1', T0), T0 + 0.5)).rejects.toMatchObject({ code: 'INPUT_INVALID', path: 'now' });
      await expect(s.replace(c!.instance, Number.NaN)).rejects.toMatchObject({ code: 'INPUT_INVALID', path: 'now' });
      expect(await s.complete(c!, { ...c!.instance, seq: 2 }, 0, T0 + 1)).toBe(true);
    });

    it('replace refuses a second active instance with STORE_CONFLICT; with none active, the replaced one is the active one', async () => {
      const s = store();
      const old = inst('p', null, { id: 'j:p:old', status: 'completed' });
      expect(await s.enrol(old, plan())).toEqual({ enrolled: true });
      expect(await s.enrol(inst('p', T0, { id: 'j:p:new', enteredAt: T0 + 1 }), plan())).toEqual({ enrolled: true });
      await expect(s.replace({ ...old, status: 'active', wakeAt: T0 }, T0)).rejects.toMatchObject({ code: 'STORE_CONFLICT' });
      // Nor may it change the instance's journey or person (its identity).
      for (const f of ['journeyId', 'subjectId']) await expect(s.replace({ ...old, [f]: 'x' }, T0)).rejects.toMatchObject({ code: 'STORE_CONFLICT', path: `instance.${f}` });
      expect(await s.get('j:p:old')).toEqual(old);
      expect((await s.activeFor('j', 'p'))?.id).toBe('j:p:new');
      const [c] = await s.claimDue(T0, claimOpts());
      expect(await s.complete(c!, { ...c!.instance, status: 'completed', wakeAt: null }, 0, T0)).toBe(true);
      expect(await s.replace({ ...old, status: 'active', wakeAt: T0 + 1 }, T0)).toBe(true);
      expect((await s.activeFor('j', 'p'))?.id).toBe('j:p:old');
      expect(await s.enrol(inst('p', T0, { id: 'j:p:third', enteredAt: T0 + 2 }), plan())).toEqual({ enrolled: false, reason: 'active', activeId: 'j:p:old' });
      expect((await s.claimDue(T0 + 1, claimOpts())).map((x) => x.instance.id)).toEqual(['j:p:old']);
    });

    it('claims due instances earliest first, leases them, and hands them out again when the lease expires', async () => {
      const s = store();
      await s.enrol(inst('late', T0 + 2 * HOUR), plan());
      await s.enrol(inst('b', T0 + HOUR), plan());
      await s.enrol(inst('a', T0), plan());
      await s.enrol(inst('never', null), plan());
      expect(await s.nextDueAt()).toBe(T0);
      const claims = await s.claimDue(T0 + HOUR, claimOpts());
      expect(claims.map((c) => c.instance.subjectId)).toEqual(['a', 'b']);
      expect(claims[0]!.leaseUntil).toBe(T0 + HOUR + MINUTE);
      expect(await s.claimDue(T0 + HOUR, claimOpts('r2'))).toEqual([]);
      const again = await s.claimDue(T0 + HOUR + MINUTE, claimOpts('r2'));
      expect(again.map((c) => c.instance.subjectId).sort()).toEqual(['a', 'b']);
      // The first claimer's lease expired: its late complete is refused and writes nothing.
      expect(await s.complete(claims[0]!, { ...claims[0]!.instance, step: 'x', wakeAt: null }, 0, T0 + HOUR + MINUTE + 1)).toBe(false);
      expect((await s.get(claims[0]!.instance.id))?.step).toBe('a');
      expect(await s.complete(again.find((c) => c.instance.subjectId === 'a')!, { ...claims[0]!.instance, step: 'b', seq: 2, wakeAt: T0 + 5 * HOUR }, 0, T0 + HOUR + MINUTE + 1)).toBe(true);
      expect((await s.get(claims[0]!.instance.id))?.step).toBe('b');
      expect((await s.claimDue(T0 + 4 * HOUR, claimOpts('r3', 10))).map((c) => c.instance.subjectId).sort()).toEqual(['b', 'late']);
      // r3's leases lapsed unreleased by T0 + 5 h: both come back with 'a', now due.
      expect((await s.claimDue(T0 + 5 * HOUR, claimOpts('r4', 10))).map((c) => c.instance.subjectId).sort()).toEqual(['a', 'b', 'late']);
    });

    it('refuses a complete after the lease, even with no claim since', async () => {
      const s = store();
      await s.enrol(inst('a', T0), plan());
      const [c] = await s.claimDue(T0, claimOpts());
      expect(await s.complete(c!, { ...c!.instance, step: 'x' }, 0, c!.leaseUntil + 1)).toBe(false);
      expect((await s.get(c!.instance.id))?.step).toBe('a');
    });

    it('respects the claim limit', async () => {
      const s = store();
      for (let i = 0; i < 5; i++) await s.enrol(inst(`p${i}`, T0 + i), plan());
      const first = (await s.claimDue(T0 + 10, claimOpts('r', 3))).map((c) => c.instance.subjectId);
      const second = (await s.claimDue(T0 + 10, claimOpts('r', 3))).map((c) => c.instance.subjectId);
      expect(first).toHaveLength(3);
      expect([...first, ...second].sort()).toEqual(['p0', 'p1', 'p2', 'p3', 'p4']);
    });

    it('claims in one total order — due time, then instance id in UTF-16 code-unit order — and a limit takes the first of it', async () => {
      const s = store();
      // In UTF-16 order: 'B' before 'a' (not a locale's order), a prefix first, U+1F600 (a surrogate pair) before U+FF01 (not
      // code-point order); the subjects run the other way, and the enrolment order is neither.
      const tied = ['j:B', 'j:a', 'j:a-', 'j:\u{1F600}', 'j:\uFF01'];
      for (const k of [1, 4, 0, 3, 2]) await s.enrol(inst(`p${9 - k}`, T0, { id: tied[k]! }), plan());
      await s.enrol(inst('late', T0 + 1, { id: 'j:0' }), plan());
      await s.enrol(inst('early', T0 - 1, { id: 'j:~' }), plan());
      const order = ['j:~', ...tied, 'j:0'];
      const ids = async (limit: number) => (await s.claimDue(T0 + 1, claimOpts('r', limit))).map((c) => c.instance.id);
      expect(await ids(1)).toEqual(order.slice(0, 1));
      expect(await ids(3)).toEqual(order.slice(1, 4));
      expect(await ids(1)).toEqual(order.slice(4, 5));
      expect(await ids(10)).toEqual(order.slice(5));
    });

    it('never hands one due instance to two concurrent claimers', async () => {
      const s = store();
      for (let i = 0; i < 40; i++) await s.enrol(inst(`p${i}`, T0), plan());
      const batches = await Promise.all([1, 2, 3, 4].map((r) => s.claimDue(T0, claimOpts(`r${r}`, 15))));
      const ids = batches.flat().map((c) => c.instance.id);
      expect(ids).toHaveLength(40);
      expect(new Set(ids).size).toBe(40);
    });

    it('delivers an input once per id, makes the instance due, and drops consumed inbox items', async () => {
      const s = store();
      const i = inst('p1', T0 + HOUR);
      await s.enrol(i, plan());
      expect(await s.deliver(i.id, event('e1', 'p1', T0), T0)).toBe(true);
      expect(await s.deliver(i.id, event('e1', 'p1', T0), T0)).toBe(false);
      expect(await s.deliver('missing', event('e2', 'p1', T0), T0)).toBe(false);
      const [c] = await s.claimDue(T0, claimOpts());
      expect(c!.inbox.map((x) => x.id)).toEqual(['e1']);
      // Delivered while leased: kept for the next claim, due at the lease end; left unread by a completion: due at its now.
      expect(await s.deliver(i.id, event('e2', 'p1', T0 + 1), T0 + 1)).toBe(true);
      expect(await s.nextDueAt()).toBe(c!.leaseUntil);
      expect(await s.complete(c!, { ...i, seq: 2, wakeAt: T0 }, 1, T0 + 2)).toBe(true);
      expect(await s.nextDueAt()).toBe(T0 + 2);
      const [c2] = await s.claimDue(T0 + 2, claimOpts());
      expect(c2!.inbox.map((x) => x.id)).toEqual(['e2']);
      expect(c2!.instance.seq).toBe(2);
      expect(await s.complete(c2!, { ...i, seq: 3 }, 1, T0 + 3)).toBe(true);
      expect(await s.claimDue(T0 + 3, claimOpts())).toEqual([]);
      expect(await s.deliver(i.id, event('e1', 'p1', T0), T0 + 4)).toBe(false); // seen before, even after consumption
    });

    it('deliveries sent together are each filed once, in order, and wake only instances not leased', async () => {
      const s = store();
      for (const p of ['p1', 'p2', 'p3']) await s.enrol(inst(p, T0 + 5 * HOUR), plan());
      await s.enrol(inst('gone', T0), plan());
      const [gone] = await s.claimDue(T0, claimOpts());
      expect(await s.complete(gone!, { ...gone!.instance, status: 'completed', wakeAt: null }, 0, T0)).toBe(true);
      // p3 is leased: its deliveries wait for the claim's completion.
      await s.replace(inst('p3', T0), T0);
      const [p3] = await s.claimDue(T0, claimOpts());
      expect(p3?.instance.subjectId).toBe('p3');
      const at = T0 + 1000; // p3's lease runs to T0 + 1 min
      const results = await Promise.all([
        s.deliver('j:p1:' + T0, event('a', 'p1', at), at),
        s.deliver('j:p1:' + T0, event('b', 'p1', at), at),
        s.deliver('j:p1:' + T0, event('a', 'p1', at), at),
        s.deliver('j:p2:' + T0, event('a', 'p2', at), at),
        s.deliver('j:p3:' + T0, event('c', 'p3', at), at),
        s.deliver(gone!.instance.id, event('d', 'gone', at), at),
        s.deliver('missing', event('e', 'p1', at), at),
      ]);
      expect(results).toEqual([true, true, false, true, true, false, false]);
      const due = await s.claimDue(at, claimOpts('r2'));
      expect(due.map((c) => [c.instance.subjectId, c.inbox.map((x) => x.id)]).sort()).toEqual([
        ['p1', ['a', 'b']],
        ['p2', ['a']],
      ]);
      expect(await s.complete(p3!, { ...p3!.instance, seq: 2, wakeAt: T0 + 5 * HOUR }, 0, at)).toBe(true);
      expect((await s.claimDue(at, claimOpts('r3'))).map((c) => [c.instance.subjectId, c.inbox.map((x) => x.id)])).toEqual([['p3', ['c']]]);
    });

    it('enrolments sent together follow the entry rules one by one', async () => {
      const s = store();
      const capped = { ...plan({ cap: { max: 3, since: null } }), journeyId: 'k' };
      const results = await Promise.all([
        ...Array.from({ length: 5 }, (_, i) => s.enrol(inst(`c${i}`, T0, { journeyId: 'k', id: `k:c${i}` }), capped)),
        s.enrol(inst('d', T0), plan()),
        s.enrol(inst('d', T0 + 1, { id: 'j:d:again', enteredAt: T0 + 1 }), plan()),
      ]);
      const c = results.slice(0, 5);
      expect(c.filter((r) => r.enrolled)).toHaveLength(3);
      for (const r of c) if (!r.enrolled) expect(r.reason).toBe('cap');
      const d = results.slice(5);
      expect(d.filter((r) => r.enrolled)).toHaveLength(1);
      expect(d.find((r) => !r.enrolled)).toMatchObject({ enrolled: false, reason: 'active' });
      // Exactly the enrolled instances are stored and due.
      const enrolled = [...c.flatMap((r, i) => (r.enrolled ? [`c${i}`] : [])), 'd'].sort();
      expect((await s.claimDue(T0 + 1, claimOpts('r', 20))).map((x) => x.instance.subjectId).sort()).toEqual(enrolled);
      for (const [i, r] of c.entries()) expect((await s.get(`k:c${i}`)) !== null).toBe(r.enrolled);
    });

    it('completions sent together are each answered and scheduled on their own', async () => {
      const s = store();
      await s.enrol(inst('p0', T0 - MINUTE), plan());
      for (let i = 1; i < 12; i++) await s.enrol(inst(`p${i}`, T0), plan());
      // p0 is claimed first, its lease lapses at T0 and it is claimed again: the first claim is stale.
      const [stale] = await s.claimDue(T0 - MINUTE, claimOpts('r1', 1));
      expect(stale?.instance.subjectId).toBe('p0');
      const claims = await s.claimDue(T0, claimOpts('r2', 12));
      expect(claims.map((c) => c.instance.subjectId).sort()).toEqual(Array.from({ length: 12 }, (_, i) => `p${i}`).sort());
      const ended = new Set(['p1', 'p5', 'p9']);
      const p3 = claims.find((c) => c.instance.subjectId === 'p3')!;
      expect(await s.deliver(p3.instance.id, event('e3', 'p3', T0), T0)).toBe(true);
      const now = T0 + 1;
      const results = await Promise.all(
        claims.map((c) => {
          const p = c.instance.subjectId;
          const next: JourneyInstance = ended.has(p) ? { ...c.instance, status: 'completed', wakeAt: null, outcome: 'completed', endedAt: now } : { ...c.instance, step: 'b', seq: 2, stepAt: now, wakeAt: T0 + 3 * HOUR };
          return s.complete(p === 'p0' ? stale! : c, next, 0, now);
        }),
      );
      expect(results).toEqual(claims.map((c) => c.instance.subjectId !== 'p0'));
      for (const c of claims) {
        const p = c.instance.subjectId;
        const saved = await s.get(c.instance.id);
        expect([saved?.status, saved?.step]).toEqual(p === 'p0' ? ['active', 'a'] : ended.has(p) ? ['completed', 'a'] : ['active', 'b']);
        if (ended.has(p)) expect(await s.activeFor('j', p)).toBeNull();
      }
      // p3 has an unread input: due at once (p0 is still leased by r2); the others at their wake-up, ended ones never.
      expect((await s.claimDue(now, claimOpts('r3', 20))).map((c) => c.instance.subjectId)).toEqual(['p3']);
      const later = (await s.claimDue(T0 + 3 * HOUR, claimOpts('r4', 20))).map((c) => c.instance.subjectId).sort();
      expect(later).toEqual(claims.map((c) => c.instance.subjectId).filter((p) => !ended.has(p)).sort());
    });

    it('one claim completed twice together: the first saves, the second is refused', async () => {
      const s = store();
      await s.enrol(inst('p1', T0), plan());
      await s.enrol(inst('p2', T0), plan());
      const claims = await s.claimDue(T0, claimOpts());
      const c1 = claims.find((c) => c.instance.subjectId === 'p1')!;
      const c2 = claims.find((c) => c.instance.subjectId === 'p2')!;
      // p2 has two inputs; the completion read one of them: the other stays, and makes it due at once.
      expect(await s.deliver(c2.instance.id, event('e1', 'p2', T0), T0)).toBe(true);
      expect(await s.deliver(c2.instance.id, event('e2', 'p2', T0), T0)).toBe(true);
      const next = (c: typeof c1, step: string): JourneyInstance => ({ ...c.instance, step, seq: 2, wakeAt: T0 + 3 * HOUR });
      const results = await Promise.all([s.complete(c1, next(c1, 'b'), 0, T0 + 1), s.complete(c2, next(c2, 'b'), 1, T0 + 1), s.complete(c1, next(c1, 'c'), 0, T0 + 1)]);
      expect(results).toEqual([true, true, false]);
      expect((await s.get(c1.instance.id))?.step).toBe('b');
      const due = await s.claimDue(T0 + 2, claimOpts('r2'));
      expect(due.map((c) => [c.instance.subjectId, c.inbox.map((i) => i.id)])).toEqual([['p2', ['e2']]]);
    });

    it('an ended instance is no longer due, active or deliverable', async () => {
      const s = store();
      const i = inst('p1', T0);
      await s.enrol(i, plan());
      const [c] = await s.claimDue(T0, claimOpts());
      expect(await s.complete(c!, { ...i, status: 'goal', wakeAt: null, outcome: 'bought' }, 0, T0)).toBe(true);
      expect(await s.claimDue(T0 + 10 * HOUR, claimOpts())).toEqual([]);
      expect(await s.activeFor('j', 'p1')).toBeNull();
      expect((await s.get(i.id))?.status).toBe('goal');
      expect(await s.deliver(i.id, event('e1', 'p1', T0), T0)).toBe(false);
    });

    it('lists, replaces (not while leased) and erases', async () => {
      const s = store();
      await s.enrol(inst('p1', T0), plan());
      await s.enrol(inst('p2', T0 + HOUR, { version: 2 }), plan());
      const all: string[] = [];
      for await (const x of s.list('j')) all.push(x.subjectId);
      expect(all.sort()).toEqual(['p1', 'p2']);
      const v2: string[] = [];
      for await (const x of s.list('j', 2)) v2.push(x.subjectId);
      expect(v2).toEqual(['p2']);
      const [c] = await s.claimDue(T0, claimOpts());
      expect(await s.replace({ ...c!.instance, version: 2 }, T0)).toBe(false);
      expect(await s.replace({ ...inst('p2', T0 + 3 * HOUR), version: 3 }, T0)).toBe(true);
      expect((await s.get(`j:p2:${T0}`))?.version).toBe(3);
      expect(await s.replace(inst('ghost', T0), T0)).toBe(false);
      await s.erase('p2');
      expect(await s.get(`j:p2:${T0}`)).toBeNull();
      expect(await s.activeFor('j', 'p2')).toBeNull();
      expect((await s.claimDue(T0 + 5 * HOUR, claimOpts('z'))).map((x) => x.instance.subjectId)).toEqual(['p1']);
    });

    it('refuses malformed instances and inputs with CrossChannelError, writing nothing', async () => {
      const s = store();
      for (const bad of [null, {}, { ...inst('p1', T0), id: '' }, { ...inst('p1', T0), version: 'x' }, { ...inst('p1', T0), wakeAt: 'soon' }]) {
        await expect(s.enrol(bad as JourneyInstance, plan())).rejects.toSatisfy((e: unknown) => isCrossChannelError(e));
      }
      for (const bad of [null, {}, { ...plan(), reentry: 'sometimes' }, { ...plan(), enteredBefore: 'yesterday' }, { ...plan(), cap: { max: -1, since: null } }, { ...plan(), cap: { max: 2, since: 'x' } }, { ...plan(), cap: 3 }]) {
        await expect(s.enrol(inst('p1', T0), bad as EntryPlan)).rejects.toSatisfy((e: unknown) => isCrossChannelError(e, 'INPUT_INVALID'));
      }
      expect(await s.activeFor('j', 'p1')).toBeNull();
      await s.enrol(inst('p1', T0), plan());
      for (const bad of [null, {}, { id: 'x' }, { id: 'x', event: { subjectId: 'p1', at: 'now' } }]) {
        await expect(s.deliver(`j:p1:${T0}`, bad as JourneyInput, T0)).rejects.toSatisfy((e: unknown) => isCrossChannelError(e));
      }
      // A bad instance id or time, sent together with a good delivery, fails alone.
      const [badId, badNow, good] = await Promise.allSettled([
        s.deliver(7 as never, event('e1', 'p1', T0), T0),
        s.deliver(`j:p1:${T0}`, event('e1', 'p1', T0), Number.NaN),
        s.deliver(`j:p1:${T0}`, event('e0', 'p1', T0), T0 + HOUR),
      ]);
      for (const r of [badId, badNow]) expect(r?.status === 'rejected' && isCrossChannelError(r.reason, 'INPUT_INVALID')).toBe(true);
      expect(good).toEqual({ status: 'fulfilled', value: true });
      const [c] = await s.claimDue(T0, claimOpts());
      expect(c!.inbox.map((i) => i.id)).toEqual(['e0']);
      const next = { ...c!.instance, step: 'b', seq: 2 };
      for (const [claim, consumed, now] of [
        [null, 0, T0],
        [{ ...c!, token: 7 }, 0, T0],
        [{ ...c!, instance: null }, 0, T0],
        [c, -1, T0],
        [c, 0.5, T0],
        [c, 0, Number.NaN],
        [c, 0, 'now'],
      ] as const) {
        await expect(s.complete(claim as never, next, consumed as number, now as number)).rejects.toSatisfy((e: unknown) => isCrossChannelError(e, 'INPUT_INVALID'));
      }
      expect((await s.get(c!.instance.id))?.step).toBe('a');
      expect(await s.complete(c!, next, 1, T0)).toBe(true);
    });
  });
}
