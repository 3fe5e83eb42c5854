/**
 * The OTel adapter on the real OpenTelemetry SDK (in-memory exporters): span names, parent/child structure,
 * attributes and metric values for an allowed and a refused decision, and a store timeout recorded as an error.
 * Providers are passed in (not registered globally), through the same API-object shape users pass.
 */
import * as api from '@opentelemetry/api';
import { describe, expect, it } from 'vitest';
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
    expect(points.find((p) => p.name === 'crosschannel.decide.decisions')?.attributes).toEqual({ channel: 'email', outcome: 'failed' });
    expect(points.find((p) => p.name === 'crosschannel.store.duration' && p.attributes['operation'] === 'load')?.attributes['status']).toBe('failed');
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
