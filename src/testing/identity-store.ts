/**
 * Conformance suite of `IdentityStore`: every implementation (memory, PostgreSQL, an integrator's own) must give
 * the same answers as the pure `stitch` on the same observations.
 */
import { expect, it } from 'vitest';
import { runConformance, type ConformanceTargets } from './harness.js';
import { stitch, type ObservationInput } from '../identity/graph.js';
import { erasureProof } from '../identity/erasure.js';
import type { IdentityRulesInput } from '../identity/rules.js';
import type { IdentityStore } from '../identity/store.js';
import { isCrossChannelError } from '../core/errors.js';

/** Opens stores of one implementation with given rules; each test gets a fresh opener (fresh storage). */
export interface IdentityStoreOpener {
  open(options: { rules: IdentityRulesInput; erasureSalt: string }): Promise<IdentityStore>;
}

/** The rules the suite runs with (exported so integrators can read what is expected). */
export const CONFORMANCE_IDENTITY_RULES: IdentityRulesInput = {
  limits: { user_id: 1, email: 2 },
  ttl: { anonymous_id: '30d' },
  normalization: { defaultCountry: 'FR' },
};

const SALT = 'conformance-salt';
const DAY = 86_400_000;
const T0 = Date.UTC(2026, 0, 5, 9);
const id = (type: string, value: string) => ({ type, value });
const obs = (at: number, source: string, ...identifiers: Array<{ type: string; value: string }>): ObservationInput => ({ identifiers, at, source });

/**
 * Runs the `IdentityStore` conformance suite against each implementation.
 *
 * @example
 * ```ts
 * import { runIdentityStoreConformance } from 'crosschannel/testing';
 * import { MemoryIdentityStore } from 'crosschannel/adapters/memory';
 * runIdentityStoreConformance([{ name: 'memory', create: () => ({ open: async (o) => new MemoryIdentityStore(o) }) }]);
 * ```
 */
export function runIdentityStoreConformance(implementations: ConformanceTargets<IdentityStoreOpener>): void {
  runConformance('IdentityStore', implementations, (opener) => {
    const open = () => opener().open({ rules: CONFORMANCE_IDENTITY_RULES, erasureSalt: SALT });

    it('resolves normalised identifiers to one profile and lists its identifiers strongest first', async () => {
      const store = await open();
      expect(await store.lookup(id('email', 'ada@shop.test'))).toBeNull();
      const report = await store.addObservations([
        obs(T0, 'web', id('anonymous_id', 'c-1'), id('email', ' Ada@Shop.TEST ')),
        obs(T0 + DAY, 'pos', id('email', 'ada@shop.test'), id('loyalty_id', 'L-77'), id('phone', '06 12 34 56 78')),
      ]);
      expect(report.observations).toBe(2);
      const pid = await store.lookup(id('email', 'ADA@shop.test'));
      expect(pid).toMatch(/^p_[0-9a-f]{32}$/);
      expect(await store.lookup(id('anonymous_id', 'c-1'))).toBe(pid);
      expect(await store.lookup(id('phone', '+33612345678'))).toBe(pid);
      expect(await store.identifiersOf(pid!)).toEqual([id('loyalty_id', 'L-77'), id('email', 'ada@shop.test'), id('phone', '+33612345678'), id('anonymous_id', 'c-1')]);
      const profile = await store.profile(pid!);
      expect(profile).toMatchObject({ id: pid, firstSeen: T0, lastSeen: T0 + DAY });
      expect(report.profiles).toEqual([pid]);
      expect(await store.profile('p_unknown')).toBeNull();
      expect(await store.identifiersOf('p_unknown')).toEqual([]);
    });

    it('gives the same profile ids as the pure stitch, whatever the batching', async () => {
      const observations = [
        obs(T0, 'web', id('anonymous_id', 'a1'), id('user_id', 'u1')),
        obs(T0 + 1, 'app', id('device_id', 'd1'), id('anonymous_id', 'a1')),
        obs(T0 + 2, 'pos', id('loyalty_id', 'L1'), id('email', 'x@shop.test')),
        obs(T0 + 3, 'crm', id('email', 'x@shop.test'), id('user_id', 'u1')),
        obs(T0 + 4, 'web', id('anonymous_id', 'a2'), id('user_id', 'u2')),
      ];
      const store = await open();
      await store.addObservations(observations.slice(3));
      await store.addObservations(observations.slice(0, 1));
      await store.addObservations(observations.slice(1, 3));
      const expected = stitch(observations, CONFORMANCE_IDENTITY_RULES).profiles;
      expect(expected).toHaveLength(2);
      for (const p of expected) {
        for (const i of p.identifiers) expect(await store.lookup(i)).toBe(p.id);
        expect(await store.profile(p.id)).toEqual(p);
      }
    });

    it('refuses the shared-tablet merge and reports the rule', async () => {
      const store = await open();
      await store.addObservations([obs(T0, 'app', id('anonymous_id', 'tablet'), id('user_id', 'mum'))]);
      const report = await store.addObservations([obs(T0 + DAY, 'app', id('anonymous_id', 'tablet'), id('user_id', 'kid'))]);
      const mum = await store.lookup(id('user_id', 'mum'));
      const kid = await store.lookup(id('user_id', 'kid'));
      expect(mum).not.toBeNull();
      expect(kid).not.toBeNull();
      expect(mum).not.toBe(kid);
      expect(await store.lookup(id('anonymous_id', 'tablet'))).toBe(mum);
      expect(report.refused).toEqual([
        expect.objectContaining({ code: 'IDENTITY_LIMIT_EXCEEDED', rule: 'limit:user_id', from: id('user_id', 'kid'), to: id('anonymous_id', 'tablet'), at: T0 + DAY, source: 'app' }),
      ]);
      const audit = await store.audit(kid!);
      expect(audit).toEqual([expect.objectContaining({ kind: 'refused', rule: 'limit:user_id' })]);
    });

    it('reports invalid and blocked identifiers and never links through them', async () => {
      const store = await open();
      const report = await store.addObservations([
        obs(T0, 'pos', id('email', 'test@test.com'), id('loyalty_id', 'A')),
        obs(T0, 'pos', id('email', 'test@test.com'), id('loyalty_id', 'B')),
        obs(T0, 'call_center', id('phone', '12'), id('loyalty_id', 'C'), id('user_id', 'null')),
      ]);
      const a = await store.lookup(id('loyalty_id', 'A'));
      const b = await store.lookup(id('loyalty_id', 'B'));
      expect(a).not.toBe(b);
      expect(await store.lookup(id('email', 'test@test.com'))).toBeNull();
      expect(await store.lookup(id('user_id', 'null'))).toBeNull();
      expect(report.invalid).toEqual([{ observation: 2, index: 0, reason: expect.objectContaining({ code: 'IDENTITY_PHONE_INVALID' }) }]);
      expect(report.refused.map((r) => [r.code, r.from.value])).toEqual([
        ['IDENTITY_BLOCKED_VALUE', 'null'],
        ['IDENTITY_BLOCKED_VALUE', 'test@test.com'],
        ['IDENTITY_BLOCKED_VALUE', 'test@test.com'],
      ]);
    });

    it('does not let an anonymous id older than its time-to-live link new identifiers', async () => {
      const store = await open();
      await store.addObservations([obs(T0, 'web', id('anonymous_id', 'old'), id('email', 'a@shop.test'))]);
      const report = await store.addObservations([obs(T0 + 45 * DAY, 'web', id('anonymous_id', 'old'), id('email', 'b@shop.test'))]);
      expect(await store.lookup(id('email', 'a@shop.test'))).not.toBe(await store.lookup(id('email', 'b@shop.test')));
      expect(report.refused).toEqual([expect.objectContaining({ code: 'IDENTITY_TTL_EXPIRED', rule: 'ttl:anonymous_id' })]);
    });

    it('reports merges as changes from the previous profile ids', async () => {
      const store = await open();
      await store.addObservations([obs(T0, 'web', id('anonymous_id', 'c1')), obs(T0, 'crm', id('user_id', 'u1'))]);
      const before = [await store.lookup(id('anonymous_id', 'c1')), await store.lookup(id('user_id', 'u1'))].sort();
      const report = await store.addObservations([obs(T0 + 1, 'web', id('anonymous_id', 'c1'), id('user_id', 'u1'))]);
      const after = await store.lookup(id('anonymous_id', 'c1'));
      expect(after).toBe(await store.lookup(id('user_id', 'u1')));
      expect(report.changes).toEqual([{ profileId: after, previousIds: before }]);
    });

    it('keeps identifier values apart (ids are exact: no case folding, no truncation)', async () => {
      const store = await open();
      const long = 'u'.repeat(255);
      const people = [[`${long}1`, 'x1@shop.test'], [`${long}2`, 'x2@shop.test'], ['Kim', 'x3@shop.test'], ['kim', 'x4@shop.test']] as const;
      await store.addObservations(people.map(([user, email], i) => obs(T0 + i, 'crm', id('user_id', user), id('email', email))));
      const pids = await Promise.all(people.map(([user]) => store.lookup(id('user_id', user))));
      for (const [i, [user, email]] of people.entries()) expect(await store.identifiersOf(pids[i]!)).toEqual([id('user_id', user), id('email', email)]);
    });

    it('resolves several identifiers to the profile of the strongest known one', async () => {
      const store = await open();
      await store.addObservations([obs(T0, 'web', id('anonymous_id', 'c9')), obs(T0, 'crm', id('user_id', 'u9'), id('email', 'u9@shop.test'))]);
      const strong = await store.lookup(id('user_id', 'u9'));
      expect(await store.resolve([id('anonymous_id', 'c9'), id('email', 'U9@shop.test'), id('phone', 'bad')])).toBe(strong);
      expect(await store.resolve([id('anonymous_id', 'nope')])).toBeNull();
      expect(await store.resolve([])).toBeNull();
    });

    it('unmerges an identifier: the profile splits where no other link holds it together', async () => {
      const store = await open();
      await store.addObservations([
        obs(T0, 'web', id('anonymous_id', 'bridge'), id('email', 'one@shop.test')),
        obs(T0 + 1, 'web', id('anonymous_id', 'bridge'), id('loyalty_id', 'L2')),
        obs(T0 + 2, 'pos', id('loyalty_id', 'L2'), id('phone', '+33 6 11 22 33 44')),
      ]);
      expect(await store.lookup(id('email', 'one@shop.test'))).toBe(await store.lookup(id('loyalty_id', 'L2')));
      const receipt = await store.removeIdentifier(id('anonymous_id', 'bridge'), T0 + DAY);
      expect(receipt).toMatchObject({ erasedAt: T0 + DAY, identifiers: 1, proofs: [await erasureProof(id('anonymous_id', 'bridge'), SALT)] });
      expect(receipt!.profiles).toHaveLength(2);
      expect(await store.lookup(id('anonymous_id', 'bridge'))).toBeNull();
      const one = await store.lookup(id('email', 'one@shop.test'));
      const two = await store.lookup(id('loyalty_id', 'L2'));
      expect(one).not.toBe(two);
      expect(await store.lookup(id('phone', '+33611223344'))).toBe(two);
      expect(await store.wasErased(id('anonymous_id', 'bridge'))).toBe(true);
      expect(await store.wasErased(id('anonymous_id', 'other'))).toBe(false);
      expect(await store.removeIdentifier(id('anonymous_id', 'bridge'), T0 + DAY)).toBeNull();
    });

    it('erases a person and leaves no trace of the erased values', async () => {
      const store = await open();
      await store.addObservations([
        obs(T0, 'web', id('user_id', 'grace'), id('email', 'grace@shop.test'), id('anonymous_id', 'shared')),
        obs(T0 + 1, 'web', id('anonymous_id', 'shared'), id('user_id', 'alan')),
        obs(T0 + 2, 'app', id('user_id', 'alan'), id('device_id', 'dev-a')),
      ]);
      const grace = await store.lookup(id('email', 'grace@shop.test'));
      const alanBefore = await store.lookup(id('user_id', 'alan'));
      expect(grace).not.toBe(alanBefore);
      const receipt = await store.erase(grace!, T0 + DAY);
      expect(receipt!.identifiers).toBe(3);
      expect(JSON.stringify(receipt)).not.toMatch(/grace|shared/);
      for (const i of [id('user_id', 'grace'), id('email', 'grace@shop.test'), id('anonymous_id', 'shared')]) {
        expect(await store.lookup(i)).toBeNull();
        expect(await store.wasErased(i)).toBe(true);
      }
      const alan = await store.lookup(id('user_id', 'alan'));
      expect(await store.identifiersOf(alan!)).toEqual([id('user_id', 'alan'), id('device_id', 'dev-a')]);
      expect(JSON.stringify(await store.audit(alan!))).not.toMatch(/grace|shared/);
      expect(await store.erase(grace!, T0 + DAY)).toBeNull();
    });

    it('non-linking types: a shared device is attached to each person, merges nobody, and goes only with its sole user on erasure', async () => {
      const rules: IdentityRulesInput = { ...CONFORMANCE_IDENTITY_RULES, nonLinking: ['device_id'], priority: ['device_id', 'user_id', 'email'] };
      const store = await opener().open({ rules, erasureSalt: SALT });
      const ipad = id('device_id', 'family-ipad');
      const phone = id('device_id', 'ada-phone');
      const observations = [
        obs(T0, 'app', ipad, id('email', 'ada@shop.test')),
        obs(T0 + 1, 'app', ipad, id('user_id', 'bob')),
        obs(T0 + 2, 'app', phone, id('email', 'ada@shop.test'), id('user_id', 'ada')),
        obs(T0 + 3, 'app', ipad),
      ];
      await store.addObservations(observations.slice(2));
      await store.addObservations(observations.slice(0, 2));
      await store.addObservations(observations.slice(0, 2)); // repeated sightings add nothing
      const ada = await store.lookup(id('user_id', 'ada'));
      const bob = await store.lookup(id('user_id', 'bob'));
      const device = await store.lookup(ipad);
      expect(new Set([ada, bob, device]).size).toBe(3);
      expect(await store.lookup(id('email', 'ada@shop.test'))).toBe(ada);
      // The same profiles as the pure stitch (ids included), and the person, never the device, resolves a request.
      for (const p of stitch(observations, rules).profiles) for (const i of p.identifiers) expect(await store.lookup(i)).toBe(p.id);
      expect(await store.resolve([ipad, id('user_id', 'bob')])).toBe(bob);
      expect(await store.resolve([ipad])).toBe(device);
      expect(await store.profile(ada!)).toMatchObject({ identifiers: [id('user_id', 'ada'), id('email', 'ada@shop.test')], attached: [phone, ipad] });
      expect(await store.profile(bob!)).toMatchObject({ identifiers: [id('user_id', 'bob')], attached: [ipad] });
      expect(await store.profile(device!)).toEqual({ id: device, identifiers: [ipad], firstSeen: T0, lastSeen: T0 + 3 });
      // Erasing Ada takes her own phone, not the family tablet, which stays attached to Bob only.
      const receipt = await store.erase(ada!, T0 + DAY);
      expect(receipt!.identifiers).toBe(3);
      expect(await store.lookup(phone)).toBeNull();
      expect(await store.wasErased(phone)).toBe(true);
      expect(await store.lookup(ipad)).toBe(device);
      expect(await store.profile(bob!)).toMatchObject({ attached: [ipad] });
      expect(JSON.stringify(await store.profile(device!))).not.toMatch(/ada/);
      // Removing the tablet detaches it from Bob.
      await store.removeIdentifier(ipad, T0 + DAY);
      expect((await store.profile(bob!))?.attached).toBeUndefined();
      expect(await store.lookup(ipad)).toBeNull();
    });

    it('keeps an audit log of which observation linked which identifiers', async () => {
      const store = await open();
      await store.addObservations([obs(T0 + 5, 'pos', id('loyalty_id', 'L5'), id('email', 'e5@shop.test')), obs(T0, 'web', id('email', 'e5@shop.test'), id('anonymous_id', 'a5'))]);
      const pid = await store.lookup(id('loyalty_id', 'L5'));
      expect(await store.audit(pid!)).toEqual([
        { kind: 'linked', at: T0, source: 'web', identifiers: [id('email', 'e5@shop.test'), id('anonymous_id', 'a5')] },
        { kind: 'linked', at: T0 + 5, source: 'pos', identifiers: [id('loyalty_id', 'L5'), id('email', 'e5@shop.test')] },
      ]);
    });

    it('rejects a malformed batch with the path of the bad field and writes nothing', async () => {
      const store = await open();
      const bad = [obs(T0, 'web', id('user_id', 'ok')), { identifiers: [{ type: 'Bad Type', value: 'x' }], at: T0 }];
      let error: unknown;
      try {
        await store.addObservations(bad);
      } catch (e) {
        error = e;
      }
      expect(isCrossChannelError(error, 'INPUT_INVALID')).toBe(true);
      expect((error as { path?: string }).path).toBe('[1].identifiers[0].type');
      await expect(store.addObservations([{ identifiers: [id('user_id', 'x')], at: 'yesterday' }])).rejects.toMatchObject({ code: 'TIME_INVALID', path: '[0].at' });
      expect(await store.lookup(id('user_id', 'ok'))).toBeNull();
    });
  });
}
