/**
 * What PostgreSQL cannot store in `text` or `jsonb`: the NUL character (U+0000: refused in text, and in jsonb as
 * "unsupported Unicode escape sequence") and lone surrogates (half of a UTF-16 pair: refused in jsonb, read as
 * U+FFFD in text, so two values would become one). The PostgreSQL stores check a record with
 * {@link expectStorableText} before any write, so such a value is refused as `INPUT_INVALID` at its path — the
 * one engine-specific refusal of the adapters — instead of a `STORE_ERROR` from the engine. Internal.
 */
import { inputError } from '../../core/errors.js';

const UNSTORABLE = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** True when PostgreSQL can hold `text` as it is: no U+0000, no lone surrogate. */
export function isStorableText(text: string): boolean {
  return !UNSTORABLE.test(text);
}

/**
 * Throws `INPUT_INVALID` at the path of the first string (or object key) in `value` that holds U+0000 or a lone
 * surrogate; `path` is where `value` sits in the call's input (`[3]` for the fourth event of a batch).
 */
export function expectStorableText(value: unknown, path: ReadonlyArray<string | number>): void {
  if (typeof value === 'string') {
    if (!isStorableText(value)) {
      throw inputError('PostgreSQL cannot store U+0000 (NUL) or a lone surrogate in text or JSON', path, { engine: 'postgresql' });
    }
    return;
  }
  if (typeof value !== 'object' || value === null) return;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) expectStorableText(value[i], [...path, i]);
    return;
  }
  for (const [k, v] of Object.entries(value)) {
    expectStorableText(k, [...path, k]);
    expectStorableText(v, [...path, k]);
  }
}
