/**
 * Shared benchmark harness. Each bench file runs crosschannel and its npm peer on the same data in the same
 * process and prints ops/s, latency percentiles and the ratio from that one run. Benchmarks are not tests:
 * nothing here asserts timings. `checkSame` verifies both sides compute the same thing before timing them.
 */
import { spawn } from 'node:child_process';
import { connect, createServer } from 'node:net';
import { PerformanceObserver } from 'node:perf_hooks';
import { isDeepStrictEqual } from 'node:util';
import { GCProfiler, getHeapSpaceStatistics } from 'node:v8';
import { Redis } from 'ioredis';
import { Bench } from 'tinybench';

/** One side of a comparison. */
export interface Contender {
  readonly name: string;
  readonly fn: () => unknown;
  /**
   * Calls per timed sample for this side only (synchronous functions only), overriding `compare`'s `repeat`: a
   * sub-microsecond call beside an asynchronous peer, whose own calls cannot be repeated inside one sample.
   */
  readonly repeat?: number;
}

/** One printed row. */
export interface BenchRow {
  readonly name: string;
  readonly opsPerSec: number;
  readonly meanUs: number;
  readonly p50Us: number;
  readonly p99Us: number;
  /** ops/s of this row ÷ ops/s of the peer named `against` (ours ÷ peer on our row). */
  readonly ratio: number | null;
}

/**
 * Runs `ours` and each peer for `timeMs` each (after warm-up) and prints one table; returns the rows. The ratio
 * column is ours ÷ peer: 5.0 means crosschannel does five times the peer's operations per second.
 */
export async function compare(
  title: string,
  ours: Contender,
  peers: ReadonlyArray<Contender>,
  options: {
    timeMs?: number;
    warmupMs?: number;
    note?: string;
    /** Print each side's bytes allocated per call (default true). */
    allocation?: boolean;
    /**
     * Calls per timed sample (synchronous functions only; default 1). tinybench reads the clock around every
     * sample, ≈ 0.3 µs on this kind of machine: for a call of about a microsecond that is a third of what is
     * measured, on one side only. Rows stay per call: ops/s counts calls, the latency columns are a sample's
     * time ÷ `repeat` (so p99 is that of batches, per call).
     */
    repeat?: number;
  } = {},
): Promise<BenchRow[]> {
  const bench = new Bench({ time: options.timeMs ?? 1000, warmupTime: options.warmupMs ?? 200 });
  const contenders = [ours, ...peers];
  const repeats = contenders.map((c) => c.repeat ?? options.repeat ?? 1);
  if (repeats.some((r) => !Number.isInteger(r) || r < 1)) throw new Error('compare: repeat must be a positive integer');
  const batched = (c: Contender, repeat: number): Contender['fn'] =>
    repeat === 1
      ? c.fn
      : () => {
          for (let k = 0; k < repeat; k++) {
            const out = c.fn() as unknown;
            if (typeof (out as { then?: unknown } | null)?.then === 'function') throw new Error(`compare: ${c.name} returned a promise; repeat needs synchronous functions`);
          }
        };
  contenders.forEach((c, i) => bench.add(c.name, batched(c, repeats[i]!)));
  await bench.run();
  const stats = bench.tasks.map((t, i) => {
    const repeat = repeats[i]!;
    const r = t.result as unknown as { state: string; latency?: { mean: number; p50: number; p99: number }; error?: unknown };
    if (r.state !== 'completed' || !r.latency) throw new Error(`benchmark ${t.name} did not complete: ${String(r.error ?? r.state)}`);
    // ops/s is calls ÷ time: 1 / mean latency. tinybench's throughput.mean averages each call's own rate
    // (1 / its latency), which a few slow calls (GC pauses) barely move and a share of very fast ones (an early
    // return) inflates: it overstated the side with the more variable latency.
    const l = r.latency;
    return { name: t.name, ops: (1000 * repeat) / l.mean, lat: { mean: l.mean / repeat, p50: l.p50 / repeat, p99: l.p99 / repeat } };
  });
  const oursOps = stats[0]!.ops;
  const rows: BenchRow[] = stats.map((s, i) => ({
    name: s.name,
    opsPerSec: s.ops,
    meanUs: s.lat.mean * 1000,
    p50Us: s.lat.p50 * 1000,
    p99Us: s.lat.p99 * 1000,
    ratio: i === 0 ? null : oursOps / s.ops,
  }));
  const batchNote = repeats.every((r) => r === repeats[0])
    ? repeats[0]! > 1
      ? `each timed sample runs ${repeats[0]} calls; figures per call`
      : undefined
    : `calls per timed sample: ${contenders.map((c, i) => `${c.name} ${repeats[i]}`).join(', ')}; figures per call`;
  printTable(title, rows, [options.note, batchNote].filter((x) => x !== undefined).join('\n') || undefined);
  if (options.allocation === false) return rows;
  // Memory: what one call allocates on each side, measured the same way (see allocatedPerCall).
  const allocations: string[] = [];
  for (const c of [ours, ...peers]) {
    const a = await allocatedPerCall(async () => {
      await c.fn();
    }, 200);
    allocations.push(`${c.name} ${formatBytes(a.medianBytes)}`);
  }
  console.log(`allocated per call (median of up to 200 calls without a collection): ${allocations.join(' · ')}`);
  return rows;
}

/** `812 B`, `28.3 kB`. */
export function formatBytes(n: number): string {
  if (!Number.isFinite(n)) return 'n/a';
  return n < 1024 ? `${Math.round(n)} B` : `${(n / 1024).toFixed(1)} kB`;
}

/** Prints rows as an aligned table (and as Markdown when `BENCH_MARKDOWN=1`, for docs). */
export function printTable(title: string, rows: ReadonlyArray<BenchRow>, note?: string): void {
  const md = process.env.BENCH_MARKDOWN === '1';
  const fmt = (n: number): string => (n >= 100 ? Math.round(n).toLocaleString('en-US') : n.toPrecision(3));
  const header = ['task', 'ops/s', 'mean µs', 'p50 µs', 'p99 µs', 'crosschannel ÷ this'];
  const body = rows.map((r) => [r.name, fmt(r.opsPerSec), fmt(r.meanUs), fmt(r.p50Us), fmt(r.p99Us), r.ratio === null ? '—' : `${r.ratio.toFixed(2)}×`]);
  console.log(`\n## ${title}${note ? `\n${note}` : ''}`);
  if (md) {
    console.log(`| ${header.join(' | ')} |\n|${header.map(() => '---').join('|')}|`);
    for (const b of body) console.log(`| ${b.join(' | ')} |`);
    return;
  }
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  const line = (cells: string[]): string => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  console.log(line(header));
  for (const b of body) console.log(line(b));
}

/**
 * Times a one-shot job (stitch 1M observations, fit a model): median wall time over `runs`, and the heap
 * growth of the first run. Prints nothing; callers put the numbers into their table or line.
 */
export async function timeJob<T>(fn: () => T | Promise<T>, runs = 3): Promise<{ medianMs: number; allMs: number[]; heapDeltaMB: number; result: T }> {
  const all: number[] = [];
  let result!: T;
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  const heap0 = process.memoryUsage().heapUsed;
  let heapDelta = 0;
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    result = await fn();
    all.push(performance.now() - t0);
    if (i === 0) heapDelta = (process.memoryUsage().heapUsed - heap0) / 1048576;
  }
  const sorted = [...all].sort((a, b) => a - b);
  return { medianMs: sorted[Math.floor(sorted.length / 2)]!, allMs: all, heapDeltaMB: heapDelta, result };
}

/** Throws unless crosschannel and the peer produced the same thing on the same input (checked before timing). */
export function checkSame(label: string, ours: unknown, peer: unknown): void {
  if (!isDeepStrictEqual(ours, peer)) {
    throw new Error(`${label}: crosschannel and the peer disagree:\n ours=${JSON.stringify(ours).slice(0, 500)}\n peer=${JSON.stringify(peer).slice(0, 500)}`);
  }
}

/**
 * Bytes one call allocates: the growth of V8's young generation across a single awaited call, between two
 * event-loop turns, over `samples` calls, less the same measurement around a call that awaits nothing (≈ 2 kB: the
 * awaits, the turn and the heap statistics themselves; what is left is within a few hundred bytes). A sample during
 * which a collection ran is dropped (it empties the young generation). Returns the median and the 90th percentile of the kept samples, and how many were kept. Objects
 * the call allocates straight in the old generation (large arrays, pretenured sites) are not counted.
 */
export async function allocatedPerCall(fn: () => Promise<unknown>, samples = 400): Promise<{ medianBytes: number; p90Bytes: number; kept: number }> {
  let collections = 0;
  const observer = new PerformanceObserver((list) => {
    collections += list.getEntries().length;
  });
  observer.observe({ entryTypes: ['gc'] });
  const young = (): number => getHeapSpaceStatistics().find((s) => s.space_name === 'new_space')!.space_used_size;
  const turn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));
  const measure = async (call: () => Promise<unknown>, n: number): Promise<number[]> => {
    const kept: number[] = [];
    for (let i = 0; i < n; i++) {
      await turn();
      const seen = collections;
      const before = young();
      await call();
      const after = young();
      await turn();
      if (collections === seen && after >= before) kept.push(after - before);
    }
    return kept.sort((a, b) => a - b);
  };
  try {
    const base = await measure(async () => {
      await undefined;
    }, 100);
    const overhead = base[Math.floor(base.length / 2)] ?? 0;
    const kept = await measure(fn, samples);
    const at = (q: number): number => (kept.length ? Math.max(0, kept[Math.min(kept.length - 1, Math.floor(kept.length * q))]! - overhead) : NaN);
    return { medianBytes: at(0.5), p90Bytes: at(0.9), kept: kept.length };
  } finally {
    observer.disconnect();
  }
}

/**
 * Runs `fn` and adds up the collector's pauses on the main thread meanwhile (V8's `GCProfiler`: every scavenge and
 * full collection, in ms). A scavenge's pause grows with the old generation (V8 visits every old page), so a process
 * holding a large state pays more per collection: this splits an operation's time into its own and the collector's.
 */
export async function gcPausesDuring<T>(fn: () => T | Promise<T>): Promise<{ value: T; pauseMs: number }> {
  const profiler = new GCProfiler();
  profiler.start();
  let value: T;
  try {
    value = await fn();
  } catch (e) {
    profiler.stop();
    throw e;
  }
  const { statistics } = profiler.stop();
  return { value, pauseMs: statistics.reduce((ms, x) => ms + x.cost / 1000, 0) };
}

/** Latency percentiles (µs) of an async operation run `n` times with `concurrency` in flight. */
export async function latencyOf(fn: () => Promise<unknown>, n: number, concurrency = 1): Promise<{ opsPerSec: number; p50Us: number; p99Us: number }> {
  const lat = new Float64Array(n);
  let next = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < n) {
        const i = next++;
        const s = performance.now();
        await fn();
        lat[i] = (performance.now() - s) * 1000;
      }
    }),
  );
  const elapsed = performance.now() - t0;
  lat.sort();
  return { opsPerSec: (n / elapsed) * 1000, p50Us: lat[Math.floor(n * 0.5)]!, p99Us: lat[Math.min(n - 1, Math.floor(n * 0.99))]! };
}

/**
 * The machine's own tail at a given call length: a loop of pure arithmetic (no allocation, no await, no I/O)
 * calibrated so its median takes about `targetUs`, timed `n` times through {@link latencyOf}. Its p99 ÷ p50 is
 * what scheduling, interrupts and the other core's work cost a call of that length on this machine: a library's
 * p99 ÷ p50 reads against it, measured in the same run.
 */
export async function noiseFloor(targetUs: number, n = 20_000): Promise<{ p50Us: number; p99Us: number; iterations: number }> {
  const data = new Float64Array(4096).map((_, i) => i * 0.5);
  let sink = 0;
  const spin = (iterations: number): number => {
    let s = 0;
    for (let i = 0; i < iterations; i++) s += data[i & 4095]! * 1.000001;
    return s;
  };
  // Calibrate: iterations per microsecond from a 20 ms run after warm-up.
  for (let i = 0; i < 200; i++) sink += spin(10_000);
  let iterations = 10_000;
  const t0 = performance.now();
  let runs = 0;
  while (performance.now() - t0 < 20) {
    sink += spin(iterations);
    runs++;
  }
  iterations = Math.max(1, Math.round((iterations * runs * targetUs) / ((performance.now() - t0) * 1000)));
  const call = async (): Promise<number> => (sink += spin(iterations));
  // Then through the timed path itself (its await adds to each call), twice, so the medians match.
  for (let pass = 0; pass < 2; pass++) iterations = Math.max(1, Math.round((iterations * targetUs) / (await latencyOf(call, 2000, 1)).p50Us));
  const r = await latencyOf(call, n, 1);
  if (sink === 0.5) console.log(''); // keeps the loop's result live
  return { p50Us: r.p50Us, p99Us: r.p99Us, iterations };
}

/** A redis-server started for one benchmark, and a connected ioredis client on it. */
export interface BenchRedis {
  readonly redis: Redis;
  readonly port: number;
  /** Quits the client and stops the server. */
  stop(): Promise<void>;
}

/**
 * Starts a private `redis-server` on a free loopback port (no persistence) and connects an ioredis client to
 * it; `null` when no redis-server is on PATH or it does not come up within 10 s.
 */
export async function startRedisServer(): Promise<BenchRedis | null> {
  const port = await new Promise<number>((resolve, reject) => {
    const srv = createServer();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => resolve(typeof addr === 'object' && addr ? addr.port : 0));
    });
  });
  const server = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
  let failed = false;
  server.on('error', () => {
    failed = true;
  });
  // Wait until the server accepts connections, then connect the client once (an ioredis client that failed
  // to connect keeps retrying on its own and refuses a second connect()).
  let listening = false;
  for (let i = 0; i < 200 && !failed && !listening; i++) {
    listening = await new Promise<boolean>((resolve) => {
      const sock = connect({ port, host: '127.0.0.1' }, () => {
        sock.destroy();
        resolve(true);
      });
      sock.on('error', () => resolve(false));
    });
    if (!listening) await new Promise((r) => setTimeout(r, 50));
  }
  const redis = new Redis({ port, host: '127.0.0.1', lazyConnect: true, maxRetriesPerRequest: 1 });
  redis.on('error', () => undefined);
  if (listening && (await redis.connect().then(() => true, () => false))) {
    return {
      redis,
      port,
      stop: async () => {
        await redis.quit().catch(() => undefined);
        server.kill('SIGTERM');
      },
    };
  }
  redis.disconnect();
  server.kill('SIGKILL');
  return null;
}
