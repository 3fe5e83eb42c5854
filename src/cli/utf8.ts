/**
 * Input files as UTF-8 text, strictly: a file with bytes that are not UTF-8 (a Latin-1 or Windows-1252 export, a
 * UTF-16 file) is refused at its line, never read with U+FFFD in place of its letters (a channel `R�seaux` would
 * be a channel of its own, silently).
 */
import { inputError } from '../core/errors.js';

/** The offset of the first byte that does not belong to a well-formed UTF-8 sequence (WHATWG / Unicode 3.9), or -1. */
export function firstInvalidUtf8(bytes: Uint8Array): number {
  const n = bytes.length;
  for (let i = 0; i < n; ) {
    const b = bytes[i]!;
    if (b < 0x80) {
      i++;
      continue;
    }
    // The sequence's length and the range of its second byte (the others are 80–BF).
    let len = 0;
    let lo = 0x80;
    let hi = 0xbf;
    if (b >= 0xc2 && b <= 0xdf) len = 2;
    else if (b >= 0xe0 && b <= 0xef) {
      len = 3;
      if (b === 0xe0) lo = 0xa0;
      else if (b === 0xed) hi = 0x9f;
    } else if (b >= 0xf0 && b <= 0xf4) {
      len = 4;
      if (b === 0xf0) lo = 0x90;
      else if (b === 0xf4) hi = 0x8f;
    } else return i;
    for (let k = 1; k < len; k++) {
      const c = bytes[i + k];
      if (c === undefined || c < (k === 1 ? lo : 0x80) || c > (k === 1 ? hi : 0xbf)) return i;
    }
    i += len;
  }
  return -1;
}

/**
 * The text of a file's bytes, which must be UTF-8 (a byte order mark is kept, for the readers to skip). Other
 * bytes are `INPUT_INVALID` at `[file, line]`, the line (1-based; CRLF, LF or a lone CR ending one) of the first
 * byte that is not UTF-8.
 */
export function utf8Text(bytes: Uint8Array, file: string): string {
  // node:buffer's isUtf8 is not among the CLI's imports: the check is a scan of the bytes.
  const at = firstInvalidUtf8(bytes);
  if (at < 0) return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8');
  let line = 1;
  for (let i = 0; i < at; i++) if (bytes[i] === 0x0a || (bytes[i] === 0x0d && bytes[i + 1] !== 0x0a)) line++;
  // FF FE / FE FF: the byte order mark of UTF-16 (Excel's "Unicode text").
  const utf16 = (bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff) ? ' (a UTF-16 file?)' : '';
  const hex = (bytes[at] ?? 0).toString(16).toUpperCase().padStart(2, '0');
  throw inputError(`${file} line ${line}: not UTF-8 text, byte 0x${hex} at offset ${at}${utf16}; save the file as UTF-8`, [file, line], { offset: at });
}
