/**
 * Telemetry: `decide` calls its telemetry port once per decision with the finished trace, and the OTel
 * adapter turns it into a `crosschannel.decide` span with child stage spans and the decision metrics. The
 * OTel API is a recording fake of the same shape (the adapter only uses the structural API object).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { otelJourneyTelemetry, otelTelemetry, type OtelApiLike } from '../../src/adapters/otel/index.js';
import { DECIDE_STAGES, parseDecideConfig, safeDecide, decide, type DecideStores, type DecideTelemetry, type DecisionTelemetry, type StageTrace } from '../../src/decide/index.js';
import { memoryStores } from './memory-stores.js';
import { failureOf } from '../arbitraries/junk.js';
import { BOB, CONFIG, seed, T0 } from './scenario.js';

interface RecordedSpan {
  name: string;
  startTime: number | undefined;
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
          const rec: RecordedSpan = { name, startTime: options.startTime, endTime: undefined, attributes: { ...options.attributes }, parent: (context as { span?: RecordedSpan } | undefined)?.span ?? null, events: [] };
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

  it("start: called when the decision starts, before any store call, and what it returns comes back; a throwing start changes nothing", async () => {
    const log: unknown[] = [];
    const stores = await prepared();
    const watched = { ...stores, identity: Object.assign(Object.create(stores.identity), { addObservations: (...a: unknown[]) => (log.push('store'), stores.identity.addObservations(...(a as Parameters<typeof stores.identity.addObservations>))) }) } as DecideStores;
    const token = { decision: 'tel-4' };
    const sink: DecideTelemetry = { start: () => (log.push('start'), token), decision: (d, started) => void log.push(['decision', d.outcome, started]) };
    const r = await decide(request('email', 'tel-4'), watched, parseDecideConfig(CONFIG, { clock: () => 0, telemetry: sink }));
    expect(log[0]).toBe('start');
    expect(log.at(-1)).toEqual(['decision', r.contact ? 'allowed' : 'refused', token]);
    expect(log.filter((x) => x === 'start')).toHaveLength(1);
    const seen: unknown[] = [];
    const throwing: DecideTelemetry = { start: () => { throw new Error('tracer down'); }, decision: (d, started) => void seen.push([d.outcome, started]) };
    const again = await decide(request('email', 'tel-5'), await prepared(), parseDecideConfig(CONFIG, { clock: () => 0, telemetry: throwing }));
    expect(seen).toEqual([[again.contact ? 'allowed' : 'refused', undefined]]);
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
    // Started when the decision started, stamped by the tracer; the stages laid from that start (read from the wall
    // clock when the span does not expose it, as this fake's does not); the decide span ends with its last stage.
    expect(root.startTime).toBeUndefined();
    expect(children[0]!.startTime).toBe(1_000_000);
    expect(children.at(-1)!.endTime).toBe(1_000_000 + r.trace.totalMs);
    expect(root.endTime).toBe(1_000_000 + r.trace.totalMs);
    expect(counters.get('crosschannel.decide.decisions')).toEqual([[1, { channel: 'email', outcome: r.contact ? 'allowed' : 'refused' }]]);
    expect(counters.get('crosschannel.store.duration')!.map(([, a]) => a['operation'])).toEqual(r.trace.stages.filter((s) => ['identity', 'load', 'reserve'].includes(s.stage) && s.status !== 'skipped').map((s) => s.stage));
  });

  it('OTel adapter: a decision reported without its start (the sink\'s start threw) is dated after the fact', async () => {
    const { api, spans } = fakeOtel();
    const stages = [{ stage: 'validate' as const, status: 'ok' as const, input: {}, output: {}, removed: [], notes: [], ms: 7 }];
    otelTelemetry(api, { wallClock: () => 1_000_000 }).decision({ trace: { requestId: 'tel-6', channel: 'email', now: T0, subjectId: null, stages, totalMs: 7 }, outcome: 'refused', offers: 0, reasons: [] });
    expect(spans.map((s) => [s.name, s.startTime, s.endTime])).toEqual([
      ['crosschannel.decide', 999_993, 1_000_000],
      ['crosschannel.decide.validate', 999_993, 1_000_000],
    ]);
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

  it('OTel adapter: a decide span the tracer does not record (no-op tracer, sampled out) gets no attributes, stage spans or events; the metrics stay', async () => {
    for (const stages of ['spans', 'events'] as const) {
      const { api, spans, counters } = fakeOtel();
      const calls: string[] = [];
      const tracer = api.trace.getTracer('x');
      const unrecorded: OtelApiLike = {
        ...api,
        trace: {
          ...api.trace,
          getTracer: () => ({
            startSpan: (name, options, context) => {
              calls.push(`start ${name}`);
              const span = tracer.startSpan(name, options, context);
              return { isRecording: () => false, setAttributes: (a) => calls.push(`attributes ${Object.keys(a).join()}`), setStatus: () => calls.push('status'), addEvent: (n) => calls.push(`event ${n}`), end: (t) => (calls.push('end'), span.end(t)) };
            },
          }),
        },
      };
      const config = parseDecideConfig({ ...CONFIG, storeTimeoutMs: 20 }, { clock: () => 0, telemetry: otelTelemetry(unrecorded, { stages }) });
      const stores = await prepared();
      const hanging = { ...stores, contacts: Object.assign(Object.create(stores.contacts), { history: () => new Promise<never>(() => {}) }) } as unknown as DecideStores;
      expect((await safeDecide(request('email', 'tel-7'), hanging, config)).ok).toBe(false);
      expect(calls).toEqual(['start crosschannel.decide', 'end']);
      expect(spans.map((s) => s.name)).toEqual(['crosschannel.decide']);
      expect(counters.get('crosschannel.decide.decisions')).toEqual([[1, { channel: 'email', outcome: 'failed', 'error.type': 'STORE_TIMEOUT' }]]);
      expect(counters.get('crosschannel.store.duration')!.map(([, a]) => a['operation'])).toEqual(['identity', 'load']);
    }
  });

  it('OTel adapter: a decide span whose API throws midway still ends (the decision is unchanged)', async () => {
    const { api } = fakeOtel();
    const calls: string[] = [];
    const tracer = api.trace.getTracer('x');
    const throwing: OtelApiLike = {
      ...api,
      trace: {
        ...api.trace,
        getTracer: () => ({
          startSpan: (name, options, context) => {
            const span = tracer.startSpan(name, options, context);
            return { ...span, setAttributes: () => { throw new Error('exporter bug'); }, end: (t?: number) => (calls.push(`end ${name}`), span.end(t)) };
          },
        }),
      },
    };
    const config = parseDecideConfig(CONFIG, { clock: () => 0, telemetry: otelTelemetry(throwing) });
    expect((await safeDecide(request('email', 'tel-8'), await prepared(), config)).ok).toBe(true);
    expect(calls).toEqual(['end crosschannel.decide']);
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
    // The code is `error.type`; the status carries no description (the conventions do not recommend repeating it there).
    expect(load.status).toEqual({ code: 2 });
    expect(load.attributes['error.type']).toBe('STORE_TIMEOUT');
    expect(load.events).toEqual(['exception']);
    expect(counters.get('crosschannel.decide.decisions')).toEqual([[1, { channel: 'email', outcome: 'failed', 'error.type': 'STORE_TIMEOUT' }]]);
  });

  it('OTel adapter: a wrong API object or options object is an INPUT_INVALID naming it, a wrong option value a CONFIG_INVALID, when the adapter is made', () => {
    const { api } = fakeOtel();
    const pathOf = (f: () => unknown, code = 'INPUT_INVALID'): unknown => {
      const r = failureOf(f);
      if (r === 'none') return 'no error';
      expect(r.code).toBe(code);
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
    // As the stores' options (`retention`, `prefix`): the options object is the caller's input, a value in it configuration.
    expect(pathOf(() => make(api, { name: 7 }), 'CONFIG_INVALID')).toEqual(['options', 'name']);
    expect(pathOf(() => make(api, { name: '' }), 'CONFIG_INVALID')).toEqual(['options', 'name']);
    expect(pathOf(() => make(api, { wallClock: 0 }), 'CONFIG_INVALID')).toEqual(['options', 'wallClock']);
    expect(pathOf(() => make(api, { stages: 'span' }), 'CONFIG_INVALID')).toEqual(['options', 'stages']);
    expect(pathOf(() => makeJourney(api, { wallClock: 'now' }), 'CONFIG_INVALID')).toEqual(['options', 'wallClock']);
    expect(pathOf(() => makeJourney(null))).toEqual(['api']);
    expect(pathOf(() => makeJourney({ ...api, metrics: undefined }))).toEqual(['api', 'metrics']);
    // What the API's functions give is checked too: a meter or tracer of the wrong shape was a TypeError.
    expect(pathOf(() => make({ ...api, metrics: { getMeter: () => undefined } }))).toEqual(['api', 'metrics', 'getMeter']);
    expect(pathOf(() => make({ ...api, metrics: { getMeter: () => ({ createCounter: () => ({ add: () => 0 }) }) } }))).toEqual(['api', 'metrics', 'getMeter', 'createHistogram']);
    expect(pathOf(() => make({ ...api, trace: { ...api.trace, getTracer: () => ({}) } }))).toEqual(['api', 'trace', 'getTracer', 'startSpan']);
    expect(pathOf(() => makeJourney({ ...api, trace: { getTracer: () => 1 } }))).toEqual(['api', 'trace', 'getTracer']);
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
    const advice = new Map<string, unknown>();
    const { api } = fakeOtel();
    const seen: OtelApiLike = {
      ...api,
      trace: { ...api.trace, getTracer: (n, v) => (scopes.push([n, v]), api.trace.getTracer(n, v)) },
      metrics: {
        getMeter: (n, v) => {
          scopes.push([n, v]);
          const m = api.metrics.getMeter(n, v);
          return { createCounter: (c, o) => (units.set(c, o?.unit), m.createCounter(c, o)), createHistogram: (h, o) => (units.set(h, o?.unit), advice.set(h, o?.advice?.explicitBucketBoundaries), m.createHistogram(h, o)) };
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
      'crosschannel.store.duration': 's',
      'crosschannel.journey.steps': '{step}',
      'crosschannel.journey.actions': '{action}',
      'crosschannel.journey.step.duration': 's',
    });
    // Durations in seconds, as the semantic conventions ask (\`s\`, not \`ms\`), with bucket advice: the SDK's default
    // boundaries (0, 5, 10, … 10,000) would put every store round trip, in seconds, in the first bucket.
    for (const [name, b] of advice) {
      const bounds = b as number[];
      expect(bounds.length, name).toBeGreaterThan(8);
      expect(bounds[0]).toBeLessThanOrEqual(0.001);
      expect(bounds.at(-1)).toBeGreaterThanOrEqual(5);
      expect(bounds.every((x, i) => i === 0 || x > bounds[i - 1]!)).toBe(true);
    }
    expect([...advice.keys()]).toEqual(['crosschannel.store.duration', 'crosschannel.journey.step.duration']);
  });
});

describe('otel adapter: stage times lie inside the decide span', () => {
  it('property: whatever the stage timings, the stages (spans or events) are laid end to end from the start the SDK stamped, and the decide span ends with the last', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1_000_000_000, max: 4_000_000_000 }),
        fc.nat(999),
        fc.array(fc.double({ min: 0, max: 10_000, noNaN: true }), { minLength: 1, maxLength: DECIDE_STAGES.length }),
        fc.boolean(),
        fc.constantFrom('spans' as const, 'events' as const),
        (seconds, millis, durations, failLast, stages) => {
          const started: Array<{ name: string; start: unknown; end?: number | undefined; events: number[] }> = [];
          const api: OtelApiLike = {
            trace: {
              getTracer: () => ({
                startSpan(name, options) {
                  // As the SDK: a span started without a time is stamped now, and exposes its start as an HrTime.
                  const rec: (typeof started)[number] = { name, start: options?.startTime ?? [seconds, millis * 1e6], events: [] };
                  started.push(rec);
                  return { startTime: rec.start, setAttributes: () => 0, setStatus: () => 0, addEvent: (_n, _a, t) => void rec.events.push(t!), end: (t) => void (rec.end = t) };
                },
              }),
              setSpan: () => ({}),
            },
            context: { active: () => ({}) },
            metrics: { getMeter: () => ({ createCounter: () => ({ add: () => undefined }), createHistogram: () => ({ record: () => undefined }) }) },
          };
          const sink = otelTelemetry(api, { stages, wallClock: () => 0 });
          const trace = {
            requestId: 'p',
            channel: 'email',
            now: 0,
            subjectId: null,
            stages: durations.map((ms, i): StageTrace => ({ stage: DECIDE_STAGES[i]!, status: failLast && i === durations.length - 1 ? 'failed' : 'ok', input: {}, output: {}, removed: [], notes: [], ms, ...(failLast && i === durations.length - 1 ? { error: { code: 'STORE_ERROR', message: 'x' } } : {}) })),
            totalMs: durations.reduce((a, b) => a + b, 0),
          };
          sink.decision({ trace, outcome: failLast ? 'failed' : 'refused', offers: 0, reasons: [] }, sink.start!());
          const [root, ...children] = started;
          const from = seconds * 1e3 + millis;
          expect(root!.start).toEqual([seconds, millis * 1e6]);
          // Stage spans start and end where the previous ended; stage events (and exception events) fall at stage ends.
          let cursor = from;
          for (const [i, c] of children.entries()) {
            expect(c.start).toBe(cursor);
            cursor += durations[i]!;
            expect(c.end).toBe(cursor);
          }
          for (const t of [...root!.events, ...children.flatMap((c) => c.events)]) expect(t >= from && t <= root!.end!).toBe(true);
          expect(root!.end).toBeGreaterThanOrEqual(stages === 'spans' ? (children.at(-1)!.end as number) : from);
        },
      ),
    );
  });
});

