import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { saltedSha256Hex, sha256Hex } from './hash.js';

/** The oracle: node:crypto over the text's UTF-8 bytes as TextEncoder writes them (a lone surrogate → U+FFFD). */
const oracle = (text: string): string => createHash('sha256').update(new TextEncoder().encode(text)).digest('hex');

describe('sha256Hex', () => {
  it('hashes UTF-8 text to lowercase hex', async () => {
    expect(await sha256Hex('alice@example.com')).toBe('ff8d9819fc0e12bf0d24892e45987e249a28dce836a85cad60e28eaaa8c6d976');
    expect(await saltedSha256Hex('pepper', 'x')).toBe(await sha256Hex('pepper:x'));
  });

  it('gives the FIPS 180-4 example digests (one block, two blocks, a million characters)', async () => {
    expect(await sha256Hex('')).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    expect(await sha256Hex('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    expect(await sha256Hex('abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq')).toBe('248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1');
    expect(await sha256Hex('a'.repeat(1_000_000))).toBe('cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0');
  });

  it('equals node:crypto on any text: every message length around the block boundaries, any code unit', async () => {
    // 55 bytes is the longest one-block message, 56–63 need a second block for the length, 64 fills one.
    for (let n = 0; n <= 200; n++) expect(await sha256Hex('x'.repeat(n))).toBe(oracle('x'.repeat(n)));
    for (let n = 0; n <= 70; n++) expect(await sha256Hex('é'.repeat(n))).toBe(oracle('é'.repeat(n)));
    await fc.assert(
      fc.asyncProperty(fc.oneof(fc.string({ maxLength: 300 }), fc.string({ unit: 'binary', maxLength: 200 }), fc.string({ unit: 'grapheme', maxLength: 60 })), async (text) => {
        expect(await sha256Hex(text)).toBe(oracle(text));
      }),
      { numRuns: 500 },
    );
  });

  it('gives the same digest whatever was hashed before (the scratch buffers are reused; long texts get their own)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.string({ maxLength: 80 }), fc.integer({ min: 0, max: 20_000 }), async (text, longer) => {
        const alone = await sha256Hex(text);
        await sha256Hex('ü'.repeat(longer));
        expect(await sha256Hex(text)).toBe(alone);
      }),
      { numRuns: 60 },
    );
    expect(await sha256Hex('ü'.repeat(20_000))).toBe(oracle('ü'.repeat(20_000)));
  });

  it('rejects a non-string with CrossChannelError, never a TypeError', async () => {
    await expect(sha256Hex(42 as unknown as string)).rejects.toMatchObject({ name: 'CrossChannelError', code: 'INPUT_INVALID' });
    await expect(saltedSha256Hex(null as unknown as string, 'x')).rejects.toMatchObject({ code: 'INPUT_INVALID', path: 'salt' });
    await expect(saltedSha256Hex('s', {} as unknown as string)).rejects.toMatchObject({ code: 'INPUT_INVALID', path: 'value' });
  });

  it('needs no platform hashing API (a runtime without Web Crypto hashes the same)', async () => {
    const crypto = Object.getOwnPropertyDescriptor(globalThis, 'crypto');
    Object.defineProperty(globalThis, 'crypto', { value: undefined, configurable: true, writable: true });
    try {
      expect(await sha256Hex('alice@example.com')).toBe('ff8d9819fc0e12bf0d24892e45987e249a28dce836a85cad60e28eaaa8c6d976');
    } finally {
      Object.defineProperty(globalThis, 'crypto', crypto!);
    }
  });
});
