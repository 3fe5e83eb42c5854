import { describe, expect, it } from 'vitest';
import { saltedSha256Hex, sha256Hex } from './hash.js';

describe('sha256Hex', () => {
  it('hashes UTF-8 text to lowercase hex', async () => {
    expect(await sha256Hex('alice@example.com')).toBe('ff8d9819fc0e12bf0d24892e45987e249a28dce836a85cad60e28eaaa8c6d976');
    expect(await saltedSha256Hex('pepper', 'x')).toBe(await sha256Hex('pepper:x'));
  });

  it('rejects a non-string with CrossChannelError, never a TypeError', async () => {
    await expect(sha256Hex(42 as unknown as string)).rejects.toMatchObject({ name: 'CrossChannelError', code: 'INPUT_INVALID' });
    await expect(saltedSha256Hex(null as unknown as string, 'x')).rejects.toMatchObject({ code: 'INPUT_INVALID', path: 'salt' });
    await expect(saltedSha256Hex('s', {} as unknown as string)).rejects.toMatchObject({ code: 'INPUT_INVALID', path: 'value' });
  });

  it('says which platform API is missing when Web Crypto is absent', async () => {
    const crypto = Object.getOwnPropertyDescriptor(globalThis, 'crypto');
    Object.defineProperty(globalThis, 'crypto', { value: undefined, configurable: true, writable: true });
    try {
      await expect(sha256Hex('x')).rejects.toMatchObject({ name: 'CrossChannelError', code: 'RUNTIME_UNSUPPORTED' });
    } finally {
      Object.defineProperty(globalThis, 'crypto', crypto!);
    }
  });
});
