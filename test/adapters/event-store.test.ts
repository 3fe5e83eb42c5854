import { MemoryEventStore } from '../../src/adapters/memory/events.js';
import { PostgresEventStore } from '../../src/adapters/postgres/events.js';
import { runEventStoreConformance } from '../../src/testing/event-store.js';
import { createPglite, noPostgresServer, serverSql } from '../fixtures/pglite.js';
import { afterAll, describe, expect, it } from 'vitest';

// One in-process database for the file (starting PGlite is the slow part); each test gets its own table.
let pglite: ReturnType<typeof createPglite> | undefined;
let tables = 0;
afterAll(async () => {
  if (pglite) await (await pglite).close();
});

runEventStoreConformance([
  { name: 'memory', create: () => new MemoryEventStore() },
  {
    name: 'postgres (PGlite)',
    create: async () => {
      const { sql } = await (pglite ??= createPglite());
      const store = new PostgresEventStore(sql, { table: `events_${++tables}` });
      await store.migrate();
      await store.migrate(); // idempotent
      return store;
    },
  },
  {
    name: 'postgres (server)',
    skip: noPostgresServer,
    create: async () => {
      const store = new PostgresEventStore(await serverSql(), { table: `events_${++tables}` });
      await store.migrate();
      await store.migrate(); // idempotent
      return store;
    },
  },
]);

describe('MemoryEventStore', () => {
  it('keeps at most maxEventsPerSubject, dropping the oldest', async () => {
    const s = new MemoryEventStore({ maxEventsPerSubject: 2 });
    await s.append([1, 2, 3].map((at) => ({ subjectId: 'p', type: 't', at, id: `e${at}` })));
    expect((await s.read('p')).map((e) => e.at)).toEqual([2, 3]);
    // the dropped id may be appended again
    expect(await s.append([{ subjectId: 'p', type: 't', at: 4, id: 'e1' }])).toBe(1);
  });
  it('stores frozen events, so a reader cannot alter history', async () => {
    const s = new MemoryEventStore();
    await s.append([{ subjectId: 'p', type: 't', at: 1, properties: { a: { b: 1 } } }]);
    const [e] = await s.read('p');
    expect(Object.isFrozen(e)).toBe(true);
    expect(Object.isFrozen((e!.properties as { a: object }).a)).toBe(true);
  });
  it('rejects a bad option', () => {
    expect(() => new MemoryEventStore({ maxEventsPerSubject: 0 })).toThrow(/maxEventsPerSubject/);
  });
});

describe('PostgresEventStore', () => {
  it('rejects a table name that is not an identifier', async () => {
    const { sql } = await (pglite ??= createPglite());
    expect(() => new PostgresEventStore(sql, { table: 'x; DROP TABLE y' })).toThrow(/table/);
  });
  it('wraps engine failures as STORE_ERROR', async () => {
    const { sql } = await (pglite ??= createPglite());
    const s = new PostgresEventStore(sql, { table: 'not_migrated' });
    await expect(s.read('p')).rejects.toMatchObject({ code: 'STORE_ERROR' });
  });
});
