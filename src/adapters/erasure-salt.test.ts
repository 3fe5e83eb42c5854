/** Defect 2: erasure must never keep anything a dictionary reverses to the identifier. */
import { describe, expect, it } from 'vitest';
import { MemoryIdentityStore } from './memory/identity.js';
import { PostgresIdentityStore } from './postgres/identity.js';
import type { SqlClient } from './postgres/sql.js';
import { sha256Hex } from '../core/hash.js';
import { erasureProof } from '../identity/erasure.js';
import { createPglite } from '../../test/fixtures/pglite.js';

/** A client the constructor accepts and these tests never reach (they check options). */
const unusedSql = { query: async () => ({ rows: [] }), transaction: async () => undefined } as unknown as SqlClient;

const ada = { type: 'email', value: 'ada@shop.test' };
const obs = { identifiers: [ada, { type: 'user_id', value: 'u1' }], at: 1 };
// What a dictionary attack hashes: the unsalted form of every known email.
const unsalted = (v: { type: string; value: string }) => sha256Hex(`:${v.type}:${v.value}`);

describe('erasure salt', () => {
  it('memory: no salt given still gives proofs no dictionary reverses, and wasErased still works', async () => {
    const a = new MemoryIdentityStore();
    const b = new MemoryIdentityStore();
    await a.addObservations([obs]);
    await b.addObservations([obs]);
    const ra = await a.erase((await a.lookup(ada))!, 2);
    const rb = await b.erase((await b.lookup(ada))!, 2);
    const dictionary = new Set([await unsalted(ada), await erasureProof(ada, '')]);
    for (const p of [...ra!.proofs, ...rb!.proofs]) expect(dictionary.has(p)).toBe(false);
    // Each instance draws its own salt: the same erasure gives different proofs.
    expect(ra!.proofs).not.toEqual(rb!.proofs);
    expect(await a.wasErased(ada)).toBe(true);
  });

  it('refuses an empty or non-string salt with CONFIG_INVALID at erasureSalt', () => {
    expect(() => new MemoryIdentityStore({ erasureSalt: '' })).toThrow(expect.objectContaining({ code: 'CONFIG_INVALID', path: 'erasureSalt' }));
    expect(() => new PostgresIdentityStore(unusedSql, {} as never)).toThrow(expect.objectContaining({ code: 'CONFIG_INVALID', path: 'erasureSalt' }));
    expect(() => new PostgresIdentityStore(unusedSql, undefined as never)).toThrow(expect.objectContaining({ code: 'CONFIG_INVALID', path: 'erasureSalt' }));
    expect(() => new PostgresIdentityStore(unusedSql, { erasureSalt: 's', retiredErasureSalts: [''] })).toThrow(
      expect.objectContaining({ code: 'CONFIG_INVALID', path: 'retiredErasureSalts[0]' }),
    );
  });

  it('postgres: a rotated key still answers wasErased for proofs made with the retired salt', async () => {
    const { sql, close } = await createPglite();
    try {
      const before = new PostgresIdentityStore(sql, { erasureSalt: 'salt-2026' });
      await before.migrate();
      await before.addObservations([obs]);
      const receipt = await before.erase((await before.lookup(ada))!, 2);
      expect(receipt!.proofs).toEqual([await erasureProof(ada, 'salt-2026'), await erasureProof({ type: 'user_id', value: 'u1' }, 'salt-2026')].sort());
      const after = new PostgresIdentityStore(sql, { erasureSalt: 'salt-2027', retiredErasureSalts: ['salt-2026'] });
      expect(await after.wasErased(ada)).toBe(true);
      expect(await new PostgresIdentityStore(sql, { erasureSalt: 'salt-2027' }).wasErased(ada)).toBe(false);
    } finally {
      await close();
    }
  });
});
