/**
 * Telemetry benchmark: what observing `decide` costs per call. The same decision (memory stores, one person,
 * 3 offers, a weekly cap that refuses after the first contact, so every call runs identity → capping) with:
 * no telemetry (the default: one null check), the no-op port (`noTelemetry`), and `crosschannel/adapters/otel`
 * on the real OpenTelemetry SDK (BasicTracerProvider + in-memory span exporter, MeterProvider with a metric
 * reader), with stages as child spans (default) or as span events. Variants run interleaved for several rounds; the best round of each is kept.
 */
import * as api from '@opentelemetry/api';
import { MeterProvider, InMemoryMetricExporter, AggregationTemporality, PeriodicExportingMetricReader } from '@opentelemetry/sdk-metrics';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { MemoryConsentStore, MemoryContactHistoryStore, MemoryEventStore, MemoryIdentityStore } from '../src/adapters/memory/index.js';
import { otelTelemetry, type OtelApiLike } from '../src/adapters/otel/index.js';
import { parseConsentEvent } from '../src/consent/index.js';
import { decide, noTelemetry, parseDecideConfig, type DecideConfigInput, type DecideTelemetry } from '../src/decide/index.js';
import { latencyOf } from './harness.js';

const N = Number(process.env.TELEMETRY_CALLS ?? 20_000);
const ROUNDS = 5;
const NOW = Date.parse('2026-03-02T09:00:00Z');
const INPUT: DecideConfigInput = {
  catalogue: { offers: [{ id: 'welcome', channels: ['email'], priority: 3 }, { id: 'coupon', channels: ['email'], priority: 2 }, { id: 'tips', channels: ['email'], priority: 1 }] },
  consent: { purpose: 'marketing', ledgerChannels: ['email'] },
  caps: { timeZone: 'Europe/Paris', rules: [{ id: 'one-a-week', kind: 'limit', limit: 1, window: 'week' }] },
};

const identity = new MemoryIdentityStore({ erasureSalt: 'bench' });
await identity.addObservations([{ identifiers: [{ type: 'email', value: 'ann@example.com' }], at: NOW - 86_400_000, source: 'signup' }]);
const subjectId = (await identity.resolve([{ type: 'email', value: 'ann@example.com' }]))!;
const consent = new MemoryConsentStore({ erasureSalt: 'bench' });
await consent.append(parseConsentEvent({ id: 'c1', subjectId, channel: 'email', purpose: 'marketing', kind: 'granted', at: NOW - 86_400_000, evidence: { source: 'signup' } }));
const stores = { identity, events: new MemoryEventStore(), contacts: new MemoryContactHistoryStore(), consent };

const spans = new InMemorySpanExporter();
const tracerProvider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(spans)] });
const reader = new PeriodicExportingMetricReader({ exporter: new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE), exportIntervalMillis: 3_600_000 });
const meterProvider = new MeterProvider({ readers: [reader] });
const otel: OtelApiLike = {
  trace: { getTracer: (n) => tracerProvider.getTracer(n), setSpan: api.trace.setSpan as OtelApiLike['trace']['setSpan'] },
  context: api.context,
  metrics: { getMeter: (n) => meterProvider.getMeter(n) },
};

const variants: Array<[string, DecideTelemetry | undefined]> = [
  ['no telemetry', undefined],
  ['no-op port', noTelemetry],
  ['OTel SDK, stage spans', otelTelemetry(otel)],
  ['OTel SDK, stage events', otelTelemetry(otel, { stages: 'events' })],
];
const configs = variants.map(([name, telemetry]) => [name, parseDecideConfig(INPUT, telemetry ? { telemetry } : {})] as const);

let id = 0;
const best = new Map<string, { opsPerSec: number; p50Us: number; p99Us: number }>();
for (let round = 0; round < ROUNDS; round++) {
  for (const [name, config] of configs) {
    const r = await latencyOf(() => decide({ requestId: `b${id++}`, identifiers: [{ type: 'email', value: 'ann@example.com' }], channel: 'email', now: NOW }, stores, config), N);
    const prev = best.get(name);
    if (!prev || r.opsPerSec > prev.opsPerSec) best.set(name, r);
    spans.reset(); // keep the exporter's memory flat between rounds
  }
}

const base = best.get('no telemetry')!;
console.log(`\n## decide telemetry overhead (${N} calls × ${ROUNDS} rounds, best round)\n`);
console.log('| Variant | ops/s | µs/call | p50 µs | p99 µs | overhead µs/call |');
console.log('|---|---:|---:|---:|---:|---:|');
for (const [name] of variants) {
  const r = best.get(name)!;
  const us = 1e6 / r.opsPerSec;
  console.log(`| ${name} | ${Math.round(r.opsPerSec)} | ${us.toFixed(1)} | ${r.p50Us.toFixed(1)} | ${r.p99Us.toFixed(1)} | ${(us - 1e6 / base.opsPerSec).toFixed(1)} |`);
}
await reader.shutdown();
await tracerProvider.shutdown();
