/**
 * Journeys benchmark.
 * 1. Pure `advance` over 1,000,000 in-flight instances of the cart-abandonment journey (memory only): every
 *    instance advanced at its wake-up, with consent checked and caps evaluated for each send. Instance-steps/s.
 * 2. Memory per waiting instance in `MemoryJourneyStore`, heap after GC ÷ instances.
 * 3. Redis runner on a real redis-server (loopback, started here): 4 runners (4 connections) drain N due
 *    instances (one send step each), then N timers spread over 3 s with the runners polling: throughput and
 *    wake-up lateness. Peer in the same run, same server: BullMQ delayed jobs, 4 workers, the same timers.
 *    Then enrolment: N people enrolled with 500 calls in flight, against BullMQ adding N delayed jobs the same
 *    way and with addBulk; and one input delivered to each of them (against the same Queue.add: a job per event).
 *    Nothing is recorded in a contact history on either side (BullMQ has none): the store and the timers only.
 * 4. PostgreSQL runner on a real PostgreSQL server (Debian's, started here in a throwaway directory, durability
 *    off): 4 runners on one `pg.Pool` of 10 drain N due instances, against pg-boss (the PostgreSQL job queue a
 *    user would pick) on the same server, 4 loops of `fetch` 200 + `complete` on its own pool of 10 (its fastest
 *    drain: `work()` sleeps its polling interval, ≥ 0.5 s, after each batch). Then N people enrolled with 500 calls
 *    in flight, against pg-boss `send` of a delayed job the same way and `insert` of 500 at a time, and one input
 *    delivered to each of them (against the same `send`: a job per inbound event). Median of 3 rounds each.
 * 5. Redis claims over due shards (`JOURNEYS_ONLY=claims`): `claimDue` alone (no completion) on a store of 1, 4 and
 *    16 due shards holding 10⁴ and 10⁵ due enrolments, batches of 1 and 100, 1 and 8 claimers (a connection each):
 *    claimed instances/s, latency per call, Node and Redis CPU per instance, bytes allocated per instance, Redis
 *    memory per enrolment. Peer in the same run: BullMQ workers taking due delayed jobs one at a time
 *    (`getNextJob`, which promotes the due delayed jobs, ≤ 1,000 a call, and moves one to active; BullMQ has no
 *    batch fetch, so batches of 100 have no peer row).
 */
import { Queue, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import pg from 'pg';
import PgBoss from 'pg-boss';
import { fromPg } from '../src/adapters/postgres/sql.js';
import { PostgresJourneyStore } from '../src/adapters/postgres/journeys.js';
import { startPostgresServer } from '../test/setup/postgres.js';
import { MemoryJourneyStore } from '../src/adapters/memory/journeys.js';
import { RedisJourneyStore } from '../src/adapters/redis/journeys.js';
import { DAY, HOUR } from '../src/core/time.js';
import { parseCapRules } from '../src/capping/rules.js';
import { consentState, parseConsentEvent } from '../src/consent/ledger.js';
import { advance } from '../src/journeys/advance.js';
import { parseJourney } from '../src/journeys/compile.js';
import { startInstance, type JourneyInstance } from '../src/journeys/instance.js';
import { createJourneyRunner } from '../src/journeys/runner.js';
import { entryPlan } from '../src/journeys/store.js';
import { cartAbandonment } from '../src/journeys/scenarios/fixtures.js';
import { allocatedPerCall, printTable, startRedisServer, type BenchRow } from './harness.js';

const INSTANCES = Number(process.env.JOURNEY_INSTANCES ?? 1_000_000);
const REDIS_N = Number(process.env.JOURNEY_REDIS_N ?? 20_000);
const TIMERS = Number(process.env.JOURNEY_TIMERS ?? 5_000);
const T0 = Date.parse('2026-03-02T08:00:00Z');
const gc = (globalThis as { gc?: () => void }).gc;

const row = (name: string, opsPerSec: number, p50Us: number, p99Us: number, ratio: number | null): BenchRow => ({ name, opsPerSec, meanUs: 1e6 / opsPerSec, p50Us, p99Us, ratio });
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
/** Runs `call(0 … n − 1)` with 500 calls in flight at a time. */
const inFlight = async (n: number, call: (i: number) => Promise<unknown>): Promise<void> => {
  for (let i = 0; i < n; i += 500) await Promise.all(Array.from({ length: Math.min(500, n - i) }, (_, k) => call(i + k)));
};
const pct = (xs: number[], p: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(s.length * p))] ?? 0;
};

function pureAdvance(): void {
  const journey = parseJourney(cartAbandonment);
  const consent = consentState(['push', 'email', 'sms'].map((channel) => parseConsentEvent({ id: channel, subjectId: 'x', channel, purpose: 'marketing', kind: 'granted', at: 0, evidence: { source: 'bench' } })));
  const caps = parseCapRules({ rules: [{ id: 'day', kind: 'limit', limit: 3, window: 'day', scope: { tags: 'marketing' } }, { id: 'night', kind: 'quiet', ranges: [{ from: '22:00', to: '07:00' }] }] });
  const history = { contacts: [], responses: [] };
  const inputs = { consent, caps, history };
  const instances: JourneyInstance[] = new Array(INSTANCES);
  for (let i = 0; i < INSTANCES; i++) instances[i] = startInstance(journey, `p${i}`, T0 + (i % 3600) * 1000);
  let steps = 0;
  let advances = 0;
  const t0 = performance.now();
  // Four rounds: entry (→ wait 1 h), push, email, SMS: every in-flight instance advanced at its wake-up.
  for (let round = 0; round < 4; round++) {
    for (let i = 0; i < INSTANCES; i++) {
      const inst = instances[i]!;
      if (inst.wakeAt === null) continue;
      const r = advance(journey, inst, inputs, inst.wakeAt);
      instances[i] = r.instance;
      steps += r.instance.seq - inst.seq + (r.instance.status === 'active' ? 0 : 1);
      advances++;
    }
  }
  const s = (performance.now() - t0) / 1000;
  printTable(`Pure advance, ${INSTANCES.toLocaleString('en-US')} in-flight instances (cart abandonment, consent + caps on every send)`, [
    row('advance — instance-steps/s', steps / s, 0, 0, null),
    row('advance — advances/s', advances / s, 0, 0, null),
  ], `${steps.toLocaleString('en-US')} steps in ${s.toFixed(1)} s; no npm peer has a pure journey engine to run on the same data.`);
}

async function memoryPerInstance(): Promise<void> {
  const journey = parseJourney(cartAbandonment);
  const n = Math.min(INSTANCES, 500_000);
  for (const size of [n / 10, n]) {
    gc?.();
    const before = process.memoryUsage().heapUsed;
    const store = new MemoryJourneyStore();
    const plan = entryPlan(journey, T0);
    for (let i = 0; i < size; i++) {
      const inst = advance(journey, startInstance(journey, `p${i}`, T0), {}, T0).instance; // waiting 1 h
      await store.enrol(inst, plan);
    }
    gc?.();
    const after = process.memoryUsage().heapUsed;
    console.log(`memory store: ${size.toLocaleString('en-US')} waiting instances → ${((after - before) / size).toFixed(0)} bytes per instance (heap after GC${gc ? '' : ' — run with --expose-gc'})`);
    if (store.size !== size) throw new Error('not all enrolled');
  }
}

async function redisRunner(): Promise<void> {
  const server = await startRedisServer();
  if (!server) {
    console.log('\nredis-server not found: Redis runner benchmark skipped');
    return;
  }
  // JOURNEYS_AUTOPIPELINE=1: ioredis `enableAutoPipelining` (commands issued in one tick share one socket write).
  const autoPipelining = process.env.JOURNEYS_AUTOPIPELINE === '1';
  const clients = [1, 2, 3, 4].map(() => new Redis({ port: server.port, host: '127.0.0.1', maxRetriesPerRequest: 1, enableAutoPipelining: autoPipelining }));
  try {
    const journey = parseJourney({ id: 'tick', version: 1, entry: { on: 'manual', reentry: 'always' }, start: 'go', steps: { go: { type: 'send', channel: 'email', message: 'm' } } });
    // --- throughput: N due instances, 4 runners drain ---
    const prefix = 'bench';
    const seedStore = new RedisJourneyStore(clients[0]!, { prefix, dueShards: 4 });
    const now0 = Date.now();
    await inFlight(REDIS_N, (i) => seedStore.enrol(startInstance(journey, `p${i}`, now0), entryPlan(journey, now0)));
    let sent = 0;
    const runners = clients.map((c, n) => createJourneyRunner({ store: new RedisJourneyStore(c, { prefix, dueShards: 4 }), journeys: [journey], owner: `r${n}`, batchSize: 200, handlers: { send: () => void sent++ } }));
    const t0 = performance.now();
    await Promise.all(runners.map((r) => r.drain(Date.now())));
    const oursRate = sent / ((performance.now() - t0) / 1000);
    if (sent !== REDIS_N) throw new Error(`sent ${sent} of ${REDIS_N}`);

    // --- peer throughput: N jobs due now, 4 workers ---
    const conn = { host: '127.0.0.1', port: server.port };
    const queue = new Queue('bench-now', { connection: conn });
    for (let i = 0; i < REDIS_N; i += 1000) await queue.addBulk(Array.from({ length: Math.min(1000, REDIS_N - i) }, (_, k) => ({ name: 'go', data: { p: i + k }, opts: { removeOnComplete: true } })));
    let done = 0;
    const t1 = performance.now();
    let workers: Worker[] = [];
    const finished = new Promise<void>((resolve) => {
      workers = [1, 2, 3, 4].map(() => new Worker('bench-now', async () => {
        if (++done === REDIS_N) resolve();
      }, { connection: conn, concurrency: 50 }));
    });
    await finished;
    await Promise.all(workers.map((w) => w.close()));
    const peerRate = REDIS_N / ((performance.now() - t1) / 1000);
    await queue.close();

    // --- lateness: TIMERS timers spread over 3 s ---
    const late: number[] = [];
    const lstore = new RedisJourneyStore(clients[0]!, { prefix: 'late', dueShards: 4 });
    const base = Date.now() + 1000;
    await inFlight(TIMERS, (i) => {
      const at = base + (i * 3000) / TIMERS;
      return lstore.enrol({ ...startInstance(journey, `q${i}`, at), wakeAt: at, stepAt: at }, entryPlan(journey, at));
    });
    const lrunners = clients.map((c, n) => createJourneyRunner({ store: new RedisJourneyStore(c, { prefix: 'late', dueShards: 4 }), journeys: [journey], owner: `l${n}`, batchSize: 200, handlers: { send: (a) => void late.push(Date.now() - a.at) } }));
    for (const r of lrunners) r.start({ clock: Date.now, intervalMs: 5 });
    while (late.length < TIMERS) await new Promise((r) => setTimeout(r, 50));
    await Promise.all(lrunners.map((r) => r.stop()));

    const peerLate: number[] = [];
    const dq = new Queue('bench-delayed', { connection: conn });
    const pbase = Date.now() + 1000;
    for (let i = 0; i < TIMERS; i += 1000) {
      await dq.addBulk(Array.from({ length: Math.min(1000, TIMERS - i) }, (_, k) => {
        const at = pbase + ((i + k) * 3000) / TIMERS;
        return { name: 'go', data: { at }, opts: { delay: Math.max(0, at - Date.now()), removeOnComplete: true } };
      }));
    }
    await new Promise<void>((resolve) => {
      const workers = [1, 2, 3, 4].map(() => new Worker('bench-delayed', async (job) => {
        peerLate.push(Date.now() - (job.data as { at: number }).at);
        if (peerLate.length === TIMERS) resolve();
      }, { connection: conn, concurrency: 50 }));
      const closeAll = (): void => void Promise.all(workers.map((w) => w.close()));
      const iv = setInterval(() => {
        if (peerLate.length >= TIMERS) {
          clearInterval(iv);
          closeAll();
        }
      }, 50);
    });
    await dq.close();

    // --- enrolment: N people enrolled (500 calls in flight at a time) vs BullMQ delayed jobs added the same way ---
    const enrolRates: number[] = [];
    const deliverRates: number[] = [];
    const addRates: number[] = [];
    const bulkRates: number[] = [];
    for (let round = 0; round < 3; round++) {
      const estore = new RedisJourneyStore(clients[round % 4]!, { prefix: `enrol${round}`, dueShards: 4 });
      const at = Date.now() + DAY;
      const ids: string[] = [];
      let t = performance.now();
      await inFlight(REDIS_N, async (i) => {
        const instance = { ...startInstance(journey, `e${i}`, at), wakeAt: at, stepAt: at };
        ids[i] = instance.id;
        if (!(await estore.enrol(instance, entryPlan(journey, at))).enrolled) throw new Error('an enrolment was refused');
      });
      enrolRates.push(REDIS_N / ((performance.now() - t) / 1000));
      // One input delivered to each person just enrolled (each then due at once).
      const dnow = Date.now();
      t = performance.now();
      await inFlight(REDIS_N, async (i) => {
        if (!(await estore.deliver(ids[i]!, { id: `in${i}`, event: { subjectId: `e${i}`, type: 'purchase', at: dnow, properties: {} } }, dnow))) throw new Error('a delivery was refused');
      });
      deliverRates.push(REDIS_N / ((performance.now() - t) / 1000));
      const aq = new Queue(`bench-add-${round}`, { connection: conn });
      t = performance.now();
      await inFlight(REDIS_N, (i) => aq.add('go', { p: i }, { delay: DAY }));
      addRates.push(REDIS_N / ((performance.now() - t) / 1000));
      const bq = new Queue(`bench-bulk-${round}`, { connection: conn });
      t = performance.now();
      for (let i = 0; i < REDIS_N; i += 500) await bq.addBulk(Array.from({ length: Math.min(500, REDIS_N - i) }, (_, k) => ({ name: 'go', data: { p: i + k }, opts: { delay: DAY } })));
      bulkRates.push(REDIS_N / ((performance.now() - t) / 1000));
      await aq.close();
      await bq.close();
    }
    const [enrolRate, addRate, bulkRate, deliverRate] = [median(enrolRates), median(addRates), median(bulkRates), median(deliverRates)];

    printTable(`Enrolment on one loopback redis-server: ${REDIS_N.toLocaleString('en-US')} people, 500 calls in flight (median of 3 rounds)`, [
      row('crosschannel RedisJourneyStore.enrol — people/s', enrolRate, 0, 0, null),
      row('BullMQ Queue.add, delayed job — jobs/s', addRate, 0, 0, enrolRate / addRate),
      row('BullMQ Queue.addBulk of 500, delayed jobs — jobs/s', bulkRate, 0, 0, enrolRate / bulkRate),
      row('crosschannel RedisJourneyStore.deliver, one input each — inputs/s', deliverRate, 0, 0, null),
      row('  the same ÷ BullMQ Queue.add', addRate, 0, 0, deliverRate / addRate),
    ], `rounds: crosschannel ${enrolRates.map((x) => Math.round(x)).join(' / ')}; deliver ${deliverRates.map((x) => Math.round(x)).join(' / ')}; add ${addRates.map((x) => Math.round(x)).join(' / ')}; addBulk ${bulkRates.map((x) => Math.round(x)).join(' / ')}. An enrolment also applies the entry rules (re-entry, the one active instance) and files the person's registries.`);
    printTable(`Redis runner, 4 runners on one loopback redis-server: ${REDIS_N.toLocaleString('en-US')} due steps drained`, [
      row(`crosschannel RedisJourneyStore + createJourneyRunner${autoPipelining ? ' (auto-pipelining)' : ''} — steps/s`, oursRate, 0, 0, null),
      row('BullMQ 4 workers × concurrency 50 — jobs/s', peerRate, 0, 0, oursRate / peerRate),
    ]);
    printTable(`Wake-up lateness, ${TIMERS.toLocaleString('en-US')} timers over 3 s (ms late, as µs columns ÷ 1000)`, [
      row('crosschannel (runners polling every 5 ms)', TIMERS / 3, pct(late, 0.5) * 1000, pct(late, 0.99) * 1000, null),
      row('BullMQ delayed jobs', TIMERS / 3, pct(peerLate, 0.5) * 1000, pct(peerLate, 0.99) * 1000, null),
    ], `crosschannel p50 ${pct(late, 0.5).toFixed(1)} ms, p99 ${pct(late, 0.99).toFixed(1)} ms; BullMQ p50 ${pct(peerLate, 0.5).toFixed(1)} ms, p99 ${pct(peerLate, 0.99).toFixed(1)} ms`);
  } finally {
    await Promise.all(clients.map((c) => c.quit().catch(() => undefined)));
    await server.stop();
  }
}

async function postgresRunner(): Promise<void> {
  const server = await startPostgresServer();
  if (!server) {
    console.log('\nPostgreSQL server binaries not found: PostgreSQL runner benchmark skipped');
    return;
  }
  const N = Number(process.env.JOURNEY_PG_N ?? 20_000);
  const journey = parseJourney({ id: 'tick', version: 1, entry: { on: 'manual', reentry: 'always' }, start: 'go', steps: { go: { type: 'send', channel: 'email', message: 'm' } } });
  const pool = new pg.Pool({ connectionString: server.url, max: 10 });
  pool.on('error', () => undefined);
  const boss = new PgBoss({ connectionString: server.url, max: 10, schedule: false, supervise: false });
  let stopping = false;
  // Its pool's connections end with the server at the end: not an error of the run.
  boss.on('error', (e: unknown) => stopping || console.error('pg-boss:', e));
  const rate = async (fn: () => Promise<number>): Promise<number> => {
    const t = performance.now();
    const n = await fn();
    return n / ((performance.now() - t) / 1000);
  };
  try {
    await boss.start();
    const sql = fromPg(pool);
    const rows = { enrol: [] as number[], deliver: [] as number[], send: [] as number[], insert: [] as number[], drain: [] as number[], fetch: [] as number[] };
    for (let round = 0; round < 3; round++) {
      // Enrolment: people waiting a day; pg-boss: jobs delayed a day.
      const estore = new PostgresJourneyStore(sql, { prefix: `enrol${round}` });
      await estore.migrate();
      const at = Date.now() + DAY;
      const enrolled: string[] = [];
      rows.enrol.push(await rate(async () => {
        await inFlight(N, async (i) => {
          const instance = { ...startInstance(journey, `e${i}`, at), wakeAt: at, stepAt: at };
          enrolled[i] = instance.id;
          const r = await estore.enrol(instance, entryPlan(journey, at));
          if (!r.enrolled) throw new Error('an enrolment was refused');
        });
        return N;
      }));
      // Deliveries: one input to each person enrolled above (each then due at once).
      const estart = Date.now();
      rows.deliver.push(await rate(async () => {
        await inFlight(N, async (i) => {
          const ok = await estore.deliver(enrolled[i]!, { id: `in${i}`, event: { subjectId: `e${i}`, type: 'purchase', at: estart, properties: {} } }, estart);
          if (!ok) throw new Error('a delivery was refused');
        });
        return N;
      }));
      await boss.createQueue(`send${round}`);
      rows.send.push(await rate(async () => (await inFlight(N, (i) => boss.send(`send${round}`, { p: i }, { startAfter: new Date(at) })), N)));
      await boss.createQueue(`insert${round}`);
      rows.insert.push(await rate(async () => {
        for (let i = 0; i < N; i += 500) await boss.insert(Array.from({ length: Math.min(500, N - i) }, (_, k) => ({ name: `insert${round}`, data: { p: i + k }, startAfter: new Date(at) })));
        return N;
      }));

      // Drain: N instances (jobs) due now, 4 runners (4 fetch loops).
      const prefix = `drain${round}`;
      const seed = new PostgresJourneyStore(sql, { prefix });
      await seed.migrate();
      const now0 = Date.now();
      await inFlight(N, (i) => seed.enrol(startInstance(journey, `p${i}`, now0), entryPlan(journey, now0)));
      let sent = 0;
      const runners = [0, 1, 2, 3].map((n) => createJourneyRunner({ store: new PostgresJourneyStore(sql, { prefix }), journeys: [journey], owner: `r${n}`, batchSize: 200, handlers: { send: () => void sent++ } }));
      rows.drain.push(await rate(async () => {
        await Promise.all(runners.map((r) => r.drain(Date.now())));
        return sent;
      }));
      if (sent !== N) throw new Error(`sent ${sent} of ${N}`);
      const queue = `now${round}`;
      await boss.createQueue(queue);
      for (let i = 0; i < N; i += 500) await boss.insert(Array.from({ length: Math.min(500, N - i) }, (_, k) => ({ name: queue, data: { p: i + k } })));
      let done = 0;
      rows.fetch.push(await rate(async () => {
        await Promise.all([0, 1, 2, 3].map(async () => {
          for (;;) {
            const jobs = await boss.fetch(queue, { batchSize: 200 });
            if (jobs.length === 0) return;
            done += jobs.length;
            await boss.complete(queue, jobs.map((j) => j.id));
          }
        }));
        return done;
      }));
      if (done !== N) throw new Error(`pg-boss completed ${done} of ${N}`);
    }
    const m = Object.fromEntries(Object.entries(rows).map(([k, v]) => [k, median(v)])) as Record<keyof typeof rows, number>;
    const rounds = (xs: number[]): string => xs.map((x) => Math.round(x)).join(' / ');
    printTable(`Enrolment on a local PostgreSQL server: ${N.toLocaleString('en-US')} people, 500 calls in flight (median of 3 rounds)`, [
      row('crosschannel PostgresJourneyStore.enrol — people/s', m.enrol, 0, 0, null),
      row('pg-boss send, delayed job — jobs/s', m.send, 0, 0, m.enrol / m.send),
      row('pg-boss insert of 500, delayed jobs — jobs/s', m.insert, 0, 0, m.enrol / m.insert),
      row('crosschannel PostgresJourneyStore.deliver, one input each — inputs/s', m.deliver, 0, 0, null),
      row('  the same ÷ pg-boss send', m.send, 0, 0, m.deliver / m.send),
    ], `rounds: crosschannel ${rounds(rows.enrol)}; deliver ${rounds(rows.deliver)}; send ${rounds(rows.send)}; insert ${rounds(rows.insert)}. An enrolment also applies the entry rules (re-entry, the one active instance) and records the entry; a delivery files the input once per id and wakes the instance.`);
    printTable(`PostgreSQL runner, 4 runners on one pool of 10: ${N.toLocaleString('en-US')} due steps drained (median of 3 rounds)`, [
      row('crosschannel PostgresJourneyStore + createJourneyRunner — steps/s', m.drain, 0, 0, null),
      row('pg-boss 4 loops of fetch 200 + complete — jobs/s', m.fetch, 0, 0, m.drain / m.fetch),
    ], `rounds: crosschannel ${rounds(rows.drain)}; pg-boss ${rounds(rows.fetch)}`);
  } finally {
    stopping = true;
    await boss.stop({ graceful: false, wait: true }).catch(() => undefined);
    await pool.end().catch(() => undefined);
    await server.stop();
  }
}

/** One measured configuration of the claim section. */
interface ClaimRun {
  readonly name: string;
  readonly items: number;
  readonly perSec: number;
  readonly p50Us: number;
  readonly p99Us: number;
  readonly nodeUs: number;
  readonly redisUs: number;
  readonly allocB: number;
  readonly memB: number;
}

/** Redis's CPU seconds so far (user + sys). */
const redisCpu = async (r: Redis): Promise<number> => {
  const info = await r.info('cpu');
  const get = (k: string): number => Number(new RegExp(`${k}:([\\d.]+)`).exec(info)?.[1] ?? 0);
  return get('used_cpu_user') + get('used_cpu_sys');
};
const redisMemory = async (r: Redis): Promise<number> => Number(/used_memory:(\d+)/.exec(await r.info('memory'))?.[1] ?? 0);

/**
 * `claimers` loops each calling `claim()` (it returns how many it took) until `ms` have passed and `minItems` were
 * taken (at most 60 s); `bump()` is called once `roundItems` were taken since the last one. Items/s, call latency,
 * and Node and Redis CPU µs per item.
 */
async function timedClaims(redis: Redis, claimers: number, ms: number, minItems: number, roundItems: number, claim: (claimer: number) => Promise<number>, bump: () => void): Promise<Omit<ClaimRun, 'name' | 'allocB' | 'memB'>> {
  const lat: number[] = [];
  let items = 0;
  let since = 0;
  const cpu0 = process.cpuUsage();
  const r0 = await redisCpu(redis);
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: claimers }, async (_, c) => {
      while ((performance.now() - t0 < ms || items < minItems) && performance.now() - t0 < 60_000) {
        const s = performance.now();
        const n = await claim(c);
        lat.push((performance.now() - s) * 1000);
        items += n;
        since += n;
        if (since >= roundItems) since = 0, bump();
        if (n === 0) return;
      }
    }),
  );
  const elapsed = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const r1 = await redisCpu(redis);
  return { items, perSec: items / elapsed, p50Us: pct(lat, 0.5), p99Us: pct(lat, 0.99), nodeUs: (cpu.user + cpu.system) / items, redisUs: ((r1 - r0) * 1e6) / items };
}

async function claimShards(): Promise<void> {
  const server = await startRedisServer();
  if (!server) {
    console.log('\nredis-server not found: claim benchmark skipped');
    return;
  }
  const sizes = (process.env.JOURNEY_CLAIM_N ?? '10000,100000').split(',').map(Number);
  const shardCounts = (process.env.JOURNEY_CLAIM_SHARDS ?? '1,4,16').split(',').map(Number);
  const ms = Number(process.env.JOURNEY_CLAIM_MS ?? 1500);
  const LEASE = 60_000;
  const clients = Array.from({ length: 8 }, () => new Redis({ port: server.port, host: '127.0.0.1', maxRetriesPerRequest: 1 }));
  const conn = { host: '127.0.0.1', port: server.port };
  const journey = parseJourney({ id: 'tick', version: 1, entry: { on: 'manual', reentry: 'always' }, start: 'go', steps: { go: { type: 'send', channel: 'email', message: 'm' } } });
  const runs = new Map<number, ClaimRun[]>();
  const add = (n: number, r: ClaimRun): void => void (runs.get(n) ?? runs.set(n, []).get(n)!).push(r);
  try {
    for (const n of sizes) {
      for (const shards of shardCounts) {
        // n enrolments due over the past hour (ids and due times interleaved, so the claim order is neither).
        const prefix = `claim-${n}-${shards}`;
        const seed = new RedisJourneyStore(server.redis, { prefix, dueShards: shards });
        const base = Date.now();
        await server.redis.flushall();
        gc?.();
        const mem0 = await redisMemory(server.redis);
        await inFlight(n, (i) => {
          const at = base - HOUR + ((i * 7919) % 3600) * 1000;
          return seed.enrol({ ...startInstance(journey, `p${i}`, at), wakeAt: at, stepAt: at }, entryPlan(journey, at));
        });
        const memB = ((await redisMemory(server.redis)) - mem0) / n;
        let now = base;
        const stores = clients.map((c) => new RedisJourneyStore(c, { prefix, dueShards: shards }));
        // Warm-up: the scripts loaded, the JIT.
        for (let i = 0; i < 20; i++) await stores[0]!.claimDue(now, { limit: 100, leaseMs: LEASE, owner: 'w' });
        for (const batch of [1, 100]) {
          for (const claimers of [1, 8]) {
            // Every half of the set taken, the clock moves past the leases: n due again (the taken ones at their lease end).
            now += LEASE + 1;
            const bump = (): void => void (now += LEASE + 1);
            const claim = async (c: number): Promise<number> => (await stores[c]!.claimDue(now, { limit: batch, leaseMs: LEASE, owner: `c${c}` })).length;
            const r = await timedClaims(server.redis, claimers, ms, 0, n / 2, claim, bump);
            now += LEASE + 1;
            const alloc = await allocatedPerCall(() => stores[0]!.claimDue(now, { limit: batch, leaseMs: LEASE, owner: 'a' }), Math.min(200, Math.floor(n / 2 / batch)));
            add(n, { ...r, name: `crosschannel ${shards} shard${shards > 1 ? 's' : ''}, batch ${batch}, ${claimers} claimer${claimers > 1 ? 's' : ''}`, allocB: alloc.medianBytes / batch, memB });
          }
        }
      }
      // The peer: n delayed jobs, due by now; workers take them one by one (each take first promotes up to 1,000 due
      // delayed jobs to the wait list: half of them taken at least, so that cost is spread as in a drain).
      for (const claimers of [1, 8]) {
        await server.redis.flushall();
        gc?.();
        const mem0 = await redisMemory(server.redis);
        const q = new Queue(`claims-${n}-${claimers}`, { connection: conn });
        for (let i = 0; i < n; i += 1000) await q.addBulk(Array.from({ length: Math.min(1000, n - i) }, (_, k) => ({ name: 'go', data: { p: i + k }, opts: { delay: 1 + ((i + k) % 500) } })));
        const memB = ((await redisMemory(server.redis)) - mem0) / n;
        await new Promise((r) => setTimeout(r, 600));
        const workers = Array.from({ length: claimers }, () => new Worker(q.name, null, { connection: conn, autorun: false }));
        await Promise.all(workers.map((w) => w.waitUntilReady()));
        let tokens = 0;
        const take = async (c: number): Promise<number> => ((await workers[c]!.getNextJob(`t${++tokens}`, { block: false })) ? 1 : 0);
        const r = await timedClaims(server.redis, claimers, ms, n / 2, Infinity, take, () => undefined);
        const alloc = await allocatedPerCall(() => take(0), 200);
        add(n, { ...r, name: `BullMQ getNextJob of a due delayed job, ${claimers} worker${claimers > 1 ? 's' : ''}`, allocB: alloc.medianBytes, memB });
        await Promise.all(workers.map((w) => w.close()));
        await q.close();
      }
    }
  } finally {
    await Promise.all(clients.map((c) => c.quit().catch(() => undefined)));
    await server.stop();
  }
  const md = process.env.BENCH_MARKDOWN === '1';
  const fmt = (x: number): string => (x >= 100 ? Math.round(x).toLocaleString('en-US') : x.toPrecision(3));
  for (const [n, rs] of runs) {
    const peer = (claimers: number): ClaimRun | undefined => rs.find((r) => r.name.startsWith('BullMQ') && r.name.endsWith(claimers > 1 ? `${claimers} workers` : '1 worker'));
    const header = ['task', 'instances/s', 'p50 µs/call', 'p99 µs/call', 'µs/instance', 'Node CPU µs/inst.', 'Redis CPU µs/inst.', 'alloc B/inst.', 'Redis B/enrolment', 'per inst. ÷ BullMQ'];
    const body = rs.map((r) => {
      const p = r.name.startsWith('crosschannel') ? peer(r.name.endsWith('8 claimers') ? 8 : 1) : undefined;
      return [r.name, fmt(r.perSec), fmt(r.p50Us), fmt(r.p99Us), fmt(1e6 / r.perSec), fmt(r.nodeUs), fmt(r.redisUs), fmt(r.allocB), fmt(r.memB), p ? `${(r.perSec / p.perSec).toFixed(2)}×` : '—'];
    });
    console.log(`\n## Redis claims over due shards: ${n.toLocaleString('en-US')} due enrolments, ${ms} ms a row, claimDue alone (no completion)`);
    console.log('per inst. ÷ BullMQ: instances/s ÷ the BullMQ row with as many workers (taking one job a call).');
    if (md) {
      console.log(`| ${header.join(' | ')} |\n|${header.map(() => '---').join('|')}|`);
      for (const b of body) console.log(`| ${b.join(' | ')} |`);
      continue;
    }
    const widths = header.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
    for (const cells of [header, ...body]) console.log(cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  '));
  }
}

// How busy this machine is: the same loop takes ~0.2 s on an idle modern core; scale the numbers below by it.
{
  const t = performance.now();
  let x = 0;
  for (let i = 0; i < 2e8; i++) x += i & 7;
  console.log(`calibration: 2e8-iteration integer loop ${Math.round(performance.now() - t)} ms (≈200 ms on an idle core)${x < 0 ? '' : ''}`);
}
// JOURNEYS_ONLY=redis, postgres or claims: that section alone.
const only = process.env.JOURNEYS_ONLY;
if (only === undefined) {
  pureAdvance();
  await memoryPerInstance();
}
if (only === undefined || only === 'redis') await redisRunner();
if (only === undefined || only === 'postgres') await postgresRunner();
if (only === undefined || only === 'claims') await claimShards();
void DAY;
void HOUR;
