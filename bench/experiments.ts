/**
 * Experiments: (1) assignment against GrowthBook's JS SDK (`GrowthBookClient.runInlineExperiment`, its
 * multi-user server API) on the same ids and the same experiment — identical variants are checked on every id
 * first; (2) the analysis of N exposures with CUPED (per-unit columns → mergeable statistics → intervals)
 * against the same numbers computed with jStat's descriptive functions on per-arm arrays (means, variances,
 * covariance, Welch interval), checked equal first. Sizes: EXPERIMENTS_BENCH_UNITS (default 10,000,000);
 * (3) the distributions the analysis calls (normal, Student t, chi-square) against jStat's, which they replaced:
 * calls per second on the same arguments, and each side's largest relative error against the mpmath reference
 * values of test/fixtures/distributions.json.
 */
import { readFileSync } from 'node:fs';
import { GrowthBookClient } from '@growthbook/growthbook';
import jStat from 'jstat';
import { createRng } from '../src/core/random.js';
import { analyzeExperiment, assign, chiSquareSurvival, normalCdf, normalQuantile, parseExperiment, statsFromColumns, studentTCdf, studentTQuantile } from '../src/experiments/index.js';
import { compare, timeJob } from './harness.js';

const UNITS = Number(process.env.EXPERIMENTS_BENCH_UNITS ?? 10_000_000);
const IDS = 100_000;

// 1. assignment
const def = { id: 'subject-line', variants: [{ id: 'control', weight: 0.5 }, { id: 'emoji', weight: 0.3 }, { id: 'short', weight: 0.2 }], coverage: 0.9, hashVersion: 2 as const };
const exp = parseExperiment(def);
const gbExp = { key: def.id, variations: [0, 1, 2] as [number, number, number], weights: [0.5, 0.3, 0.2], coverage: 0.9, hashVersion: 2 };
const gb = new GrowthBookClient({});
gb.initSync({ payload: { features: {} } });
const rng = createRng(17);
const ids = Array.from({ length: IDS }, () => `person-${rng.int(1e9).toString(36)}-${rng.int(1e6)}`);
const ctx = { now: Date.parse('2026-05-01T09:00:00Z') };
let mismatches = 0;
for (const id of ids) {
  const ours = assign(exp, id, ctx);
  const theirs = gb.runInlineExperiment(gbExp, { attributes: { id } });
  if ((theirs.inExperiment ? theirs.variationId : -1) !== ours.variantIndex) mismatches++;
}
if (mismatches > 0) throw new Error(`${mismatches} ids got a different variant than GrowthBook`);
console.log(`identical variants on ${IDS.toLocaleString('en-US')} ids (crosschannel vs @growthbook/growthbook)`);

const BATCH = 1000;
let cursor = 0;
let sink = 0;
const rows = await compare(
  `assign: ${BATCH} ids per op, 3 variants, coverage 0.9, hash v2`,
  {
    name: 'crosschannel assign',
    fn: () => {
      for (let i = 0; i < BATCH; i++) sink += assign(exp, ids[(cursor + i) % IDS]!, ctx).variantIndex;
      cursor = (cursor + BATCH) % IDS;
    },
  },
  [
    {
      name: 'GrowthBook runInlineExperiment',
      fn: () => {
        for (let i = 0; i < BATCH; i++) sink += gb.runInlineExperiment(gbExp, { attributes: { id: ids[(cursor + i) % IDS]! } }).variationId;
        cursor = (cursor + BATCH) % IDS;
      },
    },
  ],
);
console.log(`assignments/s: crosschannel ${Math.round(rows[0]!.opsPerSec * BATCH).toLocaleString('en-US')}, GrowthBook ${Math.round(rows[1]!.opsPerSec * BATCH).toLocaleString('en-US')} (sink ${sink % 7})`);

// 2. analysis with CUPED
function columns(n: number) {
  const r = createRng(5);
  const variant = new Uint8Array(n);
  const y = new Float64Array(n);
  const x = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const v = r.int(2);
    const pre = Math.max(0, 20 + 15 * r.normal());
    variant[i] = v;
    x[i] = pre;
    y[i] = Math.max(0, 0.7 * pre + 10 * r.normal() + 6 + (v === 1 ? 0.3 : 0));
  }
  return { variant, y, x };
}

function jstatWelch(variant: Uint8Array, y: Float64Array, x: Float64Array) {
  // Per-arm arrays, then jStat's mean / variance / covariance, pooled θ, adjusted Welch interval.
  const arms = [0, 1].map((a) => {
    const ys: number[] = [];
    const xs: number[] = [];
    for (let i = 0; i < variant.length; i++) if (variant[i] === a) (ys.push(y[i]!), xs.push(x[i]!));
    return { n: ys.length, my: jStat.mean(ys), mx: jStat.mean(xs), vy: jStat.variance(ys, true), vx: jStat.variance(xs, true), c: jStat.covariance(ys, xs) };
  });
  const theta = (arms[0]!.c * (arms[0]!.n - 1) + arms[1]!.c * (arms[1]!.n - 1)) / (arms[0]!.vx * (arms[0]!.n - 1) + arms[1]!.vx * (arms[1]!.n - 1));
  const mx = (arms[0]!.mx * arms[0]!.n + arms[1]!.mx * arms[1]!.n) / (arms[0]!.n + arms[1]!.n);
  const adj = arms.map((a) => ({ n: a.n, m: a.my - theta * (a.mx - mx), v: a.vy - 2 * theta * a.c + theta * theta * a.vx }));
  const se = Math.sqrt(adj[0]!.v / adj[0]!.n + adj[1]!.v / adj[1]!.n);
  const d = adj[1]!.m - adj[0]!.m;
  const q = jStat.normal.inv(0.975, 0, 1);
  return { estimate: d, lower: d - q * se, upper: d + q * se };
}

console.log(`\n## analysis with CUPED (2 arms, one metric + covariate); median of 3 runs`);
console.log('units        crosschannel ms   jStat arrays ms   ratio   heap Δ MB (ours)');
for (const n of [1_000_000, 3_000_000, UNITS]) {
  const { variant, y, x } = columns(n);
  const ours = await timeJob(() => analyzeExperiment(statsFromColumns('e', ['control', 'treat'], ['revenue'], { variant, values: [y], covariates: [x] }), { metric: 'revenue' }));
  const peer = await timeJob(() => jstatWelch(variant, y, x));
  const c = ours.result.comparisons[0]!.difference;
  if (Math.abs(c.estimate - peer.result.estimate) > 1e-6 || Math.abs(c.lower - peer.result.lower) > 1e-3) {
    throw new Error(`analysis disagrees: ${JSON.stringify(c)} vs ${JSON.stringify(peer.result)}`);
  }
  console.log(
    `${n.toLocaleString('en-US').padEnd(12)} ${ours.medianMs.toFixed(0).padStart(15)} ${peer.medianMs.toFixed(0).padStart(17)} ${(peer.medianMs / ours.medianMs).toFixed(1).padStart(6)}× ${ours.heapDeltaMB.toFixed(1).padStart(10)}`,
  );
  if (n === UNITS) console.log(`CUPED variance reduction ${(ours.result.cuped!.varianceReduction * 100).toFixed(1)} %, difference ${c.estimate.toFixed(3)} [${c.lower.toFixed(3)}, ${c.upper.toFixed(3)}] (true effect 0.3 before clipping at 0)`);
}

// 3. the distributions, against jStat's on the same arguments
interface Reference {
  normalCdf: number[][];
  normalQuantile: number[][];
  studentTCdf: number[][];
  studentTQuantile: number[][];
  chiSquareSurvival: number[][];
}
const reference = JSON.parse(readFileSync(new URL('../test/fixtures/distributions.json', import.meta.url), 'utf8')) as Reference;
const J = jStat as unknown as {
  normal: { cdf(x: number, m: number, s: number): number; inv(p: number, m: number, s: number): number };
  studentt: { cdf(t: number, v: number): number; inv(p: number, v: number): number };
  chisquare: { cdf(x: number, v: number): number };
};
/** The largest |f(row) / reference − 1| over the rows (Infinity where one side answers 0, ±∞ or NaN wrongly). */
const worst = (rows: number[][], f: (r: number[]) => number): number =>
  Math.max(...rows.map((r) => { const got = f(r); const want = r.at(-1)!; return got === want ? 0 : Number.isFinite(got / want) ? Math.abs(got / want - 1) : Number.POSITIVE_INFINITY; }));
// What an analysis asks: quantiles at 1 − α/2, CDFs of test statistics, SRM tails; degrees of freedom from 2 to 10⁵.
const args = Array.from({ length: 1000 }, (_, i) => ({ x: -6 + (12 * i) / 1000, p: [0.975, 0.995, 0.9, 0.999][i % 4]!, df: [2, 9, 40, 300, 5_000, 100_000][i % 6]!, chi: (i % 50) / 2 }));
const kinds: Array<{ name: string; ours: (a: (typeof args)[number]) => number; jstat: (a: (typeof args)[number]) => number; accuracy: [number[][], (r: number[]) => number, (r: number[]) => number] }> = [
  { name: 'normal CDF', ours: (a) => normalCdf(a.x), jstat: (a) => J.normal.cdf(a.x, 0, 1), accuracy: [reference.normalCdf, (r) => normalCdf(r[0]!), (r) => J.normal.cdf(r[0]!, 0, 1)] },
  { name: 'normal quantile', ours: (a) => normalQuantile(a.p), jstat: (a) => J.normal.inv(a.p, 0, 1), accuracy: [reference.normalQuantile, (r) => normalQuantile(r[0]!), (r) => J.normal.inv(r[0]!, 0, 1)] },
  { name: 't CDF', ours: (a) => studentTCdf(a.x, a.df), jstat: (a) => J.studentt.cdf(a.x, a.df), accuracy: [reference.studentTCdf, (r) => studentTCdf(r[0]!, r[1]!), (r) => J.studentt.cdf(r[0]!, r[1]!)] },
  { name: 't quantile', ours: (a) => studentTQuantile(a.p, a.df), jstat: (a) => J.studentt.inv(a.p, a.df), accuracy: [reference.studentTQuantile, (r) => studentTQuantile(r[0]!, r[1]!), (r) => J.studentt.inv(r[0]!, r[1]!)] },
  { name: 'chi-square upper tail', ours: (a) => chiSquareSurvival(a.chi, 3), jstat: (a) => 1 - J.chisquare.cdf(a.chi, 3), accuracy: [reference.chiSquareSurvival, (r) => chiSquareSurvival(r[0]!, r[1]!), (r) => 1 - J.chisquare.cdf(r[0]!, r[1]!)] },
];
const accuracy: string[] = [];
for (const k of kinds) {
  let i = 0;
  let j = 0;
  await compare(
    `${k.name}: ${args.length.toLocaleString('en-US')} arguments an analysis asks for`,
    { name: `crosschannel ${k.name}`, fn: () => { sink += k.ours(args[i++ % args.length]!); } },
    [{ name: `jStat ${k.name}`, fn: () => { sink += k.jstat(args[j++ % args.length]!); } }],
    { timeMs: 500, repeat: 100, allocation: false },
  );
  const [rows, ours, theirs] = k.accuracy;
  accuracy.push(`${k.name.padEnd(22)} ${worst(rows, ours).toExponential(1).padStart(12)} ${worst(rows, theirs).toExponential(1).padStart(12)}   (${rows.length} reference values)`);
}
console.log('\n## largest relative error against mpmath (test/fixtures/distributions.json: tails to 1e-300, 0.2 to 2·10⁶ degrees of freedom)');
console.log(`${'function'.padEnd(22)} ${'crosschannel'.padStart(12)} ${'jStat'.padStart(12)}`);
for (const line of accuracy) console.log(line);
