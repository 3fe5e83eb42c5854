import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BehaviourEvent } from '../core/records.js';
import { isCrossChannelError } from '../core/errors.js';
import type { SqlClient } from '../core/sql.js';
import { compileSegments } from './compile.js';
import { segmentsFromSql, segmentsIntoSql, segmentsSql } from './sql.js';
import { NOW, eventsArb, leafArb, profileArb } from '../../test/arbitraries/segments.js';
import { noPostgresServer, pgEngines } from '../../test/fixtures/pglite.js';
import { createDuckDB } from '../../test/fixtures/duckdb.js';

const HOUR = 3_600_000;

/** Leaves with a SQL form (the others are refused, tested below). */
function sqlable(leaf: unknown): boolean {
  try {
    segmentsSql([{ id: 'x', rule: leaf }], NOW);
    return true;
  } catch (e) {
    if (isCrossChannelError(e, 'SEGMENT_SQL_UNSUPPORTED')) return false;
    throw e;
  }
}
const sqlLeaf = leafArb.filter(sqlable);
const { tree } = fc.letrec<{ tree: Record<string, unknown> }>((tie) => ({
  tree: fc.oneof(
    { depthSize: 'small', maxDepth: 3, withCrossShrink: true },
    sqlLeaf,
    fc.array(tie('tree'), { minLength: 1, maxLength: 3 }).map((and) => ({ and })),
    fc.array(tie('tree'), { minLength: 1, maxLength: 3 }).map((or) => ({ or })),
    tie('tree').map((not) => ({ not })),
  ),
}));
const segmentsArb = fc.array(tree, { minLength: 1, maxLength: 4 }).map((rules) =>
  rules.map((rule, i) => ({ id: `s${i}`, rule: i > 0 && i % 2 === 0 ? { or: [rule, { segment: `s${i - 1}` }] } : rule })),
);
const populationArb = fc.array(fc.tuple(profileArb, eventsArb), { minLength: 1, maxLength: 6 });

async function load(sql: SqlClient, engine: 'postgres' | 'duckdb', population: ReadonlyArray<readonly [Record<string, unknown>, BehaviourEvent[]]>): Promise<void> {
  const json = engine === 'postgres' ? 'jsonb' : 'JSON';
  const lit = (v: unknown): string => `'${JSON.stringify(v).replace(/'/g, "''")}'::${json}`;
  const str = (s: string | undefined): string => (s === undefined ? 'NULL' : `'${s.replace(/'/g, "''")}'`);
  await sql.query('DROP TABLE IF EXISTS profiles');
  await sql.query('DROP TABLE IF EXISTS events');
  await sql.query(`CREATE TABLE profiles (subject_id text, attributes ${json})`);
  await sql.query(`CREATE TABLE events (subject_id text, type text, channel text, "at" bigint, properties ${json})`);
  await sql.query(`INSERT INTO profiles VALUES ${population.map(([p], i) => `('p${i}', ${lit(p)})`).join(', ')}`);
  const rows = population.flatMap(([, events], i) => events.map((e) => `('p${i}', ${str(e.type)}, ${str(e.channel)}, ${e.at}, ${lit(e.properties)})`));
  if (rows.length > 0) await sql.query(`INSERT INTO events VALUES ${rows.join(', ')}`);
}

describe('segments → SQL agrees with the in-memory evaluation', () => {
  type Engine = { name: string; dialect: 'postgres' | 'duckdb'; sql: SqlClient; close: () => unknown };
  const engines: Engine[] = [];
  const names = ['PGlite', ...(noPostgresServer ? [] : ['PostgreSQL server']), 'DuckDB'];
  beforeAll(async () => {
    for (const e of pgEngines()) {
      const db = await e.open();
      engines.push({ name: e.name, dialect: 'postgres', sql: db.sql, close: db.close });
    }
    const duck = await createDuckDB();
    engines.push({ name: 'DuckDB', dialect: 'duckdb', sql: duck.sql, close: duck.close });
  });
  afterAll(async () => {
    for (const e of engines) await e.close();
  });

  for (const name of names) {
    it(`on random SQL-able segment lists × populations (${name})`, async () => {
      const { sql, dialect } = engines.find((e) => e.name === name)!;
      await fc.assert(
        fc.asyncProperty(segmentsArb, populationArb, fc.integer({ min: -2, max: 2 }), async (defs, population, shift) => {
          const now = NOW + shift * HOUR;
          const set = compileSegments(defs);
          await load(sql, dialect, population);
          const got = await segmentsFromSql(sql, set, now, { dialect });
          const want: Record<string, string[]> = Object.fromEntries(set.ids.map((id) => [id, [] as string[]]));
          population.forEach(([p, events], i) => {
            for (const id of set.evaluate(p, events, now)) want[id]!.push(`p${i}`);
          });
          for (const id of set.ids) want[id]!.sort();
          expect({ ...got.members }).toEqual(want);
          // The same memberships written into a table in the engine, counted there.
          const into = await segmentsIntoSql(sql, set, now, { into: 'cc_members', replace: true }, { dialect });
          const rows = (await sql.query<{ subject_id: string; segment_id: string }>('SELECT subject_id, segment_id FROM cc_members')).rows;
          const written: Record<string, string[]> = Object.fromEntries(set.ids.map((id) => [id, [] as string[]]));
          for (const r of rows) written[r.segment_id]!.push(r.subject_id);
          for (const id of set.ids) written[id]!.sort();
          expect(written).toEqual(want);
          expect({ ...into.counts }).toEqual(Object.fromEntries(set.ids.map((id) => [id, want[id]!.length])));
          expect(into.rows).toBe(rows.length);
        }),
        { numRuns: 40 },
      );
    });
  }
});

describe('segmentsIntoSql writes all or nothing', () => {
  it('an existing table without replace, a missing column, a bad target or a client without transactions: typed errors, database unchanged', async () => {
    for (const open of [async () => ({ ...(await createDuckDB()), dialect: 'duckdb' as const }), ...pgEngines().slice(0, 1).map((e) => async () => ({ ...(await e.open()), dialect: 'postgres' as const }))]) {
      const { sql, close, dialect } = await open();
      try {
        const set = compileSegments([{ id: 'fr', rule: { attr: 'country', op: 'eq', value: 'FR' } }, { id: 'buyer', rule: { count: { type: 'purchase' }, op: 'gte', value: 1 } }]);
        await load(sql, dialect, [[{ country: 'FR' }, [{ subjectId: 'p0', type: 'purchase', channel: 'web', at: NOW - HOUR, properties: {} }]], [{ country: 'DE' }, []]]);
        const first = await segmentsIntoSql(sql, set, NOW, { into: 'members' }, { dialect });
        expect(first).toEqual({ table: 'members', counts: { fr: 1, buyer: 1 }, rows: 2 });
        // Exists, no replace: refused, the table is as it was.
        await expect(segmentsIntoSql(sql, set, NOW, { into: 'members' }, { dialect })).rejects.toSatisfy((e) => isCrossChannelError(e, 'STORE_ERROR'));
        // A missing column inside the transaction, with replace: the old table survives (the DROP is rolled back).
        await expect(segmentsIntoSql(sql, set, NOW, { into: 'members', replace: true }, { dialect, type: 'kind' })).rejects.toSatisfy(
          (e) => isCrossChannelError(e) && (e.code === 'STORE_ERROR' || e.code === 'CONFIG_INVALID'),
        );
        expect((await sql.query<{ n: number | bigint }>('SELECT count(*) AS n FROM members')).rows.map((r) => Number(r.n))).toEqual([2]);
        await expect(segmentsIntoSql(sql, set, NOW, { into: 'members; DROP TABLE profiles' }, { dialect })).rejects.toSatisfy((e) => isCrossChannelError(e, 'CONFIG_INVALID') && e.path === 'target.into');
        await expect(segmentsIntoSql({ query: sql.query.bind(sql) } as never, set, NOW, { into: 'm2' }, { dialect })).rejects.toSatisfy((e) => isCrossChannelError(e, 'INPUT_INVALID') && e.path === 'client');
        const replaced = await segmentsIntoSql(sql, set, NOW + 400 * 86_400_000, { into: 'members', replace: true }, { dialect });
        expect(replaced.counts).toEqual({ fr: 1, buyer: 1 });
      } finally {
        await close();
      }
    }
  });
});

describe('segments → SQL refuses what has no SQL form', () => {
  it.each([
    [{ attr: 's', op: 'matches', value: { glob: 'a*' } }, 'attr.matches'],
    [{ age: 'signedUpAt', op: 'gt', value: '30d' }, 'age'],
    [{ anniversary: 'birth', withinDays: 3 }, 'anniversary'],
    [{ time: 't', window: { last: '1d' } }, 'time'],
    [{ count: { type: 'buy' }, window: { calendar: 'week' }, op: 'gte', value: 1 }, 'window.calendar'],
    [{ count: { type: 'buy' }, window: { since: { type: 'view' } }, op: 'gte', value: 1 }, 'window.since'],
  ])('%j → SEGMENT_SQL_UNSUPPORTED naming %s', (rule, construct) => {
    try {
      segmentsSql([{ id: 'ok', rule: { attr: 'a', op: 'exists' } }, { id: 'bad', rule: { and: [{ attr: 'a', op: 'exists' }, rule] } }], NOW);
      expect.unreachable();
    } catch (e) {
      expect(isCrossChannelError(e, 'SEGMENT_SQL_UNSUPPORTED')).toBe(true);
      expect((e as { detail: { construct: string } }).detail.construct).toBe(construct);
      expect((e as { path: string }).path).toMatch(/^\[1\]\.rule\.and\[1\]/);
    }
  });

  it('rejects bad options and a bad `now` with typed errors', () => {
    const defs = [{ id: 'x', rule: { attr: 'a', op: 'exists' } }];
    expect(() => segmentsSql(defs, NOW, { profiles: 'x; DROP TABLE y' })).toThrow(expect.objectContaining({ code: 'CONFIG_INVALID', path: 'profiles' }));
    expect(() => segmentsSql(defs, Number.NaN)).toThrow(expect.objectContaining({ code: 'TIME_INVALID' }));
    expect(() => segmentsSql({ not: 'segments' }, NOW)).toThrow(expect.objectContaining({ code: 'SEGMENT_RULE_INVALID' }));
  });
});
