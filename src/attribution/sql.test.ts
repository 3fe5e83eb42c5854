import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pgEngines } from '../../test/fixtures/pglite.js';
import { createDuckDB } from '../../test/fixtures/duckdb.js';
import type { SqlClient } from '../adapters/postgres/sql.js';
import { attributionSql, buildJourneys, collectStatistics, computeAttribution, statisticsFromSql, type AttributionComparison } from './index.js';
import { isCrossChannelError } from '../core/errors.js';
import { createRng } from '../core/random.js';

const DAY = 86_400_000;
const CHANNELS = ['direct', 'display', 'email', 'search', 'social', "o'brien"];
const MODELS = [
  'last_touch',
  'last_non_direct',
  'first_touch',
  'linear',
  'time_decay',
  { model: 'position_based', first: 0.3, last: 0.5 },
  // 1 − first − last is a whole number here (1, then 0): the middle share must still divide as a fraction.
  { model: 'position_based', name: 'position_middle', first: 0, last: 0 },
  { model: 'position_based', name: 'position_ends', first: 0.5, last: 0.5 },
  'markov',
  { model: 'markov', name: 'markov_3', order: 3 },
  'shapley',
] as const;

/** Synthetic rows with distinct timestamps per subject (SQL breaks ties by channel, memory by input order). */
function synthetic(seed: number, subjects: number): { touches: Array<{ subjectId: string; channel: string; at: number }>; conversions: Array<{ subjectId: string; at: number; value: number }> } {
  const rng = createRng(seed);
  const touches: Array<{ subjectId: string; channel: string; at: number }> = [];
  const conversions: Array<{ subjectId: string; at: number; value: number }> = [];
  for (let s = 0; s < subjects; s++) {
    const subjectId = `p${s}`;
    let at = Date.UTC(2026, 0, 1) + rng.int(10) * DAY;
    const n = 1 + rng.int(8);
    for (let i = 0; i < n; i++) {
      at += 1 + rng.int(12 * DAY);
      if (rng.next() < 0.25) conversions.push({ subjectId, at, value: Math.round(rng.next() * 20000) / 100 });
      else touches.push({ subjectId, channel: CHANNELS[rng.int(CHANNELS.length)]!, at });
    }
  }
  return { touches, conversions };
}

function expectClose(a: AttributionComparison, b: AttributionComparison): void {
  expect(a.channels).toEqual(b.channels);
  expect(a.totals.journeys).toBe(b.totals.journeys);
  expect(a.totals.conversions).toBe(b.totals.conversions);
  expect(a.totals.value).toBeCloseTo(b.totals.value, 6);
  expect(a.unattributed.conversions).toBe(b.unattributed.conversions);
  expect(a.unattributed.value).toBeCloseTo(b.unattributed.value, 6);
  a.models.forEach((m, i) => {
    const other = b.models[i]!;
    expect(m.model).toBe(other.model);
    m.channels.forEach((c, k) => {
      expect(c.channel).toBe(other.channels[k]!.channel);
      expect(c.conversions, `${m.model} ${c.channel}`).toBeCloseTo(other.channels[k]!.conversions, 8);
      expect(c.value, `${m.model} ${c.channel} value`).toBeCloseTo(other.channels[k]!.value, 6);
    });
  });
}

/**
 * Ties ordered by a numeric sequence column, the guide's advice for ties: compared as text, 10 sorted before 9, so
 * the touches of one instant came out of input order and the first of two simultaneous conversions took the value of
 * the second.
 */
async function numericTies(sql: SqlClient): Promise<void> {
  const at = Date.UTC(2026, 5, 1);
  const touches = [
    { subjectId: 'q', channel: 'email', at, seq: 9 },
    { subjectId: 'q', channel: 'search', at, seq: 10 },
  ];
  const conversions = [
    { subjectId: 'q', at: at + DAY, value: 1, seq: 99 },
    { subjectId: 'q', at: at + DAY, value: 5, seq: 100 },
  ];
  const iso = (ms: number): string => `'${new Date(ms).toISOString()}'::timestamptz`;
  await sql.query('CREATE TABLE tie_t (subject_id text, channel text, "at" timestamptz, seq bigint)');
  await sql.query('CREATE TABLE tie_c (subject_id text, "at" timestamptz, value float8, seq bigint)');
  await sql.query(`INSERT INTO tie_t VALUES ${touches.map((t) => `('q', '${t.channel}', ${iso(t.at)}, ${t.seq})`).join(', ')}`);
  await sql.query(`INSERT INTO tie_c VALUES ${conversions.map((c) => `('q', ${iso(c.at)}, ${c.value}, ${c.seq})`).join(', ')}`);
  const models = ['last_touch', 'first_touch', 'markov'] as const;
  const memory = computeAttribution(collectStatistics(buildJourneys(touches, conversions), { models: [...models] }));
  const fromSql = computeAttribution(await statisticsFromSql(sql, { models: [...models] }, { touchpoints: 'tie_t', conversions: 'tie_c', tieBreaker: 'seq' }));
  expect(memory.models[0]!.channels.map((c) => [c.channel, c.conversions, c.value])).toEqual([
    ['email', 0, 0],
    ['search', 1, 1],
  ]);
  expectClose(fromSql, memory);
}

/**
 * Rows with a NULL subject, channel or time (which memory refuses) are left out: a NULL channel was a channel named
 * "null" in the rule models and an INPUT_INVALID at `channels[1]` once Markov or Shapley read it back.
 */
async function nullRows(sql: SqlClient): Promise<void> {
  await sql.query('CREATE TABLE null_t (subject_id text, channel text, "at" timestamptz)');
  await sql.query('CREATE TABLE null_c (subject_id text, "at" timestamptz, value float8)');
  await sql.query(`INSERT INTO null_t VALUES ('a', 'email', '2026-01-01 00:00:00+00'), ('a', NULL, '2026-01-02 00:00:00+00'), ('b', 'web', NULL), (NULL, 'web', '2026-01-01 00:00:00+00'), ('b', 'sms', '2026-01-02 00:00:00+00')`);
  await sql.query(`INSERT INTO null_c VALUES ('a', '2026-01-03 00:00:00+00', 5), ('b', '2026-01-03 00:00:00+00', 2), ('b', NULL, 7), (NULL, '2026-01-03 00:00:00+00', 3)`);
  const models = ['linear', 'markov', 'shapley'] as const;
  const day = (d: number): number => Date.UTC(2026, 0, d);
  const memory = computeAttribution(
    collectStatistics(
      buildJourneys(
        [
          { subjectId: 'a', channel: 'email', at: day(1) },
          { subjectId: 'b', channel: 'sms', at: day(2) },
        ],
        [
          { subjectId: 'a', at: day(3), value: 5 },
          { subjectId: 'b', at: day(3), value: 2 },
        ],
      ),
      { models: [...models] },
    ),
  );
  const fromSql = computeAttribution(await statisticsFromSql(sql, { models: [...models] }, { touchpoints: 'null_t', conversions: 'null_c' }));
  expect(fromSql.channels).toEqual(['email', 'sms']);
  expectClose(fromSql, memory);
}

describe.each(pgEngines())('attribution SQL on PostgreSQL ($name) equals the in-memory statistics', (engine) => {
  let db: Awaited<ReturnType<typeof engine.open>> | undefined;
  let sql: SqlClient;
  const data = synthetic(7, 400);
  beforeAll(async () => {
    db = await engine.open();
    sql = db.sql;
    await sql.query('CREATE TABLE touchpoints (subject_id text NOT NULL, channel text NOT NULL, at timestamptz NOT NULL)');
    await sql.query('CREATE TABLE conversions (subject_id text NOT NULL, at timestamptz NOT NULL, value numeric)');
    await sql.query('CREATE TABLE touch_ms (person text, source text, ts bigint)');
    // One statement per table: unnest of parallel arrays.
    await sql.query('INSERT INTO touchpoints SELECT * FROM unnest($1::text[], $2::text[], $3::timestamptz[])', [
      data.touches.map((t) => t.subjectId),
      data.touches.map((t) => t.channel),
      data.touches.map((t) => new Date(t.at).toISOString()),
    ]);
    await sql.query('INSERT INTO touch_ms SELECT * FROM unnest($1::text[], $2::text[], $3::bigint[])', [data.touches.map((t) => t.subjectId), data.touches.map((t) => t.channel), data.touches.map((t) => t.at)]);
    await sql.query('INSERT INTO conversions SELECT * FROM unnest($1::text[], $2::timestamptz[], $3::numeric[])', [
      data.conversions.map((c) => c.subjectId),
      data.conversions.map((c) => new Date(c.at).toISOString()),
      data.conversions.map((c) => c.value),
    ]);
  }, 60_000);
  afterAll(async () => db?.close());

  for (const collapseRepeats of [false, true]) {
    it(`every model, collapseRepeats=${collapseRepeats}, lookback 20 days`, async () => {
      const journeys = buildJourneys(data.touches, data.conversions, { lookback: '20d', collapseRepeats });
      const memory = computeAttribution(collectStatistics(journeys, { models: [...MODELS] }));
      const fromSql = computeAttribution(await statisticsFromSql(sql, { models: [...MODELS] }, { lookback: '20d', collapseRepeats }));
      expect(memory.unattributed.conversions).toBeGreaterThan(0);
      expect(memory.totals.conversions).toBeGreaterThan(20);
      expectClose(fromSql, memory);
    });
  }

  it('reads epoch-ms columns with custom names and no value column', async () => {
    await sql.query('CREATE TABLE conv_ms AS SELECT subject_id AS person, (extract(epoch from at) * 1000)::bigint AS ts FROM conversions');
    const journeys = buildJourneys(
      data.touches,
      data.conversions.map((c) => ({ subjectId: c.subjectId, at: c.at })),
    );
    const memory = computeAttribution(collectStatistics(journeys, { models: ['linear', 'markov', 'shapley'] }));
    const fromSql = computeAttribution(
      await statisticsFromSql(sql, { models: ['linear', 'markov', 'shapley'] }, { touchpoints: 'touch_ms', conversions: 'conv_ms', subjectId: 'person', channel: 'source', at: 'ts', timeType: 'epoch_ms', conversionValue: null }),
    );
    expectClose(fromSql, memory);
  });

  it('each statement run alone answers the rows of its part of the combined statement', async () => {
    const q = attributionSql({ models: [...MODELS] }, { lookback: '20d' });
    const rows = (await sql.query<Record<string, unknown>>(q.combined)).rows;
    const part = (name: string, k: number): Array<Record<string, unknown>> => rows.filter((r) => r.part === name && Number(r.k) === k);
    // Rows as sorted text, numbers rounded (the two plans may sum in a different order).
    const key = (values: unknown[]): string => values.map((v) => (typeof v === 'number' ? v.toFixed(6) : JSON.stringify(v))).join('|');
    const same = (alone: unknown[][], combined: unknown[][]): void => {
      expect(combined.map(key).sort()).toEqual(alone.map(key).sort());
      expect(alone.length).toBeGreaterThan(0);
    };
    const alone = async (s: string): Promise<Array<Record<string, unknown>>> => (await sql.query<Record<string, unknown>>(s)).rows;
    same(
      (await alone(q.totals)).map((r) => [r.journeys, r.converting, r.value, r.unattributed, r.unattributed_value]),
      part('totals', 0).map((r) => [r.x1, r.x2, r.x3, r.x4, r.x5]),
    );
    for (const [i, r] of q.rules.entries()) {
      same(
        (await alone(r.sql)).map((x) => [x.channel, x.conversions, x.value]),
        part('rule', i).map((x) => [x.channel, x.x1, x.x2]),
      );
    }
    expect(q.transitions.map((t) => t.order)).toEqual([1, 3]);
    for (const t of q.transitions) {
      same(
        (await alone(t.sql)).map((x) => [x.from_state, x.to_state, x.to_kind, x.n, x.value]),
        part('markov', t.order).map((x) => [x.a, x.b, x.kind, x.x1, x.x2]),
      );
    }
    same(
      (await alone(q.channelSets!)).map((x) => [x.channels, x.journeys, x.conversions, x.value]),
      part('sets', 0).map((x) => [x.a, x.x1, x.x2, x.x3]),
    );
    expect(rows.length).toBe(1 + q.rules.reduce((n, r, i) => n + part('rule', i).length, 0) + part('markov', 1).length + part('markov', 3).length + part('sets', 0).length);
  });

  it('orders ties by a numeric tieBreaker as numbers, as memory orders them by input order (9 before 10)', () => numericTies(sql));

  it('leaves out rows with a NULL subject, channel or time', () => nullRows(sql));

  it('rejects custom models and unsafe identifiers', () => {
    expect(() => attributionSql({ models: [{ model: 'custom', name: 'c', weight: () => 1 }] })).toThrow(/no SQL form/);
    try {
      attributionSql({}, { touchpoints: 'x; DROP TABLE y' });
      expect.unreachable();
    } catch (e) {
      expect(isCrossChannelError(e, 'CONFIG_INVALID')).toBe(true);
      expect((e as { path?: string }).path).toBe('touchpoints');
    }
  });
});

describe('attribution SQL on DuckDB equals the in-memory statistics', () => {
  let db: Awaited<ReturnType<typeof createDuckDB>> | undefined;
  const data = synthetic(11, 300);
  beforeAll(async () => {
    db = await createDuckDB();
    const lit = (x: string): string => `'${x.replace(/'/g, "''")}'`;
    const iso = (ms: number): string => `${lit(new Date(ms).toISOString())}::timestamptz`;
    await db.sql.query('CREATE TABLE touchpoints (subject_id text, channel text, "at" timestamptz)');
    await db.sql.query('CREATE TABLE conversions (subject_id text, "at" timestamptz, value double)');
    await db.sql.query(`INSERT INTO touchpoints VALUES ${data.touches.map((t) => `(${lit(t.subjectId)}, ${lit(t.channel)}, ${iso(t.at)})`).join(', ')}`);
    await db.sql.query(`INSERT INTO conversions VALUES ${data.conversions.map((c) => `(${lit(c.subjectId)}, ${iso(c.at)}, '${c.value}'::double)`).join(', ')}`);
  }, 60_000);
  afterAll(async () => db?.close());

  for (const collapseRepeats of [false, true]) {
    it(`every model, collapseRepeats=${collapseRepeats}, lookback 20 days`, async () => {
      const memory = computeAttribution(collectStatistics(buildJourneys(data.touches, data.conversions, { lookback: '20d', collapseRepeats }), { models: [...MODELS] }));
      const fromSql = computeAttribution(await statisticsFromSql(db!.sql, { models: [...MODELS] }, { lookback: '20d', collapseRepeats }));
      expect(memory.unattributed.conversions).toBeGreaterThan(0);
      expectClose(fromSql, memory);
    });
  }

  it('orders ties by a numeric tieBreaker as numbers (9 before 10)', () => numericTies(db!.sql));

  it('leaves out rows with a NULL subject, channel or time', () => nullRows(db!.sql));
});
