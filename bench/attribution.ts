/**
 * Attribution on 1M journeys (average 4 touches, 10 channels, ~3% conversion), against a straightforward
 * implementation of the kind most blog posts show: per-journey objects and Maps keyed by strings, removal
 * effects by iterating absorption probabilities over nested objects, Shapley by testing every aggregated
 * channel set against every coalition. There is no maintained npm package for multi-touch attribution, so the
 * peer is that reference code, run in the same process on the same journeys; results are checked equal first.
 */
import { collectStatistics, computeAttribution, createStatistics, solveShapley, type Journey } from '../src/attribution/index.js';
import { createRng } from '../src/core/random.js';
import { timeJob } from './harness.js';

const N = Number(process.env.ATTRIBUTION_BENCH_JOURNEYS ?? 1_000_000);
const DAY = 86_400_000;

function synthetic(n: number, channelCount: number, seed: number): Journey[] {
  const rng = createRng(seed);
  const channels = Array.from({ length: channelCount }, (_, i) => `channel_${String.fromCharCode(97 + i)}`);
  // Skewed channel popularity and per-channel lift, so the models disagree as they do on real data.
  const cumulative: number[] = [];
  let total = 0;
  for (let i = 0; i < channelCount; i++) cumulative.push((total += 1 / (i + 1)));
  const out: Journey[] = new Array(n);
  for (let j = 0; j < n; j++) {
    const len = 1 + rng.int(7);
    const chs: string[] = new Array(len);
    const times: number[] = new Array(len);
    let at = 1_767_225_600_000 + rng.int(300) * DAY;
    let lift = 0;
    for (let i = 0; i < len; i++) {
      const u = rng.next() * total;
      let c = 0;
      while (cumulative[c]! < u) c++;
      chs[i] = channels[c]!;
      times[i] = at += rng.int(3 * DAY);
      lift += c % 3 === 0 ? 0.009 : 0.0045;
    }
    const converted = rng.next() < Math.min(0.5, 0.002 + lift);
    out[j] = converted ? { subjectId: `p${j}`, channels: chs, times, converted, conversionAt: at + rng.int(DAY), value: 10 + rng.int(190) } : { subjectId: `p${j}`, channels: chs, times, converted, value: 0 };
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------------
// The straightforward reference implementation.

type Credits = Record<string, { conversions: number; value: number }>;

function naiveRules(journeys: ReadonlyArray<Journey>): Record<string, Credits> {
  const models: Record<string, (j: Journey) => Record<string, number>> = {
    last_touch: (j) => ({ [j.channels[j.channels.length - 1]!]: 1 }),
    last_non_direct: (j) => {
      const nd = j.channels.filter((c) => c !== 'direct');
      return { [nd.length > 0 ? nd[nd.length - 1]! : j.channels[j.channels.length - 1]!]: 1 };
    },
    first_touch: (j) => ({ [j.channels[0]!]: 1 }),
    linear: (j) => {
      const w: Record<string, number> = {};
      for (const c of j.channels) w[c] = (w[c] ?? 0) + 1 / j.channels.length;
      return w;
    },
    time_decay: (j) => {
      const raw = j.times.map((t) => Math.pow(2, -(j.conversionAt! - t) / (7 * DAY)));
      const sum = raw.reduce((a, b) => a + b, 0);
      const w: Record<string, number> = {};
      j.channels.forEach((c, i) => (w[c] = (w[c] ?? 0) + raw[i]! / sum));
      return w;
    },
    position_based: (j) => {
      const n = j.channels.length;
      const w: Record<string, number> = {};
      j.channels.forEach((c, i) => {
        const x = n === 1 ? 1 : n === 2 ? 0.5 : i === 0 || i === n - 1 ? 0.4 : 0.2 / (n - 2);
        w[c] = (w[c] ?? 0) + x;
      });
      return w;
    },
  };
  const out: Record<string, Credits> = {};
  for (const [name, fn] of Object.entries(models)) {
    const credits: Credits = {};
    for (const j of journeys) {
      if (!j.converted) continue;
      for (const [c, w] of Object.entries(fn(j))) {
        credits[c] ??= { conversions: 0, value: 0 };
        credits[c].conversions += w;
        credits[c].value += w * j.value;
      }
    }
    out[name] = credits;
  }
  return out;
}

function naiveMarkov(journeys: ReadonlyArray<Journey>): Record<string, number> {
  const transitions: Record<string, Record<string, number>> = {};
  for (const j of journeys) {
    const path = ['(start)', ...j.channels, j.converted ? '(conversion)' : '(null)'];
    for (let i = 0; i < path.length - 1; i++) {
      const row = (transitions[path[i]!] ??= {});
      row[path[i + 1]!] = (row[path[i + 1]!] ?? 0) + 1;
    }
  }
  const probabilities: Record<string, Record<string, number>> = {};
  for (const [from, row] of Object.entries(transitions)) {
    const total = Object.values(row).reduce((a, b) => a + b, 0);
    probabilities[from] = Object.fromEntries(Object.entries(row).map(([to, n]) => [to, n / total]));
  }
  const conversionProbability = (removed: string | null): number => {
    const p: Record<string, number> = { '(conversion)': 1, '(null)': 0 };
    for (const s of Object.keys(probabilities)) p[s] = 0;
    for (let iter = 0; iter < 10_000; iter++) {
      let delta = 0;
      for (const [from, row] of Object.entries(probabilities)) {
        if (from === removed) continue;
        let x = 0;
        for (const [to, q] of Object.entries(row)) x += to === removed ? 0 : q * p[to]!;
        delta = Math.max(delta, Math.abs(x - p[from]!));
        p[from] = x;
      }
      if (delta < 1e-15) break;
    }
    return p['(start)']!;
  };
  const base = conversionProbability(null);
  const channels = Object.keys(probabilities).filter((s) => !s.startsWith('('));
  const effects = Object.fromEntries(channels.map((c) => [c, 1 - conversionProbability(c) / base]));
  const sum = Object.values(effects).reduce((a, b) => a + b, 0);
  const conversions = journeys.filter((j) => j.converted).length;
  return Object.fromEntries(Object.entries(effects).map(([c, e]) => [c, (e / sum) * conversions]));
}

function naiveShapley(sets: Map<string, number>, channels: string[]): Record<string, number> {
  const n = channels.length;
  const entries = [...sets].map(([key, conv]) => [new Set(key.split(',')), conv] as const);
  const v = new Map<number, number>();
  for (let s = 0; s < 2 ** n; s++) {
    const coalition = new Set(channels.filter((_, i) => s & (1 << i)));
    let sum = 0;
    for (const [set, conv] of entries) if ([...set].every((c) => coalition.has(c))) sum += conv;
    v.set(s, sum);
  }
  const fact = (k: number): number => (k <= 1 ? 1 : k * fact(k - 1));
  const phi: Record<string, number> = {};
  channels.forEach((c, i) => {
    let x = 0;
    for (let s = 0; s < 2 ** n; s++) {
      if (s & (1 << i)) continue;
      const size = channels.filter((_, k) => s & (1 << k)).length;
      x += ((fact(size) * fact(n - size - 1)) / fact(n)) * (v.get(s | (1 << i))! - v.get(s)!);
    }
    phi[c] = x;
  });
  return phi;
}

// ---------------------------------------------------------------------------------------------------------

const close = (a: number, b: number): boolean => Math.abs(a - b) <= 1e-6 * Math.max(1, Math.abs(a), Math.abs(b));
function assertClose(label: string, ours: Record<string, number>, peer: Record<string, number>): void {
  for (const k of new Set([...Object.keys(ours), ...Object.keys(peer)])) {
    if (!close(ours[k] ?? 0, peer[k] ?? 0)) throw new Error(`${label}: ${k} ours=${ours[k]} peer=${peer[k]}`);
  }
}
const line = (task: string, ours: number, peer: number | null, target: string): void =>
  console.log(`${task.padEnd(48)} ${ours.toFixed(0).padStart(8)} ms ${peer === null ? '        —' : `${peer.toFixed(0).padStart(8)} ms`}  ${peer === null ? '      —' : `${(peer / ours).toFixed(1).padStart(6)}×`}  ${target}`);

console.log(`\n## attribution on ${N.toLocaleString('en-US')} journeys (avg 4 touches, 10 channels)`);
const t0 = performance.now();
const journeys = synthetic(N, 10, 42);
const conversions = journeys.reduce((s, j) => s + (j.converted ? 1 : 0), 0);
console.log(`generated in ${(performance.now() - t0).toFixed(0)} ms; conversion rate ${((conversions / N) * 100).toFixed(2)}%`);
console.log('times are medians of the runs (3 each, Shapley\'s reference once: 10+ s); speed-up = reference ms ÷ crosschannel ms (same run, same journeys). Machine shared: noisy.');
console.log(`${'task'.padEnd(48)} ${'crosschannel'.padStart(11)} ${'reference'.padStart(11)}  speed-up  target`);

// Markov order 1: statistics + exact solve.
const markov = await timeJob(() => computeAttribution(collectStatistics(journeys, { models: ['markov'] })), 3);
const naiveM = await timeJob(() => naiveMarkov(journeys), 3);
assertClose('markov', Object.fromEntries(markov.result.models[0]!.channels.map((c) => [c.channel, c.conversions])), naiveM.result);
line('statistics + Markov order 1', markov.medianMs, naiveM.medianMs, '< 2000 ms');

// All rule-based models in one pass.
const rules = ['last_touch', 'last_non_direct', 'first_touch', 'linear', 'time_decay', 'position_based'] as const;
const ruleRun = await timeJob(() => computeAttribution(collectStatistics(journeys, { models: [...rules] })), 3);
const naiveR = await timeJob(() => naiveRules(journeys), 3);
for (const m of ruleRun.result.models) {
  const peer = naiveR.result[m.model]!;
  assertClose(m.model, Object.fromEntries(m.channels.map((c) => [c.channel, c.value])), Object.fromEntries(Object.entries(peer).map(([c, x]) => [c, x.value])));
}
line('all 6 rule-based models', ruleRun.medianMs, naiveR.medianMs, '< 1000 ms');

// Shapley on 15 channels: aggregation once, then the exact solve.
const journeys15 = synthetic(N, 15, 7);
const agg = await timeJob(() => collectStatistics(journeys15, { models: ['shapley'] }), 1);
const stats15 = agg.result;
const order = stats15.channels.map((_, i) => i).sort((a, b) => (stats15.channels[a]! < stats15.channels[b]! ? -1 : 1));
const shapley = await timeJob(() => solveShapley(stats15.channelSets!, stats15.channels.length, { maxExactChannels: 20, samples: 0, seed: 1 }, order), 5);
const setCounts = new Map<string, number>();
const cs = stats15.channelSets!;
for (let s = 0; s < cs.masks.length; s++) {
  if (cs.conversions[s] === 0) continue;
  const names = stats15.channels.filter((_, c) => Math.floor(cs.masks[s]! / 2 ** c) % 2 === 1);
  setCounts.set(names.join(','), cs.conversions[s]!);
}
const naiveS = await timeJob(() => naiveShapley(setCounts, [...stats15.channels]), 1);
assertClose('shapley', Object.fromEntries(stats15.channels.map((c, i) => [c, shapley.result.conversions[i]!])), naiveS.result);
line(`aggregate ${N / 1e6}M journeys by channel set (${cs.masks.length} sets)`, agg.medianMs, null, '');
line('exact Shapley, 15 channels, after aggregation', shapley.medianMs, naiveS.medianMs, '< 1000 ms');

// Everything in one pass, and the sharded path.
const all = await timeJob(() => computeAttribution(collectStatistics(journeys)), 1);
line('every model (8) in one pass', all.medianMs, null, '');
const sharded = await timeJob(() => {
  const shards = [0, 1, 2, 3].map(() => createStatistics());
  journeys.forEach((j, i) => shards[i & 3]!.add(j));
  return computeAttribution(shards.reduce((a, b) => a.merge(b.toJSON())));
}, 1);
line('every model, 4 shards + JSON merge', sharded.medianMs, null, '');
for (const order of [2, 3, 4]) {
  const r = await timeJob(() => computeAttribution(collectStatistics(journeys, { models: [{ model: 'markov', order }] })), 1);
  line(`statistics + Markov order ${order} (${r.result.models[0]!.markov!.states} states)`, r.medianMs, null, '');
}
