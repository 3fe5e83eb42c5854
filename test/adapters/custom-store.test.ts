/**
 * The worked custom-store example (examples/custom-store.ts, SQLite through sql.js) passes the public
 * conformance kit — the suite the shipped memory and Redis contact-history stores pass.
 */
import { describe, expect, it } from 'vitest';
import { isCrossChannelError } from '../../src/core/errors.js';
import { parseCapRules } from '../../src/capping/index.js';
import { runContactHistoryStoreConformance } from '../../src/testing/index.js';
import { fromSqlJs, openSqliteContactHistory, SqliteContactHistoryStore } from '../../examples/custom-store.js';

const dbs: Array<{ close(): void }> = [];

runContactHistoryStoreConformance([
  {
    name: 'SQLite (sql.js, examples/custom-store.ts)',
    create: async () => {
      const { store, db } = await openSqliteContactHistory();
      dbs.push(db);
      return store;
    },
    destroy: () => {
      dbs.pop()?.close();
    },
  },
]);

// The shortest form an integrator can write: just a factory (the suite names it `custom`).
runContactHistoryStoreConformance(async () => (await openSqliteContactHistory()).store);

describe('SQLite contact history example', () => {
  it('keeps its history and idempotency through a save and reload of the database file', async () => {
    const caps = parseCapRules({ rules: [{ id: 'one', kind: 'limit', limit: 1, window: 'day' }] });
    const at = Date.parse('2026-10-25T09:00:00Z');
    const first = await openSqliteContactHistory();
    expect((await first.store.reserve({ id: 'a', subjectId: 'p', channel: 'email', at, idempotencyKey: 'k' }, caps)).granted).toBe(true);
    const bytes = first.db.export();
    first.db.close();
    const again = await openSqliteContactHistory(bytes);
    try {
      const retry = await again.store.reserve({ id: 'a2', subjectId: 'p', channel: 'email', at: at + 1, idempotencyKey: 'k' }, caps);
      expect(retry.replayed).toBe(true);
      expect(retry.granted).toBe(true);
      expect((await again.store.reserve({ id: 'b', subjectId: 'p', channel: 'sms', at: at + 2 }, caps)).granted).toBe(false);
      expect((await again.store.history('p')).contacts.map((c) => c.id)).toEqual(['a']);
    } finally {
      again.db.close();
    }
  });

  it('turns engine failures into STORE_ERROR and rolls back', async () => {
    const { db } = await openSqliteContactHistory();
    // The outcome row fails after the contact row went in: the transaction must take both back.
    db.run('DROP TABLE cc_reservations');
    db.run('CREATE TABLE cc_reservations (subject_id TEXT, key TEXT, contact_at INTEGER, outcome TEXT CHECK (length(outcome) < 5))');
    const store = new SqliteContactHistoryStore(fromSqlJs(db));
    try {
      const caps = parseCapRules({ rules: [] });
      await expect(store.reserve({ id: 'a', subjectId: 'p', channel: 'email', at: 0, idempotencyKey: 'k' }, caps)).rejects.toSatisfy((e) => isCrossChannelError(e, 'STORE_ERROR'));
      // Nothing half-written: the contact insert was rolled back with the failed outcome insert.
      expect((await store.history('p')).contacts).toEqual([]);
    } finally {
      db.close();
    }
  });
});
