/**
 * The strict UTF-8 reading of input files: the first byte that is not UTF-8 is found where the WHATWG decoder
 * (Node's TextDecoder, fatal) finds it, and reported at its line.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { firstInvalidUtf8, utf8Text } from './utf8.js';

const strict = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
const lenient = new TextDecoder('utf-8', { ignoreBOM: true });

describe('utf8Text', () => {
  it('finds the first invalid byte where the WHATWG decoder does (random bytes biased to UTF-8 lead and trail bytes)', () => {
    const byte = fc.oneof(fc.integer({ min: 0, max: 255 }), fc.constantFrom(0x0a, 0x0d, 0x80, 0x8f, 0x90, 0x9f, 0xa0, 0xbf, 0xc0, 0xc1, 0xc2, 0xdf, 0xe0, 0xed, 0xef, 0xf0, 0xf4, 0xf5, 0xff));
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 12 }).chain((prefix) => fc.array(byte, { maxLength: 8 }).map((tail) => Uint8Array.from([...prefix, ...tail]))), (bytes) => {
        const at = firstInvalidUtf8(bytes);
        let ok = true;
        try {
          strict.decode(bytes);
        } catch {
          ok = false;
        }
        expect(at < 0).toBe(ok);
        if (ok) expect(utf8Text(bytes, 'f')).toBe(strict.decode(bytes));
        else expect(() => utf8Text(bytes, 'f')).toThrow(`byte 0x${bytes[at]!.toString(16).toUpperCase().padStart(2, '0')} at offset ${at}`);
        if (at >= 0) {
          // The prefix decodes, and the lenient decoder's first U+FFFD replaces the byte at `at`.
          const prefix = strict.decode(bytes.subarray(0, at));
          expect(lenient.decode(bytes).slice(0, prefix.length + 1)).toBe(`${prefix}\ufffd`);
        }
      }),
      { numRuns: 20_000 },
    );
  });

  it('keeps valid text exactly (a byte order mark included) and refuses other bytes at their line', () => {
    const enc = new TextEncoder();
    expect(utf8Text(enc.encode('\ufeffa,b\r\nRéseaux 😀\n'), 'f.csv')).toBe('\ufeffa,b\r\nRéseaux 😀\n');
    const bytes = Uint8Array.from([...enc.encode('a\r\nb\rc\n"x\ny",R'), 0xe9, ...enc.encode('seaux\n')]);
    expect(() => utf8Text(bytes, 'f.csv')).toThrow(expect.objectContaining({ code: 'INPUT_INVALID', path: '["f.csv"][5]', message: 'f.csv line 5: not UTF-8 text, byte 0xE9 at offset 14; save the file as UTF-8' }));
    // An encoded surrogate (ED A0 80) and an overlong form (C0 AF) are not UTF-8 either.
    expect(() => utf8Text(Uint8Array.from([0x61, 0xed, 0xa0, 0x80]), 'g')).toThrow('g line 1: not UTF-8 text, byte 0xED at offset 1');
    expect(() => utf8Text(Uint8Array.from([0xc0, 0xaf]), 'g')).toThrow('byte 0xC0 at offset 0');
  });
});
