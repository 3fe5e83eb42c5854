/**
 * Batch work where the data is: segments and identity components computed by DuckDB straight from a folder of
 * Parquet files (written here by DuckDB itself), without loading the population into Node.
 * Run with `npx tsx examples/scale.ts`.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { fromDuckDB } from 'crosschannel/adapters/duckdb';
import { DAY } from 'crosschannel';
import { identityComponentsFromSql } from 'crosschannel/identity';
import { compileSegments, segmentsFromSql, segmentsSql } from 'crosschannel/segments';

const now = Date.UTC(2026, 5, 15, 12);
const dir = mkdtempSync(join(tmpdir(), 'crosschannel-scale-'));
const instance = await DuckDBInstance.create(':memory:');
const sql = fromDuckDB(await instance.connect());

// A warehouse export: 100,000 profiles, 1,000,000 events and 150,000 identifier links as Parquet files.
await sql.query(`COPY (SELECT 'p' || i AS subject_id, json_object('country', ['FR', 'DE', 'US'][i % 3 + 1], 'plan', CASE WHEN i % 5 = 0 THEN 'pro' ELSE 'free' END) AS attributes
  FROM range(100000) r(i)) TO '${dir}/profiles.parquet' (FORMAT parquet)`);
await sql.query(`COPY (SELECT 'p' || (i // 10) AS subject_id, ['page_view', 'cart_add', 'purchase'][(i * 7) % 3 + 1] AS type, 'web' AS channel,
  ${now} - ((i * 7919) % 60) * ${DAY} AS "at", json_object('amount', (i * 13) % 200) AS properties
  FROM range(1000000) r(i)) TO '${dir}/events.parquet' (FORMAT parquet)`);
await sql.query(`COPY (SELECT 'p' || i AS a, 'email-' || (i % 80000) AS b FROM range(100000) r(i)
  UNION ALL SELECT 'email-' || i, 'phone-' || (i % 30000) FROM range(50000) r(i)) TO '${dir}/links.parquet' (FORMAT parquet)`);

const segments = compileSegments([
  { id: 'fr-pro', rule: { and: [{ attr: 'country', op: 'eq', value: 'FR' }, { attr: 'plan', op: 'eq', value: 'pro' }] } },
  { id: 'buyers-7d', rule: { count: { type: 'purchase' }, window: { last: '7d' }, op: 'gte', value: 1 } },
  { id: 'cart-abandoners', rule: { did: { type: 'cart_add' }, notSince: { type: 'purchase' }, window: { last: '14d' } } },
  { id: 'big-spenders', rule: { aggregate: 'sum', property: 'amount', event: { type: 'purchase' }, window: { last: '30d' }, op: 'gte', value: 400 } },
]);
const source = {
  dialect: 'duckdb' as const,
  profiles: { from: `read_parquet('${dir}/profiles*.parquet')` },
  events: { from: `read_parquet('${dir}/events*.parquet')` },
};
console.log(`One query, ${segmentsSql(segments, now, source).length} characters of SQL.`);
let t0 = performance.now();
const members = await segmentsFromSql(sql, segments, now, source);
console.log(`Segments over 100,000 profiles × 10 events in ${(performance.now() - t0).toFixed(0)} ms:`, { ...members.counts });

t0 = performance.now();
const components = await identityComponentsFromSql(sql, now, { links: { from: `read_parquet('${dir}/links.parquet')` }, maxDegree: 50 });
console.log(`${components.componentOf.size.toLocaleString('en-US')} identifiers in ${components.components.toLocaleString('en-US')} people, ${components.rounds} rounds, ${(performance.now() - t0).toFixed(0)} ms`);

instance.closeSync();
rmSync(dir, { recursive: true, force: true });
