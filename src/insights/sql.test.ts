/**
 * The SQL KPIs, funnels and cohorts on PostgreSQL (PGlite in-process, and the real server under CI) over the event store's real table and
 * contact/response tables, held equal to the in-memory accumulators on the same seeded population.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PostgresEventStore } from '../adapters/postgres/events.js';
import { createHistory, parseBehaviourEvent } from '../core/records.js';
import type { SqlClient } from '../core/sql.js';
import { pgEngines } from '../../test/fixtures/pglite.js';
import { SEEDED_KPI_CASES, SEEDED_START, seededPeople } from '../../test/fixtures/insights-sql.js';
import { accumulateKpis, type SubjectHistory } from './accumulate.js';
import { CohortAccumulator, cohortReport } from './cohorts.js';
import { FunnelAccumulator, funnelReport } from './funnels.js';
import { KPI_NAMES } from './kpis.js';
import type { KpiOptionsInput } from './options.js';
import { pressureReport } from './pressure.js';
import { cohortStateFromSql, funnelStateFromSql, kpiSql, kpiStateFromSql } from './sql.js';
import { kpiTable } from './table.js';

const START = SEEDED_START;
const people: SubjectHistory[] = seededPeople();

describe.each(pgEngines())('insights SQL on PostgreSQL ($name)', (engine) => {
  let close: (() => Promise<void>) | undefined;
  let sql: SqlClient;
  /** An empty event store table `<name>_events` and contact and response tables shaped like the main ones, as a source. */
  const emptySource = async (name: string) => {
    const events = new PostgresEventStore(sql, { table: `${name}_events` });
    await events.migrate();
    await sql.query(`CREATE TABLE ${name}_contacts (LIKE contacts)`);
    await sql.query(`CREATE TABLE ${name}_responses (LIKE responses)`);
    return { events, source: { events: `${name}_events`, contacts: `${name}_contacts`, responses: `${name}_responses` } };
  };
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

  const cases = SEEDED_KPI_CASES;
  for (const [name, options] of cases) {
    it(`KPIs equal the in-memory ones: ${name}`, async () => {
      const memory = accumulateKpis(people, options);
      const fromSql = await kpiStateFromSql(sql, options);
      const spend = options.by?.includes('channel') ? { spend: [{ channel: 'email', amount: 500, period: START }] } : {};
      const want = kpiTable(memory, [...KPI_NAMES], spend);
      expect(want.rows.length).toBeGreaterThan(0);
      expect(kpiTable(fromSql, [...KPI_NAMES], spend)).toEqual(want);
      expect(fromSql.pressure).toEqual(memory.toJSON().pressure);
      expect(fromSql.channels).toEqual(memory.toJSON().channels);
    });
  }

  it('the channels a spend table is checked against are those of the records in the range, whatever the grouping, as in memory', async () => {
    for (const by of [[], ['period'], ['campaign'], ['channel', 'period']] as Array<Array<'channel' | 'period' | 'campaign'>>) {
      const options = { by, from: START + 7 * 86_400_000, to: START + 14 * 86_400_000 };
      const fromSql = await kpiStateFromSql(sql, options);
      expect(fromSql.channels).toEqual(accumulateKpis(people, options).toJSON().channels);
      expect(() => kpiTable(fromSql, ['spend'], { spend: [{ channel: 'emial', amount: 5, period: START + 8 * 86_400_000 }] })).toThrow(
        expect.objectContaining({ code: 'INSIGHTS_SPEND_INVALID', path: 'spend[0].channel' }),
      );
    }
  });

  it('retention after a DST jump at local midnight and after an empty period is the same as in memory (SQL retained the person, its table said NO_PREVIOUS_PERIOD)', async () => {
    const { events, source } = await emptySource('gap');
    const W = 7 * 86_400_000;
    const cases = [
      [{ by: ['period'], period: 'day', timeZone: 'America/Havana' }, ['2026-03-07T17:00:00Z', '2026-03-08T17:00:00Z'], [null, 1]],
      [{ by: ['period'], period: 'week', timeZone: 'America/Havana', weekStartsOn: 0 }, ['2026-03-04T17:00:00Z', '2026-03-10T17:00:00Z'], [null, 1]],
      [{ by: ['period'], period: 'day', timeZone: 'America/Santiago' }, ['2026-09-05T16:00:00Z', '2026-09-06T16:00:00Z'], [null, 1]],
      [{ by: ['channel', 'period'] }, [new Date(START).toISOString(), new Date(START + 2 * W).toISOString()], [null, null]],
    ] as Array<[KpiOptionsInput, string[], Array<number | null>]>;
    for (const [options, at, want] of cases) {
      await sql.query('DELETE FROM gap_events');
      const h = createHistory('g', { events: at.map((t) => parseBehaviourEvent({ subjectId: 'g', type: 'page_view', at: Date.parse(t), channel: 'web' })) });
      await events.append(h.events);
      const memory = kpiTable(accumulateKpis([h], options), ['activePeople', 'retentionRate']);
      expect(memory.rows.map((r) => r.values.retentionRate?.value)).toEqual(want);
      expect(kpiTable(await kpiStateFromSql(sql, options, source), ['activePeople', 'retentionRate'])).toEqual(memory);
    }
    // The last case: the first period has none before it, the third had nobody active in the one before.
    const h = createHistory('g', { events: [START, START + 2 * W].map((at) => parseBehaviourEvent({ subjectId: 'g', type: 'page_view', at, channel: 'web' })) });
    const reasons = kpiTable(await kpiStateFromSql(sql, { by: ['period'] }, source), ['retentionRate']).rows.map((r) => (r.values.retentionRate as { reason?: { code: string } }).reason?.code);
    expect(reasons).toEqual(['NO_PREVIOUS_PERIOD', 'ZERO_DENOMINATOR']);
    expect(kpiTable(accumulateKpis([h], { by: ['period'] }), ['retentionRate']).rows.map((r) => (r.values.retentionRate as { reason?: { code: string } }).reason?.code)).toEqual(reasons);
  });

  it('pressure against caps reads the same from SQL', async () => {
    const caps = { rules: [{ id: 'weekly', kind: 'limit' as const, limit: 2, window: 'week' as const }] };
    const memory = accumulateKpis(people, { by: ['channel'] });
    const fromSql = accumulateKpis([], { by: ['channel'] }).merge(await kpiStateFromSql(sql, { by: ['channel'] }));
    expect(pressureReport(fromSql, caps)).toEqual(pressureReport(memory, caps));
    // With 2 buckets, most person-weeks are beyond the last: SQL keeps their exact counts as memory does.
    for (const limit of [1, 2, 3, 4]) {
      const few = { by: ['channel'], pressureBuckets: 2 } as KpiOptionsInput;
      const state = await kpiStateFromSql(sql, few);
      expect(state.pressureAbove).toEqual(accumulateKpis(people, few).toJSON().pressureAbove);
      const capsAt = { rules: [{ id: 'weekly', kind: 'limit' as const, limit, window: 'week' as const }] };
      expect(pressureReport(accumulateKpis([], few).merge(state), capsAt)).toEqual(pressureReport(accumulateKpis(people, few), capsAt));
    }
  });

  it('funnels equal the in-memory ones (paths before drop-off are in-memory only)', async () => {
    const spec = { steps: ['page_view', 'cart_add', 'checkout', 'purchase'], window: '2h' };
    const f = new FunnelAccumulator(spec);
    for (const p of people) f.add(p);
    const strip = (r: ReturnType<typeof funnelReport>) => ({ ...r, steps: r.steps.map((s) => ({ ...s, topDropPaths: [] })) });
    expect(funnelReport(f).completed).toBeGreaterThan(10);
    expect(strip(funnelReport(await funnelStateFromSql(sql, spec)))).toEqual(strip(funnelReport(f)));
  });

  it('funnels equal the in-memory ones with repeated step types and events in the same millisecond', async () => {
    // The seeded population has distinct step types and rarely equal times; here steps repeat (view > view > buy),
    // and a few instants on a coarse grid make equal times common: one event must never count for two steps, and
    // events of one millisecond count in the order they were appended, as a history holds them.
    const events = new PostgresEventStore(sql, { table: 'funnel_fc_events' });
    await events.migrate();
    const H = 3_600_000;
    const TYPES = ['view', 'cart', 'buy'] as const;
    const event = fc.record({ type: fc.constantFrom(...TYPES), k: fc.integer({ min: 0, max: 4 }), channel: fc.constantFrom('web', 'app') });
    const population = fc.array(fc.array(event, { maxLength: 7 }), { minLength: 1, maxLength: 4 });
    const spec = fc.record({ steps: fc.array(fc.constantFrom(...TYPES), { minLength: 2, maxLength: 4 }), window: fc.constantFrom('30m', '1h', '2h', '1d') });
    const strip = (r: ReturnType<typeof funnelReport>) => ({ ...r, steps: r.steps.map((s) => ({ ...s, topDropPaths: [] })) });
    await fc.assert(
      fc.asyncProperty(population, spec, async (people, funnel) => {
        const histories = people.map((list, p) =>
          createHistory(`f${p}`, { events: list.map((e) => parseBehaviourEvent({ subjectId: `f${p}`, type: e.type, at: START + e.k * H, channel: e.channel })) }),
        );
        await sql.query('DELETE FROM funnel_fc_events');
        // Appended in the order generated (createHistory's sort keeps that order among equal times; so does seq).
        await events.append(people.flatMap((list, p) => list.map((e) => ({ subjectId: `f${p}`, type: e.type, at: START + e.k * H, channel: e.channel, properties: {} }))));
        const f = new FunnelAccumulator(funnel);
        for (const h of histories) f.add(h);
        expect(strip(funnelReport(await funnelStateFromSql(sql, funnel, { events: 'funnel_fc_events' })))).toEqual(strip(funnelReport(f)));
      }),
      { numRuns: 60 },
    );
    // The audit's cases: view then buy an hour later, steps view > view > buy — memory [1, 0, 0], SQL was [1, 1, 1];
    // cart and view in the same millisecond, cart appended first — cart is not a step after view.
    await sql.query('DELETE FROM funnel_fc_events');
    await events.append([
      { subjectId: 'p1', type: 'view', at: START, properties: {} },
      { subjectId: 'p1', type: 'buy', at: START + H, properties: {} },
      { subjectId: 'p2', type: 'cart', at: START, properties: {} },
      { subjectId: 'p2', type: 'view', at: START, properties: {} },
      { subjectId: 'p2', type: 'buy', at: START + H, properties: {} },
    ]);
    const reached = async (steps: string[]) => funnelReport(await funnelStateFromSql(sql, { steps, window: '1d' }, { events: 'funnel_fc_events' })).steps.map((s) => s.reached);
    expect(await reached(['view', 'view', 'buy'])).toEqual([2, 0, 0]);
    expect(await reached(['view', 'cart', 'buy'])).toEqual([2, 0, 0]);
    expect(await reached(['cart', 'view', 'buy'])).toEqual([1, 1, 1]);
  }, 120_000);

  it('local periods start at the first instant of the local day where midnight happens twice (America/Havana, 2026-11-01)', async () => {
    // Clocks go back from 01:00 CDT to 00:00 CST on 2026-11-01 in Havana: local midnight is 04:00Z and again 05:00Z,
    // and the day starts at 04:00Z (SQL read it as 05:00Z). Beyond that day, instants every 7 h 13 min through 2026
    // in zones whose transitions fall at or near midnight.
    const { events, source } = await emptySource('period');
    const at = [Date.parse('2026-11-01T04:30:00Z'), Date.parse('2026-11-01T05:30:00Z'), Date.parse('2026-10-31T12:00:00Z')];
    for (let t = Date.parse('2026-01-01T00:00:00Z'); t < Date.parse('2027-01-01T00:00:00Z'); t += 7 * 3_600_000 + 13 * 60_000) at.push(t);
    const buyers = at.map((t, i) => createHistory(`b${i}`, { events: [parseBehaviourEvent({ subjectId: `b${i}`, type: 'purchase', at: t, properties: { amount: 1 } })] }));
    await events.append(buyers.flatMap((h) => h.events));
    const havana = await kpiStateFromSql(sql, { by: ['period'], period: 'day', timeZone: 'America/Havana' }, source);
    expect(havana.groups.map((g) => g.key.period)).toContain(Date.parse('2026-11-01T04:00:00Z'));
    expect(havana.groups.map((g) => g.key.period)).not.toContain(Date.parse('2026-11-01T05:00:00Z'));
    for (const timeZone of ['America/Havana', 'America/Santiago', 'America/Asuncion', 'Asia/Beirut', 'Australia/Lord_Howe', 'Europe/Paris']) {
      for (const [period, weekStartsOn] of [['day', 1], ['month', 1], ['week', 0], ['week', 6]] as const) {
        const options = { by: ['period'], period, timeZone, weekStartsOn } as KpiOptionsInput;
        expect(kpiTable(await kpiStateFromSql(sql, options, source), ['purchases', 'retentionRate'])).toEqual(kpiTable(accumulateKpis(buyers, options), ['purchases', 'retentionRate']));
      }
    }
  }, 120_000);

  it('a first purchase among purchases of the same millisecond is the one appended first, as in memory', async () => {
    const { events, source } = await emptySource('tie');
    const h = createHistory('t1', {
      events: ['app', 'web', 'store'].map((channel) => parseBehaviourEvent({ subjectId: 't1', type: 'purchase', at: START, channel, properties: { amount: 5 } })),
    });
    await events.append(h.events);
    const options = { by: ['channel'] } as KpiOptionsInput;
    const fromSql = await kpiStateFromSql(sql, options, source);
    expect(kpiTable(fromSql, ['newCustomers'])).toEqual(kpiTable(accumulateKpis([h], options), ['newCustomers']));
  });

  it('cohorts equal the in-memory ones', async () => {
    for (const options of [{ period: 'week' as const, timeZone: 'Europe/Paris', activeEvents: ['page_view', 'purchase'] }, { period: 'month' as const, timeZone: 'Asia/Kolkata' }]) {
      const c = new CohortAccumulator(options);
      for (const p of people) c.add(p);
      const now = START + 6 * 7 * 86_400_000;
      expect(cohortReport(await cohortStateFromSql(sql, options), now)).toEqual(cohortReport(c, now));
    }
  });

  it('cohorts count no event of the acquisition millisecond appended before the acquisition event, as in memory (SQL counted them)', async () => {
    const { events, source } = await emptySource('ctie');
    const H = 3_600_000;
    const TYPES = ['signup', 'page_view', 'purchase'] as const;
    const event = fc.record({ type: fc.constantFrom(...TYPES), k: fc.integer({ min: 0, max: 3 }), amount: fc.integer({ min: 0, max: 9 }) });
    const population = fc.array(fc.array(event, { maxLength: 6 }), { minLength: 1, maxLength: 4 });
    const run = async (list: Array<Array<{ type: string; k: number; amount: number }>>, options: { period: 'week' | 'month'; acquisitionEvent: string; activeEvents: string[] }) => {
      const raw = list.flatMap((evs, p) => evs.map((e) => ({ subjectId: `c${p}`, type: e.type, at: START + e.k * H, properties: { amount: e.amount } })));
      await sql.query('DELETE FROM ctie_events');
      await events.append(raw);
      const c = new CohortAccumulator(options);
      list.forEach((_, p) => c.add(createHistory(`c${p}`, { events: raw.filter((e) => e.subjectId === `c${p}`).map((e) => parseBehaviourEvent(e)) })));
      return [cohortReport(await cohortStateFromSql(sql, options, source), START + 86_400_000), cohortReport(c, START + 86_400_000)];
    };
    // The audit's case: a purchase of 10, then the signup, in one millisecond: not active after acquisition, no revenue.
    const [fromSql, memory] = await run([[{ type: 'purchase', k: 0, amount: 10 }, { type: 'signup', k: 0, amount: 0 }]], { period: 'week', acquisitionEvent: 'signup', activeEvents: ['purchase'] });
    expect(memory!.cohorts.map((x) => [x.retention, x.revenuePerPerson])).toEqual([[[0], [0]]]);
    expect(fromSql).toEqual(memory);
    await fc.assert(
      fc.asyncProperty(population, fc.constantFrom('signup', 'page_view'), fc.constantFrom('week' as const, 'month' as const), async (list, acquisitionEvent, period) => {
        const [a, b] = await run(list, { period, acquisitionEvent, activeEvents: ['page_view', 'purchase'] });
        expect(a).toEqual(b);
      }),
      { numRuns: 40 },
    );
  }, 120_000);

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
    const { source } = await emptySource('odd');
    // Raw inserts: the stores refuse such channel names, but a table loaded by other means can hold them.
    await sql.query(
      `INSERT INTO odd_events (subject_id, type, at, channel) SELECT subject_id, type, at, channel FROM jsonb_to_recordset($1::jsonb) AS x(subject_id text, type text, at bigint, channel text)`,
      [JSON.stringify(odd.flatMap((p) => p.events).map((e) => ({ subject_id: e.subjectId, type: e.type, at: e.at, channel: e.channel })))],
    );
    await sql.query(
      `INSERT INTO odd_contacts SELECT id, subject_id, channel, NULL, NULL, '{}', false, at FROM jsonb_to_recordset($1::jsonb) AS x(id text, subject_id text, channel text, at bigint)`,
      [JSON.stringify(odd.flatMap((p) => p.contacts).map((c) => ({ id: c.id, subject_id: c.subjectId, channel: c.channel, at: c.at })))],
    );
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


describe('kpiStateFromSql on a failing statement', () => {
  it('answers once every statement it sent has settled (a caller closing its connection then closes none under a running query)', async () => {
    const order: string[] = [];
    let calls = 0;
    let running = 0;
    // The first statement fails at once; the other two answer later.
    const failing = {
      query: (_text: string) => {
        const n = calls++;
        if (n === 0) return Promise.reject(new Error('relation "events" does not exist'));
        running++;
        return new Promise<{ rows: never[] }>((resolve) => setTimeout(() => (running--, order.push(`done ${n}`), resolve({ rows: [] })), 20 * n));
      },
    };
    await expect(kpiStateFromSql(failing).finally(() => order.push(`answered, ${running} running`))).rejects.toThrow('does not exist');
    expect(order).toEqual(['done 1', 'done 2', 'answered, 0 running']);
  });
});
