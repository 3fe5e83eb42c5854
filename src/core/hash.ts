import { CrossChannelError, inputError } from './errors.js';

/**
 * SHA-256 of a UTF-8 string as lowercase hex, through Web Crypto (`globalThis.crypto.subtle`), which Node ≥ 20,
 * browsers, Deno and edge workers all provide. Used for hashed identifiers and proofs of erasure.
 *
 * @example
 * ```ts
 * await sha256Hex('alice@example.com'); // 'ff8d9819fc0e12bf0d24892e45987e249a28dce836a85cad60e28eaaa8c6d976'
 * ```
 */
export async function sha256Hex(text: string): Promise<string> {
  if (typeof text !== 'string') throw inputError(`Expected a string to hash, got ${text === null ? 'null' : typeof text}`);
  const subtle = globalThis.crypto?.subtle;
  if (!subtle) throw new CrossChannelError('RUNTIME_UNSUPPORTED', 'Web Crypto (globalThis.crypto.subtle) is not available in this runtime');
  const digest = await subtle.digest('SHA-256', new TextEncoder().encode(text));
  return toHex(new Uint8Array(digest));
}

/**
 * A salted SHA-256 (`sha256(salt + ':' + value)`), the only trace erasure may keep as proof.
 *
 * @example
 * ```ts
 * await saltedSha256Hex('pepper-2026', 'alice@example.com');
 * ```
 */
export async function saltedSha256Hex(salt: string, value: string): Promise<string> {
  if (typeof salt !== 'string') throw inputError('Expected the salt to be a string', ['salt']);
  if (typeof value !== 'string') throw inputError('Expected the value to be a string', ['value']);
  return sha256Hex(`${salt}:${value}`);
}

function toHex(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < bytes.length; i++) s += bytes[i]!.toString(16).padStart(2, '0');
  return s;
}
