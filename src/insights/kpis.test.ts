import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CrossChannelError } from '../core/errors.js';
import { createHistory, parseBehaviourEvent, parseContactRecord, parseResponseRecord } from '../core/records.js';
import { accumulateKpis, KpiAccumulator, type SubjectHistory } from './accumulate.js';
import { CohortAccumulator, cohortReport } from './cohorts.js';
import { FunnelAccumulator, funnelReport } from './funnels.js';
import { KPI_NAMES, KPI_REGISTRY } from './kpis.js';
import { pressureReport } from './pressure.js';
import { kpiTable } from './table.js';

const T0 = Date.parse('2026-03-02T10:00:00Z'); // a Monday
const DAY = 86_400_000;

function person(id: string, parts: { contacts?: object[]; responses?: object[]; events?: object[] }, segments?: string[]): SubjectHistory {
  const h = createHistory(id, {
    contacts: (parts.contacts ?? []).map((c, i) => parseContactRecord({ id: `${id}-c${i}`, subjectId: id, ...c } as never)),
    responses: (parts.responses ?? []).map((r, i) => parseResponseRecord({ id: `${id}-r${i}`, subjectId: id, ...r } as never)),
    events: (parts.events ?? []).map((e) => parseBehaviourEvent({ subjectId: id, ...e } as never)),
  });
  return segments === undefined ? h : { ...h, segments };
}

const population: SubjectHistory[] = [
  person(
    'p1',
    {
      contacts: [
        { channel: 'email', at: T0, campaignId: 'spring' },
        { channel: 'email', at: T0 + DAY, tags: ['bounced'] },
        { channel: 'sms', at: T0 + 8 * DAY },
      ],
      responses: [
        { kind: 'opened', channel: 'email', at: T0 + 1000 },
        { kind: 'clicked', channel: 'email', at: T0 + 2000 },
        { kind: 'converted', channel: 'email', at: T0 + 3000, value: 40 },
      ],
      events: [
        { type: 'purchase', channel: 'web', at: T0 + 4000, properties: { amount: 40 } },
        { type: 'purchase', channel: 'web', at: T0 + 9 * DAY, properties: { amount: 60 } },
      ],
    },
    ['vip'],
  ),
  person(
    'p2',
    {
      contacts: [{ channel: 'email', at: T0 + 2 * DAY }],
      responses: [{ kind: 'unsubscribed', channel: 'email', at: T0 + 2 * DAY + 5 }],
      events: [{ type: 'cart_abandon', channel: 'web', at: T0 + 3 * DAY }],
    },
    ['vip', 'new'],
  ),
];

describe('KpiAccumulator.merge of a malformed state', () => {
  it('refuses it with INPUT_INVALID at the bad value and merges nothing (a symbol counter was a TypeError halfway through)', () => {
    const a = new KpiAccumulator();
    a.add(createHistory('p1', { contacts: [parseContactRecord({ id: 'c1', subjectId: 'p1', channel: 'email', at: 0 })] }));
    const good = a.toJSON();
    const before = JSON.stringify(a.toJSON());
    const cases: Array<[unknown, string]> = [
      [{ ...good, groups: [...good.groups, { key: { channel: 'sms' }, counters: [1, Symbol('x')] }] }, 'groups[1].counters[1]'],
      [{ ...good, groups: [...good.groups, { key: { channel: 10n }, counters: [] }] }, 'groups[1].key.channel'],
      [{ ...good, groups: [...good.groups, null] }, 'groups[1]'],
      [{ ...good, pressure: { email: [0, {}] } }, 'pressure.email[1]'],
    ];
    for (const [state, path] of cases) {
      expect(() => a.merge(state as never)).toThrow(expect.objectContaining({ code: 'INPUT_INVALID', path }));
      expect(JSON.stringify(a.toJSON())).toBe(before);
    }
    expect(() => a.merge({ ...good, options: { ...good.options, purchaseEvent: 10n } } as never)).toThrow(expect.objectContaining({ code: 'INSIGHTS_STATE_MISMATCH' }));
    // Another version, or no state at all, is the input's fault (it was "computed with different options").
    for (const version of [2, null, '1']) expect(() => a.merge({ ...good, version } as never)).toThrow(expect.objectContaining({ code: 'INPUT_INVALID', path: 'version' }));
    expect(() => a.merge(null as never)).toThrow(expect.objectContaining({ code: 'INPUT_INVALID' }));
  });
});

describe('unique opens and clicks', () => {
  it('counts a contact opened or clicked several times once, as ESPs do (three opens of one email read as an open rate of 300 %)', () => {
    const h = person('u', {
      contacts: [{ channel: 'email', at: T0 }, { channel: 'email', at: T0 + DAY }],
      responses: [
        ...[1, 2, 3].map((i) => ({ kind: 'opened', contactId: 'u-c0', channel: 'email', at: T0 + i * 1000 })),
        ...[4, 5].map((i) => ({ kind: 'clicked', contactId: 'u-c0', channel: 'email', at: T0 + i * 1000 })),
        { kind: 'opened', contactId: 'u-c1', channel: 'email', at: T0 + DAY + 1000 },
        // Without a contact id a response cannot be matched: each counts.
        { kind: 'opened', channel: 'email', at: T0 + DAY + 2000 },
        { kind: 'opened', channel: 'email', at: T0 + DAY + 3000 },
        { kind: 'converted', contactId: 'u-c0', channel: 'email', at: T0 + 6000, value: 10 },
        { kind: 'converted', contactId: 'u-c0', channel: 'email', at: T0 + 7000, value: 5 },
      ],
    });
    const v = kpiTable(accumulateKpis([h]), ['delivered', 'opened', 'clicked', 'openRate', 'clickThroughRate', 'clickToOpenRate', 'converted', 'conversionValue']).rows[0]!.values;
    expect(Object.fromEntries(Object.entries(v).map(([k, x]) => [k, x.value]))).toEqual({
      delivered: 2, opened: 4, clicked: 1, openRate: 2, clickThroughRate: 0.5, clickToOpenRate: 0.25, converted: 2, conversionValue: 15,
    });
    // The first open of a contact in the range counts, in the period it happened.
    const weekly = kpiTable(accumulateKpis([h], { by: ['period'], from: T0 + 2000 }), ['opened', 'clicked']).rows.map((r) => [r.values.opened?.value, r.values.clicked?.value]);
    expect(weekly).toEqual([[4, 1]]);
  });
});

describe('KPI registry', () => {
  it('defines every KPI once with a formula', () => {
    expect(Object.keys(KPI_REGISTRY).sort()).toEqual([...KPI_NAMES].sort());
    for (const n of KPI_NAMES) expect(KPI_REGISTRY[n].formula.length).toBeGreaterThan(5);
  });

  it('pairs each name with its own definition (the definitions follow KPI_NAMES by position)', () => {
    for (const n of KPI_NAMES) expect(KPI_REGISTRY[n].name).toBe(n);
    expect(Object.fromEntries(KPI_NAMES.map((n) => [n, `${KPI_REGISTRY[n].label} | ${KPI_REGISTRY[n].unit}`]))).toEqual({
      contacts: 'Contacts sent | count',
      marketingContacts: 'Marketing contacts | count',
      delivered: 'Delivered | count',
      opened: 'Opened | count',
      clicked: 'Clicked | count',
      converted: 'Conversions | count',
      deliveryRate: 'Delivery rate | rate',
      openRate: 'Open rate | rate',
      clickThroughRate: 'Click-through rate | rate',
      clickToOpenRate: 'Click-to-open rate | rate',
      conversionRate: 'Conversion rate | rate',
      optOutRate: 'Opt-out rate | rate',
      complaintRate: 'Complaint rate | rate',
      contactsPerPerson: 'Contacts per person reached | ratio',
      purchases: 'Orders | count',
      revenue: 'Revenue | amount',
      conversionValue: 'Conversion value | amount',
      revenuePerContact: 'Revenue per contact | amount',
      averageOrderValue: 'Average order value | amount',
      cartAbandonmentRate: 'Cart abandonment rate | rate',
      activePeople: 'Active people | count',
      buyers: 'Buyers | count',
      repeatPurchaseRate: 'Repeat-purchase rate | rate',
      retentionRate: 'Retention rate | rate',
      newCustomers: 'New customers | count',
      spend: 'Spend | amount',
      customerAcquisitionCost: 'Customer acquisition cost | amount',
    });
    expect(KPI_REGISTRY.conversionRate.formula).toBe('converted ÷ delivered');
    expect(Object.isFrozen(KPI_REGISTRY.conversionRate)).toBe(true);
  });

  it('computes the overall KPIs of a small population by hand', () => {
    const t = kpiTable(accumulateKpis(population), [...KPI_NAMES]);
    expect(t.rows).toHaveLength(1);
    const v = t.rows[0]!.values;
    expect(v.contacts).toEqual({ value: 4 });
    expect(v.delivered).toEqual({ value: 3 });
    expect(v.deliveryRate).toEqual({ value: 0.75 });
    expect(v.openRate).toEqual({ value: 1 / 3 });
    expect(v.conversionRate).toEqual({ value: 1 / 3 });
    expect(v.optOutRate).toEqual({ value: 1 / 3 });
    expect(v.revenue).toEqual({ value: 100 });
    expect(v.averageOrderValue).toEqual({ value: 50 });
    expect(v.cartAbandonmentRate).toEqual({ value: 1 / 3 });
    expect(v.buyers).toEqual({ value: 1 });
    expect(v.repeatPurchaseRate).toEqual({ value: 1 });
    expect(v.activePeople).toEqual({ value: 2 });
    expect(v.newCustomers).toEqual({ value: 1 });
    expect(v.contactsPerPerson).toEqual({ value: 2 });
    expect(v.retentionRate).toMatchObject({ value: null, reason: { code: 'NO_PREVIOUS_PERIOD' } });
    expect(v.customerAcquisitionCost).toMatchObject({ value: null, reason: { code: 'NO_SPEND' } });
  });

  it('groups by channel and local week, with retention against the previous week and CAC from spend', () => {
    const acc = accumulateKpis(population, { by: ['channel', 'period'], period: 'week', timeZone: 'Europe/Paris' });
    const t = kpiTable(acc, ['contacts', 'retentionRate', 'complaintRate', 'customerAcquisitionCost'], {
      spend: [
        { channel: 'web', amount: 300, period: '2026-03-02' },
        { channel: 'web', amount: 50, period: '2026-03-09' },
      ],
    });
    expect(t.rows.map((r) => r.label)).toEqual(['email · 2026-03-02', 'web · 2026-03-02', 'sms · 2026-03-09', 'web · 2026-03-09']);
    const webW2 = t.rows[3]!.values;
    expect(webW2.retentionRate).toEqual({ value: 0.5 }); // p1 and p2 active on web in week 1, p1 again in week 2
    expect(t.rows[1]!.values.customerAcquisitionCost).toEqual({ value: 300 });
    expect(webW2.customerAcquisitionCost).toMatchObject({ value: null, reason: { code: 'ZERO_DENOMINATOR' } });
    expect(t.rows[0]!.values.complaintRate).toEqual({ value: 0 });
    expect(t.rows[2]!.values.complaintRate).toEqual({ value: 0 });
  });

  it('counts a person in each of their segments', () => {
    const t = kpiTable(accumulateKpis(population, { by: ['segment'] }), ['activePeople', 'contacts']);
    expect(t.rows.map((r) => [r.label, r.values.activePeople, r.values.contacts])).toEqual([
      ['new', { value: 1 }, { value: 1 }],
      ['vip', { value: 2 }, { value: 4 }],
    ]);
  });

  it('never gives NaN: empty ranges say why', () => {
    const t = kpiTable(accumulateKpis(population, { from: '2030-01-01', to: '2030-02-01' }), ['conversionRate']);
    expect(t.rows).toEqual([]);
    expect(t.reasons[0]!.code).toBe('NO_DATA');
  });

  it('rejects unknown KPI names, bad spend tables, negative amounts and malformed histories with paths', () => {
    const acc = accumulateKpis(population, { by: ['channel'] });
    const err = (f: () => unknown): CrossChannelError => {
      try {
        f();
      } catch (e) {
        if (e instanceof CrossChannelError) return e;
        throw e;
      }
      throw new Error('did not throw');
    };
    expect(err(() => kpiTable(acc, ['contacts', 'roi' as never]))).toMatchObject({ code: 'INSIGHTS_KPI_UNKNOWN', path: 'kpis[1]' });
    expect(err(() => kpiTable(acc, ['spend'], { spend: [{ channel: 'tv', amount: 5 }] }))).toMatchObject({ code: 'INSIGHTS_SPEND_INVALID', path: 'spend[0].channel' });
    expect(err(() => kpiTable(acc, ['spend'], { spend: [{ channel: 'web', amount: -5 }] }))).toMatchObject({ code: 'INSIGHTS_SPEND_INVALID', path: 'spend[0].amount' });
    const negative = person('p3', { events: [{ type: 'purchase', at: T0, properties: { amount: -1 } }] });
    expect(err(() => new KpiAccumulator().add(negative))).toMatchObject({ code: 'INSIGHTS_AMOUNT_NEGATIVE', path: 'events[0].properties.amount' });
    expect(err(() => new KpiAccumulator().add({ subjectId: 'x', contacts: [{ at: 'soon' }], responses: [], events: [] } as never))).toMatchObject({
      code: 'INPUT_INVALID',
      path: 'contacts[0]',
    });
    expect(err(() => accumulateKpis(42 as never))).toMatchObject({ code: 'INPUT_INVALID' });
    expect(err(() => new KpiAccumulator({ by: ['channel', 'channel'] }))).toMatchObject({ code: 'CONFIG_INVALID', path: 'by' });
    expect(err(() => pressureReport({} as never))).toMatchObject({ code: 'INPUT_INVALID' });
  });

  it('reads the amount from an own property, even when it is named constructor', () => {
    // Property names are any 1–128 characters: a purchase without `constructor` has no amount (0), not Object's function.
    const buyers = [person('p1', { events: [{ type: 'purchase', at: T0, properties: {} }] }), person('p2', { events: [{ type: 'purchase', at: T0 + DAY, properties: { constructor: 25 } }] })];
    const t = kpiTable(accumulateKpis(buyers, { amountProperty: 'constructor' }), ['purchases', 'revenue']);
    expect(t.rows[0]!.values).toEqual({ purchases: { value: 2 }, revenue: { value: 25 } });
  });

  it('measures pressure per person-week against the caps in force', () => {
    const p = pressureReport(accumulateKpis(population), {
      rules: [
        { id: 'weekly', kind: 'limit', limit: 1, window: 'week', scope: { tags: 'marketing' } },
        { id: 'sms-day', kind: 'limit', limit: 1, window: 'day', scope: { channels: 'sms' } },
      ],
    });
    const email = p.find((x) => x.channel === 'email')!;
    expect(email.histogram.slice(0, 3)).toEqual([0, 1, 1]); // p1: 2 emails in week 1, p2: 1
    expect(email.cap).toEqual({ limit: 1, ruleId: 'weekly' });
    expect([email.atCap, email.overCap]).toEqual([1, 1]);
  });
});

/** The amount's property name: the default, or names of Object.prototype members (any 1–128 characters are valid). */
const AMOUNT_PROPERTIES = ['amount', 'constructor', 'toString'] as const;

const arbPerson = (i: number, amountProperty: string) =>
  fc
    .record({
      contacts: fc.array(fc.record({ channel: fc.constantFrom('email', 'sms'), d: fc.integer({ min: 0, max: 60 }), bounced: fc.boolean() }), { maxLength: 6 }),
      responses: fc.array(fc.record({ kind: fc.constantFrom('opened', 'clicked', 'converted', 'unsubscribed'), channel: fc.constantFrom('email', 'sms'), d: fc.integer({ min: 0, max: 60 }) }), {
        maxLength: 6,
      }),
      events: fc.array(fc.record({ type: fc.constantFrom('purchase', 'cart_abandon', 'page_view'), d: fc.integer({ min: 0, max: 60 }), amount: fc.option(fc.integer({ min: 0, max: 100 }), { nil: undefined }) }), {
        maxLength: 6,
      }),
    })
    .map((p) =>
      person(`s${i}`, {
        contacts: p.contacts.map((c) => ({ channel: c.channel, at: T0 + c.d * DAY, tags: c.bounced ? ['bounced'] : [] })),
        responses: p.responses.map((r) => ({ kind: r.kind, channel: r.channel, at: T0 + r.d * DAY })),
        events: p.events.map((e) => ({ type: e.type, channel: 'web', at: T0 + e.d * DAY, properties: e.amount === undefined ? {} : { [amountProperty]: e.amount } })),
      }),
    );
const arbPopulation = fc
  .constantFrom(...AMOUNT_PROPERTIES)
  .chain((amountProperty) => fc.integer({ min: 0, max: 12 }).chain((n) => fc.tuple(...Array.from({ length: n }, (_, i) => arbPerson(i, amountProperty)))).map((pop) => ({ amountProperty, pop })));

describe('KPI properties', () => {
  it('counts equal a naive filter-and-count oracle; shards merged equal the whole', () => {
    fc.assert(
      fc.property(arbPopulation, fc.integer({ min: 0, max: 12 }), ({ amountProperty, pop }, cut) => {
        const opts = { by: ['channel', 'period'] as ('channel' | 'period')[], period: 'month' as const, timeZone: 'America/New_York', amountProperty };
        const whole = kpiTable(accumulateKpis(pop, opts), [...KPI_NAMES]);
        const merged = kpiTable(accumulateKpis(pop.slice(0, cut), opts).merge(accumulateKpis(pop.slice(cut), opts).toJSON()), [...KPI_NAMES]);
        expect(merged).toEqual(whole);
        const total = (n: 'contacts' | 'delivered' | 'purchases' | 'revenue') => whole.rows.reduce((s, r) => s + ((r.values[n]?.value as number | null) ?? 0), 0);
        expect(total('contacts')).toBe(pop.reduce((s, h) => s + h.contacts.length, 0));
        expect(total('delivered')).toBe(pop.reduce((s, h) => s + h.contacts.filter((c) => !c.tags.includes('bounced')).length, 0));
        const purchases = pop.flatMap((h) => h.events.filter((e) => e.type === 'purchase'));
        expect(total('purchases')).toBe(purchases.length);
        expect(total('revenue')).toBe(purchases.reduce((s, e) => s + ((Object.hasOwn(e.properties, amountProperty) ? e.properties[amountProperty] : 0) as number), 0));
        for (const r of whole.rows) for (const v of Object.values(r.values)) expect(Number.isNaN(v.value)).toBe(false);
      }),
      { numRuns: 60 },
    );
  });
});

/** A history of plain records (no parser: the cases below include values the record parser would refuse). */
const plain = (id: string, parts: Partial<Pick<SubjectHistory, 'contacts' | 'responses' | 'events' | 'segments'>>): SubjectHistory =>
  ({ subjectId: id, contacts: [], responses: [], events: [], ...parts }) as SubjectHistory;
const view = (id: string, at: number, channel = 'web') => ({ subjectId: id, type: 'page_view', at, channel, properties: {} });

describe('retention across a DST jump at local midnight', () => {
  // An independent oracle: local dates from Intl, the periods' first dates by date arithmetic, and a period's start
  // as the first instant whose local date is on or after its first date (found by scanning, then bisecting).
  const formats = new Map<string, Intl.DateTimeFormat>();
  const localDay = (t: number, zone: string): number => {
    let f = formats.get(zone);
    if (f === undefined) formats.set(zone, (f = new Intl.DateTimeFormat('en-US', { timeZone: zone, year: 'numeric', month: 'numeric', day: 'numeric' })));
    const p = Object.fromEntries(f.formatToParts(t).map((x) => [x.type, Number(x.value)]));
    return Date.UTC(p.year!, p.month! - 1, p.day!);
  };
  const firstDay = (d: number, unit: 'day' | 'week' | 'month', weekStartsOn: number): number => {
    if (unit === 'day') return d;
    if (unit === 'week') return d - ((new Date(d).getUTCDay() - weekStartsOn + 7) % 7) * DAY;
    return Date.UTC(new Date(d).getUTCFullYear(), new Date(d).getUTCMonth(), 1);
  };
  const before = (first: number, unit: 'day' | 'week' | 'month'): number =>
    unit === 'day' ? first - DAY : unit === 'week' ? first - 7 * DAY : Date.UTC(new Date(first).getUTCFullYear(), new Date(first).getUTCMonth() - 1, 1);
  const startOfDay = (first: number, zone: string): number => {
    const step = 15 * 60_000;
    let hi = first - DAY;
    while (localDay(hi, zone) < first) hi += step;
    let lo = hi - step;
    while (hi - lo > 1) {
      const mid = Math.floor((lo + hi) / 2);
      if (localDay(mid, zone) >= first) hi = mid;
      else lo = mid;
    }
    return hi;
  };
  const ZONES = ['America/Havana', 'America/Santiago', 'America/Asuncion', 'Asia/Beirut'];
  // Instants near each zone's offset changes of 2024–2027 (found with Intl), where the periods are unusual.
  const near: Array<[string, number]> = [];
  for (const zone of ZONES) {
    const f = new Intl.DateTimeFormat('en-US', { timeZone: zone, timeZoneName: 'longOffset' });
    const offset = (t: number) => f.formatToParts(t).find((x) => x.type === 'timeZoneName')!.value;
    for (let t = Date.UTC(2024, 0, 1); t < Date.UTC(2028, 0, 1); t += 6 * 3_600_000) if (offset(t) !== offset(t + 6 * 3_600_000)) near.push([zone, t]);
  }

  it('has offset changes to test near in every zone', () => {
    for (const zone of ZONES) expect(near.filter(([z]) => z === zone).length).toBeGreaterThan(1);
  });

  it('property: the period before every period is the one the calendar says, and a person active in both is retained', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...near),
        fc.integer({ min: -40 * 24, max: 40 * 24 }),
        fc.constantFrom('day' as const, 'week' as const, 'month' as const),
        fc.integer({ min: 0, max: 6 }),
        ([timeZone, t0], hours, unit, weekStartsOn) => {
          const t = t0 + hours * 3_600_000;
          const first = firstDay(localDay(t, timeZone), unit, weekStartsOn);
          const start = startOfDay(first, timeZone);
          const prev = startOfDay(firstDay(before(first, unit), unit, weekStartsOn), timeZone);
          const h = plain('p', { events: [view('p', prev), view('p', start - 1), view('p', start)] as never });
          const table = kpiTable(accumulateKpis([h], { by: ['period'], period: unit, timeZone, weekStartsOn: weekStartsOn as 0 }), ['activePeople', 'retentionRate']);
          expect(table.rows.map((r) => r.key.period)).toEqual([prev, start]);
          expect(table.rows[1]!.values.retentionRate).toEqual({ value: 1 });
        },
      ),
      { numRuns: 400 },
    );
  });

  it("retains a person active in a period that began at 01:00 and in the one before (Havana's 8 March, Santiago's 6 September: NO_PREVIOUS_PERIOD before)", () => {
    for (const [timeZone, period, a, b] of [
      ['America/Havana', 'day', '2026-03-07T17:00:00Z', '2026-03-08T17:00:00Z'],
      ['America/Havana', 'week', '2026-03-04T17:00:00Z', '2026-03-10T17:00:00Z'],
      ['America/Santiago', 'day', '2026-09-05T16:00:00Z', '2026-09-06T16:00:00Z'],
    ] as const) {
      const h = plain('p', { events: [view('p', Date.parse(a)), view('p', Date.parse(b))] as never });
      const t = kpiTable(accumulateKpis([h], { by: ['period'], period, timeZone, weekStartsOn: 0 }), ['retentionRate']);
      expect(t.rows.map((r) => r.values.retentionRate?.value)).toEqual([null, 1]);
    }
  });
});

describe('retention reasons', () => {
  it('NO_PREVIOUS_PERIOD for the first period of the table only; after a period nobody was active in, ZERO_DENOMINATOR, with or without a record in it', () => {
    const W = 7 * DAY;
    const quiet = plain('a', { events: [view('a', T0), view('a', T0 + 2 * W)] as never });
    const contacted = { ...quiet, contacts: [{ id: 'c', subjectId: 'a', channel: 'email', tags: [], transactional: false, at: T0 + W }] } as SubjectHistory;
    for (const h of [quiet, contacted]) {
      const t = kpiTable(accumulateKpis([h], { by: ['period'] }), ['retentionRate']);
      const codes = t.rows.map((r) => [r.label, (r.values.retentionRate as { reason?: { code: string } }).reason?.code]);
      expect(codes.filter(([label]) => label !== '2026-03-09')).toEqual([
        ['2026-03-02', 'NO_PREVIOUS_PERIOD'],
        ['2026-03-16', 'ZERO_DENOMINATOR'],
      ]);
    }
  });
});

describe('spend tables', () => {
  const buyers = [
    plain('p', { events: [{ subjectId: 'p', type: 'purchase', at: Date.parse('2026-02-25T15:00:00Z'), channel: 'search', properties: { amount: 5 } }] as never }),
    plain('q', { events: [{ subjectId: 'q', type: 'purchase', at: Date.parse('2026-03-04T15:00:00Z'), channel: 'search', properties: { amount: 5 } }] as never }),
  ];
  it("reads a plain date as that date in the table's zone (west of UTC it was the period before)", () => {
    for (const [timeZone, period, date, label] of [
      ['America/New_York', 'week', '2026-03-02', 'search · 2026-03-02'],
      ['America/New_York', 'month', '2026-03-01', 'search · 2026-03'],
      ['America/Los_Angeles', 'day', '2026-03-04', 'search · 2026-03-04'],
      ['Pacific/Kiritimati', 'week', '2026-03-02', 'search · 2026-03-02'],
      ['Europe/Paris', 'week', '2026-03-02', 'search · 2026-03-02'],
    ] as const) {
      const t = kpiTable(accumulateKpis(buyers, { by: ['channel', 'period'], period, timeZone }), ['spend'], { spend: [{ channel: 'search', amount: 100, period: date }] });
      expect(t.rows.filter((r) => r.values.spend?.value !== null).map((r) => [r.label, r.values.spend])).toEqual([[label, { value: 100 }]]);
    }
  });

  it('refuses spend on a channel no record in the range has, whatever the grouping (it was refused only when grouped by channel)', () => {
    for (const by of [[], ['period'], ['channel'], ['campaign', 'period'], ['channel', 'period']] as Array<Array<'channel' | 'period' | 'campaign'>>) {
      const acc = accumulateKpis(buyers, { by });
      const spend = (channel: string) => kpiTable(acc, ['spend'], { spend: [{ channel: 'search', amount: 1, period: T0 }, { channel, amount: 100, period: T0 }] });
      expect(() => spend('serach'), JSON.stringify(by)).toThrow(expect.objectContaining({ code: 'INSIGHTS_SPEND_INVALID', path: 'spend[1].channel' }));
      expect(() => spend('search')).not.toThrow();
      // The same from the state's JSON, merged or read directly.
      expect(() => kpiTable(JSON.parse(JSON.stringify(acc.toJSON())), ['spend'], { spend: [{ channel: 'serach', amount: 1, period: T0 }] })).toThrow(
        expect.objectContaining({ code: 'INSIGHTS_SPEND_INVALID' }),
      );
    }
    // A state written before states kept their channels is checked only when grouped by channel.
    const { channels, ...old } = accumulateKpis(buyers).toJSON();
    expect(channels).toEqual(['search']);
    expect(kpiTable(old, ['spend'], { spend: [{ channel: 'serach', amount: 1 }] }).rows[0]!.values.spend).toEqual({ value: 1 });
  });
});

describe('group keys', () => {
  it('keeps apart groups whose values hold the old key separator U+001F (they were one group)', () => {
    const h = plain('p', {
      contacts: [
        { id: '1', subjectId: 'p', channel: 'email', campaignId: 'a\u001fb', tags: [], transactional: false, at: T0 },
        { id: '2', subjectId: 'p', channel: 'email\u001fa', campaignId: 'b', tags: [], transactional: false, at: T0 },
      ] as never,
    });
    const acc = accumulateKpis([h], { by: ['channel', 'campaign', 'period'] });
    const rows = (t: ReturnType<typeof kpiTable>) => t.rows.map((r) => [r.key.channel, r.key.campaign, r.values.contacts]);
    const want = [
      ['email', 'a\u001fb', { value: 1 }],
      ['email\u001fa', 'b', { value: 1 }],
    ];
    expect(rows(kpiTable(acc, ['contacts']))).toEqual(want);
    expect(rows(kpiTable(JSON.parse(JSON.stringify(acc.toJSON())), ['contacts']))).toEqual(want);
  });

  it('refuses a segment listed twice at its place (the records counted twice in it)', () => {
    const h = plain('s', { segments: ['vip', 'new', 'vip'], events: [view('s', T0)] as never });
    expect(() => accumulateKpis([h], { by: ['segment'] })).toThrow(expect.objectContaining({ code: 'INPUT_INVALID', path: '[0].segments[2]' }));
  });
});

describe('states kept in a jsonb column', () => {
  /** Every object's keys in another order, as PostgreSQL's jsonb returns them. */
  const shuffled = (v: unknown, rand: () => number): unknown => {
    if (Array.isArray(v)) return v.map((x) => shuffled(x, rand));
    if (typeof v !== 'object' || v === null) return v;
    const entries = Object.entries(v);
    for (let i = entries.length - 1; i > 0; i--) {
      const j = Math.floor(rand() * (i + 1));
      [entries[i], entries[j]] = [entries[j]!, entries[i]!];
    }
    return Object.fromEntries(entries.map(([k, x]) => [k, shuffled(x, rand)]));
  };

  it('property: reordering the keys of every object of a state changes no merge and no report (they were INSIGHTS_STATE_MISMATCH)', () => {
    fc.assert(
      fc.property(arbPopulation, fc.integer(), ({ amountProperty, pop }, seed) => {
        let s = seed >>> 0;
        const rand = () => ((s = (Math.imul(s, 1_103_515_245) + 12_345) >>> 0) / 2 ** 32);
        const json = <T>(x: T): T => JSON.parse(JSON.stringify(x));
        const kpiOptions = { by: ['channel', 'period'] as ('channel' | 'period')[], period: 'week' as const, timeZone: 'Europe/Paris', amountProperty };
        const kpi = accumulateKpis(pop, kpiOptions);
        const kpiState = shuffled(json(kpi.toJSON()), rand) as never;
        expect(kpiTable(kpiState, [...KPI_NAMES])).toEqual(kpiTable(kpi, [...KPI_NAMES]));
        expect(new KpiAccumulator(kpiOptions).merge(kpiState).toJSON()).toEqual(kpi.toJSON());
        const funnel = { steps: ['page_view', 'purchase'], window: '30d' };
        const f = new FunnelAccumulator(funnel);
        const c = new CohortAccumulator({ period: 'week', amountProperty });
        for (const h of pop) {
          f.add(h);
          c.add(h);
        }
        const fState = shuffled(json(f.toJSON()), rand) as never;
        const cState = shuffled(json(c.toJSON()), rand) as never;
        expect(funnelReport(fState)).toEqual(funnelReport(f));
        expect(new FunnelAccumulator(funnel).merge(fState).toJSON()).toEqual(f.toJSON());
        expect(cohortReport(cState, T0 + 60 * DAY)).toEqual(cohortReport(c, T0 + 60 * DAY));
        expect(new CohortAccumulator({ period: 'week', amountProperty }).merge(cState).toJSON()).toEqual(c.toJSON());
      }),
      { numRuns: 60 },
    );
  });

  it('still refuses a state of other options', () => {
    const state = accumulateKpis([], { by: ['channel'] }).toJSON();
    expect(() => new KpiAccumulator({ by: ['period'] }).merge(state)).toThrow(expect.objectContaining({ code: 'INSIGHTS_STATE_MISMATCH', path: 'options' }));
    expect(() => new KpiAccumulator({ by: ['channel'], undeliveredTags: ['bounced'] }).merge(state)).toThrow(expect.objectContaining({ code: 'INSIGHTS_STATE_MISMATCH' }));
  });
});
