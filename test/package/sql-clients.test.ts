/**
 * Every function that reads a SQL client's answers (the `…FromSql` readers and the `…IntoSql` writers), given a
 * client that answers with the wrong shape — `undefined`, no `rows`, rows that are not a list, a row that is not
 * an object — fails with `STORE_ERROR` (the query failing), never a `TypeError` from reading the answer. A real
 * driver always answers `{ rows: [...] }`; a hand-written wrapper or a mock may not.
 */
import { describe, expect, it } from 'vitest';
import { statisticsFromSql } from '../../src/attribution/index.js';
import { parseMetrics, statsFromSql } from '../../src/experiments/index.js';
import { identityComponentsFromSql, identityComponentsIntoSql } from '../../src/identity/index.js';
import { cohortStateFromSql, funnelStateFromSql, kpiStateFromSql } from '../../src/insights/index.js';
import { compileSegments, segmentsFromSql, segmentsIntoSql } from '../../src/segments/index.js';
import { firstCrash } from '../arbitraries/junk.js';

const WRONG: unknown[] = [undefined, null, 5, 'rows', {}, { rows: null }, { rows: 5 }, { rows: {} }, { rows: [null] }, { rows: [{ n: 1 }, 7] }];
const segments = compileSegments([{ id: 'fr', rule: { attr: 'country', op: 'eq', value: 'FR' } }]);
const metrics = parseMetrics([{ id: 'bought', type: 'purchase' }]);

/** A client (with `transaction` and `session`) whose every statement answers `value`. */
function answering(value: unknown): { query: () => Promise<unknown>; transaction: (fn: (c: unknown) => Promise<unknown>) => Promise<unknown> } {
  const client = { query: async () => value, transaction: async (fn: (c: unknown) => Promise<unknown>) => fn(client) };
  return client;
}

const READERS: Array<[string, (client: unknown) => Promise<unknown>]> = [
  ['statisticsFromSql', (c) => statisticsFromSql(c as never, { models: ['linear', 'markov', 'shapley'] })],
  ['statsFromSql', (c) => statsFromSql(c as never, 'e', ['a', 'b'], metrics, 0)],
  ['identityComponentsFromSql', (c) => identityComponentsFromSql(c as never, 0)],
  ['identityComponentsIntoSql', (c) => identityComponentsIntoSql(c as never, 0, { into: 'out_components' })],
  ['kpiStateFromSql', (c) => kpiStateFromSql(c as never)],
  ['funnelStateFromSql', (c) => funnelStateFromSql(c as never, { steps: ['view', 'buy'] })],
  ['cohortStateFromSql', (c) => cohortStateFromSql(c as never)],
  ['segmentsFromSql', (c) => segmentsFromSql(c as never, segments, 0)],
  ['segmentsIntoSql', (c) => segmentsIntoSql(c as never, segments, 0, { into: 'out_members' })],
];

describe('SQL clients answering with the wrong shape', () => {
  for (const [name, read] of READERS) {
    it(`${name}: STORE_ERROR, never a TypeError`, async () => {
      expect(await firstCrash(([v]) => read(answering(v)), WRONG.map((v) => [v]))).toBeNull();
      for (const v of WRONG) {
        const e = await read(answering(v)).then(
          () => null,
          (x: unknown) => x,
        );
        // Answers a reader can take as "no rows" (`{ rows: {} }` read by a for…of that never starts) are not
        // required to fail; every failure is the query failing.
        if (e !== null) expect(e, `${name} ${JSON.stringify(v)}`).toMatchObject({ code: 'STORE_ERROR' });
      }
      // Nothing to read at all is always a failure.
      await expect(read(answering(undefined)), name).rejects.toMatchObject({ code: 'STORE_ERROR' });
    });
  }

  it('the shared check names what came back, at client.rows', async () => {
    await expect(segmentsFromSql(answering({ rows: [{ subject_id: 'p1', segment_id: 'fr' }, 7] }) as never, segments, 0)).rejects.toMatchObject({
      code: 'STORE_ERROR',
      path: 'client.rows[1]',
      message: 'client.query answered a row that is not an object (7); expected { rows: [{…}, …] }',
    });
    await expect(kpiStateFromSql(answering({}) as never)).rejects.toMatchObject({ code: 'STORE_ERROR', path: 'client.rows', message: expect.stringContaining('no list of rows') });
  });
});
