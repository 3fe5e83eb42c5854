/**
 * Experiments: (1) assignment against GrowthBook's JS SDK (`GrowthBookClient.runInlineExperiment`, its
 * multi-user server API) on the same ids and the same experiment — identical variants are checked on every id
 * first; (2) the analysis of N exposures with CUPED (per-unit columns → mergeable statistics → intervals)
 * against the same numbers computed with jStat's descriptive functions on per-arm arrays (means, variances,
 * covariance, Welch interval), checked equal first. Sizes: EXPERIMENTS_BENCH_UNITS (default 10,000,000).
 */
import { GrowthBookClient } from '@growthbook/growthbook';
import jStat from 'jstat';
import { createRng } from '../src/core/random.js';
import { analyzeExperiment, assign, parseExperiment, statsFromColumns } from '../src/experiments/index.js';
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
