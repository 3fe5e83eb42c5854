/** Decoded TC strings, memoised per config: a CMP sends the same string with every request of a visit. */
import type { Result } from '../core/errors.js';
import { safeDecodeTcString } from '../consent/tcf/decode.js';
import type { TcString } from '../consent/tcf/model.js';
import type { DecideConfig } from './config.js';

/** Decodes a TC string through the config's bounded memo (decoded strings are immutable data). */
export function decodeTc(config: DecideConfig, text: string): Result<TcString> {
  const memo = config.tcMemo;
  let r = memo.get(text);
  if (r === undefined) {
    r = safeDecodeTcString(text) as Result<TcString>;
    // Drop the oldest entry beyond 4,096 strings: a Map iterates in insertion order.
    if (memo.size >= 4096) memo.delete(memo.keys().next().value as string);
    memo.set(text, r);
  }
  return r;
}
