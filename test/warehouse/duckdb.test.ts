/**
 * The warehouse SQL of three modules on DuckDB: attribution's statistics (written for PostgreSQL) unchanged,
 * and segments and identity components read straight from Parquet and CSV folders written by DuckDB's COPY.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildJourneys, collectStatistics, computeAttribution, statisticsFromSql } from '../../src/attribution/index.js';
import { createRng } from '../../src/core/random.js';
import type { SqlClient } from '../../src/core/sql.js';
import { identityComponentsFromSql } from '../../src/identity/sql.js';
import { compileSegments } from '../../src/segments/compile.js';
import { segmentsFromSql } from '../../src/segments/sql.js';
import { isCrossChannelError } from '../../src/core/errors.js';
import { createDuckDB } from '../fixtures/duckdb.js';

const DAY = 86_400_000;
const NOW = Date.UTC(2026, 2, 1);
const CHANNELS = ['direct', 'display', 'email', 'search', 'social', "o'brien"];
const q = (s: string): string => `'${s.replace(/'/g, "''")}'`;

describe('DuckDB runs the warehouse SQL', () => {
  let duck: Awaited<ReturnType<typeof createDuckDB>>;
  let sql: SqlClient;
  let dir: string;
  beforeAll(async () => {
    duck = await createDuckDB();
    sql = duck.sql;
    dir = mkdtempSync(join(tmpdir(), 'cc-duck-'));
  });
  afterAll(async () => {
    await duck?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('runs the queries sent at once on one connection one after the other, in the order sent (two at once crashed the process)', async () => {
    const { sql: one, close } = await createDuckDB();
    try {
      const sent = [one.query('CREATE TABLE q (i INTEGER)'), ...Array.from({ length: 40 }, (_, i) => one.query(`INSERT INTO q VALUES (${i})`)), one.query<{ n: number; s: number }>('SELECT count(*) AS n, sum(i) AS s FROM q')];
      const bad = one.query('SELECT * FROM no_such_table');
      const after = one.query<{ n: number }>('SELECT count(*) AS n FROM q');
      const answers = await Promise.all(sent);
      expect(answers.at(-1)!.rows).toEqual([{ n: 40, s: 780 }]);
      await expect(bad).rejects.toMatchObject({ code: 'STORE_ERROR' });
      expect((await after).rows).toEqual([{ n: 40 }]);
    } finally {
      await close();
    }
  });

  it("attribution's PostgreSQL statistics SQL gives the in-memory result on DuckDB (timestamptz columns)", async () => {
    const rng = createRng(11);
    const touches: Array<{ subjectId: string; channel: string; at: number }> = [];
    const conversions: Array<{ subjectId: string; at: number; value: number }> = [];
    for (let s = 0; s < 300; s++) {
      let at = Date.UTC(2026, 0, 1) + rng.int(10) * DAY;
      for (let i = 0, n = 1 + rng.int(8); i < n; i++) {
        at += 1 + rng.int(12 * DAY);
        if (rng.next() < 0.25) conversions.push({ subjectId: `p${s}`, at, value: Math.round(rng.next() * 20000) / 100 });
        else touches.push({ subjectId: `p${s}`, channel: CHANNELS[rng.int(CHANNELS.length)]!, at });
      }
    }
    await sql.query('CREATE TABLE touchpoints (subject_id text, channel text, "at" timestamptz)');
    await sql.query('CREATE TABLE conversions (subject_id text, "at" timestamptz, value double)');
    await sql.query(`INSERT INTO touchpoints VALUES ${touches.map((t) => `(${q(t.subjectId)}, ${q(t.channel)}, make_timestamp(${t.at * 1000})::timestamptz)`).join(', ')}`);
    await sql.query(`INSERT INTO conversions VALUES ${conversions.map((c) => `(${q(c.subjectId)}, make_timestamp(${c.at * 1000})::timestamptz, ${c.value})`).join(', ')}`);
    const models = ['last_touch', 'linear', 'time_decay', { model: 'position_based', first: 0.3, last: 0.5 }, 'markov', 'shapley'] as const;
    const memory = computeAttribution(collectStatistics(buildJourneys(touches, conversions, { lookback: '20d' }), { models: [...models] }));
    const fromDuck = computeAttribution(await statisticsFromSql(sql, { models: [...models] }, { lookback: '20d' }));
    expect(fromDuck.channels).toEqual(memory.channels);
    expect(fromDuck.totals.conversions).toBe(memory.totals.conversions);
    fromDuck.models.forEach((m, i) =>
      m.channels.forEach((c, k) => {
        expect(c.conversions, `${m.model} ${c.channel}`).toBeCloseTo(memory.models[i]!.channels[k]!.conversions, 8);
        expect(c.value, `${m.model} ${c.channel}`).toBeCloseTo(memory.models[i]!.channels[k]!.value, 6);
      }),
    );
  });

  it('segments and identity components over Parquet and CSV folders equal the in-memory results', async () => {
    const rng = createRng(5);
    const profiles = Array.from({ length: 200 }, (_, i) => ({ id: `p${i}`, attrs: { country: ['FR', 'DE', 'US'][rng.int(3)]!, plan: rng.next() < 0.3 ? 'pro' : 'free', score: rng.int(100) } }));
    const events = profiles.flatMap((p) =>
      Array.from({ length: rng.int(6) }, () => ({ subjectId: p.id, type: ['view', 'cart', 'purchase'][rng.int(3)]!, channel: 'web', at: NOW - rng.int(40) * DAY, properties: { amount: rng.int(120) } })),
    );
    events.sort((a, b) => a.at - b.at);
    await sql.query('CREATE TABLE p (subject_id text, attributes JSON)');
    await sql.query('CREATE TABLE e (subject_id text, type text, channel text, "at" bigint, properties JSON)');
    await sql.query(`INSERT INTO p VALUES ${profiles.map((p) => `(${q(p.id)}, ${q(JSON.stringify(p.attrs))})`).join(', ')}`);
    await sql.query(`INSERT INTO e VALUES ${events.map((e) => `(${q(e.subjectId)}, ${q(e.type)}, 'web', ${e.at}, ${q(JSON.stringify(e.properties))})`).join(', ')}`);
    // Two Parquet files per relation (a folder), and the events as CSV too.
    await sql.query(`COPY (SELECT * FROM p WHERE subject_id < 'p5') TO ${q(join(dir, 'profiles-1.parquet'))} (FORMAT parquet)`);
    await sql.query(`COPY (SELECT * FROM p WHERE subject_id >= 'p5') TO ${q(join(dir, 'profiles-2.parquet'))} (FORMAT parquet)`);
    await sql.query(`COPY (SELECT * FROM e) TO ${q(join(dir, 'events.parquet'))} (FORMAT parquet)`);
    await sql.query(`COPY (SELECT * FROM e) TO ${q(join(dir, 'events.csv'))} (FORMAT csv, HEADER)`);
    const segments = compileSegments([
      { id: 'fr-pro', rule: { and: [{ attr: 'country', op: 'eq', value: 'FR' }, { attr: 'plan', op: 'eq', value: 'pro' }] } },
      { id: 'buyers-30d', rule: { count: { type: 'purchase' }, window: { last: '30d' }, op: 'gte', value: 1 } },
      { id: 'big-spenders', rule: { aggregate: 'sum', property: 'amount', event: { type: 'purchase' }, op: 'gte', value: 150 } },
      { id: 'abandoned', rule: { did: { type: 'cart' }, notSince: { type: 'purchase' }, window: { last: '14d' } } },
    ]);
    const want: Record<string, string[]> = Object.fromEntries(segments.ids.map((id) => [id, [] as string[]]));
    for (const p of profiles) {
      for (const id of segments.evaluate(p.attrs, events.filter((e) => e.subjectId === p.id), NOW)) want[id]!.push(p.id);
    }
    for (const id of segments.ids) want[id]!.sort();
    const profilesFrom = { from: `read_parquet(${q(join(dir, 'profiles-*.parquet'))})` };
    const fromParquet = await segmentsFromSql(sql, segments, NOW, { dialect: 'duckdb', profiles: profilesFrom, events: { from: `read_parquet(${q(join(dir, 'events.parquet'))})` } });
    expect({ ...fromParquet.members }).toEqual(want);
    const fromCsv = await segmentsFromSql(sql, segments, NOW, {
      dialect: 'duckdb',
      profiles: profilesFrom,
      events: { from: `read_csv(${q(join(dir, 'events.csv'))}, header = true, columns = {'subject_id': 'VARCHAR', 'type': 'VARCHAR', 'channel': 'VARCHAR', 'at': 'BIGINT', 'properties': 'JSON'})` },
    });
    expect({ ...fromCsv.members }).toEqual(want);
    expect(segments.ids.every((id) => want[id]!.length > 0)).toBe(true);

    // Identity links as Parquet: each profile linked to an email, some emails shared by two profiles.
    await sql.query(`COPY (SELECT subject_id AS a, 'mail' || (hash(subject_id) % 150)::text AS b FROM p) TO ${q(join(dir, 'links.parquet'))} (FORMAT parquet)`);
    const r = await identityComponentsFromSql(sql, NOW, { links: { from: `read_parquet(${q(join(dir, 'links.parquet'))})` } });
    const { rows } = await sql.query<{ a: string; b: string }>(`SELECT a, b FROM read_parquet(${q(join(dir, 'links.parquet'))})`);
    for (const l of rows) expect(r.componentOf.get(l.a)).toBe(r.componentOf.get(l.b));
    expect(r.components).toBe(new Set(rows.map((l) => l.b)).size);
  });

  it('reads array elements by position in attribute paths, as memory and PostgreSQL do (orders.0.total matched nothing)', async () => {
    await sql.query('CREATE TABLE paths_p (subject_id text, attributes JSON)');
    const people = [
      { id: 'arr', attrs: { orders: [{ total: 20 }], 'a/b': { 'c~d': 5 } } },
      { id: 'obj', attrs: { orders: { '0': { total: 30 } } } },
      { id: 'low', attrs: { orders: [{ total: 5 }, { total: 50 }] } },
    ];
    await sql.query(`INSERT INTO paths_p VALUES ${people.map((p) => `(${q(p.id)}, ${q(JSON.stringify(p.attrs))})`).join(', ')}`);
    const segments = compileSegments([
      { id: 'first-order-10', rule: { attr: 'orders.0.total', op: 'gte', value: 10 } },
      { id: 'second-order', rule: { attr: 'orders.1.total', op: 'exists' } },
      { id: 'odd-keys', rule: { attr: 'a/b.c~d', op: 'eq', value: 5 } },
    ]);
    const want: Record<string, string[]> = Object.fromEntries(segments.ids.map((id) => [id, people.filter((p) => segments.evaluate(p.attrs, [], NOW).includes(id)).map((p) => p.id).sort()]));
    expect(want).toEqual({ 'first-order-10': ['arr', 'obj'], 'second-order': ['low'], 'odd-keys': ['arr'] });
    const got = await segmentsFromSql(sql, segments, NOW, { dialect: 'duckdb', profiles: { from: 'paths_p' } });
    expect({ ...got.members }).toEqual(want);
  });

  it('a missing column or a wrong type is a typed error naming it', async () => {
    await sql.query('CREATE TABLE bad_events (subject_id text, type text, channel text, "at" text, props JSON)');
    await sql.query(`INSERT INTO bad_events VALUES ('p1', 'view', 'web', 'yesterday', '{}')`);
    const segments = compileSegments([{ id: 'x', rule: { count: { type: 'view' }, op: 'gte', value: 1 } }]);
    await expect(segmentsFromSql(sql, segments, NOW, { dialect: 'duckdb', profiles: 'p', events: 'bad_events' })).rejects.toSatisfy(
      (e) => isCrossChannelError(e, 'STORE_ERROR') && (e.detail as { column?: string }).column === 'properties',
    );
    await expect(segmentsFromSql(sql, segments, NOW, { dialect: 'duckdb', profiles: 'p', events: 'bad_events', properties: 'props' })).rejects.toSatisfy(
      (e) => isCrossChannelError(e, 'STORE_ERROR') && /yesterday/.test(e.message),
    );
  });
});
