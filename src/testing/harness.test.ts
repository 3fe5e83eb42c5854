/** The adapter test harness itself: real redis-server, PGlite, and the conformance runner. */
import { afterAll, describe, expect, it } from 'vitest';
import { createRedis, noRedis, uniquePrefix } from '../../test/fixtures/redis.js';
import { createPglite } from '../../test/fixtures/pglite.js';
import { runConformance } from './harness.js';
import { subjectKey } from '../adapters/redis/keys.js';

describe.skipIf(noRedis)('real redis-server from the global setup', () => {
  const redis = noRedis ? undefined : createRedis();
  afterAll(async () => {
    await redis?.quit();
  });
  it('answers and keeps keys of one subject in one cluster slot', async () => {
    expect(await redis!.ping()).toBe('PONG');
    const p = uniquePrefix('harness');
    const a = subjectKey(p, 'cust-{1}', 'contacts');
    const b = subjectKey(p, 'cust-{1}', 'responses');
    expect(a).toBe(`${p}:{cust-%7B1%7D}:contacts`);
    const slotA = (await redis!.call('CLUSTER', 'KEYSLOT', a).catch(() => null)) as number | null;
    // CLUSTER KEYSLOT works without cluster mode on Redis ≥ 7; older servers refuse it — then compare tags.
    if (slotA !== null) expect(await redis!.call('CLUSTER', 'KEYSLOT', b)).toBe(slotA);
    else expect(a.match(/\{[^}]*\}/)?.[0]).toBe(b.match(/\{[^}]*\}/)?.[0]);
  });
});

describe('PGlite fixture', () => {
  it('runs SQL and transactions in process', async () => {
    const { sql, close } = await createPglite();
    try {
      await sql.query('CREATE TABLE t (x int)');
      await sql.transaction(async (tx) => {
        await tx.query('INSERT INTO t VALUES ($1)', [1]);
      });
      await expect(
        sql.transaction(async (tx) => {
          await tx.query('INSERT INTO t VALUES ($1)', [2]);
          throw new Error('abort');
        }),
      ).rejects.toThrow('abort');
      const { rows } = await sql.query<{ n: number }>('SELECT count(*)::int AS n FROM t');
      expect(rows[0]!.n).toBe(1);
    } finally {
      await close();
    }
  });
});

// A toy interface run through the harness with two implementations, to show it runs the same body on each.
interface Counter {
  add(n: number): Promise<number>;
}
const seen: string[] = [];
runConformance<Counter & { kind: string }>(
  'Counter',
  [
    { name: 'closure', create: () => { let v = 0; return { kind: 'closure', add: async (n) => (v += n) }; } },
    { name: 'map', create: () => { const m = new Map([['v', 0]]); return { kind: 'map', add: async (n) => { m.set('v', m.get('v')! + n); return m.get('v')!; } }; } },
  ],
  (store) => {
    it('starts fresh for every test', async () => {
      seen.push(store().kind);
      expect(await store().add(2)).toBe(2);
      expect(await store().add(3)).toBe(5);
    });
  },
);
afterAll(() => {
  expect(seen.sort()).toEqual(['closure', 'map']);
});
