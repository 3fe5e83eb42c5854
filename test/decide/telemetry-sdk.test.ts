/**
 * The OTel adapter on the real OpenTelemetry SDK (in-memory exporters): span names, parent/child structure,
 * attributes and metric values for an allowed and a refused decision, and a store timeout recorded as an error;
 * a store's own error text never reaches a span; the spans of a decision nest in time inside the caller's span.
 * Providers are passed in (not registered globally), through the same API-object shape users pass; the last
 * suite registers a context manager (AsyncLocalStorage, as `@opentelemetry/context-async-hooks` does) for itself.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import * as api from '@opentelemetry/api';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { otelTelemetry } from '../../src/adapters/otel/index.js';
import { otelSdk } from '../fixtures/otel.js';
import { decide, parseDecideConfig, safeDecide, type DecideStores } from '../../src/decide/index.js';
import { memoryStores } from './memory-stores.js';
import { BOB, CONFIG, seed, T0 } from './scenario.js';

const sdk = otelSdk;

async function prepared(): Promise<DecideStores> {
  const stores = memoryStores();
  await seed(stores);
  return stores;
}

describe('otelTelemetry on the OpenTelemetry SDK', () => {
  it('allowed then refused: span tree, attributes, counters', async () => {
    const { otel, spans, metrics } = sdk();
    const config = parseDecideConfig(CONFIG, { telemetry: otelTelemetry(otel) });
    const stores = await prepared();
    const ask = (id: string, email: string) => decide({ requestId: id, identifiers: [{ type: 'email', value: email }], channel: 'email', now: T0 }, stores, config);
    const allowed = await ask('sdk-1', BOB.email);
    const refused = await ask('sdk-2', 'nobody@example.org');
    expect(allowed.contact).toBe(true);
    expect(refused.contact).toBe(false);

    const finished = spans.getFinishedSpans();
    const roots = finished.filter((s) => s.name === 'crosschannel.decide');
    expect(roots.map((r) => r.attributes['crosschannel.outcome'])).toEqual(['allowed', 'refused']);
    expect(roots[0]!.attributes).toMatchObject({ 'crosschannel.channel': 'email', 'crosschannel.request_id': 'sdk-1', 'crosschannel.offers': allowed.offers.length });
    expect(roots[1]!.attributes['crosschannel.refusal_reasons']).toBe(refused.reasons.map((r) => r.code).join(','));
    for (const [root, result] of [[roots[0]!, allowed], [roots[1]!, refused]] as const) {
      const children = finished.filter((s) => s.parentSpanContext?.spanId === root.spanContext().spanId);
      expect(children.map((c) => c.name)).toEqual(result.trace.stages.map((s) => `crosschannel.decide.${s.stage}`));
      for (const c of children) expect(c.spanContext().traceId).toBe(root.spanContext().traceId);
    }

    const points = await metrics();
    const decisions = points.filter((p) => p.name === 'crosschannel.decide.decisions');
    expect(decisions).toEqual(
      expect.arrayContaining([
        { name: 'crosschannel.decide.decisions', attributes: { channel: 'email', outcome: 'allowed' }, value: 1 },
        { name: 'crosschannel.decide.decisions', attributes: { channel: 'email', outcome: 'refused' }, value: 1 },
      ]),
    );
    expect(points.filter((p) => p.name === 'crosschannel.decide.refusals').map((p) => [p.attributes['reason'], p.value])).toEqual(refused.reasons.map((r) => [r.code, 1]));
    const reserve = points.find((p) => p.name === 'crosschannel.store.duration' && p.attributes['operation'] === 'reserve');
    expect(reserve?.value).toMatchObject({ count: 1 });
    // In seconds (the conventions' unit for durations), in the advised buckets, not the SDK's default ones (0, 5, 10, …).
    const value = reserve!.value as { sum: number; buckets: { boundaries: number[] } };
    expect(value.sum).toBeCloseTo(allowed.trace.stages.find((s) => s.stage === 'reserve')!.ms / 1e3, 12);
    expect(value.buckets.boundaries[0]).toBeLessThanOrEqual(0.001);
  });

  it('a store timeout: error status and code on the root, exception event on the failing stage', async () => {
    const { otel, spans, metrics } = sdk();
    const stores = await prepared();
    const hanging = { ...stores, contacts: Object.assign(Object.create(stores.contacts), { history: () => new Promise<never>(() => {}) }) } as unknown as DecideStores;
    const config = parseDecideConfig({ ...CONFIG, storeTimeoutMs: 20 }, { telemetry: otelTelemetry(otel) });
    const r = await safeDecide({ requestId: 'sdk-3', identifiers: [{ type: 'email', value: BOB.email }], channel: 'email', now: T0 }, hanging, config);
    expect(r.ok).toBe(false);
    const finished = spans.getFinishedSpans();
    const root = finished.find((s) => s.name === 'crosschannel.decide')!;
    expect(root.status.code).toBe(api.SpanStatusCode.ERROR);
    expect(root.attributes['crosschannel.error_code']).toBe('STORE_TIMEOUT');
    const load = finished.find((s) => s.name === 'crosschannel.decide.load')!;
    expect(load.status.code).toBe(api.SpanStatusCode.ERROR);
    expect(load.events.map((e) => [e.name, e.attributes?.['exception.type']])).toEqual([['exception', 'STORE_TIMEOUT']]);
    const points = await metrics();
    // Failures carry `error.type` on the metrics too (the conventions' rule for errors), successes none.
    expect(points.find((p) => p.name === 'crosschannel.decide.decisions')?.attributes).toEqual({ channel: 'email', outcome: 'failed', 'error.type': 'STORE_TIMEOUT' });
    expect(points.find((p) => p.name === 'crosschannel.store.duration' && p.attributes['operation'] === 'load')?.attributes).toEqual({ store: 'history', operation: 'load', status: 'failed', 'error.type': 'STORE_TIMEOUT' });
    expect(points.find((p) => p.name === 'crosschannel.store.duration' && p.attributes['operation'] === 'identity')?.attributes).toEqual({ store: 'identity', operation: 'identity', status: 'ok' });
  });

  it("stages: 'events' puts one event per stage on the single decide span", async () => {
    const { otel, spans } = sdk();
    const config = parseDecideConfig(CONFIG, { telemetry: otelTelemetry(otel, { stages: 'events' }) });
    const r = await decide({ requestId: 'sdk-4', identifiers: [{ type: 'email', value: BOB.email }], channel: 'email', now: T0 }, await prepared(), config);
    const finished = spans.getFinishedSpans();
    expect(finished.map((s) => s.name)).toEqual(['crosschannel.decide']);
    expect(finished[0]!.events.map((e) => e.name)).toEqual(r.trace.stages.map((s) => `crosschannel.decide.${s.stage}`));
  });
});

describe('otelTelemetry: errors as the semantic conventions record them', () => {
  it("a store's own error text (which may hold a caller's value) reaches no span: error.type and status carry the code", async () => {
    const { otel, spans } = sdk();
    const stores = await prepared();
    const failing = { ...stores, contacts: Object.assign(Object.create(stores.contacts), { history: () => Promise.reject(new Error(`no history for ${BOB.email}`)) }) } as unknown as DecideStores;
    const config = parseDecideConfig(CONFIG, { telemetry: otelTelemetry(otel) });
    const r = await safeDecide({ requestId: 'sdk-5', identifiers: [{ type: 'email', value: BOB.email }], channel: 'email', now: T0 }, failing, config);
    expect(r.ok).toBe(false);
    // The package's own message copies the store's text (`Store operation contacts.history failed (stage load): no history for …`).
    expect(!r.ok && r.error.message).toContain(BOB.email);
    const finished = spans.getFinishedSpans();
    expect(JSON.stringify(finished.map((s) => [s.status, s.attributes, s.events]))).not.toContain(BOB.email);
    const root = finished.find((s) => s.name === 'crosschannel.decide')!;
    // No status description: it would only repeat `error.type`, which the conventions do not recommend.
    expect(root.status).toEqual({ code: api.SpanStatusCode.ERROR });
    expect(root.attributes).toMatchObject({ 'error.type': 'STORE_ERROR', 'crosschannel.error_code': 'STORE_ERROR' });
    const load = finished.find((s) => s.name === 'crosschannel.decide.load')!;
    expect(load.attributes['error.type']).toBe('STORE_ERROR');
    expect(load.events.map((e) => [e.name, e.attributes])).toEqual([['exception', { 'exception.type': 'STORE_ERROR' }]]);
  });
});

/** A context manager on AsyncLocalStorage (what `@opentelemetry/context-async-hooks` registers in a Node service). */
class AsyncContextManager implements api.ContextManager {
  private readonly storage = new AsyncLocalStorage<api.Context>();
  active(): api.Context {
    return this.storage.getStore() ?? api.ROOT_CONTEXT;
  }
  with<A extends unknown[], F extends (...args: A) => ReturnType<F>>(context: api.Context, fn: F, thisArg?: ThisParameterType<F>, ...args: A): ReturnType<F> {
    return this.storage.run(context, () => fn.apply(thisArg, args));
  }
  bind<T>(_context: api.Context, target: T): T {
    return target;
  }
  enable(): this {
    return this;
  }
  disable(): this {
    this.storage.disable();
    return this;
  }
}

const ms = (t: api.HrTime): number => t[0] * 1e3 + t[1] / 1e6;

describe("otelTelemetry: a decision's spans in time, inside the caller's span", () => {
  beforeAll(() => void api.context.setGlobalContextManager(new AsyncContextManager()));
  afterAll(() => api.context.disable());

  /** Decisions each inside a caller's span (as an HTTP handler's), then the spans as exported. */
  async function underCaller(options: Parameters<typeof otelTelemetry>[1], n: number): Promise<Array<{ caller: ReadableSpan; root: ReadableSpan; stages: ReadableSpan[] }>> {
    const { otel, spans } = sdk();
    const config = parseDecideConfig(CONFIG, { telemetry: otelTelemetry(otel, options) });
    const stores = await prepared();
    const tracer = otel.trace.getTracer('service') as unknown as api.Tracer;
    for (let i = 0; i < n; i++) {
      await tracer.startActiveSpan('handler', async (caller) => {
        await decide({ requestId: `nest-${i}`, identifiers: [{ type: 'email', value: `p${i}@example.org` }], channel: 'email', now: T0 }, stores, config);
        caller.end();
      });
    }
    const finished = spans.getFinishedSpans();
    return finished
      .filter((s) => s.name === 'handler')
      .map((caller) => {
        const root = finished.find((s) => s.name === 'crosschannel.decide' && s.parentSpanContext?.spanId === caller.spanContext().spanId)!;
        return { caller, root, stages: finished.filter((s) => s.parentSpanContext?.spanId === root?.spanContext().spanId) };
      });
  }

  function expectNested(runs: Array<{ caller: ReadableSpan; root: ReadableSpan; stages: ReadableSpan[] }>): void {
    for (const { caller, root, stages } of runs) {
      expect(root).toBeDefined();
      expect(ms(root.startTime)).toBeGreaterThanOrEqual(ms(caller.startTime));
      expect(stages.length).toBeGreaterThan(0);
      for (const s of stages) {
        expect(ms(s.startTime)).toBeGreaterThanOrEqual(ms(root.startTime));
        expect(ms(s.endTime)).toBeLessThanOrEqual(ms(root.endTime));
      }
    }
  }

  it('the decide span starts when the decision does, on the SDK clock: never before its caller', async () => {
    // Dated after the fact (end − duration on Date.now, whole milliseconds) a decision that starts within a
    // millisecond of its caller's span came out before it about half the time.
    expectNested(await underCaller({}, 20));
  });

  it('a wall clock that disagrees with the SDK does not move the spans before their caller', async () => {
    expectNested(await underCaller({ wallClock: () => Date.now() - 60_000 }, 2));
  });
});
