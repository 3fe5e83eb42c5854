/**
 * The SQL KPIs, funnels and cohorts on PostgreSQL (PGlite in-process, and the real server under CI) over the event store's real table and
 * contact/response tables, held equal to the in-memory accumulators on the same seeded population.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PostgresEventStore } from '../adapters/postgres/events.js';
import type { SqlClient } from '../core/sql.js';
import { pgEngines } from '../../test/fixtures/pglite.js';
import { syntheticHistories } from '../../test/arbitraries/insights.js';
import { accumulateKpis, type SubjectHistory } from './accumulate.js';
import { CohortAccumulator, cohortReport } from './cohorts.js';
import { FunnelAccumulator, funnelReport } from './funnels.js';
import { KPI_NAMES } from './kpis.js';
import type { KpiOptionsInput } from './options.js';
import { pressureReport } from './pressure.js';
import { cohortStateFromSql, funnelStateFromSql, kpiSql, kpiStateFromSql } from './sql.js';
import { kpiTable } from './table.js';

const START = Date.parse('2026-03-02T00:00:00Z');
const people: SubjectHistory[] = [...syntheticHistories({ people: 150, seed: 21, start: START, weeks: 6 })];

describe.each(pgEngines())('insights SQL on PostgreSQL ($name)', (engine) => {
  let close: (() => Promise<void>) | undefined;
  let sql: SqlClient;
  beforeAll(async () => {
    const db = await engine.open();
    sql = db.sql;
    close = db.close;
    const events = new PostgresEventStore(sql);
    await events.migrate();
    await events.append(people.flatMap((p) => p.events));
    await sql.query(`CREATE TABLE contacts (id text, subject_id text, channel text, campaign_id text, offer_id text, tags text[], transactional boolean, at bigint)`);
    await sql.query(`CREATE TABLE responses (id text, subject_id text, kind text, channel text, campaign_id text, offer_id text, value float8, at bigint)`);
    const contacts = people.flatMap((p) => p.contacts);
    const responses = people.flatMap((p) => p.responses);
    await sql.query(
      `INSERT INTO contacts SELECT id, subject_id, channel, campaign_id, offer_id, ARRAY(SELECT jsonb_array_elements_text(tags)), transactional, at
       FROM jsonb_to_recordset($1::jsonb) AS x(id text, subject_id text, channel text, campaign_id text, offer_id text, tags jsonb, transactional boolean, at bigint)`,
      [JSON.stringify(contacts.map((c) => ({ id: c.id, subject_id: c.subjectId, channel: c.channel, campaign_id: c.campaignId ?? null, offer_id: c.offerId ?? null, tags: c.tags, transactional: c.transactional, at: c.at })))],
    );
    await sql.query(
      `INSERT INTO responses SELECT * FROM jsonb_to_recordset($1::jsonb) AS x(id text, subject_id text, kind text, channel text, campaign_id text, offer_id text, value float8, at bigint)`,
      [JSON.stringify(responses.map((r) => ({ id: r.id, subject_id: r.subjectId, kind: r.kind, channel: r.channel, campaign_id: r.campaignId ?? null, offer_id: r.offerId ?? null, value: r.value ?? null, at: r.at })))],
    );
  }, 120_000);

  afterAll(async () => {
    await close?.();
  });

  const cases: Array<[string, KpiOptionsInput]> = [
    ['overall', {}],
    ['channel × local week (Paris, Sunday weeks)', { by: ['channel', 'period'], period: 'week', timeZone: 'Europe/Paris', weekStartsOn: 0 }],
    ['campaign × month in a range (New York)', { by: ['campaign', 'period'], period: 'month', timeZone: 'America/New_York', from: START + 7 * 86_400_000, to: START + 30 * 86_400_000 }],
    ['offer × day', { by: ['offer', 'period'], period: 'day' }],
  ];
  for (const [name, options] of cases) {
    it(`KPIs equal the in-memory ones: ${name}`, async () => {
      const memory = accumulateKpis(people, options);
      const fromSql = await kpiStateFromSql(sql, options);
      const spend = options.by?.includes('channel') ? { spend: [{ channel: 'email', amount: 500, period: START }] } : {};
      const want = kpiTable(memory, [...KPI_NAMES], spend);
      expect(want.rows.length).toBeGreaterThan(0);
      expect(kpiTable(fromSql, [...KPI_NAMES], spend)).toEqual(want);
      expect(fromSql.pressure).toEqual(memory.toJSON().pressure);
    });
  }

  it('pressure against caps reads the same from SQL', async () => {
    const caps = { rules: [{ id: 'weekly', kind: 'limit' as const, limit: 2, window: 'week' as const }] };
    const memory = accumulateKpis(people, { by: ['channel'] });
    const fromSql = accumulateKpis([], { by: ['channel'] }).merge(await kpiStateFromSql(sql, { by: ['channel'] }));
    expect(pressureReport(fromSql, caps)).toEqual(pressureReport(memory, caps));
  });

  it('funnels equal the in-memory ones (paths before drop-off are in-memory only)', async () => {
    const spec = { steps: ['page_view', 'cart_add', 'checkout', 'purchase'], window: '2h' };
    const f = new FunnelAccumulator(spec);
    for (const p of people) f.add(p);
    const strip = (r: ReturnType<typeof funnelReport>) => ({ ...r, steps: r.steps.map((s) => ({ ...s, topDropPaths: [] })) });
    expect(funnelReport(f).completed).toBeGreaterThan(10);
    expect(strip(funnelReport(await funnelStateFromSql(sql, spec)))).toEqual(strip(funnelReport(f)));
  });

  it('cohorts equal the in-memory ones', async () => {
    for (const options of [{ period: 'week' as const, timeZone: 'Europe/Paris', activeEvents: ['page_view', 'purchase'] }, { period: 'month' as const, timeZone: 'Asia/Kolkata' }]) {
      const c = new CohortAccumulator(options);
      for (const p of people) c.add(p);
      const now = START + 6 * 7 * 86_400_000;
      expect(cohortReport(await cohortStateFromSql(sql, options), now)).toEqual(cohortReport(c, now));
    }
  });

  it('a channel named __proto__ or constructor in the tables is a channel like any other', async () => {
    // The tables hold whatever was written: channels read back must become keys of their own, never a property
    // of Object or Object.prototype (an object's `pressure[ch] ??= …` would add into those), and agree with the
    // in-memory accumulators, which key by Map.
    const at = START + 3_600_000;
    const odd: SubjectHistory[] = ['__proto__', 'constructor', 'email', 'constructor'].map((channel, i) => ({
      subjectId: `odd-${i}`,
      contacts: [{ id: `odd-c${i}`, subjectId: `odd-${i}`, channel, tags: [], transactional: false, at: at + i * 7 * 86_400_000 }],
      responses: [],
      events: [
        { subjectId: `odd-${i}`, type: 'page_view', at: at + i, channel, properties: {} },
        ...(i % 2 === 0 ? [{ subjectId: `odd-${i}`, type: 'purchase', at: at + i + 60_000, channel, properties: {} }] : []),
      ],
    }));
    await sql.query('CREATE TABLE odd_contacts (LIKE contacts)');
    await sql.query('CREATE TABLE odd_responses (LIKE responses)');
    const events = new PostgresEventStore(sql, { table: 'odd_events' });
    await events.migrate();
    // Raw inserts: the stores refuse such channel names, but a table loaded by other means can hold them.
    await sql.query(
      `INSERT INTO odd_events (subject_id, type, at, channel) SELECT subject_id, type, at, channel FROM jsonb_to_recordset($1::jsonb) AS x(subject_id text, type text, at bigint, channel text)`,
      [JSON.stringify(odd.flatMap((p) => p.events).map((e) => ({ subject_id: e.subjectId, type: e.type, at: e.at, channel: e.channel })))],
    );
    await sql.query(
      `INSERT INTO odd_contacts SELECT id, subject_id, channel, NULL, NULL, '{}', false, at FROM jsonb_to_recordset($1::jsonb) AS x(id text, subject_id text, channel text, at bigint)`,
      [JSON.stringify(odd.flatMap((p) => p.contacts).map((c) => ({ id: c.id, subject_id: c.subjectId, channel: c.channel, at: c.at })))],
    );
    const source = { contacts: 'odd_contacts', responses: 'odd_responses', events: 'odd_events' };
    const state = await kpiStateFromSql(sql, { by: ['channel'] }, source);
    expect(Object.keys(Object.prototype)).toEqual([]);
    expect(Object.keys(Object)).toEqual([]);
    expect(Object.keys(state.pressure).sort()).toEqual(['__proto__', 'constructor', 'email']);
    expect(state.pressure).toEqual(accumulateKpis(odd, { by: ['channel'] }).toJSON().pressure);
    const spec = { steps: ['page_view', 'purchase'], window: '1h' };
    const f = new FunnelAccumulator(spec);
    for (const p of odd) f.add(p);
    const fromSql = await funnelStateFromSql(sql, spec, source);
    expect(Object.getPrototypeOf(fromSql.byChannel)).toBe(Object.prototype);
    expect(Object.keys(fromSql.byChannel).sort()).toEqual(['__proto__', 'constructor', 'email']);
    expect(fromSql.byChannel).toEqual(f.toJSON().byChannel);
  });

  it('refuses what SQL cannot group by', () => {
    expect(() => kpiSql({ by: ['segment'] })).toThrow(expect.objectContaining({ code: 'CONFIG_INVALID', path: 'by' }));
    expect(() => kpiSql({}, { contacts: 'x; DROP TABLE y' })).toThrow(expect.objectContaining({ code: 'CONFIG_INVALID', path: 'contacts' }));
  });
});

