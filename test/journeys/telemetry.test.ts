/**
 * The journeys runner's telemetry: one report per processed step (completed, failed), with the step it left and
 * reached, its actions and duration from the runner's trace clock; a throwing sink changes nothing; and the
 * OpenTelemetry adapter on the real SDK (in-memory exporters): span per step, counters, error status.
 */
import * as api from '@opentelemetry/api';
import { describe, expect, it } from 'vitest';
import { MemoryJourneyStore } from '../../src/adapters/memory/journeys.js';
import { otelJourneyTelemetry } from '../../src/adapters/otel/index.js';
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
    expect(points).toContainEqual({ name: 'crosschannel.journey.steps', attributes: { journey: 'welcome', outcome: 'failed' }, value: 1 });
    expect(points).toContainEqual({ name: 'crosschannel.journey.actions', attributes: { journey: 'welcome', kind: 'send', channel: 'email' }, value: 1 });
  });
});
