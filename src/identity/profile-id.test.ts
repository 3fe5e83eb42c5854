/**
 * Profile ids are stored (PostgreSQL identity stores, warehouse tables, CRM exports): the function that derives
 * them must not change from one version to the next. Pinned values, and the bytes-then-decode implementation
 * against the plain concatenation it replaced (2026-12-06).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { profileIdHash } from './state.js';
import { IdentityGraph } from './graph.js';

/**
 * Appleby's MurmurHash3_x86_128 (smhasher) over bytes, with the guide's two departures as parameters: a start value
 * per lane and the length mixed in at the end.
 */
function murmur3x86x128(data: Uint8Array, lanes: readonly number[], length: number): string {
  const rotl = (x: number, r: number) => (x << r) | (x >>> (32 - r));
  const fmix = (h: number) => {
    h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
    h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
    return h ^ (h >>> 16);
  };
  const c = [0x239b961b, 0xab0e9789, 0x38b34ae5, 0xa1e38b93];
  const rot = [15, 16, 17, 18];
  const mix = [[19, 0x561ccd1b], [17, 0x0bcaa747], [15, 0x96cd1c35], [13, 0x32ac3b17]] as const;
  const h = [...lanes];
  const word = (bytes: Uint8Array, at: number) => bytes[at]! | (bytes[at + 1]! << 8) | (bytes[at + 2]! << 16) | (bytes[at + 3]! << 24);
  const blocks = Math.floor(data.length / 16);
  for (let b = 0; b < blocks; b++) {
    for (let l = 0; l < 4; l++) {
      h[l] = h[l]! ^ Math.imul(rotl(Math.imul(word(data, b * 16 + 4 * l), c[l]!), rot[l]!), c[(l + 1) % 4]!);
      h[l] = (Math.imul(rotl(h[l]!, mix[l]![0]) + h[(l + 1) % 4]!, 5) + mix[l]![1]) | 0;
    }
  }
  const tail = new Uint8Array(16);
  tail.set(data.subarray(blocks * 16));
  for (let l = 0; l < 4; l++) h[l] = h[l]! ^ Math.imul(rotl(Math.imul(word(tail, 4 * l), c[l]!), rot[l]!), c[(l + 1) % 4]!) ^ length;
  const sum = () => {
    h[0] = (h[0]! + h[1]! + h[2]! + h[3]!) | 0;
    for (let l = 1; l < 4; l++) h[l] = (h[l]! + h[0]!) | 0;
  };
  sum();
  for (let l = 0; l < 4; l++) h[l] = fmix(h[l]!);
  sum();
  return h.map((x) => (x >>> 0).toString(16).padStart(8, '0')).join('');
}

const utf16le = (text: string) => {
  const out = new Uint8Array(text.length * 2);
  for (let i = 0; i < text.length; i++) (out[2 * i] = text.charCodeAt(i) & 255), (out[2 * i + 1] = text.charCodeAt(i) >>> 8);
  return out;
};

describe('profile ids', () => {
  it("are the guide's definition: the reference MurmurHash3 x86 128-bit with a start value per lane and the length in code units", () => {
    const lanes = [0x9747b28c, 0x85ebca6b, 0xc2b2ae35, 0x27d4eb2f];
    // The reference itself, on its published check value (seed 0, empty input: all zero).
    expect(murmur3x86x128(new Uint8Array(0), [0, 0, 0, 0], 0)).toBe('0'.repeat(32));
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 80 }), (text) => {
        expect(profileIdHash(text)).toBe(`p_${murmur3x86x128(utf16le(text), lanes, text.length)}`);
      }),
      { numRuns: 500 },
    );
  });

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
