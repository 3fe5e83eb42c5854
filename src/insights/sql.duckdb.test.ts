/**
 * The insights SQL on DuckDB (`dialect: 'duckdb'`, the official `@duckdb/node-api` through `fromDuckDB`), held equal
 * to the in-memory accumulators and to PostgreSQL (PGlite) on the same tables: random populations (fast-check) with
 * events of the same millisecond, instants around DST transitions, amounts that are integers and fractions, missing
 * properties and a spend table; the seeded population of sql.test.ts; and the local-period edge cases.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, expectTypeOf, it } from 'vitest';
import { createHistory, type BehaviourEvent, type ContactRecord, type ResponseRecord } from '../core/records.js';
import type { SqlClient } from '../core/sql.js';
import { createDuckDB } from '../../test/fixtures/duckdb.js';
import { pgEngines } from '../../test/fixtures/pglite.js';
import { SEEDED_KPI_CASES, SEEDED_START, seededPeople } from '../../test/fixtures/insights-sql.js';
import { accumulateKpis, type KpiStateJSON, type SubjectHistory } from './accumulate.js';
import { CohortAccumulator, cohortReport } from './cohorts.js';
import { FunnelAccumulator, funnelReport } from './funnels.js';
import { COUNTER, KPI_NAMES } from './kpis.js';
import type { KpiOptionsInput } from './options.js';
import { cohortStateFromSql, funnelStateFromSql, kpiSql, kpiStateFromSql, type InsightsSqlSourceInput } from './sql.js';
import { kpiTable } from './table.js';

type Dialect = 'postgres' | 'duckdb';
interface Engine {
  readonly dialect: Dialect;
  readonly sql: SqlClient;
  readonly close: () => unknown;
}

/**
 * Creates `<prefix>events` (shaped like the event store's table, `seq` its append order), `<prefix>contacts` and
 * `<prefix>responses` in either engine and fills them from the histories; rows go in reversed, so only `at, seq`
 * (not the physical order) can put events of one millisecond in the order the histories hold them.
 */
async function load(e: Engine, people: ReadonlyArray<SubjectHistory>, prefix = ''): Promise<InsightsSqlSourceInput> {
  const json = e.dialect === 'duckdb' ? 'JSON' : 'jsonb';
  const str = (s: string | undefined): string => (s === undefined ? 'NULL' : `'${s.replace(/'/g, "''")}'`);
  // Numbers as text cast to a double: both engines round it correctly (a DECIMAL literal need not be).
  const num = (n: number | undefined): string => (n === undefined ? 'NULL' : `'${n}'::float8`);
  const names = { events: `${prefix}events`, contacts: `${prefix}contacts`, responses: `${prefix}responses` };
  for (const t of Object.values(names)) await e.sql.query(`DROP TABLE IF EXISTS ${t}`);
  await e.sql.query(`CREATE TABLE ${names.events} (subject_id text, type text, "at" bigint, channel text, properties ${json}, seq bigint)`);
  await e.sql.query(`CREATE TABLE ${names.contacts} (id text, subject_id text, channel text, campaign_id text, offer_id text, tags text[], transactional boolean, "at" bigint)`);
  await e.sql.query(`CREATE TABLE ${names.responses} (id text, subject_id text, contact_id text, kind text, channel text, campaign_id text, offer_id text, value float8, "at" bigint)`);
  const insert = async (table: string, rows: string[]) => {
    for (let i = 0; i < rows.length; i += 500) await e.sql.query(`INSERT INTO ${table} VALUES ${rows.slice(i, i + 500).reverse().join(', ')}`);
  };
  let seq = 0;
  await insert(names.events, people.flatMap((p) => p.events).map((x) => `(${str(x.subjectId)}, ${str(x.type)}, ${x.at}, ${str(x.channel)}, ${str(JSON.stringify(x.properties))}::${json}, ${seq++})`).reverse());
  await insert(
    names.contacts,
    people.flatMap((p) => p.contacts).map((c) => `(${str(c.id)}, ${str(c.subjectId)}, ${str(c.channel)}, ${str(c.campaignId)}, ${str(c.offerId)}, ARRAY[${c.tags.map(str).join(', ')}]::text[], ${c.transactional}, ${c.at})`),
  );
  await insert(
    names.responses,
    people.flatMap((p) => p.responses).map((r) => `(${str(r.id)}, ${str(r.subjectId)}, ${str(r.contactId)}, ${str(r.kind)}, ${str(r.channel)}, ${str(r.campaignId)}, ${str(r.offerId)}, ${num(r.value)}, ${r.at})`),
  );
  return { dialect: e.dialect, ...names, contactId: 'contact_id' };
}

const engines: Engine[] = [];
const engine = (d: Dialect): Engine => engines.find((e) => e.dialect === d)!;
beforeAll(async () => {
  engines.push({ dialect: 'duckdb', ...(await createDuckDB()) });
  // PGlite, and the PostgreSQL server where the machine has one (CI).
  for (const pg of pgEngines()) engines.push({ dialect: 'postgres', ...(await pg.open()) });
});
afterAll(async () => {
  for (const e of engines) await e.close();
});

// ---- random populations ---------------------------------------------------------------------------------------

const H = 3_600_000;
/** Instants next to DST transitions (Paris spring and autumn, Havana's at midnight) and month/week starts. */
const ANCHORS = ['2026-03-29T01:00:00Z', '2026-10-25T01:00:00Z', '2026-03-08T05:00:00Z', '2026-11-01T04:00:00Z', '2026-03-01T00:00:00Z'].map(Date.parse);
const ZONES = ['UTC', 'Europe/Paris', 'America/Havana', 'America/Santiago', 'Asia/Kolkata'];
const CHANNELS = ['email', 'sms', 'web'];
/** A coarse grid (half hours around an anchor) makes equal milliseconds common; now and then one ms after. */
const atArb = fc.tuple(fc.constantFrom(...ANCHORS), fc.integer({ min: -60, max: 60 }), fc.constantFrom(0, 0, 0, 1)).map(([a, k, ms]) => a + k * 1_800_000 + ms);

/** Exact amounts (integers and binary fractions: any order of addition gives the same sum) or decimal fractions. */
const amountArb = (exact: boolean): fc.Arbitrary<number> =>
  exact
    ? fc.oneof(fc.integer({ min: 0, max: 500 }), fc.integer({ min: 0, max: 4000 }).map((n) => n / 8))
    : fc.oneof(fc.integer({ min: 0, max: 500 }), fc.integer({ min: 0, max: 50_000 }).map((n) => n / 100), fc.constantFrom(0.1, 0.2, 0.3, 19.99, 1e-3));

const personArb = (exact: boolean) =>
  fc.record({
    contacts: fc.array(
      fc.record({ channel: fc.constantFrom(...CHANNELS), campaign: fc.option(fc.constantFrom('spring', 'winback'), { nil: undefined }), tags: fc.constantFrom<string[]>([], ['bounced'], ['marketing']), transactional: fc.boolean(), at: atArb }),
      { maxLength: 4 },
    ),
    responses: fc.array(
      fc.record({
        kind: fc.constantFrom('opened', 'clicked', 'converted', 'unsubscribed', 'complained'),
        channel: fc.constantFrom(...CHANNELS),
        offer: fc.option(fc.constantFrom('o1', 'o2'), { nil: undefined }),
        value: fc.option(amountArb(exact), { nil: undefined }),
        // Opens and clicks of one contact count once (unique opens); a response without a contact counts each time.
        contact: fc.option(fc.integer({ min: 0, max: 2 }), { nil: undefined }),
        at: atArb,
      }),
      { maxLength: 6 },
    ),
    events: fc.array(
      fc.record({
        type: fc.constantFrom('page_view', 'cart_add', 'cart_abandon', 'purchase', 'signup'),
        channel: fc.option(fc.constantFrom('web', 'app'), { nil: undefined }),
        // A missing amount, a number, or (on other events than purchases) a value memory does not read as one.
        amount: fc.option(amountArb(exact), { nil: undefined }),
        note: fc.constantFrom(undefined, 'x'),
        at: atArb,
      }),
      { maxLength: 7 },
    ),
  });

const populationArb = (exact: boolean) =>
  fc.array(personArb(exact), { minLength: 1, maxLength: 5 }).map((list) =>
    list.map((p, i): SubjectHistory => {
      const s = `s${i}`;
      const contacts: ContactRecord[] = p.contacts.map((c, j) => ({ id: `${s}c${j}`, subjectId: s, channel: c.channel, ...(c.campaign ? { campaignId: c.campaign } : {}), tags: c.tags, transactional: c.transactional, at: c.at }));
      const responses: ResponseRecord[] = p.responses.map((r, j) => ({
        id: `${s}r${j}`,
        subjectId: s,
        // The responses of one contact carry its channel and offer (of two in one millisecond, either may count in SQL).
        ...(r.contact !== undefined ? { contactId: `${s}c${r.contact}`, channel: CHANNELS[r.contact]!, ...(r.contact === 0 ? { offerId: 'o1' } : {}) } : { channel: r.channel, ...(r.offer ? { offerId: r.offer } : {}) }),
        kind: r.kind as ResponseRecord['kind'],
        tags: [],
        at: r.at,
        ...(r.value !== undefined && r.kind === 'converted' ? { value: r.value } : {}),
      }));
      const events: BehaviourEvent[] = p.events.map((e) => ({
        subjectId: s,
        type: e.type,
        at: e.at,
        ...(e.channel ? { channel: e.channel } : {}),
        properties: { ...(e.amount !== undefined ? { amount: e.amount } : e.type !== 'purchase' && e.note ? { amount: e.note } : {}), ...(e.note ? { note: e.note } : {}) },
      }));
      // createHistory sorts by time and keeps the generated order among equal times, as the store's `seq` does.
      return createHistory(s, { contacts, responses, events });
    }),
  );

const kpiOptionsArb: fc.Arbitrary<KpiOptionsInput> = fc.record(
  {
    by: fc.subarray(['channel', 'campaign', 'offer', 'period'] as const),
    period: fc.constantFrom('day' as const, 'week' as const, 'month' as const),
    timeZone: fc.constantFrom(...ZONES),
    weekStartsOn: fc.integer({ min: 0, max: 6 }),
    from: fc.constantFrom(ANCHORS[2]! - 10 * H, ANCHORS[0]!),
    to: fc.constantFrom(ANCHORS[1]! + 10 * H, ANCHORS[3]!),
  },
  { requiredKeys: ['by', 'period', 'timeZone', 'weekStartsOn'] },
);

/** The money slots: sums of doubles, whose last bits depend on the order of addition. */
const MONEY: number[] = [COUNTER.revenue, COUNTER.conversionValue];

/** Spend rows for every channel of the state (the period of the first record when grouped by period). */
function spendOf(state: KpiStateJSON, options: KpiOptionsInput) {
  return { spend: (state.channels ?? []).filter((c) => c !== '(none)').map((channel, i) => ({ channel, amount: 100 + i * 12.5, ...(options.by?.includes('period') ? { period: ANCHORS[0]! } : {}) })) };
}

/**
 * Runs the three SQL functions on both engines, with a session time zone that must not matter (DuckDB's
 * TIMESTAMPTZ arithmetic follows it), and returns their states beside the in-memory ones.
 */
async function allEngines(people: SubjectHistory[], options: KpiOptionsInput, cohort: { period: 'week' | 'month'; timeZone: string; acquisitionEvent: string }, funnel: { steps: string[]; window: string }, session: string) {
  const out: Array<{ dialect: Dialect; kpi: KpiStateJSON; funnel: ReturnType<typeof funnelReport>; cohort: ReturnType<typeof cohortReport> }> = [];
  const now = ANCHORS[3]! + 40 * 86_400_000;
  for (const e of engines) {
    const source = await load(e, people, 'fc_');
    await e.sql.query(`SET TimeZone = '${session}'`);
    out.push({
      dialect: e.dialect,
      kpi: await kpiStateFromSql(e.sql, options, source),
      funnel: strip(funnelReport(await funnelStateFromSql(e.sql, funnel, source))),
      cohort: cohortReport(await cohortStateFromSql(e.sql, { ...cohort, activeEvents: ['page_view', 'purchase'] }, source), now),
    });
    await e.sql.query(`SET TimeZone = 'UTC'`);
  }
  const f = new FunnelAccumulator(funnel);
  const c = new CohortAccumulator({ ...cohort, activeEvents: ['page_view', 'purchase'] });
  for (const p of people) {
    f.add(p);
    c.add(p);
  }
  return { engines: out, kpi: accumulateKpis(people, options), funnel: strip(funnelReport(f)), cohort: cohortReport(c, now) };
}
const strip = (r: ReturnType<typeof funnelReport>) => ({ ...r, steps: r.steps.map((s) => ({ ...s, topDropPaths: [] })) });
const cohortArb = fc.record({ period: fc.constantFrom('week' as const, 'month' as const), timeZone: fc.constantFrom(...ZONES), acquisitionEvent: fc.constantFrom('purchase', 'signup') });
const funnelArb = fc.record({ steps: fc.array(fc.constantFrom('page_view', 'cart_add', 'purchase'), { minLength: 2, maxLength: 4 }), window: fc.constantFrom('30m', '2h', '1d') });
const sessionArb = fc.constantFrom('UTC', 'America/Havana', 'Asia/Kathmandu');

describe('insights SQL on DuckDB = in memory = PostgreSQL (PGlite, and the server under CI), random populations', () => {
  it('exact amounts (integers, binary fractions): KPI tables, pressure, channels, funnels and cohorts are equal', async () => {
    await fc.assert(
      fc.asyncProperty(populationArb(true), kpiOptionsArb, cohortArb, funnelArb, sessionArb, async (people, options, cohort, funnel, session) => {
        const got = await allEngines(people, options, cohort, funnel, session);
        const memory = got.kpi.toJSON();
        const spend = spendOf(memory, options);
        const want = kpiTable(got.kpi, [...KPI_NAMES], spend);
        for (const e of got.engines) {
          expect({ dialect: e.dialect, table: kpiTable(e.kpi, [...KPI_NAMES], spend) }).toEqual({ dialect: e.dialect, table: want });
          expect(e.kpi.pressure).toEqual(memory.pressure);
          expect(e.kpi.pressureAbove).toEqual(memory.pressureAbove);
          expect(e.kpi.channels).toEqual(memory.channels);
          expect(e.funnel).toEqual(got.funnel);
          expect(e.cohort).toEqual(got.cohort);
        }
      }),
      { numRuns: 60 },
    );
  }, 300_000);

  it('decimal amounts (0.1, 19.99, …): every count is equal; money sums agree within the rounding of a sum in another order', async () => {
    // Doubles do not add associatively (0.1 + 0.2 + 0.3 ≠ 0.3 + 0.2 + 0.1 in the last bit), and each side adds in
    // its own order: memory in history order, PostgreSQL in scan order, DuckDB in parallel chunks. No order is the
    // "right" one, so money sums are compared within the bound of reordering n terms: n · 2⁻⁵² · Σ|x|.
    const close = (a: number, b: number, n: number, abs: number) => Math.abs(a - b) <= n * 2 ** -52 * abs + Number.MIN_VALUE;
    await fc.assert(
      fc.asyncProperty(populationArb(false), kpiOptionsArb, cohortArb, funnelArb, async (people, options, cohort, funnel) => {
        const got = await allEngines(people, options, cohort, funnel, 'UTC');
        const memory = got.kpi.toJSON();
        const key = (g: KpiStateJSON['groups'][number]) => JSON.stringify(g.key);
        const byKey = new Map(memory.groups.map((g) => [key(g), g.counters]));
        const n = people.reduce((s, p) => s + p.events.length + p.responses.length, 0);
        for (const e of got.engines) {
          expect(e.kpi.groups.map(key).sort()).toEqual([...byKey.keys()].sort());
          for (const g of e.kpi.groups) {
            const want = byKey.get(key(g))!;
            for (let i = 0; i < want.length; i++) {
              if (MONEY.includes(i)) expect(close(g.counters[i]!, want[i]!, n, want[i]!), `${e.dialect} slot ${i}: ${g.counters[i]} vs ${want[i]}`).toBe(true);
              else expect(g.counters[i]).toBe(want[i]);
            }
          }
          expect(e.funnel).toEqual(got.funnel);
          expect(e.cohort.cohorts.map((c) => [c.start, c.size, c.retention])).toEqual(got.cohort.cohorts.map((c) => [c.start, c.size, c.retention]));
          e.cohort.cohorts.forEach((c, i) => c.revenuePerPerson.forEach((v, k) => expect(close(v!, got.cohort.cohorts[i]!.revenuePerPerson[k]!, n, v!)).toBe(true)));
        }
      }),
      { numRuns: 40 },
    );
  }, 300_000);
});

// ---- the seeded population and the edge cases of sql.test.ts, on DuckDB ---------------------------------------

describe('insights SQL on DuckDB: seeded population and edge cases', () => {
  const START = SEEDED_START;
  const people: SubjectHistory[] = seededPeople();
  let source: InsightsSqlSourceInput;
  beforeAll(async () => {
    source = await load(engine('duckdb'), people, 'seed_');
  });

  const cases = SEEDED_KPI_CASES;
  for (const [name, options] of cases) {
    it(`KPIs equal the in-memory ones: ${name}`, async () => {
      const memory = accumulateKpis(people, options);
      const fromSql = await kpiStateFromSql(engine('duckdb').sql, options, source);
      const spend = options.by?.includes('channel') ? { spend: [{ channel: 'email', amount: 500, period: START }] } : {};
      const want = kpiTable(memory, [...KPI_NAMES], spend);
      expect(want.rows.length).toBeGreaterThan(0);
      expect(kpiTable(fromSql, [...KPI_NAMES], spend)).toEqual(want);
      expect(fromSql.pressure).toEqual(memory.toJSON().pressure);
    });
  }

  it('funnels and cohorts equal the in-memory ones', async () => {
    const { sql } = engine('duckdb');
    const spec = { steps: ['page_view', 'cart_add', 'checkout', 'purchase'], window: '2h' };
    const f = new FunnelAccumulator(spec);
    for (const p of people) f.add(p);
    expect(funnelReport(f).completed).toBeGreaterThan(10);
    expect(strip(funnelReport(await funnelStateFromSql(sql, spec, source)))).toEqual(strip(funnelReport(f)));
    for (const options of [{ period: 'week' as const, timeZone: 'Europe/Paris', activeEvents: ['page_view', 'purchase'] }, { period: 'month' as const, timeZone: 'Asia/Kolkata' }]) {
      const c = new CohortAccumulator(options);
      for (const p of people) c.add(p);
      const now = START + 6 * 7 * 86_400_000;
      expect(cohortReport(await cohortStateFromSql(sql, options, source), now)).toEqual(cohortReport(c, now));
    }
  });

  it('local periods start at the first instant of the local day, also where midnight is skipped or happens twice, in zones with transitions near midnight', async () => {
    const e = engine('duckdb');
    const at = [Date.parse('2026-11-01T04:30:00Z'), Date.parse('2026-11-01T05:30:00Z'), Date.parse('2026-10-31T12:00:00Z')];
    for (let t = Date.parse('2026-01-01T00:00:00Z'); t < Date.parse('2027-01-01T00:00:00Z'); t += 7 * H + 13 * 60_000) at.push(t);
    const buyers = at.map((t, i) => createHistory(`b${i}`, { events: [{ subjectId: `b${i}`, type: 'purchase', at: t, properties: { amount: 1 } }] }));
    const src = await load(e, buyers, 'period_');
    const havana = await kpiStateFromSql(e.sql, { by: ['period'], period: 'day', timeZone: 'America/Havana' }, src);
    expect(havana.groups.map((g) => g.key.period)).toContain(Date.parse('2026-11-01T04:00:00Z'));
    expect(havana.groups.map((g) => g.key.period)).not.toContain(Date.parse('2026-11-01T05:00:00Z'));
    expect(havana.groups.map((g) => g.key.period)).toContain(Date.parse('2026-03-08T05:00:00Z'));
    for (const timeZone of ['America/Havana', 'America/Santiago', 'America/Asuncion', 'Asia/Beirut', 'Australia/Lord_Howe', 'Europe/Paris']) {
      for (const [period, weekStartsOn] of [['day', 1], ['month', 1], ['week', 0], ['week', 6]] as const) {
        const options = { by: ['period'], period, timeZone, weekStartsOn } as KpiOptionsInput;
        expect(kpiTable(await kpiStateFromSql(e.sql, options, src), ['purchases', 'retentionRate'])).toEqual(kpiTable(accumulateKpis(buyers, options), ['purchases', 'retentionRate']));
      }
    }
  }, 120_000);

  it('reads `at` stored as TIMESTAMPTZ to the exact millisecond (extract(epoch …) × 1000 is a double of seconds in DuckDB)', async () => {
    const e = engine('duckdb');
    /** The tables of `prefix` again, `at` as TIMESTAMPTZ. */
    const asTimestamptz = async (src: InsightsSqlSourceInput): Promise<InsightsSqlSourceInput> => {
      for (const t of ['events', 'contacts', 'responses'] as const) {
        await e.sql.query(`DROP TABLE IF EXISTS tz_${src[t]}`);
        await e.sql.query(`CREATE TABLE tz_${src[t]} AS SELECT * REPLACE (epoch_ms("at")::TIMESTAMPTZ AS "at") FROM ${src[t]}`);
      }
      return { ...src, events: `tz_${src.events}`, contacts: `tz_${src.contacts}`, responses: `tz_${src.responses}`, timeType: 'timestamptz' };
    };
    // The seeded population, every instant with a millisecond part: the same states as from epoch ms.
    const tz = await asTimestamptz(source);
    const sorted = (s: KpiStateJSON) => ({ ...s, groups: [...s.groups].sort((a, b) => (JSON.stringify(a.key) < JSON.stringify(b.key) ? -1 : 1)) });
    const options: KpiOptionsInput = { by: ['channel', 'period'], period: 'day', timeZone: 'Europe/Paris', from: START + 86_400_000 + 1, to: START + 20 * 86_400_000 + 999 };
    expect(sorted(await kpiStateFromSql(e.sql, options, tz))).toEqual(sorted(await kpiStateFromSql(e.sql, options, source)));
    const spec = { steps: ['page_view', 'cart_add', 'checkout', 'purchase'], window: '1h' };
    expect(await funnelStateFromSql(e.sql, spec, tz)).toEqual(await funnelStateFromSql(e.sql, spec, source));
    expect(await cohortStateFromSql(e.sql, { period: 'week', timeZone: 'Europe/Paris' }, tz)).toEqual(await cohortStateFromSql(e.sql, { period: 'week', timeZone: 'Europe/Paris' }, source));
    // Instants whose seconds are no exact double: 1.001 s × 1000 = 1000.9999999999999 (and 2038-01-19T01:14:14.055Z):
    // read through extract(epoch …), a range starting at it left it out and the funnel's times were not whole ms.
    const odd = [1001, 2_147_485_654_055].map((t, i) =>
      createHistory(`m${i}`, { events: [{ subjectId: `m${i}`, type: 'page_view', at: t, properties: {} }, { subjectId: `m${i}`, type: 'purchase', at: t + 1000, properties: { amount: 2 } }] }),
    );
    const oddTz = await asTimestamptz(await load(e, odd, 'ms_'));
    for (const from of [1001, 2_147_485_654_055]) {
      const o: KpiOptionsInput = { by: ['period'], period: 'day', from, to: from + 1 };
      expect(kpiTable(await kpiStateFromSql(e.sql, o, oddTz), ['purchases', 'activePeople'])).toEqual(kpiTable(accumulateKpis(odd, o), ['purchases', 'activePeople']));
    }
    const f = new FunnelAccumulator({ steps: ['page_view', 'purchase'], window: '1h' });
    for (const p of odd) f.add(p);
    expect(await funnelStateFromSql(e.sql, { steps: ['page_view', 'purchase'], window: '1h' }, oddTz)).toEqual({ ...f.toJSON(), dropPaths: [{}, {}] });
  });

  it('an amount is a JSON number only, and a property name is a key, not a path, as in memory and PostgreSQL', async () => {
    // Tables loaded by other means than the stores can hold a string or boolean amount (DuckDB casts "12" and true to
    // numbers); and a property named `$.a`, `/a`, `a.b` or `a~b` is that key (DuckDB reads `$.a` and `/a` as paths).
    const rows = [{ 'a.b': 5, amount: '12' }, { 'a/b': 7, amount: true }, { a: { b: 100 }, amount: 3.5 }, { 'a~b': 2, '$.a': 11 }, { '/a': 13 }, {}];
    for (const e of engines) {
      const src = await load(e, [{ subjectId: 'x', contacts: [], responses: [], events: rows.map((properties, i) => ({ subjectId: 'x', type: 'purchase', at: START + i, properties })) }], 'amt_');
      const revenue = async (amountProperty: string) => (await kpiStateFromSql(e.sql, { amountProperty }, src)).groups[0]!.counters[COUNTER.revenue];
      expect([e.dialect, await revenue('amount'), await revenue('a.b'), await revenue('a/b'), await revenue('a~b'), await revenue('$.a'), await revenue('/a')]).toEqual([e.dialect, 3.5, 5, 7, 2, 11, 13]);
      if (e.dialect === 'duckdb') {
        // A VARCHAR column holding the JSON text reads alike.
        await e.sql.query('CREATE OR REPLACE TABLE amt_text AS SELECT * REPLACE (properties::VARCHAR AS properties) FROM amt_events');
        expect((await kpiStateFromSql(e.sql, {}, { ...src, events: 'amt_text' })).groups[0]!.counters[COUNTER.revenue]).toBe(3.5);
      }
    }
  });

  it('time zones need the ICU extension: @duckdb/node-api links it (and JSON) in, loaded', async () => {
    // Without ICU DuckDB cannot bind `… AT TIME ZONE 'Europe/Paris'` (periods, pressure, cohorts): the query fails,
    // it does not answer otherwise. This holds the adapter's package to carrying it.
    const { rows } = await engine('duckdb').sql.query<{ extension_name: string; loaded: boolean; install_mode: string }>(
      "SELECT extension_name, loaded, install_mode FROM duckdb_extensions() WHERE extension_name IN ('icu', 'json') ORDER BY 1",
    );
    expect(rows).toEqual([
      { extension_name: 'icu', loaded: true, install_mode: 'STATICALLY_LINKED' },
      { extension_name: 'json', loaded: true, install_mode: 'STATICALLY_LINKED' },
    ]);
  });

  it('refuses a dialect it does not know, like segments (CONFIG_INVALID at dialect)', async () => {
    expectTypeOf<InsightsSqlSourceInput['dialect']>().toEqualTypeOf<'postgres' | 'duckdb' | undefined>();
    expect(() => kpiSql({}, { dialect: 'sqlite' as never })).toThrow(expect.objectContaining({ code: 'CONFIG_INVALID', path: 'dialect' }));
    await expect(funnelStateFromSql(engine('duckdb').sql, { steps: ['a', 'b'], window: '1d' }, { dialect: 'DuckDB' as never })).rejects.toMatchObject({ code: 'CONFIG_INVALID', path: 'dialect' });
    await expect(cohortStateFromSql(engine('duckdb').sql, {}, { dialect: 1 as never })).rejects.toMatchObject({ code: 'CONFIG_INVALID', path: 'dialect' });
  });

  it('PostgreSQL SQL (the default dialect) on DuckDB fails as a typed STORE_ERROR, not a wrong answer', async () => {
    await expect(kpiStateFromSql(engine('duckdb').sql, {}, { ...source, dialect: 'postgres' })).rejects.toMatchObject({ code: 'STORE_ERROR' });
  });
});
