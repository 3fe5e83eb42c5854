/**
 * Capping benchmark.
 * 1. Memory: 10 rules × 50-contact history per subject, 100k subjects — `evaluateCaps` versus the same caps as
 *    `rate-limiter-flexible` RateLimiterMemory (one limiter per rule, pre-loaded with each subject's counts).
 * 2. Redis on loopback (own redis-server on a free port): atomic `reserve` (all rules checked and the contact
 *    recorded in one Lua call) versus RateLimiterRedis `consume` (one rule; and 7 rules via RateLimiterUnion,
 *    which is neither atomic across rules nor all-or-nothing), same server, concurrency 1 and 16; at 16 also the
 *    store with `batching: false` (one script call per reservation), on the same keys.
 */
import { RateLimiterMemory, RateLimiterRedis, RateLimiterUnion } from 'rate-limiter-flexible';
import { RedisContactHistoryStore } from '../src/adapters/redis/contact-history.js';
import { evaluateCaps, appliesTo, type CapCandidate } from '../src/capping/evaluate.js';
import { parseCapRules, type CapRuleSetInput } from '../src/capping/rules.js';
import { createRng } from '../src/core/random.js';
import { DAY } from '../src/core/time.js';
import type { ContactRecord, History } from '../src/core/records.js';
import { checkSame, compare, latencyOf, printTable, startRedisServer } from './harness.js';

// rate-limiter-flexible arms one timer per key; silence Node's warning about 14-day timers being long.
process.removeAllListeners('warning');
const SUBJECTS = Number(process.env.CAPPING_SUBJECTS ?? 100_000);
const NOW = Date.parse('2026-06-15T10:00:00Z');

// Ten caps that rate-limiter-flexible can express too: counts per rolling window and scope.
const RULES = [
  { id: 'all-1d', limit: 2, days: 1, scope: {} },
  { id: 'all-7d', limit: 6, days: 7, scope: {} },
  { id: 'all-14d', limit: 10, days: 14, scope: {} },
  { id: 'email-1d', limit: 1, days: 1, scope: { channels: ['email'] } },
  { id: 'email-7d', limit: 3, days: 7, scope: { channels: ['email'] } },
  { id: 'sms-1d', limit: 1, days: 1, scope: { channels: ['sms'] } },
  { id: 'sms-7d', limit: 3, days: 7, scope: { channels: ['sms'] } },
  { id: 'marketing-7d', limit: 4, days: 7, scope: { tags: ['marketing'] } },
  { id: 'marketing-14d', limit: 7, days: 14, scope: { tags: ['marketing'] } },
  { id: 'push-7d', limit: 5, days: 7, scope: { channels: ['push'] } },
] as const;
const ruleSet: CapRuleSetInput = {
  rules: RULES.map((r) => ({ id: r.id, kind: 'limit' as const, limit: r.limit, window: { rolling: r.days * DAY }, scope: JSON.parse(JSON.stringify(r.scope)) as Record<string, string[]> })),
};
const caps = parseCapRules(ruleSet);
const candidate: CapCandidate = { channel: 'email', tags: ['marketing'] };
const applicable = caps.rules.map((r, i) => (appliesTo(r, candidate) ? i : -1)).filter((i) => i >= 0);

// ---- data: 50 contacts per subject over the last 90 days (rate-limiter-flexible's memory timers overflow
// beyond 24.8 days, so no window is longer than 14 days)
const rng = createRng(42);
const CHANNELS = ['email', 'sms', 'push'];
function makeHistory(s: number, n: number): History {
  const contacts: ContactRecord[] = [];
  for (let i = 0; i < n; i++) {
    const ago = Math.floor(90 * DAY * rng.next());
    contacts.push({ id: `c${s}-${i}`, subjectId: `s${s}`, channel: CHANNELS[rng.int(3)]!, tags: rng.next() < 0.6 ? ['marketing'] : ['service'], at: NOW - ago - 1, transactional: false });
  }
  contacts.sort((a, b) => a.at - b.at);
  return { subjectId: `s${s}`, contacts, responses: [], events: [] };
}
console.log(`building ${SUBJECTS.toLocaleString('en-US')} subjects × 50 contacts…`);
const histories: History[] = Array.from({ length: SUBJECTS }, (_, s) => makeHistory(s, 50));

// Peer: one RateLimiterMemory per rule, loaded with each subject's count in the rule's window.
const limiters = RULES.map((r) => new RateLimiterMemory({ points: r.limit, duration: r.days * 86400, keyPrefix: r.id }));
const countIn = (h: History, ruleIndex: number): number => {
  const r = caps.rules[ruleIndex]!;
  const from = NOW - (RULES[ruleIndex]!.days * DAY);
  return h.contacts.filter((c) => c.at > from && (r.channels === null || r.channels.includes(c.channel)) && (r.tags === null || c.tags.some((t) => r.tags!.includes(t)))).length;
};
for (let s = 0; s < SUBJECTS; s++) {
  for (const i of applicable) {
    const n = countIn(histories[s]!, i);
    if (n > 0) await limiters[i]!.set(`s${s}`, n, RULES[i]!.days * 86400);
  }
}
async function peerAllowed(s: number): Promise<boolean> {
  let ok = true;
  for (const i of applicable) {
    const res = await limiters[i]!.get(`s${s}`);
    if (res !== null && res.consumedPoints >= RULES[i]!.limit) ok = false;
  }
  return ok;
}

const sample = Array.from({ length: 2000 }, (_, k) => k * Math.floor(SUBJECTS / 2000));
const ours = sample.map((s) => evaluateCaps(histories[s]!, caps, candidate, { now: NOW }).allowed);
const theirs = await Promise.all(sample.map(peerAllowed));
checkSame('allowed for 2,000 subjects', ours, theirs);
console.log(`allowed: ${ours.filter(Boolean).length} of ${ours.length} sampled subjects (both sides agree)`);

let a = 0;
let b = 0;
await compare(
  `Memory: evaluate 10 caps (${applicable.length} apply) on a 50-contact history, ${SUBJECTS.toLocaleString('en-US')} subjects`,
  { name: 'crosschannel evaluateCaps', fn: () => evaluateCaps(histories[a++ % SUBJECTS]!, caps, candidate, { now: NOW }) },
  [{ name: 'rate-limiter-flexible RateLimiterMemory ×10', fn: () => peerAllowed(b++ % SUBJECTS) }],
  { timeMs: 2000 },
);

// ---- Redis
if (process.env.CAPPING_SKIP_REDIS === '1') process.exit(0);
// The Redis rows do not run on the memory rows' heap: their 1 M contact records and the peer's 100,000s of keyed
// timers, kept alive, made every major collection during the Redis rows long, and the side that allocates more
// per call paid for it (2026-12-06, one run each: reserve at c=16 20,715 → 24,470/s, RateLimiterRedis 42,226 →
// 38,116/s; a profiling script that dropped its load promises: reserve 19,500 → 35,400/s, the peer unchanged).
histories.length = 0;
for (const limiter of limiters) for (let s = 0; s < SUBJECTS; s++) await limiter.delete(`s${s}`);
const started = await startRedisServer();
if (!started) {
  console.log('\n(redis-server not available: Redis rows skipped)');
  process.exit(0);
}
const { redis, port } = started;
try {
  const R_SUBJECTS = 10_000;
  const store = new RedisContactHistoryStore(redis, { prefix: 'bench', retention: '60d' });
  // The same keys through a store that sends one script call per reservation (no batching of concurrent calls).
  const single = new RedisContactHistoryStore(redis, { prefix: 'bench', retention: '60d', batching: false });
  console.log(`\nloading ${R_SUBJECTS.toLocaleString('en-US')} subjects × 20 contacts into redis-server :${port}…`);
  // Loaded in batches of 1,000 subjects: no array of 200,000 settled promises stays alive through the rows.
  for (let from = 0; from < R_SUBJECTS; from += 1000) {
    const batch = [];
    for (let s = from; s < Math.min(R_SUBJECTS, from + 1000); s++) for (const c of makeHistory(s, 20).contacts) batch.push(store.recordContact(c));
    await Promise.all(batch);
  }
  const rlOne = new RateLimiterRedis({ storeClient: redis, points: 10, duration: 7 * 86400, keyPrefix: 'rl-one' });
  const rlMany = applicable.map((i) => new RateLimiterRedis({ storeClient: redis, points: RULES[i]!.limit, duration: RULES[i]!.days * 86400, keyPrefix: `rl-${RULES[i]!.id}` }));
  const union = new RateLimiterUnion(...rlMany);
  let k = 0;
  let granted = 0;
  const reserveWith = (st: RedisContactHistoryStore) => async () => {
    const s = k++ % R_SUBJECTS;
    const r = await st.reserve({ id: `n${k}`, subjectId: `s${s}`, channel: 'email', tags: ['marketing'], at: NOW + k }, caps);
    if (r.granted) granted++;
  };
  const reserveOnce = reserveWith(store);
  const reserveSingle = reserveWith(single);
  let j = 0;
  const consumeOne = () => rlOne.consume(`s${j++ % R_SUBJECTS}`).catch(() => undefined);
  let u = 0;
  const consumeUnion = () => union.consume(`s${u++ % R_SUBJECTS}`).catch(() => undefined);
  const N = Number(process.env.CAPPING_REDIS_OPS ?? 20_000);
  await latencyOf(reserveOnce, 2000, 4); // warm-up (script load, JIT)
  // Server-side cost of one reservation script (Redis runs scripts one at a time: this bounds throughput).
  const scriptTime = async (what: string): Promise<void> => {
    await redis.config('RESETSTAT');
    const before = granted;
    await latencyOf(reserveOnce, 2000, 4);
    // Per reservation: at concurrency 4 the store sends reservations issued together as one script call.
    const evalsha = /cmdstat_evalsha:calls=(\d+),usec=(\d+),usec_per_call=([\d.]+)/.exec(await redis.info('commandstats'));
    const perReservation = evalsha ? (Number(evalsha[2]) / 2000).toFixed(1) : '?';
    console.log(`reservation script, ${what}: ${perReservation} µs of Redis time per reservation (${evalsha?.[1] ?? '?'} script calls for 2,000 reservations, ${granted - before} granted)`);
  };
  // Subjects not reserved for before: mostly grants, which also trim the third of the history past retention.
  await scriptTime('first reservation of a subject');
  const rows = [];
  for (const concurrency of [1, 16]) {
    const ours = await latencyOf(reserveOnce, N, concurrency);
    const unbatched = concurrency > 1 ? await latencyOf(reserveSingle, N, concurrency) : null;
    const one = await latencyOf(consumeOne, N, concurrency);
    const many = await latencyOf(consumeUnion, N, concurrency);
    rows.push(
      { name: `crosschannel reserve (10 rules, atomic) c=${concurrency}`, opsPerSec: ours.opsPerSec, meanUs: 1e6 / ours.opsPerSec * concurrency, p50Us: ours.p50Us, p99Us: ours.p99Us, ratio: null },
      ...(unbatched ? [{ name: `crosschannel reserve, one call each (batching: false) c=${concurrency}`, opsPerSec: unbatched.opsPerSec, meanUs: 1e6 / unbatched.opsPerSec * concurrency, p50Us: unbatched.p50Us, p99Us: unbatched.p99Us, ratio: ours.opsPerSec / unbatched.opsPerSec }] : []),
      { name: `RateLimiterRedis consume (1 rule) c=${concurrency}`, opsPerSec: one.opsPerSec, meanUs: 1e6 / one.opsPerSec * concurrency, p50Us: one.p50Us, p99Us: one.p99Us, ratio: ours.opsPerSec / one.opsPerSec },
      { name: `RateLimiterUnion ×${applicable.length} consume c=${concurrency}`, opsPerSec: many.opsPerSec, meanUs: 1e6 / many.opsPerSec * concurrency, p50Us: many.p50Us, p99Us: many.p99Us, ratio: ours.opsPerSec / many.opsPerSec },
    );
  }
  // Every subject has been reserved for by now: mostly refusals (the email-per-day cap is full).
  await scriptTime('subjects already reserved for');
  printTable(`Redis (loopback, own redis-server): reserve vs rate-limiter-flexible, ${N.toLocaleString('en-US')} ops each`, rows, `granted ${granted} reservations in total; ratio = crosschannel reserve (batching on, the default) ÷ this row at the same concurrency`);
} finally {
  await started.stop();
}
