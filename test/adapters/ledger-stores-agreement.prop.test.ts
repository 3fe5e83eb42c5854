/**
 * Properties: the assignment, consent and event stores answer alike — memory, Redis where there is one, and
 * PostgreSQL (PGlite) — on random sequences of writes (repeated, conflicting, several at one instant, ids outside
 * the BMP), reads and erasures: every answer (an error compared by code and path) and every read after each step.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MemoryAssignmentStore } from '../../src/adapters/memory/assignments.js';
import { MemoryConsentStore } from '../../src/adapters/memory/consent.js';
import { MemoryEventStore } from '../../src/adapters/memory/events.js';
import { PostgresAssignmentStore } from '../../src/adapters/postgres/assignments.js';
import { PostgresConsentStore } from '../../src/adapters/postgres/consent.js';
import { PostgresEventStore } from '../../src/adapters/postgres/events.js';
import { RedisAssignmentStore } from '../../src/adapters/redis/assignments.js';
import type { AssignmentStore } from '../../src/experiments/store.js';
import type { ConsentStore } from '../../src/consent/store.js';
import type { EventStore } from '../../src/segments/store.js';
import { parseConsentEvent } from '../../src/consent/ledger.js';
import { MemoryIdentityStore } from '../../src/adapters/memory/identity.js';
import { PostgresIdentityStore } from '../../src/adapters/postgres/identity.js';
import type { IdentityStore } from '../../src/identity/store.js';
import { CONFORMANCE_IDENTITY_RULES } from '../../src/testing/identity-store.js';
import { noRedis, uniquePrefix } from '../fixtures/redis.js';
import { sharedEngines } from '../fixtures/shared-engines.js';

const T0 = Date.parse('2026-03-02T09:00:00Z');
const PEOPLE = ['a', 'B', '\u{1F600}', '\uFF01'];
const IDS = ['x', 'X', '\u{1F600}', '\uFF01', 'e1'];

const engines = sharedEngines();
let n = 0;

/**
 * Runs `ops` on every store (`step(store, op, i)`, the op's place `i`) and after each compares every store's answer —
 * and, with `read`, what each then holds — with the first store's.
 */
async function agree<S, O>(stores: readonly S[], ops: readonly O[], step: (s: S, o: O, i: number) => Promise<unknown>, read?: (s: S) => Promise<unknown>): Promise<void> {
  for (const [i, o] of ops.entries()) {
    const answers = await Promise.all(stores.map((s) => answer(() => step(s, o, i))));
    const reads = read ? await Promise.all(stores.map(read)) : [];
    for (let k = 1; k < stores.length; k++) expect([k, o, answers[k], reads[k]]).toEqual([k, o, answers[0], reads[0]]);
  }
}

/** An answer, or the error's code and path: what every store must agree on. */
async function answer<T>(f: () => Promise<T>): Promise<T | { error: unknown; path: unknown }> {
  try {
    return await f();
  } catch (e) {
    return { error: (e as { code?: unknown }).code ?? String(e), path: (e as { path?: unknown }).path };
  }
}

describe.skipIf(noRedis)('assignment stores agree', () => {
  const op = fc.oneof(
    { weight: 3, arbitrary: fc.record({ t: fc.constant('put' as const), e: fc.constantFrom(...IDS), u: fc.constantFrom(...PEOPLE), v: fc.constantFrom('a', 'b'), anon: fc.option(fc.constantFrom(...PEOPLE), { nil: undefined }) }) },
    { weight: 2, arbitrary: fc.record({ t: fc.constant('get' as const), e: fc.constantFrom(...IDS), u: fc.constantFrom(...PEOPLE) }) },
    { weight: 2, arbitrary: fc.record({ t: fc.constant('list' as const), u: fc.constantFrom(...PEOPLE) }) },
    { weight: 1, arbitrary: fc.record({ t: fc.constant('erase' as const), u: fc.constantFrom(...PEOPLE) }) },
  );
  it('property: memory, Redis and PostgreSQL', async () => {
    const redis = engines.redis();
    const sql = await engines.pglite();
    await fc.assert(
      fc.asyncProperty(fc.array(op, { minLength: 1, maxLength: 25 }), async (ops) => {
        const p = new PostgresAssignmentStore(sql, { table: `agree_assign_${++n}` });
        await p.migrate();
        const stores: AssignmentStore[] = [new MemoryAssignmentStore(), new RedisAssignmentStore(redis, { prefix: uniquePrefix('asa') }), p];
        await agree(stores, ops, async (s, o, i) => {
          if (o.t === 'put') return s.putIfAbsent({ experimentId: o.e, unitId: o.u, variantId: o.v, assignedAt: T0 + i, ...(o.anon === undefined ? {} : { anonymousId: o.anon }) });
          if (o.t === 'get') return s.get(o.e, o.u);
          if (o.t === 'list') return s.list(o.u);
          return s.erase(o.u);
        });
      }),
      { numRuns: 25 },
    );
  });
});

describe('consent stores agree', () => {
  const evidence = fc.constantFrom({ source: 'form' }, { source: 'form', text: 'Oui \u{1F600}' }, { source: 'api', proofId: 'p' });
  const op = fc.oneof(
    {
      weight: 4,
      arbitrary: fc.record({
        t: fc.constant('append' as const),
        id: fc.constantFrom(...IDS),
        p: fc.constantFrom(...PEOPLE),
        kind: fc.constantFrom('granted' as const, 'withdrawn' as const),
        channel: fc.constantFrom('email', 'sms'),
        dt: fc.constantFrom(0, 0, 1, -1),
        evidence,
      }),
    },
    { weight: 2, arbitrary: fc.record({ t: fc.constant('events' as const), p: fc.constantFrom(...PEOPLE) }) },
    { weight: 1, arbitrary: fc.record({ t: fc.constant('erase' as const), p: fc.constantFrom(...PEOPLE) }) },
    { weight: 1, arbitrary: fc.record({ t: fc.constant('erasure' as const), p: fc.constantFrom(...PEOPLE) }) },
  );
  it('property: memory and PostgreSQL', async () => {
    const sql = await engines.pglite();
    await fc.assert(
      fc.asyncProperty(fc.array(op, { minLength: 1, maxLength: 25 }), async (ops) => {
        const p = new PostgresConsentStore(sql, { erasureSalt: 'salt', tablePrefix: `agree_consent_${++n}_` });
        await p.migrate();
        const stores: ConsentStore[] = [new MemoryConsentStore({ erasureSalt: 'salt' }), p];
        await agree(
          stores,
          ops,
          async (s, o, i) => {
            if (o.t === 'append') return s.append(parseConsentEvent({ id: o.id, subjectId: o.p, channel: o.channel, purpose: 'marketing', kind: o.kind, at: T0 + o.dt, evidence: o.evidence }));
            if (o.t === 'events') return s.events(o.p);
            if (o.t === 'erase') return s.erase(o.p, T0 + 1000 * (i + 1));
            return s.erasure(o.p);
          },
          (s) => Promise.all(PEOPLE.map((x) => s.events(x))),
        );
      }),
      { numRuns: 30 },
    );
  });
});

describe('event stores agree', () => {
  const event = fc.record({
    id: fc.option(fc.constantFrom(...IDS), { nil: undefined }),
    p: fc.constantFrom(...PEOPLE),
    type: fc.constantFrom('page_view', 'purchase'),
    dt: fc.constantFrom(0, 0, 1, -1),
    v: fc.nat({ max: 3 }),
  });
  const op = fc.oneof(
    { weight: 4, arbitrary: fc.record({ t: fc.constant('append' as const), events: fc.array(event, { minLength: 0, maxLength: 4 }) }) },
    { weight: 2, arbitrary: fc.record({ t: fc.constant('read' as const), p: fc.constantFrom(...PEOPLE), from: fc.constantFrom(-Infinity, T0, T0 + 1), to: fc.constantFrom(Infinity, T0 + 1), types: fc.option(fc.constantFrom(['purchase'], []), { nil: undefined }) }) },
    { weight: 1, arbitrary: fc.record({ t: fc.constant('erase' as const), p: fc.constantFrom(...PEOPLE) }) },
  );
  it('property: memory and PostgreSQL', async () => {
    const sql = await engines.pglite();
    await fc.assert(
      fc.asyncProperty(fc.array(op, { minLength: 1, maxLength: 20 }), async (ops) => {
        const p = new PostgresEventStore(sql, { table: `agree_events_${++n}` });
        await p.migrate();
        const stores: EventStore[] = [new MemoryEventStore(), p];
        await agree(
          stores,
          ops,
          async (s, o) => {
            if (o.t === 'append') return s.append(o.events.map((e) => ({ ...(e.id === undefined ? {} : { id: e.id }), subjectId: e.p, type: e.type, at: T0 + e.dt, properties: { v: e.v } })));
            if (o.t === 'read') return s.read(o.p, { from: o.from, to: o.to, ...(o.types === undefined ? {} : { types: o.types }) });
            return s.erase(o.p);
          },
          (s) => Promise.all(PEOPLE.map((x) => s.read(x))),
        );
      }),
      { numRuns: 30 },
    );
  });
});

describe('identity stores agree', () => {
  const ident = fc.oneof(
    fc.record({ type: fc.constant('email'), value: fc.constantFrom('ada@shop.test', 'ADA@shop.test ', 'bob@shop.test', 'z\u00E9@shop.test', 'not-an-email') }),
    fc.record({ type: fc.constant('user_id'), value: fc.constantFrom('u1', 'u2', '\u{1F600}', '\uFF01') }),
    fc.record({ type: fc.constant('anonymous_id'), value: fc.constantFrom('c1', 'c2', 'C1') }),
    fc.record({ type: fc.constant('phone'), value: fc.constantFrom('06 12 34 56 78', '+33612345678', '07 00 00 00 01') }),
  );
  const op = fc.oneof(
    { weight: 4, arbitrary: fc.record({ t: fc.constant('add' as const), obs: fc.array(fc.record({ ids: fc.array(ident, { minLength: 1, maxLength: 3 }), dt: fc.constantFrom(0, 0, 1, -1, 40 * 86_400_000) }), { minLength: 1, maxLength: 3 }) }) },
    { weight: 2, arbitrary: fc.record({ t: fc.constant('lookup' as const), id: ident }) },
    { weight: 2, arbitrary: fc.record({ t: fc.constant('resolve' as const), ids: fc.array(ident, { maxLength: 3 }) }) },
    { weight: 2, arbitrary: fc.record({ t: fc.constant('profile' as const), id: ident }) },
    { weight: 1, arbitrary: fc.record({ t: fc.constant('remove' as const), id: ident }) },
    { weight: 1, arbitrary: fc.record({ t: fc.constant('erase' as const), id: ident }) },
    { weight: 1, arbitrary: fc.record({ t: fc.constant('wasErased' as const), id: ident }) },
  );
  it('property: memory and PostgreSQL', async () => {
    const sql = await engines.pglite();
    const options = { rules: CONFORMANCE_IDENTITY_RULES, erasureSalt: 'salt' };
    await fc.assert(
      fc.asyncProperty(fc.array(op, { minLength: 1, maxLength: 15 }), async (ops) => {
        const p = new PostgresIdentityStore(sql, { ...options, tablePrefix: `agree_identity_${++n}_` });
        await p.migrate();
        const stores: IdentityStore[] = [new MemoryIdentityStore(options), p];
        await agree(stores, ops, async (s, o, i) => {
          const now = T0 + 1000 * (i + 1);
          if (o.t === 'add') return unordered(await s.addObservations(o.obs.map((x) => ({ identifiers: x.ids, at: now + x.dt, source: 'web' }))));
          if (o.t === 'lookup') return s.lookup(o.id);
          if (o.t === 'resolve') return s.resolve(o.ids);
          if (o.t === 'wasErased') return s.wasErased(o.id);
          if (o.t === 'remove') return unordered(await s.removeIdentifier(o.id, now));
          const pid = await s.lookup(o.id);
          if (pid === null) return null;
          if (o.t === 'erase') return unordered(await s.erase(pid, now));
          return [await s.profile(pid), await s.identifiersOf(pid), await s.audit(pid)];
        });
      }),
      { numRuns: 15 },
    );
  });
});

/** A report or receipt with its `profiles` sorted (their order is unspecified). */
function unordered<T extends { profiles: ReadonlyArray<string> } | null>(r: T): T {
  return r === null ? r : { ...r, profiles: [...r.profiles].sort() };
}
