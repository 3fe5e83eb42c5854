/**
 * Reservations/s on one redis-server vs a 3-master Redis Cluster, 16 concurrent clients (one connection or
 * Cluster client each), same rules, same subjects, same run; the peer is rate-limiter-flexible's RateLimiterRedis
 * on the same two deployments (one rule, not atomic across rules).
 */
import { Redis, type Cluster } from 'ioredis';
import { RateLimiterRedis } from 'rate-limiter-flexible';
import { RedisContactHistoryStore } from '../../src/adapters/redis/contact-history.js';
import { parseCapRules } from '../../src/capping/rules.js';
import { DAY } from '../../src/core/time.js';
import { startRedisCluster } from '../../test/fixtures/redis-cluster.js';
import { printTable, startRedisServer, type BenchRow } from '../harness.js';

const NOW = Date.parse('2026-06-15T10:00:00Z');
const caps = parseCapRules({
  rules: [
    { id: 'all-1d', kind: 'limit', limit: 1_000, window: 'day' },
    { id: 'all-7d', kind: 'limit', limit: 5_000, window: { rolling: 7 * DAY } },
    { id: 'email-1d', kind: 'limit', limit: 800, window: 'day', scope: { channels: 'email' } },
    { id: 'marketing-7d', kind: 'limit', limit: 4_000, window: { rolling: 7 * DAY }, scope: { tags: 'marketing' } },
  ],
});

interface Run {
  readonly ops: number;
  readonly p50Us: number;
  readonly p99Us: number;
}

async function drive(clients: ReadonlyArray<Redis | Cluster>, n: number, label: string): Promise<{ ours: Run; peer: Run }> {
  const stores = clients.map((c) => new RedisContactHistoryStore(c, { prefix: `bench-${label}` }));
  const limiters = clients.map((c) => new RateLimiterRedis({ storeClient: c, points: 1_000_000, duration: DAY / 1000, keyPrefix: `rl-${label}` }));
  let seq = 0;
  const run = async (op: (client: number, i: number) => Promise<unknown>): Promise<Run> => {
    seq = 0;
    const lat = new Float64Array(n);
    const t0 = performance.now();
    await Promise.all(
      clients.map(async (_, client) => {
        while (seq < n) {
          const i = seq++;
          const s = performance.now();
          await op(client, i);
          lat[i] = (performance.now() - s) * 1000;
        }
      }),
    );
    const ops = (n / (performance.now() - t0)) * 1000;
    lat.sort();
    return { ops, p50Us: lat[Math.floor(n / 2)]!, p99Us: lat[Math.floor(n * 0.99)]! };
  };
  const reserve = (client: number, i: number) =>
    stores[client]!.reserve({ id: `c${i}`, subjectId: `p${i % 10_000}`, channel: 'email', tags: ['marketing'], at: NOW, idempotencyKey: `${label}-${i}` }, caps);
  const consume = (client: number, i: number) => limiters[client]!.consume(`p${i % 10_000}`);
  await run(reserve); // warm-up: scripts loaded on every node, JIT
  await run(consume);
  return { ours: await run(reserve), peer: await run(consume) };
}

export async function benchRedisCluster(): Promise<void> {
  const N = Number(process.env.SCALE_RESERVATIONS ?? 20_000);
  const single = await startRedisServer();
  if (!single) {
    console.log('\n## Redis Cluster\nskipped: no redis-server on PATH');
    return;
  }
  const cluster = await startRedisCluster({ masters: 3 });
  try {
    const singles = Array.from({ length: 16 }, () => new Redis({ port: single.port, host: '127.0.0.1' }));
    const clusters = Array.from({ length: 16 }, () => cluster.client());
    const one = await drive(singles, N, 'one');
    const three = await drive(clusters, N, 'three');
    const row = (name: string, r: Run, against: Run | null): BenchRow => ({ name, opsPerSec: r.ops, meanUs: 16e6 / r.ops, p50Us: r.p50Us, p99Us: r.p99Us, ratio: against === null ? null : against.ops / r.ops });
    printTable(
      `Reservations/s, 16 concurrent clients, ${N.toLocaleString('en-US')} reservations over 10,000 subjects (4 rules, atomic)`,
      [
        row('crosschannel reserve — 1 node', one.ours, null),
        row('crosschannel reserve — 3-master cluster', three.ours, one.ours),
        row('rate-limiter-flexible consume (1 rule) — 1 node', one.peer, one.ours),
        row('rate-limiter-flexible consume (1 rule) — 3-master cluster', three.peer, three.ours),
      ],
      'µs = latency of one call with 16 in flight; ratio column = crosschannel on the same deployment ÷ this row (cluster row: 1 node ÷ cluster).',
    );
    await Promise.all([...singles, ...clusters].map((c) => c.quit()));
  } finally {
    await cluster.stop();
    await single.stop();
  }
}
