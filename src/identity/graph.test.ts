import { describe, expect, it, vi } from 'vitest';
import { IdentityGraph, stitch } from './graph.js';
import { erasureProof } from './erasure.js';
import { isCrossChannelError } from '../core/errors.js';

const DAY = 86_400_000;
const T0 = Date.UTC(2026, 2, 1);
const id = (type: string, value: string) => ({ type, value });

describe('IdentityGraph', () => {
  it('stitches web cookie + login email + store loyalty card into one profile named by the strongest identifier', () => {
    const g = new IdentityGraph();
    g.add([
      { identifiers: [id('anonymous_id', 'ck-1'), id('email', 'Ada@Shop.test')], at: T0, source: 'web' },
      { identifiers: [id('email', 'ada@shop.test'), id('loyalty_id', 'L-77')], at: T0 + DAY, source: 'pos' },
    ]);
    const pid = g.profileIdOf(id('anonymous_id', 'ck-1'))!;
    expect(g.profile(pid)).toEqual({
      id: pid,
      identifiers: [id('loyalty_id', 'L-77'), id('email', 'ada@shop.test'), id('anonymous_id', 'ck-1')],
      firstSeen: T0,
      lastSeen: T0 + DAY,
    });
    // The id derives from the strongest identifier only: a graph holding just the loyalty card names it the same.
    expect(stitch([{ identifiers: [id('loyalty_id', 'L-77')], at: 0 }]).profiles[0]!.id).toBe(pid);
    expect(g.size).toEqual({ profiles: 1, identifiers: 3, observations: 2 });
  });

  it('finds an identifier as it holds it, with its profile, in one normalisation; nothing for unknown, invalid or blocked ones', () => {
    const g = new IdentityGraph();
    g.add([{ identifiers: [id('email', 'Ada@Shop.test'), id('loyalty_id', 'L-77')], at: T0 }]);
    const pid = g.profileIdOf(id('loyalty_id', 'L-77'))!;
    expect(g.find(id('email', '  ADA@shop.TEST '))).toEqual({ identifier: id('email', 'ada@shop.test'), profileId: pid });
    expect(g.find(id('loyalty_id', 'L-77'))).toEqual({ identifier: id('loyalty_id', 'L-77'), profileId: pid });
    expect(g.find(id('email', 'bob@shop.test'))).toBeUndefined();
    expect(g.find(id('email', 'not an email'))).toBeUndefined();
    expect(g.find(id('email', 'test@test.com'))).toBeUndefined();
    expect(g.find(id('no_such_type', 'x'))).toBeUndefined();
    expect(() => g.find({ type: 'email', value: 42 } as never)).toThrow(expect.objectContaining({ code: 'INPUT_INVALID' }));
  });

  it('salts profile ids when asked', () => {
    const a = stitch([{ identifiers: [id('email', 'x@shop.test')], at: 0 }]).profiles[0]!.id;
    const b = stitch([{ identifiers: [id('email', 'x@shop.test')], at: 0 }], { profileIdSalt: 's3cret' }).profiles[0]!.id;
    expect(a).not.toBe(b);
    expect(b).toMatch(/^p_[0-9a-f]{32}$/);
  });

  it('stops the shared-tablet merge: the stronger, earlier link wins and the other is reported', () => {
    const { profiles, refused } = stitch([
      { identifiers: [id('anonymous_id', 'tablet'), id('user_id', 'kid')], at: T0 + 5, source: 'app' },
      { identifiers: [id('anonymous_id', 'tablet'), id('user_id', 'mum')], at: T0, source: 'app' },
    ]);
    expect(profiles.map((p) => p.identifiers)).toContainEqual([id('user_id', 'mum'), id('anonymous_id', 'tablet')]);
    expect(profiles.map((p) => p.identifiers)).toContainEqual([id('user_id', 'kid')]);
    expect(refused).toEqual([
      {
        code: 'IDENTITY_LIMIT_EXCEEDED',
        message: 'merged profile would hold more than 1 user_id',
        rule: 'limit:user_id',
        detail: { type: 'user_id', limit: 1 },
        from: id('user_id', 'kid'),
        to: id('anonymous_id', 'tablet'),
        at: T0 + 5,
        source: 'app',
      },
    ]);
  });

  it('considers strong links before weak ones, whatever their time', () => {
    // The login–email link is stronger than both cookie links, so it is kept even though it is the latest.
    const { profiles, refused } = stitch([
      { identifiers: [id('anonymous_id', 'c'), id('user_id', 'u2')], at: T0 },
      { identifiers: [id('anonymous_id', 'c'), id('email', 'e@shop.test')], at: T0 + 1 },
      { identifiers: [id('user_id', 'u1'), id('email', 'e@shop.test')], at: T0 + 2 },
    ]);
    expect(profiles.map((p) => p.identifiers.map((i) => i.value))).toEqual(expect.arrayContaining([['u1', 'e@shop.test'], ['u2', 'c']]));
    expect(refused.map((r) => r.rule)).toEqual(['limit:user_id']);
  });

  it('enforces per-type limits and the maximum profile size', () => {
    const emails = stitch(
      [1, 2, 3].map((i) => ({ identifiers: [id('user_id', 'u'), id('email', `e${i}@shop.test`)], at: T0 + i })),
      { limits: { email: 2 } },
    );
    expect(emails.profiles).toHaveLength(2);
    expect(emails.refused).toEqual([expect.objectContaining({ rule: 'limit:email', from: id('user_id', 'u'), to: id('email', 'e3@shop.test') })]);
    const size = stitch(
      [1, 2, 3, 4].map((i) => ({ identifiers: [id('user_id', 'u'), id('device_id', `d${i}`)], at: T0 + i })),
      { maxIdentifiers: 3 },
    );
    expect(size.profiles.map((p) => p.identifiers.length).sort()).toEqual([1, 1, 3]);
    expect(size.refused.map((r) => [r.code, r.rule])).toEqual([
      ['IDENTITY_MAX_IDENTIFIERS', 'maxIdentifiers'],
      ['IDENTITY_MAX_IDENTIFIERS', 'maxIdentifiers'],
    ]);
  });

  it('lets an anonymous id link only within its time-to-live', () => {
    const { profiles, refused } = stitch(
      [
        { identifiers: [id('anonymous_id', 'c'), id('email', 'a@shop.test')], at: T0 },
        { identifiers: [id('anonymous_id', 'c'), id('email', 'b@shop.test')], at: T0 + 10 * DAY },
        { identifiers: [id('anonymous_id', 'c'), id('email', 'z@shop.test')], at: T0 + 40 * DAY },
      ],
      { ttl: { anonymous_id: '30d' } },
    );
    expect(profiles).toHaveLength(2);
    expect(refused).toEqual([expect.objectContaining({ code: 'IDENTITY_TTL_EXPIRED', rule: 'ttl:anonymous_id', from: id('email', 'z@shop.test'), to: id('anonymous_id', 'c') })]);
  });

  it('never links through blocked values (defaults and configured)', () => {
    const rules = { blocked: { values: ['email:info@shop.test', 'N/A'], patterns: [{ type: 'loyalty_id', pattern: '^TEST' }] } };
    const r = new IdentityGraph(rules).add([
      { identifiers: [id('email', 'info@shop.test'), id('user_id', 'a')], at: T0 },
      { identifiers: [id('email', 'INFO@shop.test'), id('user_id', 'b')], at: T0 },
      { identifiers: [id('loyalty_id', 'test-123'), id('user_id', 'c')], at: T0 },
      { identifiers: [id('device_id', '00000000-0000-0000-0000-000000000000'), id('user_id', 'd')], at: T0 },
      { identifiers: [id('phone', '+33 6 00 00 00 00'), id('user_id', 'e')], at: T0 },
      { identifiers: [id('external_id', 'N/A'), id('user_id', 'f')], at: T0 },
      { identifiers: [id('external_id', 'undefined'), id('user_id', 'g')], at: T0 },
    ]);
    expect(r.profiles).toHaveLength(7);
    const rules_ = Object.fromEntries(r.refused.map((x) => [x.from.value, x.rule]));
    expect(rules_).toEqual({
      'info@shop.test': 'blocked:value',
      'test-123': 'blocked:pattern:^TEST',
      '00000000-0000-0000-0000-000000000000': 'blocked:pattern:^[0-]+$',
      '+33600000000': expect.stringMatching(/^blocked:pattern:\^\\\+\\d\{1,3\}/),
      'N/A': 'blocked:value',
      undefined: expect.stringMatching(/^blocked:pattern:\^\(\?:null\|undefined/),
    });
    expect(r.refused).toHaveLength(6 + 1);
    expect(r.refused.every((x) => x.code === 'IDENTITY_BLOCKED_VALUE' && x.to === undefined)).toBe(true);
    expect(new IdentityGraph({ blocked: { defaults: false } }).add([{ identifiers: [id('external_id', 'null')], at: 0 }]).refused).toEqual([]);
  });

  it('reports merges, and the audit log says which observation linked what', () => {
    const g = new IdentityGraph();
    g.add([{ identifiers: [id('anonymous_id', 'c1')], at: T0 }]);
    const cookieProfile = g.profileIdOf(id('anonymous_id', 'c1'))!;
    const r = g.add([{ identifiers: [id('anonymous_id', 'c1'), id('user_id', 'u1')], at: T0 + 1, source: 'login' }]);
    const pid = g.profileIdOf(id('user_id', 'u1'))!;
    expect(r.changes).toEqual([{ profileId: pid, previousIds: [cookieProfile] }]);
    expect(g.audit(pid)).toEqual([{ kind: 'linked', at: T0 + 1, source: 'login', identifiers: [id('user_id', 'u1'), id('anonymous_id', 'c1')] }]);
    expect(g.audit('p_nope')).toEqual([]);
  });

  it('reports invalid identifiers with their position and links the rest', () => {
    const r = new IdentityGraph({ normalization: { defaultCountry: 'FR' } }).add([
      { identifiers: [id('phone', '06 12 34 56 78'), id('email', 'not-an-email'), id('user_id', 'u')], at: T0 },
    ]);
    expect(r.invalid).toEqual([{ observation: 0, index: 1, reason: expect.objectContaining({ code: 'IDENTITY_EMAIL_INVALID' }) }]);
    expect(r.profiles).toHaveLength(1);
  });

  it('rejects malformed observations with the path, before changing anything', () => {
    const g = new IdentityGraph();
    const attempt = (input: unknown) => {
      try {
        g.add(input as never);
      } catch (e) {
        return isCrossChannelError(e) ? [e.code, e.path] : e;
      }
      return 'no error';
    };
    expect(attempt('x')).toEqual(['INPUT_INVALID', undefined]);
    expect(attempt([{ identifiers: [id('user_id', 'ok')], at: T0 }, null])).toEqual(['INPUT_INVALID', '[1]']);
    expect(attempt([{ identifiers: 'x', at: T0 }])).toEqual(['INPUT_INVALID', '[0].identifiers']);
    expect(attempt([{ identifiers: [{ type: 'user_id', value: 3 }], at: T0 }])).toEqual(['INPUT_INVALID', '[0].identifiers[0].value']);
    expect(attempt([{ identifiers: [], at: 1.5 }])).toEqual(['TIME_INVALID', '[0].at']);
    expect(attempt([{ identifiers: [], at: T0, source: 7 }])).toEqual(['INPUT_INVALID', '[0].source']);
    expect(g.size).toEqual({ profiles: 0, identifiers: 0, observations: 0 });
  });

  it('unmerges an identifier and erases a person, splitting what no longer holds together', async () => {
    const g = new IdentityGraph();
    g.add([
      { identifiers: [id('email', 'a@shop.test'), id('anonymous_id', 'bridge')], at: T0 },
      { identifiers: [id('loyalty_id', 'L1'), id('anonymous_id', 'bridge')], at: T0 + 1 },
    ]);
    const before = g.profileIdOf(id('email', 'a@shop.test'))!;
    const r = g.removeIdentifier(id('anonymous_id', 'bridge'))!;
    expect(r.erased).toEqual([id('anonymous_id', 'bridge')]);
    expect(r.profiles).toHaveLength(2);
    expect(r.changes).toEqual(expect.arrayContaining([expect.objectContaining({ previousIds: [before] })]));
    expect(g.removeIdentifier(id('anonymous_id', 'bridge'))).toBeUndefined();
    const l1 = g.profileIdOf(id('loyalty_id', 'L1'))!;
    expect(g.erase(l1)?.erased).toEqual([id('loyalty_id', 'L1')]);
    expect(g.erase(l1)).toBeUndefined();
    expect(g.size).toEqual({ profiles: 1, identifiers: 1, observations: 1 });
    expect(await erasureProof(id('loyalty_id', 'L1'), 'salt')).toMatch(/^[0-9a-f]{64}$/);
    expect(await erasureProof(id('loyalty_id', 'L1'), 'salt')).not.toBe(await erasureProof(id('loyalty_id', 'L1'), 'pepper'));
  });
});

describe('report profile ids hashed on demand', () => {
  it('a report read after later merges and an erasure gives the ids it would have given at once', () => {
    const batchA = [
      { identifiers: [id('anonymous_id', 'ck-1'), id('email', 'ada@shop.test')], at: T0, source: 'web' },
      { identifiers: [id('anonymous_id', 'ck-2')], at: T0, source: 'web' },
      { identifiers: [id('email', 'bob@shop.test'), id('anonymous_id', 'ck-3')], at: T0, source: 'web' },
    ];
    const eager = new IdentityGraph();
    const readAtOnce = [...eager.add(batchA).profiles].sort();

    const lazy = new IdentityGraph();
    const unread = lazy.add(batchA);
    // A stronger identifier joins Ada's profile (its id changes), then Bob's profile is erased.
    lazy.add([{ identifiers: [id('email', 'ada@shop.test'), id('user_id', 'u-ada')], at: T0 + DAY, source: 'app' }]);
    const bob = lazy.profileIdOf(id('email', 'bob@shop.test'))!;
    expect(lazy.erase(bob)).toBeDefined();
    expect([...unread.profiles].sort()).toEqual(readAtOnce);
    expect(lazy.profileIdOf(id('anonymous_id', 'ck-1'))).not.toBe(eager.profileIdOf(id('anonymous_id', 'ck-1')));
  });
});

describe('large arrays', () => {
  // 20,000 observations: 30,000 identifiers, enough for the per-identifier arrays to be allocated large.
  const observations = Array.from({ length: 20_000 }, (_, i) => ({ identifiers: [id('anonymous_id', `a${i}`), id('user_id', `u${i >> 1}`)], at: T0 + i }));
  const profiles = (g: IdentityGraph) => [...g.profiles()].sort((a, b) => (a.id < b.id ? -1 : 1));

  it('are backed by a SharedArrayBuffer only with sharedMemory (and where the runtime has one), with the same graph either way', () => {
    const plain = new IdentityGraph();
    plain.add(observations);
    expect(plain.state.parent.buffer).toBeInstanceOf(ArrayBuffer);
    expect((plain.state.firstSeen as Float64Array).buffer).toBeInstanceOf(ArrayBuffer);
    const shared = new IdentityGraph({}, { sharedMemory: true });
    shared.add(observations);
    expect(shared.state.parent.buffer).toBeInstanceOf(SharedArrayBuffer);
    expect((shared.state.firstSeen as Float64Array).buffer).toBeInstanceOf(SharedArrayBuffer);
    expect(profiles(shared)).toEqual(profiles(plain));
    vi.stubGlobal('SharedArrayBuffer', undefined);
    try {
      const fallback = new IdentityGraph({}, { sharedMemory: true });
      fallback.add(observations);
      expect(fallback.state.parent.buffer).toBeInstanceOf(ArrayBuffer);
      expect(profiles(fallback)).toEqual(profiles(plain));
      expect(fallback.size).toEqual({ profiles: 10_000, identifiers: 30_000, observations: 20_000 });
    } finally {
      vi.unstubAllGlobals();
    }
    expect(() => new IdentityGraph({}, { sharedMemory: 'yes' as never })).toThrow(expect.objectContaining({ code: 'CONFIG_INVALID', path: 'options.sharedMemory' }));
  });
});
