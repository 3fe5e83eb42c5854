/**
 * Insights: the KPI pass over 1M, 3M and 10M history records (people streamed one history at a time, so the
 * heap stays flat), against arquero — a general dataframe library for JavaScript — computing the same KPIs
 * (contacts, delivered, opens, clicks, conversions, opt-outs, orders, revenue, people reached, active people,
 * per channel × local week) on the same records in the same process. arquero gets its natural input,
 * columnar tables built before timing (with the week already computed); crosschannel reads the histories as
 * stores return them. Results are checked equal before timing. Then the BG/NBD fit on 100,000 customers.
 * Sizes: INSIGHTS_BENCH_SIZES=1e6,3e6,1e7; arquero runs up to INSIGHTS_BENCH_PEER_MAX records (default 3M:
 * its tables for 10M records need several GB).
 * Then the same KPIs (channel × week, Europe/Paris) and weekly cohorts as SQL on DuckDB (@duckdb/node-api) and
 * PostgreSQL (PGlite), against the in-memory accumulators on the same records in the same process, results checked
 * equal first: INSIGHTS_SQL_SIZES=1e4,1e5,1e6. INSIGHTS_BENCH_SECTIONS=kpi,sql,bgnbd picks sections.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { PGlite } from '@electric-sql/pglite';
import * as aq from 'arquero';
import { fromDuckDB } from '../src/adapters/duckdb/index.js';
import { fromPglite } from '../src/adapters/postgres/sql.js';
import type { SqlQueryable } from '../src/core/sql.js';
import { createRng } from '../src/core/random.js';
import { accumulateKpis, type SubjectHistory } from '../src/insights/accumulate.js';
import { fitBgNbd } from '../src/insights/bgnbd.js';
import { CohortAccumulator, cohortReport } from '../src/insights/cohorts.js';
import { COUNTER, KPI_NAMES } from '../src/insights/kpis.js';
import { simulateBgNbd } from '../src/insights/simulate.js';
import { cohortStateFromSql, kpiStateFromSql, type InsightsSqlSourceInput } from '../src/insights/sql.js';
import { kpiTable } from '../src/insights/table.js';
import { syntheticHistories } from '../test/arbitraries/insights.js';
import { checkSame, timeJob } from './harness.js';

const SECTIONS = (process.env.INSIGHTS_BENCH_SECTIONS ?? 'kpi,sql,bgnbd').split(',');
const SQL_SIZES = (process.env.INSIGHTS_SQL_SIZES ?? '1e4,1e5,1e6').split(',').map(Number);
const SIZES = (process.env.INSIGHTS_BENCH_SIZES ?? '1e6,3e6,1e7').split(',').map(Number);
const PEER_MAX = Number(process.env.INSIGHTS_BENCH_PEER_MAX ?? 3e6);
const START = Date.parse('2026-01-05T00:00:00Z');
const WEEK = 7 * 86_400_000;
const OPTIONS = { by: ['channel', 'period'] as ('channel' | 'period')[], period: 'week' as const, timeZone: 'UTC' };

// A pool of 200,000 people (~2.3M records) cycled under fresh ids: 10M records never sit in memory at once.
const pool = [...syntheticHistories({ people: 200_000, seed: 1, start: START, weeks: 12 })];
const recordsOf = (h: SubjectHistory): number => h.contacts.length + h.responses.length + h.events.length;
let peakHeap = 0;
function* stream(records: number): Generator<SubjectHistory> {
  let n = 0;
  for (let i = 0; n < records; i++) {
    if ((i & 0x3fff) === 0) peakHeap = Math.max(peakHeap, process.memoryUsage().heapUsed);
    const h = pool[i % pool.length]!;
    n += recordsOf(h);
    yield i < pool.length ? h : { ...h, subjectId: `${h.subjectId}#${Math.floor(i / pool.length)}` };
  }
}

type Row = { ch: string; p: number; [k: string]: number | string };
const KEYS = ['contacts', 'delivered', 'opened', 'clicked', 'converted', 'unsubscribed', 'purchases', 'revenue', 'reached', 'people'] as const;

function ours(records: number): Row[] {
  const acc = accumulateKpis(stream(records), OPTIONS);
  return acc
    .entries()
    .map((e) => ({
      ch: e.key.channel!,
      p: e.key.period!,
      contacts: e.counters[COUNTER.contacts]!,
      delivered: e.counters[COUNTER.delivered]!,
      opened: e.counters[COUNTER.opened]!,
      clicked: e.counters[COUNTER.clicked]!,
      converted: e.counters[COUNTER.converted]!,
      unsubscribed: e.counters[COUNTER.unsubscribed]!,
      purchases: e.counters[COUNTER.purchases]!,
      revenue: e.counters[COUNTER.revenue]!,
      reached: e.counters[COUNTER.reached]!,
      people: e.counters[COUNTER.people]!,
    }))
    .sort(byKey);
}
const byKey = (a: Row, b: Row): number => (a.ch < b.ch ? -1 : a.ch > b.ch ? 1 : Number(a.p) - Number(b.p));

/** Columnar tables for arquero (built outside the timing). */
function tables(records: number): { contacts: aq.ColumnTable; responses: aq.ColumnTable; events: aq.ColumnTable } {
  const c = { s: [] as string[], ch: [] as string[], p: [] as number[], delivered: [] as number[] };
  const r = { s: [] as string[], ch: [] as string[], p: [] as number[], kind: [] as string[] };
  const e = { s: [] as string[], ch: [] as string[], p: [] as number[], type: [] as string[], amount: [] as number[] };
  const week = (at: number): number => START + Math.floor((at - START) / WEEK) * WEEK; // START is a Monday, zone UTC
  for (const h of stream(records)) {
    for (const x of h.contacts) {
      c.s.push(h.subjectId);
      c.ch.push(x.channel);
      c.p.push(week(x.at));
      c.delivered.push(x.tags.includes('bounced') ? 0 : 1);
    }
    for (const x of h.responses) {
      r.s.push(h.subjectId);
      r.ch.push(x.channel);
      r.p.push(week(x.at));
      r.kind.push(x.kind);
    }
    for (const x of h.events) {
      e.s.push(h.subjectId);
      e.ch.push(x.channel ?? '(none)');
      e.p.push(week(x.at));
      e.type.push(x.type);
      e.amount.push(typeof x.properties.amount === 'number' ? x.properties.amount : 0);
    }
  }
  return { contacts: aq.table(c), responses: aq.table(r), events: aq.table(e) };
}

function peer(t: ReturnType<typeof tables>): Row[] {
  const op = aq.op;
  const c = t.contacts.groupby('ch', 'p').rollup({ contacts: op.count(), delivered: op.sum('delivered'), reached: op.distinct('s') });
  const r = t.responses.groupby('ch', 'p').rollup({
    opened: (d: { kind: string }) => op.sum(d.kind === 'opened' ? 1 : 0),
    clicked: (d: { kind: string }) => op.sum(d.kind === 'clicked' ? 1 : 0),
    converted: (d: { kind: string }) => op.sum(d.kind === 'converted' ? 1 : 0),
    unsubscribed: (d: { kind: string }) => op.sum(d.kind === 'unsubscribed' ? 1 : 0),
  });
  const e = t.events.groupby('ch', 'p').rollup({
    purchases: (d: { type: string }) => op.sum(d.type === 'purchase' ? 1 : 0),
    revenue: (d: { type: string; amount: number }) => op.sum(d.type === 'purchase' ? d.amount : 0),
  });
  const active = t.responses.select('s', 'ch', 'p').concat(t.events.select('s', 'ch', 'p')).groupby('ch', 'p').rollup({ people: op.distinct('s') });
  const joined = c
    .join_full(r, [['ch', 'p'], ['ch', 'p']])
    .join_full(e, [['ch', 'p'], ['ch', 'p']])
    .join_full(active, [['ch', 'p'], ['ch', 'p']])
    .objects() as Row[];
  return joined
    .map((row) => {
      const out: Row = { ch: String(row.ch), p: Number(row.p) };
      for (const k of KEYS) out[k] = Number(row[k] ?? 0);
      return out;
    })
    .sort(byKey);
}

const mb = (): number => process.memoryUsage().heapUsed / 1048576;
if (SECTIONS.includes('kpi')) {
  console.log(`\n## KPIs per channel × week (${pool.length.toLocaleString('en-US')}-person pool, ${(pool.reduce((s, h) => s + recordsOf(h), 0) / pool.length).toFixed(1)} records per person)`);
  console.log('records      crosschannel   records/s   CPU ms   peak heap Δ | arquero      records/s    arquero tables   ratio');
  for (const n of SIZES) {
    (globalThis as { gc?: () => void }).gc?.();
    const heapBefore = process.memoryUsage().heapUsed;
    peakHeap = heapBefore;
    const cpu0 = process.cpuUsage();
    const runs = n >= 1e7 ? 1 : 3;
    const mine = await timeJob(() => ours(n), runs);
    const cpu = process.cpuUsage(cpu0);
    const cpuMs = (cpu.user + cpu.system) / 1000 / runs;
    const peakDeltaMB = (peakHeap - heapBefore) / 1048576;
    let peerCol = '—'.padEnd(42);
    let ratio = '—';
    if (n <= PEER_MAX) {
      const h0 = mb();
      const t = tables(n);
      const tablesMB = mb() - h0;
      const theirs = await timeJob(() => peer(t), 3);
      checkSame(`KPIs over ${n} records`, mine.result, theirs.result);
      peerCol = `${theirs.medianMs.toFixed(0).padStart(7)} ms  ${((n / theirs.medianMs) * 1000).toExponential(2).padStart(10)}   ${tablesMB.toFixed(0).padStart(8)} MB      `;
      ratio = `${(theirs.medianMs / mine.medianMs).toFixed(2)}×`;
    }
    console.log(
      `${n.toExponential(0).padEnd(10)} ${mine.medianMs.toFixed(0).padStart(9)} ms  ${((n / mine.medianMs) * 1000).toExponential(2).padStart(10)} ${cpuMs.toFixed(0).padStart(7)}  ${peakDeltaMB.toFixed(0).padStart(8)} MB  | ${peerCol} ${ratio}`,
    );
  }
  console.log('(ratio = arquero time ÷ crosschannel time on the same records; CPU ms = process CPU time per run, which a loaded machine inflates less than wall time; peak heap Δ = highest heap sampled during the pass − heap before it: the groups kept plus garbage not yet collected, independent of the number of records)');
}

if (SECTIONS.includes('sql')) await sqlSection();

if (SECTIONS.includes('bgnbd')) {
  console.log('\n## BG/NBD fit (maximum likelihood), CDNOW-shaped simulated customers');
  for (const n of [10_000, 100_000]) {
    const rng = createRng(n);
    const customers = simulateBgNbd({ r: 0.243, alpha: 4.414, a: 0.793, b: 2.426 }, Array.from({ length: n }, () => 39 - Math.floor(rng.next() * 84) / 7), rng);
    const t = await timeJob(() => fitBgNbd(customers), 3);
    const f = t.result;
    console.log(`${n.toLocaleString('en-US').padStart(8)} customers: ${t.medianMs.toFixed(0)} ms (r=${f.r.toFixed(3)} α=${f.alpha.toFixed(3)} a=${f.a.toFixed(3)} b=${f.b.toFixed(3)}, ${f.evaluations} evaluations)`);
  }
}

/**
 * The KPI and cohort SQL on DuckDB and PGlite against the in-memory accumulators, on the first records of the pool
 * (Europe/Paris, channel × week). Tables are loaded from tab-separated files (outside the timing); each side's
 * answer is checked equal to memory's before timing. Memory: for memory the highest JS heap sampled during the
 * pass − heap before; for DuckDB the highest process RSS sampled every 10 ms during the query − RSS before; for
 * PGlite the growth of RSS over the first run (its WebAssembly memory grows and never shrinks).
 */
async function sqlSection(): Promise<void> {
  const options = { by: ['channel', 'period'] as ('channel' | 'period')[], period: 'week' as const, timeZone: 'Europe/Paris' };
  const cohort = { period: 'week' as const, timeZone: 'Europe/Paris' };
  const now = START + 13 * WEEK;
  const rss = (): number => process.memoryUsage().rss;
  /** Median time of `fn` and the highest RSS above the start sampled during its first run (MB). */
  const measure = async <T>(fn: () => Promise<T>, runs: number): Promise<{ ms: number; mb: number; result: T }> => {
    (globalThis as { gc?: () => void }).gc?.();
    const r0 = rss();
    let peak = r0;
    const timer = setInterval(() => (peak = Math.max(peak, rss())), 10);
    const first = await fn();
    peak = Math.max(peak, rss());
    clearInterval(timer);
    const t = await timeJob(fn, runs);
    return { ms: t.medianMs, mb: (peak - r0) / 1048576, result: first };
  };
  console.log('\n## KPIs (channel × week, Europe/Paris) and weekly cohorts in SQL, against the in-memory accumulators on the same records');
  console.log('records   | KPIs: memory   DuckDB   PGlite  | cohorts: memory   DuckDB   PGlite  | memory heap Δ  DuckDB RSS Δ  PGlite RSS Δ | load DuckDB  PGlite');
  for (const n of SQL_SIZES) {
    const people = [...stream(n)];
    const runs = n >= 1e6 ? 1 : 3;
    // Memory: the accumulators over the histories as stores return them.
    let heapPeak = 0;
    const sampled = function* (): Generator<SubjectHistory> {
      for (let i = 0; i < people.length; i++) {
        if ((i & 0x3fff) === 0) heapPeak = Math.max(heapPeak, process.memoryUsage().heapUsed);
        yield people[i]!;
      }
    };
    (globalThis as { gc?: () => void }).gc?.();
    const h0 = process.memoryUsage().heapUsed;
    heapPeak = h0;
    const memKpi = await timeJob(() => accumulateKpis(sampled(), options).toJSON(), runs);
    const memCohort = await timeJob(() => {
      const c = new CohortAccumulator(cohort);
      for (const h of sampled()) c.add(h);
      return c.toJSON();
    }, runs);
    const heapMB = (heapPeak - h0) / 1048576;
    const wantKpi = kpiTable(memKpi.result, [...KPI_NAMES]);
    const wantCohort = cohortReport(memCohort.result, now);
    // The tables, as tab-separated text both engines load.
    const dir = mkdtempSync(join(tmpdir(), 'cc-insights-bench-'));
    const nul = (v: string | number | undefined): string | number => v ?? '\\N';
    const ev: string[] = [];
    const co: string[] = [];
    const re: string[] = [];
    let seq = 0;
    for (const p of people) {
      for (const x of p.events) ev.push([p.subjectId, x.type, x.at, nul(x.channel), JSON.stringify(x.properties), seq++].join('\t'));
      for (const c of p.contacts) co.push([c.id, p.subjectId, c.channel, nul(c.campaignId), nul(c.offerId), `{${c.tags.join(',')}}`, c.transactional, c.at].join('\t'));
      for (const r of p.responses) re.push([r.id, p.subjectId, r.kind, r.channel, nul(r.campaignId), nul(r.offerId), nul(r.value), r.at].join('\t'));
    }
    const text = { events: ev.join('\n') + '\n', contacts: co.join('\n') + '\n', responses: re.join('\n') + '\n' };
    for (const [t, v] of Object.entries(text)) writeFileSync(join(dir, `${t}.tsv`), v);
    const columns = {
      events: { subject_id: 'VARCHAR', type: 'VARCHAR', at: 'BIGINT', channel: 'VARCHAR', properties: 'JSON', seq: 'BIGINT' },
      contacts: { id: 'VARCHAR', subject_id: 'VARCHAR', channel: 'VARCHAR', campaign_id: 'VARCHAR', offer_id: 'VARCHAR', tags: 'VARCHAR[]', transactional: 'BOOLEAN', at: 'BIGINT' },
      responses: { id: 'VARCHAR', subject_id: 'VARCHAR', kind: 'VARCHAR', channel: 'VARCHAR', campaign_id: 'VARCHAR', offer_id: 'VARCHAR', value: 'DOUBLE', at: 'BIGINT' },
    } as const;
    const ddl = (t: keyof typeof columns, pg: boolean): string =>
      `CREATE TABLE ${t} (${Object.entries(columns[t]).map(([c, ty]) => `"${c}" ${pg ? ({ VARCHAR: 'text', 'VARCHAR[]': 'text[]', JSON: 'jsonb', DOUBLE: 'float8' } as Record<string, string>)[ty] ?? ty : ty}`).join(', ')})`;
    const run = async (sql: SqlQueryable, source: InsightsSqlSourceInput, label: string) => {
      const kpi = await measure(() => kpiStateFromSql(sql, options, source), runs);
      checkSame(`${label} KPIs over ${n} records`, kpiTable(kpi.result, [...KPI_NAMES]), wantKpi);
      const coh = await measure(() => cohortStateFromSql(sql, cohort, source), runs);
      checkSame(`${label} cohorts over ${n} records`, cohortReport(coh.result, now), wantCohort);
      return { kpi, coh };
    };
    // DuckDB.
    const instance = await DuckDBInstance.create(':memory:');
    const connection = await instance.connect();
    const duck = fromDuckDB(connection);
    let t0 = performance.now();
    for (const t of Object.keys(columns) as Array<keyof typeof columns>) {
      await duck.query(ddl(t, false));
      // Tags are written as PostgreSQL array text ({a,b}); DuckDB reads them as text and splits them.
      const cols = `{${Object.entries(columns[t]).map(([c, ty]) => `'${c}': '${ty === 'VARCHAR[]' ? 'VARCHAR' : ty}'`).join(', ')}}`;
      await duck.query(`INSERT INTO ${t} SELECT * ${t === 'contacts' ? "REPLACE (string_split(trim(tags, '{}'), ',') AS tags)" : ''} FROM read_csv('${join(dir, `${t}.tsv`)}', delim = '\t', header = false, quote = '', escape = '', nullstr = '\\N', auto_detect = false, columns = ${cols})`);
    }
    const duckLoad = performance.now() - t0;
    const d = await run(duck, { dialect: 'duckdb', events: 'events' }, 'DuckDB');
    connection.closeSync();
    instance.closeSync();
    // PGlite.
    const db = new PGlite();
    await db.waitReady;
    t0 = performance.now();
    for (const t of Object.keys(columns) as Array<keyof typeof columns>) {
      await db.query(ddl(t, true));
      await db.query(`COPY ${t} FROM '/dev/blob'`, [], { blob: new Blob([text[t]]) });
    }
    const pgLoad = performance.now() - t0;
    const g = await run(fromPglite(db), { events: 'events' }, 'PGlite');
    await db.close();
    rmSync(dir, { recursive: true, force: true });
    const f = (ms: number): string => (ms >= 10_000 ? `${(ms / 1000).toFixed(1)} s` : `${ms.toFixed(0)} ms`).padStart(8);
    const m = (mb: number): string => `${mb.toFixed(0)} MB`.padStart(12);
    console.log(
      `${n.toExponential(0).padEnd(9)} |       ${f(memKpi.medianMs)} ${f(d.kpi.ms)} ${f(g.kpi.ms)} |          ${f(memCohort.medianMs)} ${f(d.coh.ms)} ${f(g.coh.ms)} | ${m(heapMB)} ${m(Math.max(d.kpi.mb, d.coh.mb))} ${m(Math.max(g.kpi.mb, g.coh.mb))}  | ${f(duckLoad)} ${f(pgLoad)}`,
    );
  }
  console.log('(median of 3 runs, 1 at 1e6 records; KPIs = kpiStateFromSql (counters, pressure, channels) or accumulateKpis(…).toJSON(); cohorts = cohortStateFromSql or CohortAccumulator; both sides checked equal first)');
}
