import { afterAll, describe, expect, it } from 'vitest';
import { MemoryIdentityStore } from '../../src/adapters/memory/identity.js';
import { identityMigrations, PostgresIdentityStore } from '../../src/adapters/postgres/identity.js';
import type { SqlClient } from '../../src/adapters/postgres/sql.js';
import { runIdentityStoreConformance, type IdentityStoreOpener } from '../../src/testing/identity-store.js';
import { createPglite, noPostgresServer, serverSql } from '../fixtures/pglite.js';

// One in-process database for the file (starting PGlite is the slow part); each store gets its own tables.
let pglite: ReturnType<typeof createPglite> | undefined;
let tables = 0;
afterAll(async () => {
  if (pglite) await (await pglite).close();
});

runIdentityStoreConformance([
  { name: 'memory', create: (): IdentityStoreOpener => ({ open: async (o) => new MemoryIdentityStore(o) }) },
  {
    name: 'postgres (PGlite)',
    create: (): IdentityStoreOpener => ({
      open: async (o) => {
        pglite ??= createPglite();
        const store = new PostgresIdentityStore((await pglite).sql, { ...o, tablePrefix: `cc_identity_${tables++}` });
        await store.migrate();
        return store;
      },
    }),
  },
  {
    name: 'postgres (server)',
    skip: noPostgresServer,
    create: (): IdentityStoreOpener => ({
      open: async (o) => {
        const store = new PostgresIdentityStore(await serverSql(), { ...o, tablePrefix: `cc_identity_${tables++}` });
        await store.migrate();
        return store;
      },
    }),
  },
]);

describe('PostgresIdentityStore specifics', () => {
  it('answers lookup, resolve and profile in one round trip each, and migrates idempotently', async () => {
    pglite ??= createPglite();
    const { sql } = await pglite;
    let queries = 0;
    const counting: SqlClient = {
      query: (text, params) => {
        queries++;
        return sql.query(text, params);
      },
      transaction: (fn) => sql.transaction(fn),
    };
    const store = new PostgresIdentityStore(counting, { tablePrefix: 'cc_identity_roundtrips', erasureSalt: 'test' });
    await store.migrate();
    await store.migrate();
    await store.addObservations([{ identifiers: [{ type: 'email', value: 'rt@shop.test' }, { type: 'user_id', value: 'rt' }], at: 1 }]);
    queries = 0;
    const pid = await store.lookup({ type: 'email', value: 'RT@shop.test' });
    expect(queries).toBe(1);
    expect(await store.resolve([{ type: 'email', value: 'rt@shop.test' }, { type: 'user_id', value: 'rt' }])).toBe(pid);
    expect(queries).toBe(2);
    expect((await store.profile(pid!))?.identifiers).toHaveLength(2);
    expect(queries).toBe(3);
  });

  it('rejects an unsafe table prefix', () => {
    expect(() => new PostgresIdentityStore({} as SqlClient, { tablePrefix: 'x; DROP TABLE y', erasureSalt: 'test' })).toThrow(/tablePrefix/);
    expect(identityMigrations('cc_identity')[0]!.sql).toContain('CREATE TABLE cc_identity_identifier');
  });
});
