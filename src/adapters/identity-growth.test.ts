/** Defect 3 at the stores: a repeated observation writes no observation row, and last-seen survives reloads. */
import { describe, expect, it } from 'vitest';
import { MemoryIdentityStore } from './memory/identity.js';
import { PostgresIdentityStore } from './postgres/identity.js';
import type { IdentityStore } from '../identity/store.js';
import { createPglite } from '../../test/fixtures/pglite.js';

const ids = [{ type: 'anonymous_id', value: 'ck-1' }, { type: 'email', value: 'ada@shop.test' }];

async function seenRepeatedly(store: IdentityStore): Promise<void> {
  await store.addObservations([{ identifiers: ids, at: 1000, source: 'web' }]);
  for (let i = 1; i <= 50; i++) await store.addObservations([{ identifiers: i % 2 ? ids : ids.slice(0, 1), at: 1000 + i * 10, source: 'web' }]);
  const pid = (await store.lookup(ids[1]!))!;
  expect(await store.profile(pid)).toMatchObject({ firstSeen: 1000, lastSeen: 1500 });
  // A late-arriving older sighting is stored (it is not a repeat) and rewrites the component: last-seen stays.
  await store.addObservations([{ identifiers: ids.slice(0, 1), at: 500, source: 'import' }]);
  expect(await store.profile(pid)).toMatchObject({ firstSeen: 500, lastSeen: 1500 });
  // A new link is still stored and linked as before.
  await store.addObservations([{ identifiers: [ids[1]!, { type: 'loyalty_id', value: 'L-1' }], at: 2000, source: 'pos' }]);
  // (The stronger loyalty id now names the profile.)
  const merged = (await store.lookup(ids[0]!))!;
  expect(await store.lookup({ type: 'loyalty_id', value: 'L-1' })).toBe(merged);
  expect(await store.profile(merged)).toMatchObject({ firstSeen: 500, lastSeen: 2000 });
  expect((await store.audit(merged)).filter((a) => a.kind === 'linked')).toHaveLength(2);
}

describe('identity stores do not grow on repeated observations', () => {
  it('memory', async () => {
    const store = new MemoryIdentityStore();
    await seenRepeatedly(store);
    expect(store.graph.size.observations).toBe(3);
  });

  it('postgres (PGlite): one row per distinct link, last-seen kept across component reloads', async () => {
    const { sql, close } = await createPglite();
    try {
      const store = new PostgresIdentityStore(sql, { erasureSalt: 'test', tablePrefix: 'growth' });
      await store.migrate();
      await seenRepeatedly(store);
      const { rows } = await sql.query<{ n: number }>('SELECT count(*)::int AS n FROM growth_observation');
      expect(rows[0]!.n).toBe(3);
      // An erasure rewrites the component from its stored rows: the folded sightings' last-seen must survive.
      await store.removeIdentifier({ type: 'loyalty_id', value: 'L-1' }, 3000);
      const pid = (await store.lookup(ids[0]!))!;
      expect(await store.profile(pid)).toMatchObject({ firstSeen: 500, lastSeen: 2000 });
    } finally {
      await close();
    }
  });
});
