import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CrossChannelError } from '../core/errors.js';
import * as timing from './index.js';

const NOW = Date.parse('2026-06-01T12:00:00Z');
const json = fc.oneof(fc.jsonValue(), fc.constantFrom(undefined, NaN, Infinity, -1, 1.5, '', 'email', 'Europe/Paris', NOW, [], {}, { rules: [] }));

/** Calls `fn` and accepts a result or a CrossChannelError; anything else (TypeError, RangeError) fails. */
function safe(fn: () => unknown): void {
  try {
    fn();
  } catch (e) {
    if (!(e instanceof CrossChannelError)) throw e;
  }
}

describe('every timing export called from plain JS with arbitrary JSON', () => {
  it('throws CrossChannelError or answers, never a TypeError', () => {
    const model = new timing.TimingModel({ channels: ['email'] });
    model.observeContact({ subjectId: 'p', channel: 'email', at: NOW - 1000 }, NOW);
    const fns: Array<(a: unknown, b: unknown, c: unknown) => unknown> = [
      (a, b) => timing.hourOfWeek(a as never, b as never),
      (a, b) => timing.concentrationOf(a as never, b as never),
      (a, b, c) => timing.addUnit(a as never, b as never, c as never, b as never),
      (a, b, c) => timing.addBinomialUnit(a as never, b as never, c as never, c as never),
      (a) => new timing.TimingModel(a as never),
      (a, b) => model.observeContact(a as never, b as never),
      (a, b) => model.observeResponse(a as never, b as never),
      (a, b) => model.observeHistory(a as never, b as never),
      (a, b) => model.setProfile(a as never, b as never),
      (a) => model.merge(a as never),
      (a) => timing.refit(a as never),
      (a, b) => timing.hourProfile(model, a as never, b as never),
      (a, b) => timing.hourProfile(a as never, b as never),
      (a, b) => timing.channelAffinity(model, a as never, b as never),
      (a) => timing.parseTimingModel(a),
      (a) => timing.safeParseTimingModel(a),
      (a) => timing.compileSendCaps(a),
      (a) => timing.isSendCaps(a),
      (a, b) => timing.bestSendTime(model, a as never, b as never),
      (a, b) => timing.bestSendTime(a as never, 'p', b as never),
      (a, b) => timing.rankChannels(model, a as never, b as never),
      (a, b, c) => timing.affinityWeights(model, a as never, b as never, c as never),
      (a) => timing.bestMomentCheck(model, a as never),
      (a, b) => timing.evaluateReplay(model, a as never, b as never),
      (a, b) => timing.replayEvaluation(a as never, b as never),
    ];
    fc.assert(
      fc.property(fc.integer({ min: 0, max: fns.length - 1 }), json, json, json, (i, a, b, c) => {
        safe(() => fns[i]!(a, b, c));
      }),
      { numRuns: 1200 },
    );
    // The hook itself, with bad contexts.
    const check = timing.bestMomentCheck(model, { caps: { rules: [] }, history: () => undefined });
    fc.assert(fc.property(json, json, (a, b) => safe(() => check(a as never, b as never))), { numRuns: 300 });
    expect(model.size).toBeGreaterThan(0);
  }, 60_000);
});
