/**
 * The per-engine spellings exported apart from the dialect objects (`epochMsSql`, `jsonNumberSql`), run on the
 * engines themselves: PGlite and DuckDB must read the same JSON documents and timestamps the way JavaScript does.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDuckDB } from '../../test/fixtures/duckdb.js';
import { createPglite } from '../../test/fixtures/pglite.js';
import { duckdbDialect, epochMsSql, jsonNumberSql, postgresDialect, sqlString, type SqlDialect } from './sql-dialect.js';
import type { SqlClient } from './sql.js';

type Engine = { dialect: SqlDialect; sql: SqlClient; cast: string; close: () => unknown };
const engines: Engine[] = [];

beforeAll(async () => {
  const pg = await createPglite();
  const duck = await createDuckDB();
  engines.push({ dialect: postgresDialect, sql: pg.sql, cast: 'jsonb', close: pg.close });
  engines.push({ dialect: duckdbDialect, sql: duck.sql, cast: 'JSON', close: duck.close });
});
afterAll(async () => {
  for (const e of engines) await e.close();
});

/** What the in-memory code reads: the value at the path when it is a finite JSON number, else null. */
function jsNumber(doc: unknown, path: string[]): number | null {
  let v = doc;
  for (const k of path) {
    if (v === null || typeof v !== 'object') return null;
    v = Array.isArray(v) && /^(0|[1-9]\d*)$/.test(k) ? v[Number(k)] : Array.isArray(v) ? undefined : (v as Record<string, unknown>)[k];
  }
  return typeof v === 'number' ? v : null;
}

async function numberOn(e: Engine, doc: unknown, path: string[]): Promise<number | null> {
  const expr = jsonNumberSql[e.dialect.name](`${sqlString(JSON.stringify(doc))}::${e.cast}`, path);
  const { rows } = await e.sql.query<{ n: number | null }>(`SELECT ${expr} AS n`);
  return rows[0]!.n === null ? null : Number(rows[0]!.n);
}

describe('jsonNumberSql', () => {
  const cases: Array<[unknown, string[], number | null]> = [
    [{ a: 12 }, ['a'], 12],
    [{ a: '12' }, ['a'], null],
    [{ a: true }, ['a'], null],
    [{ a: null }, ['a'], null],
    [{ a: 1e308 }, ['a'], 1e308],
    [{ a: -0.1 }, ['a'], -0.1],
    [{ a: 18446744073709551615 }, ['a'], 18446744073709551615],
    [{ a: { b: [5, 7] } }, ['a', 'b', '1'], 7],
    [{ 'a/b': 1, 'a~b': 2, 'a"b': 3, $x: 4, "it's": 5 }, ['a/b'], 1],
    [{ 'a/b': 1, 'a~b': 2, 'a"b': 3, $x: 4, "it's": 5 }, ['a~b'], 2],
    [{ 'a/b': 1, 'a~b': 2, 'a"b': 3, $x: 4, "it's": 5 }, ['a"b'], 3],
    [{ 'a/b': 1, 'a~b': 2, 'a"b': 3, $x: 4, "it's": 5 }, ['$x'], 4],
    [{ 'a/b': 1, 'a~b': 2, 'a"b': 3, $x: 4, "it's": 5 }, ["it's"], 5],
    [{ a: 1 }, ['b'], null],
    [[3], ['0'], 3],
  ];
  it('reads a JSON number and nothing else, on PostgreSQL and DuckDB (a string "12" or true is no number)', async () => {
    for (const e of engines) {
      for (const [doc, path, want] of cases) expect([e.dialect.name, doc, path, await numberOn(e, doc, path)]).toEqual([e.dialect.name, doc, path, want]);
    }
  });

  it('agrees with the in-memory reading on random documents and paths (property)', async () => {
    const key = fc.constantFrom('a', 'b', '0', '1', 'a/b', '~', '$', 'x"y', "q'");
    const leaf = fc.oneof(fc.double({ noNaN: true, noDefaultInfinity: true }).map((x) => (Object.is(x, -0) ? 0 : x)), fc.integer(), fc.string({ maxLength: 3 }), fc.constantFrom('12', '-1.5e3', 'Infinity', 'true'), fc.boolean(), fc.constant(null));
    const doc = fc.letrec((tie) => ({
      v: fc.oneof({ depthSize: 'small' }, leaf, fc.array(tie('v'), { maxLength: 3 }), fc.dictionary(key, tie('v'), { maxKeys: 3 })),
    })).v;
    await fc.assert(
      fc.asyncProperty(doc, fc.array(key, { minLength: 1, maxLength: 3 }), leaf, fc.boolean(), async (random, path, value, placed) => {
        // Half the documents hold a leaf at the path read (an object per step), the rest are random.
        const d = placed ? path.reduceRight<unknown>((v, k) => ({ [k]: v }), value) : random;
        const want = jsNumber(d, path);
        for (const e of engines) expect([e.dialect.name, await numberOn(e, d, path)]).toEqual([e.dialect.name, want]);
      }),
      { numRuns: 150 },
    );
  });

  it('is what the dialect objects spell', () => {
    expect(postgresDialect.jsonNumber('d', ['k'])).toBe(jsonNumberSql.postgres('d', ['k']));
    expect(duckdbDialect.jsonNumber('d', ['k'])).toBe(jsonNumberSql.duckdb('d', ['k']));
    expect(postgresDialect.epochMs('t')).toBe(epochMsSql.postgres('t'));
    expect(duckdbDialect.epochMs('t')).toBe(epochMsSql.duckdb('t'));
  });
});

describe('epochMsSql', () => {
  it('reads a timestamptz as its exact epoch milliseconds on PostgreSQL and DuckDB (property)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: -2_208_988_800_000, max: 4_102_444_800_000 }), async (ms) => {
        const iso = new Date(ms).toISOString();
        for (const e of engines) {
          const { rows } = await e.sql.query<{ n: number }>(`SELECT ${epochMsSql[e.dialect.name](`${sqlString(iso)}::timestamptz`)} AS n`);
          expect([e.dialect.name, iso, Number(rows[0]!.n)]).toEqual([e.dialect.name, iso, ms]);
        }
      }),
      { numRuns: 150 },
    );
  });
});
