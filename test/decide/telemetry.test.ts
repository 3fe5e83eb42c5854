/**
 * Telemetry: `decide` calls its telemetry port once per decision with the finished trace, and the OTel
 * adapter turns it into a `crosschannel.decide` span with child stage spans and the decision metrics. The
 * OTel API is a recording fake of the same shape (the adapter only uses the structural API object).
 */
import { describe, expect, it } from 'vitest';
import { otelJourneyTelemetry, otelTelemetry, type OtelApiLike } from '../../src/adapters/otel/index.js';
import { parseDecideConfig, safeDecide, decide, type DecideStores, type DecideTelemetry, type DecisionTelemetry } from '../../src/decide/index.js';
import { memoryStores } from './memory-stores.js';
import { failureOf } from '../arbitraries/junk.js';
import { BOB, CONFIG, seed, T0 } from './scenario.js';

interface RecordedSpan {
  name: string;
  startTime: number;
  endTime: number | undefined;
  attributes: Record<string, unknown>;
  parent: RecordedSpan | null;
  status?: { code: number; message?: string };
  events: string[];
}

function fakeOtel(): { api: OtelApiLike; spans: RecordedSpan[]; counters: Map<string, Array<[number, Record<string, unknown>]>> } {
  const spans: RecordedSpan[] = [];
  const counters = new Map<string, Array<[number, Record<string, unknown>]>>();
  const put = (name: string) => (value: number, attributes: Record<string, unknown> = {}) => {
    const list = counters.get(name) ?? [];
    list.push([value, attributes]);
    counters.set(name, list);
  };
  const api: OtelApiLike = {
    trace: {
      getTracer: () => ({
        startSpan(name, options = {}, context) {
          const rec: RecordedSpan = { name, startTime: options.startTime ?? 0, endTime: undefined, attributes: { ...options.attributes }, parent: (context as { span?: RecordedSpan } | undefined)?.span ?? null, events: [] };
          spans.push(rec);
          return {
            setAttributes: (a) => Object.assign(rec.attributes, a),
            setStatus: (s) => (rec.status = s),
            addEvent: (n) => rec.events.push(n),
            end: (t) => (rec.endTime = t),
          };
        },
      }),
      setSpan: (_ctx: never, span: never) => ({ span: spans.find((s) => s.name === 'crosschannel.decide' && s.endTime === undefined) ?? span }),
    },
    context: { active: () => ({}) },
    metrics: { getMeter: () => ({ createCounter: (n) => ({ add: put(n) }), createHistogram: (n) => ({ record: put(n) }) }) },
  };
  return { api, spans, counters };
}

async function prepared(): Promise<DecideStores> {
  const stores = memoryStores();
  await seed(stores);
  return stores;
}

const request = (channel: string, id = 'tel-1') => ({ requestId: id, identifiers: [{ type: 'email', value: BOB.email }], channel, now: T0 });

describe('decide telemetry', () => {
  it('calls the port once per decision with outcome and trace', async () => {
    const seen: DecisionTelemetry[] = [];
    const config = parseDecideConfig(CONFIG, { clock: () => 0, telemetry: { decision: (d) => seen.push(d) } });
    const r = await decide(request('email'), await prepared(), config);
    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatchObject({ outcome: r.contact ? 'allowed' : 'refused', offers: r.offers.length, trace: r.trace });
  });

  it('a throwing sink does not change the decision', async () => {
    const broken: DecideTelemetry = { decision: () => { throw new Error('exporter down'); } };
    const a = await decide(request('email'), await prepared(), parseDecideConfig(CONFIG, { clock: () => 0 }));
    const b = await decide(request('email'), await prepared(), parseDecideConfig(CONFIG, { clock: () => 0, telemetry: broken }));
    expect(b.contact).toBe(a.contact);
  });

  it('OTel adapter: root span, one child per stage, decision metrics', async () => {
    const { api, spans, counters } = fakeOtel();
    let tick = 0;
    const config = parseDecideConfig(CONFIG, { clock: () => tick++, telemetry: otelTelemetry(api, { wallClock: () => 1_000_000 }) });
    const r = await decide(request('email'), await prepared(), config);
    const root = spans.find((s) => s.name === 'crosschannel.decide')!;
    expect(root).toBeDefined();
    expect(root.attributes).toMatchObject({ 'crosschannel.channel': 'email', 'crosschannel.outcome': r.contact ? 'allowed' : 'refused', 'crosschannel.request_id': 'tel-1', 'crosschannel.offers': r.offers.length });
    const children = spans.filter((s) => s.parent === root);
    expect(children.map((s) => s.name)).toEqual(r.trace.stages.map((s) => `crosschannel.decide.${s.stage}`));
    expect(root.endTime).toBe(1_000_000);
    expect(root.startTime).toBe(1_000_000 - r.trace.totalMs);
    expect(children.at(-1)!.endTime).toBe(1_000_000);
    expect(counters.get('crosschannel.decide.decisions')).toEqual([[1, { channel: 'email', outcome: r.contact ? 'allowed' : 'refused' }]]);
    expect(counters.get('crosschannel.store.duration')!.map(([, a]) => a['operation'])).toEqual(r.trace.stages.filter((s) => ['identity', 'load', 'reserve'].includes(s.stage) && s.status !== 'skipped').map((s) => s.stage));
  });

  it('OTel adapter: refusals are counted by reason', async () => {
    const { api, spans, counters } = fakeOtel();
    const config = parseDecideConfig(CONFIG, { clock: () => 0, telemetry: otelTelemetry(api) });
    const r = await decide({ requestId: 'tel-2', identifiers: [{ type: 'email', value: 'nobody@example.org' }], channel: 'email', now: T0 }, await prepared(), config);
    expect(r.contact).toBe(false);
    const codes = r.reasons.map((x) => x.code);
    expect(codes.length).toBeGreaterThan(0);
    expect(counters.get('crosschannel.decide.refusals')!.map(([, a]) => a['reason'])).toEqual(codes);
    expect(spans.find((s) => s.name === 'crosschannel.decide')!.attributes['crosschannel.refusal_reasons']).toBe(codes.join(','));
  });

  it('OTel adapter: a store timeout marks the root and the failing stage as errors', async () => {
    const { api, spans, counters } = fakeOtel();
    const stores = await prepared();
    const hanging = { ...stores, contacts: Object.assign(Object.create(stores.contacts), { history: () => new Promise<never>(() => {}) }) } as unknown as DecideStores;
    const config = parseDecideConfig({ ...CONFIG, storeTimeoutMs: 20 }, { clock: () => 0, telemetry: otelTelemetry(api) });
    const r = await safeDecide(request('email', 'tel-3'), hanging, config);
    expect(r.ok).toBe(false);
    const root = spans.find((s) => s.name === 'crosschannel.decide')!;
    expect(root.attributes['crosschannel.error_code']).toBe('STORE_TIMEOUT');
    expect(root.status?.code).toBe(2);
    const load = spans.find((s) => s.name === 'crosschannel.decide.load')!;
    expect(load.status?.message).toMatch(/^STORE_TIMEOUT/);
    expect(load.events).toEqual(['exception']);
    expect(counters.get('crosschannel.decide.decisions')).toEqual([[1, { channel: 'email', outcome: 'failed' }]]);
  });

  it('OTel adapter: a wrong API object or option is an INPUT_INVALID naming it, when the adapter is made', () => {
    const { api } = fakeOtel();
    const pathOf = (f: () => unknown): unknown => {
      const r = failureOf(f);
      if (r === 'none') return 'no error';
      expect(r.code).toBe('INPUT_INVALID');
      return r.path;
    };
    const make = otelTelemetry as (api: unknown, options?: unknown) => DecideTelemetry;
    const makeJourney = otelJourneyTelemetry as (api: unknown, options?: unknown) => unknown;
    expect(pathOf(() => make(undefined))).toEqual(['api']);
    expect(pathOf(() => make({ ...api, trace: null }))).toEqual(['api', 'trace']);
    expect(pathOf(() => make({ ...api, trace: { getTracer: api.trace.getTracer } }))).toEqual(['api', 'trace', 'setSpan']);
    expect(pathOf(() => make({ ...api, context: {} }))).toEqual(['api', 'context', 'active']);
    expect(pathOf(() => make({ ...api, metrics: { getMeter: 1 } }))).toEqual(['api', 'metrics', 'getMeter']);
    expect(pathOf(() => make(api, null))).toEqual(['options']);
    expect(pathOf(() => make(api, { name: 7 }))).toEqual(['options', 'name']);
    expect(pathOf(() => make(api, { wallClock: 0 }))).toEqual(['options', 'wallClock']);
    expect(pathOf(() => make(api, { stages: 'span' }))).toEqual(['options', 'stages']);
    expect(pathOf(() => makeJourney(null))).toEqual(['api']);
    expect(pathOf(() => makeJourney({ ...api, metrics: undefined }))).toEqual(['api', 'metrics']);
    // What the adapter does not call need not be there: stage events use no context, the journey adapter neither.
    expect(pathOf(() => make({ ...api, context: {}, trace: { getTracer: api.trace.getTracer } }, { stages: 'events' }))).toBe('no error');
    expect(pathOf(() => makeJourney({ ...api, context: undefined }))).toBe('no error');
  });
});

describe('otel instrumentation scope and units', () => {
  it('names the package version as the scope version (as package.json has it) and gives counters UCUM annotation units', async () => {
    const { readFileSync } = await import('node:fs');
    const version = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
    const scopes: Array<[string, string | undefined]> = [];
    const units = new Map<string, string | undefined>();
    const { api } = fakeOtel();
    const seen: OtelApiLike = {
      ...api,
      trace: { ...api.trace, getTracer: (n, v) => (scopes.push([n, v]), api.trace.getTracer(n, v)) },
      metrics: {
        getMeter: (n, v) => {
          scopes.push([n, v]);
          const m = api.metrics.getMeter(n, v);
          return { createCounter: (c, o) => (units.set(c, o?.unit), m.createCounter(c, o)), createHistogram: (h, o) => (units.set(h, o?.unit), m.createHistogram(h, o)) };
        },
      },
    };
    otelTelemetry(seen);
    otelJourneyTelemetry(seen);
    expect(scopes.length).toBe(4);
    for (const [name, v] of scopes) expect([name, v]).toEqual(['crosschannel', version]);
    expect(Object.fromEntries(units)).toEqual({
      'crosschannel.decide.decisions': '{decision}',
      'crosschannel.decide.refusals': '{refusal}',
      'crosschannel.store.duration': 'ms',
      'crosschannel.journey.steps': '{step}',
      'crosschannel.journey.actions': '{action}',
      'crosschannel.journey.step.duration': 'ms',
    });
  });
});
