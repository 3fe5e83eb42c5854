/** ConsentStore conformance: memory and PostgreSQL (PGlite) run the same suite. */
import { afterAll, describe, expect, it } from 'vitest';
import { MemoryConsentStore } from '../../src/adapters/memory/consent.js';
import { PostgresConsentStore } from '../../src/adapters/postgres/consent.js';
import { CONFORMANCE_ERASURE_SALT, runConsentStoreConformance } from '../../src/testing/consent-store.js';
import { parseConsentEvent } from '../../src/consent/ledger.js';
import { isCrossChannelError } from '../../src/core/errors.js';
import { createPglite, noPostgresServer, serverSql } from '../fixtures/pglite.js';

// One in-process database for the suite; each test gets its own tables through a unique prefix.
let shared: ReturnType<typeof createPglite> | undefined;
let n = 0;
afterAll(async () => {
  if (shared) await (await shared).close();
});

runConsentStoreConformance([
  { name: 'memory', create: () => new MemoryConsentStore({ erasureSalt: CONFORMANCE_ERASURE_SALT }) },
  {
    name: 'postgres (PGlite)',
    create: async () => {
      shared ??= createPglite();
      const { sql } = await shared;
      const store = new PostgresConsentStore(sql, { erasureSalt: CONFORMANCE_ERASURE_SALT, tablePrefix: `t${++n}_` });
      await store.migrate();
      return store;
    },
  },
  {
    name: 'postgres (server)',
    skip: noPostgresServer,
    create: async () => {
      const store = new PostgresConsentStore(await serverSql(), { erasureSalt: CONFORMANCE_ERASURE_SALT, tablePrefix: `t${++n}_` });
      await store.migrate();
      return store;
    },
  },
]);

describe('PostgresConsentStore specifics', () => {
  it('refuses UPDATE on the event table (append-only) and leaves no subject id after erasure', async () => {
    const { sql, close } = await createPglite();
    try {
      const store = new PostgresConsentStore(sql, { erasureSalt: 's' });
      await store.migrate();
      await store.migrate(); // idempotent
      await store.append(parseConsentEvent({ id: 'a', subjectId: 'alice@example.com', channel: 'email', purpose: 'marketing', kind: 'granted', at: 1, evidence: { source: 'form', text: 'I agree' } }));
      await expect(sql.query(`UPDATE crosschannel_consent_events SET kind = 'denied'`)).rejects.toThrow(/append-only/);
      await store.erase('alice@example.com', 2);
      const dump = JSON.stringify([
        (await sql.query('SELECT * FROM crosschannel_consent_events')).rows,
        (await sql.query('SELECT * FROM crosschannel_consent_erasures')).rows,
      ]);
      expect(dump).not.toContain('alice');
      expect(dump).not.toContain('I agree');
    } finally {
      await close();
    }
  });

  it('refuses NUL or a lone surrogate in the evidence with INPUT_INVALID at the field, writing nothing (memory keeps them)', async () => {
    const { sql, close } = await createPglite();
    try {
      const store = new PostgresConsentStore(sql, { erasureSalt: 's' });
      await store.migrate();
      const memory = new MemoryConsentStore({ erasureSalt: 's' });
      const base = { id: 'a', subjectId: 'p', channel: 'email', purpose: 'marketing', kind: 'granted', at: 1 } as const;
      for (const [field, value] of [
        ['text', 'I\u0000agree'],
        ['source', 'form\u0000'],
        ['textVersion', 'v\ud800'],
        ['proofId', '\udc00'],
      ] as const) {
        const event = parseConsentEvent({ ...base, evidence: { source: 'form', [field]: value } });
        await expect(store.append(event)).rejects.toMatchObject({ code: 'INPUT_INVALID', path: `evidence.${field}` });
        expect(await store.events('p')).toEqual([]);
        await memory.append({ ...event, id: field });
      }
      expect(await memory.events('p')).toHaveLength(4);
    } finally {
      await close();
    }
  });

  it('validates its options', () => {
    expect(() => new MemoryConsentStore({ erasureSalt: '' })).toThrow(expect.objectContaining({ code: 'CONFIG_INVALID' }));
    let err: unknown;
    try {
      new PostgresConsentStore({ query: async () => ({ rows: [] }), transaction: async () => undefined } as never, { erasureSalt: 'x', tablePrefix: 'bad;drop' });
    } catch (e) {
      err = e;
    }
    expect(isCrossChannelError(err, 'CONFIG_INVALID')).toBe(true);
  });
});

describe('MemoryConsentStore bounds', () => {
  const e = (subjectId: string, id: string) => parseConsentEvent({ id, subjectId, channel: 'email', purpose: 'marketing', kind: 'granted', at: 1, evidence: { source: 'form' } });
  it('evicts the least recently used subject beyond maxSubjects', async () => {
    const store = new MemoryConsentStore({ erasureSalt: 's', maxSubjects: 2 });
    await store.append(e('a', '1'));
    await store.append(e('b', '1'));
    await store.events('a');
    await store.append(e('c', '1'));
    expect(await store.events('a')).toHaveLength(1);
    expect(await store.events('b')).toHaveLength(0);
  });
  it.each([
    [{ maxSubjects: 0 }, 'maxSubjects'],
    [{ maxSubjects: 2.5 }, 'maxSubjects'],
    [{ maxSubjects: '10' as unknown as number }, 'maxSubjects'],
    [{ maxEventsPerSubject: 0 }, 'maxEventsPerSubject'],
    [{ maxEventsPerSubject: Number.NaN }, 'maxEventsPerSubject'],
  ])('refuses %o with CONFIG_INVALID at %s (a TypeError from lru-cache before)', (options, path) => {
    expect(() => new MemoryConsentStore({ erasureSalt: 's', ...options })).toThrow(expect.objectContaining({ code: 'CONFIG_INVALID', path }));
  });
  it('keeps erasure receipts when the ledgers are evicted', async () => {
    const store = new MemoryConsentStore({ erasureSalt: 's', maxSubjects: 2 });
    await store.append(e('alice', '1'));
    const receipt = await store.erase('alice', 5);
    for (const s of ['bob', 'carol', 'dave']) {
      await store.append(e(s, '1'));
      await store.erase(s, 6);
    }
    expect(await store.erasure('alice')).toEqual(receipt);
    expect(await store.erasure('dave')).toMatchObject({ eventCount: 1, erasedAt: 6 });
  });
  it('refuses an option it does not have with CONFIG_INVALID at its name', () => {
    expect(() => new MemoryConsentStore({ erasureSalt: 's', maxSubject: 2 } as never)).toThrow(expect.objectContaining({ code: 'CONFIG_INVALID', path: 'maxSubject' }));
  });
  it('refuses appends beyond maxEventsPerSubject', async () => {
    const store = new MemoryConsentStore({ erasureSalt: 's', maxEventsPerSubject: 2 });
    await store.append(e('a', '1'));
    await store.append(e('a', '2'));
    await expect(store.append(e('a', '3'))).rejects.toMatchObject({ code: 'STORE_CONFLICT' });
  });
});
