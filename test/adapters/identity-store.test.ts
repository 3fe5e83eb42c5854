import { afterAll } from 'vitest';
import { MemoryIdentityStore } from '../../src/adapters/memory/identity.js';
import { PostgresIdentityStore } from '../../src/adapters/postgres/identity.js';
import { runIdentityStoreConformance, type IdentityStoreOpener } from '../../src/testing/identity-store.js';
import { createPglite } from '../fixtures/pglite.js';

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
]);
