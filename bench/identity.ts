/**
 * Identity benchmarks.
 * 1. Deterministic stitching of 1M observations (heavy-tailed component sizes: most people have 2–4
 *    identifiers, a few have hundreds) in memory, against a straightforward Map + BFS connected-components
 *    implementation and graphology + graphology-components, on the same links. Reports links/s, ratios, heap.
 *    The same with phone numbers (300k observations, national and E.164 forms) against Map + BFS whose phones are
 *    parsed by libphonenumber-js per occurrence or once per distinct text, and lookups by E.164 number.
 * 2. Probabilistic matching of 100k person records with typos: blocking → pairs compared, time, precision and
 *    recall against the generator's truth (EM-estimated m/u).
 * 3. Hashed audience keys (SHA-256 of normalised emails and phones) against node:crypto's createHash and Web
 *    Crypto's digest.
 * The machine is shared: numbers are noisy; compare ratios from one run, not absolute values across runs.
 */
import { createHash } from 'node:crypto';
import { UndirectedGraph } from 'graphology';
import { parsePhoneNumberFromString } from 'libphonenumber-js/min';
import { connectedComponents } from 'graphology-components';
import { createRng } from '../src/core/random.js';
import { IdentityGraph, type ObservationInput } from '../src/identity/graph.js';
import { parseIdentityRules } from '../src/identity/rules.js';
import { addIdentifier, createState, find, reserveIdentifiers, typeIdOf, unionRoots } from '../src/identity/state.js';
import { estimateMatchParameters } from '../src/identity/em.js';
import { matchRecords, parseMatchModel } from '../src/identity/match.js';
import { hashIdentifier, hashIdentifierSync } from '../src/identity/normalize.js';
import { checkSame, timeJob } from './harness.js';
import { PEOPLE_MODEL, precisionRecall, syntheticPeople } from '../test/arbitraries/identity.js';

const N = Number(process.env.IDENTITY_BENCH_OBSERVATIONS ?? 1_000_000);
const T0 = Date.UTC(2026, 0, 1);

/** Observations of synthetic people; identifiers per person follow a Pareto tail (α = 1.6), capped at 500. */
function observations(n: number, seed: number): { obs: ObservationInput[]; links: number } {
  const rng = createRng(seed);
  const obs: ObservationInput[] = [];
  let links = 0;
  let person = 0;
  while (obs.length < n) {
    const p = person++;
    const size = Math.min(500, Math.floor(2 / Math.pow(1 - rng.next(), 1 / 1.6)));
    const ids: Array<{ type: string; value: string }> = [];
    if (rng.next() < 0.6) ids.push({ type: 'user_id', value: `u${p}` });
    if (rng.next() < 0.7) ids.push({ type: 'email', value: `person${p}@mail.test` });
    while (ids.length < size) ids.push(rng.next() < 0.8 ? { type: 'anonymous_id', value: `a${p}-${ids.length}` } : { type: 'device_id', value: `d${p}-${ids.length}` });
    // One observation per identifier beyond the first, each linking it to an earlier one (a random tree),
    // sometimes with a third identifier; singletons are seen alone.
    if (ids.length === 1) obs.push({ identifiers: ids, at: T0 + rng.int(86_400_000 * 90), source: 'web' });
    for (let i = 1; i < ids.length && obs.length < n; i++) {
      const o = [ids[i]!, ids[rng.int(i)]!];
      if (i > 2 && rng.next() < 0.2) o.push(ids[rng.int(i)]!);
      links += o.length - 1;
      obs.push({ identifiers: o, at: T0 + rng.int(86_400_000 * 90), source: rng.next() < 0.5 ? 'web' : 'app' });
    }
  }
  return { obs, links };
}

const key = (i: { type: string; value: string }): string => `${i.type}:${i.value}`;

function mapBfs(obs: ReadonlyArray<ObservationInput>): Map<string, number> {
  const adj = new Map<string, string[]>();
  const touch = (k: string): string[] => {
    let a = adj.get(k);
    if (!a) adj.set(k, (a = []));
    return a;
  };
  for (const o of obs) {
    const first = key(o.identifiers[0]!);
    const fa = touch(first);
    for (let i = 1; i < o.identifiers.length; i++) {
      const k = key(o.identifiers[i]!);
      fa.push(k);
      touch(k).push(first);
    }
  }
  const comp = new Map<string, number>();
  let c = 0;
  for (const start of adj.keys()) {
    if (comp.has(start)) continue;
    const queue = [start];
    comp.set(start, c);
    while (queue.length > 0) {
      const k = queue.pop()!;
      for (const n of adj.get(k)!) {
        if (!comp.has(n)) {
          comp.set(n, c);
          queue.push(n);
        }
      }
    }
    c++;
  }
  return comp;
}

function graphologyComponents(obs: ReadonlyArray<ObservationInput>): string[][] {
  const g = new UndirectedGraph({ multi: false, allowSelfLoops: false });
  for (const o of obs) {
    const first = key(o.identifiers[0]!);
    g.mergeNode(first);
    for (let i = 1; i < o.identifiers.length; i++) {
      const k = key(o.identifiers[i]!);
      if (k !== first) g.mergeEdge(first, k);
    }
  }
  return connectedComponents(g);
}

const OPEN_RULES = { limits: {}, maxIdentifiers: 1_000_000, blocked: { defaults: false } };
const ours = (rules: object, options: { sharedMemory?: boolean } = {}) => (o: ReadonlyArray<ObservationInput>) => {
  const g = new IdentityGraph(rules, options);
  g.add(o);
  return g;
};

console.log(`\n## Deterministic stitching (${N.toLocaleString('en-US')} observations)`);
const data = observations(N, 42);
console.log(`links: ${data.links.toLocaleString('en-US')}`);

// Same partition before timing (merge protection off, so all three compute connected components).
{
  const g = ours(OPEN_RULES)(data.obs);
  const bfs = mapBfs(data.obs);
  const gc = graphologyComponents(data.obs);
  checkSame('component count (Map+BFS)', g.size.profiles, new Set(bfs.values()).size);
  checkSame('component count (graphology)', g.size.profiles, gc.length);
}

// Rounds interleave the contenders, so that load drifting on the shared machine hits all of them alike.
// Profile ids are hashed when the report's `profiles` is first read (or before the graph next changes): the
// second row reads them, so it pays for every id; the first leaves them unread, as a bulk load usually does.
const oursReadingIds = (o: ReadonlyArray<ObservationInput>) => {
  const g = new IdentityGraph({});
  if (g.add(o).profiles.length === 0) throw new Error('no profiles');
  return g;
};
const contenders = [
  ['crosschannel IdentityGraph (default merge protection)', ours({})],
  ['crosschannel IdentityGraph (default, report.profiles read)', oursReadingIds],
  ['crosschannel IdentityGraph (no limits)', ours(OPEN_RULES)],
  ['crosschannel IdentityGraph (default, sharedMemory: true)', ours({}, { sharedMemory: true })],
  ['Map + BFS', mapBfs],
  ['graphology + graphology-components', graphologyComponents],
] as const;
const gc = (globalThis as { gc?: () => void }).gc;
const times: number[][] = contenders.map(() => []);
const heaps: number[] = contenders.map(() => 0);
// After the forced collection, a pause: V8 sweeps the freed pages on its helper threads and returns memory to the
// system after a full collection, and on a 2-core machine that work competed with whichever contender came next,
// most of all the first row, right after graphology's 1.1 GB. Alternated runs (2026-12-06), the default row and
// Map + BFS: no pause 1,497 / 4,995 and 1,505 / 4,976 ms (3.34×, 3.31×); 500 ms 1,266 / 4,619 and 1,324 / 4,822
// (3.65×, 3.64×). Every contender gets the same pause.
const SETTLE_MS = Number(process.env.IDENTITY_BENCH_SETTLE_MS ?? 500);
const settle = (): Promise<void> => new Promise((r) => setTimeout(r, SETTLE_MS));
for (let round = 0; round < 3; round++) {
  for (let c = 0; c < contenders.length; c++) {
    gc?.();
    await settle();
    // Heap plus ArrayBuffers: the graph keeps most of its state in typed arrays, outside `heapUsed`.
    const mem = (): number => process.memoryUsage().heapUsed + process.memoryUsage().arrayBuffers;
    const heap0 = mem();
    const t0 = performance.now();
    const result = contenders[c]![1](data.obs);
    times[c]!.push(performance.now() - t0);
    if (round === 0) heaps[c] = (mem() - heap0) / 1048576;
    void result;
  }
}
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const rows = contenders.map(([name], c) => ({ name, ms: median(times[c]!), heap: heaps[c]!, all: times[c]!.map((t) => t.toFixed(0)).join(' / ') }));
const base = rows[0]!.ms;
console.log('| task | median ms (3 interleaved runs) | runs ms | links/s | heap + ArrayBuffers retained by the result, MB | crosschannel (default) ÷ this (speed) |');
console.log('|---|---|---|---|---|---|');
for (const r of rows) {
  console.log(`| ${r.name} | ${r.ms.toFixed(0)} | ${r.all} | ${Math.round(data.links / (r.ms / 1000)).toLocaleString('en-US')} | ${r.heap.toFixed(0)} | ${(r.ms / base).toFixed(2)}× |`);
}

// The union-find core alone (path compression + union by size over interned ids, the graph's own functions).
{
  const ids = new Map<string, number>();
  const a: number[] = [];
  const b: number[] = [];
  for (const o of data.obs) {
    const k0 = key(o.identifiers[0]!);
    let x = ids.get(k0);
    if (x === undefined) ids.set(k0, (x = ids.size));
    for (let i = 1; i < o.identifiers.length; i++) {
      const k = key(o.identifiers[i]!);
      let y = ids.get(k);
      if (y === undefined) ids.set(k, (y = ids.size));
      a.push(x);
      b.push(y);
    }
  }
  const A = Int32Array.from(a);
  const B = Int32Array.from(b);
  const r = await timeJob(() => {
    const s = createState(parseIdentityRules(OPEN_RULES));
    reserveIdentifiers(s, ids.size);
    const t = typeIdOf(s, 'id');
    for (let i = 0; i < ids.size; i++) addIdentifier(s, t, String(i));
    const t0 = performance.now();
    let unions = 0;
    for (let i = 0; i < A.length; i++) {
      const x = find(s, A[i]!);
      const y = find(s, B[i]!);
      if (x !== y) (unionRoots(s, x, y), unions++);
    }
    return { ms: performance.now() - t0, unions };
  }, 3);
  console.log(`union-find core over interned ids: ${Math.round(A.length / (r.result.ms / 1000)).toLocaleString('en-US')} links/s (${r.result.ms.toFixed(0)} ms for ${A.length.toLocaleString('en-US')} links)`);
}

// Incremental: 1% more observations on top of the 1M graph.
{
  const g = ours({})(data.obs);
  const extra = observations(N / 100, 7).obs;
  const t0 = performance.now();
  g.add(extra);
  console.log(`incremental: +${extra.length.toLocaleString('en-US')} observations on the ${N.toLocaleString('en-US')} graph in ${(performance.now() - t0).toFixed(0)} ms`);
  const lookups = [...data.obs.slice(0, 100_000)].map((o) => o.identifiers[0]!);
  const t1 = performance.now();
  let hits = 0;
  for (const l of lookups) if (g.profileIdOf(l) !== undefined) hits++;
  const ms = performance.now() - t1;
  console.log(`lookups: ${Math.round(lookups.length / (ms / 1000)).toLocaleString('en-US')} profileIdOf/s (${hits} hits)`);
}

// Phone numbers: parsing one with libphonenumber-js costs ≈ 4–5 µs, every other step of stitching well under 1 µs
// per identifier. Each person is seen three times: twice with the phone as a CRM export writes it (national form),
// once as a telephony system does (E.164). The graph parses a number once (a batch remembers each text it parsed;
// a number it holds, given in E.164, is taken as it is). The peers do what a user would write: Map + BFS with
// each phone normalised by libphonenumber-js, per occurrence or once per distinct text.
{
  const P = Number(process.env.IDENTITY_BENCH_PHONE_PEOPLE ?? 100_000);
  const national = (i: number): string => `06 1${String(i).padStart(7, '0').replace(/(\d\d)(?=\d)/g, '$1 ')}`;
  const e164 = (i: number): string => `+3361${String(i).padStart(7, '0')}`;
  const phoneObs: ObservationInput[] = [];
  for (let r = 0; r < 3; r++) {
    for (let i = 0; i < P; i++) phoneObs.push({ identifiers: [{ type: 'email', value: `p${i}@mail.test` }, { type: 'phone', value: r === 2 ? e164(i) : national(i) }], at: T0 + r * 86_400_000 + i, source: r === 2 ? 'call' : 'crm' });
  }
  const parsePhone = (text: string): string | undefined => {
    const n = parsePhoneNumberFromString(text, 'FR');
    return n !== undefined && n.isValid() ? n.number : undefined;
  };
  const bfsWithPhones = (memo: boolean) => (obs: ReadonlyArray<ObservationInput>): Map<string, number> => {
    const seen = new Map<string, string | undefined>();
    const phone = (text: string): string | undefined => {
      if (!memo) return parsePhone(text);
      if (seen.has(text)) return seen.get(text);
      const v = parsePhone(text);
      seen.set(text, v);
      return v;
    };
    const normalised = obs.map((o) => ({
      ...o,
      identifiers: o.identifiers.flatMap((id) => {
        if (id.type !== 'phone') return [id];
        const v = phone(id.value);
        return v === undefined ? [] : [{ type: 'phone', value: v }];
      }),
    }));
    return mapBfs(normalised);
  };
  const graphWithPhones = (obs: ReadonlyArray<ObservationInput>): IdentityGraph => {
    const g = new IdentityGraph({ normalization: { defaultCountry: 'FR' } });
    g.add(obs);
    return g;
  };
  {
    const g = graphWithPhones(phoneObs);
    checkSame('component count with phones (Map+BFS)', g.size.profiles, new Set(bfsWithPhones(true)(phoneObs).values()).size);
    checkSame('one profile per person', g.size.profiles, P);
  }
  const phoneContenders = [
    ['crosschannel IdentityGraph (each number parsed once)', graphWithPhones],
    ['Map + BFS, libphonenumber-js per occurrence', bfsWithPhones(false)],
    ['Map + BFS, libphonenumber-js once per distinct text', bfsWithPhones(true)],
  ] as const;
  const phoneTimes: number[][] = phoneContenders.map(() => []);
  let graph: IdentityGraph | undefined;
  for (let round = 0; round < 3; round++) {
    for (let c = 0; c < phoneContenders.length; c++) {
      gc?.();
      await settle();
      const t0 = performance.now();
      const result = phoneContenders[c]![1](phoneObs);
      phoneTimes[c]!.push(performance.now() - t0);
      if (c === 0) graph = result as IdentityGraph;
    }
  }
  console.log(`\n## Stitching with phone numbers (${phoneObs.length.toLocaleString('en-US')} observations: ${P.toLocaleString('en-US')} people, email + phone, the phone twice in national form and once in E.164)`);
  console.log('| task | median ms (3 interleaved runs) | runs ms | crosschannel ÷ this (speed) |');
  console.log('|---|---|---|---|');
  const phoneBase = median(phoneTimes[0]!);
  for (let c = 0; c < phoneContenders.length; c++) {
    const ms = median(phoneTimes[c]!);
    console.log(`| ${phoneContenders[c]![0]} | ${ms.toFixed(0)} | ${phoneTimes[c]!.map((t) => t.toFixed(0)).join(' / ')} | ${(ms / phoneBase).toFixed(2)}× |`);
  }
  // A call centre looks a caller up by the E.164 number its telephony system gives.
  const asked = Array.from({ length: Math.min(P, 100_000) }, (_, i) => ({ type: 'phone', value: e164(i) }));
  const bfs = bfsWithPhones(false)(phoneObs);
  const t1 = performance.now();
  let hits = 0;
  for (const id of asked) if (graph!.profileIdOf(id) !== undefined) hits++;
  const oursUs = ((performance.now() - t1) * 1000) / asked.length;
  const t2 = performance.now();
  let peerHits = 0;
  for (const id of asked) {
    const v = parsePhone(id.value);
    if (v !== undefined && bfs.has(key({ type: 'phone', value: v }))) peerHits++;
  }
  const peerUs = ((performance.now() - t2) * 1000) / asked.length;
  checkSame('lookup hits', hits, peerHits);
  console.log(`lookup by E.164 phone: crosschannel profileIdOf ${oursUs.toFixed(2)} µs, libphonenumber-js + Map.get ${peerUs.toFixed(2)} µs (${(peerUs / oursUs).toFixed(2)}×; ${hits.toLocaleString('en-US')} hits)`);
}

const PEOPLE = Number(process.env.IDENTITY_BENCH_PEOPLE ?? 50_000);
const { records, personOf } = syntheticPeople(PEOPLE, 11);
console.log(`\n## Probabilistic matching (${records.length.toLocaleString('en-US')} records of ${PEOPLE.toLocaleString('en-US')} people, typos)`);
const baseModel = parseMatchModel(PEOPLE_MODEL);
const em = await timeJob(() => estimateMatchParameters(records, baseModel, { seed: 1 }), 1);
const run = await timeJob(() => matchRecords(records, em.result.model), 1);
const { matches, stats } = run.result;
const pr = precisionRecall(matches, personOf);
const all = (records.length * (records.length - 1)) / 2;
console.log('| step | value |');
console.log('|---|---|');
console.log(`| EM (m, λ; u from random pairs) | ${em.medianMs.toFixed(0)} ms, ${em.result.iterations} iterations, λ = ${em.result.lambda.toExponential(2)} |`);
console.log(`| pairs compared (blocking) | ${stats.pairsCompared.toLocaleString('en-US')} of ${all.toLocaleString('en-US')} (${((stats.pairsCompared / all) * 100).toFixed(4)} %) |`);
console.log(`| matching time | ${run.medianMs.toFixed(0)} ms (${Math.round(stats.pairsCompared / (run.medianMs / 1000)).toLocaleString('en-US')} pairs/s) |`);
console.log(`| matches ≥ ${baseModel.threshold} | ${matches.length.toLocaleString('en-US')} (true pairs ${pr.truePairs.toLocaleString('en-US')}) |`);
console.log(`| precision / recall | ${pr.precision.toFixed(4)} / ${pr.recall.toFixed(4)} |`);

// Hashed audience keys: what an export to an ad platform (Customer Match, custom audiences) does per person. The
// peer is node:crypto's createHash, what a Node service would otherwise call; Web Crypto's digest is what
// `hashIdentifier` called until 2026-12-06. Full passes over the same normalised identifiers, rounds alternated.
{
  const HASHED = Number(process.env.IDENTITY_BENCH_HASHED ?? 100_000);
  const ids = Array.from({ length: HASHED }, (_, i) => (i % 4 === 3 ? { type: 'phone', value: `+3361${String(i).padStart(7, '0')}` } : { type: 'email', value: `person.${i}@example.com` }));
  const viaSubtle = async (text: string): Promise<string> => Buffer.from(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text))).toString('hex');
  const passes: Array<[string, () => Promise<string[]>]> = [
    ['crosschannel hashIdentifierSync', async () => ids.map((id) => hashIdentifierSync(id)!.value)],
    ['crosschannel hashIdentifier (awaited one by one)', async () => { const out: string[] = []; for (const id of ids) out.push((await hashIdentifier(id))!.value); return out; }],
    ["node:crypto createHash('sha256')", async () => ids.map((id) => createHash('sha256').update(id.value).digest('hex'))],
    ['Web Crypto subtle.digest (awaited one by one)', async () => { const out: string[] = []; for (const id of ids) out.push(await viaSubtle(id.value)); return out; }],
  ];
  const results = await Promise.all(passes.map(([, f]) => f()));
  for (let c = 1; c < passes.length; c++) checkSame(`hashed identifiers (${passes[c]![0]})`, results[0], results[c]);
  const hashTimes: number[][] = passes.map(() => []);
  for (let round = 0; round < 5; round++) {
    for (let c = 0; c < passes.length; c++) {
      const t0 = performance.now();
      await passes[c]![1]();
      hashTimes[c]!.push(performance.now() - t0);
    }
  }
  console.log(`\n## Hashed audience keys (${HASHED.toLocaleString('en-US')} normalised emails and E.164 phones, SHA-256 hex; median of 5 alternated passes)`);
  console.log('| task | µs per identifier | passes (ms) | crosschannel ÷ this |');
  console.log('|---|---:|---|---:|');
  const ourHashMs = median(hashTimes[0]!);
  for (let c = 0; c < passes.length; c++) {
    const ms = median(hashTimes[c]!);
    console.log(`| ${passes[c]![0]} | ${((ms * 1000) / HASHED).toFixed(2)} | ${hashTimes[c]!.map((t) => t.toFixed(0)).join(' / ')} | ${c === 0 ? '—' : `${(ms / ourHashMs).toFixed(2)}×`} |`);
  }
}
