import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BehaviourEvent } from '../core/records.js';
import { isCrossChannelError } from '../core/errors.js';
import type { SqlClient } from '../core/sql.js';
import { compileSegments } from './compile.js';
import { compareCodePoints } from './text.js';
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
    // Empty groups included (rule builders save them).
    fc.array(tie('tree'), { minLength: 0, maxLength: 3 }).map((and) => ({ and })),
    fc.array(tie('tree'), { minLength: 0, maxLength: 3 }).map((or) => ({ or })),
    tie('tree').map((not) => ({ not })),
  ),
}));
const segmentsArb = fc.array(tree, { minLength: 1, maxLength: 4 }).map((rules) =>
  rules.map((rule, i) => ({ id: `s${i}`, rule: i > 0 && i % 2 === 0 ? { or: [rule, { segment: `s${i - 1}` }] } : rule })),
);
const populationArb = fc.array(fc.tuple(profileArb, eventsArb), { minLength: 1, maxLength: 6 });

// Letters whose case differs by context or locale (Greek sigma, Turkish i, German ß, ligatures, titlecase
// digraphs), characters beyond U+FFFF and just below it, and any other character.
const EDGE_CHARS = ['Σ', 'σ', 'ς', 'İ', 'I', 'i', 'ı', 'ß', 'ẞ', 'S', 's', 'ﬁ', 'Ǆ', 'ǅ', 'ǆ', 'K', 'K', 'Ω', 'ω', '\u0307', '\ue000', '\uffff', '😀', '\u{10400}', '\u{10428}', 'a', 'A'];
const edgeStringArb = fc.string({
  unit: fc.oneof(
    { arbitrary: fc.constantFrom(...EDGE_CHARS), weight: 4 },
    // Any character but NUL and lone surrogates (a PostgreSQL text holds neither).
    fc.integer({ min: 1, max: 0x10ffff }).filter((c) => c < 0xd800 || c > 0xdfff).map((c) => String.fromCodePoint(c)),
  ),
  maxLength: 5,
});
const edgeScalarArb = fc.oneof(edgeStringArb, fc.constant(null), fc.integer({ min: -1, max: 2 }));
// Amounts of one profile come from one pool: sums within a pool are exact (multiples of 2^1000, or small
// integers) until they overflow, so any order of addition gives one total. Mixing magnitudes makes a total depend
// on the order of rounding (docs/segments.md), which no engine shares with another.
const AMOUNT_POOLS = [
  [2 ** 1023, -(2 ** 1023), 2 ** 1022, -(2 ** 1022), 2 ** 1000, 0.75 * 2 ** 1024],
  [3, -1, 0.5, 2],
];
const edgeProfileArb = fc.record({ s: edgeScalarArb, tags: fc.oneof(fc.array(edgeScalarArb, { maxLength: 3 }), edgeScalarArb) }, { requiredKeys: [] });
const edgeEventsArb = fc
  .constantFrom(...AMOUNT_POOLS)
  .chain((pool) => fc.array(fc.record({ amount: fc.constantFrom(...pool), at: fc.integer({ min: -5, max: 0 }) }), { maxLength: 8 }))
  .map((es) => es.map((e, i): BehaviourEvent => ({ id: `e${i}`, subjectId: 'p', type: 'buy', at: NOW + e.at * HOUR, properties: { amount: e.amount } })).sort((x, y) => x.at - y.at));
const edgeRuleArb: fc.Arbitrary<Record<string, unknown>> = fc.oneof(
  fc.record({ attr: fc.constant('s'), op: fc.constantFrom('eq', 'neq', 'startsWith', 'endsWith'), value: edgeStringArb, ignoreCase: fc.boolean() }),
  fc.record({ attr: fc.constant('s'), op: fc.constantFrom('in', 'notIn'), value: fc.array(edgeStringArb, { maxLength: 3 }), ignoreCase: fc.boolean() }),
  fc.record({ attr: fc.constant('s'), op: fc.constantFrom('gt', 'gte', 'lt', 'lte'), value: edgeStringArb }),
  fc.tuple(edgeStringArb, edgeStringArb).map(([x, y]) => ({ attr: 's', op: 'between', value: compareCodePoints(x, y) <= 0 ? [x, y] : [y, x] })),
  fc.record({ attr: fc.constantFrom('s', 'tags'), op: fc.constant('contains'), value: edgeScalarArb }),
  fc.record({ aggregate: fc.constantFrom('sum', 'avg'), property: fc.constant('amount'), event: fc.constant({ type: 'buy' }), op: fc.constantFrom('eq', 'gt', 'gte', 'lt', 'lte'), value: fc.constantFrom(0, 2, 2 ** 1023, -(2 ** 1023), 1e308) }),
);
const edgeSegmentsArb = fc.array(edgeRuleArb, { minLength: 1, maxLength: 4 }).map((rules) => rules.map((rule, i) => ({ id: `e${i}`, rule })));

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

/** SQL (read back, and written into a table) gives the members the in-memory evaluation gives. */
async function agrees(sql: SqlClient, dialect: 'postgres' | 'duckdb', defs: unknown, population: ReadonlyArray<readonly [Record<string, unknown>, BehaviourEvent[]]>, now: number): Promise<void> {
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
          await agrees(sql, dialect, defs, population, NOW + shift * HOUR);
        }),
        { numRuns: 40 },
      );
    });

    // The data at the engines' edges: totals beyond the double range, JSON nulls in lists, letters whose case
    // depends on context or locale, characters beyond U+FFFF next to U+E000–U+FFFF.
    it(`at the edges: huge sums, null in lists, case folding, astral order — examples (${name})`, async () => {
      const { sql, dialect } = engines.find((e) => e.name === name)!;
      const ev = (amounts: number[]): BehaviourEvent[] => amounts.map((amount, i) => ({ subjectId: 'p', type: 'buy', at: NOW - 1000 + i, properties: { amount } }));
      const sum = (aggregate: string, op: string, value: number) => ({ aggregate, property: 'amount', event: { type: 'buy' }, op, value });
      await agrees(
        sql,
        dialect,
        [
          { id: 'sumBig', rule: sum('sum', 'gte', 1e308) },
          { id: 'sumNeg', rule: sum('sum', 'lt', 0) },
          { id: 'sumBack', rule: sum('sum', 'lt', 1.5e308) },
          { id: 'avgBig', rule: sum('avg', 'gt', 1e307) },
          { id: 'nullIn', rule: { attr: 'tags', op: 'contains', value: null } },
          { id: 'sigma', rule: { attr: 's', op: 'eq', value: 'σίσυφος', ignoreCase: true } },
          { id: 'dotted', rule: { attr: 's', op: 'in', value: ['istanbul'], ignoreCase: true } },
          { id: 'astral', rule: { attr: 's', op: 'gt', value: '\uffff' } },
        ],
        [
          [{ tags: ['a', null], s: 'ΣΊΣΥΦΟΣ' }, ev([1e308, 1e308, -1e308])], // in order: overflow, then back (total 1e308)
          [{ tags: ['a'], s: 'σίσυφοσ' }, ev([1e308, 1e308])], // total beyond the range: Infinity
          [{ tags: [null], s: 'İSTANBUL' }, ev([-1e308, -1e308, 5])],
          [{ tags: 'null', s: '😀' }, ev([1e200, 1e200])], // PostgreSQL's avg(float8) squares them
          [{ s: '\ue000' }, []],
        ],
        NOW,
      );
    });

    // A step is read as an array position only when it is one in memory (digits, no leading zero): PostgreSQL's
    // `#>` read -1 (from the end), 01, +1 and ' 1' as positions, and memory read an array's length.
    it(`paths: an array's length and steps such as -1 or 01 read nothing in an array, a member in an object (${name})`, async () => {
      const { sql, dialect } = engines.find((e) => e.name === name)!;
      const steps = ['length', '-1', '01', '+1', ' 1', '-0', '0', '1'];
      const defs = steps.flatMap((k, i) => [
        { id: `x${i}`, rule: { attr: `a.${k}`, op: 'exists' } },
        { id: `n${i}`, rule: { attr: `a.${k}.v`, op: 'gte', value: 1 } },
        { id: `t${i}`, rule: { attr: `a.${k}`, op: 'eq', value: 'm' } },
      ]);
      const member = Object.fromEntries(steps.map((k) => [k, 'm']));
      const nested = Object.fromEntries(steps.map((k) => [k, { v: 2 }]));
      await agrees(sql, dialect, defs, [[{ a: ['m', 'm', 'm'] }, []], [{ a: [{ v: 2 }, { v: 2 }] }, []], [{ a: member }, []], [{ a: nested }, []], [{ a: [] }, []]], NOW);
    });

    it(`empty groups, as rule builders save them: and [] holds, or [] does not (they were "()", a syntax error) (${name})`, async () => {
      const { sql, dialect } = engines.find((e) => e.name === name)!;
      const defs = [
        { id: 'all', rule: { and: [] } },
        { id: 'none', rule: { or: [] } },
        { id: 'not-none', rule: { not: { or: [] } } },
        { id: 'nested', rule: { or: [{ and: [{ or: [] }, { attr: 'a', op: 'exists' }] }, { and: [{ and: [] }, { attr: 'a', op: 'eq', value: 1 }] }] } },
      ];
      await agrees(sql, dialect, defs, [[{ a: 1 }, []], [{ a: 2 }, []], [{}, []]], NOW);
    });

    it(`at the edges: random data (${name})`, async () => {
      const { sql, dialect } = engines.find((e) => e.name === name)!;
      await fc.assert(
        fc.asyncProperty(edgeSegmentsArb, fc.array(fc.tuple(edgeProfileArb, edgeEventsArb), { minLength: 1, maxLength: 6 }), async (defs, population) => {
          await agrees(sql, dialect, defs, population, NOW);
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
