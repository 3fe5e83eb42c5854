import { afterAll, describe, expect, it } from 'vitest';
import { MemoryIdentityStore } from '../../src/adapters/memory/identity.js';
import { identityMigrations, PostgresIdentityStore } from '../../src/adapters/postgres/identity.js';
import type { SqlClient } from '../../src/adapters/postgres/sql.js';
import { parseIdentityRules } from '../../src/identity/rules.js';
import type { PhoneNumberLibrary } from '../../src/identity/phone-lib-type.js';
import { runIdentityStoreConformance, type IdentityStoreOpener } from '../../src/testing/identity-store.js';
import { createPglite, noPostgresServer, serverSql } from '../fixtures/pglite.js';

/** A client the constructor accepts and these tests never reach (they check options). */
const unusedSql = { query: async () => ({ rows: [] }), transaction: async () => undefined } as unknown as SqlClient;

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
    expect(() => new PostgresIdentityStore(unusedSql, { tablePrefix: 'x; DROP TABLE y', erasureSalt: 'test' })).toThrow(/tablePrefix/);
    expect(identityMigrations('cc_identity')[0]!.sql).toContain('CREATE TABLE cc_identity_identifier');
  });
});

describe('a phone library passed in the rules (bundles, browsers)', () => {
  // Answers one fixed number, so the result shows which library normalised the phone.
  const phone: PhoneNumberLibrary = { parsePhoneNumberFromString: () => ({ isValid: () => true, number: '+10000000009' }), isSupportedCountry: () => true };
  const rules = parseIdentityRules({ normalization: { defaultCountry: 'FR' } }, { phone });
  const observation = [{ identifiers: [{ type: 'email', value: 'ph@shop.test' }, { type: 'phone', value: '06 12 34 56 78' }], at: 1 }];

  it('is used by MemoryIdentityStore and PostgresIdentityStore', async () => {
    pglite ??= createPglite();
    const pg = new PostgresIdentityStore((await pglite).sql, { rules, tablePrefix: 'cc_identity_phone_lib', erasureSalt: 'test' });
    await pg.migrate();
    for (const store of [new MemoryIdentityStore({ rules, erasureSalt: 'test' }), pg]) {
      await store.addObservations(observation);
      const pid = await store.lookup({ type: 'email', value: 'ph@shop.test' });
      expect(await store.identifiersOf(pid!)).toContainEqual({ type: 'phone', value: '+10000000009' });
    }
  });
});
