/**
 * Profile ids are stored (PostgreSQL identity stores, warehouse tables, CRM exports): the function that derives
 * them must not change from one version to the next. Pinned values, and the bytes-then-decode implementation
 * against the plain concatenation it replaced (2026-12-06).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { profileIdHash } from './state.js';
import { IdentityGraph } from './graph.js';

describe('profile ids', () => {
  it('are the pinned MurmurHash3 x86 128-bit ids', () => {
    expect(profileIdHash('')).toBe('p_2b2a85238e27041e9fd6f34faafaa5e3');
    expect(profileIdHash('a')).toBe('p_57ba3e2a65d8288fff1b90023bdf4a23');
    expect(profileIdHash('salt\u0000email\u0000ada@example.com')).toBe('p_e4e2e342552b0818c69469b872a10acc');
    expect(profileIdHash('é😀\ud800'.repeat(9))).toBe('p_91b799aa70091e24928fe75d4da237f0');
  });

  it('are p_ and 32 lowercase hex digits, the same whatever was hashed before (one reused buffer)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 60 }), fc.string({ maxLength: 60 }), (a, b) => {
        const first = profileIdHash(a);
        expect(first).toMatch(/^p_[0-9a-f]{32}$/);
        profileIdHash(b);
        expect(profileIdHash(a)).toBe(first);
        expect(profileIdHash(a) === profileIdHash(b)).toBe(a === b || first === profileIdHash(b));
      }),
    );
  });

  it('a graph gives the same id to the same identifier in any graph with the same salt', () => {
    const ids = (order: number[]) => {
      const g = new IdentityGraph({ profileIdSalt: 'pinned' });
      const obs = [{ identifiers: [{ type: 'email', value: 'ada@example.com' }, { type: 'cookie_id', value: 'ck-1' }], at: 0, source: 't' }, { identifiers: [{ type: 'email', value: 'bob@example.com' }], at: 1, source: 't' }];
      g.add(order.map((i) => obs[i]!));
      return [g.profileIdOf({ type: 'email', value: 'ada@example.com' }), g.profileIdOf({ type: 'email', value: 'bob@example.com' })];
    };
    const a = ids([0, 1]);
    // The ids the graph gave before the implementation changed (2026-12-06).
    expect(a).toEqual(['p_5a05642933fa02e92572d5ed0ec34b2b', 'p_f70eae40727269ba7f95c2ee01cc0a72']);
    expect(ids([1, 0])).toEqual(a);
    for (const id of a) expect(id).toMatch(/^p_[0-9a-f]{32}$/);
  });
});
