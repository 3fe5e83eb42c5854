import { MemoryEventStore } from '../../src/adapters/memory/events.js';
import { PostgresEventStore } from '../../src/adapters/postgres/events.js';
import { runEventStoreConformance } from '../../src/testing/event-store.js';
import { createPglite, noPostgresServer, serverSql } from '../fixtures/pglite.js';
import fc from 'fast-check';
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
  it('refuses an option it does not have (maxSubjects) with CONFIG_INVALID at its name', () => {
    expect(() => new MemoryEventStore({ maxSubjects: 2 } as never)).toThrow(expect.objectContaining({ code: 'CONFIG_INVALID', path: 'maxSubjects' }));
  });
  it('keeps NUL and lone surrogates in types and properties (PostgreSQL refuses them)', async () => {
    const s = new MemoryEventStore();
    expect(await s.append([{ subjectId: 'p', type: 'a\u0000b', at: 1, properties: { note: 'x\u0000y', 'k\u0000': '\ud800' } }])).toBe(1);
    expect((await s.read('p', { types: ['a\u0000b'] }))[0]!.properties).toEqual({ note: 'x\u0000y', 'k\u0000': '\ud800' });
  });
  it('agrees with a plain list on windowed reads after appends, duplicate ids and drops (property)', async () => {
    // Oracle: every accepted event in a list, stably sorted by time (equal times keep append order), the oldest
    // dropped beyond the maximum; a read is a filter (the store finds a window's bounds by binary search).
    const event = fc.record({ at: fc.integer({ min: 0, max: 40 }), id: fc.option(fc.integer({ min: 0, max: 30 }), { nil: undefined }), type: fc.constantFrom('a', 'b') });
    const read = fc.record({ from: fc.option(fc.integer({ min: -1, max: 42 }), { nil: undefined }), to: fc.option(fc.integer({ min: -1, max: 42 }), { nil: undefined }), types: fc.option(fc.constantFrom(['a'], ['b'], ['a', 'b']), { nil: undefined }) });
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 12 }), fc.array(fc.array(event, { maxLength: 8 }), { maxLength: 6 }), fc.array(read, { minLength: 1, maxLength: 5 }), async (max, batches, reads) => {
        const store = new MemoryEventStore({ maxEventsPerSubject: max });
        let kept: Array<{ at: number; id?: string; type: string; seq: number }> = [];
        const ids = new Set<string>();
        let seq = 0;
        for (const batch of batches) {
          await store.append(batch.map((e) => ({ subjectId: 'p', type: e.type, at: e.at, ...(e.id === undefined ? {} : { id: `e${e.id}` }) })));
          for (const e of batch) {
            const id = e.id === undefined ? undefined : `e${e.id}`;
            if (id !== undefined && ids.has(id)) continue;
            if (id !== undefined) ids.add(id);
            kept.push({ at: e.at, type: e.type, seq: seq++, ...(id === undefined ? {} : { id }) });
            kept.sort((x, y) => x.at - y.at || x.seq - y.seq);
            if (kept.length > max) {
              for (const d of kept.slice(0, kept.length - max)) if (d.id !== undefined) ids.delete(d.id);
              kept = kept.slice(kept.length - max);
            }
          }
        }
        for (const r of reads) {
          const got = await store.read('p', { ...(r.from === undefined ? {} : { from: r.from }), ...(r.to === undefined ? {} : { to: r.to }), ...(r.types === undefined ? {} : { types: r.types }) });
          const want = kept.filter((e) => (r.from === undefined || e.at >= r.from) && (r.to === undefined || e.at < r.to) && (r.types === undefined || (r.types as readonly string[]).includes(e.type)));
          expect(got.map((e) => [e.at, e.id, e.type])).toEqual(want.map((e) => [e.at, e.id, e.type]));
        }
      }),
      { numRuns: 300 },
    );
  });
  it('a read bound that is not a number is a typed error', async () => {
    const s = new MemoryEventStore();
    await s.append([{ subjectId: 'p', type: 't', at: 1 }]);
    await expect(s.read('p', { from: Number.NaN })).rejects.toMatchObject({ code: 'INPUT_INVALID' });
  });
});

describe('PostgresEventStore', () => {
  it('rejects a table name that is not an identifier', async () => {
    const { sql } = await (pglite ??= createPglite());
    expect(() => new PostgresEventStore(sql, { table: 'x; DROP TABLE y' })).toThrow(/table/);
  });
  it('refuses NUL or a lone surrogate in a type or in properties with INPUT_INVALID at its path, writing nothing of the batch', async () => {
    const { sql } = await (pglite ??= createPglite());
    const s = new PostgresEventStore(sql, { table: `events_${++tables}` });
    await s.migrate();
    const ok = { subjectId: 'p', type: 'page_view', at: 1_000, id: 'ok', properties: { fine: 'é😀' } };
    const cases: Array<[Array<string | number>, Record<string, unknown>]> = [
      [[1, 'properties', 'note'], { properties: { note: 'a\u0000b' } }],
      [[1, 'type'], { type: 'a\u0000b' }],
      [[1, 'properties', 'k\u0000'], { properties: { 'k\u0000': 1 } }],
      [[1, 'properties', 'deep', 'list', 1], { properties: { deep: { list: ['x', '\ud800'] } } }],
      [[1, 'properties', 'lone'], { properties: { lone: 'x\udc00' } }],
      [[1, 'type'], { type: '\udbff' }],
    ];
    for (const [path, over] of cases) {
      const err = await s.append([ok, { subjectId: 'p', type: 't', at: 2_000, ...over }]).catch((e: unknown) => e);
      expect(err, JSON.stringify(path)).toMatchObject({ code: 'INPUT_INVALID', pathSegments: path });
      expect(await s.read('p')).toEqual([]);
    }
    expect(await s.append([ok, { subjectId: 'p', type: 't', at: 2_000, properties: { note: 'a\u0000b' } }]).catch((e: unknown) => e)).toMatchObject({ path: '[1].properties.note' });
    // Such a type can match nothing stored: the filter answers [] (the memory store's answer), not an engine error.
    await s.append([ok]);
    expect(await s.read('p', { types: ['a\u0000b', '\ud800'] })).toEqual([]);
    expect(await s.read('p', { types: ['page_view', '\ud800'] })).toHaveLength(1);
  });
  it('reads -0 back as 0 and an object`s keys in jsonb order (documented)', async () => {
    const { sql } = await (pglite ??= createPglite());
    const s = new PostgresEventStore(sql, { table: `events_${++tables}` });
    await s.migrate();
    await s.append([{ subjectId: 'p', type: 't', at: 1, properties: { zz: -0, a: 1 } }]);
    const [e] = await s.read('p');
    expect(Object.is(e!.properties.zz, 0)).toBe(true);
    expect(Object.keys(e!.properties)).toEqual(['a', 'zz']);
  });
  it('wraps engine failures as STORE_ERROR', async () => {
    const { sql } = await (pglite ??= createPglite());
    const s = new PostgresEventStore(sql, { table: 'not_migrated' });
    await expect(s.read('p')).rejects.toMatchObject({ code: 'STORE_ERROR' });
  });
});
