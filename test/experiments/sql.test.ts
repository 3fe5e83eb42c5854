import { afterAll, describe, expect, it } from 'vitest';
import { PostgresEventStore } from '../../src/adapters/postgres/events.js';
import { createHistory, type BehaviourEvent } from '../../src/core/records.js';
import { createRng } from '../../src/core/random.js';
import { DAY } from '../../src/core/time.js';
import { assign } from '../../src/experiments/assign.js';
import { HOLDOUT_VARIANT_ID, parseExperiment } from '../../src/experiments/config.js';
import { exposureEvent } from '../../src/experiments/exposure.js';
import { parseMetrics, statsFromHistories } from '../../src/experiments/metrics.js';
import { statsFromSql } from '../../src/experiments/sql.js';
import { pgEngines } from '../fixtures/pglite.js';

const opened: Array<() => Promise<void>> = [];
afterAll(async () => {
  for (const close of opened) await close();
});

const T0 = Date.parse('2026-03-01T00:00:00Z');

function population(seed: number, people: number) {
  const rng = createRng(seed);
  const exp = parseExperiment({ id: 'subject-line', variants: [{ id: 'control' }, { id: 'emoji' }], holdout: { share: 0.1 } });
  const events: BehaviourEvent[] = [];
  const byPerson = new Map<string, BehaviourEvent[]>();
  for (let p = 0; p < people; p++) {
    const id = `p${p}`;
    const list: BehaviourEvent[] = [];
    const at = T0 + rng.int(20) * DAY + rng.int(DAY);
    const a = assign(exp, id, { now: at });
    const x = exposureEvent(a, { subjectId: id, at, channel: 'email' });
    if (x) list.push(x, { ...x, at: at + DAY, id: `${x.id}-again` }); // a repeated exposure counts once
    for (let k = rng.int(6); k > 0; k--) {
      const when = at + (rng.int(60) - 30) * DAY + rng.int(DAY);
      list.push({ id: `o${p}-${k}`, subjectId: id, type: 'purchase', at: when, properties: { amount: Math.round(rng.next() * 10000) / 100 } });
    }
    if (rng.int(4) === 0) list.push({ subjectId: id, type: 'page_view', at: at + DAY, properties: {} });
    if (rng.int(5) === 0) list.push({ subjectId: id, type: 'purchase', at: at + 2 * DAY, properties: { amount: 'n/a' } });
    byPerson.set(id, list);
    events.push(...list);
  }
  return { events, byPerson };
}

describe.each(pgEngines())('experiment statistics in SQL on PostgreSQL ($name) equal the in-memory ones', (engine) => {
  it('units, sums and covariate sums per variant, including the holdout arm, with windows cut at now', async () => {
    const { sql, close } = await engine.open();
    opened.push(close);
    const store = new PostgresEventStore(sql, { table: 'exp_events' });
    await store.migrate();
    const { events, byPerson } = population(5, 200);
    await store.append(events);
    const metrics = parseMetrics([
      { id: 'converted', type: 'purchase', window: '7d' },
      { id: 'orders', type: 'purchase', aggregate: 'count', window: '14d', covariateWindow: '28d' },
      { id: 'revenue', type: 'purchase', aggregate: 'sum', property: 'amount', window: '14d', covariateWindow: '28d' },
    ]);
    const variants = ['control', 'emoji', HOLDOUT_VARIANT_ID];
    for (const now of [T0 + 10 * DAY, T0 + 60 * DAY]) {
      const histories = [...byPerson].map(([id, list]) => createHistory(id, { events: list }));
      const mem = statsFromHistories('subject-line', variants, metrics, histories, now);
      const db = await statsFromSql(sql, 'subject-line', variants, metrics, now, { events: 'exp_events' });
      expect(db.units).toEqual(mem.units);
      expect(mem.units.reduce((a, b) => a + b, 0)).toBeGreaterThan(0);
      db.moments.forEach((v, i) => expect(v).toBeCloseTo(mem.moments[i]!, 6));
    }
  });
});
