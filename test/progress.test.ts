/**
 * Progress callbacks (`ProgressOptions`) on the batch operations that can run for more than a second: the same
 * result with and without a callback, `processed` monotone, a call every `progressEvery` items and a final call
 * with the total, a throwing callback stops the operation with its error, and bad options are typed errors.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { collectStatistics, collectStatisticsAsync, compareModels, compareModelsAsync } from '../src/attribution/index.js';
import { isCrossChannelError } from '../src/core/errors.js';
import { stitch } from '../src/identity/graph.js';
import { matchRecords, parseMatchModel } from '../src/identity/match.js';
import { estimateMatchParameters } from '../src/identity/em.js';
import { statsFromHistories, parseMetrics } from '../src/experiments/index.js';
import { accumulateKpis, summariseCustomers } from '../src/insights/index.js';
import { journeysArb } from './arbitraries/attribution.js';
import { observationArb, tightRulesArb } from './arbitraries/identity.js';

/** Observations holding an invalid identifier (reported with their index in the whole list, whatever the batching). */
const invalidObservationArb = fc.integer({ min: 0, max: 1000 }).map((at) => ({ identifiers: [{ type: 'email', value: 'not-an-email' }, { type: 'user_id', value: `u${at % 5}` }], at }));

/** A recording callback and the checks every progress sequence must pass. */
function recorder(): { calls: number[]; options: { onProgress: (n: number) => void; progressEvery: number }; check: (total: number) => void } {
  const calls: number[] = [];
  const every = 3;
  return {
    calls,
    options: { onProgress: (n) => calls.push(n), progressEvery: every },
    check(total) {
      expect(calls.at(-1)).toBe(total);
      for (let i = 1; i < calls.length; i++) expect(calls[i]!).toBeGreaterThanOrEqual(calls[i - 1]!);
      // One call per `every` items (at least), plus the final one.
      expect(calls.length).toBeGreaterThanOrEqual(Math.floor(total / every) + 1);
      expect(calls.length).toBeLessThanOrEqual(Math.floor(total / every) + 1 + 1);
    },
  };
}

describe('progress callbacks', () => {
  it('attribution: the same statistics with and without a callback; calls every 3 journeys and the total last (sync and async)', async () => {
    await fc.assert(
      fc.asyncProperty(journeysArb({ maxJourneys: 30 }), async (journeys) => {
        const r = recorder();
        const plain = collectStatistics(journeys, { models: ['linear', 'markov'] });
        expect(collectStatistics(journeys, { models: ['linear', 'markov'] }, r.options).toJSON()).toEqual(plain.toJSON());
        r.check(journeys.length);
        const a = recorder();
        expect((await collectStatisticsAsync(journeys, { models: ['linear', 'markov'] }, a.options)).toJSON()).toEqual(plain.toJSON());
        a.check(journeys.length);
        const c = recorder();
        expect(compareModels(journeys, { models: ['linear'] }, c.options)).toEqual(compareModels(journeys, { models: ['linear'] }));
        c.check(journeys.length);
        const ca = recorder();
        expect(await compareModelsAsync(journeys, { models: ['linear'] }, ca.options)).toEqual(compareModels(journeys, { models: ['linear'] }));
        ca.check(journeys.length);
      }),
      { numRuns: 60 },
    );
  });

  it('identity stitching: the same profiles, refusals and invalid identifiers with a callback (batches of progressEvery)', () => {
    fc.assert(
      fc.property(fc.array(fc.oneof({ weight: 4, arbitrary: observationArb }, { weight: 1, arbitrary: invalidObservationArb }), { maxLength: 30 }), tightRulesArb, (observations, rules) => {
        const r = recorder();
        const withProgress = stitch(observations, rules, r.options);
        expect(withProgress).toEqual(stitch(observations, rules));
        r.check(observations.length);
      }),
      { numRuns: 200 },
    );
  });

  it('identity matching: a call per compared pair batch and the total of pairs compared; EM reports its iterations', () => {
    const model = parseMatchModel({
      fields: [
        { name: 'name', comparison: { kind: 'jaroWinkler' } },
        { name: 'zip', comparison: { kind: 'exact' } },
      ],
      blocking: [['zip']],
    });
    const records = Array.from({ length: 12 }, (_, i) => ({ id: `r${i}`, values: { name: i % 3 === 0 ? 'Ada Lovelace' : `Person ${i}`, zip: String(75000 + (i % 2)) } }));
    const r = recorder();
    const result = matchRecords(records, model, r.options);
    expect(result).toEqual(matchRecords(records, model));
    r.check(result.stats.pairsCompared);
    const iterations: number[] = [];
    const est = estimateMatchParameters(records, model, { maxIterations: 20, onProgress: (n) => iterations.push(n), progressEvery: 1 });
    expect(iterations.at(-1)).toBe(est.iterations);
    expect(iterations).toEqual([...iterations].sort((a, b) => a - b));
  });

  it('experiments and insights over histories: one call per progressEvery histories and the total', () => {
    const now = Date.UTC(2026, 5, 1);
    const histories = Array.from({ length: 10 }, (_, i) => ({
      subjectId: `p${i}`,
      contacts: [],
      responses: [],
      events: [
        { id: `x${i}`, subjectId: `p${i}`, type: 'experiment_exposure', at: now - 5_000, properties: { experimentId: 'e1', variantId: i % 2 === 0 ? 'a' : 'b' } },
        { id: `o${i}`, subjectId: `p${i}`, type: 'purchase', at: now - 1_000, properties: { amount: 10 + i } },
      ],
    }));
    const metric = parseMetrics([{ id: 'buy', type: 'purchase' }])[0]!;
    const r = recorder();
    expect(statsFromHistories('e1', ['a', 'b'], [metric], histories, now, r.options)).toEqual(statsFromHistories('e1', ['a', 'b'], [metric], histories, now));
    r.check(histories.length);
    const k = recorder();
    expect(accumulateKpis(histories, {}, k.options).toJSON()).toEqual(accumulateKpis(histories, {}).toJSON());
    k.check(histories.length);
    const s = recorder();
    expect(summariseCustomers(histories, now, {}, s.options)).toEqual(summariseCustomers(histories, now, {}));
    s.check(histories.length);
  });

  it('a throwing callback stops the operation with its error; bad options are typed errors', () => {
    const stop = new Error('cancelled');
    const journeys = Array.from({ length: 10 }, (_, i) => ({ subjectId: `s${i}`, channels: ['email'], times: [i], converted: true, value: 1 }));
    expect(() =>
      collectStatistics(journeys, {}, {
        onProgress: (n) => {
          if (n >= 4) throw stop;
        },
        progressEvery: 2,
      }),
    ).toThrow(stop);
    for (const bad of [{ onProgress: 'log' }, { onProgress: () => undefined, progressEvery: 0 }, null]) {
      let error: unknown;
      try {
        collectStatistics(journeys, {}, bad as never);
      } catch (e) {
        error = e;
      }
      expect(isCrossChannelError(error, 'INPUT_INVALID')).toBe(true);
    }
  });
});
