/**
 * Insights: the KPI pass over 1M, 3M and 10M history records (people streamed one history at a time, so the
 * heap stays flat), against arquero — a general dataframe library for JavaScript — computing the same KPIs
 * (contacts, delivered, opens, clicks, conversions, opt-outs, orders, revenue, people reached, active people,
 * per channel × local week) on the same records in the same process. arquero gets its natural input,
 * columnar tables built before timing (with the week already computed); crosschannel reads the histories as
 * stores return them. Results are checked equal before timing. Then the BG/NBD fit on 100,000 customers.
 * Sizes: INSIGHTS_BENCH_SIZES=1e6,3e6,1e7; arquero runs up to INSIGHTS_BENCH_PEER_MAX records (default 3M:
 * its tables for 10M records need several GB).
 */
import * as aq from 'arquero';
import { createRng } from '../src/core/random.js';
import { accumulateKpis, type SubjectHistory } from '../src/insights/accumulate.js';
import { fitBgNbd } from '../src/insights/bgnbd.js';
import { COUNTER } from '../src/insights/kpis.js';
import { simulateBgNbd } from '../src/insights/simulate.js';
import { syntheticHistories } from '../test/arbitraries/insights.js';
import { checkSame, timeJob } from './harness.js';

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

console.log('\n## BG/NBD fit (maximum likelihood), CDNOW-shaped simulated customers');
for (const n of [10_000, 100_000]) {
  const rng = createRng(n);
  const customers = simulateBgNbd({ r: 0.243, alpha: 4.414, a: 0.793, b: 2.426 }, Array.from({ length: n }, () => 39 - Math.floor(rng.next() * 84) / 7), rng);
  const t = await timeJob(() => fitBgNbd(customers), 3);
  const f = t.result;
  console.log(`${n.toLocaleString('en-US').padStart(8)} customers: ${t.medianMs.toFixed(0)} ms (r=${f.r.toFixed(3)} α=${f.alpha.toFixed(3)} a=${f.a.toFixed(3)} b=${f.b.toFixed(3)}, ${f.evaluations} evaluations)`);
}
