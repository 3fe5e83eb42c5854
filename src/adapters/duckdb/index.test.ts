/**
 * `fromDuckDB`'s queue and `close()`: one query at a time on the connection, and the disconnect after every query
 * sent before it. `@duckdb/node-api` crashes (SIGSEGV) or hangs the process when a connection is disconnected while a
 * query runs on it, and a caller can return first: `kpiStateFromSql` rejects on its first failing statement while
 * its other two still wait in the queue.
 */
import { DuckDBInstance } from '@duckdb/node-api';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { kpiStateFromSql } from '../../insights/sql.js';
import { fromDuckDB, type DuckDBConnectionLike } from './index.js';

/** Wraps a connection: records a disconnect (refused, so the test cannot crash) or a query started under a running one. */
function watched(inner: DuckDBConnectionLike & { closeSync(): void }) {
  const faults: string[] = [];
  let running = 0;
  let closes = 0;
  const connection: DuckDBConnectionLike = {
    runAndReadAll: async (text, values) => {
      if (running > 0) faults.push(`started under a running query: ${text}`);
      running++;
      try {
        return await inner.runAndReadAll(text, values);
      } finally {
        running--;
      }
    },
    closeSync: () => {
      closes++;
      if (running > 0) faults.push('disconnected while a query ran');
      else inner.closeSync();
    },
  };
  return { connection, faults, closes: () => closes };
}

describe('fromDuckDB close()', () => {
  it('disconnects only after the queries a rejected kpiStateFromSql left queued have run; later queries fail as STORE_ERROR', async () => {
    const instance = await DuckDBInstance.create(':memory:');
    const w = watched(await instance.connect());
    const sql = fromDuckDB(w.connection);
    // No such tables: the first of its three statements fails, and it rejects while the second runs.
    await expect(kpiStateFromSql(sql, {}, { dialect: 'duckdb' })).rejects.toMatchObject({ code: 'STORE_ERROR' });
    const late = sql.query('SELECT 1 AS one');
    await sql.close();
    expect(w.faults).toEqual([]);
    expect(w.closes()).toBe(1);
    await expect(late).resolves.toEqual({ rows: [{ one: 1 }] });
    await expect(sql.query('SELECT 1')).rejects.toMatchObject({ code: 'STORE_ERROR', message: expect.stringMatching(/disconnected/) });
    instance.closeSync();
  });

  it('waits only when the connection has no closeSync', async () => {
    const sql = fromDuckDB({ runAndReadAll: async () => ({ getRowObjectsJS: () => [{ n: 1n }] }) });
    const sent = sql.query('SELECT 1 AS n');
    await sql.close();
    await expect(sent).resolves.toEqual({ rows: [{ n: 1 }] });
  });

  it('never runs two queries at once nor disconnects under one, whatever order the answers come back in (property)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.scheduler(), fc.array(fc.boolean(), { maxLength: 8 }), fc.nat(), async (s, fails, at) => {
        const closeAt = at % (fails.length + 1);
        let disconnected = false;
        const w = watched({
          runAndReadAll: async (text) => {
            if (disconnected) throw new Error('Failed to query: connection disconnected');
            await s.schedule(Promise.resolve(), text);
            if (text.startsWith('bad')) throw new Error(`Parser Error: ${text}`);
            return { getRowObjectsJS: () => [{ text }] };
          },
          closeSync: () => void (disconnected = true),
        });
        const sql = fromDuckDB(w.connection);
        const sent: Array<Promise<unknown>> = [];
        let closed: Promise<void> | undefined;
        fails.forEach((bad, i) => {
          if (i === closeAt) closed = sql.close();
          sent.push(sql.query(`${bad ? 'bad' : 'ok'} ${i}`));
        });
        closed ??= sql.close();
        const got = await s.waitFor(Promise.allSettled([...sent, closed]));
        expect(w.faults).toEqual([]);
        expect(w.closes()).toBe(1);
        expect(got.pop()!.status).toBe('fulfilled');
        got.forEach((g, i) => {
          if (i >= closeAt) expect(g).toMatchObject({ status: 'rejected', reason: { code: 'STORE_ERROR', message: expect.stringMatching(/disconnected/) } });
          else if (fails[i]) expect(g).toMatchObject({ status: 'rejected', reason: { code: 'STORE_ERROR' } });
          else expect(g).toEqual({ status: 'fulfilled', value: { rows: [{ text: `ok ${i}` }] } });
        });
      }),
      { numRuns: 200 },
    );
  });
});
