/**
 * Telemetry: `npx tsx examples/telemetry.ts`.
 * Two decisions (one allowed, one refused by the weekly cap) with OpenTelemetry: the spans go to the console
 * (ConsoleSpanExporter), the metrics are read once from an in-memory reader and printed.
 * `@opentelemetry/api` is an optional peer of crosschannel; the SDK packages imported here
 * (`@opentelemetry/sdk-trace-base`, `@opentelemetry/sdk-metrics`) are devDependencies of this repository,
 * used by the example only — a service brings its own SDK setup (e.g. `@opentelemetry/sdk-node`).
 */
import * as api from '@opentelemetry/api';
import { BasicTracerProvider, ConsoleSpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { AggregationTemporality, InMemoryMetricExporter, MeterProvider, PeriodicExportingMetricReader } from '@opentelemetry/sdk-metrics';
import { otelTelemetry } from 'crosschannel/adapters/otel';
import { MemoryConsentStore, MemoryContactHistoryStore, MemoryEventStore, MemoryIdentityStore } from 'crosschannel/adapters/memory';
import { parseConsentEvent } from 'crosschannel/consent';
import { decide, parseDecideConfig } from 'crosschannel/decide';

api.trace.setGlobalTracerProvider(new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(new ConsoleSpanExporter())] }));
const metricExporter = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE);
const reader = new PeriodicExportingMetricReader({ exporter: metricExporter, exportIntervalMillis: 60_000 });
api.metrics.setGlobalMeterProvider(new MeterProvider({ readers: [reader] }));

const config = parseDecideConfig(
  {
    catalogue: { offers: [{ id: 'welcome', channels: ['email'], priority: 1 }] },
    consent: { purpose: 'marketing', ledgerChannels: ['email'] },
    caps: { timeZone: 'Europe/Paris', rules: [{ id: 'one-a-week', kind: 'limit', limit: 1, window: 'week' }] },
  },
  { telemetry: otelTelemetry(api) },
);

const identity = new MemoryIdentityStore({ erasureSalt: 'example-salt' });
await identity.addObservations([{ identifiers: [{ type: 'email', value: 'ann@example.com' }], at: Date.parse('2026-03-01T09:00:00Z'), source: 'signup' }]);
const subjectId = (await identity.resolve([{ type: 'email', value: 'ann@example.com' }]))!;
const consent = new MemoryConsentStore({ erasureSalt: 'example-salt' });
await consent.append(parseConsentEvent({ id: 'c1', subjectId, channel: 'email', purpose: 'marketing', kind: 'granted', at: Date.parse('2026-03-01T09:00:00Z'), evidence: { source: 'signup' } }));
const stores = { identity, events: new MemoryEventStore(), contacts: new MemoryContactHistoryStore(), consent };

const now = Date.parse('2026-03-02T09:00:00Z');
const ask = (requestId: string) => decide({ requestId, identifiers: [{ type: 'email', value: 'ann@example.com' }], channel: 'email', now }, stores, config);
const first = await ask('r-1');
const second = await ask('r-2');
console.log('decisions:', first.contact, second.contact, second.reasons.map((r) => r.code));

await reader.forceFlush();
for (const rm of metricExporter.getMetrics()) {
  for (const sm of rm.scopeMetrics) {
    for (const m of sm.metrics) {
      for (const p of m.dataPoints) console.log(m.descriptor.name, JSON.stringify(p.attributes), JSON.stringify(p.value));
    }
  }
}
await reader.shutdown();
