/**
 * The claim order's tie-break on PostgreSQL: `utf16OrderSql` orders ids as JavaScript's `<` does (UTF-16 code units),
 * which neither a locale's collation nor `COLLATE "C"` (code points) does.
 */
import { PGlite } from '@electric-sql/pglite';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { fromPglite } from './sql.js';
import { utf16OrderSql } from './journeys.js';

const db = new PGlite();
const sql = fromPglite(db);
afterAll(() => db.close());

const ordered = async (ids: string[]): Promise<string[]> =>
  (await sql.query<{ x: string }>(`SELECT x FROM unnest($1::text[]) AS t(x) ORDER BY ${utf16OrderSql('x')}`, [ids])).rows.map((r) => r.x);

describe('utf16OrderSql', () => {
  it('orders U+FF01 after U+1F600, U+10FFFF between them, and a prefix first', async () => {
    const ids = ['\uFF01', 'a\u{10FFFF}b', '\u{1F600}', 'a\u{10FFFF}', 'a\u{10FFFF}\uE000', 'B', 'a', '\uD7FF', '\u{10FFFF}'];
    expect(await ordered(ids)).toEqual([...ids].sort());
  });

  it('orders any ids as JavaScript sorts them (UTF-16 code units)', async () => {
    // Characters near the boundaries that matter: below the surrogates, the supplementary planes, U+E000–U+FFFF, U+10FFFF.
    const char = fc.oneof(
      fc.constantFrom('a', 'B', ' ', '\uD7FF', '\uE000', '\uFF01', '\uFFFF', '\u{10000}', '\u{1F600}', '\u{10FFFE}', '\u{10FFFF}'),
      fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }).filter((c) => !c.includes('\u0000')),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(fc.array(char, { maxLength: 4 }).map((cs) => cs.join('')), { maxLength: 12 }), async (ids) => {
        expect(await ordered(ids)).toEqual([...ids].sort());
      }),
      { numRuns: 150 },
    );
  });
});
