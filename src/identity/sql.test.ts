import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isCrossChannelError } from '../core/errors.js';
import type { SqlClient } from '../core/sql.js';
import { identityComponentsFromSql, identityComponentsIntoSql } from './sql.js';
import { createPglite, createPostgresDb, postgresServerUrl } from '../../test/fixtures/pglite.js';
import { createDuckDB } from '../../test/fixtures/duckdb.js';
import { fromPg } from '../adapters/postgres/sql.js';

const NOW = Date.UTC(2026, 5, 1);
const DAY = 86_400_000;
interface Link {
  a: string;
  b: string;
  at: number;
}

/** Oracle: the same set-wise rules, then a plain union-find. Returns the partition as sorted lists. */
function oracle(links: ReadonlyArray<Link>, o: { blocked: string[]; maxDegree?: number; maxAgeDays?: number; nonLinking?: string[] }): string[][] {
  return oracleWithAttachments(links, o).partition;
}

function oracleWithAttachments(
  links: ReadonlyArray<Link>,
  o: { blocked: string[]; maxDegree?: number; maxAgeDays?: number; nonLinking?: string[] },
): { partition: string[][]; attached: Map<string, string[][]> } {
  let kept = links.filter((l) => (o.maxAgeDays === undefined || l.at >= NOW - o.maxAgeDays * DAY) && !o.blocked.includes(l.a) && !o.blocked.includes(l.b));
  const shared = (x: string): boolean => (o.nonLinking ?? []).includes(x.split(':')[0]!);
  const sharedIds = new Set(kept.flatMap((l) => [l.a, l.b]).filter(shared));
  const seenWith = kept.flatMap((l) => (shared(l.a) && !shared(l.b) ? [[l.a, l.b]] : shared(l.b) && !shared(l.a) ? [[l.b, l.a]] : []));
  kept = kept.filter((l) => !shared(l.a) && !shared(l.b));
  // Identifiers maxDegree drops leave the graph entirely (their self rows too).
  const dropped = new Set<string>();
  if (o.maxDegree !== undefined) {
    const nb = new Map<string, Set<string>>();
    for (const l of kept) {
      if (l.a === l.b) continue;
      (nb.get(l.a) ?? nb.set(l.a, new Set()).get(l.a)!).add(l.b);
      (nb.get(l.b) ?? nb.set(l.b, new Set()).get(l.b)!).add(l.a);
    }
    const highDegree = new Set([...nb].filter(([, s]) => s.size > o.maxDegree!).map(([k]) => k));
    for (const x of highDegree) dropped.add(x);
    kept = kept.filter((l) => !highDegree.has(l.a) && !highDegree.has(l.b));
  }
  const parent = new Map<string, string>();
  const find = (x: string): string => {
    let r = x;
    while (parent.get(r) !== r) r = parent.get(r)!;
    parent.set(x, r);
    return r;
  };
  for (const l of kept) {
    for (const x of [l.a, l.b]) if (!parent.has(x)) parent.set(x, x);
    parent.set(find(l.a), find(l.b));
  }
  for (const n of sharedIds) parent.set(n, n);
  for (const [, y] of seenWith) if (!parent.has(y!) && !dropped.has(y!)) parent.set(y!, y!);
  const groups = partition(new Map([...parent.keys()].map((k) => [k, find(k)])));
  // Attachments as the member lists of the components each shared identifier was seen with.
  const attached = new Map<string, string[][]>();
  for (const [n, y] of seenWith) {
    if (!parent.has(y!)) continue;
    const g = groups.find((m) => m.includes(y!))!;
    const list = attached.get(n!) ?? attached.set(n!, []).get(n!)!;
    if (!list.includes(g)) list.push(g);
  }
  for (const list of attached.values()) list.sort((x, y) => (x[0]! < y[0]! ? -1 : 1));
  return { partition: groups, attached };
}

function partition(componentOf: ReadonlyMap<string, string>): string[][] {
  const groups = new Map<string, string[]>();
  for (const [id, c] of componentOf) (groups.get(c) ?? groups.set(c, []).get(c)!).push(id);
  return [...groups.values()].map((g) => g.sort()).sort((x, y) => (x[0]! < y[0]! ? -1 : 1));
}

async function load(sql: SqlClient, links: ReadonlyArray<Link>): Promise<void> {
  await sql.query('DROP TABLE IF EXISTS identity_links');
  await sql.query('CREATE TABLE identity_links (a text, b text, seen_at bigint)');
  if (links.length > 0) await sql.query(`INSERT INTO identity_links VALUES ${links.map((l) => `('${l.a}', '${l.b}', ${l.at})`).join(', ')}`);
}

const idArb = fc.integer({ min: 0, max: 24 }).map((i) => `id${i}`);
const linksArb = fc.array(fc.record({ a: idArb, b: idArb, at: fc.integer({ min: -60, max: 0 }).map((d) => NOW + d * DAY) }), { maxLength: 40 });
const rulesArb = fc.record(
  { blocked: fc.subarray(['id1', 'id2', 'id3']), maxDegree: fc.integer({ min: 1, max: 5 }), maxAgeDays: fc.integer({ min: 0, max: 60 }) },
  { requiredKeys: ['blocked'] },
);

describe('identity components in SQL: the client', () => {
  it('refuses something without query() with INPUT_INVALID at client (null was a TypeError)', async () => {
    for (const client of [null, {}, { query: 1 }, 'postgres://']) {
      await expect(identityComponentsFromSql(client as never, 0)).rejects.toMatchObject({ code: 'INPUT_INVALID', path: 'client' });
    }
  });
});

describe('identity components in SQL equal an in-memory union-find', () => {
  const engines: Array<{ name: string; sql: SqlClient; close: () => unknown }> = [];
  beforeAll(async () => {
    const pg = await createPglite();
    const duck = await createDuckDB();
    engines.push({ name: 'postgres (PGlite)', sql: pg.sql, close: pg.close }, { name: 'duckdb', sql: duck.sql, close: duck.close });
    const url = postgresServerUrl();
    if (url) {
      const server = await createPostgresDb(url);
      engines.push({ name: 'postgres (server)', sql: server.sql, close: server.close });
    }
  });
  afterAll(async () => {
    for (const e of engines) await e.close();
  });

  for (const name of ['postgres (PGlite)', 'duckdb', ...(postgresServerUrl() ? ['postgres (server)'] : [])]) {
    it(`random link sets with the set-wise rules (${name})`, async () => {
      const { sql } = engines.find((e) => e.name === name)!;
      await fc.assert(
        fc.asyncProperty(linksArb, rulesArb, async (links, rules) => {
          await load(sql, links);
          const r = await identityComponentsFromSql(sql, NOW, {
            at: 'seen_at',
            blocked: rules.blocked,
            ...(rules.maxDegree === undefined ? {} : { maxDegree: rules.maxDegree }),
            ...(rules.maxAgeDays === undefined ? {} : { maxLinkAge: rules.maxAgeDays * DAY }),
          });
          expect(partition(r.componentOf)).toEqual(oracle(links, rules));
          expect(r.components).toBe(partition(r.componentOf).length);
          // The same components written into a table in the engine.
          const into = await identityComponentsIntoSql(sql, NOW, { into: 'cc_components_out', replace: true }, {
            at: 'seen_at',
            blocked: rules.blocked,
            ...(rules.maxDegree === undefined ? {} : { maxDegree: rules.maxDegree }),
            ...(rules.maxAgeDays === undefined ? {} : { maxLinkAge: rules.maxAgeDays * DAY }),
          });
          const rows = (await sql.query<{ identifier: string; component: string }>('SELECT identifier, component FROM cc_components_out')).rows;
          expect(partition(new Map(rows.map((x) => [x.identifier, x.component])))).toEqual(oracle(links, rules));
          expect({ identifiers: into.identifiers, components: into.components, rounds: into.rounds }).toEqual({ identifiers: r.componentOf.size, components: r.components, rounds: r.rounds });
        }),
        { numRuns: 25 },
      );
    });

    it(`non-linking types: never linked, a component each, attached to what they were seen with (${name})`, async () => {
      const { sql } = engines.find((e) => e.name === name)!;
      const typed = fc.tuple(fc.constantFrom('email', 'device', 'user_id'), fc.integer({ min: 0, max: 12 })).map(([t, i]) => `${t}:i${i}`);
      const typedLinks = fc.array(fc.record({ a: typed, b: typed, at: fc.constant(NOW) }), { maxLength: 30 });
      await fc.assert(
        fc.asyncProperty(typedLinks, fc.subarray(['device', 'email']), fc.option(fc.integer({ min: 1, max: 4 }), { nil: undefined }), async (links, nonLinking, maxDegree) => {
          await load(sql, links);
          const r = await identityComponentsFromSql(sql, NOW, { nonLinking, ...(maxDegree === undefined ? {} : { maxDegree }) });
          const want = oracleWithAttachments(links, { blocked: [], nonLinking, ...(maxDegree === undefined ? {} : { maxDegree }) });
          const got = partition(r.componentOf);
          expect(got).toEqual(want.partition);
          const membersOf = (label: string): string[] => got.find((g) => g.includes(label))!;
          const attached = new Map([...r.attached].map(([n, labels]) => [n, labels.map(membersOf).sort((x, y) => (x[0]! < y[0]! ? -1 : 1))]));
          expect(attached).toEqual(want.attached);
          await identityComponentsIntoSql(sql, NOW, { into: 'cc_out', attachedInto: 'cc_out_attached', replace: true }, { nonLinking, ...(maxDegree === undefined ? {} : { maxDegree }) });
          const comp = new Map((await sql.query<{ identifier: string; component: string }>('SELECT identifier, component FROM cc_out')).rows.map((x) => [x.identifier, x.component]));
          expect(partition(comp)).toEqual(want.partition);
          const att = new Map<string, string[][]>();
          for (const x of (await sql.query<{ identifier: string; component: string }>('SELECT identifier, component FROM cc_out_attached')).rows) {
            const members = partition(comp).find((g) => g.includes(x.component))!;
            (att.get(x.identifier) ?? att.set(x.identifier, []).get(x.identifier)!).push(members);
          }
          for (const list of att.values()) list.sort((x, y) => (x[0]! < y[0]! ? -1 : 1));
          expect(att).toEqual(want.attached);
        }),
        { numRuns: 60 },
      );
    });

    it(`a path of 2,000 identifiers in shuffled order converges in O(log diameter) rounds (${name})`, async () => {
      const { sql } = engines.find((e) => e.name === name)!;
      const n = 2000;
      // Identifier names in a scrambled order along the path: plain min-label propagation would need ~n rounds.
      const label = (i: number): string => `p${String((i * 7919) % n).padStart(5, '0')}`;
      const links = Array.from({ length: n - 1 }, (_, i) => ({ a: label(i), b: label(i + 1), at: NOW }));
      await load(sql, links);
      const r = await identityComponentsFromSql(sql, NOW);
      expect(r.components).toBe(1);
      expect(r.componentOf.size).toBe(n);
      expect(r.rounds).toBeLessThanOrEqual(2 * Math.ceil(Math.log2(n)) + 2);
    });
  }

  it('identityComponentsIntoSql writes all or nothing: an existing table, a missing column, a bad target, a client without transactions', async () => {
    for (const { sql } of engines.slice(0, 2)) {
      await load(sql, [{ a: 'x', b: 'y', at: NOW }, { a: 'y', b: 'z', at: NOW }]);
      await sql.query('DROP TABLE IF EXISTS comps');
      expect(await identityComponentsIntoSql(sql, NOW, { into: 'comps' })).toEqual({ table: 'comps', identifiers: 3, components: 1, rounds: expect.any(Number) });
      await expect(identityComponentsIntoSql(sql, NOW, { into: 'comps' })).rejects.toSatisfy((e) => isCrossChannelError(e, 'STORE_ERROR'));
      await expect(identityComponentsIntoSql(sql, NOW, { into: 'comps', replace: true }, { b: 'other_id' })).rejects.toSatisfy(
        (e) => isCrossChannelError(e, 'STORE_ERROR') && (e.detail as { column?: string }).column === 'other_id',
      );
      // The DROP of the replace was rolled back with the failing round.
      expect((await sql.query<{ n: number | bigint }>('SELECT count(*) AS n FROM comps')).rows.map((r) => Number(r.n))).toEqual([3]);
      await expect(identityComponentsIntoSql(sql, NOW, { into: 'comps', attachedInto: 'comps' })).rejects.toSatisfy((e) => isCrossChannelError(e, 'CONFIG_INVALID') && e.path === 'target.attachedInto');
      await expect(identityComponentsIntoSql(sql, NOW, { into: 'x y' })).rejects.toSatisfy((e) => isCrossChannelError(e, 'CONFIG_INVALID') && e.path === 'target.into');
      await expect(identityComponentsIntoSql({ query: sql.query.bind(sql) } as never, NOW, { into: 'c2' })).rejects.toSatisfy((e) => isCrossChannelError(e, 'INPUT_INVALID') && e.path === 'client');
    }
  });

  it('on a pool, the work tables stay on one connection: a pool that hands each query to another connection still gives the components (postgres server)', async (ctx) => {
    const url = postgresServerUrl();
    if (!url) return ctx.skip();
    const db = await createPostgresDb(url);
    const a = await db.pool.connect();
    const b = await db.pool.connect();
    try {
      // What a busy pool may do at any time: the next statement on another connection. Temporary tables are per
      // connection, so without a session the second round would not find the first one's tables.
      let flip = 0;
      const rotating = {
        query: (text: string, params?: unknown[]) => ((flip++ & 1) === 0 ? a : b).query(text, params),
        connect: () => db.pool.connect(),
      };
      const sql = fromPg(rotating);
      const chain = Array.from({ length: 299 }, (_, i) => ({ a: `p${(i * 7919) % 300}`, b: `p${((i + 1) * 7919) % 300}`, at: NOW }));
      await load(sql, chain);
      const r = await identityComponentsFromSql(sql, NOW);
      expect({ components: r.components, identifiers: r.componentOf.size }).toEqual({ components: 1, identifiers: 300 });
      const into = await identityComponentsIntoSql(sql, NOW, { into: 'comps_rotating', replace: true });
      expect({ components: into.components, identifiers: into.identifiers }).toEqual({ components: 1, identifiers: 300 });
    } finally {
      a.release();
      b.release();
      await db.close();
    }
  });

  it('bad options and a missing column are typed errors naming the field or column', async () => {
    const { sql } = engines[1]!;
    await load(sql, [{ a: 'x', b: 'y', at: NOW }]);
    await expect(identityComponentsFromSql(sql, NOW, { maxLinkAge: '30d' })).rejects.toSatisfy((e) => isCrossChannelError(e, 'CONFIG_INVALID') && e.path === 'at');
    await expect(identityComponentsFromSql(sql, NOW, { links: 'x; DROP' })).rejects.toSatisfy((e) => isCrossChannelError(e, 'CONFIG_INVALID') && e.path === 'links');
    for (const { sql: s } of engines) {
      await load(s, [{ a: 'x', b: 'y', at: NOW }]);
      await expect(identityComponentsFromSql(s, NOW, { b: 'other_id' })).rejects.toSatisfy(
        (e) => isCrossChannelError(e, 'STORE_ERROR') && (e.detail as { column?: string }).column === 'other_id',
      );
    }
  });
});
