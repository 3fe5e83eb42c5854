/**
 * The journeys runner's telemetry: one report per processed step (completed, failed), with the step it left and
 * reached, its actions and duration from the runner's trace clock; a step that fails after acting reports what it
 * did; a throwing sink changes nothing; and the OpenTelemetry adapter on the real SDK (in-memory exporters): span per
 * step, counters, error status with the code only (never a handler's error text).
 */
import * as api from '@opentelemetry/api';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MemoryJourneyStore } from '../../src/adapters/memory/journeys.js';
import { otelJourneyTelemetry, type OtelApiLike } from '../../src/adapters/otel/index.js';
import { otelSdk } from '../fixtures/otel.js';
import { createJourneyRunner, parseJourney, type JourneyStepTelemetry } from '../../src/journeys/index.js';

const T0 = Date.UTC(2026, 5, 1, 9);
const journey = parseJourney({
  id: 'welcome',
  version: 1,
  entry: { on: 'manual', reentry: 'always' },
  start: 'hello',
  steps: { hello: { type: 'send', channel: 'email', message: 'welcome', next: 'task' }, task: { type: 'task', task: 'call' } },
});

function ticking(): () => number {
  let t = 0;
  return () => (t += 5);
}

/** A runner of the welcome journey whose email provider fails once `failing.now` is set. */
function flakyRunner(options: Pick<Parameters<typeof createJourneyRunner>[0], 'telemetry' | 'traceClock'>) {
  const failing = { now: false };
  const runner = createJourneyRunner({
    store: new MemoryJourneyStore(),
    journeys: [journey],
    handlers: {
      send: () => {
        if (failing.now) throw new Error('provider down');
      },
    },
    ...options,
  });
  return { runner, failing };
}

describe('journeys runner telemetry', () => {
  it('reports each processed step with its transition, actions and duration; failed steps carry the error', async () => {
    const events: JourneyStepTelemetry[] = [];
    const { runner, failing } = flakyRunner({ telemetry: { step: (e) => void events.push(e) }, traceClock: ticking() });
    await runner.enrol('welcome', 'p1', T0);
    await runner.drain(T0);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ journeyId: 'welcome', version: 1, subjectId: 'p1', fromStep: 'hello', outcome: 'completed', ms: 5 });
    expect(events[0]!.actions.map((a) => a.kind)).toEqual(['send', 'task']);
    failing.now = true;
    await runner.enrol('welcome', 'p2', T0);
    const r = await runner.tick(T0);
    expect(r.failed).toBe(1);
    expect(events.at(-1)).toMatchObject({ subjectId: 'p2', outcome: 'failed', error: { code: 'ERROR', message: 'provider down' }, actions: [] });
  });

  it('a throwing sink changes nothing; a bad sink is a typed configuration error', async () => {
    const sent: string[] = [];
    const runner = createJourneyRunner({
      store: new MemoryJourneyStore(),
      journeys: [journey],
      handlers: { send: (a) => void sent.push(a.subjectId) },
      telemetry: {
        step: () => {
          throw new Error('exporter down');
        },
      },
    });
    await runner.enrol('welcome', 'p1', T0);
    expect(await runner.drain(T0)).toMatchObject({ completed: 1, failed: 0 });
    expect(sent).toEqual(['p1']);
    expect(() => createJourneyRunner({ store: new MemoryJourneyStore(), journeys: [journey], handlers: {}, telemetry: { steps: () => 0 } as never })).toThrow(
      expect.objectContaining({ path: 'telemetry' }),
    );
  });

  it('start: called when a claimed step starts, before it runs; what it returns comes back; a throwing start changes nothing', async () => {
    const log: unknown[] = [];
    const store = new MemoryJourneyStore();
    let n = 0;
    const sink = { start: () => (log.push('start'), { step: ++n }), step: (e: JourneyStepTelemetry, started?: unknown) => void log.push(['step', e.subjectId, started]) };
    const runner = createJourneyRunner({ store, journeys: [journey], handlers: { send: (a) => void log.push(['send', a.subjectId]) }, telemetry: sink });
    await runner.enrol('welcome', 'p1', T0);
    await runner.drain(T0);
    expect(log).toEqual(['start', ['send', 'p1'], ['step', 'p1', { step: 1 }]]);
    const seen: unknown[] = [];
    const throwing = {
      start: () => {
        throw new Error('tracer down');
      },
      step: (e: JourneyStepTelemetry, started?: unknown) => void seen.push([e.outcome, started]),
    };
    const r2 = createJourneyRunner({ store: new MemoryJourneyStore(), journeys: [journey], handlers: {}, telemetry: throwing });
    await r2.enrol('welcome', 'p2', T0);
    expect(await r2.drain(T0)).toMatchObject({ completed: 1, failed: 0 });
    expect(seen).toEqual([['completed', undefined]]);
  });

  it('otelJourneyTelemetry: the step span starts when the step does (stamped by the tracer), and lasts the step; without start it is dated after the fact', async () => {
    const { otel, spans } = otelSdk();
    const telemetry = otelJourneyTelemetry(otel, { wallClock: () => 0 });
    const ticks = ticking();
    const runner = createJourneyRunner({ store: new MemoryJourneyStore(), journeys: [journey], handlers: {}, telemetry, traceClock: ticks });
    const before = Date.now();
    await runner.enrol('welcome', 'p1', T0);
    await runner.drain(T0);
    const [span] = spans.getFinishedSpans();
    const startMs = span!.startTime[0] * 1e3 + span!.startTime[1] / 1e6;
    const endMs = span!.endTime[0] * 1e3 + span!.endTime[1] / 1e6;
    // The SDK's own stamp (its clock, not the adapter's wallClock of 0), and the runner's step duration (5 ms).
    expect(startMs).toBeGreaterThanOrEqual(before - 1);
    expect(endMs - startMs).toBeCloseTo(5, 6);
    spans.reset();
    const { step } = otelJourneyTelemetry(otel, { wallClock: () => 1_000_000 });
    step({ journeyId: 'welcome', version: 1, instanceId: 'i', subjectId: 'p', fromStep: 'hello', toStep: 'task', outcome: 'completed', status: 'active', actions: [], ms: 7 });
    const [late] = spans.getFinishedSpans();
    expect([late!.startTime[0] * 1e3 + late!.startTime[1] / 1e6, late!.endTime[0] * 1e3 + late!.endTime[1] / 1e6]).toEqual([999_993, 1_000_000]);
    expect(late!.attributes).toMatchObject({ 'crosschannel.step.from': 'hello', 'crosschannel.step.to': 'task' });
  });

  it('otelJourneyTelemetry: a span the tracer does not record gets nothing built; a span whose API throws midway still ends; metrics stay', async () => {
    const { otel, metrics } = otelSdk();
    for (const [recording, throwing] of [[false, false], [true, true]] as const) {
      const calls: string[] = [];
      const fake: OtelApiLike = {
        ...otel,
        trace: {
          ...otel.trace,
          getTracer: () => ({
            startSpan: (name) => {
              calls.push(`start ${name}`);
              return {
                isRecording: () => recording,
                setAttributes: () => {
                  calls.push('attributes');
                  if (throwing) throw new Error('exporter bug');
                },
                setStatus: () => calls.push('status'),
                addEvent: (n) => calls.push(`event ${n}`),
                end: () => calls.push('end'),
              };
            },
          }),
        },
      };
      const { step } = otelJourneyTelemetry(fake, { wallClock: () => 1_000 });
      const event: JourneyStepTelemetry = { journeyId: 'welcome', version: 1, instanceId: 'i', subjectId: 'p', fromStep: 'hello', toStep: 'task', outcome: 'completed', status: 'active', actions: [{ kind: 'send', channel: 'email' }], ms: 7 };
      if (throwing) expect(() => step(event)).toThrow('exporter bug');
      else step(event);
      expect(calls).toEqual(recording ? ['start crosschannel.journey.step', 'attributes', 'end'] : ['start crosschannel.journey.step', 'end']);
    }
    // The unrecorded step's metrics were recorded (the throwing one's too were not reached: the sink's caller swallows it).
    expect((await metrics()).filter((m) => m.name === 'crosschannel.journey.steps').map((m) => m.value)).toEqual([1]);
  });

  it('otelJourneyTelemetry on the SDK: a span per step with the transition, step and action counters, error status', async () => {
    const { otel, spans, metrics } = otelSdk();
    const { runner, failing } = flakyRunner({ telemetry: otelJourneyTelemetry(otel, { wallClock: () => T0 }) });
    await runner.enrol('welcome', 'p1', T0);
    await runner.drain(T0);
    failing.now = true;
    await runner.enrol('welcome', 'p2', T0);
    await runner.tick(T0);
    const finished = spans.getFinishedSpans();
    expect(finished.map((s) => s.name)).toEqual(['crosschannel.journey.step', 'crosschannel.journey.step']);
    expect(finished[0]!.attributes).toMatchObject({ 'crosschannel.journey': 'welcome', 'crosschannel.step.from': 'hello', 'crosschannel.outcome': 'completed', 'crosschannel.actions': 2 });
    expect(finished[0]!.events.map((e) => e.name)).toEqual(['crosschannel.journey.action.send', 'crosschannel.journey.action.task']);
    expect(finished[1]!.status.code).toBe(api.SpanStatusCode.ERROR);
    expect(finished[1]!.attributes['crosschannel.error_code']).toBe('ERROR');
    const points = await metrics();
    expect(points).toContainEqual({ name: 'crosschannel.journey.steps', attributes: { journey: 'welcome', outcome: 'completed' }, value: 1 });
    expect(points).toContainEqual({ name: 'crosschannel.journey.steps', attributes: { journey: 'welcome', outcome: 'failed', 'error.type': 'ERROR' }, value: 1 });
    expect(points).toContainEqual({ name: 'crosschannel.journey.actions', attributes: { journey: 'welcome', kind: 'send', channel: 'email' }, value: 1 });
  });

  it('a step that fails after acting reports the actions it performed, and the failure', async () => {
    const events: JourneyStepTelemetry[] = [];
    const sent: string[] = [];
    const runner = createJourneyRunner({
      store: new MemoryJourneyStore(),
      journeys: [journey],
      handlers: {
        send: (a) => void sent.push(a.key),
        task: () => {
          throw new Error('crm down for p1@example.org');
        },
      },
      telemetry: { step: (e) => void events.push(e) },
    });
    await runner.enrol('welcome', 'p1', T0);
    expect(await runner.tick(T0)).toMatchObject({ failed: 1 });
    expect(sent).toHaveLength(1);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ outcome: 'failed', error: { code: 'ERROR' }, actions: [{ kind: 'send', channel: 'email' }] });
  });

  it('a step whose lease passed to another runner (lost) still reports the actions it performed', async () => {
    const events: JourneyStepTelemetry[] = [];
    const store = new MemoryJourneyStore();
    // Every save reports that another runner holds the lease now.
    const lossy = new Proxy(store, { get: (t, k) => (k === 'complete' ? async () => false : (Reflect.get(t, k) as (...a: unknown[]) => unknown).bind(t)) });
    const runner = createJourneyRunner({ store: lossy, journeys: [journey], handlers: {}, telemetry: { step: (e) => void events.push(e) } });
    await runner.enrol('welcome', 'p1', T0);
    expect(await runner.tick(T0)).toMatchObject({ lost: 1, actions: 2 });
    expect(events.map((e) => [e.outcome, e.actions.map((a) => a.kind)])).toEqual([['lost', ['send', 'task']]]);
  });

  it("otelJourneyTelemetry: a failed step's span has the actions it performed and the error code, not the error's text", async () => {
    const { otel, spans, metrics } = otelSdk();
    const runner = createJourneyRunner({
      store: new MemoryJourneyStore(),
      journeys: [journey],
      handlers: {
        task: () => {
          throw new Error('crm down for p1@example.org');
        },
      },
      telemetry: otelJourneyTelemetry(otel),
    });
    await runner.enrol('welcome', 'p1', T0);
    await runner.tick(T0);
    const [span] = spans.getFinishedSpans();
    expect(span!.attributes).toMatchObject({ 'crosschannel.outcome': 'failed', 'crosschannel.actions': 1, 'crosschannel.error_code': 'ERROR', 'error.type': 'ERROR' });
    expect(span!.status).toEqual({ code: api.SpanStatusCode.ERROR });
    expect(span!.events.map((e) => [e.name, e.attributes])).toEqual([
      ['exception', { 'exception.type': 'ERROR' }],
      ['crosschannel.journey.action.send', { 'crosschannel.channel': 'email' }],
    ]);
    expect(JSON.stringify([span!.status, span!.attributes, span!.events])).not.toContain('example.org');
    expect(await metrics()).toContainEqual({ name: 'crosschannel.journey.actions', attributes: { journey: 'welcome', kind: 'send', channel: 'email' }, value: 1 });
  });

  it('property: a step reports exactly the actions whose handler returned, in order, wherever a handler fails', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.constantFrom('send' as const, 'task' as const), { minLength: 1, maxLength: 6 }), fc.nat(6), async (kinds, failAt) => {
        const chain = parseJourney({
          id: 'chain',
          version: 1,
          entry: { on: 'manual', reentry: 'always' },
          start: 's0',
          steps: Object.fromEntries(
            kinds.map((k, i) => {
              const next = i + 1 < kinds.length ? { next: `s${i + 1}` } : {};
              return [`s${i}`, k === 'send' ? { type: 'send', channel: 'email', message: `m${i}`, ...next } : { type: 'task', task: `t${i}`, ...next }];
            }),
          ),
        });
        let calls = 0;
        const act = (): void => {
          if (calls++ === failAt) throw new Error('handler down');
        };
        const events: JourneyStepTelemetry[] = [];
        const runner = createJourneyRunner({ store: new MemoryJourneyStore(), journeys: [chain], handlers: { send: act, task: act }, telemetry: { step: (e) => void events.push(e) } });
        await runner.enrol('chain', 'p1', T0);
        await runner.tick(T0);
        const done = Math.min(failAt, kinds.length);
        expect(events).toHaveLength(1);
        expect(events[0]!.outcome).toBe(failAt < kinds.length ? 'failed' : 'completed');
        expect(events[0]!.actions.map((a) => a.kind)).toEqual(kinds.slice(0, done));
      }),
      { numRuns: 40 },
    );
  });
});

